package types

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/extensions"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/quiverdb/quiver/backends"
)

// goldenCase pairs a PostgreSQL expression with the Arrow value that should
// encode to the same bytes.
type goldenCase struct {
	Name string
	SQL  string         // a PostgreSQL expression, selected as SELECT <SQL>
	Type arrow.DataType // Arrow type of the equivalent value
	JSON string         // the value in array.FromJSON's format
	// Build makes the one-value array when FromJSON cannot.
	Build func(mem memory.Allocator) arrow.Array
	// Meta is the Arrow field's metadata.
	Meta map[string]string
	// NoDecode marks cases whose PostgreSQL output does not decode back to
	// the same Arrow value (the mapping is lossy in that direction).
	NoDecode bool
}

// Helpers that compute Arrow values from calendar fields. Years are
// astronomical: 0 is 1 BC, -43 is 44 BC.

func days(y, m, d int) int64 {
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Unix() / secPerDay
}

func unixSec(y, mo, d, h, mi, s int) int64 {
	return time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC).Unix()
}

func micros(y, mo, d, h, mi, s, us int) int64 {
	return unixSec(y, mo, d, h, mi, s)*1e6 + int64(us)
}

func num(v int64) string { return strconv.FormatInt(v, 10) }

func jstr(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func b64(b []byte) string { return jstr(base64.StdEncoding.EncodeToString(b)) }

var (
	tsUS     = &arrow.TimestampType{Unit: arrow.Microsecond}
	tsUSUTC  = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	tsS      = &arrow.TimestampType{Unit: arrow.Second}
	tsMS     = &arrow.TimestampType{Unit: arrow.Millisecond}
	tsNS     = &arrow.TimestampType{Unit: arrow.Nanosecond}
	tsSUTC   = &arrow.TimestampType{Unit: arrow.Second, TimeZone: "UTC"}
	tsNSUTC  = &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "America/New_York"}
	mdn      = arrow.FixedWidthTypes.MonthDayNanoInterval
	i32      = arrow.PrimitiveTypes.Int32
	i64      = arrow.PrimitiveTypes.Int64
	f64      = arrow.PrimitiveTypes.Float64
	f32      = arrow.PrimitiveTypes.Float32
	utf8Type = arrow.BinaryTypes.String
)

