//go:build duckdb_arrow

package duckdb

import (
	"context"
	"fmt"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow/memory"
	bindings "github.com/duckdb/duckdb-go-bindings"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

// Options configures a Backend.
type Options struct {
	// Config holds DuckDB settings applied when the database is opened, by
	// name, for example "threads", "memory_limit" or "access_mode". Settings
	// can also be given in the URI's query string. See
	// https://duckdb.org/docs/stable/configuration/overview.
	Config map[string]string
	// Allocator allocates the Arrow memory the backend builds itself:
	// coalesced batches, columns converted to a described schema, sample
	// parameter values. Batches imported from DuckDB live in DuckDB's memory.
	// Nil means memory.DefaultAllocator.
	Allocator memory.Allocator
	// BatchRows is the number of rows the backend tries to put in each
	// RecordBatch by joining DuckDB's 2,048-row chunks. Zero or less means
	// one chunk per batch, which avoids a copy.
	BatchRows int
	// StatementCache is the number of prepared statements each session
	// keeps, by SQL text, for the statements it runs repeatedly: zero means
	// 256, a negative number turns the cache off. Each costs some
	// kilobytes of DuckDB memory.
	StatementCache int
}

// Backend is an embedded DuckDB database. It is safe for concurrent use.
type Backend struct {
	opts Options
	mem  memory.Allocator

	// gen is moved on by statements that may change plans; cached plans
	// of older generations are planned again.
	gen atomic.Uint64
	// data is moved on by statements that change rows, and by the end
	// of a transaction that did. DuckDB plans with the statistics of the
	// data (the longest string, the range of a column), and a plan made
	// before a change can give wrong results after it: strings cut to
	// the length they had, rows a filter was planned to skip. Plans made
	// at an older value are planned again before they run.
	data atomic.Uint64

	mu       sync.Mutex
	db       bindings.Database
	sessions int
	closed   bool

	// database is DuckDB's name of the database (DatabaseName).
	database string
}

var _ backends.Backend = (*Backend)(nil)

// Open opens a DuckDB database. uri is "duckdb:" for an in-memory database,
// shared by all sessions of the Backend, or "duckdb:PATH" for a database
// file, optionally followed by "?name=value&..." settings.
func Open(uri string, opts Options) (*Backend, error) {
	rest, ok := strings.CutPrefix(uri, "duckdb:")
	if !ok {
		return nil, fmt.Errorf("duckdb: URI %q does not start with duckdb:", uri)
	}
	path, query, _ := strings.Cut(rest, "?")
	if path == ":memory:" {
		path = ""
	}
	// integer_division gives "/" on integers PostgreSQL's meaning (7/2 is
	// 3), which DuckDB otherwise computes in floating point.
	settings := map[string]string{"duckdb_api": "quiver", "integer_division": "true"}
	for k, v := range opts.Config {
		settings[k] = v
	}
	if query != "" {
		q, err := url.ParseQuery(query)
		if err != nil {
			return nil, fmt.Errorf("duckdb: URI settings: %w", err)
		}
		for k, v := range q {
			settings[k] = v[len(v)-1]
		}
	}

	_, threads := settings["threads"]
	_, workers := settings["worker_threads"]
	if !threads && !workers {
		settings["threads"] = defaultThreads()
	}

	if _, ok := settings["default_null_order"]; !ok {
		// PostgreSQL sorts NULL as larger than any value: last ascending,
		// first descending. DuckDB's default puts them last both ways.
		settings["default_null_order"] = "nulls_last_on_asc_first_on_desc"
	}

	var cfg bindings.Config
	if bindings.CreateConfig(&cfg) == bindings.StateError {
		bindings.DestroyConfig(&cfg)
		return nil, fmt.Errorf("duckdb: cannot create config")
	}
	defer bindings.DestroyConfig(&cfg)
	for k, v := range settings {
		if bindings.SetConfig(cfg, k, v) == bindings.StateError {
			return nil, fmt.Errorf("duckdb: invalid setting %s=%s", k, v)
		}
	}
	b := &Backend{opts: opts, mem: opts.Allocator}
	if b.mem == nil {
		b.mem = memory.DefaultAllocator
	}
	var msg string
	if bindings.OpenExt(path, &b.db, cfg, &msg) == bindings.StateError {
		bindings.Close(&b.db)
		return nil, fmt.Errorf("duckdb: opening %q: %s", path, msg)
	}
	if err := registerTypes(b.db); err != nil {
		bindings.Close(&b.db)
		return nil, err
	}
	if err := b.readDatabaseName(); err != nil {
		bindings.Close(&b.db)
		return nil, err
	}
	return b, nil
}

// readDatabaseName reads the name DuckDB gave the database: "memory", or
// the database file's name without its extension.
func (b *Backend) readDatabaseName() error {
	ctx := context.Background()
	s, err := b.Connect(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := s.Query(ctx, "SELECT current_database()")
	if err != nil {
		return err
	}
	if res.Rows != nil {
		for res.Rows.Next() {
			if col := res.Rows.RecordBatch().Column(0); col.Len() > 0 {
				b.database = strings.Clone(col.ValueStr(0))
			}
		}
		res.Rows.Release()
	}
	if b.database == "" {
		return fmt.Errorf("duckdb: cannot read the database's name")
	}
	return nil
}

// DatabaseName implements backends.DatabaseNamer: DuckDB's name of the
// database, whose main schema is the client's public.
func (b *Backend) DatabaseName() string { return b.database }

// defaultThreads is DuckDB's number of threads unless the configuration
// sets one: one fewer than the CPUs quiver may use, and at least one.
// DuckDB's own default, every CPU, leaves none for the goroutines that
// encode its chunks into DataRows or Arrow IPC while it computes the next
// ones, and it wakes a worker thread for every statement: on the 2-CPU
// build machine "select 1" costs 92 µs with two threads against 47 µs with
// one (BenchmarkExecuteSelect1), and scans and aggregations of 20M rows
// through quiver were no faster with two. "?threads=N" overrides it.
func defaultThreads() string {
	return strconv.Itoa(max(1, runtime.NumCPU()-1))
}

// OIDType is the name of the DuckDB type the backend registers for
// PostgreSQL's oid: a BIGINT whose columns, and lists of which, are
// presented as oid and oid[]. DuckDB keeps a registered type's name
// through expressions, subqueries, set operations and aggregates (it drops
// the names of types made by CREATE TYPE), so a value cast to it stays an
// oid whatever the query does with it, while user BIGINT and UINTEGER
// columns keep their own types. Arithmetic on it needs a cast back to
// BIGINT, as PostgreSQL has no arithmetic on oid either. Package dialect
// casts to this type where PostgreSQL's SQL names oid.
const OIDType = "quiver_oid"

// NumericPrecision and NumericScale are the DECIMAL that stands for
// PostgreSQL's numeric without a precision and scale, which DuckDB, having
// no arbitrary-precision decimal, would make DECIMAL(18,3), rounding
// 1.23456 to 1.235. DECIMAL(38,10) keeps 28 digits before the point and 10
// after, and a product of two still has 18 before the point. Package
// dialect writes it where PostgreSQL's SQL names numeric without a typmod;
// result columns of this type are presented as numeric without a typmod,
// each value with the fewest fraction digits that keep it
// (backends.MetaNumericUnscaled). A column a user declares numeric(38,10)
// is presented the same way.
const (
	NumericPrecision = 38
	NumericScale     = 10
)

// registerTypes registers the backend's own types (OIDType) in the
// database's system catalog, which lives as long as the database is open.
func registerTypes(db bindings.Database) error {
	var conn bindings.Connection
	if bindings.Connect(db, &conn) == bindings.StateError {
		bindings.Disconnect(&conn)
		return fmt.Errorf("duckdb: cannot connect to register types")
	}
	defer bindings.Disconnect(&conn)
	lt := bindings.CreateLogicalType(bindings.TypeBigInt)
	defer bindings.DestroyLogicalType(&lt)
	bindings.LogicalTypeSetAlias(lt, OIDType)
	if bindings.RegisterLogicalType(conn, lt, bindings.CreateTypeInfo{}) == bindings.StateError {
		return fmt.Errorf("duckdb: cannot register type %s", OIDType)
	}
	return nil
}

// Open starts a session: a new connection to the database. info is not
// used; DuckDB has no users.
func (b *Backend) Open(ctx context.Context, info backends.SessionInfo) (backends.Session, error) {
	return b.Connect(ctx)
}

// Connect is Open with the concrete type, for callers that use the
// DuckDB-specific methods such as Append.
func (b *Backend) Connect(ctx context.Context) (*Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, pgerror.New(pgerror.ConnectionFailure, "duckdb: backend is closed")
	}
	s := &Session{b: b}
	size := b.opts.StatementCache
	if size == 0 {
		size = defaultCacheSize
	}
	s.cache.init(size)
	if bindings.Connect(b.db, &s.conn) == bindings.StateError {
		bindings.Disconnect(&s.conn)
		return nil, pgerror.New(pgerror.SQLClientUnableToEstablishConnection, "duckdb: cannot connect")
	}
	b.sessions++
	return s, nil
}

func (b *Backend) sessionClosed() {
	b.mu.Lock()
	b.sessions--
	b.mu.Unlock()
}

// Close closes the database. Sessions must be closed first; Close reports
// an error if some are still open, and leaves the database to DuckDB, which
// keeps it until their connections end.
func (b *Backend) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	bindings.Close(&b.db)
	if b.sessions > 0 {
		return fmt.Errorf("duckdb: closed with %d sessions open", b.sessions)
	}
	return nil
}
