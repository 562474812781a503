package types

import (
	"math"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/quiverdb/quiver/pgerror"
)

// Calendar constants from PostgreSQL's datatype/timestamp.h.
const (
	unixEpochJD = 2440588 // Julian day of 1970-01-01
	pgEpochJD   = 2451545 // Julian day of 2000-01-01
	usPerSec    = 1000000
	usPerMinute = 60 * usPerSec
	usPerHour   = 60 * usPerMinute
	usPerDay    = 24 * usPerHour
	secPerDay   = 86400

	// pgEpochUnixSec is 2000-01-01 in seconds since 1970-01-01.
	pgEpochUnixSec = (pgEpochJD - unixEpochJD) * secPerDay

	// minTimestamp and endTimestamp bound valid timestamps, in
	// microseconds since 2000-01-01: 4714-11-24 00:00:00 BC inclusive to
	// 294277-01-01 00:00:00 exclusive.
	minTimestamp int64 = -211813488000000000
	endTimestamp int64 = 9223371331200000000

	// dateEndJD is the first Julian day past the date range (5874898-01-01).
	dateEndJD = 2147483494
)

func errTimestampRange() error {
	return pgerror.New(pgerror.DatetimeFieldOverflow, "timestamp out of range")
}

func errDateRange() error { return pgerror.New(pgerror.DatetimeFieldOverflow, "date out of range") }

func errTimeRange() error { return pgerror.New(pgerror.DatetimeFieldOverflow, "time out of range") }

// intervalFieldOverflow is SQLSTATE 22015, interval_field_overflow.
const intervalFieldOverflow = "22015"

func errIntervalRange() error {
	return pgerror.New(intervalFieldOverflow, "interval field value out of range")
}

// j2date converts a Julian day to a proleptic Gregorian date (year 0 is
// 1 BC), exactly as PostgreSQL's j2date does.
func j2date(jd int) (year, month, day int) {
	julian := uint32(jd) + 32044
	quad := julian / 146097
	extra := (julian-quad*146097)*4 + 3
	julian += 60 + quad*3 + extra/146097
	quad = julian / 1461
	julian -= quad * 1461
	y := julian * 4 / 1461
	if y != 0 {
		julian = (julian+305)%365 + 123
	} else {
		julian = (julian+306)%366 + 123
	}
	y += quad * 4
	year = int(y) - 4800
	quad = julian * 2141 / 65536
	day = int(julian - 7834*quad/256)
	month = int((quad+10)%12 + 1)
	return year, month, day
}

