package catalog

// InformationSchema is the schema of the SQL standard's catalog views.
// Relation and RelationNames name the views the catalog defines
// "information_schema.X"; package dialect expands a reference to one of
// them as it does pg_catalog's, and leaves the others to DuckDB's own
// information_schema.
const InformationSchema = "information_schema"

// The views below follow PostgreSQL 15's definitions
// (src/backend/catalog/information_schema.sql) over this package's
// pg_catalog relations, so that they name schemas, constraints and types
// as pg_catalog does: DuckDB's main schema is public, the catalog is the
// session's database name, and constraints have PostgreSQL's names. Only
// the privilege filters are left out: the session's user owns everything.
//
// Views on DuckDB cannot be written to, so they are not insertable or
// updatable here, where PostgreSQL's simple views are.

// infoDB is the catalog column of every view: the session's database.
const infoDB = `pg_catalog.quiver_database()`

var infoSchemaRelations = map[string]string{
	"schemata": `
SELECT ` + infoDB + ` AS catalog_name, n.nspname AS schema_name, pg_catalog.pg_get_userbyid(n.nspowner) AS schema_owner,
  NULL::varchar AS default_character_set_catalog, NULL::varchar AS default_character_set_schema,
  NULL::varchar AS default_character_set_name, NULL::varchar AS sql_path
FROM pg_catalog.pg_namespace n`,

	"tables": `
SELECT ` + infoDB + ` AS table_catalog, n.nspname AS table_schema, c.relname AS table_name,
  (CASE WHEN c.relpersistence = 't' THEN 'LOCAL TEMPORARY' WHEN c.relkind IN ('r', 'p') THEN 'BASE TABLE'
    WHEN c.relkind = 'v' THEN 'VIEW' WHEN c.relkind = 'f' THEN 'FOREIGN' END) AS table_type,
  NULL::varchar AS self_referencing_column_name, NULL::varchar AS reference_generation,
  NULL::varchar AS user_defined_type_catalog, NULL::varchar AS user_defined_type_schema,
  NULL::varchar AS user_defined_type_name,
  (CASE WHEN c.relkind IN ('r', 'p') THEN 'YES' ELSE 'NO' END) AS is_insertable_into, 'NO' AS is_typed,
  NULL::varchar AS commit_action
FROM pg_catalog.pg_namespace n JOIN pg_catalog.pg_class c ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'v', 'f', 'p')`,

	"views": `
SELECT ` + infoDB + ` AS table_catalog, n.nspname AS table_schema, c.relname AS table_name,
  pg_catalog.pg_get_viewdef(c.oid) AS view_definition, 'NONE' AS check_option, 'NO' AS is_updatable,
  'NO' AS is_insertable_into, 'NO' AS is_trigger_updatable, 'NO' AS is_trigger_deletable,
  'NO' AS is_trigger_insertable_into
FROM pg_catalog.pg_namespace n JOIN pg_catalog.pg_class c ON n.oid = c.relnamespace
WHERE c.relkind = 'v'`,

	// columns describes types as PostgreSQL's _pg_* helper functions do
	// (quiver_info_* here), from the column's type OID and modifier.
	"columns": `
SELECT ` + infoDB + ` AS table_catalog, nc.nspname AS table_schema, c.relname AS table_name,
  a.attname AS column_name, a.attnum::integer AS ordinal_position, ad.adbin AS column_default,
  (CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END) AS is_nullable,
  (CASE WHEN t.typelem <> 0 AND t.typlen = -1 THEN 'ARRAY'
    WHEN nt.nspname = 'pg_catalog' THEN pg_catalog.format_type(a.atttypid, NULL)
    ELSE 'USER-DEFINED' END) AS data_type,
  pg_catalog.quiver_info_char_max_length(a.atttypid, a.atttypmod) AS character_maximum_length,
  pg_catalog.quiver_info_char_octet_length(a.atttypid, a.atttypmod) AS character_octet_length,
  pg_catalog.quiver_info_numeric_precision(a.atttypid, a.atttypmod) AS numeric_precision,
  pg_catalog.quiver_info_numeric_precision_radix(a.atttypid) AS numeric_precision_radix,
  pg_catalog.quiver_info_numeric_scale(a.atttypid, a.atttypmod) AS numeric_scale,
  pg_catalog.quiver_info_datetime_precision(a.atttypid, a.atttypmod) AS datetime_precision,
  pg_catalog.quiver_info_interval_type(a.atttypid, a.atttypmod) AS interval_type, NULL::integer AS interval_precision,
  NULL::varchar AS character_set_catalog, NULL::varchar AS character_set_schema, NULL::varchar AS character_set_name,
  (CASE WHEN co.collname IS NOT NULL THEN ` + infoDB + ` END) AS collation_catalog,
  (CASE WHEN co.collname IS NOT NULL THEN 'pg_catalog' END) AS collation_schema, co.collname AS collation_name,
  NULL::varchar AS domain_catalog, NULL::varchar AS domain_schema, NULL::varchar AS domain_name,
  ` + infoDB + ` AS udt_catalog, nt.nspname AS udt_schema, t.typname AS udt_name,
  NULL::varchar AS scope_catalog, NULL::varchar AS scope_schema, NULL::varchar AS scope_name,
  NULL::integer AS maximum_cardinality, CAST(a.attnum AS varchar) AS dtd_identifier, 'NO' AS is_self_referencing,
  (CASE WHEN a.attidentity = '' THEN 'NO' ELSE 'YES' END) AS is_identity,
  (CASE a.attidentity WHEN 'a' THEN 'ALWAYS' WHEN 'd' THEN 'BY DEFAULT' END) AS identity_generation,
  CAST(sq.start_value AS varchar) AS identity_start, CAST(sq.increment_by AS varchar) AS identity_increment,
  CAST(sq.max_value AS varchar) AS identity_maximum, CAST(sq.min_value AS varchar) AS identity_minimum,
  (CASE WHEN sq.cycle THEN 'YES' ELSE 'NO' END) AS identity_cycle, 'NEVER' AS is_generated, NULL::varchar AS generation_expression,
  (CASE WHEN c.relkind IN ('r', 'p') THEN 'YES' ELSE 'NO' END) AS is_updatable
FROM pg_catalog.quiver_columns a
  LEFT JOIN pg_catalog.pg_attrdef ad ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
  LEFT JOIN duckdb_sequences() sq ON a.identity_default IS NOT NULL AND sq.database_name = a._database
    AND sq.schema_name = a._schema
    AND sq.sequence_name = regexp_extract(a.identity_default, '^nextval\(''(?:.*\.)?([^''.]+)''\)', 1)
  JOIN pg_catalog.pg_class c ON a.attrelid = c.oid
  JOIN pg_catalog.pg_namespace nc ON c.relnamespace = nc.oid
  JOIN pg_catalog.pg_type t ON a.atttypid = t.oid
  JOIN pg_catalog.pg_namespace nt ON t.typnamespace = nt.oid
  LEFT JOIN pg_catalog.pg_collation co ON a.attcollation = co.oid AND co.collname <> 'default'
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'v', 'f', 'p')`,

	// table_constraints has PostgreSQL 15's rows for NOT NULL columns too,
	// named nspoid_reloid_attnum_not_null.
	"table_constraints": `
SELECT ` + infoDB + ` AS constraint_catalog, nc.nspname AS constraint_schema, c.conname AS constraint_name,
  ` + infoDB + ` AS table_catalog, nr.nspname AS table_schema, r.relname AS table_name,
  (CASE c.contype WHEN 'c' THEN 'CHECK' WHEN 'f' THEN 'FOREIGN KEY' WHEN 'p' THEN 'PRIMARY KEY' WHEN 'u' THEN 'UNIQUE' END)
    AS constraint_type,
  (CASE WHEN c.condeferrable THEN 'YES' ELSE 'NO' END) AS is_deferrable,
  (CASE WHEN c.condeferred THEN 'YES' ELSE 'NO' END) AS initially_deferred, 'YES' AS enforced,
  (CASE WHEN c.contype = 'u' THEN 'YES' END) AS nulls_distinct
FROM pg_catalog.pg_constraint c
  JOIN pg_catalog.pg_namespace nc ON nc.oid = c.connamespace
  JOIN pg_catalog.pg_class r ON c.conrelid = r.oid
  JOIN pg_catalog.pg_namespace nr ON nr.oid = r.relnamespace
WHERE c.contype NOT IN ('t', 'x') AND r.relkind IN ('r', 'p')
UNION ALL
SELECT ` + infoDB + `, nr.nspname, pg_catalog.quiver_not_null_name(nr.oid, r.oid, a.attnum), ` + infoDB + `,
  nr.nspname, r.relname, 'CHECK', 'NO', 'NO', 'YES', NULL::varchar
FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_class r ON r.oid = a.attrelid
  JOIN pg_catalog.pg_namespace nr ON nr.oid = r.relnamespace
WHERE a.attnotnull AND a.attnum > 0 AND NOT a.attisdropped AND r.relkind IN ('r', 'p')`,

	"key_column_usage": `
SELECT ` + infoDB + ` AS constraint_catalog, nc.nspname AS constraint_schema, c.conname AS constraint_name,
  ` + infoDB + ` AS table_catalog, nr.nspname AS table_schema, r.relname AS table_name, a.attname AS column_name,
  k.n::integer AS ordinal_position,
  (CASE WHEN c.contype = 'f' THEN (SELECT array_position(i.indkey, c.confkey[k.n])::integer
    FROM pg_catalog.pg_index i WHERE i.indexrelid = c.conindid) END) AS position_in_unique_constraint
FROM pg_catalog.pg_constraint c
  JOIN pg_catalog.pg_namespace nc ON nc.oid = c.connamespace
  JOIN pg_catalog.pg_class r ON c.conrelid = r.oid
  JOIN pg_catalog.pg_namespace nr ON nr.oid = r.relnamespace
  CROSS JOIN unnest(c.conkey) WITH ORDINALITY AS k(x, n)
  JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum = k.x
WHERE c.contype IN ('p', 'u', 'f') AND r.relkind IN ('r', 'p')`,

	"referential_constraints": `
SELECT ` + infoDB + ` AS constraint_catalog, ncon.nspname AS constraint_schema, con.conname AS constraint_name,
  (CASE WHEN npkc.nspname IS NOT NULL THEN ` + infoDB + ` END) AS unique_constraint_catalog,
  npkc.nspname AS unique_constraint_schema, pkc.conname AS unique_constraint_name,
  (CASE con.confmatchtype WHEN 'f' THEN 'FULL' WHEN 'p' THEN 'PARTIAL' WHEN 's' THEN 'NONE' END) AS match_option,
  ` + fkActionSQL("con.confupdtype") + ` AS update_rule, ` + fkActionSQL("con.confdeltype") + ` AS delete_rule
FROM pg_catalog.pg_constraint con
  JOIN pg_catalog.pg_namespace ncon ON ncon.oid = con.connamespace
  LEFT JOIN pg_catalog.pg_constraint pkc ON pkc.conindid = con.conindid AND pkc.contype IN ('p', 'u')
    AND pkc.conrelid = con.confrelid
  LEFT JOIN pg_catalog.pg_namespace npkc ON pkc.connamespace = npkc.oid
WHERE con.contype = 'f'`,

	// constraint_column_usage lists the columns a constraint uses: for a
	// foreign key, the referenced ones.
	"constraint_column_usage": `
SELECT DISTINCT ` + infoDB + ` AS table_catalog, nr.nspname AS table_schema, r.relname AS table_name,
  a.attname AS column_name, ` + infoDB + ` AS constraint_catalog, nc.nspname AS constraint_schema,
  c.conname AS constraint_name
FROM pg_catalog.pg_constraint c
  JOIN pg_catalog.pg_namespace nc ON nc.oid = c.connamespace
  JOIN pg_catalog.pg_class r ON r.oid = (CASE WHEN c.contype = 'f' THEN c.confrelid ELSE c.conrelid END)
  JOIN pg_catalog.pg_namespace nr ON nr.oid = r.relnamespace
  JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid
    AND list_contains(CASE WHEN c.contype = 'f' THEN c.confkey ELSE c.conkey END, a.attnum)
WHERE c.contype IN ('p', 'u', 'f', 'c') AND r.relkind IN ('r', 'p')`,

	"check_constraints": `
SELECT ` + infoDB + ` AS constraint_catalog, n.nspname AS constraint_schema, c.conname AS constraint_name,
  substr(pg_catalog.pg_get_constraintdef(c.oid), 7) AS check_clause
FROM pg_catalog.pg_constraint c JOIN pg_catalog.pg_namespace n ON n.oid = c.connamespace
WHERE c.contype = 'c'
UNION
SELECT ` + infoDB + `, n.nspname, pg_catalog.quiver_not_null_name(n.oid, r.oid, a.attnum), a.attname || ' IS NOT NULL'
FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_class r ON r.oid = a.attrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace
WHERE a.attnotnull AND a.attnum > 0 AND NOT a.attisdropped AND r.relkind IN ('r', 'p')`,
}

