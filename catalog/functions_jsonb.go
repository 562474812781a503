package catalog

import "strconv"

// The jsonb operators and functions that take a value apart and build a
// new one: containment (@>, <@), deletion (-, #-), jsonb_set,
// jsonb_insert, jsonb_strip_nulls and concatenation (||), and the
// normal form in which PostgreSQL prints a jsonb value.
//
// DuckDB's SQL has no recursion, so each of these descends a JSON value
// through a fixed number of levels, written out: a level handles an
// object and an array alike, as a list of entries (k, v), k being NULL
// for an array's elements, so that it names the next level once and the
// text grows linearly with the depth. jsonbDepth levels are written out;
// a value nested deeper is printed as DuckDB prints it (without
// PostgreSQL's spacing and key order), and containment and the path
// functions refuse what they would have to descend further.
//
// DuckDB reads a JSON number as a double or an integer and prints it
// again from that: 1.10 is 1.1 and 1e2 is 100.0, where PostgreSQL keeps
// the numeric (1.10, 100).

// A definition tests an argument for NULL as coalesce($n) IS NULL: the
// argument x -> 'a' in $n IS NULL would be printed x -> 'a' IS NULL,
// which DuckDB reads as x -> ('a' IS NULL).

// jsonbDepth is the number of levels the normal form and containment
// descend, and the longest path the path functions follow. DuckDB binds
// the levels at every statement, and that cost grows faster than the
// depth: at 6 levels jsonb_set cost 450-530 ms of planning, @> 90 ms and
// - 150 ms; at 3, 40-90 ms, 9-16 ms and 30 ms.
const jsonbDepth = 3

// jsonNumberTypes are DuckDB's json_type names of a number.
const jsonNumberTypes = `('BIGINT', 'UBIGINT', 'HUGEINT', 'DOUBLE')`

// let evaluates expr once and gives body its value as v.
func let(v, expr, body string) string {
	return `(list_transform(ARRAY[` + expr + `], ` + v + ` -> (` + body + `)))[1]`
}

// jsonbEntries is the list of entries (k, v) of x, a JSON value: an
// object's keys and values (k is the key), an array's elements (k is
// NULL), or a scalar itself as the one element of an array; tag names
// its lambda.
func jsonbEntries(x, tag string) string {
	z := "_z" + tag
	return `(CASE json_type(` + x + `) WHEN 'OBJECT' THEN list_transform(list_zip(json_keys(` + x + `), json_extract(` + x + `, '$.*')), ` +
		z + ` -> struct_pack(k := ` + z + `[1], v := ` + z + `[2]))
  WHEN 'ARRAY' THEN list_transform(CAST(` + x + ` AS "json"[]), ` + z + ` -> struct_pack(k := CAST(NULL AS varchar), v := coalesce(` + z + `, CAST('null' AS "json"))))
  ELSE ARRAY[struct_pack(k := CAST(NULL AS varchar), v := CAST(` + x + ` AS "json"))] END)`
}

// jsonbScalarText is a JSON scalar as PostgreSQL prints it: a string
// with its escapes decoded and written again as PostgreSQL writes them.
func jsonbScalarText(x string) string {
	return `(CASE json_type(` + x + `) WHEN 'VARCHAR' THEN CAST(to_json(json_extract_string(` + x + `, '$')) AS varchar)
  ELSE CAST(json(` + x + `) AS varchar) END)`
}

// jsonbNormLevel prints x, at level d, in PostgreSQL's jsonb output:
// ", " and ": " between items, an object's keys ordered by length and
// then bytes, and of a key given more than once only the last.
func jsonbNormLevel(x string, d int) string {
	if d > jsonbDepth {
		return `CAST(json(` + x + `) AS varchar)`
	}
	t := strconv.Itoa(d)
	s, e, j := "_s"+t, "_e"+t, "_j"+t
	sorted := `list_sort(list_transform(list_zip(json_keys(` + x + `), json_extract(` + x + `, '$.*'), range(len(json_keys(` + x + `)))), _z` + t +
		` -> struct_pack(l := strlen(_z` + t + `[1]), k := _z` + t + `[1], i := _z` + t + `[3], v := _z` + t + `[2])))`
	object := let(s, sorted, `list_transform(list_filter(range(1, len(`+s+`) + 1), `+j+` -> (`+j+` = len(`+s+`) OR `+s+`[`+j+` + 1].k <> `+s+`[`+j+`].k)), `+
		j+` -> struct_pack(k := `+s+`[`+j+`].k, v := `+s+`[`+j+`].v))`)
	entries := `(CASE json_type(` + x + `) WHEN 'OBJECT' THEN ` + object + ` ELSE ` + jsonbEntries(x, "n"+t) + ` END)`
	return `(CASE WHEN json_type(` + x + `) IN ('OBJECT', 'ARRAY') THEN
  (CASE json_type(` + x + `) WHEN 'OBJECT' THEN '{' ELSE '[' END) || array_to_string(list_transform(` + entries + `, ` + e + ` -> (coalesce(CAST(to_json(` + e + `.k) AS varchar) || ': ', '') || ` +
		jsonbNormLevel(e+".v", d+1) + `)), ', ') || (CASE json_type(` + x + `) WHEN 'OBJECT' THEN '}' ELSE ']' END)
  ELSE ` + jsonbScalarText(x) + ` END)`
}

