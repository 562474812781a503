package types

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/quiverdb/quiver/internal/testenv"
)

// TestTimestampRunsAgainstPostgres renders runs of nearby timestamps, which
// share their day and exercise the text kept from one value to the next
// (timestampText), across midnights, DST changes (including Lord Howe's
// half-hour one, which changes the offset within a day), BC dates and the
// 2000-01-01 epoch, and compares every value with PostgreSQL's output.
func TestTimestampRunsAgainstPostgres(t *testing.T) {
	pg := testenv.PG(t)
	ctx := context.Background()
	conn := pg.Connect(t, "postgres")
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)

	// Microseconds since 2000-01-01 UTC.
	var ts []int64
	run := func(start time.Time, step time.Duration, n int) {
		us := start.UnixMicro() - pgEpochUnixSec*usPerSec
		for i := 0; i < n; i++ {
			ts = append(ts, us+int64(i)*step.Microseconds())
		}
	}
	run(time.Date(2020, 1, 1, 23, 59, 0, 0, time.UTC), time.Second, 150)
	run(time.Date(1999, 12, 31, 23, 0, 0, 0, time.UTC), 7*time.Minute+123456*time.Microsecond, 40)
	run(time.Date(2024, 3, 10, 5, 0, 0, 0, time.UTC), 13*time.Minute, 60)   // New York spring forward
	run(time.Date(2024, 11, 3, 4, 0, 0, 0, time.UTC), 11*time.Minute, 60)   // New York fall back
	run(time.Date(2024, 4, 6, 14, 0, 0, 0, time.UTC), 7*time.Minute, 60)    // Lord Howe, -30 min
	run(time.Date(2024, 10, 5, 15, 0, 0, 0, time.UTC), 7*time.Minute, 60)   // Lord Howe, +30 min
	run(time.Date(-44, 3, 14, 20, 0, 0, 0, time.UTC), 17*time.Minute, 40)   // 45 BC
	run(time.Date(1883, 11, 18, 10, 0, 0, 0, time.UTC), 23*time.Minute, 60) // LMT to EST
	for i := 0; i < 30; i++ {                                               // alternating days
		ts = append(ts, ts[i], ts[len(ts)-1-i])
	}

	for _, tc := range []struct {
		sql  string
		elem uint32
		typ  arrow.DataType
	}{
		{"timestamp", oidTimestamp, &arrow.TimestampType{Unit: arrow.Microsecond}},
		{"timestamptz", oidTimestamptz, &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
	} {
		param := arrayParam(tc.elem, len(ts), func(a []byte, i int) []byte { return appendInt64(a, ts[i]) })
		b := array.NewTimestampBuilder(mem, tc.typ.(*arrow.TimestampType))
		for _, v := range ts {
			b.Append(arrow.Timestamp(v + pgEpochUnixSec*usPerSec))
		}
		arr := b.NewArray()
		b.Release()
		schema := arrow.NewSchema([]arrow.Field{{Name: "v", Type: tc.typ}}, nil)
		rec := array.NewRecordBatch(schema, []arrow.Array{arr}, int64(len(ts)))
		arr.Release()
		for _, set := range []struct{ zone, dateStyle string }{
			{"America/New_York", "ISO, MDY"},
			{"Australia/Lord_Howe", "SQL, DMY"},
			{"America/New_York", "Postgres, MDY"},
			{"Australia/Lord_Howe", "German"},
		} {
			for _, q := range []string{"SET TimeZone = '" + set.zone + "'", "SET DateStyle = '" + set.dateStyle + "'"} {
				if _, err := conn.Exec(ctx, q).ReadAll(); err != nil {
					t.Fatal(err)
				}
			}
			loc, err := time.LoadLocation(set.zone)
			if err != nil {
				t.Fatal(err)
			}
			s := &Settings{TimeZone: loc, DateStyle: set.dateStyle, ExtraFloatDigits: 1}
			checkAgainstPostgres(t, conn, rec, s, 0, arrayColumn(tc.sql, tc.elem, param), fmt.Sprintf("%s %+v", tc.sql, set))
		}
		rec.Release()
	}
}
