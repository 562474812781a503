// Package flightsrv is quiver's Arrow Flight SQL frontend. It serves Flight
// SQL over gRPC on whatever backends.Backend quiver runs, beside the
// PostgreSQL protocol listener. It follows arrow-go's example server
// (arrow/flight/flightsql/example/sqlite_server.go): the handler embeds
// flightsql.BaseServer, and results stream batch by batch from the backend
// to the client, never held whole in memory.
//
// See https://arrow.apache.org/docs/format/FlightSql.html.
//
// # Sessions
//
// Each Flight client gets a session: one or more backends.Session
// connections opened with the same backends.SessionInfo. A call's session
// is found from, in order:
//
//   - a handle the request carries (a statement ticket, a prepared
//     statement handle, a transaction or savepoint id). Handles name the
//     session that made them. Handles hold 128 random bits; with
//     authentication on, a handle is honoured only for the user who made it.
//   - a bearer token ("authorization: Bearer ..."), issued by Handshake, or
//     the session cookie arrow_flight_session_id (the cookie of arrow-go's
//     session middleware and the JDBC driver);
//   - the gRPC connection: a client that presents neither gets one session
//     per connection (per user, with authentication), as a PostgreSQL
//     client gets one per connection. arrow-go's clients and its
//     database/sql driver keep one connection per client and neither
//     cookies nor tokens, so this is what they use.
//
// Responses of calls that use a session the client did not name carry its
// key, as a Set-Cookie header and an "authorization: Bearer" header, so a
// client that keeps either can come back to it on another connection (ADBC
// adopts the bearer token it is sent; arrow-go's cookie middleware and the
// JDBC driver keep the cookie).
// A session closes when its connection closes, unless the client reached
// it by key; after Config.SessionIdleTimeout without a call; or at
// CloseSession.
//
// Within a session, the autocommit connection runs statements outside
// transactions; each Flight SQL transaction (BeginTransaction) gets a
// connection of its own running BEGIN ... COMMIT, so statements sent
// without the transaction id stay outside it, as Flight SQL requires. A
// connection freed by a transaction is kept as a spare for the next one.
// A connection the backend reports it can no longer use (its IsValid
// returns false, as the postgres backend's does once its connection to
// PostgreSQL is closed) is closed rather than reused: the autocommit
// connection is opened again at the next call, and statements prepared on
// it are prepared again.
// Session options (SetSessionOptions "catalog" and "schema") apply to
// every connection of the session; a setting made with an SQL SET applies
// to the connection that ran it only.
// Calls on one backend connection are serialised with a mutex held for each
// backend call, including each Next of a streaming result, as the
// backends contract requires.
//
// # Statements
//
// GetFlightInfo for a query prepares it (Session.Prepare) to learn its
// schema without running it, and returns a ticket naming the prepared
// statement. DoGet executes it and streams its batches as the backend
// yields them; a batch over 2 MiB goes out in slices, since gRPC clients
// refuse messages over 4 MiB by default. The ticket also carries the SQL,
// so it can be redeemed again (the statement is then prepared anew).
// CancelFlightInfo cancels the statement's context, which the backend
// turns into an interrupt. A DoGet counts as running, and so cancellable,
// from the moment it takes the ticket's prepared statement, so that a
// CancelFlightInfo sent together with the DoGet finds either the ticket or
// the execution; one that comes before DoGet makes the DoGet fail.
//
// A query outside a transaction that the backend can read in parts (the
// postgres backend: one table scanned, see scan.go) gets up to
// Config.ScanParts unordered endpoints instead, read in parallel on
// connections of the session's own pool under one snapshot taken at
// GetFlightInfo.
//
// # Parameter batches
//
// DoPutPreparedStatementUpdate runs a prepared statement once for each row
// of the parameter batches the client sends (or bound before), and bulk
// ingestion without a backend bulk path (a temporary table on the postgres
// backend) runs a prepared INSERT the same way. When the backend statement
// is a backends.BatchExecutor (the postgres backend's INSERT, UPDATE,
// DELETE and MERGE without RETURNING), the rows go to it as one stream,
// which it pipelines in bounded chunks rather than one round trip per row:
//
//   - outside a transaction, all the rows run in one transaction: the
//     batch is all or nothing, whatever its size;
//   - inside a transaction (the request's transaction id), the rows run in
//     it, and an error PostgreSQL raises for a row fails the transaction,
//     as a failing statement does. An error quiver raises before sending a
//     row (a parameter it cannot convert) leaves the rows before it in the
//     transaction, as running them one by one would;
//   - an error for a row names it: the error's context (the ErrorInfo's
//     "where") ends with "parameter row N", counted from 1 across the
//     batches;
//   - cancelling the call (the client's context) stops the batch with
//     57014; outside a transaction nothing of it is left.
//
// Other statements (those that return rows) and other backends run the
// rows one after another, each committed on its own outside a transaction.
//
// # Errors
//
// Backend errors carry a SQLSTATE (package pgerror). They reach the client
// as a gRPC status whose code comes from a table by SQLSTATE class (see
// errors.go), whose message is the error's followed by "(SQLSTATE xxxxx)"
// (then DETAIL and HINT lines, as libpq prints them), and whose details
// hold a google.rpc.ErrorInfo with domain "quiver" and metadata "sqlstate"
// (plus "severity", "detail", "hint", "position" and "where", PostgreSQL's
// CONTEXT, when known).
//
// # Metadata
//
// Catalog commands (GetCatalogs, GetDbSchemas, GetTables, GetPrimaryKeys,
// the foreign key commands) run information_schema queries through
// Session.Prepare and Execute, which DuckDB and PostgreSQL both answer, so
// no backend needs a catalog API of its own. GetTables with include_schema
// prepares SELECT * FROM each table for its Arrow schema, so the schema is
// the one a query would return. GetSqlInfo and GetXdbcTypeInfo are probed
// from the backend once, on first use.
package flightsrv
