package types

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/quiverdb/quiver/pgerror"
)

// rowsBatch builds n random rows of every kind AppendRows writes itself,
// with NULLs in the nullable columns, plus a large string column.
func rowsBatch(mem memory.Allocator, r *rand.Rand, n int, nulls bool) arrow.RecordBatch {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "i16", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
		{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "ls", Type: arrow.BinaryTypes.LargeString, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	null := func(c int) bool {
		if nulls && r.IntN(5) == 0 {
			b.Field(c).AppendNull()
			return true
		}
		return false
	}
	floats := []float64{0, -0.0, 1.5, math.NaN(), math.Inf(1), math.Inf(-1), math.MaxFloat64}
	for i := range n {
		if !null(0) {
			b.Field(0).(*array.BooleanBuilder).Append(r.IntN(2) == 0)
		}
		if !null(1) {
			b.Field(1).(*array.Int16Builder).Append(int16(r.Uint32()))
		}
		if !null(2) {
			b.Field(2).(*array.Int32Builder).Append(int32(r.Uint32()))
		}
		if !null(3) {
			b.Field(3).(*array.Int64Builder).Append(int64(r.Uint64()))
		}
		if !null(4) {
			b.Field(4).(*array.Float32Builder).Append(float32(floats[r.IntN(len(floats))]))
		}
		if !null(5) {
			b.Field(5).(*array.Float64Builder).Append(floats[r.IntN(len(floats))] * r.Float64())
		}
		if !null(6) {
			b.Field(6).(*array.StringBuilder).Append(fmt.Sprintf("row %d %s", i, bytes.Repeat([]byte("é"), r.IntN(40))))
		}
		if !null(7) {
			b.Field(7).(*array.LargeStringBuilder).Append(string(bytes.Repeat([]byte("x"), r.IntN(3000))))
		}
		if !null(8) {
			ts := []int64{0, math.MaxInt64, math.MinInt64, math.MinInt64 + 2, r.Int64N(1<<52) - 1<<51, r.Int64N(1<<52) - 1<<51, r.Int64N(1<<52) - 1<<51}
			b.Field(8).(*array.TimestampBuilder).Append(arrow.Timestamp(ts[r.IntN(len(ts))]))
		}
	}
	return b.NewRecordBatch()
}

// appendRowByRow is what AppendRows must produce: AppendRow for each row,
// with the same stopping rules.
func appendRowByRow(e *RowEncoder, dst []byte, from, to, limit int) ([]byte, int, error) {
	var err error
	for i := from; i < to; i++ {
		if dst, err = e.AppendRow(dst, i); err != nil {
			return dst, i, err
		}
		if len(dst) >= limit {
			return dst, i + 1, nil
		}
	}
	return dst, to, nil
}

// TestAppendRowsMatchesAppendRow encodes random batches (sliced, so
// their arrays start at an offset, with and without NULLs) with
// AppendRows and AppendRow, in binary, text and mixed formats, in runs cut
// by row counts and byte limits: the same bytes, the same stopping row.
func TestAppendRowsMatchesAppendRow(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	r := rand.New(rand.NewPCG(1, 2))
	for _, nulls := range []bool{false, true} {
		whole := rowsBatch(mem, r, 3000, nulls)
		for _, cut := range [][2]int64{{0, 3000}, {7, 2900}} {
			rec := whole.NewSlice(cut[0], cut[1])
			for _, formats := range [][]int16{{1}, {0}, {1, 1, 1, 1, 1, 1, 1, 1, 0}} {
				ea, err := NewRowEncoder(rec.Schema(), formats, DefaultSettings())
				if err != nil {
					t.Fatal(err)
				}
				eb, _ := NewRowEncoder(rec.Schema(), formats, DefaultSettings())
				if err := ea.Reset(rec); err != nil {
					t.Fatal(err)
				}
				if err := eb.Reset(rec); err != nil {
					t.Fatal(err)
				}
				rows := int(rec.NumRows())
				for _, limit := range []int{1, 100, 5000, 256 << 10, math.MaxInt} {
					for from := 0; from < rows; {
						to := min(rows, from+1+r.IntN(700))
						prefix := []byte("prefix")
						g, gn, gerr := ea.AppendRows(slices.Clip(prefix), from, to, len(prefix)+limit)
						w, wn, werr := appendRowByRow(eb, slices.Clip(prefix), from, to, len(prefix)+limit)
						if gn != wn || !bytes.Equal(g, w) || !sameError(gerr, werr) {
							t.Fatalf("nulls %v, slice %v, formats %v, limit %d, rows %d..%d: next %d (%v), want %d (%v); bytes equal: %v",
								nulls, cut, formats, limit, from, to, gn, gerr, wn, werr, bytes.Equal(g, w))
						}
						if gerr != nil {
							gn++ // past the failing row, to go on
						}
						from = gn
					}
				}
			}
			rec.Release()
		}
		whole.Release()
	}
}

func sameError(a, b error) bool {
	if a == nil || b == nil {
		return a == b
	}
	var pa, pb *pgerror.Error
	return errors.As(a, &pa) && errors.As(b, &pb) && pa.Code == pb.Code && pa.Message == pb.Message
}

// BenchmarkAppendRows is BenchmarkEncodeMixed's binary case through
// AppendRows, in runs ending at 256 KiB as dispatch streams them.
func BenchmarkAppendRows(b *testing.B) {
	rec := benchMixedBatch(memory.DefaultAllocator, "")
	defer rec.Release()
	enc, err := NewRowEncoder(rec.Schema(), []int16{1}, DefaultSettings())
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 1<<20)
	cpu0 := cpuTime()
	b.ResetTimer()
	for range b.N {
		if err := enc.Reset(rec); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < benchRows; {
			if buf, i, err = enc.AppendRows(buf[:0], i, benchRows, 256<<10); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchRows), "ns/row")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N*benchRows), "cpu-ns/row")
}
