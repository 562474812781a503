package types

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

const benchRows = 4096

func benchInt32Batch(mem memory.Allocator) arrow.RecordBatch {
	b := array.NewInt32Builder(mem)
	defer b.Release()
	for i := 0; i < benchRows; i++ {
		b.Append(int32(i*7919 - 1000000))
	}
	arr := b.NewArray()
	defer arr.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "i", Type: arrow.PrimitiveTypes.Int32}}, nil)
	return array.NewRecordBatch(schema, []arrow.Array{arr}, benchRows)
}

func benchMixedBatch(mem memory.Allocator, tz string) arrow.RecordBatch {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "x", Type: arrow.PrimitiveTypes.Float64},
		{Name: "name", Type: arrow.BinaryTypes.String},
		{Name: "at", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: tz}},
		{Name: "ok", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	for i := 0; i < benchRows; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i) * 1000003)
		b.Field(1).(*array.Float64Builder).Append(float64(i) / 7)
		b.Field(2).(*array.StringBuilder).Append(fmt.Sprintf("customer-%d", i))
		b.Field(3).(*array.TimestampBuilder).Append(arrow.Timestamp(base + int64(i)*1234567))
		if i%10 == 0 {
			b.Field(4).AppendNull()
		} else {
			b.Field(4).(*array.BooleanBuilder).Append(i%3 == 0)
		}
	}
	return b.NewRecordBatch()
}

func benchEncode(b *testing.B, rec arrow.RecordBatch, format int16, s *Settings) {
	enc, err := NewRowEncoder(rec.Schema(), []int16{format}, s)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 1<<20)
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if err := enc.Reset(rec); err != nil {
			b.Fatal(err)
		}
		buf = buf[:0]
		for i := 0; i < benchRows; i++ {
			if buf, err = enc.AppendRow(buf, i); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchRows), "ns/row")
	// CPU time is steadier than wall time on a shared machine.
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N*benchRows), "cpu-ns/row")
}

// cpuTime returns the process's user and system CPU time in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func BenchmarkEncodeInt32(b *testing.B) {
	rec := benchInt32Batch(memory.DefaultAllocator)
	defer rec.Release()
	b.Run("text", func(b *testing.B) { benchEncode(b, rec, 0, DefaultSettings()) })
	b.Run("binary", func(b *testing.B) { benchEncode(b, rec, 1, DefaultSettings()) })
}

func BenchmarkEncodeMixed(b *testing.B) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		b.Fatal(err)
	}
	rec := benchMixedBatch(memory.DefaultAllocator, "")
	defer rec.Release()
	b.Run("text", func(b *testing.B) { benchEncode(b, rec, 0, DefaultSettings()) })
	b.Run("binary", func(b *testing.B) { benchEncode(b, rec, 1, DefaultSettings()) })
	tzrec := benchMixedBatch(memory.DefaultAllocator, "UTC")
	defer tzrec.Release()
	s := DefaultSettings()
	s.TimeZone = ny
	b.Run("text_timestamptz_new_york", func(b *testing.B) { benchEncode(b, tzrec, 0, s) })
}

// benchStreamBatch builds rows first..first+benchRows-1 of bench/'s "mixed"
// data set as DuckDB hands them over: i::int8, i * 1.5::float8,
// 'row number ' || i, timestamp '2020-01-01' + i seconds, i % 2 = 0.
func benchStreamBatch(mem memory.Allocator, first int) arrow.RecordBatch {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "b", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "c", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "d", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
		{Name: "e", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	for i := first; i < first+benchRows; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		b.Field(1).(*array.Float64Builder).Append(float64(i) * 1.5)
		b.Field(2).(*array.StringBuilder).Append(fmt.Sprintf("row number %d", i))
		b.Field(3).(*array.TimestampBuilder).Append(arrow.Timestamp(base + int64(i)*1e6))
		b.Field(4).(*array.BooleanBuilder).Append(i%2 == 0)
	}
	return b.NewRecordBatch()
}

// BenchmarkAppendRowMixedText encodes the rows bench/'s BenchmarkStream
// streams for its "mixed" data set, in text format: the end-to-end
// benchmark's encoding cost per row.
func BenchmarkAppendRowMixedText(b *testing.B) {
	rec := benchStreamBatch(memory.DefaultAllocator, 1_000_000)
	defer rec.Release()
	benchEncode(b, rec, 0, DefaultSettings())
}
