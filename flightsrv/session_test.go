//go:build duckdb_arrow

package flightsrv

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"

	"github.com/quiverdb/quiver/backends/duckdb"
)

// TestSessionCookie checks that a client keeping cookies keeps its
// session: a temporary table made in one call is there in the next.
func TestSessionCookie(t *testing.T) {
	ts := startDuck(t, nil)
	jar := flight.NewCookieMiddleware()
	cl := ts.client(t, flight.CreateClientMiddleware(jar))
	ctx := context.Background()
	if _, err := cl.ExecuteUpdate(ctx, "CREATE TEMPORARY TABLE mine AS SELECT 42 AS x"); err != nil {
		t.Fatal(err)
	}
	// The cookie arrives with the headers of a call the client reads to
	// the end; another connection with it reaches the same session.
	rec := query(t, cl, "SELECT x FROM mine")
	rec.Release()
	again := ts.client(t, flight.CreateClientMiddleware(jar.Clone()))
	rec = query(t, again, "SELECT x FROM mine")
	rec.Release()
	again.Close()
	rec = query(t, cl, "SELECT x FROM mine")
	if got := table(rec); len(got) != 1 || got[0][0] != "42" {
		t.Errorf("got %q", got)
	}
	rec.Release()
	if n := ts.srv.sessionCount(); n != 1 {
		t.Errorf("%d sessions, want 1", n)
	}
	// CloseSession ends it: the temporary table is gone.
	res, err := cl.CloseSession(ctx, &flight.CloseSessionRequest{})
	if err != nil || res.Status != flight.CloseSessionResultClosed {
		t.Fatalf("CloseSession: %v, %v", res, err)
	}
	if _, err := cl.Execute(ctx, "SELECT x FROM mine"); err == nil {
		t.Error("the temporary table outlived its session")
	}
}

// TestConnectionSessions checks that a client keeping no cookies gets
// one session per gRPC connection, closed with the connection.
func TestConnectionSessions(t *testing.T) {
	ts := startDuck(t, nil)
	ctx := context.Background()
	cl := ts.client(t)
	if _, err := cl.ExecuteUpdate(ctx, "CREATE TEMPORARY TABLE mine AS SELECT 1 AS x"); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		rec := query(t, cl, "SELECT x FROM mine")
		rec.Release()
	}
	other := ts.client(t)
	if _, err := other.Execute(ctx, "SELECT x FROM mine"); err == nil {
		t.Error("another connection sees the temporary table")
	}
	if n := ts.srv.sessionCount(); n != 2 {
		t.Errorf("%d sessions, want 2", n)
	}
	cl.Close()
	other.Close()
	waitFor(t, "the sessions to close with their connections", func() bool { return ts.srv.sessionCount() == 0 })
}

// TestSessionIdleTimeout checks that an idle session is closed.
func TestSessionIdleTimeout(t *testing.T) {
	ts := startDuck(t, func(c *Config) { c.SessionIdleTimeout = 100 * time.Millisecond })
	cl := ts.client(t, flight.NewClientCookieMiddleware())
	ctx := context.Background()
	if _, err := cl.ExecuteUpdate(ctx, "CREATE TEMPORARY TABLE mine (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	if n := ts.srv.sessionCount(); n != 1 {
		t.Fatalf("%d sessions, want 1", n)
	}
	waitFor(t, "the idle session to close", func() bool { return ts.srv.sessionCount() == 0 })
	if _, err := cl.Execute(ctx, "SELECT * FROM mine"); err == nil {
		t.Error("the temporary table outlived its session")
	}
}

