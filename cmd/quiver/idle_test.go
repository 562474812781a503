//go:build duckdb_arrow

package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// TestIdleTimeoutFlags runs the binary with --idle-session-timeout and
// --idle-in-transaction-session-timeout: sessions start with those values
// (PostgreSQL's spelling in SHOW) and an idle one ends with FATAL 57P05.
// The behaviour itself is compared with PostgreSQL in package e2e.
func TestIdleTimeoutFlags(t *testing.T) {
	q := startQuiver(t, "--idle-session-timeout", "300ms", "--idle-in-transaction-session-timeout", "90s")
	ctx := context.Background()
	c, err := pgconn.Connect(ctx, "postgres://me@"+q.Addr+"/quiver?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	res, err := c.Exec(ctx, "SHOW idle_session_timeout; SHOW idle_in_transaction_session_timeout").ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := string(res[0].Rows[0][0]) + " " + string(res[1].Rows[0][0]); got != "300ms 90s" {
		t.Fatalf("SHOW: %s, want 300ms 90s", got)
	}
	start := time.Now()
	nc := c.Conn()
	_ = nc.SetReadDeadline(start.Add(5 * time.Second))
	f := pgproto3.NewFrontend(nc, nc)
	msg, err := f.Receive()
	if err != nil {
		t.Fatalf("waiting for the timeout: %v", err)
	}
	e, ok := msg.(*pgproto3.ErrorResponse)
	if !ok || e.Severity != "FATAL" || e.Code != "57P05" || e.Message != "terminating connection due to idle-session timeout" {
		t.Fatalf("got %#v, want FATAL 57P05", msg)
	}
	if took := time.Since(start); took < 250*time.Millisecond || took > 3*time.Second {
		t.Errorf("ended after %v, want about 300ms", took)
	}
	if _, err := f.Receive(); err != io.EOF && err != io.ErrUnexpectedEOF {
		t.Errorf("after the error: %v, want the connection closed", err)
	}
}

// TestIdleTimeoutFlagsValidated: a negative timeout is refused at start-up.
func TestIdleTimeoutFlagsValidated(t *testing.T) {
	for _, flag := range []string{"--idle-session-timeout", "--idle-in-transaction-session-timeout"} {
		o, err := parseFlags([]string{flag, "-1s"}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := securityConfig(o); err == nil || !strings.Contains(err.Error(), "must not be negative") {
			t.Errorf("%s -1s: %v, want it refused", flag, err)
		}
	}
}
