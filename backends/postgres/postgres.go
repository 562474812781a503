// Package postgres is the quiver backend that runs statements on a real
// PostgreSQL server through pgconn and returns Arrow record batches.
//
// Each Session is one pgconn connection. Reads run as
//
//	COPY (query) TO STDOUT (FORMAT binary)
//
// decoded by types/pgarrow straight into Arrow builders, in batches cut by
// size (Options.BatchBytes). The schema comes from Parse/Describe, so the
// statement runs once. Statements COPY cannot run (SHOW, EXPLAIN,
// INSERT ... RETURNING, statements with parameters) and results with
// columns pgarrow reads as text use the extended protocol instead, binary
// per column where it can. Both paths decode the same bytes, so results do
// not depend on the path taken.
//
// Cancelling a statement's context sends PostgreSQL a CancelRequest; the
// statement fails with PostgreSQL's own 57014 and the session stays usable.
// Releasing a Rows early does the same, so it costs one CancelRequest round
// trip plus pgconn's 100 ms guard against cancelling the next statement.
//
// Errors from PostgreSQL become *pgerror.Error with the same SQLSTATE,
// severity, message, detail, hint, position and context.
//
// While a Rows is open its session has a statement in flight. Any other call
// on the session first reads the rest of that result into memory (the
// contract in package backends allows this), then proceeds.
package postgres

import (
	"context"
	"errors"
	"maps"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

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
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: timeout}
	}
	conn, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			return nil, mapError(err)
		}
		return nil, pgerror.Wrap(err, pgerror.SQLClientUnableToEstablishConnection)
	}
	return newSession(b, conn), nil
}

// Close releases the backend. It holds no resources of its own.
func (b *Backend) Close() error { return nil }
