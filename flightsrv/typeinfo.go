package flightsrv

import (
	"context"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql/schema_ref"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// xdbcType is one row of GetXdbcTypeInfo. Zero pointers are NULL.
type xdbcType struct {
	name           string
	dataType       int32 // XdbcDataType
	size           *int32
	prefix, suffix *string
	params         []string
	caseSensitive  bool
	unsigned       *bool
	fixedPrecScale bool
	minScale       *int32
	maxScale       *int32
	sqlDataType    int32
	subcode        *int32
	radix          *int32
}

func i32(v int32) *int32   { return &v }
func str(v string) *string { return &v }

var notUnsigned = new(bool)

// xdbcCandidates are the types GetXdbcTypeInfo may list: those of DuckDB
// and PostgreSQL with an XDBC type. Only the ones the backend accepts are
// listed (see probeTypes).
var xdbcCandidates = []xdbcType{
	{name: "boolean", dataType: -7, size: i32(1), sqlDataType: -7},
	{name: "tinyint", dataType: -6, size: i32(3), unsigned: notUnsigned, minScale: i32(0), maxScale: i32(0), sqlDataType: -6, radix: i32(10)},
	{name: "smallint", dataType: 5, size: i32(5), unsigned: notUnsigned, minScale: i32(0), maxScale: i32(0), sqlDataType: 5, radix: i32(10)},
	{name: "integer", dataType: 4, size: i32(10), unsigned: notUnsigned, minScale: i32(0), maxScale: i32(0), sqlDataType: 4, radix: i32(10)},
	{name: "bigint", dataType: -5, size: i32(19), unsigned: notUnsigned, minScale: i32(0), maxScale: i32(0), sqlDataType: -5, radix: i32(10)},
	{name: "real", dataType: 7, size: i32(24), unsigned: notUnsigned, sqlDataType: 7, radix: i32(2)},
	{name: "double precision", dataType: 8, size: i32(53), unsigned: notUnsigned, sqlDataType: 8, radix: i32(2)},
	{name: "numeric", dataType: 2, size: i32(38), params: []string{"precision", "scale"}, unsigned: notUnsigned,
		fixedPrecScale: true, minScale: i32(0), maxScale: i32(38), sqlDataType: 2, radix: i32(10)},
	{name: "char", dataType: 1, size: i32(10485760), prefix: str("'"), suffix: str("'"), params: []string{"length"}, caseSensitive: true, sqlDataType: 1},
	{name: "varchar", dataType: 12, size: i32(10485760), prefix: str("'"), suffix: str("'"), params: []string{"length"}, caseSensitive: true, sqlDataType: 12},
	{name: "text", dataType: -1, prefix: str("'"), suffix: str("'"), caseSensitive: true, sqlDataType: -1},
	{name: "bytea", dataType: -3, sqlDataType: -3},
	{name: "date", dataType: 91, size: i32(10), prefix: str("DATE '"), suffix: str("'"), sqlDataType: 9, subcode: i32(1)},
	{name: "time", dataType: 92, size: i32(15), prefix: str("TIME '"), suffix: str("'"), sqlDataType: 9, subcode: i32(2)},
	{name: "timestamp", dataType: 93, size: i32(26), prefix: str("TIMESTAMP '"), suffix: str("'"), sqlDataType: 9, subcode: i32(3)},
	{name: "timestamp with time zone", dataType: 93, size: i32(32), prefix: str("TIMESTAMP WITH TIME ZONE '"), suffix: str("'"), sqlDataType: 9, subcode: i32(5)},
	{name: "interval", dataType: 10, prefix: str("INTERVAL '"), suffix: str("'"), sqlDataType: 10},
}

// probeTypes returns the candidate types the backend accepts, ordered by
// data type and name as Flight SQL asks.
func probeTypes(ctx context.Context, cn *conn) ([]xdbcType, error) {
	var out []xdbcType
	for _, t := range xdbcCandidates {
		st, err := cn.prepare(ctx, "SELECT CAST(NULL AS "+t.name+")", nil)
		if err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			continue
		}
		cn.closeStmt(st)
		out = append(out, t)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].dataType != out[j].dataType {
			return out[i].dataType < out[j].dataType
		}
		return out[i].name < out[j].name
	})
	return out, nil
}

// GetFlightInfoXdbcTypeInfo returns a ticket for DoGetXdbcTypeInfo.
func (h *sqlServer) GetFlightInfoXdbcTypeInfo(_ context.Context, _ flightsql.GetXdbcTypeInfo, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return h.infoFor(desc, schema_ref.XdbcTypeInfo), nil
}

// DoGetXdbcTypeInfo lists the SQL types the backend accepts, or those of
// one XDBC data type.
func (h *sqlServer) DoGetXdbcTypeInfo(ctx context.Context, cmd flightsql.GetXdbcTypeInfo) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	if err := h.ensureProbed(ctx); err != nil {
		return nil, nil, toStatus(err)
	}
	var types []xdbcType
	for _, t := range h.inf.types {
		if cmd.GetDataType() == nil || *cmd.GetDataType() == t.dataType {
			types = append(types, t)
		}
	}
	rec := xdbcBatch(h.srv.mem, types)
	ch := make(chan flight.StreamChunk, 1)
	ch <- flight.StreamChunk{Data: rec}
	close(ch)
	return schema_ref.XdbcTypeInfo, ch, nil
}

// xdbcBatch builds the GetXdbcTypeInfo result for types.
func xdbcBatch(mem memory.Allocator, types []xdbcType) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, schema_ref.XdbcTypeInfo)
	defer b.Release()
	strs := func(i int, v *string) {
		if v == nil {
			b.Field(i).AppendNull()
		} else {
			b.Field(i).(*array.StringBuilder).Append(*v)
		}
	}
	ints := func(i int, v *int32) {
		if v == nil {
			b.Field(i).AppendNull()
		} else {
			b.Field(i).(*array.Int32Builder).Append(*v)
		}
	}
	bools := func(i int, v *bool) {
		if v == nil {
			b.Field(i).AppendNull()
		} else {
			b.Field(i).(*array.BooleanBuilder).Append(*v)
		}
	}
	for _, t := range types {
		strs(0, &t.name)
		ints(1, &t.dataType)
		ints(2, t.size)
		strs(3, t.prefix)
		strs(4, t.suffix)
		lb := b.Field(5).(*array.ListBuilder)
		lb.Append(true)
		for _, p := range t.params {
			lb.ValueBuilder().(*array.StringBuilder).Append(p)
		}
		ints(6, i32(1)) // nullable: NULLABILITY_NULLABLE
		bools(7, &t.caseSensitive)
		ints(8, i32(3)) // searchable: SEARCHABLE_FULL
		bools(9, t.unsigned)
		bools(10, &t.fixedPrecScale)
		bools(11, notUnsigned) // auto_increment: false
		strs(12, &t.name)
		ints(13, t.minScale)
		ints(14, t.maxScale)
		ints(15, &t.sqlDataType)
		ints(16, t.subcode)
		ints(17, t.radix)
		b.Field(18).AppendNull() // interval_precision
	}
	return b.NewRecordBatch()
}
