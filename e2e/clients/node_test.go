package clients

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// TestNodePostgres runs node/pg_client.js — node-postgres's simple protocol
// for queries without parameters and its extended protocol with text results
// for queries with them (unnamed and named statements), every type through
// pg's parsers and as raw text, command tags and row counts, multi-statement
// queries, transactions and SQLSTATEs — against PostgreSQL and quiver.
func TestNodePostgres(t *testing.T) {
	dir, err := filepath.Abs("node")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "pg", "package.json")); err != nil {
		t.Fatalf("node-postgres is not installed (%v): run scripts/install-clients.sh", err)
	}
	compare(t, "node-postgres", []string{
		"connect", "types_simple", "types_extended", "types_named", "raw_text", "params", "params_inferred",
		"dml", "row_mode_array", "multi_statement", "transaction", "err_undefined_table", "err_syntax",
		"err_unique", "err_in_transaction", "err_bad_value",
	}, func(ctx context.Context, tgt target) *exec.Cmd {
		cmd := exec.CommandContext(ctx, "node", filepath.Join(dir, "pg_client.js"),
			tgt.host, strconv.Itoa(tgt.port), tgt.user, tgt.db, tgt.dialect)
		cmd.Dir = dir
		// pg parses timestamp without time zone in the process's zone.
		cmd.Env = append(os.Environ(), "TZ=UTC")
		return cmd
	})
}
