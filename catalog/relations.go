package catalog

import (
	"strings"
)

// The relations below are written in PostgreSQL's syntax over DuckDB's
// metadata functions (duckdb_tables(), duckdb_columns(), ...), so that the
// PostgreSQL parser reads them and DuckDB runs them. A name written
// pg_catalog.X refers to another catalog relation or function of this
// package and is expanded in turn; unqualified names are DuckDB's own.
//
// Object identity: tables, views, sequences, indexes, schemas and types
// keep DuckDB's OIDs, which stay the same for an object's lifetime in one
// database. Objects DuckDB has no OID for get one derived from their
// table's: constraint k of table t is t*1000+k, the index behind it
// t*1000+500+k, the default of column n t*10000+n.
//
// Columns that are oid (or oid[]) in PostgreSQL are cast to quiver_oid
// (OIDType) where a relation produces them, so clients see oid; regproc
// and oidvector columns stay bigint and bigint[]. Arithmetic that derives
// an OID is done in bigint before the cast.

// scope limits DuckDB's metadata to the session's database and its
// temporary objects, as PostgreSQL shows one database at a time.
const scope = "database_name IN (current_database(), 'temp')"

// systemRelations are the catalog relations listed in pg_class under
// pg_catalog, with PostgreSQL's OIDs for the tables (views get OIDs from
// 12000 up), so that 'pg_catalog.pg_class'::regclass and friends resolve.
var systemRelations = []struct {
	name string
	oid  uint32
	kind byte
}{
	{"pg_type", 1247, 'r'}, {"pg_attribute", 1249, 'r'}, {"pg_proc", 1255, 'r'}, {"pg_class", 1259, 'r'},
	{"pg_authid", 1260, 'r'}, {"pg_auth_members", 1261, 'r'}, {"pg_database", 1262, 'r'},
	{"pg_tablespace", 1213, 'r'}, {"pg_am", 2601, 'r'}, {"pg_attrdef", 2604, 'r'},
	{"pg_constraint", 2606, 'r'}, {"pg_inherits", 2611, 'r'}, {"pg_index", 2610, 'r'},
	{"pg_description", 2609, 'r'}, {"pg_language", 2612, 'r'}, {"pg_rewrite", 2618, 'r'},
	{"pg_trigger", 2620, 'r'}, {"pg_namespace", 2615, 'r'}, {"pg_sequence", 2224, 'r'},
	{"pg_extension", 3079, 'r'}, {"pg_foreign_table", 3118, 'r'}, {"pg_policy", 3256, 'r'},
	{"pg_partitioned_table", 3350, 'r'}, {"pg_statistic_ext", 3381, 'r'}, {"pg_collation", 3456, 'r'},
	{"pg_enum", 3501, 'r'}, {"pg_range", 3541, 'r'}, {"pg_publication", 6104, 'r'},
	{"pg_publication_namespace", 6237, 'r'}, {"pg_publication_rel", 6106, 'r'},
	{"pg_opclass", 2616, 'r'}, {"pg_opfamily", 2753, 'r'}, {"pg_operator", 2617, 'r'}, {"pg_conversion", 2607, 'r'},
	{"pg_cast", 2605, 'r'}, {"pg_subscription", 6100, 'r'}, {"pg_foreign_data_wrapper", 2328, 'r'},
	{"pg_db_role_setting", 2964, 'r'}, {"pg_largeobject_metadata", 2995, 'r'}, {"pg_default_acl", 826, 'r'},
	{"pg_roles", 12001, 'v'}, {"pg_user", 12002, 'v'}, {"pg_tables", 12003, 'v'},
	{"pg_views", 12004, 'v'}, {"pg_indexes", 12005, 'v'}, {"pg_settings", 12006, 'v'}, {"pg_stat_activity", 12007, 'v'},
}

func systemRelationsSQL() string {
	var b strings.Builder
	b.WriteString("SELECT * FROM (VALUES ")
	for i, r := range systemRelations {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + u(r.oid) + "::quiver_oid, " + quote(r.name) + ", " + quote(string(r.kind)) + ")")
	}
	b.WriteString(") AS s(oid, relname, relkind)")
	return b.String()
}

// unquotedSQL is the DuckDB expression for the name an index expression e
// gives when it is a column: DuckDB lists a column as its name, in double
// quotes (doubled inside) where it needs them.
func unquotedSQL(e string) string {
	return "(CASE WHEN " + e + " LIKE '\"%\"' THEN replace(substr(" + e + ", 2, length(" + e + ") - 2), '\"\"', '\"') ELSE " + e + " END)"
}

// emptyRelation returns a relation with typed columns and no rows, for the
// catalogs of features DuckDB does not have (policies, triggers, ...).
func emptyRelation(cols string) string {
	var sel []string
	for _, c := range strings.Split(cols, ",") {
		name, typ, _ := strings.Cut(strings.TrimSpace(c), " ")
		sel = append(sel, "NULL::"+typ+" AS "+name)
	}
	return "SELECT " + strings.Join(sel, ", ") + " WHERE false"
}

// relations maps catalog relation names to their definitions.
// arrayDefaultRE matches, in SQL text, the default an array literal
// becomes (dialect's rewrite of '{a,b}'::text[]): a one-dimensional ARRAY
// constructor of string constants and NULLs, cast to an array type.
// pg_attrdef shows it as the literal again, as PostgreSQL keeps it.
const arrayDefaultRE = `^CAST\(\(ARRAY\[((''([^'']|'''')*''|NULL)(, (''([^'']|'''')*''|NULL))*)?\]\) AS ` +
	`("[A-Za-z][A-Za-z0-9_ ]*"|[A-Z][A-Z0-9_ ]*)(\([0-9, ]+\))?\[\]\)$`

