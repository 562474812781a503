package types

import (
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/quiverdb/quiver/pgerror"
)

// TestTimestampMicrosBounds checks the microsecond conversion at the ends
// of PostgreSQL's range, and against the millisecond conversion for the
// same instants.
func TestTimestampMicrosBounds(t *testing.T) {
	const epochUs = pgEpochUnixSec * usPerSec
	for _, c := range []struct {
		v    int64
		want int64 // ignored when err
		err  bool
	}{
		{minTimestamp + epochUs, minTimestamp, false},
		{minTimestamp + epochUs - 1, 0, true},
		{math.MinInt64 + 2, 0, true},
		{math.MaxInt64 - 1, math.MaxInt64 - 1 - epochUs, false},
		{math.MaxInt64, pgTimestampNoEnd, false},
		{math.MinInt64, pgTimestampNoBegin, false},
		{math.MinInt64 + 1, pgTimestampNoBegin, false},
		{epochUs, 0, false},
		{-1, -1 - epochUs, false},
	} {
		got, err := timestampMicros(c.v, arrow.Microsecond)
		if c.err {
			if pgerror.Code(err) != pgerror.DatetimeFieldOverflow {
				t.Errorf("timestampMicros(%d, us) = %d, %v; want 22008", c.v, got, err)
			}
		} else if err != nil || got != c.want {
			t.Errorf("timestampMicros(%d, us) = %d, %v; want %d", c.v, got, err, c.want)
		}
	}
	for _, ms := range []int64{(minTimestamp + epochUs) / 1000, (minTimestamp+epochUs)/1000 - 1, 0, -1, 1 << 50, math.MaxInt64 / 1000} {
		a, errA := timestampMicros(ms*1000, arrow.Microsecond)
		b, errB := timestampMicros(ms, arrow.Millisecond)
		if a != b || (errA == nil) != (errB == nil) {
			t.Errorf("%d ms: as microseconds %d, %v; as milliseconds %d, %v", ms, a, errA, b, errB)
		}
	}
}
