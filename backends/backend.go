// Package backends defines the seam between quiver's protocol frontends and
// the engines that run statements. Frontends (the PostgreSQL protocol in
// dispatch/, the Flight SQL frontend) import this package only; they never
// import a concrete backend, and backends never import protocol code.
//
// # Contract
//
// A Backend opens Sessions. A Session is one client's connection to the
// engine, with its own transaction state and settings.
//
//   - Calls on one Session, and on the Stmts and Results it returns, are
//     serialized by the caller: a Session never sees two calls at once.
//     The single exception is context cancellation, which may happen from any
//     goroutine at any time (a CancelRequest, a client disconnect, shutdown).
//   - The ctx given to Query or Stmt.Execute governs the whole statement,
//     including reading its Rows. Cancelling it must interrupt the engine
//     promptly (well under a second); the call, or the next Rows.Next, then
//     returns an error wrapping context.Canceled (or the engine's own
//     cancellation error mapped to SQLSTATE 57014).
//   - A Result's Rows is owned by the caller, who must call Release exactly
//     once, whether or not it read to the end. Releasing early stops the
//     backend work and frees its resources. The RecordBatches it yields are
//     valid until the next call to Next or Release; a caller that keeps one
//     longer must Retain it.
//   - While a Result's Rows is open, the caller may call other methods on the
//     Session (extended-protocol portals interleave). A backend that cannot
//     run two statements at once on one connection must make that work, for
//     example by materialising the open result first.
//   - Errors should carry a SQLSTATE: return *pgerror.Error, or wrap one.
//     Anything else reaches the client as XX000.
//   - Arrow types are PostgreSQL-agnostic, except that a field's metadata may
//     carry the keys in MetaPGType and MetaPGTypmod when the backend knows
//     the exact PostgreSQL type (the PostgreSQL backend does); the types
//     package honours them.
package backends

import (
	"context"
	"errors"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/quiverdb/quiver/pgerror"
)

// Field metadata keys a backend may set on result fields.
const (
	// MetaPGType is the PostgreSQL type OID, in decimal.
	MetaPGType = "pg.oid"
	// MetaPGTypmod is the PostgreSQL type modifier, in decimal.
	MetaPGTypmod = "pg.typmod"
	// MetaNumericUnscaled, set (to "1") on a decimal field or a list of
	// decimals, says that the engine stores PostgreSQL numerics without a
	// typmod at one fixed scale, so the scale says nothing of each value's
	// own: each value is presented with the fewest fraction digits that
	// keep it (1.5000000000 as 1.5, 100.0000000000 as 100).
	MetaNumericUnscaled = "quiver.numeric.unscaled"
)

// Backend opens sessions on one engine. It is safe for concurrent use.
type Backend interface {
	// Open starts a session for one client. info carries what the client
	// sent at startup; backends that pass credentials through use it.
	Open(ctx context.Context, info SessionInfo) (Session, error)
	// Close releases the engine. Sessions must be closed first.
	Close() error
}

// SessionInfo describes the client a session is opened for.
type SessionInfo struct {
	User        string
	Database    string
	Password    string // only set when the frontend asked for one (pass-through auth)
	Application string
	// Params holds every startup parameter the client sent.
	Params map[string]string
	// ProcessID is the process id the client was given in BackendKeyData,
	// which pg_backend_pid() returns; 0 when there is none.
	ProcessID uint32
}

// Session is one client's connection to the engine. See the package
// documentation for the concurrency and ownership rules.
type Session interface {
	// Query runs one statement with no parameters.
	Query(ctx context.Context, sql string) (*Result, error)
	// Prepare plans a statement without executing it. paramTypes, when not
	// nil, holds the types the client declared for $1..$n (nil entries are
	// unknown and left for the engine to infer).
	Prepare(ctx context.Context, sql string, paramTypes []arrow.DataType) (Stmt, error)
	// Close ends the session, releasing any open statements and results.
	Close() error
}

// Stmt is a prepared statement.
type Stmt interface {
	// Params describes the parameters $1..$n. A field of type arrow.Null
	// means the engine could not infer that parameter's type.
	Params() []arrow.Field
	// Schema describes the rows the statement returns, or is nil when it
	// returns none. It is known without executing the statement.
	Schema() *arrow.Schema
	// Execute runs the statement. params holds one row with one column per
	// parameter, or is nil when there are none; the backend does not keep it
	// after Execute returns.
	Execute(ctx context.Context, params arrow.RecordBatch) (*Result, error)
	// Close releases the statement. Results it produced stay valid.
	Close() error
}

// Result is what a statement produced.
type Result struct {
	// Rows streams the result rows, or is nil when the statement returns
	// none. The caller owns it and must Release it.
	Rows array.RecordReader
	// RowsAffected is the number of rows an INSERT, UPDATE, DELETE or MERGE
	// changed, or -1 when it does not apply or is unknown.
	RowsAffected int64
}

// ErrNotSupported is wrapped by backends for capabilities they lack.
var ErrNotSupported = errors.New("not supported by this backend")

// BulkLoader is implemented by sessions with a bulk load path, which COPY
// FROM uses.
type BulkLoader interface {
	// Append loads rows into an existing table in one statement: all rows
	// or none. table is a quoted, possibly schema-qualified name, optionally
	// followed by a quoted column list ("s"."t"("a","b")); rows' columns
	// match those columns in order. Append reads rows to its end (or its
	// error) and does not release it. It returns the number of rows loaded.
	Append(ctx context.Context, table string, rows array.RecordReader) (int64, error)
}

