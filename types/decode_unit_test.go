package types

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

func TestArrowTypeRoundTrip(t *testing.T) {
	canonical := map[uint32]uint32{
		oidVarchar: oidText, oidBPChar: oidText, oidName: oidText, oidXML: oidText,
		oidOID: oidInt8, oidXID: oidInt8, oidCID: oidInt8, oidJSONB: oidJSON,
	}
	for oid := range pgTypes {
		for _, o := range []uint32{oid, arrayOID(oid)} {
			typ, ok := ArrowType(o)
			if !ok {
				if o == oidRecord || o == arrayOID(oidRecord) {
					continue
				}
				t.Errorf("ArrowType(%d) has no mapping", o)
				continue
			}
			back, ok := OIDFor(typ)
			want := o
			if e, isArray := elemOIDs[o]; isArray {
				if c, ok := canonical[e]; ok {
					want = arrayOID(c)
				}
			} else if c, ok := canonical[o]; ok {
				want = c
			}
			if !ok || back != want {
				t.Errorf("OIDFor(ArrowType(%d) = %s) = %d, want %d", o, typ, back, want)
			}
		}
	}
	if _, ok := ArrowType(0); ok {
		t.Error("ArrowType(0) has a mapping")
	}
}

func decodeOne(t *testing.T, mem memory.Allocator, typ arrow.DataType, format int16, v []byte) (arrow.Array, error) {
	t.Helper()
	rec, err := DecodeParams(mem, []arrow.DataType{typ}, []int16{format}, [][]byte{v})
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	col := rec.Column(0)
	col.Retain()
	return col, nil
}

func TestDecodeParamsErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	i32 := arrow.PrimitiveTypes.Int32
	for _, tc := range []struct {
		types   []arrow.DataType
		formats []int16
		values  [][]byte
		code    string
		msg     string
	}{
		{[]arrow.DataType{i32}, nil, nil, pgerror.ProtocolViolation, "bind message supplies 0 parameters, but prepared statement requires 1"},
		{[]arrow.DataType{i32, i32}, []int16{0, 1, 1}, [][]byte{nil, nil}, pgerror.ProtocolViolation, "bind message has 3 parameter formats but 2 parameters"},
		{[]arrow.DataType{i32}, []int16{3}, [][]byte{nil}, pgerror.InvalidParameterValue, "unsupported format code: 3"},
		{[]arrow.DataType{nil}, nil, [][]byte{nil}, pgerror.IndeterminateDatatype, "could not determine data type of parameter $1"},
		// As int4recv: too few bytes is a malformed message, too many is bad
		// binary data (both proven on PostgreSQL by the extended_bind_errors
		// transcript).
		{[]arrow.DataType{i32, i32}, []int16{1}, [][]byte{{0, 0, 0, 1}, {1, 2, 3}}, pgerror.ProtocolViolation, "insufficient data left in message"},
		{[]arrow.DataType{i32}, []int16{1}, [][]byte{{0, 0, 0, 1, 0, 0, 0, 0}}, pgerror.InvalidBinaryRepresentation, "incorrect binary data format in bind parameter 1"},
		{[]arrow.DataType{arrow.PrimitiveTypes.Int64}, []int16{1}, [][]byte{{0xff, 0xfe}}, pgerror.ProtocolViolation, "insufficient data left in message"},
		{[]arrow.DataType{arrow.StructOf(arrow.Field{Name: "a", Type: i32})}, nil, [][]byte{[]byte("(1)")}, pgerror.FeatureNotSupported, ""},
		{[]arrow.DataType{arrow.ListOf(i32)}, []int16{1}, [][]byte{{0, 0, 0, 1, 0, 0, 0, 2}}, pgerror.InvalidBinaryRepresentation, "incorrect binary data format in bind parameter 1"},
		{[]arrow.DataType{arrow.ListOf(i32)}, []int16{1}, [][]byte{{0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 23, 0, 0, 0, 1, 0, 0, 0, 1}}, pgerror.InvalidBinaryRepresentation, "invalid array flags"},
		{[]arrow.DataType{arrow.ListOf(i32)}, []int16{1}, [][]byte{{0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 23, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 7}}, pgerror.ArraySubscriptError, ""},
		{[]arrow.DataType{arrow.FixedWidthTypes.Time64us}, []int16{1}, [][]byte{{0, 0, 0, 0x14, 0x1d, 0xd7, 0x60, 0x01}}, pgerror.DatetimeFieldOverflow, "time out of range"},
		{[]arrow.DataType{arrow.FixedWidthTypes.MonthInterval}, nil, [][]byte{[]byte("1 day")}, intervalFieldOverflow, ""},
		{[]arrow.DataType{arrow.FixedWidthTypes.Duration_s}, nil, [][]byte{[]byte("1 mon")}, intervalFieldOverflow, ""},
		{[]arrow.DataType{arrow.PrimitiveTypes.Uint64}, nil, [][]byte{[]byte("-1")}, pgerror.NumericValueOutOfRange, `value "-1" is out of range for type numeric`},
		{[]arrow.DataType{arrow.PrimitiveTypes.Uint64}, nil, [][]byte{[]byte("18446744073709551616")}, pgerror.NumericValueOutOfRange, ""},
		{[]arrow.DataType{&arrow.Decimal128Type{Precision: 10, Scale: 2}}, nil, [][]byte{[]byte("NaN")}, pgerror.NumericValueOutOfRange, "numeric field overflow"},
		{[]arrow.DataType{arrow.ListOf(arrow.FixedSizeListOf(2, i32))}, nil, [][]byte{[]byte("{{1,2,3}}")}, pgerror.ArraySubscriptError, ""},
	} {
		rec, err := DecodeParams(mem, tc.types, tc.formats, tc.values)
		if err == nil {
			rec.Release()
			t.Errorf("%v %v %q: no error, want %s", tc.types, tc.formats, tc.values, tc.code)
			continue
		}
		e := pgerror.Flatten(err)
		if e.Code != tc.code || (tc.msg != "" && e.Message != tc.msg) {
			t.Errorf("%v %v %q: %s %q, want %s %q", tc.types, tc.formats, tc.values, e.Code, e.Message, tc.code, tc.msg)
		}
	}
}