// jsonbOutSQL is quiver_jsonb_out: a JSON value in PostgreSQL's jsonb
// output.
var jsonbOutSQL = `CAST(` + let("_x0", `CAST($1 AS "json")`, jsonbNormLevel("_x0", 1)) + ` AS "json")`

// jsonbScalarEq reports whether the JSON scalars x and y are equal as
// jsonb compares them: numbers by value, strings by their characters.
func jsonbScalarEq(x, y string) string {
	return `(CASE WHEN json_type(` + x + `) IN ` + jsonNumberTypes + ` AND json_type(` + y + `) IN ` + jsonNumberTypes + ` THEN
    (CASE WHEN json_type(` + x + `) = 'DOUBLE' OR json_type(` + y + `) = 'DOUBLE' THEN CAST(` + x + ` AS double) = CAST(` + y + ` AS double)
     ELSE CAST(` + x + ` AS hugeint) = CAST(` + y + ` AS hugeint) END)
  ELSE json_type(` + x + `) = json_type(` + y + `) AND json_extract_string(` + x + `, '$') IS NOT DISTINCT FROM json_extract_string(` + y + `, '$') END)`
}

// jsonbContainsLevel reports whether x contains y, at level d:
// an object contains an object whose keys it has with values it
// contains, an array an array each of whose elements some element of it
// contains, a scalar an equal scalar; and at the top (d = 1) an array
// contains a scalar that is one of its elements.
func jsonbContainsLevel(x, y string, d int) string {
	if d > jsonbDepth {
		return `(CASE WHEN json_type(` + y + `) IN ('OBJECT', 'ARRAY') THEN error('quiver:0A000: jsonb containment deeper than ` +
			strconv.Itoa(jsonbDepth) + ` levels is not supported') ELSE ` + jsonbScalarEq(x, y) + ` END)`
	}
	t := strconv.Itoa(d)
	a, b := "_a"+t, "_b"+t
	container, sameType := `json_type(`+y+`) IN ('OBJECT', 'ARRAY')`, `json_type(`+x+`) = json_type(`+y+`)`
	if d == 1 {
		container += ` OR json_type(` + x + `) = 'ARRAY'`
		sameType += ` OR (json_type(` + x + `) = 'ARRAY' AND json_type(` + y + `) NOT IN ('OBJECT', 'ARRAY'))`
	}
	return `(CASE WHEN ` + container + ` THEN (CASE WHEN ` + sameType + ` THEN
    NOT list_contains(list_transform(` + jsonbEntries(y, "b"+t) + `, ` + b + ` -> list_contains(list_transform(` + jsonbEntries(x, "a"+t) + `, ` +
		a + ` -> (` + a + `.k IS NOT DISTINCT FROM ` + b + `.k AND ` + jsonbContainsLevel(a+".v", b+".v", d+1) + `)), true)), false)
    ELSE false END)
  ELSE ` + jsonbScalarEq(x, y) + ` END)`
}

// jsonbContainsSQL is quiver_jsonb_contains: $1 @> $2 on jsonb.
var jsonbContainsSQL = `(CASE WHEN coalesce($1) IS NULL OR coalesce($2) IS NULL THEN NULL ELSE ` + let("_c", `struct_pack(x := json(CAST($1 AS "json")), y := json(CAST($2 AS "json")))`,
	jsonbContainsLevel("_c.x", "_c.y", 1)) + ` END)`

// containsSQL is quiver_contains, $1 @> $2 for operands whose types the
// statement does not show: jsonb containment when either is JSON, list
// containment otherwise, where PostgreSQL's array containment finds no
// NULL element. The list operands are compared as JSON values, which
// binds whatever their types.
const containsSQL = `(CASE WHEN typeof($1) = 'JSON' OR typeof($2) = 'JSON' THEN pg_catalog.quiver_jsonb_contains($1, $2)
  ELSE pg_catalog.quiver_array_contains(CAST($1 AS "json"[]), CAST($2 AS "json"[])) END)`

