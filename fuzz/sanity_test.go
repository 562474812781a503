//go:build duckdb_arrow

package fuzz

import (
	"bytes"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// TestHarnessRunsStatements checks that the harness runs a real session:
// the answer to a query comes back.
func TestHarnessRunsStatements(t *testing.T) {
	out := serveBytes(t, encode(&pgproto3.Query{String: "SELECT 40 + 2 AS answer"}, &pgproto3.Terminate{}), 10*time.Second)
	if !bytes.Contains(out, []byte("answer")) || !bytes.Contains(out, []byte("42")) {
		t.Fatalf("no result in %q", out)
	}
}