func TestDecodeParamsValues(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	for _, tc := range []struct {
		typ    arrow.DataType
		format int16
		in     []byte
		want   string // array.FromJSON form of the expected value
	}{
		{arrow.PrimitiveTypes.Uint64, 0, []byte("18446744073709551615"), "18446744073709551615"},
		{arrow.PrimitiveTypes.Uint64, 0, []byte("1.5"), "2"},
		{arrow.PrimitiveTypes.Uint64, 1, []byte{0, 1, 0, 0, 0, 0, 0, 0, 0, 42}, "42"},
		{arrow.PrimitiveTypes.Uint32, 1, []byte{0xff, 0xff, 0xff, 0xff}, "4294967295"},
		{arrow.PrimitiveTypes.Float64, 1, []byte{0x3f, 0xc0, 0, 0}, "1.5"}, // float4 sent for a float8
		{arrow.FixedWidthTypes.Duration_ms, 0, []byte("01:00:00.0015"), "3600002"},
		{arrow.FixedWidthTypes.Duration_s, 0, []byte("2 days"), "172800"},
		{arrow.FixedWidthTypes.Duration_ns, 1, []byte{0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0}, "86400000001000"},
		{arrow.FixedWidthTypes.DayTimeInterval, 0, []byte("3 days 00:00:00.0015"), `{"days":3,"milliseconds":2}`},
		{arrow.FixedWidthTypes.Time32s, 0, []byte("12:00:00.5"), "43201"},
		{&arrow.TimestampType{Unit: arrow.Second}, 0, []byte("1969-12-31 23:59:59.5"), "-1"}, // rounded away from 2000-01-01, as PostgreSQL does
		{&arrow.TimestampType{Unit: arrow.Second}, 0, []byte("1969-12-31 23:59:58.5"), "-2"},
		{arrow.FixedWidthTypes.Date64, 0, []byte("1969-12-31"), "-86400000"},
		{arrow.BinaryTypes.LargeString, 0, []byte("x"), `"x"`},
		{arrow.BinaryTypes.StringView, 1, []byte("y"), `"y"`},
		{arrow.BinaryTypes.BinaryView, 0, []byte(`\x0a`), `"Cg=="`},
		{&arrow.FixedSizeBinaryType{ByteWidth: 2}, 0, []byte(`\x0a0b`), `"Cgs="`},
		{arrow.ListOf(arrow.PrimitiveTypes.Int32), 1, []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 23}, "[]"},
		{arrow.ListViewOf(arrow.PrimitiveTypes.Int32), 0, []byte("{3,NULL}"), "[3,null]"},
		{arrow.FixedWidthTypes.Float16, 0, []byte("0.5"), "0.5"},
		{&arrow.Decimal256Type{Precision: 40, Scale: 2}, 0, []byte("-12345678901234567890123456789012345678.125"), `"-12345678901234567890123456789012345678.13"`},
	} {
		got, err := decodeOne(t, mem, tc.typ, tc.format, tc.in)
		if err != nil {
			t.Errorf("%s %q: %v", tc.typ, tc.in, err)
			continue
		}
		want, _, err := array.FromJSON(mem, tc.typ, stringsReader("["+tc.want+"]"))
		if err != nil {
			got.Release()
			t.Fatalf("%s: %v", tc.want, err)
		}
		if !array.Equal(got, want) {
			t.Errorf("%s %q: got %v, want %v", tc.typ, tc.in, got, want)
		}
		got.Release()
		want.Release()
	}
}