func TestSessionOptions(t *testing.T) {
	ts := startDuck(t, nil)
	cl := ts.client(t, flight.NewClientCookieMiddleware())
	ctx := context.Background()
	for _, sql := range append(catalogDDL, "ATTACH ':memory:' AS other", "CREATE TABLE other.main.elsewhere AS SELECT 'there' AS w") {
		if _, err := cl.ExecuteUpdate(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	options := func() map[string]string {
		res, err := cl.GetSessionOptions(ctx, &flight.GetSessionOptionsRequest{})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for k, v := range res.SessionOptions {
			out[k] = v.GetStringValue()
		}
		return out
	}
	set := func(name, value string) map[string]*flight.SetSessionOptionsResultError {
		opts, err := flight.NewSessionOptionValues(map[string]any{name: value})
		if err != nil {
			t.Fatal(err)
		}
		res, err := cl.SetSessionOptions(ctx, &flight.SetSessionOptionsRequest{SessionOptions: opts})
		if err != nil {
			t.Fatal(err)
		}
		return res.Errors
	}
	if got := options(); got["catalog"] != "memory" || got["schema"] != "main" {
		t.Errorf("initial options %v", got)
	}
	if errs := set("schema", "sales"); len(errs) != 0 {
		t.Fatalf("set schema: %v", errs)
	}
	if got := options(); got["schema"] != "sales" {
		t.Errorf("options after set: %v", got)
	}
	// Unqualified names now resolve in sales, for statements, prepared
	// statements and transactions alike.
	rec := query(t, cl, "SELECT count(*) FROM customers")
	rec.Release()
	ps, err := cl.Prepare(ctx, "SELECT count(*) FROM orders")
	if err != nil {
		t.Fatal(err)
	}
	ps.Close(ctx)
	tx, err := cl.BeginTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Execute(ctx, "SELECT * FROM big_orders"); err != nil {
		t.Errorf("in a transaction: %v", err)
	}
	tx.Rollback(ctx)

	if errs := set("catalog", "other"); len(errs) != 0 {
		t.Fatalf("set catalog: %v", errs)
	}
	rec = query(t, cl, "SELECT w FROM elsewhere")
	if got := table(rec); len(got) != 1 || got[0][0] != "there" {
		t.Errorf("in catalog other: %q", got)
	}
	rec.Release()
	if errs := set("catalog", "nowhere"); errs["catalog"].GetValue() != flight.SetSessionOptionsResultErrorInvalidValue {
		t.Errorf("unknown catalog: %v", errs)
	}
	if errs := set("colour", "blue"); errs["colour"].GetValue() != flight.SetSessionOptionsResultErrorInvalidName {
		t.Errorf("unknown option: %v", errs)
	}
}

// TestInterleavedStreams reads two results of one session in turns: the
// backend calls on the session stay serialised, and both results arrive
// whole.
func TestInterleavedStreams(t *testing.T) {
	ts := startDuck(t, nil)
	cl := ts.client(t)
	ctx := context.Background()
	var readers []*flight.Reader
	for _, q := range []string{"SELECT i FROM range(0, 100000) t(i)", "SELECT i FROM range(100000, 200000) t(i)"} {
		info, err := cl.Execute(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		rdr, err := cl.DoGet(ctx, info.Endpoint[0].Ticket)
		if err != nil {
			t.Fatal(err)
		}
		defer rdr.Release()
		readers = append(readers, rdr)
	}
	next := []int64{0, 100000}
	for live := 2; live > 0; {
		live = 0
		for k, rdr := range readers {
			if !rdr.Next() {
				continue
			}
			live++
			for _, v := range rdr.RecordBatch().Column(0).(*array.Int64).Int64Values() {
				if v != next[k] {
					t.Fatalf("stream %d: got %d, want %d", k, v, next[k])
				}
				next[k]++
			}
		}
	}
	for k, rdr := range readers {
		if err := rdr.Err(); err != nil && !errors.Is(err, io.EOF) {
			t.Errorf("stream %d: %v", k, err)
		}
	}
	if next[0] != 100000 || next[1] != 200000 {
		t.Errorf("read up to %v", next)
	}
	if n := ts.srv.sessionCount(); n != 1 {
		t.Errorf("%d sessions, want 1", n)
	}
}

// TestShutdownCancels checks that Shutdown, when its context ends, stops a
// statement still streaming.
func TestShutdownCancels(t *testing.T) {
	be, err := duckdb.Open("duckdb:", duckdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer be.Close()
	srv, err := New(Config{Backend: be})
	if err != nil {
		t.Fatal(err)
	}
	addr, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	ts := &testServer{srv: srv, addr: addr.String(), be: be}
	cl := ts.client(t)
	_, done := startSlow(t, ts, cl, context.Background(), slowQuery)

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown: %v, want the deadline", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Shutdown took %v", d)
	}
	if err := <-done; err == nil {
		t.Error("the stream ended without an error")
	}
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve: %v", err)
	}
	if n := srv.sessionCount(); n != 0 {
		t.Errorf("%d sessions left", n)
	}
}
