//go:build duckdb_arrow

package duckdb

import (
	"context"
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/quiverdb/quiver/pgerror"
)

// intBatches makes n batches of size rows of (a int64, b utf8), numbered
// from 0; the row numbered bad, if any, has a null a.
func intBatches(mem memory.Allocator, n, size, bad int) []arrow.RecordBatch {
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "b", Type: arrow.BinaryTypes.String},
	}, nil)
	var out []arrow.RecordBatch
	for k := range n {
		b := array.NewRecordBuilder(mem, sc)
		for i := range size {
			id := k*size + i
			if id == bad {
				b.Field(0).AppendNull()
			} else {
				b.Field(0).(*array.Int64Builder).Append(int64(id))
			}
			b.Field(1).(*array.StringBuilder).Append("row")
		}
		out = append(out, b.NewRecordBatch())
		b.Release()
	}
	return out
}

func reader(t *testing.T, recs []arrow.RecordBatch) array.RecordReader {
	t.Helper()
	rr, err := array.NewRecordReader(recs[0].Schema(), recs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		r.Release()
	}
	return rr
}

// TestAppendAllOrNothing appends more rows than DuckDB's appender holds
// before it runs its INSERT (204,800), so the rows go in by several
// INSERTs: a NOT NULL violation in the last of them must leave nothing of
// the earlier ones, outside a transaction block and inside one.
func TestAppendAllOrNothing(t *testing.T) {
	mem := checkedAlloc(t)
	s := newSession(t, Options{Allocator: mem})
	ctx := context.Background()
	mustExec(t, s, "create table t(a bigint not null, b varchar)")
	const n, size = 10, 50_000

	rr := reader(t, intBatches(mem, n, size, n*size-1))
	_, err := s.Append(ctx, "t", rr)
	rr.Release()
	var pe *pgerror.Error
	if !errors.As(err, &pe) || pe.Code != pgerror.NotNullViolation {
		t.Fatalf("append with a null in its last row: %v, want %s", err, pgerror.NotNullViolation)
	}
	if got := queryRows(t, s, "select count(*) from t"); got[0][0] != "0" {
		t.Fatalf("%s rows kept after the failed append", got[0][0])
	}

	rr = reader(t, intBatches(mem, n, size, -1))
	got, err := s.Append(ctx, "t", rr)
	rr.Release()
	if err != nil || got != n*size {
		t.Fatalf("append: %d rows, %v; want %d", got, err, n*size)
	}
	if got := queryRows(t, s, "select count(*), sum(a) from t"); got[0][0] != "500000" || got[0][1] != "124999750000" {
		t.Fatalf("count, sum = %v", got[0])
	}

	// Inside a transaction block the block decides: the failed append
	// fails the transaction, and its rollback leaves what was there.
	mustExec(t, s, "begin")
	rr = reader(t, intBatches(mem, n, size, n*size-1))
	_, err = s.Append(ctx, "t", rr)
	rr.Release()
	if err == nil {
		t.Fatal("append with a null inside a transaction succeeded")
	}
	mustExec(t, s, "rollback")
	if got := queryRows(t, s, "select count(*) from t"); got[0][0] != "500000" {
		t.Fatalf("%s rows after the rolled-back append, want 500000", got[0][0])
	}
	mustExec(t, s, "begin")
	rr = reader(t, intBatches(mem, 1, 10, -1))
	if _, err := s.Append(ctx, "t", rr); err != nil {
		t.Fatal(err)
	}
	rr.Release()
	mustExec(t, s, "commit")
	if got := queryRows(t, s, "select count(*) from t"); got[0][0] != "500010" {
		t.Fatalf("%s rows after the committed append, want 500010", got[0][0])
	}
}

// TestAppendCanceled stops an append whose context is done: nothing is
// kept and the session goes on.
func TestAppendCanceled(t *testing.T) {
	mem := checkedAlloc(t)
	s := newSession(t, Options{Allocator: mem})
	mustExec(t, s, "create table t(a bigint, b varchar)")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rr := reader(t, intBatches(mem, 4, 1000, -1))
	_, err := s.Append(ctx, "t", rr)
	rr.Release()
	var pe *pgerror.Error
	if !errors.As(err, &pe) || pe.Code != pgerror.QueryCanceled {
		t.Fatalf("append with a done context: %v, want %s", err, pgerror.QueryCanceled)
	}
	if got := queryRows(t, s, "select count(*) from t"); got[0][0] != "0" {
		t.Fatalf("%s rows kept after the cancelled append", got[0][0])
	}
}