var relations = map[string]string{
	// quiver_namespaces is pg_namespace with the DuckDB names behind it and
	// whether the schema is on the search path.
	"quiver_namespaces": `
SELECT s.oid::quiver_oid AS oid, pg_catalog.quiver_nspname(s.database_name, s.schema_name) AS nspname,
  (CASE WHEN s.database_name <> 'temp' AND s.schema_name = 'main' THEN 6171 ELSE 10 END)::quiver_oid AS nspowner,
  NULL::varchar[] AS nspacl, s.database_name AS duckdb_database, s.schema_name AS duckdb_schema,
  (s.database_name = 'temp' OR (s.database_name = current_database() AND list_contains(pg_catalog.quiver_search_path(), s.schema_name))) AS visible
FROM duckdb_schemas() s WHERE s.` + scope + `
UNION ALL SELECT 11::quiver_oid, 'pg_catalog', 10::quiver_oid, NULL::varchar[], 'system', 'pg_catalog', true
UNION ALL SELECT 99::quiver_oid, 'pg_toast', 10::quiver_oid, NULL::varchar[], NULL, NULL, false
UNION ALL SELECT 13000::quiver_oid, 'information_schema', 10::quiver_oid, NULL::varchar[], 'system', 'information_schema', false`,

	"pg_namespace": `SELECT oid, nspname, nspowner, nspacl FROM pg_catalog.quiver_namespaces`,

	// quiver_conbase holds DuckDB's constraints with the names and OIDs the
	// catalog gives them. DuckDB does not keep constraint names: a name
	// CREATE TABLE gave is kept in the table's declared-types table
	// (ConstraintKey), others are PostgreSQL's defaults.
	"quiver_conbase": `
SELECT k.*, k.table_oid * 1000 + k.n AS oid, k.table_oid * 1000 + 500 + k.n AS indexoid,
  coalesce(replace(nullif(regexp_extract(nm.column_default, '^[^'']*''(.*)''', 1), ''), '''''', ''''),
   (CASE k.contype WHEN 'p' THEN k.table_name || '_pkey'
    WHEN 'u' THEN k.table_name || '_' || array_to_string(k.cols, '_') || '_key'
    WHEN 'f' THEN k.table_name || '_' || array_to_string(k.cols, '_') || '_fkey'
    WHEN 'c' THEN (CASE WHEN len(list_distinct(k.cols)) = 1 THEN k.table_name || '_' || k.cols[1] || '_check'
      ELSE k.table_name || '_check' END) END)) AS conname
FROM (SELECT c.table_oid::bigint AS table_oid, c.schema_oid::bigint AS schema_oid, c.database_name, c.schema_name,
    c.table_name, c.constraint_column_names AS cols, c.constraint_column_indexes AS colidx, c.referenced_table,
    c.referenced_column_names AS refcols, c.expression, c.constraint_text AS sqltext,
    (CASE c.constraint_type WHEN 'PRIMARY KEY' THEN 'p' WHEN 'UNIQUE' THEN 'u' WHEN 'FOREIGN KEY' THEN 'f' ELSE 'c' END) AS contype,
    row_number() OVER (PARTITION BY c.table_oid ORDER BY c.constraint_index) AS n,
    row_number() OVER (PARTITION BY c.table_oid, c.constraint_type ORDER BY c.constraint_index) AS kn
  FROM duckdb_constraints() c
  WHERE c.constraint_type IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY', 'CHECK') AND c.` + scope + `
    AND NOT (c.constraint_type = 'CHECK' AND ` + isLengthCheck("c.expression") + `)) k
LEFT JOIN duckdb_columns() nm ON nm.database_name = k.database_name AND nm.schema_name = k.schema_name
  AND nm.table_name = '` + DeclaredTypesPrefix + `' || k.table_name
  AND nm.column_name = '` + ConstraintKeyPrefix + `' || k.contype || ':' ||
    (CASE WHEN k.contype = 'c' THEN CAST(k.kn AS varchar) ELSE array_to_string(k.cols, ',') END)`,

	// quiver_violations lists, cheaply, what names a constraint violation
	// (dispatch/constraint.go): each table's unique keys (primary key and
	// unique constraints, then unique indexes), a row per column, and its
	// check constraints with their text, by schema and table name.
	"quiver_violations": `
SELECT pg_catalog.quiver_nspname(k.database_name, k.schema_name) AS nspname, k.table_name AS relname, k.conname,
  k.contype, u.col, u.colno, NULL AS def, k.ord
FROM (SELECT c.database_name, c.schema_name, c.table_name, c.conname, c.contype, c.cols, c.n AS ord
    FROM pg_catalog.quiver_conbase c WHERE c.contype IN ('p', 'u')
  UNION ALL
  SELECT i.database_name, i.schema_name, i.table_name, i.index_name, 'u',
    list_transform(CAST(i.expressions AS varchar[]),
      e -> ` + unquotedSQL("e") + `),
    1000 + i.index_oid
  FROM duckdb_indexes() i WHERE i.is_unique AND i.` + scope + `) k, unnest(k.cols) WITH ORDINALITY AS u(col, colno)
UNION ALL
SELECT pg_catalog.quiver_nspname(c.database_name, c.schema_name), c.table_name, c.conname, 'c', NULL, NULL,
  'CHECK (' || c.expression || ')', c.n
FROM pg_catalog.quiver_conbase c WHERE c.contype = 'c'`,

	// A foreign key's conindid is the index of the key it references, as
	// in PostgreSQL.
	"pg_constraint": `
SELECT k.oid::quiver_oid AS oid, k.conname, k.schema_oid::quiver_oid AS connamespace, k.contype, false AS condeferrable,
  false AS condeferred, true AS convalidated, k.table_oid::quiver_oid AS conrelid, 0::quiver_oid AS contypid,
  (CASE WHEN k.contype IN ('p', 'u') THEN k.indexoid
    WHEN k.contype = 'f' THEN coalesce(rk.indexoid, 0) ELSE 0 END)::quiver_oid AS conindid,
  0::quiver_oid AS conparentid, coalesce(rt.table_oid, 0)::quiver_oid AS confrelid,
  (CASE WHEN k.contype = 'f' THEN 'a' ELSE ' ' END) AS confupdtype,
  (CASE WHEN k.contype = 'f' THEN 'a' ELSE ' ' END) AS confdeltype,
  (CASE WHEN k.contype = 'f' THEN 's' ELSE ' ' END) AS confmatchtype,
  true AS conislocal, 0 AS coninhcount, false AS connoinherit,
  array(SELECT (u.x + 1)::smallint FROM unnest(k.colidx) WITH ORDINALITY AS u(x, i) ORDER BY u.i) AS conkey,
  (CASE WHEN k.contype = 'f' THEN array(SELECT c.column_index::smallint
     FROM unnest(k.refcols) WITH ORDINALITY AS u(x, i)
     JOIN duckdb_columns() c ON c.table_oid = rt.table_oid AND c.column_name = u.x ORDER BY u.i) END) AS confkey,
  NULL::quiver_oid[] AS conpfeqop, NULL::quiver_oid[] AS conppeqop, NULL::quiver_oid[] AS conffeqop, NULL::quiver_oid[] AS conexclop,
  k.expression AS conbin, 2606::quiver_oid AS tableoid
FROM pg_catalog.quiver_conbase k
LEFT JOIN duckdb_tables() rt ON k.contype = 'f' AND rt.database_name = k.database_name
  AND rt.schema_name = k.schema_name AND rt.table_name = k.referenced_table
LEFT JOIN (SELECT r.table_oid, list_sort(r.cols) AS cols, min(r.indexoid) AS indexoid
  FROM pg_catalog.quiver_conbase r WHERE r.contype IN ('p', 'u') GROUP BY 1, 2) rk
  ON k.contype = 'f' AND rk.table_oid = rt.table_oid AND rk.cols = list_sort(k.refcols)`,

	// quiver_condefs holds each constraint's text, for pg_get_constraintdef,
	// and for a CHECK its pretty form, without the parentheses DuckDB puts
	// around the whole expression.
	"quiver_condefs": `
SELECT k.oid AS _oid,
  (CASE k.contype
    WHEN 'p' THEN 'PRIMARY KEY (' || pg_catalog.quiver_ident_list(k.cols) || ')'
    WHEN 'u' THEN 'UNIQUE (' || pg_catalog.quiver_ident_list(k.cols) || ')'
    WHEN 'f' THEN 'FOREIGN KEY (' || pg_catalog.quiver_ident_list(k.cols) || ') REFERENCES ' ||
      (CASE WHEN k.database_name = 'temp' OR list_contains(current_schemas(true), k.schema_name) THEN ''
        ELSE pg_catalog.quiver_quote_ident(pg_catalog.quiver_nspname(k.database_name, k.schema_name)) || '.' END) ||
      pg_catalog.quiver_quote_ident(k.referenced_table) || '(' || pg_catalog.quiver_ident_list(k.refcols) || ')'
    ELSE 'CHECK (' || k.expression || ')' END) AS _def,
  (CASE WHEN k.contype = 'c' THEN 'CHECK (' || pg_catalog.quiver_strip_parens(k.expression) || ')' END) AS _pretty
FROM pg_catalog.quiver_conbase k`,

	// quiver_indexcols holds one row per column of each index: DuckDB's
	// indexes, whose expressions DuckDB lists as text (a column name,
	// quoted if need be, or a parenthesised expression), and the indexes
	// behind primary key and unique constraints, which DuckDB does not
	// list. tableattnum is the table column's number, 0 for an expression;
	// def is the column as pg_get_indexdef prints it. An expression's
	// column is named as in PostgreSQL after the function it calls, or
	// expr.
	"quiver_indexcols": `
SELECT x.oid AS indexrelid, x.indrelid, x.n::smallint AS attnum,
  coalesce(c.column_name, nullif(regexp_extract(x.e, '^\(([a-z_][a-z0-9_]*)\(', 1), ''), 'expr') AS attname,
  coalesce(c.column_index, 0)::smallint AS tableattnum,
  (CASE WHEN c.column_name IS NOT NULL THEN pg_catalog.quiver_quote_ident(c.column_name)
    ELSE pg_catalog.quiver_strip_parens(x.e) END) AS def
FROM (SELECT i.index_oid::bigint AS oid, i.table_oid::bigint AS indrelid, u.e, u.n
  FROM duckdb_indexes() i, unnest(CAST(i.expressions AS varchar[])) WITH ORDINALITY AS u(e, n)
  WHERE i.` + scope + `) x
LEFT JOIN duckdb_columns() c ON c.table_oid = x.indrelid
  AND c.column_name = ` + unquotedSQL("x.e") + `
UNION ALL
SELECT k.indexoid, k.table_oid, u.n::smallint, u.name, (k.colidx[u.n] + 1)::smallint, pg_catalog.quiver_quote_ident(u.name)
FROM pg_catalog.quiver_conbase k, unnest(k.cols) WITH ORDINALITY AS u(name, n) WHERE k.contype IN ('p', 'u')`,

	// quiver_indexes holds every index with its columns from
	// quiver_indexcols.
	"quiver_indexes": `
SELECT b.oid, b.relname, b.relnamespace, b.indrelid, b.indisunique, b.indisprimary, ic.indkey, ic.natts, ic.columns,
  ic.indexprs, b.database_name, b.schema_name, b.table_name
FROM (SELECT i.index_oid::bigint AS oid, i.index_name AS relname, i.schema_oid::bigint AS relnamespace,
    i.table_oid::bigint AS indrelid, i.is_unique AS indisunique, i.is_primary AS indisprimary, i.database_name,
    i.schema_name, i.table_name
  FROM duckdb_indexes() i WHERE i.` + scope + `
  UNION ALL
  SELECT c.indexoid, c.conname, c.schema_oid, c.table_oid, true, c.contype = 'p', c.database_name, c.schema_name,
    c.table_name
  FROM pg_catalog.quiver_conbase c WHERE c.contype IN ('p', 'u')) b
JOIN (SELECT indexrelid, array_agg(tableattnum ORDER BY attnum) AS indkey, count(*) AS natts,
    string_agg(def, ', ' ORDER BY attnum) AS columns,
    string_agg(CASE WHEN tableattnum = 0 THEN def END, ', ' ORDER BY attnum) AS indexprs
  FROM pg_catalog.quiver_indexcols GROUP BY indexrelid) ic ON ic.indexrelid = b.oid`,

	// quiver_indexdefs holds each index's CREATE INDEX, and
	// quiver_indexcoldefs each of its columns, for pg_get_indexdef: with
	// the table's name qualified (_def), and unqualified (_short) for
	// pretty printing where the table (_rel) is visible.
	"quiver_indexdefs": `
SELECT d._oid, d._head || d._nsp || '.' || d._tail AS _def, d._head || d._tail AS _short, d._rel
FROM (SELECT x.oid AS _oid, x.indrelid AS _rel,
  'CREATE ' || (CASE WHEN x.indisunique THEN 'UNIQUE ' ELSE '' END) || 'INDEX ' || pg_catalog.quiver_quote_ident(x.relname) || ' ON ' AS _head,
  pg_catalog.quiver_quote_ident(pg_catalog.quiver_nspname(x.database_name, x.schema_name)) AS _nsp,
  pg_catalog.quiver_quote_ident(x.table_name) || ' USING btree (' || x.columns || ')' AS _tail
  FROM pg_catalog.quiver_indexes x) d`,
	"quiver_indexcoldefs": `SELECT indexrelid AS _oid, attnum AS _n, def AS _def FROM pg_catalog.quiver_indexcols`,

	"pg_index": `
SELECT i.oid::quiver_oid AS indexrelid, i.indrelid::quiver_oid AS indrelid, i.natts::smallint AS indnatts, i.natts::smallint AS indnkeyatts,
  i.indisunique, false AS indnullsnotdistinct, i.indisprimary, false AS indisexclusion, true AS indimmediate,
  false AS indisclustered, true AS indisvalid, false AS indcheckxmin, true AS indisready, true AS indislive,
  false AS indisreplident, i.indkey, NULL::bigint[] AS indcollation, NULL::bigint[] AS indclass,
  NULL::smallint[] AS indoption, i.indexprs, NULL::varchar AS indpred
FROM pg_catalog.quiver_indexes i`,

	// pg_class lists tables, views, sequences, indexes and the catalog's
	// own relations. A table that has or is the target of a foreign key
	// has triggers, as in PostgreSQL, where foreign keys are triggers.
	"pg_class": `
SELECT o.oid::quiver_oid AS oid, o.relname, o.relnamespace::quiver_oid AS relnamespace, 0::quiver_oid AS reltype,
  0::quiver_oid AS reloftype, 10::quiver_oid AS relowner, o.relam::quiver_oid AS relam, 0::quiver_oid AS relfilenode,
  0::quiver_oid AS reltablespace, 0 AS relpages, o.reltuples::float AS reltuples, 0 AS relallvisible,
  0::quiver_oid AS reltoastrelid, o.relhasindex, false AS relisshared, o.relpersistence, o.relkind,
  o.relnatts::smallint AS relnatts, o.relchecks::smallint AS relchecks, false AS relhasrules,
  o.relhastriggers, false AS relhassubclass, false AS relrowsecurity, false AS relforcerowsecurity,
  true AS relispopulated, 'd' AS relreplident, false AS relispartition, 0::quiver_oid AS relrewrite,
  0::bigint AS relfrozenxid, 0::bigint AS relminmxid, NULL::varchar[] AS relacl, NULL::varchar[] AS reloptions,
  NULL::varchar AS relpartbound
FROM (
  SELECT table_oid AS oid, table_name AS relname, schema_oid AS relnamespace, 2 AS relam, estimated_size AS reltuples,
    index_count > 0 AS relhasindex, (CASE WHEN temporary THEN 't' ELSE 'p' END) AS relpersistence, 'r' AS relkind,
    column_count AS relnatts, check_constraint_count - ` + lengthChecksIn("t.sql") + ` AS relchecks,
    (table_oid IN (SELECT table_oid FROM duckdb_constraints() WHERE constraint_type = 'FOREIGN KEY') OR
      (database_name || '.' || schema_name || '.' || table_name) IN (SELECT database_name || '.' || schema_name || '.' ||
        referenced_table FROM duckdb_constraints() WHERE constraint_type = 'FOREIGN KEY')) AS relhastriggers
  FROM duckdb_tables() t WHERE ` + scope + ` AND NOT internal AND NOT ` + isDeclaredTypes("table_name") + `
  UNION ALL SELECT view_oid, view_name, schema_oid, 0, 0, false, (CASE WHEN temporary THEN 't' ELSE 'p' END), 'v',
    column_count, 0, false FROM duckdb_views() WHERE ` + scope + ` AND NOT internal
  UNION ALL SELECT sequence_oid, sequence_name, schema_oid, 0, 1, false, (CASE WHEN temporary THEN 't' ELSE 'p' END), 'S',
    3, 0, false FROM duckdb_sequences() WHERE ` + scope + `
  UNION ALL SELECT index_oid, index_name, schema_oid, 403, 0, false, 'p', 'i', len(CAST(expressions AS varchar[])), 0, false
  FROM duckdb_indexes() WHERE ` + scope + `
  UNION ALL SELECT indexoid, conname, schema_oid, 403, 0, false, 'p', 'i', len(cols), 0, false
  FROM pg_catalog.quiver_conbase WHERE contype IN ('p', 'u')
  UNION ALL SELECT oid, relname, 11, 0, 0, false, 'p', relkind, 0, 0, false FROM pg_catalog.quiver_system_relations
) o`,

	"quiver_system_relations": systemRelationsSQL(),

	// The quiver_*names relations expose underscored column names only, so
	// that a function's argument inside a lookup subquery cannot be
	// captured by the subquery's own columns.
	"quiver_relnames": `SELECT c.oid AS _oid, c.relname AS _relname, n.nspname AS _nspname, n.visible AS _visible
FROM pg_catalog.pg_class c JOIN pg_catalog.quiver_namespaces n ON n.oid = c.relnamespace`,
	"quiver_nspnames": `SELECT oid AS _oid, nspname AS _nspname, visible AS _visible FROM pg_catalog.quiver_namespaces`,
	"quiver_procnames": `SELECT p.oid AS _oid, p.proname AS _proname, array_to_string(p.proargnames, ', ') AS _args,
  n.visible AS _visible FROM pg_catalog.pg_proc p JOIN pg_catalog.quiver_namespaces n ON n.oid = p.pronamespace`,
	"quiver_descriptions": `SELECT objoid AS _oid, classoid AS _class, objsubid AS _sub, description AS _text
FROM pg_catalog.pg_description`,

	// quiver_columns is pg_attribute with each column's DuckDB default:
	// the type a client declared (quiver_declared_columns) if DuckDB's type
	// loses it, else the PostgreSQL type of DuckDB's.
	"quiver_columns": `
SELECT c.table_oid::quiver_oid AS attrelid, c.column_name AS attname,
  coalesce(c.dt_oid, CASE WHEN c.is_array THEN coalesce(m.arrayoid, 1009) ELSE coalesce(m.oid, e.oid, 25) END)::quiver_oid AS atttypid,
  -1 AS attstattarget,
  coalesce(c.dt_len,
    CASE WHEN c.is_array THEN -1 WHEN e.oid IS NOT NULL THEN 4 ELSE coalesce(m.len, -1) END)::smallint AS attlen,
  c.column_index::smallint AS attnum, (CASE WHEN c.is_array THEN 1 ELSE 0 END) AS attndims, -1 AS attcacheoff,
  coalesce(c.dt_typmod, CASE WHEN c.base = 'DECIMAL' THEN c.numeric_precision * 65536 + c.numeric_scale + 4
    WHEN c.base = 'TIMESTAMP_S' THEN 0 WHEN c.base = 'TIMESTAMP_MS' THEN 3 ELSE -1 END) AS atttypmod,
  ((coalesce(c.dt_len, m.len) BETWEEN 1 AND 8 OR e.oid IS NOT NULL) AND NOT c.is_array) AS attbyval,
  coalesce(c.dt_storage,
    CASE WHEN c.is_array THEN 'x' WHEN e.oid IS NOT NULL THEN 'p' ELSE coalesce(m.storage, 'x') END) AS attstorage,
  'i' AS attalign, NOT c.is_nullable AS attnotnull, _default IS NOT NULL AS atthasdef,
  false AS atthasmissing, coalesce(c.identity_kind, '') AS attidentity, '' AS attgenerated, false AS attisdropped, true AS attislocal,
  0 AS attinhcount,
  coalesce(c.dt_collation,
    CASE WHEN e.oid IS NOT NULL THEN 0 ELSE coalesce(m.typcollation, 100) END)::quiver_oid AS attcollation,
  '' AS attcompression, NULL::varchar[] AS attacl, NULL::varchar[] AS attoptions, NULL::varchar[] AS attfdwoptions,
  NULL::varchar AS attmissingval, _default AS column_default, c.comment,
  (CASE WHEN c.identity_kind IS NOT NULL THEN c.column_default END) AS identity_default, c.database_name AS _database,
  c.schema_name AS _schema
FROM (SELECT *, (CASE WHEN identity_kind IS NOT NULL OR column_default = 'NULL' OR
    regexp_matches(column_default, '^CAST\(NULL AS ("[A-Za-z][A-Za-z0-9_ ]*"|[A-Z][A-Z0-9_ ]*)(\([0-9, ]+\))?(\[\])*\)$')
    THEN NULL ELSE column_default END) AS _default FROM pg_catalog.quiver_declared_columns) c
LEFT JOIN pg_catalog.quiver_typemap m ON m.duckdb = c.base
LEFT JOIN pg_catalog.quiver_enums e ON e.duckdb = c.data_type`,

	// quiver_enums maps the type DuckDB shows for an enum column,
	// ENUM('a', 'b'), to the enum type's OID: DuckDB does not keep the
	// type's name with the column. Of enum types with the same labels,
	// the first is taken.
	"quiver_enums": `
SELECT min(e.oid) AS oid, e.spec AS duckdb
FROM (SELECT d.type_oid::bigint AS oid,
    'ENUM(' || string_agg('''' || replace(u.label, '''', '''''') || '''', ', ' ORDER BY u.i) || ')' AS spec
  FROM duckdb_types() d, unnest(d.labels) WITH ORDINALITY AS u(label, i)
  WHERE d.logical_type = 'ENUM' AND NOT d.internal AND d.` + scope + `
  GROUP BY d.type_oid) e
GROUP BY e.spec`,

	"quiver_typemap": typeMapSQL(),

	// pg_attribute has the columns of tables and views, and those of
	// indexes, which take the type of the table column they index (text
	// for an expression).
	"pg_attribute": `SELECT attrelid, attname, atttypid, attstattarget, attlen, attnum, attndims, attcacheoff, atttypmod,
  attbyval, attstorage, attalign, attnotnull, atthasdef, atthasmissing, attidentity, attgenerated, attisdropped,
  attislocal, attinhcount, attcollation, attcompression, attacl, attoptions, attfdwoptions, attmissingval
FROM pg_catalog.quiver_columns
UNION ALL
SELECT x.indexrelid, x.attname, coalesce(a.atttypid, 25), -1, coalesce(a.attlen, -1), x.attnum, coalesce(a.attndims, 0),
  -1, coalesce(a.atttypmod, -1), coalesce(a.attbyval, false), coalesce(a.attstorage, 'x'), 'i', false, false, false,
  '', '', false, true, 0, coalesce(a.attcollation, 100), '', NULL::varchar[], NULL::varchar[], NULL::varchar[],
  NULL::varchar
FROM pg_catalog.quiver_indexcols x
LEFT JOIN pg_catalog.quiver_columns a ON a.attrelid = x.indrelid AND a.attnum = x.tableattnum`,

	// pg_attrdef shows DuckDB's default expressions as PostgreSQL prints
	// the common ones: true/false, CURRENT_TIMESTAMP, typed literals and
	// string literals DuckDB casts (cast to the column's type without its
	// modifier: 'x'::character varying, a sequence or type in the public
	// schema unqualified). A NULL default, cast or not, is none, as
	// PostgreSQL keeps none (quiver_columns).
	"pg_attrdef": `
SELECT (a.attrelid::bigint * 10000 + a.attnum)::quiver_oid AS oid, a.attrelid AS adrelid, a.attnum AS adnum,
  (CASE WHEN a.column_default = 'CAST(''t'' AS BOOLEAN)' THEN 'true'
    WHEN a.column_default = 'CAST(''f'' AS BOOLEAN)' THEN 'false'
    WHEN lower(a.column_default) IN ('current_timestamp', 'current_date', 'current_time', 'localtimestamp',
      'localtime', 'current_user', 'session_user', 'current_role') THEN upper(a.column_default)
    WHEN regexp_matches(a.column_default, '^nextval\(''[^'']*''\)$')
      THEN 'nextval(''' || replace((CASE WHEN regexp_matches(a.column_default, '^nextval\(''(main\.)?[^''.]*''\)$')
        THEN pg_catalog.quiver_quote_ident(regexp_extract(a.column_default, '^nextval\(''(main\.)?([^'']*)''\)$', 2))
        ELSE regexp_extract(a.column_default, '^nextval\(''([^'']*)''\)$', 1) END), '''', '''''') || '''::regclass)'
    WHEN regexp_matches(a.column_default, '^CAST\(''([^'']|'''')*'' AS main\."[^"]+"\)$')
      THEN regexp_replace(a.column_default, '^CAST\((''.*'') AS main\."([^"]+)"\)$', '\1::\2')
    WHEN regexp_matches(a.column_default, '^CAST\(''([^'']|'''')*'' AS ("[A-Za-z][A-Za-z0-9_ ]*"|[A-Z][A-Z0-9_ ]*)(\([0-9, ]+\))?(\[\])*\)$')
      THEN regexp_replace(a.column_default, '^CAST\((''.*'') AS [^'']*\)$', '\1') || '::' || pg_catalog.format_type(a.atttypid, -1)
    WHEN regexp_matches(a.column_default, '` + arrayDefaultRE + `')
      THEN '''' || replace('{' || array_to_string(list_transform(regexp_extract_all(regexp_extract(a.column_default, '^CAST\(\(ARRAY\[(.*)\]\) AS ', 1),
        '''(?:[^'']|'''')*''|NULL'), x -> CASE WHEN x = 'NULL' THEN x ELSE pg_catalog.quiver_array_item(replace(x[2:-2], '''''', ''''))
        END), ',') || '}', '''', '''''') || '''::' || pg_catalog.format_type(a.atttypid, -1)
    WHEN regexp_matches(a.column_default, '^-?[0-9]{1,18}$') AND
        (a.column_default LIKE '-%' OR NOT pg_catalog.quiver_int4_text(a.column_default))
      THEN '''' || a.column_default || '''::' ||
        (CASE WHEN pg_catalog.quiver_int4_text(a.column_default) THEN 'integer' ELSE 'bigint' END)
    WHEN regexp_matches(a.column_default, '^''.*''$') OR regexp_matches(a.column_default, '^-[0-9.]+$')
      THEN (CASE WHEN a.column_default LIKE '''%' THEN a.column_default ELSE '''' || a.column_default || '''' END) ||
        '::' || pg_catalog.format_type(a.atttypid, -1)
    ELSE a.column_default END) AS adbin
FROM pg_catalog.quiver_columns a WHERE a.column_default IS NOT NULL`,

	// pg_type's typinput, typoutput, typreceive, typsend, typmodin,
	// typmodout and typsubscript are regproc columns: OIDs of pg_proc rows,
	// 0 for none.
	"pg_type": `
SELECT t.oid, t.typname, t.typnamespace, 10::quiver_oid AS typowner, t.typlen::smallint AS typlen,
  t.typlen IN (1, 2, 4, 8) AS typbyval, t.typtype, t.typcategory, false AS typispreferred,
  true AS typisdefined, ',' AS typdelim, 0::quiver_oid AS typrelid, t.typsubscript, t.typelem, t.typarray, t.typinput,
  t.typoutput, t.typreceive, t.typsend, t.typmodin, t.typmodout, 0::bigint AS typanalyze, t.typalign,
  t.typstorage, false AS typnotnull, 0::quiver_oid AS typbasetype, -1 AS typtypmod, 0 AS typndims,
  t.typcollation, NULL::varchar AS typdefaultbin, NULL::varchar AS typdefault, NULL::varchar[] AS typacl,
  1247::quiver_oid AS tableoid
FROM (
  SELECT b.oid, b.typname, 11::quiver_oid AS typnamespace, b.typlen, b.typtype, b.typcategory, b.typelem, b.typarray,
    b.typstorage, b.typcollation, b.typalign, b.typinput, b.typoutput, b.typreceive, b.typsend, b.typmodin,
    b.typmodout, b.typsubscript FROM pg_catalog.quiver_builtin_types b
  UNION ALL
  SELECT d.type_oid::quiver_oid, d.type_name, d.schema_oid::quiver_oid, 4, 'e', 'E', 0::quiver_oid, 0::quiver_oid, 'p', 0::quiver_oid, 'i',
    ` + enumIO + `
  FROM duckdb_types() d WHERE d.logical_type = 'ENUM' AND NOT d.internal AND d.` + scope + `
) t`,

	"quiver_builtin_types": pgTypeSQL(),
	"quiver_builtin_procs": pgProcSQL(),

	"pg_enum": `
SELECT (d.type_oid * 1000 + u.i)::quiver_oid AS oid, d.type_oid::quiver_oid AS enumtypid, u.i::float AS enumsortorder, u.label AS enumlabel
FROM duckdb_types() d, unnest(d.labels) WITH ORDINALITY AS u(label, i)
WHERE d.logical_type = 'ENUM' AND NOT d.internal AND d.` + scope,

	// pg_description reads the comments DuckDB keeps (COMMENT ON).
	"pg_description": `
SELECT table_oid::quiver_oid AS objoid, 1259::quiver_oid AS classoid, 0 AS objsubid, comment AS description
  FROM duckdb_tables() WHERE comment IS NOT NULL AND ` + scope + `
UNION ALL SELECT view_oid, 1259, 0, comment FROM duckdb_views() WHERE comment IS NOT NULL AND NOT internal AND ` + scope + `
UNION ALL SELECT table_oid, 1259, column_index, comment FROM duckdb_columns() WHERE comment IS NOT NULL AND ` + scope + `
UNION ALL SELECT index_oid, 1259, 0, comment FROM duckdb_indexes() WHERE comment IS NOT NULL AND ` + scope + `
UNION ALL SELECT sequence_oid, 1259, 0, comment FROM duckdb_sequences() WHERE comment IS NOT NULL AND ` + scope + `
UNION ALL SELECT oid, 2615, 0, comment FROM duckdb_schemas() WHERE comment IS NOT NULL AND ` + scope + `
UNION ALL SELECT type_oid, 1247, 0, comment FROM duckdb_types() WHERE comment IS NOT NULL AND NOT internal AND ` + scope + `
UNION ALL SELECT oid, 3079, 0, description FROM pg_catalog.quiver_extensions WHERE description IS NOT NULL`,

	"quiver_extensions": `
SELECT ((hash(e.extension_name) % 1000000000)::bigint + 1000000000)::quiver_oid AS oid, e.extension_name AS extname,
  10::quiver_oid AS extowner, 11::quiver_oid AS extnamespace, false AS extrelocatable,
  coalesce(e.extension_version, '') AS extversion, NULL::quiver_oid[] AS extconfig, NULL::varchar[] AS extcondition,
  e.description
FROM duckdb_extensions() e WHERE e.loaded`,

	"pg_extension": `SELECT oid, extname, extowner, extnamespace, extrelocatable, extversion, extconfig, extcondition
FROM pg_catalog.quiver_extensions`,

	"pg_roles": `
SELECT r.rolname, r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolcreatedb, r.rolcanlogin, r.rolreplication,
  -1 AS rolconnlimit, '********' AS rolpassword, NULL::timestamptz AS rolvaliduntil, r.rolbypassrls,
  NULL::varchar[] AS rolconfig, r.oid
FROM (SELECT 10::quiver_oid AS oid, pg_catalog.quiver_user() AS rolname, true AS rolsuper, true AS rolinherit,
    true AS rolcreaterole, true AS rolcreatedb, true AS rolcanlogin, true AS rolreplication, true AS rolbypassrls
  UNION ALL SELECT 6171::quiver_oid, 'pg_database_owner', false, true, false, false, false, false, false) r`,

	"pg_user": `
SELECT rolname AS usename, oid AS usesysid, rolcreatedb AS usecreatedb, rolsuper AS usesuper,
  rolreplication AS userepl, rolbypassrls AS usebypassrls, '********' AS passwd, rolvaliduntil AS valuntil,
  rolconfig AS useconfig
FROM pg_catalog.pg_roles WHERE rolcanlogin`,

	"pg_auth_members": emptyRelation("roleid quiver_oid, member quiver_oid, grantor quiver_oid, admin_option boolean"),

	"pg_database": `
SELECT d.database_oid::quiver_oid AS oid, pg_catalog.quiver_database() AS datname, 10::quiver_oid AS datdba, 6 AS encoding,
  'c' AS datlocprovider, false AS datistemplate, true AS datallowconn, -1 AS datconnlimit,
  0::bigint AS datfrozenxid, 1::bigint AS datminmxid, 1663::quiver_oid AS dattablespace, 'C' AS datcollate,
  'C' AS datctype, NULL::varchar AS daticulocale, NULL::varchar AS datcollversion, NULL::varchar[] AS datacl
FROM duckdb_databases() d WHERE d.database_name = current_database()`,

	"pg_am": `SELECT * FROM (VALUES (2::quiver_oid, 'duckdb', 'duckdb_tableam_handler', 't'),
  (403::quiver_oid, 'btree', 'bthandler', 'i')) AS a(oid, amname, amhandler, amtype)`,

	"pg_collation": `SELECT * FROM (VALUES
  (100::quiver_oid, 'default', 11::quiver_oid, 10::quiver_oid, 'd', true, -1, NULL::varchar, NULL::varchar, NULL::varchar, NULL::varchar),
  (950::quiver_oid, 'C', 11::quiver_oid, 10::quiver_oid, 'c', true, -1, 'C', 'C', NULL::varchar, NULL::varchar),
  (951::quiver_oid, 'POSIX', 11::quiver_oid, 10::quiver_oid, 'c', true, -1, 'POSIX', 'POSIX', NULL::varchar, NULL::varchar))
  AS c(oid, collname, collnamespace, collowner, collprovider, collisdeterministic, collencoding, collcollate,
    collctype, colliculocale, collversion)`,

	"pg_tablespace": `SELECT * FROM (VALUES (1663::quiver_oid, 'pg_default', 10::quiver_oid, NULL::varchar[], NULL::varchar[]),
  (1664::quiver_oid, 'pg_global', 10::quiver_oid, NULL::varchar[], NULL::varchar[])) AS t(oid, spcname, spcowner, spcacl, spcoptions)`,

	"pg_language": `SELECT *, 2612::quiver_oid AS tableoid FROM (VALUES
  (12::quiver_oid, 'internal', 10::quiver_oid, false, false, 0::quiver_oid, 0::quiver_oid, 0::quiver_oid, NULL::varchar[]),
  (13::quiver_oid, 'c', 10::quiver_oid, false, false, 0::quiver_oid, 0::quiver_oid, 0::quiver_oid, NULL::varchar[]),
  (14::quiver_oid, 'sql', 10::quiver_oid, false, true, 0::quiver_oid, 0::quiver_oid, 0::quiver_oid, NULL::varchar[]))
  AS l(oid, lanname, lanowner, lanispl, lanpltrusted, lanplcallfoid, laninline, lanvalidator, lanacl)`,

	"pg_proc": `
SELECT f.function_oid::quiver_oid AS oid, f.function_name AS proname, s.oid::quiver_oid AS pronamespace, 10::quiver_oid AS proowner,
  14::quiver_oid AS prolang, 100::float AS procost, (CASE WHEN f.function_type = 'table_macro' THEN 1000 ELSE 0 END)::float AS prorows,
  0::quiver_oid AS provariadic, 0::bigint AS prosupport, 'f' AS prokind, false AS prosecdef, false AS proleakproof,
  false AS proisstrict, f.function_type = 'table_macro' AS proretset, 'v' AS provolatile, 'u' AS proparallel,
  len(f.parameters)::smallint AS pronargs, 0::smallint AS pronargdefaults,
  (CASE WHEN f.function_type = 'table_macro' THEN 2249 ELSE 2283 END)::quiver_oid AS prorettype,
  NULL::bigint[] AS proargtypes, NULL::quiver_oid[] AS proallargtypes, NULL::varchar[] AS proargmodes,
  f.parameters AS proargnames, NULL::varchar AS proargdefaults, NULL::quiver_oid[] AS protrftypes,
  f.macro_definition AS prosrc, NULL::varchar AS probin, NULL::varchar AS prosqlbody, NULL::varchar[] AS proconfig,
  NULL::varchar[] AS proacl
FROM duckdb_functions() f JOIN duckdb_schemas() s ON s.database_name = f.database_name AND s.schema_name = f.schema_name
WHERE f.` + scope + ` AND NOT f.internal
UNION ALL
SELECT b.oid, b.proname, 11::quiver_oid, 10::quiver_oid, 12::quiver_oid, 1::float, 0::float, 0::quiver_oid, 0::bigint, 'f', false, false,
  true, false, 'i', 's', len(b.proargtypes)::smallint, 0::smallint, b.prorettype, b.proargtypes, NULL::quiver_oid[],
  NULL::varchar[], NULL::varchar[], NULL::varchar, NULL::quiver_oid[], b.proname, NULL::varchar, NULL::varchar,
  NULL::varchar[], NULL::varchar[]
FROM pg_catalog.quiver_builtin_procs b`,

	"pg_sequence": `
SELECT sequence_oid::quiver_oid AS seqrelid, 20::quiver_oid AS seqtypid, start_value AS seqstart, increment_by AS seqincrement,
  max_value AS seqmax, min_value AS seqmin, 1 AS seqcache, cycle AS seqcycle
FROM duckdb_sequences() WHERE ` + scope,

	"pg_tables": `
SELECT n.nspname AS schemaname, c.relname AS tablename, pg_catalog.pg_get_userbyid(c.relowner) AS tableowner,
  NULL::varchar AS tablespace, c.relhasindex AS hasindexes, false AS hasrules, false AS hastriggers, false AS rowsecurity
FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p')`,

	"pg_views": `
SELECT n.nspname AS schemaname, c.relname AS viewname, pg_catalog.pg_get_userbyid(c.relowner) AS viewowner,
  pg_catalog.pg_get_viewdef(c.oid) AS definition
FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'v' AND c.relnamespace <> 11`,

	"pg_indexes": `
SELECT n.nspname AS schemaname, t.relname AS tablename, i.relname AS indexname, NULL::varchar AS tablespace,
  pg_catalog.pg_get_indexdef(i.oid) AS indexdef
FROM pg_catalog.quiver_indexes i JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
  LEFT JOIN pg_catalog.pg_namespace n ON n.oid = i.relnamespace`,

	"pg_settings": pgSettingsSQL(),

	// pg_stat_activity shows the session that reads it: DuckDB does not
	// know the server's other sessions. The query being run is not known
	// either.
	"pg_stat_activity": `
SELECT d.oid AS datid, d.datname, pg_catalog.pg_backend_pid() AS pid, NULL::integer AS leader_pid,
  10::quiver_oid AS usesysid, pg_catalog.quiver_user() AS usename,
  coalesce((getvariable('quiver_session'))[4], '') AS application_name, NULL::varchar AS client_addr,
  NULL::varchar AS client_hostname, NULL::integer AS client_port,
  CAST((getvariable('quiver_session'))[5] AS timestamptz) AS backend_start, now() AS xact_start,
  now() AS query_start, now() AS state_change, NULL::varchar AS wait_event_type, NULL::varchar AS wait_event,
  'active' AS state, NULL::bigint AS backend_xid, NULL::bigint AS backend_xmin, NULL::bigint AS query_id,
  NULL::varchar AS query, 'client backend' AS backend_type
FROM pg_catalog.pg_database d`,

	"pg_inherits":              emptyRelation("inhrelid quiver_oid, inhparent quiver_oid, inhseqno integer, inhdetachpending boolean"),
	"pg_partitioned_table":     emptyRelation("partrelid quiver_oid, partstrat varchar, partnatts smallint, partdefid quiver_oid, partattrs smallint[], partclass bigint[], partcollation bigint[], partexprs varchar"),
	"pg_policy":                emptyRelation("oid quiver_oid, polname varchar, polrelid quiver_oid, polcmd varchar, polpermissive boolean, polroles quiver_oid[], polqual varchar, polwithcheck varchar"),
	"pg_statistic_ext":         emptyRelation("oid quiver_oid, stxrelid quiver_oid, stxname varchar, stxnamespace quiver_oid, stxowner quiver_oid, stxstattarget integer, stxkeys smallint[], stxkind varchar[], stxexprs varchar"),
	"pg_publication":           emptyRelation("oid quiver_oid, pubname varchar, pubowner quiver_oid, puballtables boolean, pubinsert boolean, pubupdate boolean, pubdelete boolean, pubtruncate boolean, pubviaroot boolean"),
	"pg_publication_namespace": emptyRelation("oid quiver_oid, pnpubid quiver_oid, pnnspid quiver_oid"),
	"pg_publication_rel":       emptyRelation("oid quiver_oid, prpubid quiver_oid, prrelid quiver_oid, prqual varchar, prattrs smallint[]"),
	"pg_trigger":               emptyRelation("oid quiver_oid, tgrelid quiver_oid, tgparentid quiver_oid, tgname varchar, tgfoid quiver_oid, tgtype smallint, tgenabled varchar, tgisinternal boolean, tgconstrrelid quiver_oid, tgconstrindid quiver_oid, tgconstraint quiver_oid, tgdeferrable boolean, tginitdeferred boolean, tgnargs smallint, tgattr smallint[], tgargs blob, tgqual varchar, tgoldtable varchar, tgnewtable varchar, tableoid quiver_oid"),
	"pg_range":                 emptyRelation("rngtypid quiver_oid, rngsubtype quiver_oid, rngmultitypid quiver_oid, rngcollation quiver_oid, rngsubopc quiver_oid, rngcanonical varchar, rngsubdiff varchar"),
	"pg_rewrite":               emptyRelation("oid quiver_oid, rulename varchar, ev_class quiver_oid, ev_type varchar, ev_enabled varchar, is_instead boolean, ev_qual varchar, ev_action varchar, tableoid quiver_oid"),
	"pg_opclass":               emptyRelation("oid quiver_oid, opcmethod quiver_oid, opcname varchar, opcnamespace quiver_oid, opcowner quiver_oid, opcfamily quiver_oid, opcintype quiver_oid, opcdefault boolean, opckeytype quiver_oid, tableoid quiver_oid"),
	"pg_opfamily":              emptyRelation("oid quiver_oid, opfmethod quiver_oid, opfname varchar, opfnamespace quiver_oid, opfowner quiver_oid, tableoid quiver_oid"),
	"pg_operator":              emptyRelation("oid quiver_oid, oprname varchar, oprnamespace quiver_oid, oprowner quiver_oid, oprkind varchar, oprcanmerge boolean, oprcanhash boolean, oprleft quiver_oid, oprright quiver_oid, oprresult quiver_oid, oprcom quiver_oid, oprnegate quiver_oid, oprcode bigint, oprrest bigint, oprjoin bigint"),
	"pg_conversion":            emptyRelation("oid quiver_oid, conname varchar, connamespace quiver_oid, conowner quiver_oid, conforencoding integer, contoencoding integer, conproc bigint, condefault boolean"),
	"pg_cast":                  emptyRelation("oid quiver_oid, castsource quiver_oid, casttarget quiver_oid, castfunc quiver_oid, castcontext varchar, castmethod varchar"),
	"pg_subscription":          emptyRelation("oid quiver_oid, subdbid quiver_oid, subname varchar, subowner quiver_oid, subenabled boolean, subconninfo varchar, subslotname varchar, subsynccommit varchar, subpublications varchar[]"),
	"pg_foreign_data_wrapper":  emptyRelation("oid quiver_oid, fdwname varchar, fdwowner quiver_oid, fdwhandler quiver_oid, fdwvalidator quiver_oid, fdwacl varchar[], fdwoptions varchar[]"),
	"pg_db_role_setting":       emptyRelation("setdatabase quiver_oid, setrole quiver_oid, setconfig varchar[]"),
	"pg_largeobject_metadata":  emptyRelation("oid quiver_oid, lomowner quiver_oid, lomacl varchar[]"),
	"pg_default_acl":           emptyRelation("oid quiver_oid, defaclrole quiver_oid, defaclnamespace quiver_oid, defaclobjtype varchar, defaclacl varchar[]"),
	"pg_foreign_table":         emptyRelation("ftrelid quiver_oid, ftserver quiver_oid, ftoptions varchar[]"),
	"pg_foreign_server":        emptyRelation("oid quiver_oid, srvname varchar, srvowner quiver_oid, srvfdw quiver_oid, srvtype varchar, srvversion varchar, srvacl varchar[], srvoptions varchar[]"),
	"pg_event_trigger":         emptyRelation("oid quiver_oid, evtname varchar, evtevent varchar, evtowner quiver_oid, evtfoid quiver_oid, evtenabled varchar, evttags varchar[]"),
}

// nativeRelations are pg_catalog relations DuckDB provides itself and that
// run as written.
var nativeRelations = map[string]bool{
	"pg_prepared_statements": true, "pg_depend": true, "pg_sequences": true,
}
