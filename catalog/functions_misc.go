package catalog

import (
	"strconv"
	"strings"
)

// String, array and miscellaneous functions whose PostgreSQL behaviour
// DuckDB lacks or answers differently: to_hex, format, pg_typeof,
// octet_length and bit_length of text, cardinality, array_dims,
// array_ndims, array_to_string with a null string, array_replace,
// array_positions, num_nulls, num_nonnulls, initcap, btrim,
// quote_literal, quote_nullable, regexp_match, div, every, encode and
// decode.

// pgTypeNames maps DuckDB's typeof() names to the PostgreSQL type names
// pg_typeof prints, agreeing with the column types quiver reports for
// them (docs/types.md).
var pgTypeNames = [][2]string{
	{"BOOLEAN", "boolean"},
	{"TINYINT", "smallint"}, {"UTINYINT", "smallint"}, {"SMALLINT", "smallint"},
	{"USMALLINT", "integer"}, {"INTEGER", "integer"},
	{"UINTEGER", "bigint"}, {"BIGINT", "bigint"},
	{"UBIGINT", "numeric"}, {"HUGEINT", "numeric"}, {"UHUGEINT", "numeric"},
	{"FLOAT", "real"}, {"DOUBLE", "double precision"},
	{"VARCHAR", "text"}, {"BLOB", "bytea"}, {"UUID", "uuid"}, {"JSON", "json"},
	{"DATE", "date"}, {"TIME", "time without time zone"}, {"TIME WITH TIME ZONE", "time with time zone"},
	{"TIMESTAMP", "timestamp without time zone"}, {"TIMESTAMP_S", "timestamp without time zone"},
	{"TIMESTAMP_MS", "timestamp without time zone"}, {"TIMESTAMP_NS", "timestamp without time zone"},
	{"TIMESTAMP WITH TIME ZONE", "timestamp with time zone"}, {"INTERVAL", "interval"},
	{OIDType, "oid"}, {`"NULL"`, "unknown"},
}

// pgTypeofSQL is pg_typeof($1): the PostgreSQL name of the type of $1's
// DuckDB type, with [] for lists of any depth (PostgreSQL's arrays of
// any dimension are one type). Structs are records and maps arrays of
// records, as quiver presents them; other types (enums) keep DuckDB's
// name.
func pgTypeofSQL() string {
	base := `regexp_replace(typeof($1), '(\[[0-9]*\])+$', '')`
	var b strings.Builder
	b.WriteString(`(CASE WHEN typeof($1) LIKE 'MAP(%' THEN 'record[]' ELSE (CASE ` + base)
	for _, p := range pgTypeNames {
		b.WriteString(" WHEN " + quote(p[0]) + " THEN " + quote(p[1]))
	}
	b.WriteString(` ELSE (CASE WHEN ` + base + ` LIKE 'DECIMAL(%' THEN 'numeric' WHEN ` + base +
		` LIKE 'STRUCT(%' THEN 'record' ELSE lower(` + base + `) END) END)` +
		` || (CASE WHEN typeof($1) LIKE '%]' THEN '[]' ELSE '' END) END)`)
	return b.String()
}

// pgTextSQL is quiver_pgtext($1): $1 as PostgreSQL's output function
// writes it, for the types where DuckDB's cast to VARCHAR differs and can
// be corrected (booleans, floats, quiver's unconstrained numeric), and an
// error for the types whose text differs and cannot (lists, structs,
// maps, bytea, intervals, and values with a time zone, which DuckDB writes
// in UTC whatever the session's TimeZone).
const pgTextSQL = `(CASE WHEN typeof($1) = 'BOOLEAN' THEN left(CAST($1 AS varchar), 1)
  WHEN typeof($1) = 'DECIMAL(38,10)' THEN regexp_replace(CAST($1 AS varchar), '\.?0+$', '')
  WHEN typeof($1) = 'DOUBLE' THEN pg_catalog.quiver_float_text(CAST($1 AS varchar), 16)
  WHEN typeof($1) = 'FLOAT' THEN pg_catalog.quiver_float_text(CAST($1 AS varchar), 7)
  WHEN typeof($1) LIKE '%]' OR typeof($1) LIKE 'STRUCT(%' OR typeof($1) LIKE 'MAP(%' OR typeof($1) IN ('BLOB', 'INTERVAL', 'TIMESTAMP WITH TIME ZONE', 'TIME WITH TIME ZONE')
    THEN error('quiver:0A000: the text form of a ' || typeof($1) || ' value is not supported here on DuckDB')
  ELSE CAST($1 AS varchar) END)`

