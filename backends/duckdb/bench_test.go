//go:build duckdb_arrow

package duckdb

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time the process has used, in all its threads.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchSession opens a session on a fresh in-memory database, with the
// settings in $QUIVER_BENCH_DUCKDB (for example "?threads=1").
func benchSession(b *testing.B) *Session {
	be, err := Open("duckdb:"+os.Getenv("QUIVER_BENCH_DUCKDB"), Options{})
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

// BenchmarkQuerySelect1 measures the small-statement path of Query: one
// short statement run and read to the end, as the simple protocol does.
// Besides wall time it reports the process's CPU time per statement, which
// other load on the machine disturbs less.
func BenchmarkQuerySelect1(b *testing.B) {
	s := benchSession(b)
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
}