// arrayContainsSQL is quiver_array_contains, $1 @> $2 on arrays: every
// element of $2 is one of $1, and none is NULL.
const arrayContainsSQL = `(NOT list_contains(list_transform($2, _e -> (_e IS NULL)), true) AND list_has_all($1, $2))`

// jsonbText is the JSON text of an entry's key (for an object) and value,
// as an object or array prints it.
func jsonbText(e string) string {
	return `coalesce(CAST(to_json(` + e + `.k) AS varchar) || ':', '') || CAST(` + e + `.v AS varchar)`
}

// jsonbRebuild is the JSON text of the container x (whose kind the
// result has) with the entries list.
func jsonbRebuild(x, list, tag string) string {
	e := "_r" + tag
	return `(CASE json_type(` + x + `) WHEN 'OBJECT' THEN '{' ELSE '[' END) || array_to_string(list_transform(` + list + `, ` + e + ` -> (` +
		jsonbText(e) + `)), ',') || (CASE json_type(` + x + `) WHEN 'OBJECT' THEN '}' ELSE ']' END)`
}

// jsonbDeleteSQL is quiver_jsonb_delete, $1 - $2: $2 a text array deletes
// those keys (and string elements of an array), an integer the element at
// that index (counted from the end when negative), text that key.
var jsonbDeleteSQL = `pg_catalog.quiver_jsonb_out(CASE WHEN coalesce($1) IS NULL OR coalesce($2) IS NULL THEN NULL ELSE ` + let("_d", `struct_pack(x := CAST($1 AS "json"),
  keys := CASE WHEN typeof($2) LIKE '%[]' THEN CAST(to_json($2) AS varchar[]) ELSE ARRAY[CAST($2 AS varchar)] END,
  idx := CASE WHEN typeof($2) IN ('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT') THEN CAST(to_json($2) AS bigint) END)`,
	`CASE WHEN json_type(_d.x) NOT IN ('OBJECT', 'ARRAY') THEN error('quiver:22023: cannot delete from scalar')
  WHEN _d.idx IS NOT NULL AND json_type(_d.x) = 'OBJECT' THEN error('quiver:22023: cannot delete from object using integer index')
  WHEN _d.idx IS NOT NULL THEN `+jsonbRebuild("_d.x", `list_transform(list_filter(list_zip(`+jsonbEntries("_d.x", "d")+`, range(CAST(json_array_length(_d.x) AS bigint))), _f -> (_f[2] <> (CASE WHEN _d.idx < 0 THEN _d.idx + json_array_length(_d.x) ELSE _d.idx END))),
    _f -> _f[1])`, "d")+`
  ELSE `+jsonbRebuild("_d.x", `list_filter(`+jsonbEntries("_d.x", "k")+`, _f -> (NOT coalesce(list_contains(_d.keys, coalesce(_f.k,
    CASE WHEN json_type(_f.v) = 'VARCHAR' THEN json_extract_string(_f.v, '$') END)), false)))`, "k")+` END`) + ` END)`

// Path modes of jsonbPathLevel.
const (
	pathSet = iota
	pathInsert
	pathDelete
)

