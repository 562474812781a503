package catalog

import (
	"strconv"
	"strings"
)

// pgType is one built-in PostgreSQL type the catalog shows in pg_type.
type pgType struct {
	oid      uint32
	typname  string // pg_type.typname
	sqlname  string // what format_type prints
	length   int    // typlen
	category byte   // typcategory
	storage  byte   // typstorage, the default attstorage of columns
	array    uint32 // OID of the array type of this type
	coll     uint32 // typcollation: 100 (default) for collatable types, else 0
	// duckdb holds the DuckDB type names (duckdb_columns().data_type
	// without modifiers) that quiver sends to clients as this type; see
	// types/plan.go for the Arrow side of the same mapping.
	duckdb []string
}

// builtinTypes are PostgreSQL's OIDs and names (pg_type.dat) for the types
// quiver produces, and a few that clients look up by name.
var builtinTypes = []pgType{
	{16, "bool", "boolean", 1, 'B', 'p', 1000, 0, []string{"BOOLEAN"}},
	{17, "bytea", "bytea", -1, 'U', 'x', 1001, 0, []string{"BLOB"}},
	{18, "char", `"char"`, 1, 'Z', 'p', 1002, 0, nil},
	{19, "name", "name", 64, 'S', 'p', 1003, 950, nil},
	{20, "int8", "bigint", 8, 'N', 'p', 1016, 0, []string{"BIGINT", "UINTEGER"}},
	{21, "int2", "smallint", 2, 'N', 'p', 1005, 0, []string{"SMALLINT", "TINYINT", "UTINYINT"}},
	{23, "int4", "integer", 4, 'N', 'p', 1007, 0, []string{"INTEGER", "USMALLINT"}},
	{24, "regproc", "regproc", 4, 'N', 'p', 1008, 0, nil},
	{25, "text", "text", -1, 'S', 'x', 1009, 100, []string{"VARCHAR"}},
	{26, "oid", "oid", 4, 'N', 'p', 1028, 0, nil},
	{114, "json", "json", -1, 'U', 'x', 199, 0, []string{"JSON"}},
	{700, "float4", "real", 4, 'N', 'p', 1021, 0, []string{"FLOAT"}},
	{701, "float8", "double precision", 8, 'N', 'p', 1022, 0, []string{"DOUBLE"}},
	{1042, "bpchar", "character", -1, 'S', 'x', 1014, 100, nil},
	{1043, "varchar", "character varying", -1, 'S', 'x', 1015, 100, nil},
	{1082, "date", "date", 4, 'D', 'p', 1182, 0, []string{"DATE"}},
	{1083, "time", "time without time zone", 8, 'D', 'p', 1183, 0, []string{"TIME", "TIME_NS"}},
	{1114, "timestamp", "timestamp without time zone", 8, 'D', 'p', 1115, 0,
		[]string{"TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS"}},
	{1184, "timestamptz", "timestamp with time zone", 8, 'D', 'p', 1185, 0, []string{"TIMESTAMP WITH TIME ZONE"}},
	{1186, "interval", "interval", 16, 'T', 'p', 1187, 0, []string{"INTERVAL"}},
	{1266, "timetz", "time with time zone", 12, 'D', 'p', 1270, 0, []string{"TIME WITH TIME ZONE"}},
	{1560, "bit", "bit", -1, 'V', 'x', 1561, 0, []string{"BIT"}},
	{1700, "numeric", "numeric", -1, 'N', 'm', 1231, 0,
		[]string{"DECIMAL", "HUGEINT", "UHUGEINT", "UBIGINT", "BIGNUM", "VARINT"}},
	{2205, "regclass", "regclass", 4, 'N', 'p', 2210, 0, nil},
	{2206, "regtype", "regtype", 4, 'N', 'p', 2211, 0, nil},
	{2249, "record", "record", -1, 'P', 'x', 2287, 0, []string{"STRUCT"}},
	{2950, "uuid", "uuid", 16, 'U', 'p', 2951, 0, []string{"UUID"}},
	{3802, "jsonb", "jsonb", -1, 'U', 'x', 3807, 0, nil},
	{4089, "regnamespace", "regnamespace", 4, 'N', 'p', 4090, 0, nil},
	{4096, "regrole", "regrole", 4, 'N', 'p', 4097, 0, nil},
}

// typeFuncs are the I/O functions of a built-in type, with PostgreSQL's
// OIDs (pg_proc.dat), and the type's alignment.
type typeFuncs struct {
	align byte // typalign
	// prefix names the functions: prefix+"in", "out", "recv" and "send".
	prefix string
	io     [4]uint32 // OIDs of typinput, typoutput, typreceive, typsend
	typmod [2]uint32 // OIDs of typmodin and typmodout, 0 if none
	subscr uint32    // OID of typsubscript, 0 if none
}

