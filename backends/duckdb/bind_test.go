//go:build duckdb_arrow

package duckdb

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/quiverdb/quiver/pgerror"
)

// uuidType is a stand-in for arrow-go's canonical arrow.uuid extension
// type: the backend recognises the extension by name.
type uuidType struct{ arrow.ExtensionBase }

func newUUIDType() *uuidType {
	return &uuidType{ExtensionBase: arrow.ExtensionBase{Storage: &arrow.FixedSizeBinaryType{ByteWidth: 16}}}
}

func (*uuidType) ArrayType() reflect.Type { return reflect.TypeOf(uuidArray{}) }
func (*uuidType) ExtensionName() string   { return "arrow.uuid" }
func (*uuidType) Serialize() string       { return "" }
func (t *uuidType) String() string        { return "extension<arrow.uuid>" }
func (*uuidType) ExtensionEquals(o arrow.ExtensionType) bool {
	return o.ExtensionName() == "arrow.uuid"
}
func (*uuidType) Deserialize(arrow.DataType, string) (arrow.ExtensionType, error) {
	return newUUIDType(), nil
}

type uuidArray struct{ array.ExtensionArrayBase }

// oneValue builds a one-row array of dt holding what add appends.
func oneValue(mem memory.Allocator, dt arrow.DataType, add func(b array.Builder)) arrow.Array {
	b := array.NewBuilder(mem, dt)
	defer b.Release()
	add(b)
	return b.NewArray()
}

