package types

// PostgreSQL type OIDs, as in pg_type.dat.
const (
	oidBool        uint32 = 16
	oidBytea       uint32 = 17
	oidName        uint32 = 19
	oidInt8        uint32 = 20
	oidInt2        uint32 = 21
	oidInt4        uint32 = 23
	oidText        uint32 = 25
	oidOID         uint32 = 26
	oidXID         uint32 = 28
	oidCID         uint32 = 29
	oidJSON        uint32 = 114
	oidXML         uint32 = 142
	oidFloat4      uint32 = 700
	oidFloat8      uint32 = 701
	oidBPChar      uint32 = 1042
	oidVarchar     uint32 = 1043
	oidDate        uint32 = 1082
	oidTime        uint32 = 1083
	oidTimestamp   uint32 = 1114
	oidTimestamptz uint32 = 1184
	oidInterval    uint32 = 1186
	oidNumeric     uint32 = 1700
	oidRecord      uint32 = 2249
	oidUUID        uint32 = 2950
	oidJSONB       uint32 = 3802
)

// pgType describes one built-in PostgreSQL type: its array type and typlen.
type pgType struct {
	name  string
	array uint32 // OID of the array type whose elements are this type
	size  int16  // typlen: -1 for varlena
}

// pgTypes holds every type quiver can produce or accept, keyed by OID.
var pgTypes = map[uint32]pgType{
	oidBool:        {"boolean", 1000, 1},
	oidBytea:       {"bytea", 1001, -1},
	oidName:        {"name", 1003, 64},
	oidInt8:        {"bigint", 1016, 8},
	oidInt2:        {"smallint", 1005, 2},
	oidInt4:        {"integer", 1007, 4},
	oidText:        {"text", 1009, -1},
	oidOID:         {"oid", 1028, 4},
	oidXID:         {"xid", 1011, 4},
	oidCID:         {"cid", 1012, 4},
	oidJSON:        {"json", 199, -1},
	oidXML:         {"xml", 143, -1},
	oidFloat4:      {"real", 1021, 4},
	oidFloat8:      {"double precision", 1022, 8},
	oidBPChar:      {"character", 1014, -1},
	oidVarchar:     {"character varying", 1015, -1},
	oidDate:        {"date", 1182, 4},
	oidTime:        {"time without time zone", 1183, 8},
	oidTimestamp:   {"timestamp without time zone", 1115, 8},
	oidTimestamptz: {"timestamp with time zone", 1185, 8},
	oidInterval:    {"interval", 1187, 16},
	oidNumeric:     {"numeric", 1231, -1},
	oidRecord:      {"record", 2287, -1},
	oidUUID:        {"uuid", 2951, 16},
	oidJSONB:       {"jsonb", 3807, -1},
}

// elemOIDs maps an array type's OID to its element type's OID.
var elemOIDs = func() map[uint32]uint32 {
	m := make(map[uint32]uint32, len(pgTypes))
	for oid, t := range pgTypes {
		m[t.array] = oid
	}
	return m
}()

// typeSize returns PostgreSQL's typlen for oid: -1 for arrays and unknown
// types, which are varlena.
func typeSize(oid uint32) int16 {
	if t, ok := pgTypes[oid]; ok {
		return t.size
	}
	return -1
}

// arrayOID returns the OID of the array type over elem, or 0.
func arrayOID(elem uint32) uint32 { return pgTypes[elem].array }

// typeName returns the name PostgreSQL's error messages use for oid.
func typeName(oid uint32) string {
	if t, ok := pgTypes[oid]; ok {
		return t.name
	}
	if e, ok := elemOIDs[oid]; ok {
		return pgTypes[e].name + "[]"
	}
	return "unknown"
}
