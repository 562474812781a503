//go:build duckdb_arrow

package e2e

import (
	"context"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/quiverdb/quiver/internal/quivertest"
)

// TestClientDisconnectMidResult hangs up in the middle of a huge result.
// The session must end, its backend work must stop (the goroutines go
// away), and the server must keep serving others.
func TestClientDisconnectMidResult(t *testing.T) {
	q := quivertest.Start(t)
	ctx := context.Background()
	other, err := pgconn.Connect(ctx, q.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	if _, err := other.Exec(ctx, "select 1").ReadAll(); err != nil {
		t.Fatal(err)
	}
	baseline := runtime.NumGoroutine()

	for range 3 {
		nc, err := net.Dial("tcp", q.Addr())
		if err != nil {
			t.Fatal(err)
		}
		fe := pgproto3.NewFrontend(nc, nc)
		fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersionNumber, Parameters: map[string]string{"user": "me", "database": "quiver"}})
		fe.Send(&pgproto3.Query{String: "select i, 'some text ' || i from range(1000000000) t(i)"})
		if err := fe.Flush(); err != nil {
			t.Fatal(err)
		}
		rows := 0
		for rows < 50000 {
			msg, err := fe.Receive()
			if err != nil {
				t.Fatal(err)
			}
			switch m := msg.(type) {
			case *pgproto3.DataRow:
				rows++
			case *pgproto3.ErrorResponse:
				t.Fatalf("error: %s", m.Message)
			}
		}
		nc.Close()
	}

	// The other session is untouched and the server still accepts new ones.
	if _, err := other.Exec(ctx, "select 2").ReadAll(); err != nil {
		t.Fatal(err)
	}
	c, err := pgconn.Connect(ctx, q.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	res, err := c.Exec(ctx, "select count(*) from range(1000)").ReadAll()
	if err != nil || string(res[0].Rows[0][0]) != "1000" {
		t.Fatalf("server unhealthy after disconnects: %v %v", res, err)
	}
	// Backend work stops: no goroutine is left streaming for the dead
	// sessions (the new session adds one connection goroutine).
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > baseline+2 {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("goroutines: %d, baseline %d\n%s", runtime.NumGoroutine(), baseline, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(50 * time.Millisecond)
	}
}
