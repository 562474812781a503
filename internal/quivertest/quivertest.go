//go:build duckdb_arrow

// Package quivertest starts quiver in-process for tests: the real server,
// handshake and dispatch over a real embedded DuckDB, listening on a free
// loopback port.
package quivertest

import (
	"context"
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rs/zerolog"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/backends/duckdb"
	"github.com/quiverdb/quiver/catalog"
	"github.com/quiverdb/quiver/dispatch"
	"github.com/quiverdb/quiver/server"
)

// Server is a running quiver.
type Server struct {
	Host string
	Port int
	Srv  *server.Server
	// Backend is the engine the server runs statements on.
	Backend backends.Backend
}

// Options adjust the server a test starts.
type Options struct {
	MaxConns int
	// Backend replaces the default in-memory DuckDB.
	Backend backends.Backend
	// IdleInTransactionSessionTimeout and IdleSessionTimeout are the
	// server-wide defaults of the settings of those names (cmd/quiver's
	// --idle-in-transaction-session-timeout and --idle-session-timeout).
	IdleInTransactionSessionTimeout, IdleSessionTimeout time.Duration
	// TLS, when set, serves TLS as cmd/quiver's --tls-* flags do.
	TLS *TLSOptions
	// Auth is the authentication method, as cmd/quiver's --auth: "" (or
	// "trust"), "password", "md5", "scram-sha-256" (these three need
	// Users), "cert" (needs TLS.ClientCAFile) or "passthrough".
	Auth string
	// Users maps user names to passwords, as the name:password lines of
	// --users: a plain password, a SCRAM-SHA-256 verifier or an MD5 hash.
	Users map[string]string
	// ReadSpin is server.Config's (cmd/quiver's --read-spin).
	ReadSpin time.Duration
	// NoCatalogSnapshot is dispatch.Config's (cmd/quiver's
	// --catalog-snapshot=false).
	NoCatalogSnapshot bool
}

// Start starts quiver on 127.0.0.1:0 over a new in-memory DuckDB, and stops
// it when the test ends.
func Start(t testing.TB, opts ...Options) *Server {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	be := o.Backend
	if be == nil {
		db, err := duckdb.Open("duckdb:", duckdb.Options{})
		if err != nil {
			t.Fatalf("opening DuckDB: %v", err)
		}
		be = db
		t.Cleanup(func() { _ = db.Close() })
	}
	if o.MaxConns == 0 {
		o.MaxConns = 100
	}
	level := zerolog.WarnLevel
	if os.Getenv("QUIVER_TEST_LOG") != "" {
		level = zerolog.DebugLevel
	}
	hs, err := o.handshakeConfig()
	if err != nil {
		t.Fatalf("quivertest: %v", err)
	}
	srv := server.New(server.Config{
		Addr:      "127.0.0.1:0",
		MaxConns:  o.MaxConns,
		Handshake: hs,
		Handler: dispatch.NewHandler(dispatch.Config{Backend: be, Dialect: backends.DialectOf(be), SessionInit: catalog.SessionInit(backends.DialectOf(be)),
			IdleInTransactionSessionTimeout: o.IdleInTransactionSessionTimeout, IdleSessionTimeout: o.IdleSessionTimeout,
			NoCatalogSnapshot: o.NoCatalogSnapshot}),
		Logger:   zerolog.New(zerolog.NewTestWriter(t)).Level(level),
		ReadSpin: o.ReadSpin,
	})
	addr, err := srv.Listen()
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	go func() { _ = srv.Serve() }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	tcp := addr.(*net.TCPAddr)
	return &Server{Host: tcp.IP.String(), Port: tcp.Port, Srv: srv, Backend: be}
}

// Addr is host:port.
func (s *Server) Addr() string { return fmt.Sprintf("%s:%d", s.Host, s.Port) }

// URL is a libpq connection string for user "me" and database "quiver".
func (s *Server) URL() string {
	return fmt.Sprintf("postgres://me@%s:%d/quiver?sslmode=disable", s.Host, s.Port)
}

// Connect opens a pgconn connection to the server as URL's user; it is
// closed when the test ends.
func (s *Server) Connect(t testing.TB) *pgconn.PgConn {
	t.Helper()
	c, err := pgconn.Connect(context.Background(), s.URL())
	if err != nil {
		t.Fatalf("connecting to quiver: %v", err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}
