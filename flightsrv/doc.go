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
// connections opened with the same backends.SessionInfo. A session is found
// from, in order:
//
//   - a handle the request carries (a statement ticket, a prepared
//     statement handle, a transaction or savepoint id). Handles name the
//     session that made them, so prepared statements and transactions work
//     for clients that keep no cookies and send no token, such as arrow-go's
//     database/sql driver. Handles hold 128 random bits; with
//     authentication on, a handle is honoured only for the user who made it.
//   - a bearer token ("authorization: Bearer ..."), issued by Handshake or on
//     the first call authenticated with Basic credentials;
//   - the session cookie arrow_flight_session_id, which every response that
//     creates a session sets (the cookie arrow-go's session middleware and
//     the JDBC driver use).
//
// Failing all three, the call gets a new session. A session the client has
// not come back to (by token or cookie) is ephemeral: it is closed at the
// end of the call that leaves it holding nothing (no prepared statement,
// open transaction, unread statement ticket or session option). So a
// client that keeps no cookies costs one backend connection per call, not a
// leak. Any other session is closed after Config.SessionIdleTimeout without
// a call, or at CloseSession.
//
// Within a session, the autocommit connection runs statements outside
// transactions; each Flight SQL transaction (BeginTransaction) gets a
// connection of its own running BEGIN ... COMMIT, so statements sent
// without the transaction id stay outside it, as Flight SQL requires. A
// connection freed by a transaction is kept as a spare for the next one.
// Calls on one backend connection are serialised with a mutex held for each
// backend call, including each Next of a streaming result, as the
// backends contract requires.
//
// # Statements
//
// GetFlightInfo for a query prepares it (Session.Prepare) to learn its
// schema without running it, and returns a ticket naming the prepared
// statement. DoGet executes it and streams its batches as the backend
// yields them. The ticket also carries the SQL, so it can be redeemed again
// (the statement is then prepared anew). CancelFlightInfo cancels the
// statement's context, which the backend turns into an interrupt.
//
// # Errors
//
// Backend errors carry a SQLSTATE (package pgerror). They reach the client
// as a gRPC status whose code comes from a table by SQLSTATE class (see
// errors.go), whose message ends with "(SQLSTATE xxxxx)", and whose details
// hold a google.rpc.ErrorInfo with domain "quiver" and metadata "sqlstate"
// (plus "severity", "detail", "hint" and "position" when known).
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
