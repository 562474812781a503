package catalog

import (
	"strconv"
	"strings"
)

// SQL regular expressions (SIMILAR TO) and the JSON functions and
// operators of PostgreSQL that DuckDB lacks or names differently.
//
// SIMILAR TO: the parser makes "x SIMILAR TO p [ESCAPE e]" a match of x
// against pg_catalog.similar_to_escape(p [, e]), the POSIX regular
// expression for p; package dialect runs the match with regexp_full_match,
// so similar_to_escape must translate SQL's wildcards as PostgreSQL's
// does: % is .*, _ is ., an escaped character and the regular expression
// characters . ^ $ (and \ when it is not the escape) are literal, and a
// bracket expression is kept as it is.

// similarTokens splits a pattern into the units the translation maps one
// by one: an escape and the character after it (when the escape is the
// regular expression esc), a bracket expression, or one character.
func similarTokens(esc string) string {
	return `regexp_extract_all($1, ` + esc + ` || '\[\^?\]?[^\]]*\]|.')`
}

// similarSQL translates the tokens of a pattern; esc is an SQL expression
// for the escape character (” for none).
func similarSQL(tokens, esc string) string {
	return `('(?s)^(?:' || array_to_string(list_transform(` + tokens + `, _t -> (CASE
    WHEN _t = '%' THEN '.*'
    WHEN _t = '_' THEN '.'
    WHEN _t IN ('.', '^', '$', '\') THEN '\' || _t
    WHEN length(_t) = 2 AND ` + esc + ` <> '' AND substr(_t, 1, 1) = ` + esc + ` AND regexp_matches(substr(_t, 2, 1), '^[A-Za-z0-9]$') THEN '\' || substr(_t, 2, 1)
    WHEN length(_t) = 2 AND ` + esc + ` <> '' AND substr(_t, 1, 1) = ` + esc + ` THEN '\Q' || substr(_t, 2, 1) || '\E'
    ELSE _t END)), '') || ')$')`
}

func init() {
	// json_object_agg and jsonb_object_agg are DuckDB's json_group_object
	// (printed as DuckDB prints JSON).
	functions["json_object_agg/2"] = `json_group_object($1, $2)`
	functions["jsonb_object_agg/2"] = `json_group_object($1, $2)`
	// The escape of similar_to_escape/1 is a backslash.
	functions["similar_to_escape/1"] = similarSQL(similarTokens(`'\\.|'`), `'\'`)
	// An empty escape means none; PostgreSQL refuses one of more than one
	// character.
	functions["similar_to_escape/2"] = `(CASE WHEN length($2) > 1 THEN error('invalid escape string') ELSE ` +
		similarSQL(similarTokens(`(CASE WHEN $2 = '' THEN '' ELSE '\Q' || $2 || '\E.|' END)`), `$2`) + ` END)`
}

// MaxArity is the largest number of arguments a catalog function is
// defined for (json_build_object takes up to 8 key/value pairs here).
const MaxArity = 16

// jsonText is the JSON text of a value in PostgreSQL's json output: a
// json value as it is, other values converted by to_json, NULL as null.
func jsonText(v string) string {
	return `coalesce(CASE WHEN typeof(` + v + `) = 'JSON' THEN CAST(` + v + ` AS varchar) ELSE CAST(to_json(` + v + `) AS varchar) END, 'null')`
}

// jsonKey is the JSON string of an object key; PostgreSQL refuses a null
// key.
func jsonKey(k string, argn int) string {
	return `CAST(to_json(CAST(coalesce(` + k + `, error('argument ` + strconv.Itoa(argn) + `: key must not be null')) AS varchar)) AS varchar)`
}

// jsonBuildObject is json_build_object with n key/value pairs, printed
// as PostgreSQL prints json: {"k" : v, "k2" : v2}.
func jsonBuildObject(n int) string {
	parts := make([]string, n)
	for i := range n {
		parts[i] = jsonKey("$"+strconv.Itoa(2*i+1), 2*i+1) + ` || ' : ' || ` + jsonText("$"+strconv.Itoa(2*i+2))
	}
	return `CAST('{' || ` + orEmpty(strings.Join(parts, ` || ', ' || `)) + ` || '}' AS "json")`
}

// jsonbBuildObject is jsonb_build_object with n key/value pairs, printed
// as PostgreSQL prints jsonb: {"k": v, "k2": v2}, keys ordered by length
// and then bytes.
func jsonbBuildObject(n int) string {
	if n == 0 {
		return `CAST('{}' AS "json")`
	}
	parts := make([]string, n)
	for i := range n {
		k := jsonKey("$"+strconv.Itoa(2*i+1), 2*i+1)
		parts[i] = `struct_pack(l := strlen(` + k + `), k := ` + k + `, v := ` + jsonText("$"+strconv.Itoa(2*i+2)) + `)`
	}
	return `CAST('{' || array_to_string(list_transform(list_sort(ARRAY[` + strings.Join(parts, ", ") +
		`]), _e -> (_e.k || ': ' || _e.v)), ', ') || '}' AS "json")`
}

