package flightsrv

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// conformBatch returns rec's columns, converted to the types of schema's
// fields, followed by extra, as a batch of schema. It takes ownership of
// extra. Catalog queries need it: the backends differ in integer widths
// and string types, and Flight SQL fixes both.
func conformBatch(mem memory.Allocator, schema *arrow.Schema, rec arrow.RecordBatch, extra []arrow.Array) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, 0, schema.NumFields())
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	defer func() {
		for _, c := range extra {
			c.Release()
		}
	}()
	if int(rec.NumCols())+len(extra) != schema.NumFields() {
		return nil, fmt.Errorf("flightsrv: catalog query returned %d columns, want %d", rec.NumCols(), schema.NumFields()-len(extra))
	}
	for i, src := range rec.Columns() {
		c, err := convertColumn(mem, src, schema.Field(i).Type)
		if err != nil {
			return nil, fmt.Errorf("flightsrv: column %s: %w", schema.Field(i).Name, err)
		}
		cols = append(cols, c)
	}
	for _, c := range extra {
		c.Retain()
		cols = append(cols, c)
	}
	return array.NewRecordBatch(schema, cols, rec.NumRows()), nil
}

// convertColumn converts a string or integer column to dt, a string or
// integer type.
func convertColumn(mem memory.Allocator, src arrow.Array, dt arrow.DataType) (arrow.Array, error) {
	if arrow.TypeEqual(src.DataType(), dt) {
		src.Retain()
		return src, nil
	}
	b := array.NewBuilder(mem, dt)
	defer b.Release()
	b.Reserve(src.Len())
	switch b := b.(type) {
	case *array.StringBuilder:
		for i := range src.Len() {
			if src.IsNull(i) {
				b.AppendNull()
			} else {
				b.Append(src.ValueStr(i))
			}
		}
	case *array.Int32Builder:
		if err := appendInts(b, src); err != nil {
			return nil, err
		}
	case *array.Uint8Builder:
		if err := appendInts(b, src); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("cannot convert %s to %s", src.DataType(), dt)
	}
	return b.NewArray(), nil
}

// appendInts appends an integer column to an integer builder.
func appendInts[T int32 | uint8](b interface {
	Append(T)
	AppendNull()
}, src arrow.Array) error {
	ints, err := intReader(src)
	if err != nil {
		return err
	}
	for i := range src.Len() {
		if src.IsNull(i) {
			b.AppendNull()
		} else {
			b.Append(T(ints(i)))
		}
	}
	return nil
}

// intReader returns a function reading value i of an integer column.
func intReader(src arrow.Array) (func(int) int64, error) {
	switch a := src.(type) {
	case *array.Int8:
		return func(i int) int64 { return int64(a.Value(i)) }, nil
	case *array.Int16:
		return func(i int) int64 { return int64(a.Value(i)) }, nil
	case *array.Int32:
		return func(i int) int64 { return int64(a.Value(i)) }, nil
	case *array.Int64:
		return func(i int) int64 { return a.Value(i) }, nil
	case *array.Uint8:
		return func(i int) int64 { return int64(a.Value(i)) }, nil
	case *array.Uint16:
		return func(i int) int64 { return int64(a.Value(i)) }, nil
	case *array.Uint32:
		return func(i int) int64 { return int64(a.Value(i)) }, nil
	case *array.Uint64:
		return func(i int) int64 { return int64(a.Value(i)) }, nil
	}
	return nil, fmt.Errorf("%s is not an integer type", src.DataType())
}