// date2j converts a proleptic Gregorian date (year 0 is 1 BC) to a Julian
// day, exactly as PostgreSQL's date2j does.
func date2j(year, month, day int) int {
	if month > 2 {
		month++
		year += 4800
	} else {
		month += 13
		year += 4799
	}
	century := year / 100
	julian := year*365 - 32167
	julian += year/4 - century + century/4
	julian += 7834*month/256 + day
	return julian
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// append2 appends 0 <= v < 100 as two digits.
func append2(dst []byte, v int64) []byte {
	p := pairs[v]
	return append(dst, p[0], p[1])
}

// appendPad appends v (>= 0) with at least width digits.
func appendPad(dst []byte, v int64, width int) []byte {
	switch {
	case width == 2 && v < 100:
		return append2(dst, v)
	case width == 4 && v < 10000:
		return append2(append2(dst, v/100), v%100)
	}
	var buf [20]byte
	i := len(buf)
	for v >= 10 || width > 1 {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		width--
	}
	i--
	buf[i] = byte('0' + v)
	return append(dst, buf[i:]...)
}

// appendFraction appends ".ffffff" without trailing zeros, or nothing when
// us is zero (PostgreSQL's AppendSeconds).
func appendFraction(dst []byte, us int64) []byte {
	if us == 0 {
		return dst
	}
	// The point and six digits in one word, cut before the trailing zeros.
	v := uint32(us) // below 1e6
	hi, lo := v/10000%100, v%10000
	w := '.' | uint64(pairs16[hi])<<8 | uint64(pairs16[lo/100])<<24 | uint64(pairs16[lo%100])<<40
	n := 7
	for v%10 == 0 {
		v /= 10
		n--
	}
	return appendWord(dst, w, n)
}

// appendClock appends HH:MM:SS[.ffffff] for us microseconds into a day
// (24:00:00 included).
func appendClock(dst []byte, us int64) []byte {
	u := uint64(us)
	sec := u / usPerSec
	hms := uint64(pairs16[sec/3600%100]) | ':'<<16 | uint64(pairs16[sec/60%60])<<24 | ':'<<40 | uint64(pairs16[sec%60])<<48
	dst = appendWord(dst, hms, 8)
	if frac := u - sec*usPerSec; frac != 0 {
		return appendFraction(dst, int64(frac))
	}
	return dst
}

// appendOffset appends a UTC offset as EncodeTimezone does: +HH, +HH:MM or
// +HH:MM:SS, whichever is shortest and exact.
func appendOffset(dst []byte, gmtoff int) []byte {
	sign := byte('+')
	if gmtoff < 0 {
		sign = '-'
		gmtoff = -gmtoff
	}
	dst = append(dst, sign)
	dst = appendPad(dst, int64(gmtoff/3600), 2)
	if mins, secs := gmtoff/60%60, gmtoff%60; secs != 0 {
		dst = append(dst, ':')
		dst = appendPad(dst, int64(mins), 2)
		dst = append(dst, ':')
		dst = appendPad(dst, int64(secs), 2)
	} else if mins != 0 {
		dst = append(dst, ':')
		dst = appendPad(dst, int64(mins), 2)
	}
	return dst
}

// zoneCache remembers the zone period of the last timestamptz rendered, so
// that consecutive values in one period skip the time zone lookup.
type zoneCache struct {
	start, end int64 // [start, end) in Unix seconds
	off        int
	name       string
	valid      bool
}

// zone returns loc's UTC offset in seconds and its abbreviation at pg,
// microseconds since 2000-01-01 UTC.
func (z *zoneCache) zone(loc *time.Location, pg int64) (int, string) {
	sec := floorDiv(pg, usPerSec) + pgEpochUnixSec
	if z.valid && sec >= z.start && sec < z.end {
		return z.off, z.name
	}
	t := time.Unix(sec, 0).In(loc)
	name, off := t.Zone()
	start, end := t.ZoneBounds()
	z.start, z.end, z.off, z.name, z.valid = math.MinInt64, math.MaxInt64, off, name, true
	if !start.IsZero() {
		z.start = start.Unix()
	}
	if !end.IsZero() {
		z.end = end.Unix()
	}
	return off, name
}

// Special timestamp and date values. PostgreSQL stores infinity as the
// extreme integers; quiver reads the extreme Arrow integers (as DuckDB
// writes its infinities) the same way.
const (
	pgTimestampNoBegin = math.MinInt64
	pgTimestampNoEnd   = math.MaxInt64
	pgDateNoBegin      = math.MinInt32
	pgDateNoEnd        = math.MaxInt32
)

// roundNanos converts a fraction of a second in nanoseconds (0 <= ns <
// 1e9) to microseconds the way PostgreSQL's input functions do for a
// nine-digit fraction: rint(strtod(".nnnnnnnnn") * 1e6). The division is
// exact to the same double strtod would produce.
func roundNanos(ns int64) int64 {
	return int64(math.RoundToEven(float64(ns) / 1e9 * 1e6))
}

// timestampMicros converts an Arrow timestamp of unit u to microseconds
// since 2000-01-01, as PostgreSQL would read its text form. It returns
// PostgreSQL's infinities for the extreme int64 values and 22008 for
// anything outside PostgreSQL's range.
func timestampMicros(v int64, u arrow.TimeUnit) (int64, error) {
	switch {
	case v == math.MaxInt64:
		return pgTimestampNoEnd, nil
	case v == math.MinInt64 || v == math.MinInt64+1:
		return pgTimestampNoBegin, nil
	case u == arrow.Microsecond:
		// Every value above the minimum is below endTimestamp once shifted.
		if v < minTimestamp+pgEpochUnixSec*usPerSec {
			return 0, errTimestampRange()
		}
		return v - pgEpochUnixSec*usPerSec, nil
	}
	var sec, us int64
	switch u {
	case arrow.Second:
		sec = v
	case arrow.Millisecond:
		sec = floorDiv(v, 1000)
		us = (v - sec*1000) * 1000
	case arrow.Microsecond:
		sec = floorDiv(v, usPerSec)
		us = v - sec*usPerSec
	default:
		sec = floorDiv(v, 1e9)
		us = roundNanos(v - sec*1e9)
	}
	sec -= pgEpochUnixSec
	if sec < minTimestamp/usPerSec || sec > endTimestamp/usPerSec {
		return 0, errTimestampRange()
	}
	t := sec*usPerSec + us
	if t < minTimestamp || t >= endTimestamp {
		return 0, errTimestampRange()
	}
	return t, nil
}

// timeMicros converts an Arrow time of unit u to microseconds since
// midnight, rounding nanoseconds as PostgreSQL's time input does.
func timeMicros(v int64, u arrow.TimeUnit) (int64, error) {
	var us int64
	switch u {
	case arrow.Second:
		if v < 0 || v > secPerDay {
			return 0, errTimeRange()
		}
		us = v * usPerSec
	case arrow.Millisecond:
		if v < 0 || v > secPerDay*1000 {
			return 0, errTimeRange()
		}
		us = v * 1000
	case arrow.Microsecond:
		us = v
	default:
		if v < 0 {
			return 0, errTimeRange()
		}
		us = v/1e9*usPerSec + roundNanos(v%1e9)
	}
	if us < 0 || us > usPerDay {
		return 0, errTimeRange()
	}
	return us, nil
}

// dateJulian converts days since 1970-01-01 to a Julian day, checking
// PostgreSQL's date range. ok is false for the infinities, returned as
// PostgreSQL's date values instead.
func dateJulian(days int64) (jd int, special int32, err error) {
	switch {
	case days == math.MaxInt32:
		return 0, pgDateNoEnd, nil
	case days == math.MinInt32 || days == math.MinInt32+1:
		return 0, pgDateNoBegin, nil
	}
	j := days + unixEpochJD
	if j < 0 || j >= dateEndJD {
		return 0, 0, errDateRange()
	}
	return int(j), 0, nil
}

// durationMicros converts an Arrow duration of unit u to microseconds,
// rounding nanoseconds as interval input does ("-00:00:00.000000500" is
// rounded on its magnitude).
func durationMicros(v int64, u arrow.TimeUnit) (int64, error) {
	switch u {
	case arrow.Second:
		if v > math.MaxInt64/usPerSec || v < math.MinInt64/usPerSec {
			return 0, errIntervalRange()
		}
		return v * usPerSec, nil
	case arrow.Millisecond:
		if v > math.MaxInt64/1000 || v < math.MinInt64/1000 {
			return 0, errIntervalRange()
		}
		return v * 1000, nil
	case arrow.Microsecond:
		return v, nil
	}
	return nanosMicros(v), nil
}

// nanosMicros rounds signed nanoseconds to microseconds on the magnitude.
func nanosMicros(v int64) int64 {
	neg := v < 0
	a := uint64(v)
	if neg {
		a = -a
	}
	us := int64(a/1e9)*usPerSec + roundNanos(int64(a%1e9))
	if neg {
		return -us
	}
	return us
}

// appendInterval appends an interval as interval_out does with
// IntervalStyle postgres.
func appendInterval(dst []byte, months, days int32, us int64) []byte {
	isZero, isBefore := true, false
	dst = appendIntervalPart(dst, int64(months/12), "year", &isZero, &isBefore)
	dst = appendIntervalPart(dst, int64(months%12), "mon", &isZero, &isBefore)
	dst = appendIntervalPart(dst, int64(days), "day", &isZero, &isBefore)
	hour := us / usPerHour
	us -= hour * usPerHour
	min := us / usPerMinute
	us -= min * usPerMinute
	sec := us / usPerSec
	fsec := us - sec*usPerSec
	if isZero || hour != 0 || min != 0 || sec != 0 || fsec != 0 {
		minus := hour < 0 || min < 0 || sec < 0 || fsec < 0
		if !isZero {
			dst = append(dst, ' ')
		}
		if minus {
			dst = append(dst, '-')
		} else if isBefore {
			dst = append(dst, '+')
		}
		dst = appendPad(dst, abs64(hour), 2)
		dst = append(dst, ':')
		dst = appendPad(dst, abs64(min), 2)
		dst = append(dst, ':')
		dst = appendPad(dst, abs64(sec), 2)
		dst = appendFraction(dst, abs64(fsec))
	}
	return dst
}

// appendIntervalPart is PostgreSQL's AddPostgresIntPart.
func appendIntervalPart(dst []byte, v int64, unit string, isZero, isBefore *bool) []byte {
	if v == 0 {
		return dst
	}
	if !*isZero {
		dst = append(dst, ' ')
	}
	if *isBefore && v > 0 {
		dst = append(dst, '+')
	}
	dst = strconv.AppendInt(dst, v, 10)
	dst = append(dst, ' ')
	dst = append(dst, unit...)
	if v != 1 {
		dst = append(dst, 's')
	}
	*isBefore, *isZero = v < 0, false
	return dst
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
