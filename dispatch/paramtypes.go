package dispatch

// castTypeOIDs maps the type names the PostgreSQL grammar produces for
// casts ("integer" becomes pg_catalog.int4) to OIDs, for inferring a
// parameter's type from "$1::type" as PostgreSQL does.
var castTypeOIDs = map[string]uint32{
	"bool": 16, "boolean": 16, "bytea": 17, "name": 19, "int8": 20, "bigint": 20,
	"int2": 21, "smallint": 21, "int4": 23, "int": 23, "integer": 23, "text": 25,
	"oid": 26, "json": 114, "float4": 700, "real": 700, "float8": 701,
	"bpchar": 1042, "varchar": 1043, "date": 1082, "time": 1083,
	"timestamp": 1114, "timestamptz": 1184, "interval": 1186, "numeric": 1700,
	"decimal": 1700, "uuid": 2950, "jsonb": 3802,
}
