// Package duckdb is quiver's embedded DuckDB backend. It implements the
// backends.Backend contract on DuckDB's C API (through
// github.com/duckdb/duckdb-go-bindings) and streams results as Arrow record
// batches converted chunk by chunk, so a large result is never held in
// memory.
//
// The package needs the build tag duckdb_arrow, which enables the bindings'
// Arrow conversion functions:
//
//	go test -tags duckdb_arrow ./backends/duckdb/...
//
// # Behaviour worth knowing
//
//   - Each Session is one DuckDB connection on the Backend's one database.
//     "duckdb:" opens an in-memory database shared by all sessions of the
//     Backend; "duckdb:PATH" opens a database file.
//   - Results stream: a query's Rows pulls one DuckDB data chunk (2,048 rows)
//     per Next, so memory stays flat whatever the result size
//     (bench/duckdb_rss: 10M rows stream in about 11 MB over the baseline,
//     where duckdb-go's Arrow.QueryContext holds the whole result). DuckDB
//     computes ahead into a buffer of about 1 MB before Query returns.
//     Options.BatchRows can join chunks into bigger batches, at the cost of
//     a copy; it measured slower, with no gain for the PostgreSQL encoder,
//     so it is off by default.
//   - Each session keeps the statements it runs more than once prepared,
//     by SQL text (Options.StatementCache, 256 by default), since DuckDB
//     takes several times longer to plan a small statement than to run it.
//     Plans are made again when a statement that may change them (SET, DDL,
//     ATTACH, ...) has run in any session; see cache.go.
//   - DuckDB closes a connection's open streaming result when the connection
//     runs anything else, so before a session runs a new statement it reads
//     the rest of an open stream into memory; the old Rows then continues
//     from there, and still obeys its context.
//   - Result fields are DuckDB's own Arrow export. UUID and JSON columns,
//     which DuckDB exports as strings, carry backends.MetaPGType (uuid,
//     json) so they reach clients with their PostgreSQL types. So do
//     columns and parameters of OIDType, a BIGINT the backend registers in
//     each database for PostgreSQL's oid (the catalog's OIDs), and lists of
//     it: they are oid and oid[].
//   - Cancelling the context of a statement interrupts the connection, during
//     execution and while its rows are read. The error is SQLSTATE 57014.
//   - DuckDB errors are mapped to SQLSTATEs by error type and message, and
//     reworded the way PostgreSQL words them where it has an equivalent; see
//     errors.go. Known differences from PostgreSQL: 1/0 is +Inf and 1//0 is
//     NULL in DuckDB, not error 22012; a unique violation does not name the
//     constraint; BEGIN inside a transaction is an error (25001) that also
//     aborts the transaction, where PostgreSQL only warns; COMMIT and ROLLBACK
//     outside a transaction are errors (25P01), where PostgreSQL only warns.
//   - A failed statement inside an explicit transaction aborts it, as in
//     PostgreSQL: later statements fail with 25P02 until ROLLBACK (or COMMIT,
//     which DuckDB then treats as a rollback).
package duckdb