// floatTextSQL is quiver_float_text($1, $2): DuckDB's text $1 of a float
// as PostgreSQL writes it, $2 being the number of integer digits from
// which PostgreSQL uses the exponent form (16 for double precision, 7 for
// real). DuckDB writes the same shortest digits, but with ".0" after
// integers, the exponent form only from 1e17, and inf and nan.
const floatTextSQL = `(CASE $1 WHEN 'inf' THEN 'Infinity' WHEN '-inf' THEN '-Infinity' WHEN 'nan' THEN 'NaN'
  ELSE (CASE WHEN strpos($1, 'e') = 0 AND length(regexp_extract($1, '[0-9]+')) >= $2
    THEN regexp_extract($1, '^-?') || left(rtrim(regexp_replace($1, '[-.]', '', 'g'), '0'), 1) ||
      (CASE WHEN length(rtrim(regexp_replace($1, '[-.]', '', 'g'), '0')) > 1 THEN '.' || substr(rtrim(regexp_replace($1, '[-.]', '', 'g'), '0'), 2) ELSE '' END) ||
      'e+' || lpad(CAST(length(regexp_extract($1, '[0-9]+')) - 1 AS varchar), 2, '0')
    ELSE regexp_replace($1, '\.0$', '') END) END)`

// quoteTextSQL is quiver_quote_text($1), quote_literal of a text:
// PostgreSQL doubles quotes and backslashes, and writes E'...' when there
// is a backslash.
const quoteTextSQL = `(CASE WHEN strpos($1, '\') > 0
  THEN 'E''' || replace(replace($1, '\', '\\'), '''', '''''') || ''''
  ELSE '''' || replace($1, '''', '''''') || '''' END)`

// formatSQL is format($1, ...) with n arguments after the format string,
// on DuckDB's printf: %I and %L become %s over quote_ident and
// quote_nullable of the argument they take (as its output function
// writes it), the other arguments are their PostgreSQL text (NULL the empty string). Positional (%n$) and *
// width specifiers are refused.
func formatSQL(n int) string {
	// Conversions in order, %% left out: the k-th takes the k-th argument.
	specs := `regexp_extract_all(replace($1, '%%', ''), '%-?[0-9]*[sIL]')`
	var b strings.Builder
	b.WriteString(`(CASE WHEN regexp_matches(replace($1, '%%', ''), '%[-0-9]*[$*]')
  THEN error('quiver:0A000: format() with positional (%n$) or * width specifiers is not supported on DuckDB')
  ELSE printf(array_to_string(list_transform(string_split($1, '%%'), _p -> (regexp_replace(_p, '%(-?[0-9]*)[IL]', '%\1s', 'g'))), '%%')`)
	for i := 1; i <= n; i++ {
		a := "$" + strconv.Itoa(i+1)
		k := "right((" + specs + ")[" + strconv.Itoa(i) + "], 1)"
		// The argument's text is bound once, to _t, by a lambda: written
		// out in each branch, the expansions of quiver_pgtext and
		// quote_ident multiply (format of 16 arguments was 2 MB of SQL).
		b.WriteString(",\n  (list_transform(ARRAY[pg_catalog.quiver_pgtext(" + a + ")], _t -> (CASE " + k +
			" WHEN 'I' THEN (CASE WHEN _t IS NULL THEN error('quiver:22004: null values cannot be formatted as an SQL identifier')" +
			" ELSE pg_catalog.quote_ident(_t) END)" +
			" WHEN 'L' THEN coalesce(pg_catalog.quiver_quote_text(_t), 'NULL')" +
			" ELSE coalesce(_t, '') END)))[1]")
	}
	b.WriteString(") END)")
	return b.String()
}