func meta(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func goldenCases() []goldenCase {
	var cs []goldenCase
	add := func(name, sql string, t arrow.DataType, js string) *goldenCase {
		cs = append(cs, goldenCase{Name: name, SQL: sql, Type: t, JSON: js})
		return &cs[len(cs)-1]
	}

	// Booleans and integers.
	add("bool_true", "true", arrow.FixedWidthTypes.Boolean, "true")
	add("bool_false", "false", arrow.FixedWidthTypes.Boolean, "false")
	add("bool_null", "NULL::bool", arrow.FixedWidthTypes.Boolean, "null")
	add("int8_min", "(-128)::int2", arrow.PrimitiveTypes.Int8, "-128")
	add("int8_max", "127::int2", arrow.PrimitiveTypes.Int8, "127")
	add("int16_min", "(-32768)::int2", arrow.PrimitiveTypes.Int16, "-32768")
	add("int16_max", "32767::int2", arrow.PrimitiveTypes.Int16, "32767")
	add("int32_zero", "0::int4", i32, "0")
	add("int32_min", "(-2147483648)::int4", i32, "-2147483648")
	add("int32_max", "2147483647::int4", i32, "2147483647")
	add("int32_null", "NULL::int4", i32, "null")
	add("int64_min", "(-9223372036854775808)::int8", i64, "-9223372036854775808")
	add("int64_max", "9223372036854775807::int8", i64, "9223372036854775807")
	add("uint8_max", "255::int2", arrow.PrimitiveTypes.Uint8, "255")
	add("uint16_max", "65535::int4", arrow.PrimitiveTypes.Uint16, "65535")
	add("uint32_max", "4294967295::int8", arrow.PrimitiveTypes.Uint32, "4294967295")
	add("uint64_max", "18446744073709551615::numeric", arrow.PrimitiveTypes.Uint64, "18446744073709551615")
	add("uint64_zero", "0::numeric", arrow.PrimitiveTypes.Uint64, "0")
	add("uint64_10000", "10000::numeric", arrow.PrimitiveTypes.Uint64, "10000")
	add("uint32_as_oid", "4294967295::oid", arrow.PrimitiveTypes.Uint32, "4294967295").Meta = meta(backends.MetaPGType, "26")

	// Floats.
	for _, f := range []struct{ name, sql, js string }{
		{"zero", "0", "0"},
		{"neg_zero", "'-0'", `"-0"`},
		{"tenth", "0.1", "0.1"},
		{"third", "1::float8/3", "0.3333333333333333"},
		{"1e15", "1e15", "1e15"},
		{"1e16", "1e16", "1e16"},
		{"123456789012345", "123456789012345", "123456789012345"},
		{"1234567890123456", "1234567890123456", "1234567890123456"},
		{"1e-5", "1e-5", "1e-5"},
		{"1e-4", "1e-4", "0.0001"},
		{"12345678.9", "12345678.9", "12345678.9"},
		{"neg_small", "-2.5e-7", "-2.5e-7"},
		{"denorm_min", "'5e-324'", `"5e-324"`},
		{"norm_min", "'2.2250738585072014e-308'", `"2.2250738585072014e-308"`},
		{"max", "'1.7976931348623157e308'", `"1.7976931348623157e308"`},
		{"nan", "'NaN'", `"NaN"`},
		{"inf", "'Infinity'", `"Inf"`},
		{"neg_inf", "'-Infinity'", `"-Inf"`},
		{"100", "100", "100"},
		{"pi", "pi()", "3.141592653589793"},
	} {
		add("float8_"+f.name, f.sql+"::float8", f64, f.js)
	}
	for _, f := range []struct{ name, sql, js string }{
		{"tenth", "0.1", "0.1"},
		{"third", "1::float4/3", "0.33333334"},
		{"1e6", "1e6", "1e6"},
		{"123456", "123456", "123456"},
		{"1234567", "1234567", "1234567"},
		{"16777216", "16777216", "16777216"},
		{"1e-5", "1e-5", "1e-5"},
		{"min", "'1.1754944e-38'", `"1.1754944e-38"`},
		{"max", "'3.4028235e38'", `"3.4028235e38"`},
		{"denorm", "'1e-45'", `"1e-45"`},
		{"nan", "'NaN'", `"NaN"`},
		{"neg_inf", "'-Infinity'", `"-Inf"`},
		{"neg_zero", "'-0'", `"-0"`},
	} {
		add("float4_"+f.name, f.sql+"::float4", f32, f.js)
	}
	add("float16_half", "0.5::float4", arrow.FixedWidthTypes.Float16, "0.5")
	add("float16_max", "65504::float4", arrow.FixedWidthTypes.Float16, "65504")

	// Numerics.
	dec := func(p, s int32) arrow.DataType { return &arrow.Decimal128Type{Precision: p, Scale: s} }
	add("numeric_10_2", "123.45::numeric(10,2)", dec(10, 2), `"123.45"`)
	add("numeric_10_2_neg_cent", "(-0.01)::numeric(10,2)", dec(10, 2), `"-0.01"`)
	add("numeric_10_2_zero", "0::numeric(10,2)", dec(10, 2), `"0"`)
	add("numeric_20_4_10000", "10000::numeric(20,4)", dec(20, 4), `"10000"`)
	add("numeric_5_5", "0.00001::numeric(5,5)", dec(5, 5), `"0.00001"`)
	add("numeric_38_0_max", "99999999999999999999999999999999999999::numeric(38,0)", dec(38, 0), `"99999999999999999999999999999999999999"`)
	add("numeric_38_0_min", "(-99999999999999999999999999999999999999)::numeric(38,0)", dec(38, 0), `"-99999999999999999999999999999999999999"`)
	add("numeric_38_10", "(-1234567890123456789012345678.9012345678)::numeric(38,10)", dec(38, 10), `"-1234567890123456789012345678.9012345678"`)
	add("numeric_38_37", "0.1000000000000000000000000000000000001::numeric(38,37)", dec(38, 37), `"0.1000000000000000000000000000000000001"`)
	add("numeric_18_6_frac", "123456789012.000100::numeric(18,6)", dec(18, 6), `"123456789012.0001"`)
	add("numeric_12_8_digits", "1.00010002::numeric(12,8)", dec(12, 8), `"1.00010002"`)
	add("numeric_neg_scale", "12300::numeric(10,-2)", dec(10, -2), `"12300"`)
	add("numeric_dec32", "123456.789::numeric(9,3)", &arrow.Decimal32Type{Precision: 9, Scale: 3}, `"123456.789"`)
	add("numeric_dec64", "(-12345678901234.5678)::numeric(18,4)", &arrow.Decimal64Type{Precision: 18, Scale: 4}, `"-12345678901234.5678"`)
	add("numeric_dec256", "1234567890123456789012345678901234567890123456789012345.12345678901234567890::numeric(76,20)",
		&arrow.Decimal256Type{Precision: 76, Scale: 20}, `"1234567890123456789012345678901234567890123456789012345.12345678901234567890"`)
	add("numeric_dec256_neg", "(-0.00000000000000000001)::numeric(76,20)",
		&arrow.Decimal256Type{Precision: 76, Scale: 20}, `"-0.00000000000000000001"`)
	add("numeric_as_text_meta", "123.4500::numeric", utf8Type, `"123.4500"`).Meta = meta(backends.MetaPGType, "1700")
	add("numeric_as_text_nan", "'NaN'::numeric", utf8Type, `"NaN"`).Meta = meta(backends.MetaPGType, "1700")
	add("numeric_as_text_ninf", "'-Infinity'::numeric", utf8Type, `"-Infinity"`).Meta = meta(backends.MetaPGType, "1700")
	add("numeric_as_text_small", "(-0.000012)::numeric", utf8Type, `"-0.000012"`).Meta = meta(backends.MetaPGType, "1700")

	// Strings and bytes.
	add("text_simple", "'hello'::text", utf8Type, `"hello"`)
	add("text_empty", "''::text", utf8Type, `""`)
	add("text_unicode", "'héllo wörld ☃ 😀'::text", utf8Type, jstr("héllo wörld ☃ 😀"))
	add("text_specials", `E'tab\there "q" back\\slash\nnewline'::text`, utf8Type, jstr("tab\there \"q\" back\\slash\nnewline"))
	add("text_nul", `E'a\000b'::text`, utf8Type, jstr("a\x00b"))
	add("large_utf8", "'large'::text", arrow.BinaryTypes.LargeString, `"large"`)
	add("string_view", "'a string longer than twelve bytes'::text", arrow.BinaryTypes.StringView, `"a string longer than twelve bytes"`)
	add("string_view_short", "'short'::text", arrow.BinaryTypes.StringView, `"short"`)
	add("varchar_meta", "'abc'::varchar(10)", utf8Type, `"abc"`).Meta = meta(backends.MetaPGType, "1043", backends.MetaPGTypmod, "14")
	add("inet_meta_ignored", "'10.0.0.1'::inet::text", utf8Type, `"10.0.0.1/32"`).Meta = meta(backends.MetaPGType, "869")
	allBytes := make([]byte, 256)
	for i := range allBytes {
		allBytes[i] = byte(i)
	}
	add("bytea_empty", "''::bytea", arrow.BinaryTypes.Binary, `""`)
	add("bytea_all", "decode('"+fmt.Sprintf("%x", allBytes)+"', 'hex')", arrow.BinaryTypes.Binary, b64(allBytes))
	add("bytea_backslash", `'\x5c00415c'::bytea`, arrow.BinaryTypes.Binary, b64([]byte{0x5c, 0, 0x41, 0x5c}))
	add("large_binary", `'\xdeadbeef'::bytea`, arrow.BinaryTypes.LargeBinary, b64([]byte{0xde, 0xad, 0xbe, 0xef}))
	add("binary_view", `'\xdeadbeef'::bytea`, arrow.BinaryTypes.BinaryView, b64([]byte{0xde, 0xad, 0xbe, 0xef}))
	add("fixed_size_binary", `'\x010203'::bytea`, &arrow.FixedSizeBinaryType{ByteWidth: 3}, b64([]byte{1, 2, 3}))
	const uuidText = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
	add("uuid", "'"+uuidText+"'::uuid", extensions.NewUUIDType(), jstr(uuidText))
	add("uuid_fixed_meta", "'"+uuidText+"'::uuid", &arrow.FixedSizeBinaryType{ByteWidth: 16},
		b64([]byte{0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11})).Meta = meta(backends.MetaPGType, "2950")
	add("uuid_text_meta", "'"+uuidText+"'::uuid", utf8Type, jstr(uuidText)).Meta = meta(backends.MetaPGType, "2950")
	jsonType, _ := extensions.NewJSONType(utf8Type)
	add("json", `'{"b": [1, 2.50], "a":null}'::json`, jsonType, jstr(`{"b": [1, 2.50], "a":null}`))
	add("jsonb_meta", `'{"b": [1, 2.50], "a":null}'::jsonb`, jsonType, jstr(`{"a": null, "b": [1, 2.50]}`)).Meta = meta(backends.MetaPGType, "3802")
	add("jsonb_text_meta", `'[1, "x", {"k": true}]'::jsonb`, utf8Type, jstr(`[1, "x", {"k": true}]`)).Meta = meta(backends.MetaPGType, "3802")
	add("opaque_ext", "'opaque'::text", extensions.NewOpaqueType(utf8Type, "geometry", "postgis"), `"opaque"`)
	add("null_type", "NULL::text", arrow.Null, "null")

	addTemporal(add)
	addNested(add, &cs)
	return cs
}
