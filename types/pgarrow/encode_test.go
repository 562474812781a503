package pgarrow

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/extensions"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/quiverdb/quiver/pgerror"
)

// encodeCase is an Arrow value (JSON of a one-element array) written as a
// PostgreSQL type, and the literal PostgreSQL reads as the same value.
type encodeCase struct {
	typ  arrow.DataType
	json string
	pg   string // target type
	oid  uint32
	lit  string
}

var (
	tsUTC = &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}
	tsSec = &arrow.TimestampType{Unit: arrow.Second}
)

var encodeCases = []encodeCase{
	{arrow.FixedWidthTypes.Boolean, `[true]`, "bool", pgtype.BoolOID, "t"},
	{arrow.PrimitiveTypes.Int8, `[-5]`, "int2", pgtype.Int2OID, "-5"},
	{arrow.PrimitiveTypes.Int64, `[2147483647]`, "int4", pgtype.Int4OID, "2147483647"},
	{arrow.PrimitiveTypes.Int32, `[-7]`, "int8", pgtype.Int8OID, "-7"},
	{arrow.PrimitiveTypes.Uint64, `[18446744073709551615]`, "numeric", pgtype.NumericOID, "18446744073709551615"},
	{arrow.PrimitiveTypes.Int64, `[-9223372036854775808]`, "numeric", pgtype.NumericOID, "-9223372036854775808"},
	{arrow.PrimitiveTypes.Uint32, `[4294967295]`, "oid", pgtype.OIDOID, "4294967295"},
	{arrow.PrimitiveTypes.Int32, `[7]`, "float8", pgtype.Float8OID, "7"},
	{arrow.PrimitiveTypes.Float32, `[1.5]`, "float4", pgtype.Float4OID, "1.5"},
	{arrow.PrimitiveTypes.Float64, `[0.1]`, "float8", pgtype.Float8OID, "0.1"},
	{&arrow.Decimal128Type{Precision: 10, Scale: 3}, `["-12.345"]`, "numeric", pgtype.NumericOID, "-12.345"},
	{&arrow.Decimal128Type{Precision: 10, Scale: 3}, `["0.000"]`, "numeric", pgtype.NumericOID, "0.000"},
	{&arrow.Decimal256Type{Precision: 60, Scale: 0}, `["` + strings.Repeat("9", 60) + `"]`, "numeric", pgtype.NumericOID, strings.Repeat("9", 60)},
	{arrow.BinaryTypes.String, `["héllo"]`, "text", pgtype.TextOID, "héllo"},
	{arrow.BinaryTypes.LargeString, `["ab"]`, "bpchar", pgtype.BPCharOID, "ab"},
	{arrow.BinaryTypes.StringView, `["v"]`, "varchar", pgtype.VarcharOID, "v"},
	{arrow.BinaryTypes.String, `["{\"a\": [1, 2]}"]`, "jsonb", pgtype.JSONBOID, `{"a": [1, 2]}`},
	{arrow.BinaryTypes.String, `["{\"a\":1}"]`, "json", pgtype.JSONOID, `{"a":1}`},
	{arrow.BinaryTypes.String, `["A0EEBC99-9c0b-4ef8-bb6d-6bb9bd380a11"]`, "uuid", pgtype.UUIDOID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
	{arrow.BinaryTypes.String, `["-1.5e3"]`, "numeric", pgtype.NumericOID, "-1500"},
	{arrow.BinaryTypes.Binary, `["AP8="]`, "bytea", pgtype.ByteaOID, `\x00ff`},
	{extensions.NewUUIDType(), `["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"]`, "uuid", pgtype.UUIDOID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
	{extensions.NewUUIDType(), `["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"]`, "text", pgtype.TextOID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
	{arrow.FixedWidthTypes.Date32, `[19782]`, "date", pgtype.DateOID, "2024-02-29"},
	{arrow.FixedWidthTypes.Date32, `[-719530]`, "date", pgtype.DateOID, "0002-12-30 BC"},
	{arrow.FixedWidthTypes.Date32, `[2147483647]`, "date", pgtype.DateOID, "infinity"},
	{arrow.FixedWidthTypes.Date64, `[86400000]`, "date", pgtype.DateOID, "1970-01-02"},
	{arrow.FixedWidthTypes.Time64ns, `[3723000001999]`, "time", pgtype.TimeOID, "01:02:03.000001"},
	{arrow.FixedWidthTypes.Time32ms, `[1500]`, "time", pgtype.TimeOID, "00:00:01.5"},
	{tsSec, `[0]`, "timestamp", pgtype.TimestampOID, "1970-01-01 00:00:00"},
	{tsUTC, `[1700000000123456789]`, "timestamptz", pgtype.TimestamptzOID, "2023-11-14 22:13:20.123456+00"},
	{tsUTC, `[9223372036854775807]`, "timestamptz", pgtype.TimestamptzOID, "infinity"},
	{arrow.FixedWidthTypes.MonthDayNanoInterval, `[{"months": 14, "days": -3, "nanoseconds": 1500}]`, "interval", pgtype.IntervalOID, "1 year 2 mons -3 days +00:00:00.000001"},
	{arrow.FixedWidthTypes.Duration_ms, `[90061001]`, "interval", pgtype.IntervalOID, "25:01:01.001"},
	{arrow.FixedWidthTypes.DayTimeInterval, `[{"days": 2, "milliseconds": 5}]`, "interval", pgtype.IntervalOID, "2 days 00:00:00.005"},
	{arrow.ListOf(arrow.PrimitiveTypes.Int32), `[[1, null, 3]]`, "int4[]", pgtype.Int4ArrayOID, "{1,NULL,3}"},
	{arrow.ListOf(arrow.PrimitiveTypes.Int32), `[[]]`, "int4[]", pgtype.Int4ArrayOID, "{}"},
	{arrow.ListOf(arrow.ListOf(arrow.PrimitiveTypes.Int64)), `[[[1, 2], [3, null]]]`, "int8[]", pgtype.Int8ArrayOID, "{{1,2},{3,NULL}}"},
	{arrow.LargeListOf(arrow.BinaryTypes.String), `[["a b", null, ""]]`, "text[]", pgtype.TextArrayOID, `{"a b",NULL,""}`},
	{arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Float64), `[[1.5, 2]]`, "float8[]", pgtype.Float8ArrayOID, "{1.5,2}"},
	{arrow.ListOf(&arrow.Decimal128Type{Precision: 5, Scale: 2}), `[["1.50", "-0.01"]]`, "numeric[]", pgtype.NumericArrayOID, "{1.50,-0.01}"},
}

func fromJSON(t *testing.T, mem memory.Allocator, typ arrow.DataType, js string) arrow.Array {
	t.Helper()
	arr, _, err := array.FromJSON(mem, typ, strings.NewReader(js))
	if err != nil {
		t.Fatalf("%s %s: %v", typ, js, err)
	}
	return arr
}

// TestEncoder writes Arrow values as binary parameters and checks that
// PostgreSQL reads the value the literal gives.
func TestEncoder(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	c := connect(t)
	for _, ec := range encodeCases {
		arr := fromJSON(t, mem, ec.typ, ec.json)
		target, _ := BuiltinType(ec.oid)
		enc, err := NewEncoder(ec.typ, target, -1, nil)
		if err != nil {
			t.Errorf("%s as %s: %v", ec.typ, ec.pg, err)
			arr.Release()
			continue
		}
		if err := enc.Reset(arr); err != nil {
			t.Fatal(err)
		}
		v, err := enc.AppendValue(nil, 0)
		arr.Release()
		if err != nil {
			t.Errorf("%s as %s: %v", ec.typ, ec.pg, err)
			continue
		}
		got := one(t, c, "SELECT $1", 0, [][]byte{v}, []uint32{ec.oid}, []int16{1})
		want := one(t, c, "SELECT '"+strings.ReplaceAll(ec.lit, "'", "''")+"'::"+ec.pg, 0, nil, nil, nil)
		if string(got) != string(want) {
			t.Errorf("%s %s as %s: PostgreSQL reads %q, want %q", ec.typ, ec.json, ec.pg, got, want)
		}
	}
}

// TestEncoderErrors covers conversions that are refused or fail per value.
func TestEncoderErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	int4, _ := BuiltinType(pgtype.Int4OID)
	if _, err := NewEncoder(arrow.BinaryTypes.String, int4, -1, nil); pgerror.Code(err) != pgerror.DatatypeMismatch {
		t.Errorf("string as int4: %v", err)
	}
	for _, c := range []struct {
		typ  arrow.DataType
		json string
		oid  uint32
		code string
	}{
		{arrow.PrimitiveTypes.Int64, `[2147483648]`, pgtype.Int4OID, pgerror.NumericValueOutOfRange},
		{arrow.PrimitiveTypes.Uint64, `[9223372036854775808]`, pgtype.Int8OID, pgerror.NumericValueOutOfRange},
		{arrow.PrimitiveTypes.Int32, `[-1]`, pgtype.OIDOID, pgerror.NumericValueOutOfRange},
		{arrow.ListOf(arrow.ListOf(arrow.PrimitiveTypes.Int32)), `[[[1], [2, 3]]]`, pgtype.Int4ArrayOID, pgerror.ArraySubscriptError},
		{arrow.BinaryTypes.String, `["nope"]`, pgtype.UUIDOID, pgerror.InvalidTextRepresentation},
		{arrow.BinaryTypes.String, `["1.2.3"]`, pgtype.NumericOID, pgerror.InvalidTextRepresentation},
	} {
		arr := fromJSON(t, mem, c.typ, c.json)
		target, _ := BuiltinType(c.oid)
		enc, err := NewEncoder(c.typ, target, -1, nil)
		if err == nil {
			if err = enc.Reset(arr); err == nil {
				_, err = enc.AppendValue(nil, 0)
			}
		}
		arr.Release()
		if pgerror.Code(err) != c.code {
			t.Errorf("%s %s: got %v, want %s", c.typ, c.json, err, c.code)
		}
	}
}

// TestAppendText sends Arrow values in text format and checks PostgreSQL
// parses them to the literal's value.
func TestAppendText(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	c := connect(t)
	for _, ec := range []encodeCase{
		{arrow.PrimitiveTypes.Int64, `[-5]`, "text", pgtype.TextOID, "-5"},
		{arrow.PrimitiveTypes.Uint64, `[18446744073709551615]`, "numeric", pgtype.NumericOID, "18446744073709551615"},
		{arrow.PrimitiveTypes.Float64, `[0.1]`, "numeric", pgtype.NumericOID, "0.1"},
		{arrow.FixedWidthTypes.Boolean, `[false]`, "bool", pgtype.BoolOID, "f"},
		{&arrow.Decimal128Type{Precision: 10, Scale: 3}, `["-12.345"]`, "text", pgtype.TextOID, "-12.345"},
		{arrow.BinaryTypes.String, `["2024-02-29"]`, "date", pgtype.DateOID, "2024-02-29"},
		{arrow.BinaryTypes.Binary, `["AP8="]`, "bytea", pgtype.ByteaOID, `\x00ff`},
		{arrow.FixedWidthTypes.Date32, `[-719530]`, "date", pgtype.DateOID, "0002-12-30 BC"},
		{arrow.FixedWidthTypes.Date32, `[-2147483648]`, "date", pgtype.DateOID, "-infinity"},
		{tsUTC, `[1700000000123456789]`, "timestamptz", pgtype.TimestamptzOID, "2023-11-14 22:13:20.123456+00"},
		{tsSec, `[-62198755200]`, "timestamp", pgtype.TimestampOID, "0002-01-01 00:00:00 BC"},
		{arrow.FixedWidthTypes.Time64us, `[3723000001]`, "time", pgtype.TimeOID, "01:02:03.000001"},
		{extensions.NewUUIDType(), `["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"]`, "uuid", pgtype.UUIDOID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
		{arrow.PrimitiveTypes.Float32, `[1e30]`, "float8", pgtype.Float8OID, "1e+30"},
	} {
		arr := fromJSON(t, mem, ec.typ, ec.json)
		v, err := AppendText(nil, arr, 0)
		arr.Release()
		if err != nil {
			t.Errorf("%s: %v", ec.typ, err)
			continue
		}
		got := one(t, c, "SELECT $1", 0, [][]byte{v}, []uint32{ec.oid}, []int16{0})
		want := one(t, c, "SELECT '"+ec.lit+"'::"+ec.pg, 0, nil, nil, nil)
		if string(got) != string(want) {
			t.Errorf("%s %s as %s: PostgreSQL reads %q, want %q", ec.typ, ec.json, ec.pg, got, want)
		}
	}
}

// TestArrowToPG creates a table from the chosen types and checks that
// PostgreSQL describes each column as the type pgarrow maps back to.
func TestArrowToPG(t *testing.T) {
	c := connect(t)
	fields := []arrow.Field{
		{Name: "i8", Type: arrow.PrimitiveTypes.Int8}, {Name: "u16", Type: arrow.PrimitiveTypes.Uint16},
		{Name: "u64", Type: arrow.PrimitiveTypes.Uint64}, {Name: "f32", Type: arrow.PrimitiveTypes.Float32},
		{Name: "dec", Type: &arrow.Decimal128Type{Precision: 12, Scale: 4}},
		{Name: "s", Type: arrow.BinaryTypes.LargeString}, {Name: "fsb", Type: &arrow.FixedSizeBinaryType{ByteWidth: 4}},
		{Name: "d64", Type: arrow.FixedWidthTypes.Date64}, {Name: "t32", Type: arrow.FixedWidthTypes.Time32s},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "Europe/Paris"}},
		{Name: "dur", Type: arrow.FixedWidthTypes.Duration_s}, {Name: "u", Type: extensions.NewUUIDType()},
		{Name: "l", Type: arrow.ListOf(arrow.ListOf(arrow.PrimitiveTypes.Int16))},
		{Name: "dict", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}},
		{Name: "vc", Type: arrow.BinaryTypes.String, Metadata: arrow.NewMetadata([]string{"pg.oid", "pg.typmod"}, []string{"1043", "14"})},
		{Name: "jb", Type: jsonType, Metadata: arrow.NewMetadata([]string{"pg.oid"}, []string{"3802"})},
	}
	want := []string{"smallint", "integer", "numeric(20,0)", "real", "numeric(12,4)", "text", "bytea", "date",
		"time without time zone", "timestamp with time zone", "interval", "uuid", "smallint[]", "text",
		"character varying(10)", "jsonb"}
	var ddl []string
	for _, f := range fields {
		pt, err := ArrowToPG(f)
		if err != nil {
			t.Fatalf("%s: %v", f.Type, err)
		}
		ddl = append(ddl, `"`+f.Name+`" `+pt.SQL)
	}
	if _, err := c.Exec(t.Context(), "CREATE TABLE t ("+strings.Join(ddl, ", ")+")").ReadAll(); err != nil {
		t.Fatal(err)
	}
	res := c.ExecParams(t.Context(), "SELECT format_type(atttypid, atttypmod), attndims FROM pg_attribute WHERE attrelid = 't'::regclass AND attnum > 0 ORDER BY attnum", nil, nil, nil, nil).Read()
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	for i, r := range res.Rows {
		if string(r[0]) != want[i] {
			t.Errorf("%s: %s, want %s", fields[i].Name, r[0], want[i])
		}
	}
	if string(res.Rows[12][1]) != "2" {
		t.Errorf("list of lists has attndims %s", res.Rows[12][1])
	}
	if _, err := ArrowToPG(arrow.Field{Type: arrow.StructOf()}); pgerror.Code(err) != pgerror.FeatureNotSupported {
		t.Errorf("struct: %v", err)
	}
}
