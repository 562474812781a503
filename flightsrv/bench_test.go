//go:build duckdb_arrow

package flightsrv

import (
	"context"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/util"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/backends/duckdb"
)

// BenchmarkStream measures a 10-million-row, three-column result streamed
// from DuckDB to arrow-go's client.
//
//	go test -tags duckdb_arrow -run '^$' -bench Stream -benchtime 3x ./flightsrv
func BenchmarkStream(b *testing.B) {
	for _, rows := range []int{0, 65536} {
		b.Run("BatchRows="+strconv.Itoa(rows), func(b *testing.B) { benchStream(b, rows) })
	}
}

func benchStream(b *testing.B, batchRows int) {
	be, err := duckdb.Open("duckdb:", duckdb.Options{BatchRows: batchRows})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { be.Close() })
	ts := startServer(b, be, nil)
	cl := ts.client(b)
	ctx := context.Background()
	var bytes int64
	for b.Loop() {
		info, err := cl.Execute(ctx, "SELECT i, i * 0.5 AS d, i % 1000 AS k FROM range(10000000) t(i)")
		if err != nil {
			b.Fatal(err)
		}
		rdr, err := cl.DoGet(ctx, info.Endpoint[0].Ticket)
		if err != nil {
			b.Fatal(err)
		}
		var rows int64
		for rdr.Next() {
			rows += rdr.RecordBatch().NumRows()
			bytes += util.TotalRecordSize(rdr.RecordBatch())
		}
		rdr.Release()
		if rows != 10000000 {
			b.Fatalf("%d rows", rows)
		}
	}
	b.SetBytes(bytes / int64(b.N))
	b.ReportMetric(float64(10000000*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkStreamDirect reads the same result from the backend itself: the
// baseline for BenchmarkStream.
func BenchmarkStreamDirect(b *testing.B) {
	be, err := duckdb.Open("duckdb:", duckdb.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer be.Close()
	ctx := context.Background()
	s, err := be.Open(ctx, backends.SessionInfo{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for b.Loop() {
		res, err := s.Query(ctx, "SELECT i, i * 0.5 AS d, i % 1000 AS k FROM range(10000000) t(i)")
		if err != nil {
			b.Fatal(err)
		}
		var rows int64
		for res.Rows.Next() {
			rows += res.Rows.RecordBatch().NumRows()
		}
		res.Rows.Release()
		if rows != 10000000 {
			b.Fatalf("%d rows", rows)
		}
	}
	b.ReportMetric(float64(10000000*b.N)/b.Elapsed().Seconds(), "rows/s")
}
