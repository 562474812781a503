// Package adbcbackend implements the backends.Backend contract on any ADBC
// driver (https://arrow.apache.org/adbc/): each Session is one
// adbc.Connection, statements run through adbc.Statement, and results are
// the driver's Arrow record batches, handed to the caller as they arrive.
//
// A concrete backend (see package flightsql) supplies a Connector that opens
// connections and says what the engine can do; this package does the rest.
//
// # Behaviour worth knowing
//
//   - Query or update. ADBC makes the client choose ExecuteQuery or
//     ExecuteUpdate. The choice comes from the statement's leading keywords
//     (SELECT, WITH, VALUES, SHOW, EXPLAIN, … and DML with RETURNING are
//     queries; everything else is an update), overridden by the result
//     schema a prepared statement reports: no columns means an update.
//   - Partitions. Queries run with ExecutePartitions when the driver
//     supports it; the partitions are read with ReadPartition, at most
//     Config.MaxConcurrency at once, each buffering at most
//     Config.QueueSize batches. Batches keep the partitions' order unless
//     Conn.Ordered says the engine does not care, in which case they are
//     passed on as they arrive. Drivers without partitions fall back to
//     ExecuteQuery's RecordReader.
//   - Prepared statements. Prepare runs ADBC Prepare; Params comes from
//     GetParameterSchema, or else from the placeholders in the text and the
//     types the client declared (unknown ones are arrow.Null); Schema from
//     ExecuteSchema on the prepared statement, or else ExecuteSchema on the
//     text, or else, for statements that cannot change anything (a plain
//     SELECT, see sqltext.go), by starting the statement with NULL
//     parameters and reading only its schema. A prepared statement belongs
//     to the connection and transaction it was prepared in, as Flight SQL
//     defines it; used in another, it is prepared again there.
//   - Transactions. BEGIN, COMMIT and ROLLBACK sent as text map to ADBC
//     autocommit off, Commit and Rollback. On an engine without
//     transactions BEGIN succeeds, statements run in autocommit, and the
//     session queues ErrTransactionsNotSupported (see Session.Notices).
//   - Failures. An error that means the connection is gone (Config.IsBroken)
//     fails that statement only; the session's next statement opens a new
//     connection. A transaction open on the lost connection is reported
//     lost: statements fail until ROLLBACK, and COMMIT fails. Outside a
//     transaction, a statement that cannot change anything (and preparing)
//     is tried once more on a new connection when the first try finds the
//     connection dead, as happens to the first statement after the engine
//     restarted.
//   - Cancellation. The statement's context is passed to every ADBC call
//     and governs reading the rows; a cancelled statement fails with
//     SQLSTATE 57014, wrapping context.Canceled or DeadlineExceeded. When the
//     context ends, or the rows are released before their end, Conn.Cancel
//     (if set) asks the engine to stop, in the background.
package adbcbackend

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/apache/arrow-adbc/go/adbc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

// Support says whether an engine supports something.
type Support uint8

// Values of Support.
const (
	SupportUnknown Support = iota // not known until tried
	SupportYes
	SupportNo
)

// Connector opens the ADBC connections of a backend's sessions.
type Connector interface {
	// Connect opens a connection for the session described by info. It is
	// called when the session opens and again when a statement needs a new
	// connection because the previous one broke. Errors should carry a
	// SQLSTATE (08001 when the engine cannot be reached, 28P01 or 28000
	// when it refuses the credentials).
	Connect(ctx context.Context, info backends.SessionInfo) (*Conn, error)
}

