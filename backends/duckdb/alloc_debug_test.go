//go:build duckdb_arrow && debug_bindings

package duckdb

import (
	"context"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	bindings "github.com/duckdb/duckdb-go-bindings"
)

// TestBindingsAllocations runs a workload touching every path and checks,
// with the bindings' own allocation counters (build tag debug_bindings),
// that every DuckDB object was destroyed. Run it with
//
//	go test -tags duckdb_arrow,debug_bindings -run TestBindingsAllocations ./backends/duckdb/
func TestBindingsAllocations(t *testing.T) {
	if msg := bindings.GetAllocationCounts(); msg != "" {
		t.Fatalf("allocations before the workload:\n%s", msg)
	}
	mem := checkedAlloc(t)
	ctx := context.Background()
	func() {
		b, err := Open("duckdb:", Options{Allocator: mem, BatchRows: 10000})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		s, err := b.Connect(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if n, _ := bindings.GetAllocationCount(bindings.AllocationCounterConnection); n != 1 {
			t.Fatalf("%d connections counted: allocation tracking is off", n)
		}
		mustExec(t, s, "create table t(a int primary key, b text)")
		mustExec(t, s, "insert into t select range, 'x' from range(100)")
		_, _ = s.Query(ctx, "select * from nosuch")
		_, _ = s.Query(ctx, "select 'x'::int")
		_, _ = s.Query(ctx, "selec 1")
		// A stream released early, one read ahead, one cancelled.
		res, err := s.Query(ctx, "select * from range(100000)")
		if err != nil {
			t.Fatal(err)
		}
		res.Rows.Next()
		res2, err := s.Query(ctx, "select * from range(100000)")
		if err != nil {
			t.Fatal(err)
		}
		res.Rows.Release()
		cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		_, _ = s.Query(cctx, "select count(*) from range(10000000000)")
		cancel()
		collect(t, res2.Rows)
		// Statements run again, from the cache, and a change of setting
		// that makes them planned again.
		for i := range 6 {
			mustExec(t, s, "select * from t where a = 1")
			st, err := s.Prepare(ctx, "select * from t where a = $1", nil)
			if err != nil {
				t.Fatal(err)
			}
			st.Close()
			if i == 3 {
				mustExec(t, s, "set threads = 2")
			}
		}
		// Statements, described and not.
		for _, q := range []string{"select * from t where a = $1", "select $1 as x", "insert into t values ($1, 'y')"} {
			st, err := s.Prepare(ctx, q, []arrow.DataType{arrow.PrimitiveTypes.Int64})
			if err != nil {
				t.Fatal(err)
			}
			rec := oneRow(mem, i64(mem, new(int64(1000))))
			res, err := st.Execute(ctx, rec)
			rec.Release()
			if err != nil {
				t.Fatal(err)
			}
			if res.Rows != nil {
				collect(t, res.Rows)
			}
			st.Close()
		}
		// A list parameter and an append.
		st, err := s.Prepare(ctx, "select $1 as l", []arrow.DataType{arrow.ListOf(arrow.PrimitiveTypes.Int64)})
		if err != nil {
			t.Fatal(err)
		}
		list := oneValue(mem, arrow.ListOf(arrow.PrimitiveTypes.Int64), func(b array.Builder) {
			lb := b.(*array.ListBuilder)
			lb.Append(true)
			lb.ValueBuilder().(*array.Int64Builder).Append(1)
		})
		rec := oneRow(mem, list)
		res, err = st.Execute(ctx, rec)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
		collect(t, res.Rows)
		// Left open: Close must release it.
		if _, err := s.Prepare(ctx, "select 1", nil); err != nil {
			t.Fatal(err)
		}
		app := oneRow(mem, i64(mem, new(int64(5000))), str(mem, "z"))
		rr, _ := array.NewRecordReader(app.Schema(), []arrow.RecordBatch{app})
		app.Release()
		if _, err := s.Append(ctx, "t", rr); err != nil {
			t.Fatal(err)
		}
		rr.Release()
	}()
	if msg := bindings.GetAllocationCounts(); msg != "" {
		t.Errorf("allocations left:\n%s", msg)
	}
}