// builtinFuncs holds the typeFuncs of each of builtinTypes, by type OID.
var builtinFuncs = map[uint32]typeFuncs{
	16:   {'c', "bool", [4]uint32{1242, 1243, 2436, 2437}, [2]uint32{}, 0},
	17:   {'i', "bytea", [4]uint32{1244, 31, 2412, 2413}, [2]uint32{}, 0},
	18:   {'c', "char", [4]uint32{1245, 33, 2434, 2435}, [2]uint32{}, 0},
	19:   {'c', "name", [4]uint32{34, 35, 2422, 2423}, [2]uint32{}, 6180},
	20:   {'d', "int8", [4]uint32{460, 461, 2408, 2409}, [2]uint32{}, 0},
	21:   {'s', "int2", [4]uint32{38, 39, 2404, 2405}, [2]uint32{}, 0},
	23:   {'i', "int4", [4]uint32{42, 43, 2406, 2407}, [2]uint32{}, 0},
	24:   {'i', "regproc", [4]uint32{44, 45, 2444, 2445}, [2]uint32{}, 0},
	25:   {'i', "text", [4]uint32{46, 47, 2414, 2415}, [2]uint32{}, 0},
	26:   {'i', "oid", [4]uint32{1798, 1799, 2418, 2419}, [2]uint32{}, 0},
	114:  {'i', "json_", [4]uint32{321, 322, 323, 324}, [2]uint32{}, 0},
	700:  {'i', "float4", [4]uint32{200, 201, 2424, 2425}, [2]uint32{}, 0},
	701:  {'d', "float8", [4]uint32{214, 215, 2426, 2427}, [2]uint32{}, 0},
	1042: {'i', "bpchar", [4]uint32{1044, 1045, 2430, 2431}, [2]uint32{2913, 2914}, 0},
	1043: {'i', "varchar", [4]uint32{1046, 1047, 2432, 2433}, [2]uint32{2915, 2916}, 0},
	1082: {'i', "date_", [4]uint32{1084, 1085, 2468, 2469}, [2]uint32{}, 0},
	1083: {'d', "time_", [4]uint32{1143, 1144, 2470, 2471}, [2]uint32{2909, 2910}, 0},
	1114: {'d', "timestamp_", [4]uint32{1312, 1313, 2474, 2475}, [2]uint32{2905, 2906}, 0},
	1184: {'d', "timestamptz_", [4]uint32{1150, 1151, 2476, 2477}, [2]uint32{2907, 2908}, 0},
	1186: {'d', "interval_", [4]uint32{1160, 1161, 2478, 2479}, [2]uint32{2903, 2904}, 0},
	1266: {'d', "timetz_", [4]uint32{1350, 1351, 2472, 2473}, [2]uint32{2911, 2912}, 0},
	1560: {'i', "bit_", [4]uint32{1564, 1565, 2456, 2457}, [2]uint32{2919, 2920}, 0},
	1700: {'i', "numeric_", [4]uint32{1701, 1702, 2460, 2461}, [2]uint32{2917, 2918}, 0},
	2205: {'i', "regclass", [4]uint32{2218, 2219, 2452, 2453}, [2]uint32{}, 0},
	2206: {'i', "regtype", [4]uint32{2220, 2221, 2454, 2455}, [2]uint32{}, 0},
	2249: {'d', "record_", [4]uint32{2290, 2291, 2402, 2403}, [2]uint32{}, 0},
	2950: {'c', "uuid_", [4]uint32{2952, 2953, 2961, 2962}, [2]uint32{}, 0},
	3802: {'i', "jsonb_", [4]uint32{3806, 3804, 3805, 3803}, [2]uint32{}, 6098},
	4089: {'i', "regnamespace", [4]uint32{4084, 4085, 4087, 4088}, [2]uint32{}, 0},
	4096: {'i', "regrole", [4]uint32{4098, 4092, 4094, 4095}, [2]uint32{}, 0},
}

// arrayFuncs and enumFuncs are the functions of all array and all enum
// types.
var (
	arrayFuncs = typeFuncs{'i', "array_", [4]uint32{750, 751, 2400, 2401}, [2]uint32{}, 6179}
	enumFuncs  = typeFuncs{'i', "enum_", [4]uint32{3506, 3507, 3532, 3533}, [2]uint32{}, 0}
)

// enumIO is the typinput ... typsubscript columns of pg_type for enums.
var enumIO = func() string {
	var cols []string
	for _, o := range enumFuncs.io {
		cols = append(cols, u(o)+"::bigint")
	}
	return strings.Join(cols, ", ") + ", 0::bigint, 0::bigint, 0::bigint"
}()

