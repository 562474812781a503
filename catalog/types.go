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
	collate  bool   // collatable (typcollation 100)
	// duckdb holds the DuckDB type names (duckdb_columns().data_type
	// without modifiers) that quiver sends to clients as this type; see
	// types/plan.go for the Arrow side of the same mapping.
	duckdb []string
}

// builtinTypes are PostgreSQL's OIDs and names (pg_type.dat) for the types
// quiver produces, and a few that clients look up by name.
var builtinTypes = []pgType{
	{16, "bool", "boolean", 1, 'B', 'p', 1000, false, []string{"BOOLEAN"}},
	{17, "bytea", "bytea", -1, 'U', 'x', 1001, false, []string{"BLOB"}},
	{18, "char", `"char"`, 1, 'Z', 'p', 1002, false, nil},
	{19, "name", "name", 64, 'S', 'p', 1003, true, nil},
	{20, "int8", "bigint", 8, 'N', 'p', 1016, false, []string{"BIGINT", "UINTEGER"}},
	{21, "int2", "smallint", 2, 'N', 'p', 1005, false, []string{"SMALLINT", "TINYINT", "UTINYINT"}},
	{23, "int4", "integer", 4, 'N', 'p', 1007, false, []string{"INTEGER", "USMALLINT"}},
	{24, "regproc", "regproc", 4, 'N', 'p', 1008, false, nil},
	{25, "text", "text", -1, 'S', 'x', 1009, true, []string{"VARCHAR"}},
	{26, "oid", "oid", 4, 'N', 'p', 1028, false, nil},
	{114, "json", "json", -1, 'U', 'x', 199, false, []string{"JSON"}},
	{700, "float4", "real", 4, 'N', 'p', 1021, false, []string{"FLOAT"}},
	{701, "float8", "double precision", 8, 'N', 'p', 1022, false, []string{"DOUBLE"}},
	{1042, "bpchar", "character", -1, 'S', 'x', 1014, true, nil},
	{1043, "varchar", "character varying", -1, 'S', 'x', 1015, true, nil},
	{1082, "date", "date", 4, 'D', 'p', 1182, false, []string{"DATE"}},
	{1083, "time", "time without time zone", 8, 'D', 'p', 1183, false, []string{"TIME", "TIME_NS"}},
	{1114, "timestamp", "timestamp without time zone", 8, 'D', 'p', 1115, false,
		[]string{"TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS"}},
	{1184, "timestamptz", "timestamp with time zone", 8, 'D', 'p', 1185, false, []string{"TIMESTAMP WITH TIME ZONE"}},
	{1186, "interval", "interval", 16, 'T', 'p', 1187, false, []string{"INTERVAL"}},
	{1266, "timetz", "time with time zone", 12, 'D', 'p', 1270, false, []string{"TIME WITH TIME ZONE"}},
	{1560, "bit", "bit", -1, 'V', 'x', 1561, false, []string{"BIT"}},
	{1700, "numeric", "numeric", -1, 'N', 'm', 1231, false,
		[]string{"DECIMAL", "HUGEINT", "UHUGEINT", "UBIGINT", "BIGNUM", "VARINT"}},
	{2205, "regclass", "regclass", 4, 'N', 'p', 2210, false, nil},
	{2206, "regtype", "regtype", 4, 'N', 'p', 2211, false, nil},
	{2249, "record", "record", -1, 'P', 'x', 2287, false, []string{"STRUCT"}},
	{2950, "uuid", "uuid", 16, 'U', 'p', 2951, false, []string{"UUID"}},
	{3802, "jsonb", "jsonb", -1, 'U', 'x', 3807, false, nil},
	{4089, "regnamespace", "regnamespace", 4, 'N', 'p', 4090, false, nil},
	{4096, "regrole", "regrole", 4, 'N', 'p', 4097, false, nil},
}

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
			b.WriteString("(" + quote(d) + ", " + u(t.oid) + "::bigint, " + u(t.array) + "::bigint, " +
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
	for i, t := range builtinTypes {
		if i > 0 {
			b.WriteString(", ")
		}
		// oid, typname, typlen, typtype, typcategory, typelem, typarray, typstorage, typcollation, typinput
		b.WriteString("(" + u(t.oid) + "::bigint, " + quote(t.typname) + ", " + strconv.Itoa(t.length) + ", 'b', " +
			quote(string(t.category)) + ", 0::bigint, " + u(t.array) + "::bigint, " + quote(string(t.storage)) + ", " +
			strconv.Itoa(collation(t)) + "::bigint, " + quote(t.typname+"in") + ")")
		b.WriteString(", (" + u(t.array) + "::bigint, " + quote("_"+t.typname) + ", -1, 'b', 'A', " + u(t.oid) +
			"::bigint, 0::bigint, 'x', " + strconv.Itoa(collation(t)) + "::bigint, 'array_in')")
	}
	b.WriteString(") AS t(oid, typname, typlen, typtype, typcategory, typelem, typarray, typstorage, typcollation, typinput)")
	return b.String()
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
		case 1043, 1042, 1560:
			base = "CASE WHEN $2 >= 4 THEN " + quote(t.sqlname+"(") + " || ($2 - 4) || ')' ELSE " + quote(t.sqlname) + " END"
		case 1114, 1184, 1083, 1266:
			kind, zone, _ := strings.Cut(t.sqlname, " ")
			base = "CASE WHEN $2 >= 0 THEN " + quote(kind+"(") + " || $2 || " + quote(") "+zone) + " ELSE " + quote(t.sqlname) + " END"
		}
		b.WriteString(" WHEN " + u(t.oid) + " THEN " + base)
		b.WriteString(" WHEN " + u(t.array) + " THEN (" + base + ") || '[]'")
	}
	b.WriteString(" ELSE NULL END")
	return b.String()
}

func collation(t pgType) int {
	if t.collate {
		return 100
	}
	return 0
}

func u(n uint32) string { return strconv.FormatUint(uint64(n), 10) }

// quote renders s as an SQL string literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