// jsonbPathLevel is the JSON text of x, at step i of the path _p.p, with
// the value at the path set (jsonb_set: _p.nv, added when _p.cm and
// the last step is missing), inserted (jsonb_insert: before the element,
// or after when _p.after) or deleted (#-).
func jsonbPathLevel(x string, i, mode int) string {
	if i > jsonbDepth {
		return `(CASE WHEN len(_p.p) < ` + strconv.Itoa(i) + ` THEN CAST(` + x + ` AS varchar) ELSE error('quiver:0A000: jsonb paths longer than ` +
			strconv.Itoa(jsonbDepth) + ` elements are not supported') END)`
	}
	t, n := strconv.Itoa(i), strconv.Itoa(i)
	step, last := `_p.p[`+n+`]`, `len(_p.p) = `+n
	e, f := "_e"+t, "_f"+t
	// _l binds the entries with their positions and the index the step
	// names in an array (NULL in an object).
	idx := `(CASE WHEN json_type(` + x + `) = 'ARRAY' THEN (CASE WHEN NOT regexp_matches(` + step + `, '^\s*[+-]?[0-9]{1,18}\s*$')
      THEN error('quiver:22P02: path element at position ` + n + ` is not an integer: ' || CAST(to_json(` + step + `) AS varchar))
      WHEN CAST(` + step + ` AS bigint) < 0 THEN CAST(` + step + ` AS bigint) + json_array_length(` + x + `) ELSE CAST(` + step + ` AS bigint) END) END)`
	sel := `(CASE WHEN ` + e + `.k IS NULL THEN ` + e + `.i = _l` + t + `.idx ELSE ` + e + `.k = ` + step + ` END)`
	entries := `list_transform(list_zip(` + jsonbEntries(x, "p"+t) + `, range(CAST(len(json_keys(` + x + `)) + json_array_length(` + x + `) AS bigint))), ` +
		f + ` -> struct_pack(k := ` + f + `[1].k, v := ` + f + `[1].v, i := ` + f + `[2]))`
	var atLast, added string
	key := `(CASE WHEN json_type(` + x + `) = 'OBJECT' THEN CAST(to_json(` + step + `) AS varchar) || ':' ELSE '' END)`
	// added is what the last step adds when it names nothing there: the
	// new value after the entries or, for an index before the array's
	// start, before them.
	switch mode {
	case pathSet:
		atLast = `CAST(_p.nv AS varchar)`
		added = `(CASE WHEN _p.cm AND ` + last + ` AND NOT list_contains(list_transform(_l` + t + `.e, ` + e + ` -> ` + sel + `), true) THEN
        ARRAY[` + key + ` || CAST(_p.nv AS varchar)] ELSE CAST(ARRAY[] AS varchar[]) END)`
	case pathInsert:
		atLast = `(CASE WHEN ` + e + `.k IS NOT NULL THEN error('quiver:22023: cannot replace existing key') WHEN _p.after THEN CAST(` + e + `.v AS varchar) || ',' || CAST(_p.nv AS varchar)
        ELSE CAST(_p.nv AS varchar) || ',' || CAST(` + e + `.v AS varchar) END)`
		added = `(CASE WHEN ` + last + ` AND NOT list_contains(list_transform(_l` + t + `.e, ` + e + ` -> ` + sel + `), true) THEN
        ARRAY[` + key + ` || CAST(_p.nv AS varchar)] ELSE CAST(ARRAY[] AS varchar[]) END)`
	case pathDelete:
		atLast = `NULL`
		added = `CAST(ARRAY[] AS varchar[])`
	}
	items := `list_transform(list_filter(_l` + t + `.e, ` + e + ` -> (NOT (` + last + ` AND ` + sel + ` AND ` + strconv.FormatBool(mode == pathDelete) + `))), ` + e + ` -> (
      coalesce(CAST(to_json(` + e + `.k) AS varchar) || ':', '') || (CASE WHEN NOT ` + sel + ` THEN CAST(` + e + `.v AS varchar)
        WHEN ` + last + ` THEN ` + atLast + ` ELSE ` + jsonbPathLevel(e+".v", i+1, mode) + ` END)))`
	none, before := `CAST(ARRAY[] AS varchar[])`, `json_type(`+x+`) = 'ARRAY' AND _l`+t+`.idx < 0`
	list := `list_concat(list_concat((CASE WHEN ` + before + ` THEN ` + added + ` ELSE ` + none + ` END), ` + items + `), (CASE WHEN ` + before + ` THEN ` + none + ` ELSE ` + added + ` END))`
	body := `(CASE json_type(` + x + `) WHEN 'OBJECT' THEN '{' ELSE '[' END) || array_to_string(` + list + `, ',') || (CASE json_type(` + x + `) WHEN 'OBJECT' THEN '}' ELSE ']' END)`
	return `(CASE WHEN len(_p.p) < ` + n + ` OR json_type(` + x + `) NOT IN ('OBJECT', 'ARRAY') THEN CAST(` + x + ` AS varchar)
  WHEN ` + step + ` IS NULL THEN error('quiver:22004: path element at position ` + n + ` is null')
  ELSE ` + let("_l"+t, `struct_pack(e := `+entries+`, idx := `+idx+`)`, body) + ` END)`
}