// arrayOf returns the functions of the array type of a type with f: the
// array functions, the element's type modifier functions, and double
// alignment if the element has it.
func arrayOf(f typeFuncs) typeFuncs {
	a := arrayFuncs
	if f.align == 'd' {
		a.align = 'd'
	}
	a.typmod = f.typmod
	return a
}

// elemOf holds typelem for the base types that have one: name can be
// subscripted as an array of "char".
var elemOf = map[uint32]uint32{19: 18}

// typeAliases are the other names PostgreSQL accepts for built-in types
// in a regtype literal.
var typeAliases = map[string]string{
	"boolean": "bool", "integer": "int4", "int": "int4", "smallint": "int2", "bigint": "int8",
	"real": "float4", "double precision": "float8", "character varying": "varchar",
	"character": "bpchar", "decimal": "numeric", "timestamp without time zone": "timestamp",
	"timestamp with time zone": "timestamptz", "time without time zone": "time",
	"time with time zone": "timetz", `"char"`: "char",
}

// TypeOID returns the OID of a built-in type by any of its PostgreSQL
// names ("int4", "integer", "pg_catalog.int4", "integer[]"), for regtype
// literals.
func TypeOID(name string) (uint32, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.TrimPrefix(n, "pg_catalog.")
	isArray := strings.HasSuffix(n, "[]")
	n = strings.TrimSuffix(n, "[]")
	if a, ok := typeAliases[n]; ok {
		n = a
	}
	array := strings.HasPrefix(n, "_")
	n = strings.TrimPrefix(n, "_")
	for _, t := range builtinTypes {
		if t.typname == n {
			if isArray || array {
				return t.array, true
			}
			return t.oid, true
		}
	}
	return 0, false
}

// typeMapSQL is a VALUES list mapping DuckDB type names to PostgreSQL type
// OIDs, array OIDs and default storage, for pg_attribute.
func typeMapSQL() string {
	var b strings.Builder
	b.WriteString("SELECT * FROM (VALUES ")
	first := true
	for _, t := range builtinTypes {
		for _, d := range t.duckdb {
			if !first {
				b.WriteString(", ")
			}
			first = false
			b.WriteString("(" + quote(d) + ", " + u(t.oid) + "::quiver_oid, " + u(t.array) + "::quiver_oid, " +
				quote(string(t.storage)) + ", " + strconv.Itoa(t.length) + ", " + strconv.Itoa(collation(t)) + ")")
		}
	}
	b.WriteString(") AS m(duckdb, oid, arrayoid, storage, len, typcollation)")
	return b.String()
}

// pgTypeSQL is the rows of pg_type for built-in types and their arrays.
func pgTypeSQL() string {
	var b strings.Builder
	b.WriteString("SELECT * FROM (VALUES ")
	row := func(oid uint32, name string, length int, category byte, elem, array uint32, storage byte, coll int, f typeFuncs) {
		if b.Len() > len("SELECT * FROM (VALUES ") {
			b.WriteString(", ")
		}
		typtype := "'b'"
		if category == 'P' {
			typtype = "'p'" // record and record[] are pseudo-types
		}
		b.WriteString("(" + u(oid) + "::quiver_oid, " + quote(name) + ", " + strconv.Itoa(length) + ", " + typtype + ", " +
			quote(string(category)) + ", " + u(elem) + "::quiver_oid, " + u(array) + "::quiver_oid, " + quote(string(storage)) + ", " +
			strconv.Itoa(coll) + "::quiver_oid, " + quote(string(f.align)))
		for _, o := range f.io {
			b.WriteString(", " + u(o) + "::bigint")
		}
		b.WriteString(", " + u(f.typmod[0]) + "::bigint, " + u(f.typmod[1]) + "::bigint, " + u(f.subscr) + "::bigint)")
	}
	for _, t := range builtinTypes {
		f := builtinFuncs[t.oid]
		row(t.oid, t.typname, t.length, t.category, elemOf[t.oid], t.array, t.storage, collation(t), f)
		cat := byte('A')
		if t.category == 'P' {
			cat = 'P'
		}
		row(t.array, "_"+t.typname, -1, cat, t.oid, 0, 'x', collation(t), arrayOf(f))
	}
	b.WriteString(") AS t(oid, typname, typlen, typtype, typcategory, typelem, typarray, typstorage, typcollation, typalign, " +
		"typinput, typoutput, typreceive, typsend, typmodin, typmodout, typsubscript)")
	return b.String()
}

