package catalog

// Catalog snapshots.
//
// The relations below are costly to compute from DuckDB's metadata
// functions (tens of milliseconds each, in planning and in many small
// pipelines), and psql's \d runs a dozen queries over them. Their rows
// depend only on the database's committed schema: not on the session's
// settings, user or search path. A session whose view of the schema is the
// committed one (no uncommitted DDL, no temporary objects) may therefore
// read them from tables built once for that schema and shared by every
// session: the snapshot, kept in the in-memory database SnapshotDatabase.
//
// Which snapshot a session may read is decided by Fingerprint: a hash of
// everything the snapshotted relations are computed from, as the session
// sees it. A snapshot table is built together with the fingerprint of the
// schema it was built from; a session reads it only when its own
// fingerprint is the same.

// SnapshotDatabase is the DuckDB database that holds the snapshot tables.
const SnapshotDatabase = "quiver$catalog"

// snapshotRelations are the catalog relations that may be read from the
// snapshot. None of them reads a session's settings, user, search path or
// time (dialect.TestSnapshotRelationsSessionFree).
var snapshotRelations = []string{
	"quiver_conbase", "quiver_columns", "quiver_indexcols", "quiver_indexes", "quiver_indexdefs",
	"pg_attribute", "pg_attrdef", "pg_class", "pg_constraint", "pg_description", "pg_index", "pg_type",
}

// SnapshotRelations returns the names of the relations the snapshot holds.
func SnapshotRelations() []string { return append([]string(nil), snapshotRelations...) }

// SnapshotTable is the table that holds relation name's snapshot.
func SnapshotTable(name string) string {
	return quoteIdent(SnapshotDatabase) + ".main." + quoteIdent(name)
}

// AttachSnapshot is DuckDB's statement that makes SnapshotDatabase; the
// database is the DuckDB instance's, shared by all its connections.
// READ_WRITE lets a read-only instance (access_mode=read_only) make it,
// which it refuses to an in-memory database otherwise.
var AttachSnapshot = "ATTACH IF NOT EXISTS ':memory:' AS " + quoteIdent(SnapshotDatabase) + " (READ_WRITE)"

// Fingerprint is a DuckDB query whose one value, a UBIGINT, changes
// whenever anything the snapshot relations are computed from changes, as
// the session running it sees the schema: tables (their SQL has the
// columns, defaults and constraints), indexes, views, sequences, types,
// schemas, and the comments on them all. It covers the session's
// temporary objects too, which no snapshot holds, so that a session with
// any never matches one. Row counts are left out: pg_class.reltuples is
// an estimate in PostgreSQL too.
var Fingerprint = `SELECT hash(string_agg(x, ';' ORDER BY x)) FROM (
SELECT concat_ws('|', 't', database_name, table_oid, sql, comment) AS x FROM duckdb_tables() WHERE ` + notSnapshot + `
UNION ALL SELECT concat_ws('|', 'c', table_oid, column_name, comment) FROM duckdb_columns() WHERE comment IS NOT NULL AND ` + notSnapshot + `
UNION ALL SELECT concat_ws('|', 'i', index_oid, sql, comment) FROM duckdb_indexes() WHERE ` + notSnapshot + `
UNION ALL SELECT concat_ws('|', 'v', view_oid, sql, comment) FROM duckdb_views() WHERE NOT internal AND ` + notSnapshot + `
UNION ALL SELECT concat_ws('|', 's', sequence_oid, database_name, schema_name, sequence_name, comment) FROM duckdb_sequences() WHERE ` + notSnapshot + `
UNION ALL SELECT concat_ws('|', 'y', type_oid, database_name, schema_name, type_name, comment) FROM duckdb_types() WHERE NOT internal AND ` + notSnapshot + `
UNION ALL SELECT concat_ws('|', 'n', oid, database_name, schema_name, comment) FROM duckdb_schemas() WHERE NOT internal AND ` + notSnapshot + notTemp + `
UNION ALL SELECT concat_ws('|', 'd', database_oid, database_name) FROM duckdb_databases() WHERE ` + notSnapshot + notTemp + `) q`

// notTemp leaves out the connection's temporary database and its schema,
// which every connection has, each with its own OID; the objects in it
// are counted.
const notTemp = " AND database_name <> 'temp'"

const notSnapshot = "database_name <> '" + SnapshotDatabase + "'"
