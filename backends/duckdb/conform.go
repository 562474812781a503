//go:build duckdb_arrow

package duckdb

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/types"
)

// concat joins batches of one schema into one batch allocated from mem.
func concat(mem memory.Allocator, sc *arrow.Schema, recs []arrow.RecordBatch) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, sc.NumFields())
	parts := make([]arrow.Array, len(recs))
	var n int64
	for _, rec := range recs {
		n += rec.NumRows()
	}
	for c := range cols {
		for i, rec := range recs {
			parts[i] = rec.Column(c)
		}
		col, err := array.Concatenate(parts, mem)
		if err != nil {
			releaseArrays(cols[:c])
			return nil, pgerror.Wrap(err, pgerror.InternalError)
		}
		cols[c] = col
	}
	rec := array.NewRecordBatch(sc, cols, n)
	releaseArrays(cols)
	return rec, nil
}

func releaseArrays(arrs []arrow.Array) {
	for _, a := range arrs {
		if a != nil {
			a.Release()
		}
	}
}

// conformer converts batches whose column types differ from the schema a
// prepared statement described. That happens when DuckDB replans a
// statement for a NULL parameter, whose type it then takes from its own
// inference instead of the type the client declared. Only what that can
// produce is handled: all-NULL columns of any type, and numbers of another
// width.
type conformer struct {
	to  *arrow.Schema
	mem memory.Allocator
}

// convert returns rec with its columns converted to the described types.
func (c *conformer) convert(rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, rec.NumCols())
	for i := range cols {
		src := rec.Column(i)
		dt := c.to.Field(i).Type
		switch {
		case arrow.TypeEqual(src.DataType(), dt):
			src.Retain()
			cols[i] = src
		case src.NullN() == src.Len():
			cols[i] = array.MakeArrayOfNull(c.mem, dt, src.Len())
		default:
			col, err := convertNumbers(c.mem, src, dt)
			if err != nil {
				releaseArrays(cols[:i])
				return nil, pgerror.New(pgerror.DatatypeMismatch, "duckdb: column %q is %s, but %s was described: %v",
					c.to.Field(i).Name, src.DataType(), dt, err)
			}
			cols[i] = col
		}
	}
	out := array.NewRecordBatch(c.to, cols, rec.NumRows())
	releaseArrays(cols)
	return out, nil
}

// decimalsAsReturned returns want with the types of its decimal columns
// (and lists of decimals) replaced by the types DuckDB returned. A PostgreSQL numeric value
// keeps the scale it was written with, and quiver binds a numeric parameter
// as a decimal of its value's scale, so DuckDB, which replans a statement
// for the types bound, returns $1 + 1 with the scale of the value rather
// than the one described before any value was known; its values are exact,
// and are passed on as they are.
func decimalsAsReturned(want, raw *arrow.Schema) *arrow.Schema {
	if want.NumFields() != raw.NumFields() {
		return want
	}
	var fields []arrow.Field
	for i := range want.NumFields() {
		w, r := want.Field(i), raw.Field(i)
		if arrow.TypeEqual(w.Type, r.Type) || !types.DecimalsOnlyDiffer(w.Type, r.Type) {
			continue
		}
		if fields == nil {
			fields = append([]arrow.Field(nil), want.Fields()...)
		}
		fields[i].Type = r.Type
	}
	if fields == nil {
		return want
	}
	md := want.Metadata()
	return arrow.NewSchema(fields, &md)
}

type errConvert string

func (e errConvert) Error() string { return string(e) }

// convertNumbers converts an integer or floating-point column to another
// numeric type, failing on values the target cannot hold.
func convertNumbers(mem memory.Allocator, src arrow.Array, dt arrow.DataType) (arrow.Array, error) {
	get, isFloat := numberReader(src)
	if get == nil {
		return nil, errConvert("not a number")
	}
	b := array.NewBuilder(mem, dt)
	defer b.Release()
	b.Reserve(src.Len())
	for i := range src.Len() {
		if src.IsNull(i) {
			b.AppendNull()
			continue
		}
		v := get(i)
		if err := appendNumber(b, v, isFloat); err != nil {
			return nil, err
		}
	}
	return b.NewArray(), nil
}

// numberReader returns a reader of src's values as float64, exact for the
// integer widths it accepts, and whether they are floating point.
func numberReader(src arrow.Array) (func(int) float64, bool) {
	switch a := src.(type) {
	case *array.Int8:
		return func(i int) float64 { return float64(a.Value(i)) }, false
	case *array.Int16:
		return func(i int) float64 { return float64(a.Value(i)) }, false
	case *array.Int32:
		return func(i int) float64 { return float64(a.Value(i)) }, false
	case *array.Int64:
		return func(i int) float64 { return float64(a.Value(i)) }, false
	case *array.Uint8:
		return func(i int) float64 { return float64(a.Value(i)) }, false
	case *array.Uint16:
		return func(i int) float64 { return float64(a.Value(i)) }, false
	case *array.Uint32:
		return func(i int) float64 { return float64(a.Value(i)) }, false
	case *array.Float32:
		return func(i int) float64 { return float64(a.Value(i)) }, true
	case *array.Float64:
		return func(i int) float64 { return a.Value(i) }, true
	}
	return nil, false
}

func appendNumber(b array.Builder, v float64, isFloat bool) error {
	fits := func(lo, hi float64) error {
		if v < lo || v > hi || (isFloat && v != math.Trunc(v)) {
			return errConvert("value out of range")
		}
		return nil
	}
	switch b := b.(type) {
	case *array.Int8Builder:
		if err := fits(math.MinInt8, math.MaxInt8); err != nil {
			return err
		}
		b.Append(int8(v))
	case *array.Int16Builder:
		if err := fits(math.MinInt16, math.MaxInt16); err != nil {
			return err
		}
		b.Append(int16(v))
	case *array.Int32Builder:
		if err := fits(math.MinInt32, math.MaxInt32); err != nil {
			return err
		}
		b.Append(int32(v))
	case *array.Int64Builder:
		if err := fits(math.MinInt64, math.MaxInt64); err != nil {
			return err
		}
		b.Append(int64(v))
	case *array.Float32Builder:
		b.Append(float32(v))
	case *array.Float64Builder:
		b.Append(v)
	default:
		return errConvert("unsupported target type")
	}
	return nil
}
