//go:build duckdb_arrow

package duckdb

import (
	"context"
	"testing"

	bindings "github.com/duckdb/duckdb-go-bindings"
)

func rawRun(b *testing.B, ps bindings.PreparedStatement, streaming bool) {
	var pr bindings.PendingResult
	var st bindings.State
	if streaming {
		st = bindings.PendingPreparedStreaming(ps, &pr)
	} else {
		st = bindings.PendingPrepared(ps, &pr)
	}
	if st == bindings.StateError {
		b.Fatal(bindings.PendingError(pr))
	}
	var res bindings.Result
	if bindings.ExecutePending(pr, &res) == bindings.StateError {
		b.Fatal(bindings.ResultError(&res))
	}
	bindings.DestroyPending(&pr)
	for {
		ch := bindings.FetchChunk(res)
		if ch.Ptr == nil {
			break
		}
		bindings.DestroyDataChunk(&ch)
	}
	bindings.DestroyResult(&res)
}

func BenchmarkScratch(b *testing.B) {
	for _, threads := range []string{"", "?threads=1"} {
		for _, mode := range []string{"full", "cached-stream", "cached-mat", "full-mat"} {
			b.Run(threads+mode, func(b *testing.B) {
				be, _ := Open("duckdb:"+threads, Options{})
				defer be.Close()
				s, _ := be.Connect(context.Background())
				defer s.Close()
				p, _ := s.prepare(context.Background(), "select 1")
				defer p.release()
				start := cpuTime()
				for b.Loop() {
					switch mode {
					case "full", "full-mat":
						q, _ := s.prepare(context.Background(), "select 1")
						rawRun(b, q.ps, mode == "full")
						q.release()
					case "cached-stream":
						rawRun(b, p.ps, true)
					case "cached-mat":
						rawRun(b, p.ps, false)
					}
				}
				b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}
