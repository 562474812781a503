//go:build duckdb_arrow

package flightsrv

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc/codes"
)

func TestTransactions(t *testing.T) {
	ts := startDuck(t, nil)
	cl := ts.client(t)
	ctx := context.Background()
	if _, err := cl.ExecuteUpdate(ctx, "CREATE TABLE tx (id INTEGER)"); err != nil {
		t.Fatal(err)
	}
	outside := func() int64 { return count(t, cl, cl.Execute, "SELECT count(*) FROM tx") }

	// Commit: the row is visible inside at once, outside after COMMIT.
	tx, err := cl.BeginTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := tx.ExecuteUpdate(ctx, "INSERT INTO tx VALUES (1), (2)"); err != nil || n != 2 {
		t.Fatalf("insert in transaction: %d, %v", n, err)
	}
	if n := count(t, cl, tx.Execute, "SELECT count(*) FROM tx"); n != 2 {
		t.Errorf("inside: %d rows, want 2", n)
	}
	if n := outside(); n != 0 {
		t.Errorf("outside before commit: %d rows, want 0", n)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if n := outside(); n != 2 {
		t.Errorf("after commit: %d rows, want 2", n)
	}

	// Rollback, with a prepared statement made in the transaction, which
	// stays usable afterwards, outside it.
	tx, err = cl.BeginTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	ins, err := tx.Prepare(ctx, "INSERT INTO tx VALUES ($1)")
	if err != nil {
		t.Fatal(err)
	}
	defer ins.Close(ctx)
	params := batch(t, mem, ins.ParameterSchema(), `[{"$1": 10}, {"$1": 11}, {"$1": 12}]`)
	ins.SetParameters(params)
	params.Release()
	if n, err := ins.ExecuteUpdate(ctx); err != nil || n != 3 {
		t.Fatalf("prepared insert in transaction: %d, %v", n, err)
	}
	if n := count(t, cl, tx.Execute, "SELECT count(*) FROM tx"); n != 5 {
		t.Errorf("inside: %d rows, want 5", n)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if n := outside(); n != 2 {
		t.Errorf("after rollback: %d rows, want 2", n)
	}
	if n, err := ins.ExecuteUpdate(ctx); err != nil || n != 3 {
		t.Fatalf("prepared insert after rollback: %d, %v", n, err)
	}
	if n := outside(); n != 5 {
		t.Errorf("after autocommit insert: %d rows, want 5", n)
	}

	// A failed statement aborts the transaction: COMMIT rolls it back and
	// says so.
	tx, err = cl.BeginTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecuteUpdate(ctx, "INSERT INTO tx VALUES (100)"); err != nil {
		t.Fatal(err)
	}
	_, err = tx.ExecuteUpdate(ctx, "INSERT INTO tx SELECT CAST('x' || i AS INTEGER) FROM range(1) t(i)")
	wantSQLError(t, "failing statement", err, codes.InvalidArgument, "22P02")
	_, err = tx.ExecuteUpdate(ctx, "INSERT INTO tx VALUES (101)")
	wantSQLError(t, "statement after failure", err, codes.FailedPrecondition, "25P02")
	err = tx.Commit(ctx)
	wantSQLError(t, "commit of aborted transaction", err, codes.Aborted, "40000")
	if n := outside(); n != 5 {
		t.Errorf("after failed commit: %d rows, want 5", n)
	}

	// DuckDB has no savepoints.
	tx, err = cl.BeginTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tx.BeginSavepoint(ctx, "sp")
	wantSQLError(t, "savepoint", err, codes.Unimplemented, "0A000")
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}

	// An ended transaction is gone.
	_, err = tx.Execute(ctx, "SELECT 1")
	if err == nil {
		t.Error("Execute in an ended transaction succeeded")
	}
}
