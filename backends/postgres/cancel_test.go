package postgres

import (
	"context"
	"fmt"
	"net"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/backends/postgres/postgrestest"
	"github.com/quiverdb/quiver/internal/testenv"
	"github.com/quiverdb/quiver/pgerror"
)

// cancelPaths are the ways a statement runs, each with the message that
// starts it on the wire.
var cancelPaths = []struct{ how, msg string }{
	{"copy", "Q"},     // COPY (query) TO STDOUT, a simple Query
	{"extended", "B"}, // Bind/Execute of a prepared statement
	{"exec", "B"},     // a statement without rows
	{"batch", "P"},    // ExecuteBatch: the pipeline starts with BEGIN's Parse
}

// sleeper prepares a statement that sleeps for secs seconds on session s,
// to run by the path how names. The function it returns runs it, reads
// its rows and returns the error that ended it.
func sleeper(t *testing.T, e *env, s *Session, how string, secs float64) func(context.Context) error {
	t.Helper()
	var run func(context.Context) (*backends.Result, error)
	switch how {
	case "copy":
		run = func(ctx context.Context) (*backends.Result, error) {
			return s.Query(ctx, fmt.Sprintf("SELECT 1 FROM pg_sleep(%g)", secs))
		}
	case "extended":
		st, err := s.Prepare(context.Background(), "SELECT pg_sleep($1)", nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		p := oneRow(t, e.mem, arrow.PrimitiveTypes.Float64, secs)
		t.Cleanup(p.Release)
		run = func(ctx context.Context) (*backends.Result, error) { return st.Execute(ctx, p) }
	case "exec":
		run = func(ctx context.Context) (*backends.Result, error) {
			return s.Query(ctx, fmt.Sprintf("DO $$BEGIN PERFORM pg_sleep(%g); END$$", secs))
		}
	case "batch":
		if _, err := s.Query(context.Background(), "CREATE TABLE IF NOT EXISTS sleeps (x int)"); err != nil {
			t.Fatal(err)
		}
		st, err := s.Prepare(context.Background(), "INSERT INTO sleeps SELECT 1 FROM pg_sleep($1)", nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		p := oneRow(t, e.mem, arrow.PrimitiveTypes.Float64, secs)
		t.Cleanup(p.Release)
		run = func(ctx context.Context) (*backends.Result, error) {
			params, err := array.NewRecordReader(p.Schema(), []arrow.RecordBatch{p})
			if err != nil {
				return nil, err
			}
			defer params.Release()
			n, err := st.(backends.BatchExecutor).ExecuteBatch(ctx, params)
			if err != nil {
				return nil, err
			}
			return &backends.Result{RowsAffected: n}, nil
		}
	}
	return func(ctx context.Context) error {
		res, err := run(ctx)
		if err != nil || res.Rows == nil {
			return err
		}
		defer res.Rows.Release()
		for res.Rows.Next() {
		}
		return res.Rows.Err()
	}
}

// gatedBackend opens a backend that reaches PostgreSQL through a gate.
func gatedBackend(t *testing.T, e *env, opts Options) (*postgrestest.Gate, *Backend) {
	t.Helper()
	pg := testenv.PG(t)
	gate := postgrestest.NewGate(t, net.JoinHostPort(pg.Host, strconv.Itoa(pg.Port)))
	opts.Allocator = e.mem
	be, err := Open(gate.URL(t, e.url), opts)
	if err != nil {
		t.Fatal(err)
	}
	return gate, be
}

// session opens a session of be, closed when the test ends.
func session(t *testing.T, be *Backend) *Session {
	t.Helper()
	s, err := be.OpenSession(context.Background(), backends.SessionInfo{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// wantUsable checks that the session is valid and runs a statement.
func wantUsable(t *testing.T, s *Session) {
	t.Helper()
	if !s.IsValid() {
		t.Error("session is not valid")
	}
	if got := readAll(t, mustQuery(t, s, "SELECT 7")); !reflect.DeepEqual(got, [][]any{{int32(7)}}) {
		t.Errorf("after cancel: %v", got)
	}
}

// TestCancelOvertakes has the CancelRequest reach PostgreSQL before the
// statement it is for, which PostgreSQL then ignores (its backend process
// is waiting for a message): the statement must stop within a second of
// reaching PostgreSQL all the same, with 57014, and the session go on.
func TestCancelOvertakes(t *testing.T) {
	e := newEnv(t, Options{})
	gate, be := gatedBackend(t, e, Options{})
	for _, p := range cancelPaths {
		t.Run(p.how, func(t *testing.T) {
			s := session(t, be)
			sleep := sleeper(t, e, s, p.how, 30)
			held, release := gate.Hold(p.msg)
			defer release()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- sleep(ctx) }()
			select {
			case <-held:
			case err := <-done:
				t.Fatalf("statement ended before it was sent: %v", err)
			case <-time.After(10 * time.Second):
				t.Fatal("statement not sent")
			}
			cancel()
			gate.WaitCancel(t, 5*time.Second) // answered, and ignored
			release()
			start := time.Now()
			select {
			case err := <-done:
				if d := time.Since(start); d > time.Second {
					t.Errorf("statement ended %v after reaching PostgreSQL", d)
				}
				if pgerror.Code(err) != pgerror.QueryCanceled {
					t.Errorf("got %v, want 57014", err)
				}
				// The first CancelRequest was ignored; a later one stopped it.
				if n := s.cancel.sent.Load(); n < 2 {
					t.Errorf("%d CancelRequests sent, want 2 or more", n)
				}
			case <-time.After(15 * time.Second):
				t.Fatal("statement not cancelled")
			}
			wantUsable(t, s)
		})
	}
}

// TestCancelBeforeSend cancels the context before the statement starts:
// nothing is sent, and the session goes on.
func TestCancelBeforeSend(t *testing.T) {
	e := newEnv(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, p := range cancelPaths {
		sleep := sleeper(t, e, e.sess, p.how, 30)
		start := time.Now()
		err := sleep(ctx)
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s: took %v", p.how, d)
		}
		if pgerror.Code(err) != pgerror.QueryCanceled {
			t.Errorf("%s: got %v, want 57014", p.how, err)
		}
		wantUsable(t, e.sess)
	}
}

// TestCancelNotAnswered holds back every CancelRequest: the statement
// fails when CancelTimeout has passed, the connection is closed, and the
// session is no longer valid, so that a pool discards it.
func TestCancelNotAnswered(t *testing.T) {
	e := newEnv(t, Options{})
	gate, be := gatedBackend(t, e, Options{CancelTimeout: 300 * time.Millisecond})
	s := session(t, be)
	held, release := gate.HoldCancel()
	defer release()
	sleep := sleeper(t, e, s, "copy", 30)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	err := sleep(ctx)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("statement ended after %v", d)
	}
	select {
	case <-held:
	default:
		t.Error("no CancelRequest was sent")
	}
	if pgerror.Code(err) != pgerror.QueryCanceled {
		t.Errorf("got %v, want 57014", err)
	}
	if s.IsValid() {
		t.Error("session still valid")
	}
	if _, err := s.Query(context.Background(), "SELECT 1"); pgerror.Code(err) != pgerror.ConnectionFailure {
		t.Errorf("next statement: got %v, want 08006", err)
	}
	// Let the CancelRequest through: PostgreSQL stops the sleep, and the
	// next test can drop the database.
	release()
	gate.WaitCancel(t, 5*time.Second)
}
