package flightsql

// Reading 2M rows served from memory by the Arrow example Flight SQL server
// (one int64 column; or int64, float64, string, timestamp and bool, as
// bench's mixed data set), in DuckDB's 2,048-row batches, directly with the
// ADBC driver and through this backend's Rows:
//
//	go test -run '^$' -bench . -benchtime 5x ./backends/flightsql/
//
// cpu-ns/row is the CPU time of the whole process (server and client) per
// row; on a shared machine it is steadier than rows/s.

import (
	"context"
	"fmt"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-adbc/go/adbc"
	adbcflightsql "github.com/apache/arrow-adbc/go/adbc/driver/flightsql"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/quiverdb/quiver/backends"
)

const (
	benchRows  = 2_000_000
	benchBatch = 2048
)

// benchData is a data set the benchmark server sends from memory.
type benchData struct {
	name  string
	build func(schema *arrow.Schema, lo, hi int) arrow.RecordBatch
	cols  []arrow.Field
}

var benchSets = []benchData{
	{"int64", buildInt64, []arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}},
	{"mixed", buildMixed, []arrow.Field{
		{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "b", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "c", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "d", Type: arrow.FixedWidthTypes.Timestamp_us, Nullable: true},
		{Name: "e", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	}},
}

func buildInt64(schema *arrow.Schema, lo, hi int) arrow.RecordBatch {
	bld := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer bld.Release()
	for v := lo; v < hi; v++ {
		bld.Field(0).(*array.Int64Builder).Append(int64(v))
	}
	return bld.NewRecordBatch()
}

func buildMixed(schema *arrow.Schema, lo, hi int) arrow.RecordBatch {
	bld := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer bld.Release()
	epoch := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	for v := lo; v < hi; v++ {
		bld.Field(0).(*array.Int64Builder).Append(int64(v))
		bld.Field(1).(*array.Float64Builder).Append(float64(v) * 1.5)
		bld.Field(2).(*array.StringBuilder).Append("row number " + strconv.Itoa(v))
		bld.Field(3).(*array.TimestampBuilder).Append(arrow.Timestamp(epoch + int64(v)*1e6))
		bld.Field(4).(*array.BooleanBuilder).Append(v%2 == 0)
	}
	return bld.NewRecordBatch()
}

// benchServer starts a server whose /*mem*/ queries send d's benchRows
// rows.
func benchServer(b *testing.B, d benchData) *testServer {
	schema := arrow.NewSchema(d.cols, nil)
	var batches []arrow.RecordBatch
	for lo := 1; lo <= benchRows; lo += benchBatch {
		batches = append(batches, d.build(schema, lo, min(lo+benchBatch, benchRows+1)))
	}
	b.Cleanup(func() {
		for _, rec := range batches {
			rec.Release()
		}
	})
	return startServer(b, serverConfig{split: splitConfig{mem: batches}})
}

// BenchmarkRead reads each data set with the ADBC driver's own
// ExecuteQuery reader (adbc) and through Session.Query's Rows (backend).
func BenchmarkRead(b *testing.B) {
	for _, d := range benchSets {
		ts := benchServer(b, d)
		db, err := adbcflightsql.NewDriver(memory.DefaultAllocator).NewDatabase(map[string]string{
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

		benchRead(b, d.name+"/adbc", func() array.RecordReader {
			st, err := cn.NewStatement()
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			st.SetSqlQuery("/*mem*/ SELECT")
			rr, _, err := st.ExecuteQuery(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			return rr
		})
		benchRead(b, d.name+"/backend", func() array.RecordReader {
			res, err := s.Query(context.Background(), "/*mem*/ SELECT")
			if err != nil {
				b.Fatal(err)
			}
			return res.Rows
		})
	}
}

func benchRead(b *testing.B, name string, query func() array.RecordReader) {
	b.Run(name, func(b *testing.B) {
		var rows int64
		cpu := processCPU()
		start := time.Now()
		for b.Loop() {
			rows += drain(b, query())
		}
		b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
		b.ReportMetric(float64((processCPU()-cpu).Nanoseconds())/float64(rows), "cpu-ns/row")
		b.ReportMetric(0, "ns/op")
	})
}

// processCPU is the user and system time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// drain counts the rows of rr, touching every value of its first column,
// and releases it.
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
