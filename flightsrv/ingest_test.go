//go:build duckdb_arrow

package flightsrv

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc/codes"
)

func TestIngest(t *testing.T) {
	ts := startDuck(t, nil)
	cl := ts.sessionClient(t)
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	ingest := ingester(t, cl, mem)
	rowCount := func(table string) int64 {
		return count(t, cl, cl.Execute, "SELECT count(*) FROM "+table)
	}

	n, err := ingest(ingestOpts("people", create, failEx), 0, 5, 2000)
	if err != nil || n != 10000 {
		t.Fatalf("create: %d, %v", n, err)
	}
	// The table holds what was sent.
	got := query(t, cl, "SELECT * FROM people ORDER BY id")
	rdr := ingestRows(t, mem, 0, 5, 2000)
	var sent []arrow.RecordBatch
	for rdr.Next() {
		r := rdr.RecordBatch()
		r.Retain()
		sent = append(sent, r)
	}
	want := concat(t, ingestSchema, sent)
	for _, r := range sent {
		r.Release()
	}
	rdr.Release()
	for i := range want.NumCols() {
		if !array.Equal(got.Column(int(i)), want.Column(int(i))) {
			t.Errorf("column %d differs", i)
		}
	}
	got.Release()
	want.Release()

	_, err = ingest(ingestOpts("people", create, failEx), 0, 1, 10)
	wantSQLError(t, "create existing", err, codes.AlreadyExists, "42P07")
	if n, err := ingest(ingestOpts("people", failNE, appendE), 10000, 2, 100); err != nil || n != 200 {
		t.Fatalf("append: %d, %v", n, err)
	}
	if c := rowCount("people"); c != 10200 {
		t.Errorf("after append: %d rows", c)
	}
	if n, err := ingest(ingestOpts("people", create, replace), 0, 1, 10); err != nil || n != 10 {
		t.Fatalf("replace: %d, %v", n, err)
	}
	if c := rowCount("people"); c != 10 {
		t.Errorf("after replace: %d rows", c)
	}
	if n, err := ingest(ingestOpts("others", create, appendE), 0, 1, 3); err != nil || n != 3 {
		t.Fatalf("create_append on a missing table: %d, %v", n, err)
	}
	_, err = ingest(ingestOpts("missing", failNE, appendE), 0, 1, 3)
	wantSQLError(t, "append to missing", err, codes.NotFound, "42P01")

	// All or nothing: a duplicate key in the last batch leaves the table
	// as it was.
	if _, err := cl.ExecuteUpdate(ctx, "CREATE TABLE keyed (id BIGINT PRIMARY KEY, name VARCHAR, score DOUBLE, ok BOOLEAN)"); err != nil {
		t.Fatal(err)
	}
	if n, err := ingest(ingestOpts("keyed", failNE, appendE), 0, 1, 100); err != nil || n != 100 {
		t.Fatalf("keyed: %d, %v", n, err)
	}
	_, err = ingest(ingestOpts("keyed", failNE, appendE), 50, 3, 100)
	wantSQLError(t, "duplicate key", err, codes.AlreadyExists, "23505")
	if c := rowCount("keyed"); c != 100 {
		t.Errorf("after failed ingest: %d rows, want 100", c)
	}
	// Replacing a table that must exist.
	if n, err := ingest(ingestOpts("keyed", failNE, replace), 0, 1, 10); err != nil || n != 10 {
		t.Fatalf("replace existing: %d, %v", n, err)
	}
	_, err = ingest(ingestOpts("missing", failNE, replace), 0, 1, 10)
	wantSQLError(t, "replace missing", err, codes.NotFound, "42P01")

	// A temporary table is seen by the session that made it only.
	opts := ingestOpts("scratch", create, failEx)
	opts.Temporary = true
	if n, err := ingest(opts, 0, 1, 5); err != nil || n != 5 {
		t.Fatalf("temporary: %d, %v", n, err)
	}
	if c := rowCount("scratch"); c != 5 {
		t.Errorf("temporary table: %d rows", c)
	}
	other := ts.client(t)
	if _, err := other.Execute(ctx, "SELECT count(*) FROM scratch"); err == nil {
		t.Error("another session sees the temporary table")
	}

	// Within a transaction, rolled back.
	tx, err := cl.BeginTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	opts = ingestOpts("intx", create, failEx)
	opts.TransactionId = tx.ID()
	if n, err := ingest(opts, 0, 2, 10); err != nil || n != 20 {
		t.Fatalf("in transaction: %d, %v", n, err)
	}
	if c := count(t, cl, tx.Execute, "SELECT count(*) FROM intx"); c != 20 {
		t.Errorf("inside: %d rows", c)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Execute(ctx, "SELECT count(*) FROM intx"); err == nil {
		t.Error("the rolled-back table exists")
	}
}
