//go:build duckdb_arrow && linux

package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// threadPolicies returns the scheduling policy of each thread of process
// pid, from field 41 of /proc/PID/task/TID/stat.
func threadPolicies(t *testing.T, pid int) map[string]string {
	t.Helper()
	dir := filepath.Join("/proc", strconv.Itoa(pid), "task")
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name(), "stat"))
		if err != nil {
			continue // exited
		}
		s := string(b)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		out[e.Name()] = fields[41-3] // fields counted from 1; pid and comm are cut
	}
	return out
}

// TestSchedBatch runs quiver with --sched-batch and checks that all its
// threads, including those DuckDB and Go start after the flag took effect,
// have the SCHED_BATCH policy (3), and without it SCHED_OTHER (0).
func TestSchedBatch(t *testing.T) {
	for _, batch := range []bool{true, false} {
		var args []string
		want := "0"
		if batch {
			args, want = []string{"--sched-batch", "--backend", "duckdb:?threads=2"}, "3"
		}
		q := startQuiver(t, args...)
		ctx := context.Background()
		c, err := pgconn.Connect(ctx, "postgres://me@"+q.Addr+"/quiver?sslmode=disable")
		if err != nil {
			t.Fatal(err)
		}
		// A parallel aggregate makes DuckDB start its worker threads.
		res, err := c.Exec(ctx, "select count(*), sum(i) from range(5000000) t(i)").ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if got := string(res[0].Rows[0][0]); got != "5000000" {
			t.Fatalf("count = %s", got)
		}
		c.Close(ctx)
		pols := threadPolicies(t, q.cmd.Process.Pid)
		if len(pols) < 3 {
			t.Fatalf("only %d threads", len(pols))
		}
		for tid, p := range pols {
			if p != want {
				t.Errorf("batch=%v: thread %s has policy %s, want %s", batch, tid, p, want)
			}
		}
	}
}
