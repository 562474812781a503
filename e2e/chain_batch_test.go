//go:build duckdb_arrow

package e2e

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/quiverdb/quiver/backends/postgres"
	"github.com/quiverdb/quiver/internal/quivertest"
	"github.com/quiverdb/quiver/internal/testenv"
)

// TestChainCopyInTransaction sends COPY FROM STDIN inside BEGIN ... COMMIT
// through the chain quiver A → Flight SQL → quiver B → PostgreSQL, where
// A's Flight SQL backend turns the rows into a prepared INSERT with the
// whole stream bound, and B runs it as one pipelined batch: 100,000 rows
// land whole; a COPY with a duplicate key in its middle fails with
// PostgreSQL's 23505, fails the transaction, and leaves nothing after
// ROLLBACK.
func TestChainCopyInTransaction(t *testing.T) {
	pg := testenv.PG(t)
	url := pg.URL(pg.CreateDB(t))
	pgBackend, err := postgres.Open(url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pgBackend.Close() })
	a := quivertest.Start(t, quivertest.Options{Backend: flightBackendOver(t, pgBackend)})
	ctx := context.Background()
	qc, err := pgconn.Connect(ctx, a.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = qc.Close(ctx) })
	exec := func(sql string) error {
		_, err := qc.Exec(ctx, sql).ReadAll()
		return err
	}
	if err := exec("create table chain_copy (id int8 primary key, s text)"); err != nil {
		t.Fatal(err)
	}
	rows := func(ids ...int) []byte {
		var b []byte
		for _, id := range ids {
			b = strconv.AppendInt(b, int64(id), 10)
			b = append(b, "\trow "...)
			b = strconv.AppendInt(b, int64(id), 10)
			b = append(b, '\n')
		}
		return b
	}
	count := func() string {
		res, err := pgconnExec(url, "select count(*), coalesce(sum(id), 0) from chain_copy")
		if err != nil {
			t.Fatal(err)
		}
		r := res[0].Rows[0]
		return string(r[0]) + " " + string(r[1])
	}

	const n = 100_000
	ids := make([]int, n)
	for i := range ids {
		ids[i] = i + 1
	}
	if err := exec("begin"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	tag, err := qc.CopyFrom(ctx, bytes.NewReader(rows(ids...)), "copy chain_copy from stdin")
	d := time.Since(start)
	if err != nil || tag.RowsAffected() != n {
		t.Fatalf("copy: %v, %v", tag, err)
	}
	t.Logf("%d rows copied through the chain in %v: %.0f rows/s", n, d, n/d.Seconds())
	if got := count(); got != "0 0" {
		t.Errorf("before commit PostgreSQL has %s", got)
	}
	if err := exec("commit"); err != nil {
		t.Fatal(err)
	}
	want := strconv.Itoa(n) + " " + strconv.Itoa(n*(n+1)/2)
	if got := count(); got != want {
		t.Errorf("after commit: count, sum %s, want %s", got, want)
	}

	// Ids n+1..n+20000, then n+500 again.
	for i := range 20000 {
		ids[i] = n + 1 + i
	}
	ids[20000] = n + 500
	if err := exec("begin"); err != nil {
		t.Fatal(err)
	}
	_, err = qc.CopyFrom(ctx, bytes.NewReader(rows(ids[:20001]...)), "copy chain_copy from stdin")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "23505" {
		t.Errorf("copy with a duplicate: %v, want 23505", err)
	}
	err = exec("select 1")
	if !errors.As(err, &pe) || pe.Code != "25P02" {
		t.Errorf("after the failed copy: %v, want 25P02", err)
	}
	if err := exec("rollback"); err != nil {
		t.Fatal(err)
	}
	if got := count(); got != want {
		t.Errorf("after rollback: count, sum %s, want %s", got, want)
	}
}
