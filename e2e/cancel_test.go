//go:build duckdb_arrow

package e2e

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/quiverdb/quiver/internal/quivertest"
)

// TestCancelRequest cancels a long DuckDB query with a real CancelRequest
// (pgconn's, which opens a second connection carrying the BackendKeyData):
// the query fails with 57014 within a second and the session stays usable.
func TestCancelRequest(t *testing.T) {
	q := quivertest.Start(t)
	ctx := context.Background()
	c, err := pgconn.Connect(ctx, q.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	for _, sql := range []string{
		"select count(*) from range(100000000000) t(i) where i % 7 = 3",                  // one long-running result row
		"select i, i * 2 from range(100000000000) t(i) where i % 1000000000000 = 999999", // rows that trickle
	} {
		done := make(chan error, 1)
		start := time.Now()
		go func() {
			_, err := c.Exec(ctx, sql).ReadAll()
			done <- err
		}()
		time.Sleep(300 * time.Millisecond)
		cancelAt := time.Now()
		if err := c.CancelRequest(ctx); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != "57014" {
				t.Fatalf("%q: got %v, want SQLSTATE 57014", sql, err)
			}
			if pe.Message != "canceling statement due to user request" {
				t.Errorf("message %q", pe.Message)
			}
			if d := time.Since(cancelAt); d > time.Second {
				t.Errorf("cancel took %v", d)
			}
			t.Logf("%q cancelled after %v", sql, time.Since(start))
		case <-time.After(10 * time.Second):
			t.Fatalf("%q: not cancelled", sql)
		}
		res, err := c.Exec(ctx, "select 42").ReadAll()
		if err != nil || string(res[0].Rows[0][0]) != "42" {
			t.Fatalf("session unusable after cancel: %v", err)
		}
	}
}

// TestStatementTimeout: statement_timeout interrupts DuckDB with
// PostgreSQL's 57014 and message, and the session goes on.
func TestStatementTimeout(t *testing.T) {
	q := quivertest.Start(t)
	ctx := context.Background()
	c, err := pgconn.Connect(ctx, q.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	start := time.Now()
	_, err = c.Exec(ctx, "set statement_timeout = 300; select count(*) from range(100000000000)").ReadAll()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "57014" || pe.Message != "canceling statement due to statement timeout" {
		t.Fatalf("got %v, want 57014 canceling statement due to statement timeout", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("timeout took %v", d)
	}
	if res, err := c.Exec(ctx, "select 1").ReadAll(); err != nil || string(res[0].Rows[0][0]) != "1" {
		t.Fatalf("session unusable after the timeout: %v", err)
	}
}