// BatchExecutor is implemented by statements that can run once for each row
// of a stream of parameter rows in far fewer round trips than one Execute
// per row (the PostgreSQL backend pipelines them). Frontends use it for
// parameter batches, such as Flight SQL's DoPutPreparedStatementUpdate.
//
// ExecuteBatch runs the statement for each row of params in order and
// returns the total of rows affected (rows whose statement reports none
// add nothing). params has one column per parameter, as Execute's, and
// any number of batches and rows; ExecuteBatch reads it to its end, or
// until the first error, and does not release it.
//
//   - Inside a transaction block the rows run in it, and an error the
//     engine raises for a row fails the transaction as a failing statement
//     would.
//   - Outside one, all rows run in one transaction of their own: all or
//     nothing, whatever the number of rows.
//   - An error for one row names it: its *pgerror.Error's Where ends with
//     the line "parameter row N", N counting from 1 across all of params.
//   - Cancelling ctx stops the batch as it stops a statement (57014);
//     outside a transaction block nothing of it is left.
//   - A statement the backend cannot run this way (one that returns rows,
//     or one whose effects on transactions a batch would change) makes
//     ExecuteBatch return an error wrapping ErrNotSupported before it
//     reads params; the caller then runs the rows one by one with Execute.
type BatchExecutor interface {
	ExecuteBatch(ctx context.Context, params array.RecordReader) (int64, error)
}

// Dialecter is implemented by backends whose engine speaks a SQL dialect
// other than PostgreSQL's; the frontends rewrite statements for it (package
// dialect).
type Dialecter interface {
	// Dialect names the dialect, such as "duckdb".
	Dialect() string
}

// DialectOf returns b's dialect, or "" for PostgreSQL SQL.
func DialectOf(b Backend) string {
	if d, ok := b.(Dialecter); ok {
		return d.Dialect()
	}
	return ""
}

// DatabaseNamer is implemented by backends whose engine names the database
// that holds the client's schemas in statements (DuckDB's catalog name,
// such as "memory"), which the dialect needs to reach a schema's table
// that a temporary table of the same name would hide.
type DatabaseNamer interface {
	DatabaseName() string
}

// DatabaseOf returns b's database name, or "".
func DatabaseOf(b Backend) string {
	if d, ok := b.(DatabaseNamer); ok {
		return d.DatabaseName()
	}
	return ""
}

// TxSerializer is implemented by backends whose engine aborts one of two
// concurrent writing transactions on conflict (DuckDB's optimistic
// concurrency), where PostgreSQL makes the second writer wait for the first
// one's row locks. Frontends then run such a backend's transaction blocks,
// and its writing statements outside them, one at a time; plain reads still
// run concurrently.
type TxSerializer interface {
	SerializeTransactions() bool
}

// CatalogVersioner is implemented by backends that tell when their catalog
// may have changed, so that what is worked out of it can be kept until
// then.
type CatalogVersioner interface {
	// CatalogVersion moves on, in every session, when a statement that
	// may change the catalog (DDL, COMMENT, ATTACH, ...) has run in any
	// session, and again when a transaction that ran one ends.
	CatalogVersion() uint64
}

// IngestMode says what bulk ingestion does with the target table.
type IngestMode int

const (
	// IngestCreate creates the table; it fails with 42P07 if it exists.
	IngestCreate IngestMode = iota
	// IngestAppend appends to an existing table; it fails with 42P01 if
	// there is none.
	IngestAppend
	// IngestReplace drops the table if it exists and creates it anew.
	IngestReplace
	// IngestCreateAppend creates the table if it is missing, then appends.
	IngestCreateAppend
)

// String returns the mode's name.
func (m IngestMode) String() string {
	switch m {
	case IngestCreate:
		return "create"
	case IngestAppend:
		return "append"
	case IngestReplace:
		return "replace"
	case IngestCreateAppend:
		return "create_append"
	}
	return "IngestMode(" + strconv.Itoa(int(m)) + ")"
}

// Ingester is implemented by sessions that load Arrow batches into a table
// themselves (PostgreSQL's binary COPY), creating it from the batches'
// schema when the mode asks. Ingest is all or nothing: on error nothing is
// left behind, including a table it created or dropped. table is one
// identifier or schema.table, each part taken as written. It reads rows to
// the end and does not release them.
type Ingester interface {
	Ingest(ctx context.Context, table string, mode IngestMode, rows array.RecordReader) (int64, error)
}

// Noticer is implemented by sessions that have notices or warnings for the
// client, such as a Flight SQL backend saying that BEGIN has no effect on a
// server without transactions. The frontend drains them after each call and
// sends them before the statement's completion.
type Noticer interface {
	Notices() []*pgerror.Error
}

// TimeZoneSetter is implemented by sessions whose engine computes with a
// time zone of its own: DuckDB takes the parts of a timestamptz, casts it
// to timestamp and truncates it in its TimeZone setting. The frontend
// gives it the PostgreSQL session's TimeZone (an IANA name) whenever that
// changes, outside a failed transaction.
type TimeZoneSetter interface {
	SetTimeZone(ctx context.Context, tz string) error
}

// SearchPathSetter is implemented by sessions whose engine resolves
// unqualified names with a search path of its own. The frontend gives it
// the PostgreSQL session's search_path, as the schema names in order
// ("$user" and pg_catalog left out), whenever that changes, outside a
// failed transaction, and after CREATE SCHEMA and DROP SCHEMA (a path may
// name a schema that did not exist when it was set). Names of schemas
// that do not exist are the engine's to skip, as PostgreSQL skips them.
type SearchPathSetter interface {
	SetSearchPath(ctx context.Context, schemas []string) error
}
