//go:build duckdb_arrow

package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestReadSpin runs sessions on quiver with its default --read-spin and
// with it off: statement after statement (the reads that poll), a pipeline
// of extended-protocol messages, and a session that pauses (the reads that
// wait).
func TestReadSpin(t *testing.T) {
	for _, args := range [][]string{nil, {"--read-spin", "0"}} {
		t.Run(fmt.Sprint(args), func(t *testing.T) { readSpin(t, args) })
	}
}

func readSpin(t *testing.T, args []string) {
	q := startQuiver(t, args...)
	ctx := context.Background()
	c, err := pgconn.Connect(ctx, "postgres://me@"+q.Addr+"/quiver?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	for i := range 500 {
		res, err := c.Exec(ctx, fmt.Sprintf("select %d + 1", i)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(res[0].Rows[0][0]), fmt.Sprint(i+1); got != want {
			t.Fatalf("select %d + 1 = %s", i, got)
		}
	}
	b := &pgconn.Batch{}
	for i := range 50 {
		b.ExecParams("select $1::int * 2", [][]byte{[]byte(fmt.Sprint(i))}, nil, nil, nil)
	}
	results, err := c.ExecBatch(ctx, b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if got, want := string(r.Rows[0][0]), fmt.Sprint(2*i); got != want {
			t.Fatalf("pipelined statement %d = %s, want %s", i, got, want)
		}
	}
	res, err := c.Exec(ctx, "select pg_sleep(0.05); select 'after a pause'").ReadAll()
	if err != nil || string(res[1].Rows[0][0]) != "after a pause" {
		t.Fatalf("after a pause: %v %v", res, err)
	}
	if _, err := c.Exec(ctx, "select 1/0").ReadAll(); err == nil {
		t.Fatal("1/0 succeeded")
	}
	if res, err := c.Exec(ctx, "select 'still here'").ReadAll(); err != nil || string(res[0].Rows[0][0]) != "still here" {
		t.Fatalf("after an error: %v %v", res, err)
	}
}
