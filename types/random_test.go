package types

import (
	"context"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/quiverdb/quiver/internal/testenv"
)

// TestRandomTemporalAgainstPostgres renders random timestamps, dates and
// intervals across their whole ranges and compares every value with
// PostgreSQL's output under several time zones and styles.
func TestRandomTemporalAgainstPostgres(t *testing.T) {
	pg := testenv.PG(t)
	ctx := context.Background()
	conn := pg.Connect(t, "postgres")
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewSource(2))
	const n = 4000

	// Microseconds since 2000-01-01, biased toward the tz database's range.
	ts := make([]int64, n)
	for i := range ts {
		switch i % 3 {
		case 0:
			// From the minimum to the largest Arrow microsecond count.
			lo := minTimestamp
			span := uint64(pgTimestampNoEnd-pgEpochUnixSec*usPerSec) + uint64(-lo)
			ts[i] = int64(uint64(lo) + rng.Uint64()%span)
		case 1:
			ts[i] = -3e15 + rng.Int63n(6e15) // about 1905 to 2095
		default:
			ts[i] = -1e17 + rng.Int63n(2e17)
		}
	}
	days := make([]int32, n)
	for i := range days {
		days[i] = int32(rng.Int63n(dateEndJD) - pgEpochJD)
	}
	type iv struct {
		months, days int32
		us           int64
	}
	ivs := make([]iv, n)
	for i := range ivs {
		ivs[i] = iv{int32(rng.Uint32()), int32(rng.Uint32()), rng.Int63n(1.8e16) - 9e15}
		switch i % 4 { // many intervals have zero fields
		case 1:
			ivs[i].months = 0
		case 2:
			ivs[i].days, ivs[i].us = 0, 0
		case 3:
			ivs[i].us = rng.Int63n(3e11) - 1.5e11
		}
	}

	build := func(typ arrow.DataType) arrow.Array {
		b := array.NewBuilder(mem, typ)
		defer b.Release()
		for i := 0; i < n; i++ {
			switch b := b.(type) {
			case *array.TimestampBuilder:
				b.Append(arrow.Timestamp(ts[i] + pgEpochUnixSec*usPerSec))
			case *array.Date32Builder:
				b.Append(arrow.Date32(int64(days[i]) + pgEpochJD - unixEpochJD))
			case *array.MonthDayNanoIntervalBuilder:
				b.Append(arrow.MonthDayNanoInterval{Months: ivs[i].months, Days: ivs[i].days, Nanoseconds: ivs[i].us * 1000})
			}
		}
		return b.NewArray()
	}
	// binaryArray is the same values as one array_send parameter.
	binaryArray := func(elem uint32) []byte {
		return arrayParam(elem, n, func(a []byte, i int) []byte {
			switch elem {
			case oidTimestamp, oidTimestamptz:
				return appendInt64(a, ts[i])
			case oidDate:
				return appendInt32(a, days[i])
			}
			return appendIntervalBinary(a, ivs[i].months, ivs[i].days, ivs[i].us)
		})
	}

	for _, tc := range []struct {
		sql  string
		elem uint32
		typ  arrow.DataType
	}{
		{"timestamptz", oidTimestamptz, &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
		{"timestamp", oidTimestamp, &arrow.TimestampType{Unit: arrow.Microsecond}},
		{"date", oidDate, arrow.FixedWidthTypes.Date32},
		{"interval", oidInterval, arrow.FixedWidthTypes.MonthDayNanoInterval},
	} {
		arr := build(tc.typ)
		schema := arrow.NewSchema([]arrow.Field{{Name: "v", Type: tc.typ}}, nil)
		rec := array.NewRecordBatch(schema, []arrow.Array{arr}, n)
		arr.Release()
		param := binaryArray(tc.elem)
		for _, set := range []struct{ zone, dateStyle, intervalStyle string }{
			{"UTC", "ISO, MDY", "postgres"},
			{"America/New_York", "SQL, DMY", "sql_standard"},
			{"Asia/Kolkata", "Postgres, MDY", "iso_8601"},
			{"Europe/Dublin", "German", "postgres_verbose"},
			{"Australia/Lord_Howe", "ISO", "postgres"},
			{"Pacific/Chatham", "Postgres, DMY", "postgres"},
			{"America/St_Johns", "ISO", "postgres"},
		} {
			if tc.elem != oidTimestamptz && set.zone != "UTC" && set.zone != "America/New_York" && set.zone != "Asia/Kolkata" && set.zone != "Europe/Dublin" {
				continue
			}
			for _, q := range []string{"SET TimeZone = '" + set.zone + "'", "SET DateStyle = '" + set.dateStyle + "'", "SET IntervalStyle = '" + set.intervalStyle + "'"} {
				if _, err := conn.Exec(ctx, q).ReadAll(); err != nil {
					t.Fatal(err)
				}
			}
			loc, err := time.LoadLocation(set.zone)
			if err != nil {
				t.Fatal(err)
			}
			s := &Settings{TimeZone: loc, DateStyle: set.dateStyle, IntervalStyle: set.intervalStyle, ExtraFloatDigits: 1}
			checkAgainstPostgres(t, conn, rec, s, 0, arrayColumn(tc.sql, tc.elem, param), fmt.Sprintf("%s %+v", tc.sql, set))
		}
		rec.Release()
	}
}

