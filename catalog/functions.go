package catalog

import (
	"runtime"
	"strings"
)

// productVersion is quiver's version as version() reports it.
const productVersion = "0.1"

// serverVersion is the PostgreSQL version quiver reports (server_version);
// it must match handshake.DefaultServerVersion and dispatch.ServerVersion.
const serverVersion = "15.0"

// reservedWords are the keywords quote_ident quotes: PostgreSQL's
// reserved, column-name and type-function-name keywords.
var reservedWords = []string{
	"all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization", "between",
	"bigint", "binary", "bit", "boolean", "both", "case", "cast", "char", "character", "check", "coalesce",
	"collate", "collation", "column", "concurrently", "constraint", "create", "cross", "current_catalog",
	"current_date", "current_role", "current_schema", "current_time", "current_timestamp", "current_user",
	"dec", "decimal", "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "exists",
	"extract", "false", "fetch", "float", "for", "foreign", "freeze", "from", "full", "grant", "greatest",
	"group", "grouping", "having", "ilike", "in", "initially", "inner", "inout", "int", "integer", "intersect",
	"interval", "into", "is", "isnull", "join", "lateral", "leading", "least", "left", "like", "limit",
	"localtime", "localtimestamp", "national", "natural", "nchar", "none", "normalize", "not", "notnull",
	"null", "nullif", "numeric", "offset", "on", "only", "or", "order", "out", "outer", "overlaps", "overlay",
	"placing", "position", "precision", "primary", "real", "references", "returning", "right", "row",
	"select", "session_user", "setof", "similar", "smallint", "some", "substring", "symmetric", "table",
	"tablesample", "then", "time", "timestamp", "to", "trailing", "treat", "trim", "true", "union", "unique",
	"user", "using", "values", "varchar", "variadic", "verbose", "when", "where", "window", "with",
}

func reservedList() string {
	var kw []string
	for _, w := range reservedWords {
		kw = append(kw, quote(w))
	}
	return strings.Join(kw, ", ")
}

func quoteIdentSQL() string {
	return "(CASE WHEN regexp_matches($1, '^[a-z_][a-z0-9_$]*$') AND $1 NOT IN (" + reservedList() +
		") THEN $1 ELSE '\"' || replace($1, '\"', '\"\"') || '\"' END)"
}

// classOIDs maps the catalog names obj_description takes to their OIDs.
const classOIDSQL = `(CASE $1 WHEN 'pg_class' THEN 1259 WHEN 'pg_namespace' THEN 2615 WHEN 'pg_proc' THEN 1255
  WHEN 'pg_type' THEN 1247 WHEN 'pg_extension' THEN 3079 WHEN 'pg_constraint' THEN 2606 WHEN 'pg_database' THEN 1262
  WHEN 'pg_am' THEN 2601 WHEN 'pg_collation' THEN 3456 ELSE 0 END)`

