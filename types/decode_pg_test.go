package types

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/quiverdb/quiver/internal/testenv"
	"github.com/quiverdb/quiver/pgerror"
)

// inputCase is a text parameter PostgreSQL reads with "SELECT $1::<SQL>".
type inputCase struct {
	sql   string         // PostgreSQL type the parameter is cast to
	typ   arrow.DataType // Arrow type DecodeParams reads it as
	input string
	zone  string // session TimeZone, default UTC
	// unsupported marks syntax PostgreSQL accepts and quiver does not; the
	// test asserts quiver rejects it (a documented gap) rather than
	// misreading it.
	unsupported bool
	// lossy marks input the Arrow type holds less exactly than PostgreSQL
	// (dropped lower bounds); only success is checked.
	lossy bool
	// limit marks values PostgreSQL holds and the Arrow type cannot: the
	// test expects 22008.
	limit bool
}

func inputCases() []inputCase {
	var cs []inputCase
	add := func(sql string, typ arrow.DataType, inputs ...string) {
		for _, in := range inputs {
			cs = append(cs, inputCase{sql: sql, typ: typ, input: in})
		}
	}
	add("int2", arrow.PrimitiveTypes.Int16, "1", " 42 ", "-32768", "32768", "abc", "", "1.5", "+7", "99999999999999999999", "12abc", "- 1")
	add("int4", arrow.PrimitiveTypes.Int32, "2147483647", "2147483648", " -2147483648", "0x10", "\t7\n")
	add("int8", arrow.PrimitiveTypes.Int64, "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809")
	add("bool", arrow.FixedWidthTypes.Boolean, "t", "TRUE", "yes", "y", "on", "of", "off", "o", "1", "0", "tr", "maybe", " true ", "", "2", "nO")
	add("float8", arrow.PrimitiveTypes.Float64, "1e400", "-1e400", "1e-400", "NaN", "nan", "-Infinity", "inf", "-inf", "infinity", "+Infinity",
		" 1.5 ", "abc", "4.9e-324", "1e-320", "1.7976931348623157e308", ".5", "5.", "1e", "-0", "")
	add("float4", arrow.PrimitiveTypes.Float32, "1e39", "1e-46", "3.4e38", "0.1", "NaN", "-inf")
	// A numeric parameter keeps each value's own scale, as numeric does.
	add("numeric", numericParamType, "1.5", "2.50", " -0.000 ", "1e5", "1.2e-3", "abc", ".5", "5.", "1e", "--1", "12345678901234567890.0123456789",
		"0.00000000005", "-0.00000000005", "123456789.123456789012345", "1e37", "-99999999999999999999999999999999999999",
		"123456789012345678901234567890123456789012345.5", "0."+strings.Repeat("0", 60)+"1", "1e-76")
	add("numeric(5,2)", &arrow.Decimal128Type{Precision: 5, Scale: 2}, "123.454", "123.455", "-123.455", "999.995", "999.994", "1e2", "Infinity")
	add("numeric(3,3)", &arrow.Decimal128Type{Precision: 3, Scale: 3}, "0.9995", "0.9994", "1")
	add("text", arrow.BinaryTypes.String, "héllo", "\xff", "a\x80b", "")
	add("bytea", arrow.BinaryTypes.Binary, `\x0102`, `\x 01 02`, `\x1`, `\xzz`, `abc\\def`, `\001\377`, `\9`, `a\`, `\x`, `plain`)
	add("uuid", nil, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", "A0EEBC999C0B4EF8BB6D6BB9BD380A11",
		"a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1", "a0eebc99-9c0b4ef8-bb6d-6bb9bd380a11-", " a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
	add("date", arrow.FixedWidthTypes.Date32, "2000-01-01", "2000-1-1", "0044-03-15 BC", "2000-02-30", "2000-13-01", "epoch", "infinity",
		"-infinity", "garbage", "5874898-01-01", "2000-01-01 12:00:00", " 2000-01-01 ", "1999-02-29", "2000-02-29", "0000-01-01", "4714-11-24 BC")
	add("time", arrow.FixedWidthTypes.Time64us, "12:34:56.789", "24:00:00", "24:00:01", "25:00:00", "12:60:00", "12:00", "allballs", "x",
		"23:59:59.9999995", "00:00:00.0000005", "1:02:03")
	add("timestamp", &arrow.TimestampType{Unit: arrow.Microsecond}, "2000-01-01 00:00:00", "2000-01-01T12:34:56.123456789", "2000-01-01 00:00:00+05",
		"0044-03-15 12:00:00 BC", "294277-01-01 00:00:00", "infinity", "bad", "2000-01-01", "2000-01-01 24:00:00",
		"1999-12-31 23:59:59.9999995", "4714-11-24 00:00:00 BC", "4714-11-23 23:59:59 BC")
	cs = append(cs,
		inputCase{sql: "int4[]", typ: arrow.ListOf(arrow.PrimitiveTypes.Int32), input: "[0:1]={1,2}", lossy: true},
		inputCase{sql: "timestamp", typ: &arrow.TimestampType{Unit: arrow.Microsecond}, input: "294276-12-31 23:59:59.999999", limit: true},
		inputCase{sql: "timestamp", typ: &arrow.TimestampType{Unit: arrow.Second}, input: "294276-12-31 23:59:59"},
		inputCase{sql: "timestamp", typ: &arrow.TimestampType{Unit: arrow.Nanosecond}, input: "2300-01-01 00:00:00", limit: true})
	add("timestamp(3)", &arrow.TimestampType{Unit: arrow.Millisecond}, "2000-01-01 00:00:00.1235", "1969-12-31 23:59:59.9995")
	add("timestamp(0)", &arrow.TimestampType{Unit: arrow.Second}, "1969-12-31 23:59:59.5", "2000-01-01 00:00:00.5", "1999-12-31 23:59:59.5")
	add("time(0)", arrow.FixedWidthTypes.Time32s, "12:00:00.5", "23:59:59.5")
	add("time(3)", arrow.FixedWidthTypes.Time32ms, "12:00:00.0005")
	add("timestamptz", &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, "2000-01-01 00:00:00+05:30", "2000-01-01 00:00:00Z",
		"2000-01-01 00:00:00 UTC", "2000-01-01 00:00:00 America/New_York", "1800-01-01 00:00:00-04:56:02", "2000-01-01 00:00:00-0330",
		"2000-01-01 00:00:00 Mars/Olympus", "2000-01-01 00:00:00+5")
	for _, in := range []string{"2021-03-14 02:30:00", "2021-11-07 01:30:00", "2021-03-14 01:59:59", "2021-03-14 03:00:00", "2021-11-07 00:59:59",
		"2021-11-07 02:00:00", "1883-11-18 12:00:00", "2100-07-01 12:00:00", "0001-01-01 00:00:00"} {
		cs = append(cs, inputCase{sql: "timestamptz", typ: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, input: in, zone: "America/New_York"})
	}
	add("interval", arrow.FixedWidthTypes.MonthDayNanoInterval, "1 year 2 mons 3 days 04:05:06.789", "@ 1 hour ago", "-1 days +00:00:01",
		"1.5 days", "1.5 months", "1.5 years", "P1Y2M3DT4H5M6.5S", "PT0.5S", "1-2", "3 weeks", "100", "1 fortnight", "5 millennia",
		"01:02", "-1:02:03", "1 day 2 hours 3 minutes 4 seconds 5 milliseconds 6 microseconds", "@ 1 year 2 mons -3 days 4 hours 5 mins 6.789 secs ago",
		"0.1 seconds", "-0.5 microseconds", "2 decades 1 century", "1 week -1 day", "P0.5Y", "P1W", "178956970 years 7 mons", "178956971 years",
		"2147483648 days", "99999999999999999999 seconds", "1 2:03:04", "1 2", "1 day 2", "-1 2:03:04")
	add("int4[]", arrow.ListOf(arrow.PrimitiveTypes.Int32), "{1,2,NULL}", "{ 1 , 2 }", "[1:2]={1,2}", "{1,{2}}", "{", "{1,2", "{}", "{{}}",
		"{{1},{2,3}}", "{1,2}x", "{null, NULL ,\"NULL\"}", "[1:2]={1}", "{1 2}", "1,2")
	add("int4[]", arrow.ListOf(arrow.ListOf(arrow.PrimitiveTypes.Int32)), "{{1,2},{3,4}}", "{}", "{{1,NULL},{3,4}}")
	add("int4[]", arrow.ListOf(arrow.ListOf(arrow.ListOf(arrow.PrimitiveTypes.Int32))), "{{{1},{2}},{{3},{4}},{{5},{6}}}")
	add("text[]", arrow.ListOf(arrow.BinaryTypes.String), `{"a b",c\,d,"NULL",NULL," x "}`, `{  spaced  out , x }`, `{"\"q\"",\\}`,
		`{a"b}`, `{"a"b}`, `{"",x}`, `{,}`)
	add("float8[]", arrow.ListOf(arrow.PrimitiveTypes.Float64), "{NaN,Infinity,-1e-5}", "{1,x}")
	cs = append(cs,
		inputCase{sql: "date", typ: arrow.FixedWidthTypes.Date32, input: "20000101", unsupported: true},
		inputCase{sql: "date", typ: arrow.FixedWidthTypes.Date32, input: "Jan 1 2000", unsupported: true},
		inputCase{sql: "timestamptz", typ: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, input: "2000-01-01 00:00:00 EST", unsupported: true},
	)
	return cs
}

// TestDecodeTextAgainstPostgres feeds the same text parameters to
// PostgreSQL and to DecodeParams. Where PostgreSQL fails, DecodeParams
// must fail with the same SQLSTATE and message; where it succeeds, the
// decoded value must render as PostgreSQL renders its result.
func TestDecodeTextAgainstPostgres(t *testing.T) {
	pg := testenv.PG(t)
	ctx := context.Background()
	conn := pg.Connect(t, "postgres")
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	uuidType, _ := ArrowType(oidUUID)
	for _, c := range inputCases() {
		if c.typ == nil {
			c.typ = uuidType
		}
		zone := c.zone
		if zone == "" {
			zone = "UTC"
		}
		if _, err := conn.Exec(ctx, "SET TimeZone = '"+zone+"'").ReadAll(); err != nil {
			t.Fatal(err)
		}
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		s := DefaultSettings()
		s.TimeZone = loc
		res := conn.ExecParams(ctx, "SELECT $1::"+c.sql, [][]byte{[]byte(c.input)}, nil, []int16{0}, []int16{0}).Read()
		rec, err := DecodeParamsWith(mem, []arrow.DataType{c.typ}, nil, [][]byte{[]byte(c.input)}, s)
		name := c.sql + " " + c.input
		if c.unsupported {
			if res.Err != nil {
				t.Errorf("%q: PostgreSQL now rejects this (%v); it is listed as accepted", name, res.Err)
			}
			if err == nil {
				rec.Release()
				t.Errorf("%q: listed as unsupported but DecodeParams accepted it", name)
			} else if code := pgerror.Code(err); code != pgerror.InvalidDatetimeFormat && code != pgerror.InvalidParameterValue {
				t.Errorf("%q: unsupported syntax gave %v", name, err)
			}
			continue
		}
		if c.limit {
			if err == nil {
				rec.Release()
			}
			if res.Err != nil || pgerror.Code(err) != pgerror.DatetimeFieldOverflow {
				t.Errorf("%q: PostgreSQL: %v; DecodeParams: %v; want success and 22008", name, res.Err, err)
			}
			continue
		}
		if c.lossy {
			if err == nil {
				rec.Release()
			}
			if res.Err != nil || err != nil {
				t.Errorf("%q: PostgreSQL: %v; DecodeParams: %v; want both to succeed", name, res.Err, err)
			}
			continue
		}
		var pgErr *pgconn.PgError
		if errors.As(res.Err, &pgErr) {
			if err == nil {
				rec.Release()
				t.Errorf("%q: PostgreSQL fails with %s %q, DecodeParams accepted it", name, pgErr.Code, pgErr.Message)
				continue
			}
			got := pgerror.Flatten(err)
			if got.Code != pgErr.Code || got.Message != pgErr.Message || got.Detail != pgErr.Detail {
				t.Errorf("%q:\n got  %s %q %q\n want %s %q %q", name, got.Code, got.Message, got.Detail, pgErr.Code, pgErr.Message, pgErr.Detail)
			}
			continue
		}
		if res.Err != nil {
			t.Fatalf("%q: %v", name, res.Err)
		}
		if err != nil {
			t.Errorf("%q: PostgreSQL gives %q, DecodeParams fails: %v", name, res.Rows[0][0], err)
			continue
		}
		got, _, err := encodeOne(rec, 0, s)
		rec.Release()
		if err != nil {
			t.Errorf("%q: re-encoding: %v", name, err)
		} else if string(got) != string(res.Rows[0][0]) {
			t.Errorf("%q: decoded value renders as %q, PostgreSQL gives %q", name, got, res.Rows[0][0])
		}
	}
}
