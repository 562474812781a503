//go:build duckdb_arrow

package e2e

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/rs/zerolog"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/backends/duckdb"
	"github.com/quiverdb/quiver/backends/flightsql"
	"github.com/quiverdb/quiver/backends/postgres"
	"github.com/quiverdb/quiver/backends/postgres/postgrestest"
	"github.com/quiverdb/quiver/flightsrv"
	"github.com/quiverdb/quiver/internal/quivertest"
	"github.com/quiverdb/quiver/internal/testenv"
)

// TestCancelEveryBackend cancels a long statement on each kind of backend,
// once with pgx's cancel-request mode (a cancelled context sends a
// CancelRequest) and once with psql interrupted by SIGINT, which sends a
// CancelRequest as Ctrl-C does. Each gives 57014 within a second and the
// session goes on.
func TestCancelEveryBackend(t *testing.T) {
	const longDuck = "select count(*) from range(100000000000) t(i) where i % 7 = 3"
	for _, kind := range []struct {
		name string
		open func(t *testing.T) backends.Backend
		long string
	}{
		{"duckdb", nil, longDuck},
		{"postgres", func(t *testing.T) backends.Backend {
			pg := testenv.PG(t)
			b, err := postgres.Open(pg.URL(pg.CreateDB(t)), postgres.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = b.Close() })
			return b
		}, "select pg_sleep(60)"},
		{"flightsql", func(t *testing.T) backends.Backend {
			return flightBackendOverDuckDB(t)
		}, longDuck},
	} {
		t.Run(kind.name, func(t *testing.T) {
			var opts quivertest.Options
			if kind.open != nil {
				opts.Backend = kind.open(t)
			}
			q := quivertest.Start(t, opts)

			// pgx in its cancel-request mode: the context's deadline sends a
			// CancelRequest.
			ctx := context.Background()
			cfg, err := pgx.ParseConfig(q.URL())
			if err != nil {
				t.Fatal(err)
			}
			cfg.BuildContextWatcherHandler = func(pc *pgconn.PgConn) ctxwatch.Handler {
				return &pgconn.CancelRequestContextWatcherHandler{Conn: pc, DeadlineDelay: 5 * time.Second}
			}
			conn, err := pgx.ConnectConfig(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			qctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
			start := time.Now()
			_, err = conn.Exec(qctx, kind.long)
			cancel()
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != "57014" {
				t.Fatalf("pgx: got %v, want SQLSTATE 57014", err)
			}
			if d := time.Since(start); d > 1500*time.Millisecond {
				t.Errorf("pgx: cancelled after %v", d)
			}
			var n int
			if err := conn.QueryRow(ctx, "select 42").Scan(&n); err != nil || n != 42 {
				t.Fatalf("pgx: session unusable after cancel: %v", err)
			}

			// psql: SIGINT makes it send a CancelRequest.
			cmd := exec.Command("psql", "-X", "-h", q.Host, "-p", strconv.Itoa(q.Port), "-U", "me", "-d", "quiver",
				"-v", "ON_ERROR_STOP=1", "-c", kind.long, "-c", "select 'after' as s")
			var stderr, stdout bytes.Buffer
			cmd.Stderr, cmd.Stdout = &stderr, &stdout
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(500 * time.Millisecond)
			sent := time.Now()
			if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			err = cmd.Wait()
			if d := time.Since(sent); d > time.Second {
				t.Errorf("psql: ended %v after SIGINT", d)
			}
			if err == nil || !strings.Contains(stderr.String(), "canceling statement due to user request") {
				t.Fatalf("psql: err %v, stderr %q", err, stderr.String())
			}
			var n2 int
			if err := conn.QueryRow(ctx, "select 7").Scan(&n2); err != nil || n2 != 7 {
				t.Fatalf("server unusable after psql's cancel: %v", err)
			}
		})
	}
}

// TestCancelPostgresEarly cancels a statement of a quiver session over the
// PostgreSQL backend while quiver's COPY of it is still on its way to
// PostgreSQL: the CancelRequest quiver sends overtakes it, and PostgreSQL
// ignores that one. The client's CancelRequest must still end the
// statement within a second of PostgreSQL receiving it, with 57014, and
// the session go on.
func TestCancelPostgresEarly(t *testing.T) {
	pg := testenv.PG(t)
	gate := postgrestest.NewGate(t, net.JoinHostPort(pg.Host, strconv.Itoa(pg.Port)))
	be, err := postgres.Open(gate.URL(t, pg.URL(pg.CreateDB(t))), postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = be.Close() })
	q := quivertest.Start(t, quivertest.Options{Backend: be})
	conn := q.Connect(t)
	ctx := context.Background()
	for i := range 3 {
		held, release := gate.Hold("Q") // the COPY quiver runs the query as
		defer release()
		done := make(chan error, 1)
		go func() {
			_, err := conn.Exec(ctx, "select 1 from pg_sleep(30)").ReadAll()
			done <- err
		}()
		select {
		case <-held:
		case err := <-done:
			t.Fatalf("%d: statement ended before quiver sent it: %v", i, err)
		case <-time.After(10 * time.Second):
			t.Fatalf("%d: quiver did not send the statement", i)
		}
		if err := conn.CancelRequest(ctx); err != nil {
			t.Fatal(err)
		}
		gate.WaitCancel(t, 5*time.Second) // quiver's, ignored by PostgreSQL
		release()
		start := time.Now()
		select {
		case err := <-done:
			if d := time.Since(start); d > time.Second {
				t.Errorf("%d: statement ended %v after reaching PostgreSQL", i, d)
			}
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != "57014" {
				t.Errorf("%d: got %v, want SQLSTATE 57014", i, err)
			}
		case <-time.After(15 * time.Second):
			t.Fatalf("%d: statement not cancelled", i)
		}
		res, err := conn.Exec(ctx, "select 7").ReadAll()
		if err != nil || len(res) != 1 || len(res[0].Rows) != 1 || string(res[0].Rows[0][0]) != "7" {
			t.Fatalf("%d: session unusable after cancel: %v", i, err)
		}
	}
}

// flightBackendOverDuckDB starts quiver's Flight SQL frontend over a new
// in-memory DuckDB and returns a Flight SQL backend pointing at it.
func flightBackendOverDuckDB(t *testing.T) backends.Backend {
	t.Helper()
	db, err := duckdb.Open("duckdb:", duckdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return flightBackendOver(t, db)
}

// flightBackendOver starts quiver's Flight SQL frontend over be and returns
// a Flight SQL backend pointing at it; both stop when the test ends.
func flightBackendOver(t *testing.T, be backends.Backend) backends.Backend {
	t.Helper()
	b, err := flightsrv.New(flightsrv.Config{Backend: be, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	addr, err := b.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = b.Serve() }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = b.Shutdown(ctx)
	})
	fb, err := flightsql.Open("grpc://"+addr.String(), flightsql.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fb.Close() })
	return fb
}
