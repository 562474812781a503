//go:build duckdb_arrow

package flightsrv

import (
	"context"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
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
	_ = flightsql.SqlInfoFlightSqlServerName
}