// functions maps "name/arity" to expression templates over the arguments
// $1..$n. A template may use pg_catalog.X relations and functions.
var functions = map[string]string{
	// Session facts set by DuckDBInit.
	"quiver_user/0":     `coalesce(nullif((getvariable('quiver_session'))[1], ''), 'duckdb')`,
	"quiver_database/0": `coalesce(nullif((getvariable('quiver_session'))[2], ''), current_database())`,

	"quiver_quote_ident/1": quoteIdentSQL(),
	"quote_ident/1":        quoteIdentSQL(),
	// quiver_int4_text reports whether $1, digits with a minus or not, is
	// a number integer holds: PostgreSQL prints a constant default of
	// another integer type as '...'::bigint.
	"quiver_int4_text/1": `(CASE WHEN $1 LIKE '-%' THEN length($1) < 11 OR length($1) = 11 AND $1 <= '-2147483648'
  ELSE length($1) < 10 OR length($1) = 10 AND $1 <= '2147483647' END)`,
	// quiver_array_item writes an array's element as array_out does:
	// in double quotes, with backslashes before quotes and backslashes,
	// when it is empty, NULL or has a character the literal's syntax uses.
	"quiver_array_item/1": `(CASE WHEN $1 = '' OR lower($1) = 'null' OR regexp_matches($1, '[{},"\\\s]')
  THEN '"' || replace(replace($1, '\', '\\'), '"', '\"') || '"' ELSE $1 END)`,
	// quiver_ident_list joins names with ", ", quoting them all when one
	// needs quotes (PostgreSQL would quote only that one).
	"quiver_ident_list/1": `(CASE WHEN regexp_matches(array_to_string($1, ','), '^[a-z_][a-z0-9_$]*(,[a-z_][a-z0-9_$]*)*$')
  AND NOT list_has_any($1, ARRAY[` + reservedList() + `]) THEN array_to_string($1, ', ')
  ELSE '"' || replace(replace(array_to_string($1, chr(1)), '"', '""'), chr(1), '", "') || '"' END)`,
	// quiver_nspname names DuckDB's schema $2 of database $1 as PostgreSQL
	// clients expect: DuckDB's main schema is PostgreSQL's public.
	"quiver_nspname/2":  `(CASE WHEN $1 = 'temp' THEN 'pg_temp_1' WHEN $2 = 'main' THEN 'public' ELSE $2 END)`,
	"quiver_classoid/1": classOIDSQL,

	// regclass, regtype, regproc, regnamespace and regrole input (a name
	// or a number) and output (a name, qualified when not visible).
	"quiver_regclass_in/1": `(CASE WHEN regexp_matches(CAST($1 AS varchar), '^[0-9]+$') THEN CAST($1 AS bigint)
  ELSE (SELECT _r._oid FROM pg_catalog.quiver_relnames _r
    WHERE _r._relname = pg_catalog.quiver_unquote(CASE WHEN strpos(CAST($1 AS varchar), '.') > 0 THEN split_part(CAST($1 AS varchar), '.', 2) ELSE CAST($1 AS varchar) END)
      AND (CASE WHEN strpos(CAST($1 AS varchar), '.') > 0 THEN _r._nspname = pg_catalog.quiver_unquote(split_part(CAST($1 AS varchar), '.', 1)) ELSE _r._visible END)
    ORDER BY _r._nspname = 'pg_catalog' DESC LIMIT 1) END)`,
	"quiver_regclass_out/1": `(CASE WHEN $1 = 0 THEN '-' ELSE coalesce((SELECT (CASE WHEN _r._visible THEN '' ELSE pg_catalog.quiver_quote_ident(_r._nspname) || '.' END) ||
  pg_catalog.quiver_quote_ident(_r._relname) FROM pg_catalog.quiver_relnames _r WHERE _r._oid = $1), CAST($1 AS varchar)) END)`,
	"quiver_unquote/1": `(CASE WHEN $1 LIKE '"%"' THEN replace(substr($1, 2, length($1) - 2), '""', '"') ELSE lower($1) END)`,
	"quiver_regtype_in/1": `(CASE WHEN regexp_matches(CAST($1 AS varchar), '^[0-9]+$') THEN CAST($1 AS bigint)
  ELSE (SELECT _t._oid FROM (SELECT oid AS _oid, typname AS _typname FROM pg_catalog.pg_type) _t
    WHERE _t._typname = pg_catalog.quiver_unquote(CAST($1 AS varchar)) LIMIT 1) END)`,
	"quiver_regtype_out/1": `(CASE WHEN $1 = 0 THEN '-' ELSE coalesce(pg_catalog.format_type($1, NULL), CAST($1 AS varchar)) END)`,
	"quiver_regproc_in/1": `(CASE WHEN regexp_matches(CAST($1 AS varchar), '^[0-9]+$') THEN CAST($1 AS bigint)
  WHEN CAST($1 AS varchar) = '-' THEN 0
  ELSE (SELECT _p._oid FROM pg_catalog.quiver_procnames _p
    WHERE _p._proname = pg_catalog.quiver_unquote(regexp_replace(CAST($1 AS varchar), '^(pg_catalog|"pg_catalog")\.', ''))
    LIMIT 1) END)`,
	"quiver_regproc_out/1": `(CASE WHEN $1 = 0 THEN '-' ELSE coalesce((SELECT _p._proname FROM pg_catalog.quiver_procnames _p
  WHERE _p._oid = $1 LIMIT 1), CAST($1 AS varchar)) END)`,
	"quiver_regnamespace_in/1": `(CASE WHEN regexp_matches(CAST($1 AS varchar), '^[0-9]+$') THEN CAST($1 AS bigint)
  ELSE (SELECT _n._oid FROM pg_catalog.quiver_nspnames _n WHERE _n._nspname = pg_catalog.quiver_unquote(CAST($1 AS varchar))) END)`,
	"quiver_regnamespace_out/1": `coalesce((SELECT pg_catalog.quiver_quote_ident(_n._nspname) FROM pg_catalog.quiver_nspnames _n WHERE _n._oid = $1), CAST($1 AS varchar))`,
	"quiver_regrole_in/1": `(CASE WHEN regexp_matches(CAST($1 AS varchar), '^[0-9]+$') THEN CAST($1 AS bigint)
  ELSE (SELECT _r._oid FROM (SELECT oid AS _oid, rolname AS _rolname FROM pg_catalog.pg_roles) _r
    WHERE _r._rolname = pg_catalog.quiver_unquote(CAST($1 AS varchar))) END)`,
	"quiver_regrole_out/1": `pg_catalog.pg_get_userbyid($1)`,

	"pg_get_userbyid/1": `(CASE $1 WHEN 10 THEN pg_catalog.quiver_user() WHEN 6171 THEN 'pg_database_owner'
  ELSE 'unknown (OID=' || $1 || ')' END)`,
	"current_database/0": `pg_catalog.quiver_database()`,
	"current_schema/0":   `pg_catalog.quiver_nspname('', current_schema())`,
	"current_schemas/1":  `(CASE WHEN $1 THEN list_prepend('pg_catalog', pg_catalog.quiver_schemas()) ELSE pg_catalog.quiver_schemas() END)`,
	// quiver_search_path is DuckDB's search path (empty until a session
	// sets one, and then the default schema alone); quiver_schemas names
	// its schemas as PostgreSQL does.
	"quiver_search_path/0": `(CASE WHEN len(current_schemas(false)) = 0 THEN ARRAY[current_schema()] ELSE current_schemas(false) END)`,
	"quiver_schemas/0":     `list_transform(pg_catalog.quiver_search_path(), _s -> pg_catalog.quiver_nspname('', _s))`,
	"version/0": `'PostgreSQL ` + serverVersion + ` (quiver ` + productVersion + `, DuckDB ' ||
  (SELECT library_version FROM pragma_version()) || ') on ` + runtime.GOARCH + `-` + runtime.GOOS + `, compiled by Go, 64-bit'`,
	"pg_backend_pid/0":    `coalesce(CAST((getvariable('quiver_session'))[3] AS integer), 0)`,
	"pg_is_in_recovery/0": `false`,

	"pg_table_is_visible/1": `coalesce((SELECT _r._visible FROM pg_catalog.quiver_relnames _r WHERE _r._oid = $1), false)`,
	"pg_type_is_visible/1": `coalesce((SELECT _n._visible FROM (SELECT oid AS _oid, typnamespace AS _nsp FROM pg_catalog.pg_type) _t
  JOIN pg_catalog.quiver_nspnames _n ON _n._oid = _t._nsp WHERE _t._oid = $1), false)`,
	// Operator classes, families, operators and conversions: the catalog
	// has none of its own.
	"pg_opclass_is_visible/1":        `true`,
	"pg_opfamily_is_visible/1":       `true`,
	"pg_operator_is_visible/1":       `true`,
	"pg_conversion_is_visible/1":     `true`,
	"pg_statistics_obj_is_visible/1": `true`,
	"pg_collation_is_visible/1":      `true`,
	"pg_function_is_visible/1":       `coalesce((SELECT _p._visible FROM pg_catalog.quiver_procnames _p WHERE _p._oid = $1 LIMIT 1), false)`,

	"format_type/2": `coalesce(` + formatTypeSQL() + `, (SELECT pg_catalog.quiver_quote_ident(_t._name)
  FROM (SELECT type_oid AS _oid, type_name AS _name FROM duckdb_types() WHERE logical_type = 'ENUM') _t WHERE _t._oid = $1))`,
	"pg_get_expr/2":          `$1`,
	"pg_get_expr/3":          `$1`,
	"pg_get_constraintdef/1": `(SELECT _c._def FROM pg_catalog.quiver_condefs _c WHERE _c._oid = $1)`,
	"pg_get_constraintdef/2": `(SELECT (CASE WHEN $2 THEN coalesce(_c._pretty, _c._def) ELSE _c._def END)
  FROM pg_catalog.quiver_condefs _c WHERE _c._oid = $1)`,
	// pg_get_serial_sequence names the sequence a serial column draws
	// from (dialect's serial columns: a default nextval('table_col_seq'),
	// in the table's schema), qualified as PostgreSQL qualifies it.
	"pg_get_serial_sequence/2": `(SELECT pg_catalog.quiver_quote_ident(pg_catalog.quiver_nspname(c.database_name, c.schema_name)) || '.' ||
    pg_catalog.quiver_quote_ident(regexp_extract(c.column_default, '^nextval\(''(?:.*\.)?([^''.]+)''\)', 1))
  FROM pg_catalog.quiver_declared_columns c
  WHERE c.table_oid = pg_catalog.quiver_regclass_in($1) AND c.column_name = $2 AND c.column_default LIKE 'nextval(%' LIMIT 1)`,
	"pg_get_indexdef/1": `(SELECT _i._def FROM pg_catalog.quiver_indexdefs _i WHERE _i._oid = $1)`,
	// pg_get_indexdef(index, column, pretty) is the index's column, or
	// the whole index for column 0.
	// Pretty printing leaves the table's schema out where the table is
	// visible, as PostgreSQL's does.
	"pg_get_indexdef/3": `(CASE WHEN $2 = 0 THEN (SELECT CASE WHEN $3 AND pg_catalog.pg_table_is_visible(_i._rel) THEN _i._short ELSE _i._def END
    FROM pg_catalog.quiver_indexdefs _i WHERE _i._oid = $1)
  ELSE (SELECT _c._def FROM pg_catalog.quiver_indexcoldefs _c WHERE _c._oid = $1 AND _c._n = $2) END)`,
	// quiver_strip_parens removes the parentheses around a whole
	// expression DuckDB prints, as PostgreSQL's pretty printing does: DuckDB
	// puts every operator expression in parentheses, so a text that starts
	// with one and ends with one is one such expression.
	"quiver_strip_parens/1":                `(CASE WHEN $1 LIKE '(%)' THEN substr($1, 2, length($1) - 2) ELSE $1 END)`,
	"pg_get_viewdef/1":                     viewDefSQL,
	"pg_get_viewdef/2":                     viewDefSQL,
	"pg_get_function_result/1":             `NULL::varchar`,
	"pg_get_function_arguments/1":          `(SELECT _p._args FROM pg_catalog.quiver_procnames _p WHERE _p._oid = $1 LIMIT 1)`,
	"pg_get_function_identity_arguments/1": `(SELECT _p._args FROM pg_catalog.quiver_procnames _p WHERE _p._oid = $1 LIMIT 1)`,
	"pg_get_statisticsobjdef_columns/1":    `NULL::varchar`,
	"pg_get_triggerdef/2":                  `NULL::varchar`,
	"pg_relation_is_publishable/1":         `false`,

	"obj_description/1": `(SELECT _d._text FROM pg_catalog.quiver_descriptions _d WHERE _d._oid = $1 AND _d._sub = 0 LIMIT 1)`,
	"obj_description/2": `(SELECT _d._text FROM pg_catalog.quiver_descriptions _d WHERE _d._oid = $1
  AND _d._class = pg_catalog.quiver_classoid($2) AND _d._sub = 0)`,
	// col_description reads DuckDB's column comments directly: it is
	// called for every column \d+ shows.
	"col_description/2": `(SELECT _c._text FROM (SELECT table_oid AS _oid, column_index AS _sub, comment AS _text
  FROM duckdb_columns() WHERE comment IS NOT NULL) _c WHERE _c._oid = $1 AND _c._sub = $2)`,
	"shobj_description/2": `(SELECT _d._text FROM pg_catalog.quiver_descriptions _d WHERE _d._oid = $1
  AND _d._class = pg_catalog.quiver_classoid($2) AND _d._sub = 0)`,

	"getdatabaseencoding/0": `'UTF8'`,
	"pg_encoding_to_char/1": `(CASE $1 WHEN 6 THEN 'UTF8' WHEN 0 THEN 'SQL_ASCII' ELSE '' END)`,
	"pg_char_to_encoding/1": `(CASE upper($1) WHEN 'UTF8' THEN 6 WHEN 'SQL_ASCII' THEN 0 ELSE -1 END)`,

	// Sizes: DuckDB does not report them per relation.
	"pg_table_size/1":          `NULL::bigint`,
	"pg_relation_size/1":       `NULL::bigint`,
	"pg_relation_size/2":       `NULL::bigint`,
	"pg_total_relation_size/1": `NULL::bigint`,
	"pg_indexes_size/1":        `NULL::bigint`,
	"pg_database_size/1":       `NULL::bigint`,

	// pg_partition_ancestors of an unpartitioned table is the table.
	"pg_partition_ancestors/1": `pg_catalog.quiver_regclass_in($1)`,

	"array_remove/2":           `(CASE WHEN $1 IS NOT NULL THEN array(SELECT _u._x FROM unnest($1) AS _u(_x) WHERE _u._x IS DISTINCT FROM $2) END)`,
	"pg_tablespace_location/1": `''`,
}