func TestParseArrayTextDims(t *testing.T) {
	for in, want := range map[string][]int{
		"{}":                              nil,
		"{1}":                             {1},
		"{{1,2,3},{4,5,6}}":               {2, 3},
		"{{{1},{2}},{{3},{4}},{{5},{6}}}": {3, 2, 1},
		" [1:2][1:1]={{1},{2}} ":          {2, 1},
	} {
		a, err := parseArrayText(in)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if len(a.dims) != len(want) {
			t.Errorf("%q: dims %v, want %v", in, a.dims, want)
			continue
		}
		for i := range want {
			if a.dims[i] != want[i] {
				t.Errorf("%q: dims %v, want %v", in, a.dims, want)
			}
		}
	}
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

// TestDecodeNumericParamScale checks that a numeric parameter keeps the
// scale it was written with, in text and in binary, and that no value is
// rounded: one no Arrow decimal holds, or an array element with more
// fraction digits than the array's type, is refused.
func TestDecodeNumericParamScale(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	numeric, _ := ArrowType(oidNumeric)
	for _, tc := range []struct {
		format int16
		in     []byte
		typ    string // the Arrow type of the decoded column
		text   string // numeric's text output of the value
	}{
		{0, []byte("2.50"), "decimal(38, 2)", "2.50"},
		{0, []byte("1.5"), "decimal(38, 1)", "1.5"},
		{0, []byte("2e3"), "decimal(38, 0)", "2000"},
		{0, []byte("-0.000"), "decimal(38, 3)", "0.000"},
		{0, []byte("123456789.123456789012345"), "decimal(38, 15)", "123456789.123456789012345"},
		{0, []byte("1" + strings.Repeat("0", 40) + ".5"), "decimal256(76, 1)", "1" + strings.Repeat("0", 40) + ".5"},
		// numeric_send of 2 with dscale 2, and of 2.50 with dscale 2.
		{1, appendNumericBinary(nil, false, []byte("200"), 2), "decimal(38, 2)", "2.00"},
		{1, appendNumericBinary(nil, true, []byte("250"), 2), "decimal(38, 2)", "-2.50"},
	} {
		got, err := decodeOne(t, mem, numeric, tc.format, tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		rec := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "n", Type: got.DataType()}}, nil), []arrow.Array{got}, 1)
		text, _, err := encodeOne(rec, 0, nil)
		if got.DataType().String() != tc.typ || err != nil || string(text) != tc.text {
			t.Errorf("%q: %s %q (%v), want %s %q", tc.in, got.DataType(), text, err, tc.typ, tc.text)
		}
		rec.Release()
		got.Release()
	}
	for _, tc := range []struct {
		typ arrow.DataType
		in  string
	}{
		{numeric, "1" + strings.Repeat("0", 80)},
		{numeric, "0." + strings.Repeat("0", 80) + "1"},
		{arrow.ListOf(numeric), "{1.5,0.000000000001}"},
	} {
		got, err := decodeOne(t, mem, tc.typ, 0, []byte(tc.in))
		if err == nil {
			t.Errorf("%s %q: decoded as %v, want an error", tc.typ, tc.in, got)
			got.Release()
		} else if code := pgerror.Code(err); code != pgerror.NumericValueOutOfRange {
			t.Errorf("%s %q: %v, want 22003", tc.typ, tc.in, err)
		}
	}
}

// TestRowEncoderDecimalScale checks that a decimal column whose batches
// come with another scale than described keeps its description and writes
// each batch's values with that batch's scale.
func TestRowEncoderDecimalScale(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	md := arrow.NewMetadata([]string{backends.MetaPGType, backends.MetaPGTypmod}, []string{"1700", "-1"})
	described := arrow.NewSchema([]arrow.Field{{Name: "n", Type: &arrow.Decimal128Type{Precision: 38, Scale: 10}, Metadata: md}}, nil)
	enc, err := NewRowEncoder(described, []int16{0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c := enc.Columns()[0]; c.OID != oidNumeric || c.TypeMod != -1 {
		t.Fatalf("described as %d/%d, want numeric/-1", c.OID, c.TypeMod)
	}
	batch := func(typ arrow.DataType, json string) arrow.RecordBatch {
		col, _, err := array.FromJSON(mem, typ, strings.NewReader(json))
		if err != nil {
			t.Fatal(err)
		}
		defer col.Release()
		return array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "n", Type: typ}}, nil), []arrow.Array{col}, int64(col.Len()))
	}
	for _, tc := range []struct {
		typ  arrow.DataType
		json string
		want string
	}{
		{&arrow.Decimal128Type{Precision: 38, Scale: 2}, `["2.50"]`, "2.50"},
		{&arrow.Decimal128Type{Precision: 38, Scale: 10}, `["2.5"]`, "2.5000000000"},
		{&arrow.Decimal256Type{Precision: 76, Scale: 0}, `["12345678901234567890123456789012345678901"]`, "12345678901234567890123456789012345678901"},
	} {
		rec := batch(tc.typ, tc.json)
		if err := enc.Reset(rec); err != nil {
			t.Errorf("%s: %v", tc.typ, err)
		} else if msg, err := enc.AppendRow(nil, 0); err != nil || string(dataRowValue(msg)) != tc.want {
			t.Errorf("%s: %q (%v), want %q", tc.typ, dataRowValue(msg), err, tc.want)
		}
		rec.Release()
	}
	rec := batch(arrow.PrimitiveTypes.Int64, `[1]`)
	defer rec.Release()
	if err := enc.Reset(rec); err == nil {
		t.Error("an int8 batch for a decimal column was accepted")
	}
}
