//go:build duckdb_arrow

package duckdb

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// cpuTime is the CPU time the process has used, in all its threads.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchSession opens a session on a fresh in-memory database, with the
// settings in $QUIVER_BENCH_DUCKDB (for example "?threads=1").
func benchSession(b *testing.B, opts Options) *Session {
	be, err := Open("duckdb:"+os.Getenv("QUIVER_BENCH_DUCKDB"), opts)
	if err != nil {
		b.Fatal(err)
	}
	s, err := be.Connect(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		s.Close()
		be.Close()
	})
	return s
}

// The benchmarks below are the small-statement paths of the PostgreSQL
// protocol's three modes, as pgbench -M simple, extended and prepared use
// them: each runs "select 1" and reads its one row. Besides wall time they
// report the process's CPU time per statement, DuckDB's threads included,
// which other load on the machine disturbs less.

func BenchmarkQuerySelect1(b *testing.B) {
	for _, c := range []struct {
		name string
		size int
	}{{"cached", 0}, {"uncached", -1}} {
		b.Run(c.name, func(b *testing.B) {
			s := benchSession(b, Options{StatementCache: c.size})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			b.ReportAllocs()
			start := cpuTime()
			for b.Loop() {
				res, err := s.Query(ctx, "select 1")
				if err != nil {
					b.Fatal(err)
				}
				for res.Rows.Next() {
				}
				res.Rows.Release()
			}
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		})
	}
}

func BenchmarkPrepareExecuteSelect1(b *testing.B) {
	s := benchSession(b, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		st, err := s.Prepare(ctx, "select 1", nil)
		if err != nil {
			b.Fatal(err)
		}
		res, err := st.Execute(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		for res.Rows.Next() {
		}
		res.Rows.Release()
		st.Close()
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

func BenchmarkExecuteSelect1(b *testing.B) {
	s := benchSession(b, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := s.Prepare(ctx, "select 1", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		res, err := st.Execute(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		for res.Rows.Next() {
		}
		res.Rows.Release()
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

// BenchmarkExecutePointSelect is pgbench -S's statement, prepared: one
// row by its primary key, from a table of 1M rows.
func BenchmarkExecutePointSelect(b *testing.B) {
	s := benchSession(b, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, q := range []string{
		"create table acc (aid int primary key, bid int, abalance int, filler char(84))",
		"insert into acc select i, i // 100000, 0, '' from range(1, 1000001) t(i)",
	} {
		res, err := s.Query(ctx, q)
		if err != nil {
			b.Fatal(err)
		}
		if res.Rows != nil {
			res.Rows.Release()
		}
	}
	st, err := s.Prepare(ctx, "select abalance from acc where aid = $1", []arrow.DataType{arrow.PrimitiveTypes.Int32})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	bld := array.NewInt32Builder(memory.DefaultAllocator)
	defer bld.Release()
	b.ReportAllocs()
	start := cpuTime()
	i := 0
	for b.Loop() {
		i++
		bld.Append(int32(i%1000000 + 1))
		col := bld.NewArray()
		rec := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "$1", Type: arrow.PrimitiveTypes.Int32}}, nil), []arrow.Array{col}, 1)
		col.Release()
		res, err := st.Execute(ctx, rec)
		rec.Release()
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for res.Rows.Next() {
			n += int(res.Rows.RecordBatch().NumRows())
		}
		res.Rows.Release()
		if n != 1 {
			b.Fatalf("%d rows", n)
		}
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}