// pgProcSQL is the rows of pg_proc for the built-in types' functions, which
// pg_type's typinput, typoutput, typreceive, typsend, typmodin, typmodout
// and typsubscript refer to: each function's OID, name, result type and
// argument types.
func pgProcSQL() string {
	var b strings.Builder
	seen := make(map[uint32]bool)
	row := func(oid uint32, name string, ret uint32, args ...uint32) {
		if oid == 0 || seen[oid] {
			return
		}
		seen[oid] = true
		if len(seen) > 1 {
			b.WriteString(", ")
		}
		var a []string
		for _, x := range args {
			a = append(a, u(x))
		}
		b.WriteString("(" + u(oid) + "::quiver_oid, " + quote(name) + ", " + u(ret) + "::quiver_oid, ARRAY[" + strings.Join(a, ", ") + "]::bigint[])")
	}
	const cstring, internal, bytea, int4, oid, cstringArray = 2275, 2281, 17, 23, 26, 1263
	funcs := func(typ uint32, f typeFuncs) {
		row(f.io[0], f.prefix+"in", typ, cstring, oid, int4)
		row(f.io[1], f.prefix+"out", cstring, typ)
		row(f.io[2], f.prefix+"recv", typ, internal, oid, int4)
		row(f.io[3], f.prefix+"send", bytea, typ)
		name := strings.TrimSuffix(f.prefix, "_")
		row(f.typmod[0], name+"typmodin", int4, cstringArray)
		row(f.typmod[1], name+"typmodout", cstring, int4)
	}
	for _, t := range builtinTypes {
		funcs(t.oid, builtinFuncs[t.oid])
	}
	funcs(2277, arrayFuncs)
	funcs(3500, enumFuncs)
	row(6098, "jsonb_subscript_handler", internal, internal)
	row(6179, "array_subscript_handler", internal, internal)
	row(6180, "raw_array_subscript_handler", internal, internal)
	return "SELECT * FROM (VALUES " + b.String() + ") AS p(oid, proname, prorettype, proargtypes)"
}

// formatTypeSQL is format_type($1, $2) for built-in types: PostgreSQL's
// printed names with their modifiers; other OIDs are looked up in pg_type.
// $1 appears once, in a simple CASE, since it may be a large expression.
func formatTypeSQL() string {
	var b strings.Builder
	b.WriteString("CASE $1")
	for _, t := range builtinTypes {
		base := quote(t.sqlname)
		switch t.oid {
		case 1700:
			base = "CASE WHEN $2 >= 4 THEN 'numeric(' || (($2 - 4) // 65536) || ',' || (($2 - 4) % 65536) || ')' ELSE 'numeric' END"
		case 1043, 1560:
			base = "CASE WHEN $2 >= 4 THEN " + quote(t.sqlname+"(") + " || ($2 - 4) || ')' ELSE " + quote(t.sqlname) + " END"
		case 1042:
			// bpchar without a length is not character, which means
			// character(1): format_type prints it bpchar.
			base = "CASE WHEN $2 >= 4 THEN 'character(' || ($2 - 4) || ')' WHEN $2 IS NULL THEN 'character' ELSE 'bpchar' END"
		case 1114, 1184, 1083, 1266:
			kind, zone, _ := strings.Cut(t.sqlname, " ")
			base = "CASE WHEN $2 >= 0 THEN " + quote(kind+"(") + " || $2 || " + quote(") "+zone) + " ELSE " + quote(t.sqlname) + " END"
		case 1186:
			base = intervalTypmodSQL
		}
		b.WriteString(" WHEN " + u(t.oid) + " THEN " + base)
		b.WriteString(" WHEN " + u(t.array) + " THEN (" + base + ") || '[]'")
	}
	b.WriteString(" ELSE NULL END")
	return b.String()
}

// intervalTypmodSQL is format_type's interval with the modifier $2, as
// intervaltypmodout prints it: the fields' range (the modifier's upper
// half, of INTERVAL_MASK bits) and the precision (its lower half) unless
// full.
const intervalTypmodSQL = `CASE WHEN $2 IS NULL OR $2 < 0 THEN 'interval' ELSE 'interval' ||
  (CASE ($2 // 65536) % 32768 WHEN 4 THEN ' year' WHEN 2 THEN ' month' WHEN 8 THEN ' day' WHEN 1024 THEN ' hour'
    WHEN 2048 THEN ' minute' WHEN 4096 THEN ' second' WHEN 6 THEN ' year to month' WHEN 1032 THEN ' day to hour'
    WHEN 3080 THEN ' day to minute' WHEN 7176 THEN ' day to second' WHEN 3072 THEN ' hour to minute'
    WHEN 7168 THEN ' hour to second' WHEN 6144 THEN ' minute to second' ELSE '' END) ||
  (CASE WHEN $2 % 65536 = 65535 THEN '' ELSE '(' || ($2 % 65536) || ')' END) END`

func collation(t pgType) int { return int(t.coll) }

func u(n uint32) string { return strconv.FormatUint(uint64(n), 10) }

// quote renders s as an SQL string literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