// jsonBuildArray is json_build_array (and jsonb_build_array) with n
// elements: [v, v2].
func jsonBuildArray(n int) string {
	parts := make([]string, n)
	for i := range n {
		parts[i] = jsonText("$" + strconv.Itoa(i+1))
	}
	return `CAST('[' || ` + orEmpty(strings.Join(parts, ` || ', ' || `)) + ` || ']' AS "json")`
}

func orEmpty(s string) string {
	if s == "" {
		return "''"
	}
	return s
}

// jsonTypeofSQL names the type of a JSON value as json_typeof does.
const jsonTypeofSQL = `(CASE json_type($1) WHEN 'OBJECT' THEN 'object' WHEN 'ARRAY' THEN 'array'
  WHEN 'VARCHAR' THEN 'string' WHEN 'BOOLEAN' THEN 'boolean' WHEN 'NULL' THEN 'null'
  WHEN 'BIGINT' THEN 'number' WHEN 'UBIGINT' THEN 'number' WHEN 'HUGEINT' THEN 'number' WHEN 'DOUBLE' THEN 'number' END)`

// jsonAggSQL is json_agg: the values' JSON texts in an array, NULL for no
// rows, separated by ", " as PostgreSQL prints both json_agg and jsonb_agg.
var jsonAggSQL = `CAST('[' || array_to_string(list(` + jsonText("$1") + `), ', ') || ']' AS "json")`

func init() {
	for i := 0; 2*i <= MaxArity; i++ {
		functions["json_build_object/"+strconv.Itoa(2*i)] = jsonBuildObject(i)
		functions["jsonb_build_object/"+strconv.Itoa(2*i)] = jsonbBuildObject(i)
	}
	for i := 0; i <= MaxArity; i++ {
		functions["json_build_array/"+strconv.Itoa(i)] = jsonBuildArray(i)
		functions["jsonb_build_array/"+strconv.Itoa(i)] = jsonBuildArray(i)
	}
	functions["to_jsonb/1"] = `to_json($1)`
	functions["json_typeof/1"] = jsonTypeofSQL
	functions["jsonb_typeof/1"] = jsonTypeofSQL
	functions["jsonb_array_length/1"] = `CAST(json_array_length($1) AS integer)`
	functions["jsonb_pretty/1"] = `json_pretty($1)`
	functions["json_agg/1"] = jsonAggSQL
	functions["jsonb_agg/1"] = jsonAggSQL
	functions["json_object_keys/1"] = `unnest(json_keys($1))`
	functions["jsonb_object_keys/1"] = `unnest(json_keys($1))`
	setReturning["json_object_keys"] = true
	setReturning["jsonb_object_keys"] = true

	// The operators #>, #>>, ?, ?| and ?& (package dialect rewrites them
	// into calls of these). A path is a text array; as a JSON pointer each
	// step is an array index or an object key, as in PostgreSQL.
	functions["quiver_json_pointer/1"] = `(CASE WHEN len(CAST($1 AS varchar[])) = 0 THEN ''
  ELSE '/' || array_to_string(list_transform(CAST($1 AS varchar[]), _e -> replace(replace(_e, '~', '~0'), '/', '~1')), '/') END)`
	functions["quiver_json_path_get/2"] = `json_extract($1, pg_catalog.quiver_json_pointer($2))`
	functions["quiver_json_path_text/2"] = `json_extract_string($1, pg_catalog.quiver_json_pointer($2))`
	// quiver_jsonb_keys are the strings ? looks for: an object's keys, an
	// array's string elements, or a string itself.
	functions["quiver_jsonb_keys/1"] = `(CASE json_type($1) WHEN 'OBJECT' THEN json_keys($1)
  WHEN 'ARRAY' THEN list_transform(list_filter(json_extract($1, '$[*]'), _e -> (json_type(_e) = 'VARCHAR')), _e -> json_extract_string(_e, '$'))
  WHEN 'VARCHAR' THEN ARRAY[json_extract_string($1, '$')]
  ELSE (CASE WHEN $1 IS NOT NULL THEN CAST(ARRAY[] AS varchar[]) END) END)`
	functions["quiver_jsonb_exists/2"] = `list_contains(pg_catalog.quiver_jsonb_keys($1), $2)`
	functions["quiver_jsonb_exists_any/2"] = `list_has_any(pg_catalog.quiver_jsonb_keys($1), CAST($2 AS varchar[]))`
	functions["quiver_jsonb_exists_all/2"] = `list_has_all(pg_catalog.quiver_jsonb_keys($1), CAST($2 AS varchar[]))`
}