// Conn is one ADBC connection and what the core needs to know about the
// engine behind it.
type Conn struct {
	adbc.Connection
	// Transactions says whether BEGIN can start a real transaction. When
	// unknown, the first BEGIN finds out by turning autocommit off.
	Transactions Support
	// Ordered reports whether the partitions of one result must be read
	// in the given order. Nil means they must.
	Ordered func(partitions [][]byte) bool
	// Cancel asks the engine to stop the work behind a result's partitions.
	// It is called on its own goroutine, possibly after the connection is
	// closed, and its error is ignored. Nil means the engine cannot be asked.
	Cancel func(ctx context.Context, partitions [][]byte) error
	// OnClose, if set, runs after the connection is closed, to release what
	// Connect set up beside it.
	OnClose func() error
}

// Config configures a Backend.
type Config struct {
	// Name prefixes error messages, e.g. "flightsql".
	Name string
	// Connector opens connections. Required.
	Connector Connector
	// MapError, if set, gives a SQLSTATE to errors the generic ADBC mapping
	// would get wrong, such as a driver's vendor codes. It returns nil to
	// leave err to the generic mapping (StatusCodes).
	MapError func(err error) *pgerror.Error
	// IsBroken reports whether err means the connection can no longer be
	// used. Nil means an adbc.Error with StatusIO.
	IsBroken func(err error) bool
	// MaxConcurrency is how many partitions of one result are read at
	// once. Zero or less means 4.
	MaxConcurrency int
	// QueueSize is how many record batches each partition being read may
	// hold before the caller takes them. Zero or less means 4.
	QueueSize int
	// Allocator builds the few Arrow arrays the core makes itself (NULL
	// parameters for schema probes). Nil means memory.DefaultAllocator.
	Allocator memory.Allocator
}

// Backend runs sessions on ADBC connections. It is safe for concurrent use.
type Backend struct {
	cfg Config

	mu       sync.Mutex
	sessions int
	closed   bool

	// noExecuteSchema is set once the engine said it cannot describe a
	// statement's text without preparing it, so later Prepares skip asking.
	noExecuteSchema bool
}

var _ backends.Backend = (*Backend)(nil)

// New returns a Backend with cfg.
func New(cfg Config) (*Backend, error) {
	if cfg.Connector == nil {
		return nil, errors.New("adbcbackend: Config.Connector is nil")
	}
	if cfg.Name == "" {
		cfg.Name = "adbc"
	}
	if cfg.MaxConcurrency <= 0 {
		cfg.MaxConcurrency = 4
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = 4
	}
	if cfg.Allocator == nil {
		cfg.Allocator = memory.DefaultAllocator
	}
	if cfg.IsBroken == nil {
		cfg.IsBroken = func(err error) bool { return isStatus(err, adbc.StatusIO) }
	}
	return &Backend{cfg: cfg}, nil
}

// Open starts a session. It implements backends.Backend.
func (b *Backend) Open(ctx context.Context, info backends.SessionInfo) (backends.Session, error) {
	return b.Connect(ctx, info)
}

// Connect is Open with the concrete type, for callers that use the methods
// only this backend has (Tables, TransactionsSupported, Notices).
func (b *Backend) Connect(ctx context.Context, info backends.SessionInfo) (*Session, error) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil, pgerror.New(pgerror.ConnectionFailure, "%s: backend is closed", b.cfg.Name)
	}
	b.sessions++
	b.mu.Unlock()
	s := &Session{b: b, info: info}
	if _, err := s.conn(ctx); err != nil {
		b.sessionClosed()
		return nil, err
	}
	return s, nil
}

func (b *Backend) sessionClosed() {
	b.mu.Lock()
	b.sessions--
	b.mu.Unlock()
}

func (b *Backend) executeSchemaUnsupported() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.noExecuteSchema
}

func (b *Backend) setExecuteSchemaUnsupported() {
	b.mu.Lock()
	b.noExecuteSchema = true
	b.mu.Unlock()
}

// Close marks the backend closed. Sessions must be closed first; Close
// reports an error if some are still open.
func (b *Backend) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	if b.sessions > 0 {
		return fmt.Errorf("%s: closed with %d sessions open", b.cfg.Name, b.sessions)
	}
	return nil
}