func TestExecuteBindsArrowTypes(t *testing.T) {
	mem := checkedAlloc(t)
	s := newSession(t, Options{Allocator: mem})
	ctx := context.Background()

	uuid := []byte{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}
	uuidStorage := oneValue(mem, &arrow.FixedSizeBinaryType{ByteWidth: 16}, func(b array.Builder) {
		b.(*array.FixedSizeBinaryBuilder).Append(uuid)
	})
	defer uuidStorage.Release()
	dec256, _ := decimal256.FromString("-1234567890123456789012345.67", 40, 2)

	for _, tc := range []struct {
		name   string
		dt     arrow.DataType
		arr    arrow.Array // when set, used instead of add
		add    func(b array.Builder)
		typeof string
		text   string
	}{
		{"int8", arrow.PrimitiveTypes.Int8, nil, func(b array.Builder) { b.(*array.Int8Builder).Append(-5) }, "TINYINT", "-5"},
		{"int16", arrow.PrimitiveTypes.Int16, nil, func(b array.Builder) { b.(*array.Int16Builder).Append(300) }, "SMALLINT", "300"},
		{"int32", arrow.PrimitiveTypes.Int32, nil, func(b array.Builder) { b.(*array.Int32Builder).Append(70000) }, "INTEGER", "70000"},
		{"int64", arrow.PrimitiveTypes.Int64, nil, func(b array.Builder) { b.(*array.Int64Builder).Append(1 << 40) }, "BIGINT", "1099511627776"},
		{"uint8", arrow.PrimitiveTypes.Uint8, nil, func(b array.Builder) { b.(*array.Uint8Builder).Append(200) }, "UTINYINT", "200"},
		{"uint16", arrow.PrimitiveTypes.Uint16, nil, func(b array.Builder) { b.(*array.Uint16Builder).Append(60000) }, "USMALLINT", "60000"},
		{"uint32", arrow.PrimitiveTypes.Uint32, nil, func(b array.Builder) { b.(*array.Uint32Builder).Append(4000000000) }, "UINTEGER", "4000000000"},
		{"uint64", arrow.PrimitiveTypes.Uint64, nil, func(b array.Builder) { b.(*array.Uint64Builder).Append(1 << 63) }, "UBIGINT", "9223372036854775808"},
		{"float32", arrow.PrimitiveTypes.Float32, nil, func(b array.Builder) { b.(*array.Float32Builder).Append(1.5) }, "FLOAT", "1.5"},
		{"float64", arrow.PrimitiveTypes.Float64, nil, func(b array.Builder) { b.(*array.Float64Builder).Append(-0.25) }, "DOUBLE", "-0.25"},
		{"decimal128", &arrow.Decimal128Type{Precision: 10, Scale: 2}, nil, func(b array.Builder) {
			b.(*array.Decimal128Builder).Append(decimal128.FromI64(-12345))
		}, "DECIMAL(10,2)", "-123.45"},
		{"decimal256", &arrow.Decimal256Type{Precision: 40, Scale: 2}, nil, func(b array.Builder) {
			b.(*array.Decimal256Builder).Append(dec256)
		}, "DECIMAL(38,2)", "-1234567890123456789012345.67"},
		{"bool", arrow.FixedWidthTypes.Boolean, nil, func(b array.Builder) { b.(*array.BooleanBuilder).Append(true) }, "BOOLEAN", "true"},
		{"string", arrow.BinaryTypes.String, nil, func(b array.Builder) { b.(*array.StringBuilder).Append("héllo 'x'") }, "VARCHAR", "héllo 'x'"},
		{"large string", arrow.BinaryTypes.LargeString, nil, func(b array.Builder) { b.(*array.LargeStringBuilder).Append("big") }, "VARCHAR", "big"},
		{"binary", arrow.BinaryTypes.Binary, nil, func(b array.Builder) { b.(*array.BinaryBuilder).Append([]byte{0, 0xff, 'a'}) }, "BLOB", `\x00\xFFa`},
		{"date32", arrow.FixedWidthTypes.Date32, nil, func(b array.Builder) { b.(*array.Date32Builder).Append(18262) }, "DATE", "2020-01-01"},
		{"date64", arrow.FixedWidthTypes.Date64, nil, func(b array.Builder) { b.(*array.Date64Builder).Append(-86400000) }, "DATE", "1969-12-31"},
		{"time64us", arrow.FixedWidthTypes.Time64us, nil, func(b array.Builder) { b.(*array.Time64Builder).Append(3723000001) }, "TIME", "01:02:03.000001"},
		{"time32ms", arrow.FixedWidthTypes.Time32ms, nil, func(b array.Builder) { b.(*array.Time32Builder).Append(3723001) }, "TIME", "01:02:03.001"},
		{"timestamp", &arrow.TimestampType{Unit: arrow.Microsecond}, nil, func(b array.Builder) {
			b.(*array.TimestampBuilder).Append(1577836800_000001)
		}, "TIMESTAMP", "2020-01-01 00:00:00.000001"},
		{"timestamp ms", &arrow.TimestampType{Unit: arrow.Millisecond}, nil, func(b array.Builder) {
			b.(*array.TimestampBuilder).Append(1577836800_123)
		}, "TIMESTAMP", "2020-01-01 00:00:00.123"},
		{"timestamptz", &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, nil, func(b array.Builder) {
			b.(*array.TimestampBuilder).Append(1577836800_000000)
		}, "TIMESTAMP WITH TIME ZONE", "2020-01-01 00:00:00+00"},
		{"timestamp ns", &arrow.TimestampType{Unit: arrow.Nanosecond}, nil, func(b array.Builder) {
			b.(*array.TimestampBuilder).Append(1577836800_000000001)
		}, "TIMESTAMP_NS", "2020-01-01 00:00:00.000000001"},
		{"interval", arrow.FixedWidthTypes.MonthDayNanoInterval, nil, func(b array.Builder) {
			b.(*array.MonthDayNanoIntervalBuilder).Append(arrow.MonthDayNanoInterval{Months: 14, Days: 2, Nanoseconds: 3_000_001_000})
		}, "INTERVAL", "1 year 2 months 2 days 00:00:03.000001"},
		{"uuid", newUUIDType(), array.NewExtensionArrayWithStorage(newUUIDType(), uuidStorage), nil,
			"UUID", "01234567-89ab-cdef-0123-456789abcdef"},
		{"list", arrow.ListOf(arrow.PrimitiveTypes.Int64), nil, func(b array.Builder) {
			lb := b.(*array.ListBuilder)
			lb.Append(true)
			vb := lb.ValueBuilder().(*array.Int64Builder)
			vb.Append(1)
			vb.Append(2)
			vb.AppendNull()
		}, "BIGINT[]", "[1, 2, NULL]"},
		{"struct", arrow.StructOf(arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int32}, arrow.Field{Name: "b", Type: arrow.BinaryTypes.String}), nil,
			func(b array.Builder) {
				sb := b.(*array.StructBuilder)
				sb.Append(true)
				sb.FieldBuilder(0).(*array.Int32Builder).Append(7)
				sb.FieldBuilder(1).(*array.StringBuilder).Append("x")
			}, `STRUCT(a INTEGER, b VARCHAR)`, `{'a': 7, 'b': x}`},
		{"struct with null", arrow.StructOf(arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int32, Nullable: true}), nil,
			func(b array.Builder) {
				sb := b.(*array.StructBuilder)
				sb.Append(true)
				sb.FieldBuilder(0).AppendNull()
			}, `STRUCT(a INTEGER)`, `{'a': NULL}`},
		{"dictionary", &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}, nil,
			func(b array.Builder) { b.(*array.BinaryDictionaryBuilder).AppendString("dict") }, "VARCHAR", "dict"},
		{"null int", arrow.PrimitiveTypes.Int32, nil, func(b array.Builder) { b.AppendNull() }, "", "(null)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			arr := tc.arr
			if arr == nil {
				arr = oneValue(mem, tc.dt, tc.add)
			}
			defer arr.Release()
			st, err := s.Prepare(ctx, "select $1::varchar as v, typeof($1) as t", []arrow.DataType{tc.dt})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if got := st.Params()[0].Type; !arrow.TypeEqual(got, tc.dt) {
				t.Errorf("Params: %s, want the declared %s", got, tc.dt)
			}
			rec := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "$1", Type: tc.dt, Nullable: true}}, nil), []arrow.Array{arr}, 1)
			defer rec.Release()
			res, err := st.Execute(ctx, rec)
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := collect(t, res.Rows)
			if rows[0][0] != tc.text || (tc.typeof != "" && rows[0][1] != tc.typeof) {
				t.Errorf("got %q %s, want %q %s", rows[0][0], rows[0][1], tc.text, tc.typeof)
			}
		})
	}
}