// jsonbPathSQL is a path function: target $1, path $2, and for set and
// insert the new value $3 and the flag $4 (create_missing, insert_after).
func jsonbPathSQL(mode int, flag string) string {
	bind := `struct_pack(x := json(CAST($1 AS "json")), p := CAST($2 AS varchar[])`
	scalar := `'quiver:22023: cannot delete path in scalar'`
	switch mode {
	case pathSet:
		bind += `, nv := json(CAST($3 AS "json")), cm := CAST(` + flag + ` AS boolean))`
		scalar = `'quiver:22023: cannot set path in scalar'`
	case pathInsert:
		bind += `, nv := json(CAST($3 AS "json")), after := CAST(` + flag + ` AS boolean))`
		scalar = `'quiver:22023: cannot set path in scalar'`
	default:
		bind += `)`
	}
	body := `CASE WHEN json_type(_p.x) NOT IN ('OBJECT', 'ARRAY') THEN error(` + scalar + `) ELSE ` + jsonbPathLevel("_p.x", 1, mode) + ` END`
	if mode != pathDelete {
		// A NULL new value or flag makes the result NULL (the functions
		// are strict).
		body = `CASE WHEN _p.nv IS NULL OR _p.` + map[int]string{pathSet: "cm", pathInsert: "after"}[mode] + ` IS NULL THEN NULL ELSE ` + body + ` END`
	}
	return `pg_catalog.quiver_jsonb_out(CASE WHEN coalesce($1) IS NULL OR coalesce($2) IS NULL THEN NULL ELSE ` + let("_p", bind, body) + ` END)`
}

// jsonbStripLevel is the JSON text of x, at level d, without the object
// fields whose value is null, at every level.
func jsonbStripLevel(x string, d int) string {
	if d > jsonbDepth {
		return `CAST(` + x + ` AS varchar)`
	}
	t := strconv.Itoa(d)
	e := "_t" + t
	return `(CASE WHEN json_type(` + x + `) NOT IN ('OBJECT', 'ARRAY') THEN CAST(` + x + ` AS varchar) ELSE
  (CASE json_type(` + x + `) WHEN 'OBJECT' THEN '{' ELSE '[' END) || array_to_string(list_transform(list_filter(` + jsonbEntries(x, "s"+t) + `, ` +
		e + ` -> (` + e + `.k IS NULL OR json_type(` + e + `.v) <> 'NULL')), ` + e + ` -> (coalesce(CAST(to_json(` + e + `.k) AS varchar) || ':', '') || ` +
		jsonbStripLevel(e+".v", d+1) + `)), ',') || (CASE json_type(` + x + `) WHEN 'OBJECT' THEN '}' ELSE ']' END) END)`
}

// jsonbConcatSQL is quiver_jsonb_concat, $1 || $2 on jsonb: two objects
// merge (the right one's keys winning), otherwise the elements of both
// (a scalar or an object being one element) make one array.
const jsonbConcatSQL = `pg_catalog.quiver_jsonb_out(CASE WHEN coalesce($1) IS NULL OR coalesce($2) IS NULL THEN NULL ELSE (list_transform(ARRAY[struct_pack(x := json(CAST($1 AS "json")), y := json(CAST($2 AS "json")))], _g -> (
  CASE WHEN json_type(_g.x) = 'OBJECT' AND json_type(_g.y) = 'OBJECT' THEN
    '{' || array_to_string(list_filter(ARRAY[substr(CAST(_g.x AS varchar), 2, length(CAST(_g.x AS varchar)) - 2), substr(CAST(_g.y AS varchar), 2, length(CAST(_g.y AS varchar)) - 2)], _s -> (_s <> '')), ',') || '}'
  ELSE '[' || array_to_string(list_filter(ARRAY[
    CASE WHEN json_type(_g.x) = 'ARRAY' THEN substr(CAST(_g.x AS varchar), 2, length(CAST(_g.x AS varchar)) - 2) ELSE CAST(_g.x AS varchar) END,
    CASE WHEN json_type(_g.y) = 'ARRAY' THEN substr(CAST(_g.y AS varchar), 2, length(CAST(_g.y AS varchar)) - 2) ELSE CAST(_g.y AS varchar) END], _s -> (_s <> '')), ',') || ']' END)))[1] END)`

func init() {
	functions["quiver_jsonb_out/1"] = jsonbOutSQL
	functions["quiver_jsonb_contains/2"] = jsonbContainsSQL
	functions["quiver_contains/2"] = containsSQL
	functions["quiver_array_contains/2"] = arrayContainsSQL
	functions["quiver_jsonb_delete/2"] = jsonbDeleteSQL
	functions["quiver_jsonb_delete_path/2"] = jsonbPathSQL(pathDelete, "")
	functions["jsonb_set/3"] = jsonbPathSQL(pathSet, "true")
	functions["jsonb_set/4"] = jsonbPathSQL(pathSet, "$4")
	functions["jsonb_insert/3"] = jsonbPathSQL(pathInsert, "false")
	functions["jsonb_insert/4"] = jsonbPathSQL(pathInsert, "$4")
	functions["jsonb_strip_nulls/1"] = `pg_catalog.quiver_jsonb_out(` + let("_x", `json(CAST($1 AS "json"))`, jsonbStripLevel("_x", 1)) + `)`
	functions["quiver_jsonb_concat/2"] = jsonbConcatSQL
}
