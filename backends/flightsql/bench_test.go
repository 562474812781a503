package flightsql

// Reading 2M int64 rows from the Arrow example Flight SQL server (SQLite),
// directly with the ADBC driver and through this backend's Rows:
//
//	go test -run '^$' -bench . -benchtime 3x ./backends/flightsql/

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/apache/arrow-adbc/go/adbc"
	adbcflightsql "github.com/apache/arrow-adbc/go/adbc/driver/flightsql"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/quiverdb/quiver/backends"
)

const benchRows = 2_000_000

// benchTable starts a server with big(v) holding benchRows rows, which
// "/*mem*/" queries also serve from memory in batches of 1,024 rows, to
// take SQLite out of the measurement.
func benchTable(b *testing.B) *testServer {
	var batches []arrow.RecordBatch
	schema := arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	for lo := 1; lo <= benchRows; lo += 1024 {
		bld := array.NewInt64Builder(memory.DefaultAllocator)
		for v := lo; v < lo+1024 && v <= benchRows; v++ {
			bld.Append(int64(v))
		}
		col := bld.NewArray()
		batches = append(batches, array.NewRecordBatch(schema, []arrow.Array{col}, int64(col.Len())))
		col.Release()
		bld.Release()
	}
	b.Cleanup(func() {
		for _, rec := range batches {
			rec.Release()
		}
	})
	ts := startServer(b, serverConfig{split: splitConfig{mem: batches}})
	fillBig(b, connect(b, openBackend(b, ts.uri(), Options{}), backends.SessionInfo{}), benchRows)
	return ts
}

var benchQueries = []struct{ name, sql string }{
	{"sqlite", "SELECT v FROM big"},
	{"memory", "/*mem*/ SELECT v FROM big"},
}

func reportRows(b *testing.B, rows int64, d time.Duration) {
	b.ReportMetric(float64(rows)/d.Seconds(), "rows/s")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkADBCDirect reads the rows with the ADBC driver's own
// ExecuteQuery reader.
func BenchmarkADBCDirect(b *testing.B) {
	ts := benchTable(b)
	mem := memory.NewGoAllocator()
	db, err := adbcflightsql.NewDriver(mem).NewDatabase(map[string]string{
		adbc.OptionKeyURI:                  ts.uri(),
		adbcflightsql.OptionWithMaxMsgSize: fmt.Sprint(DefaultMaxMessageSize),
	})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	cn, err := db.Open(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	defer cn.Close()
	for _, q := range benchQueries {
		b.Run(q.name, func(b *testing.B) {
			var rows int64
			start := time.Now()
			for b.Loop() {
				st, err := cn.NewStatement()
				if err != nil {
					b.Fatal(err)
				}
				st.SetSqlQuery(q.sql)
				rr, _, err := st.ExecuteQuery(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				rows += drain(b, rr)
				st.Close()
			}
			reportRows(b, rows, time.Since(start))
		})
	}
}

// BenchmarkBackendRows reads the rows through Session.Query's Rows.
func BenchmarkBackendRows(b *testing.B) {
	ts := benchTable(b)
	be, err := Open(ts.uri(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer be.Close()
	s, err := be.Connect(context.Background(), backends.SessionInfo{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for _, q := range benchQueries {
		b.Run(q.name, func(b *testing.B) {
			var rows int64
			start := time.Now()
			for b.Loop() {
				res, err := s.Query(context.Background(), q.sql)
				if err != nil {
					b.Fatal(err)
				}
				rows += drain(b, res.Rows)
			}
			reportRows(b, rows, time.Since(start))
		})
	}
}

// drain counts the rows of rr, touching every value, and releases it.
func drain(b *testing.B, rr array.RecordReader) int64 {
	defer rr.Release()
	var n, sum int64
	for rr.Next() {
		col := rr.RecordBatch().Column(0).(*array.Int64)
		for _, v := range col.Int64Values() {
			sum += v
		}
		n += int64(col.Len())
	}
	if err := rr.Err(); err != nil {
		b.Fatal(err)
	}
	if n != benchRows || sum != benchRows*(benchRows+1)/2 {
		b.Fatalf("read %d rows, sum %d", n, sum)
	}
	return n
}