// listSuffix is the [] suffixes of $1's type name: lists of lists are
// PostgreSQL's multidimensional arrays.
const listSuffix = `regexp_extract(typeof($1), '((\[[0-9]*\])+)$')`

// substrSQL is substr($1, $2, $3) as PostgreSQL counts.
const substrSQL = `(CASE WHEN $3 < 0 THEN error('quiver:22011: negative substring length not allowed')
  WHEN $2 < 1 THEN substr($1, 1, greatest($2 + $3 - 1, 0)) ELSE substr($1, $2, $3) END)`

// oneDim refuses multidimensional arrays, which the expressions below
// do not handle: it is $1 when $1 is a one-dimensional list.
const oneDim = `(CASE WHEN ` + listSuffix + ` LIKE '%][%' THEN error('quiver:0A000: multidimensional arrays are not supported here on DuckDB') ELSE $1 END)`

func init() {
	for k, v := range map[string]string{
		"quiver_pgtext/1": pgTextSQL,
		"pg_typeof/1":     pgTypeofSQL(),
		// to_hex of a negative integer is the two's complement at the
		// argument's width: 32 bits for int2 and int4, 64 for int8.
		"to_hex/1": `lower(CASE WHEN typeof($1) IN ('INTEGER', 'SMALLINT', 'TINYINT') AND $1 < 0
  THEN to_hex(CAST($1 AS bigint) + 4294967296) ELSE to_hex(CAST($1 AS bigint)) END)`,
		"octet_length/1": `CAST((CASE WHEN typeof($1) = 'BLOB' THEN octet_length(CAST($1 AS bytea)) ELSE strlen(CAST($1 AS varchar)) END) AS integer)`,
		"bit_length/1":   `CAST(8 * (CASE WHEN typeof($1) = 'BLOB' THEN octet_length(CAST($1 AS bytea)) ELSE strlen(CAST($1 AS varchar)) END) AS integer)`,

		"quiver_float_text/2": floatTextSQL,
		"quiver_quote_text/1": quoteTextSQL,
		// quote_literal and quote_nullable read their argument as a cast
		// to text does, which writes booleans as true and false.
		"quiver_pgcast/1":  `(CASE WHEN typeof($1) = 'BOOLEAN' THEN CAST($1 AS varchar) ELSE pg_catalog.quiver_pgtext($1) END)`,
		"quote_literal/1":  `pg_catalog.quiver_quote_text(pg_catalog.quiver_pgcast($1))`,
		"quote_nullable/1": `coalesce(pg_catalog.quiver_quote_text(pg_catalog.quiver_pgcast($1)), 'NULL')`,
		"btrim/1":          `"trim"($1)`,
		"btrim/2":          `"trim"($1, $2)`,
		// initcap capitalises each run of letters and digits, which are
		// ASCII ones in the C locale quiver reports (pg_database).
		"initcap/1": `array_to_string(list_transform(regexp_extract_all($1, '[A-Za-z0-9]+|[^A-Za-z0-9]+'),
  _w -> (CASE WHEN regexp_matches(_w, '^[A-Za-z0-9]') THEN upper(left(_w, 1)) || lower(substr(_w, 2)) ELSE _w END)), '')`,
		// regexp_match is the capture groups of the first match (the
		// whole match without groups), NULL without a match. Groups are
		// counted in the pattern outside bracket expressions, escapes
		// and (?...) groups. DuckDB gives an empty string for a group
		// that did not take part in the match (PostgreSQL: NULL), so an
		// empty group of a pattern with optional parts is refused.
		"regexp_match/2": `pg_catalog.quiver_regexp_first($1, $2)`,
		// Of regexp_match's flags, i and c (the last one wins) are read;
		// g is refused as PostgreSQL does, the others are not supported.
		"regexp_match/3": `(CASE WHEN $3 IS NULL THEN NULL
  WHEN strpos($3, 'g') > 0 THEN error('regexp_match() does not support the "global" option')
  WHEN regexp_matches($3, '[^ic]') THEN error('quiver:0A000: regexp_match() flags other than i and c are not supported on DuckDB')
  ELSE pg_catalog.quiver_regexp_first($1, (CASE WHEN regexp_matches($3, 'i[^c]*$') THEN '(?i)' || $2 ELSE $2 END)) END)`,
		// regexp_matches returns a set: here a list of its rows (text
		// arrays), which the dialect unnests where the call is a result
		// column. Without g, the first match's row if any; with g, a row
		// per match.
		"regexp_matches/2": `list_filter(ARRAY[pg_catalog.regexp_match($1, $2)], _x -> (_x IS NOT NULL))`,
		"regexp_matches/3": `(CASE WHEN $3 IS NULL THEN CAST(ARRAY[] AS varchar[][])
  WHEN strpos($3, 'g') = 0 THEN list_filter(ARRAY[pg_catalog.regexp_match($1, $2, $3)], _x -> (_x IS NOT NULL))
  WHEN regexp_matches(replace($3, 'g', ''), '[^ic]') THEN error('quiver:0A000: regexp_matches() flags other than g, i and c are not supported on DuckDB')
  ELSE pg_catalog.quiver_regexp_all($1, (CASE WHEN regexp_matches(replace($3, 'g', ''), 'i[^c]*$') THEN '(?i)' || $2 ELSE $2 END)) END)`,
		// quiver_regexp_all($1, $2): the groups of every match of $2 in
		// $1 (the match itself when $2 has none), a text array per match;
		// a group that did not take part in a match is '' (PostgreSQL's
		// NULL). Groups past the pattern's own are not asked for: DuckDB
		// refuses them.
		"quiver_regexp_all/2": `(list_transform(ARRAY[pg_catalog.quiver_regexp_groups($2)], _n -> (list_transform(range(1, len(regexp_extract_all($1, $2, 0)) + 1),
    _i -> (CASE WHEN _n = 0 THEN ARRAY[(regexp_extract_all($1, $2, 0))[_i]] ELSE list_slice(ARRAY[(regexp_extract_all($1, $2, CAST(least(1, _n) AS integer)))[_i], (regexp_extract_all($1, $2, CAST(least(2, _n) AS integer)))[_i], (regexp_extract_all($1, $2, CAST(least(3, _n) AS integer)))[_i], (regexp_extract_all($1, $2, CAST(least(4, _n) AS integer)))[_i], (regexp_extract_all($1, $2, CAST(least(5, _n) AS integer)))[_i], (regexp_extract_all($1, $2, CAST(least(6, _n) AS integer)))[_i], (regexp_extract_all($1, $2, CAST(least(7, _n) AS integer)))[_i], (regexp_extract_all($1, $2, CAST(least(8, _n) AS integer)))[_i], (regexp_extract_all($1, $2, CAST(least(9, _n) AS integer)))[_i]], 1, _n) END)))))[1]`,
		"quiver_regexp_first/2": `(CASE WHEN regexp_matches($1, $2) THEN (CASE pg_catalog.quiver_regexp_groups($2) WHEN 0 THEN ARRAY[regexp_extract($1, $2, 0)]
  ELSE list_transform(list_slice(ARRAY[regexp_extract($1, $2, 1), regexp_extract($1, $2, 2), regexp_extract($1, $2, 3), regexp_extract($1, $2, 4),
    regexp_extract($1, $2, 5), regexp_extract($1, $2, 6), regexp_extract($1, $2, 7), regexp_extract($1, $2, 8), regexp_extract($1, $2, 9)],
    1, pg_catalog.quiver_regexp_groups($2)),
    _g -> (CASE WHEN _g = '' AND regexp_matches($2, '\)[?*]|\)\{0|\|') THEN error('quiver:0A000: regexp_match() cannot tell an empty group from one that did not match (NULL) on DuckDB') ELSE _g END)) END) END)`,
		"quiver_regexp_groups/1": `(CASE WHEN len(regexp_extract_all(regexp_replace(regexp_replace($1, '\\.', '', 'g'), '\[\^?\]?[^\]]*\]', '', 'g'), '\((?:[^?]|$)')) > 9
  THEN error('quiver:0A000: regexp_match with more than 9 capture groups is not supported on DuckDB')
  ELSE len(regexp_extract_all(regexp_replace(regexp_replace($1, '\\.', '', 'g'), '\[\^?\]?[^\]]*\]', '', 'g'), '\((?:[^?]|$)')) END)`,

		// The bounds and length of a dimension are integers, NULL for an
		// empty array or a dimension it has not; arrays of more than one
		// dimension are refused rather than measured wrongly.
		"array_length/2": `(CASE WHEN $2 = 1 AND len(` + oneDim + `) > 0 THEN CAST(len($1) AS integer) END)`,
		"array_upper/2":  `pg_catalog.array_length($1, $2)`,
		"array_lower/2":  `(CASE WHEN $2 = 1 AND len(` + oneDim + `) > 0 THEN CAST(1 AS integer) END)`,
		// substr and substring count from the start: a start before the
		// first character shortens the count (DuckDB counts a negative
		// start from the end).
		"substr/2":    `(CASE WHEN $2 < 1 THEN $1 ELSE substr($1, $2) END)`,
		"substr/3":    substrSQL,
		"substring/3": substrSQL,
		// substring(s from pattern) is the first group of a regular
		// expression's match (or the match), NULL without one.
		"substring/2": `(CASE WHEN typeof($2) = 'VARCHAR' THEN (CASE WHEN regexp_matches($1, CAST($2 AS varchar)) THEN
    (CASE WHEN pg_catalog.quiver_regexp_groups(CAST($2 AS varchar)) > 0 THEN regexp_extract($1, CAST($2 AS varchar), 1)
     ELSE regexp_extract($1, CAST($2 AS varchar), 0) END) END)
  ELSE pg_catalog.substr($1, CAST((CASE WHEN typeof($2) = 'VARCHAR' THEN NULL ELSE $2 END) AS bigint)) END)`,
		// lpad and rpad fill with spaces when not told otherwise.
		"lpad/2": `lpad($1, $2, ' ')`,
		"rpad/2": `rpad($1, $2, ' ')`,
		// overlay(s placing r from f [for n]) of text.
		"overlay/4":     `(left($1, $3 - 1) || $2 || substr($1, $3 + $4))`,
		"overlay/3":     `(left($1, $3 - 1) || $2 || substr($1, $3 + length($2)))`,
		"cardinality/1": `(CASE WHEN $1 IS NOT NULL THEN CAST(len(` + oneDim + `) AS integer) END)`,
		"array_dims/1":  `(CASE WHEN len(` + oneDim + `) > 0 THEN '[1:' || len($1) || ']' END)`,
		"array_ndims/1": `(CASE WHEN len($1) > 0 THEN CAST(length(` + listSuffix + `) - length(replace(` + listSuffix + `, '[', '')) AS integer) END)`,
		// array_to_string writes elements as PostgreSQL's output
		// functions do (DuckDB writes true and 1.0), and is NULL for a
		// NULL separator.
		"array_to_string/2": `pg_catalog.array_to_string($1, $2, NULL)`,
		"array_to_string/3": `(CASE WHEN $1 IS NOT NULL AND $2 IS NOT NULL THEN array_to_string(
  list_transform(` + oneDim + `, _x -> (coalesce(pg_catalog.quiver_pgtext(_x), $3))), $2) END)`,
		"array_replace/3": `(CASE WHEN $1 IS NOT NULL THEN list_transform(` + oneDim + `, _x -> (CASE WHEN _x IS NOT DISTINCT FROM $2 THEN $3 ELSE _x END)) END)`,
		"array_positions/2": `(CASE WHEN $1 IS NOT NULL THEN list_filter(list_transform(range(1, len(` + oneDim + `) + 1),
  _i -> (CASE WHEN $1[_i] IS NOT DISTINCT FROM $2 THEN CAST(_i AS integer) END)), _i -> (_i IS NOT NULL)) END)`,

		// div truncates towards zero; integers divide exactly.
		"div/2": `(CASE WHEN $2 = 0 THEN error('quiver:22012: division by zero')
  WHEN typeof($1) IN ('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT') AND typeof($2) IN ('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT')
  THEN CAST(CAST($1 AS hugeint) // CAST($2 AS hugeint) AS decimal(38, 10))
  ELSE CAST(trunc(CAST($1 AS double) / CAST($2 AS double)) AS decimal(38, 10)) END)`,
		// every is bool_and; calls with ORDER BY, FILTER or OVER are not
		// rewritten and fail.
		"every/1": `bool_and($1)`,

		// The escape format writes bytes 0 and from 128 as octal escapes
		// and doubles backslashes.
		"encode/2": `(CASE lower($2) WHEN 'hex' THEN lower(hex($1))
  WHEN 'base64' THEN regexp_replace(to_base64($1), '(.{76})', '\1' || chr(10), 'g')
  WHEN 'escape' THEN array_to_string(list_transform(regexp_extract_all(hex($1), '..'),
    _h -> (CASE WHEN _h = '00' OR _h >= '80' THEN '\' || CAST(CAST('0x' || _h AS integer) // 64 AS varchar) ||
      CAST((CAST('0x' || _h AS integer) // 8) % 8 AS varchar) || CAST(CAST('0x' || _h AS integer) % 8 AS varchar)
    WHEN _h = '5C' THEN '\\' ELSE chr(CAST('0x' || _h AS integer)) END)), '')
  ELSE error('unrecognized encoding: "' || $2 || '"') END)`,
		"decode/2": `(CASE lower($2) WHEN 'hex' THEN unhex(regexp_replace($1, '\s', '', 'g'))
  WHEN 'base64' THEN from_base64(regexp_replace($1, '\s', '', 'g'))
  WHEN 'escape' THEN unhex(array_to_string(list_transform(regexp_extract_all($1, '\\\\|\\[0-3][0-7][0-7]|\\|[^\\]'),
    _t -> (CASE WHEN _t = '\\' THEN '5C' WHEN _t = '\' THEN error('quiver:22P02: invalid input syntax for type bytea')
    WHEN length(_t) = 4 THEN printf('%02X', CAST(substr(_t, 2, 1) AS integer) * 64 + CAST(substr(_t, 3, 1) AS integer) * 8 + CAST(substr(_t, 4, 1) AS integer))
    ELSE hex(_t) END)), ''))
  ELSE error('unrecognized encoding: "' || $2 || '"') END)`,
	} {
		functions[k] = v
	}
	for n := 1; n <= MaxArity; n++ {
		var terms []string
		for i := 1; i <= n; i++ {
			terms = append(terms, "CAST($"+strconv.Itoa(i)+" IS NULL AS integer)")
		}
		// The variadic functions are defined for as many arguments as
		// the catalog rewrite expands.
		functions["num_nulls/"+strconv.Itoa(n)] = "(" + strings.Join(terms, " + ") + ")"
		functions["num_nonnulls/"+strconv.Itoa(n)] = "(" + strconv.Itoa(n) + " - " + strings.Join(terms, " - ") + ")"
	}
	for n := 0; n < MaxArity; n++ {
		functions["format/"+strconv.Itoa(n+1)] = formatSQL(n)
	}
}