// infoSchemaFunctions are PostgreSQL's information_schema._pg_* helpers,
// over a type OID and modifier.
var infoSchemaFunctions = map[string]string{
	"quiver_not_null_name/3": `(CAST($1 AS varchar) || '_' || CAST($2 AS varchar) || '_' || CAST($3 AS varchar) || '_not_null')`,
	"quiver_info_char_max_length/2": `(CASE WHEN $1 IN (1042, 1043) AND $2 <> -1 THEN $2 - 4
  WHEN $1 IN (1560, 1562) AND $2 <> -1 THEN $2 END)::integer`,
	// 6 is UTF8, whose characters take up to 4 bytes.
	"quiver_info_char_octet_length/2": `(CASE WHEN $1 IN (25, 1042, 1043) THEN
  (CASE WHEN $2 = -1 THEN 1073741824 ELSE ($2 - 4) * 4 END) END)::integer`,
	"quiver_info_numeric_precision/2": `(CASE $1 WHEN 21 THEN 16 WHEN 23 THEN 32 WHEN 20 THEN 64
  WHEN 1700 THEN (CASE WHEN $2 = -1 THEN NULL ELSE (($2 - 4) // 65536) % 65536 END)
  WHEN 700 THEN 24 WHEN 701 THEN 53 END)::integer`,
	"quiver_info_numeric_precision_radix/1": `(CASE WHEN $1 IN (21, 23, 20, 700, 701) THEN 2 WHEN $1 = 1700 THEN 10 END)::integer`,
	"quiver_info_numeric_scale/2": `(CASE WHEN $1 IN (21, 23, 20) THEN 0
  WHEN $1 = 1700 THEN (CASE WHEN $2 = -1 THEN NULL ELSE ($2 - 4) % 65536 END) END)::integer`,
	"quiver_info_datetime_precision/2": `(CASE WHEN $1 = 1082 THEN 0
  WHEN $1 IN (1083, 1266, 1114, 1184) THEN (CASE WHEN $2 < 0 THEN 6 ELSE $2 END)
  WHEN $1 = 1186 THEN (CASE WHEN $2 < 0 OR $2 % 65536 = 65535 THEN 6 ELSE $2 % 65536 END) END)::integer`,
	// The fields of an interval, upper case, from format_type: NULL for
	// all of them.
	"quiver_info_interval_type/2": `(CASE WHEN $1 = 1186 THEN
  nullif(upper(regexp_extract(pg_catalog.format_type($1, $2), '^interval[()0-9]* (.*)$', 1)), '') END)`,
}

// fkActionSQL names a foreign key action code of pg_constraint.
func fkActionSQL(col string) string {
	return `(CASE ` + col + ` WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT'
    WHEN 'r' THEN 'RESTRICT' WHEN 'a' THEN 'NO ACTION' END)`
}

func init() {
	for n, def := range infoSchemaRelations {
		relations[InformationSchema+"."+n] = def
	}
	for n, def := range infoSchemaFunctions {
		functions[n] = def
	}
}