// arrayParam returns n values as one binary array_send parameter with
// element type elem; value appends the binary form of value i.
func arrayParam(elem uint32, n int, value func(dst []byte, i int) []byte) []byte {
	a := appendInt32(nil, 1) // ndim
	a = appendInt32(a, 0)    // no NULLs
	a = appendInt32(a, int32(elem))
	a = appendInt32(a, int32(n))
	a = appendInt32(a, 1) // lower bound
	for i := 0; i < n; i++ {
		p := len(a)
		a = appendInt32(a, 0)
		a = value(a, i)
		putLength(a, p)
	}
	return a
}

// pgColumn is a PostgreSQL query with one parameter and one result
// column, giving the values a test renders itself.
type pgColumn struct {
	sql         string
	param       []byte
	paramOID    uint32 // 0: PostgreSQL infers it
	paramFormat int16
}

// arrayColumn is unnest($1::sqlType[]) of param, a binary array of elem.
func arrayColumn(sqlType string, elem uint32, param []byte) pgColumn {
	return pgColumn{sql: "SELECT unnest($1::" + sqlType + "[])", param: param, paramOID: arrayOID(elem), paramFormat: 1}
}

// checkAgainstPostgres renders every row of rec, which has one column, in
// format (0 text, 1 binary) under s, and compares it with PostgreSQL's
// output for q under the settings conn has. It reports at most five
// differences.
func checkAgainstPostgres(t *testing.T, conn *pgconn.PgConn, rec arrow.RecordBatch, s *Settings, format int16, q pgColumn, label string) {
	t.Helper()
	res := conn.ExecParams(context.Background(), q.sql, [][]byte{q.param}, []uint32{q.paramOID}, []int16{q.paramFormat}, []int16{format}).Read()
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if len(res.Rows) != int(rec.NumRows()) {
		t.Fatalf("%s: PostgreSQL returned %d rows for %d values", label, len(res.Rows), rec.NumRows())
	}
	enc, err := NewRowEncoder(rec.Schema(), []int16{format}, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := enc.Reset(rec); err != nil {
		t.Fatal(err)
	}
	bad := 0
	var buf []byte
	for i, row := range res.Rows {
		if buf, err = enc.AppendRow(buf[:0], i); err != nil {
			t.Errorf("%s row %d: %v", label, i, err)
			continue
		}
		if got := dataRowValue(buf); string(got) != string(row[0]) && bad < 5 {
			bad++
			t.Errorf("%s row %d: got %q, PostgreSQL gives %q", label, i, got, row[0])
		}
	}
}
