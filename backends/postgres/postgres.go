// Package postgres is the quiver backend that runs statements on a real
// PostgreSQL server through pgconn and returns Arrow record batches.
//
// # Reading
//
// Each Session is one pgconn connection. Every statement is first parsed
// and described (Parse/Describe, pgconn.Prepare), which gives the result
// columns and parameter types without running it. Plain queries (SELECT,
// VALUES, TABLE, WITH ... SELECT) without parameters then run as
//
//	COPY (query) TO STDOUT (FORMAT binary)
//
// decoded by types/pgarrow straight into Arrow builders in a goroutine that
// decodes the next batch while the caller uses the previous one. Everything
// else runs through the extended protocol: statements COPY does not accept
// (SHOW, EXPLAIN, FETCH, EXECUTE), INSERT/UPDATE/DELETE/MERGE ... RETURNING
// (read to the end at once so that Result.RowsAffected is known), statements
// with parameters, and results with a column pgarrow reads as text (types
// it has no binary decoder for). Both paths feed the same decoder, so the
// values do not depend on the path. Batches are cut when the rows' wire size
// reaches Options.BatchBytes. Session.Stats counts the paths taken.
//
// Field metadata carries pg.oid, pg.typmod and pg.typname on every field
// (see pgarrow for the type mapping), and the Flight SQL column metadata:
// type name, precision and scale of numeric and varchar, and the catalog,
// schema and table of columns that come from a table (looked up once per
// table per session). Fields are always nullable: outer joins make
// pg_attribute.attnotnull unreliable for results.
//
// # Parameter batches
//
// Stmt.ExecuteBatch (backends.BatchExecutor) runs an INSERT, UPDATE,
// DELETE or MERGE without RETURNING once per row of a stream of parameter
// rows in pipeline mode, in bounded chunks with no round trip per row (see
// batch.go). Outside a transaction block every row runs in one transaction
// of its own, all or nothing; inside one the rows run in it. An error for
// a row carries the context line "parameter row N".
//
// # Cancellation and errors
//
// Cancelling a statement's context sends PostgreSQL a CancelRequest, and
// sends it again until the statement has stopped, since PostgreSQL ignores
// one that arrives before the statement (see cancel.go); the statement
// fails with PostgreSQL's own 57014 and the session stays usable, however
// early the cancel came. Releasing a Rows before its end cancels the same
// way, which costs a CancelRequest round trip plus a 100 ms guard against
// cancelling the next statement. If PostgreSQL does not stop the statement
// within Options.CancelTimeout the connection is closed, and
// Session.IsValid reports false.
//
// Errors from PostgreSQL become *pgerror.Error with the same severity,
// SQLSTATE, message, detail, hint, position and context (for COPY, the
// position is moved back into the client's text). Notices are dropped.
//
// # Sessions
//
// While a Rows is open its session has a statement in flight. Any other call
// on the session first reads the rest of that result into memory (as the
// contract in package backends allows), then proceeds. A Query holds one
// statement: PostgreSQL rejects several in one string (42601). COPY to or
// from the client fails with 0A000; use Session.Ingest to write rows.
//
// Transactions are plain SQL (BEGIN, COMMIT, SAVEPOINT): they pass through
// to the session's connection.
package postgres

import (
	"bufio"
	"context"
	"errors"
	"io"
	"maps"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

// readBufferSize is the size of the buffer each connection reads the socket
// into. pgproto3 reads at most 8 KiB at a time, PostgreSQL's own send
// buffer; when a large result has queued up in the socket, one read of up
// to this much takes what is there, in place of a system call per 8 KiB.
const readBufferSize = 128 << 10

// DefaultBatchBytes is the default Options.BatchBytes.
const DefaultBatchBytes = 4 << 20

// Options configures a Backend.
type Options struct {
	// Allocator allocates the Arrow memory of result batches. Nil means
	// memory.DefaultAllocator.
	Allocator memory.Allocator
	// BatchBytes is the size at which result batches are cut, counted as
	// the bytes PostgreSQL sent for the rows (values plus a 4-byte length
	// each). Zero means DefaultBatchBytes.
	BatchBytes int
	// PassThrough makes SessionInfo.User, Password and Database, when set,
	// replace those of the URI: PostgreSQL itself then authenticates the
	// client (wrong credentials fail with its 28P01).
	PassThrough bool
	// CancelTimeout bounds how long a cancelled statement waits for
	// PostgreSQL to honour the CancelRequest before the connection is
	// closed. Zero means 10 seconds.
	CancelTimeout time.Duration
}

// Backend opens PostgreSQL sessions. It is safe for concurrent use.
type Backend struct {
	cfg  *pgconn.Config
	opts Options
}

var _ backends.Backend = (*Backend)(nil)

// Open checks uri (a postgres:// URL or keyword/value string, as pgconn
// accepts) and returns a Backend. It does not connect.
func Open(uri string, opts Options) (*Backend, error) {
	cfg, err := pgconn.ParseConfig(uri)
	if err != nil {
		return nil, pgerror.Wrap(err, pgerror.SQLClientUnableToEstablishConnection)
	}
	if opts.Allocator == nil {
		opts.Allocator = memory.DefaultAllocator
	}
	if opts.BatchBytes <= 0 {
		opts.BatchBytes = DefaultBatchBytes
	}
	if opts.CancelTimeout <= 0 {
		opts.CancelTimeout = 10 * time.Second
	}
	return &Backend{cfg: cfg, opts: opts}, nil
}

// startupReserved are startup parameters the backend sets itself.
var startupReserved = map[string]bool{
	"user": true, "database": true, "password": true, "client_encoding": true,
	"replication": true, "application_name": true,
}

// Open connects a new session. The client's startup parameters (other than
// user, database and client_encoding) are passed on to PostgreSQL.
func (b *Backend) Open(ctx context.Context, info backends.SessionInfo) (backends.Session, error) {
	return b.OpenSession(ctx, info)
}

// OpenSession is Open returning the concrete type, for Ingest.
func (b *Backend) OpenSession(ctx context.Context, info backends.SessionInfo) (*Session, error) {
	cfg := b.cfg.Copy()
	cfg.RuntimeParams = maps.Clone(cfg.RuntimeParams)
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	for k, v := range info.Params {
		if !startupReserved[k] {
			cfg.RuntimeParams[k] = v
		}
	}
	cfg.RuntimeParams["client_encoding"] = "UTF8"
	if info.Application != "" {
		cfg.RuntimeParams["application_name"] = info.Application
	}
	if b.opts.PassThrough {
		if info.User != "" {
			cfg.User = info.User
		}
		if info.Password != "" {
			cfg.Password = info.Password
		}
		if info.Database != "" {
			cfg.Database = info.Database
		}
	}
	timeout := b.opts.CancelTimeout
	cfg.BuildFrontend = func(r io.Reader, w io.Writer) *pgproto3.Frontend {
		return pgproto3.NewFrontend(bufio.NewReaderSize(r, readBufferSize), w)
	}
	var cancel *cancelHandler
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		cancel = &cancelHandler{conn: c, timeout: timeout}
		return cancel
	}
	conn, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			return nil, mapError(err)
		}
		return nil, pgerror.Wrap(err, pgerror.SQLClientUnableToEstablishConnection)
	}
	if cancel == nil || cancel.conn != conn {
		cancel = nil // not the connection's handler
	}
	return newSession(b, conn, cancel), nil
}

// Close releases the backend. It holds no resources of its own.
func (b *Backend) Close() error { return nil }