func oneRow(mem memory.Allocator, arrs ...arrow.Array) arrow.RecordBatch {
	fields := make([]arrow.Field, len(arrs))
	for i, a := range arrs {
		fields[i] = arrow.Field{Name: "p", Type: a.DataType(), Nullable: true}
	}
	rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), arrs, 1)
	for _, a := range arrs {
		a.Release()
	}
	return rec
}

func str(mem memory.Allocator, v string) arrow.Array {
	return oneValue(mem, arrow.BinaryTypes.String, func(b array.Builder) { b.(*array.StringBuilder).Append(v) })
}

func i64(mem memory.Allocator, v *int64) arrow.Array {
	return oneValue(mem, arrow.PrimitiveTypes.Int64, func(b array.Builder) {
		if v == nil {
			b.AppendNull()
		} else {
			b.(*array.Int64Builder).Append(*v)
		}
	})
}

func TestExecuteParams(t *testing.T) {
	mem := checkedAlloc(t)
	s := newSession(t, Options{Allocator: mem})
	ctx := context.Background()
	mustExec(t, s, "create table t(a int, b text)")
	mustExec(t, s, "insert into t values (1, 'one'), (2, 'two')")

	run := func(sql string, declared []arrow.DataType, params ...arrow.Array) ([][]string, string, error) {
		t.Helper()
		st, err := s.Prepare(ctx, sql, declared)
		if err != nil {
			return nil, "", err
		}
		defer st.Close()
		rec := oneRow(mem, params...)
		defer rec.Release()
		res, err := st.Execute(ctx, rec)
		if err != nil {
			return nil, "", err
		}
		if res.Rows == nil {
			return nil, "", nil
		}
		sc := fieldTypes(res.Rows.Schema())
		if got := fieldTypes(st.Schema()); got != sc {
			t.Errorf("%s: Schema() says %s, rows are %s", sql, got, sc)
		}
		rows, _ := collect(t, res.Rows)
		return rows, sc, nil
	}
	five := int64(5)
	for _, tc := range []struct {
		name     string
		sql      string
		declared []arrow.DataType
		params   []arrow.Array
		want     string
	}{
		// A string for a parameter DuckDB typed INTEGER is a literal it casts.
		{"text for int", "select b from t where a = $1", nil, []arrow.Array{str(mem, "2")}, "[[two]]"},
		{"int64 for int", "select b from t where a = $1", nil, []arrow.Array{i64(mem, &five)}, "[]"},
		{"untyped literal", "select $1::int + 1 as v", nil, []arrow.Array{str(mem, "41")}, "[[42]]"},
		{"declared wider", "select coalesce($1, 0) as c", []arrow.DataType{arrow.PrimitiveTypes.Int64},
			[]arrow.Array{i64(mem, &five)}, "[[5]]"},
		// DuckDB replans for the NULL and types it INTEGER; the rows are
		// converted to the described BIGINT.
		{"declared wider null", "select coalesce($1, 0) as c", []arrow.DataType{arrow.PrimitiveTypes.Int64},
			[]arrow.Array{i64(mem, nil)}, "[[0]]"},
		{"declared text null", "select $1 as c", []arrow.DataType{arrow.BinaryTypes.String},
			[]arrow.Array{oneValue(mem, arrow.BinaryTypes.String, func(b array.Builder) { b.AppendNull() })}, "[[(null)]]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, _, err := run(tc.sql, tc.declared, tc.params...)
			if err != nil {
				t.Fatal(err)
			}
			if got := fmtRows(rows); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}

	st, err := s.Prepare(ctx, "select $1::int as v", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Execute(ctx, nil); pgerror.Flatten(err).Code != pgerror.ProtocolViolation {
		t.Errorf("missing parameter: %v", err)
	}
	rec := oneRow(mem, str(mem, "abc"))
	defer rec.Release()
	if _, err := st.Execute(ctx, rec); pgerror.Flatten(err).Code != pgerror.InvalidTextRepresentation {
		t.Errorf("bad literal: %v", err)
	}
}

func fmtRows(rows [][]string) string {
	return fmt.Sprint(rows)
}

func TestExecuteRebindsLiterals(t *testing.T) {
	mem := checkedAlloc(t)
	s := newSession(t, Options{Allocator: mem})
	ctx := context.Background()
	st, err := s.Prepare(ctx, "select $1::int4 + $2::int4 as s", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, tc := range []struct{ a, b, want string }{{"1", "2", "[[3]]"}, {"1", "abc", "22P02"}, {"5", "6", "[[11]]"}} {
		rec := oneRow(mem, str(mem, tc.a), str(mem, tc.b))
		res, err := st.Execute(ctx, rec)
		rec.Release()
		got := ""
		if err != nil {
			got = pgerror.Flatten(err).Code
		} else {
			rows, _ := collect(t, res.Rows)
			got = fmtRows(rows)
		}
		if got != tc.want {
			t.Errorf("%s + %s: got %s, want %s", tc.a, tc.b, got, tc.want)
		}
	}
}