// setReturning lists the catalog functions that PostgreSQL defines as
// returning a set; in FROM they become a one-row subquery.
var setReturning = map[string]bool{"pg_partition_ancestors": true}

// viewDefSQL is pg_get_viewdef($1): the definition kept in the view's
// companion table (ViewDefinitionColumn) when it has one, else DuckDB's
// text of the view's query.
const viewDefSQL = `(SELECT coalesce((SELECT replace(substr(_c.column_default, 2, length(_c.column_default) - 2), '''''', '''')
    FROM duckdb_columns() _c WHERE _c.database_name = _v._db AND _c.schema_name = _v._schema
      AND _c.table_name = '` + DeclaredTypesPrefix + `' || _v._name AND _c.column_name = '` + ViewDefinitionColumn + `'
      AND starts_with(_c.column_default, '''')),
    regexp_replace(_v._sql, '^CREATE (TEMP |TEMPORARY )?VIEW .*? AS ', ' '))
  FROM (SELECT view_oid AS _oid, sql AS _sql, database_name AS _db, schema_name AS _schema, view_name AS _name
    FROM duckdb_views()) _v WHERE _v._oid = $1)`

func init() {
	for _, p := range []string{"table", "column", "any_column", "database", "schema", "sequence", "function",
		"language", "tablespace", "foreign_data_wrapper", "server", "type"} {
		functions["has_"+p+"_privilege/2"] = "true"
		functions["has_"+p+"_privilege/3"] = "true"
	}
	functions["has_column_privilege/4"] = "true"
	functions["pg_has_role/2"] = "true"
	functions["pg_has_role/3"] = "true"
}
