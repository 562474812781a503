package types

import (
	"math"
	"strconv"
	"strings"

	"github.com/quiverdb/quiver/pgerror"
)

// Interval input: the postgres and postgres_verbose styles ("1 year 2 mons
// -3 days 04:05:06.5", "@ 1 hour ago"), SQL-standard year-month "1-2", and
// ISO 8601 designators ("P1Y2M3DT4H5M6.5S"). Fractions of units spill into
// smaller units as interval_in's do.

// intervalValue accumulates an interval's fields.
type intervalValue struct {
	months, days, micros int64
	overflow             bool // a field does not fit 64 bits
}

func errIntervalSyntax(s string) error {
	return pgerror.New(pgerror.InvalidDatetimeFormat, "invalid input syntax for type interval: \"%s\"", s)
}

func errIntervalField(s string) error {
	return pgerror.New(intervalFieldOverflow, "interval field value out of range: \"%s\"", s)
}

var intervalUnits = map[string]string{
	"microsecond": "us", "microseconds": "us", "microsecon": "us", "us": "us", "usec": "us", "usecs": "us", "useconds": "us",
	"millisecond": "ms", "milliseconds": "ms", "millisecon": "ms", "ms": "ms", "msec": "ms", "msecs": "ms", "mseconds": "ms",
	"second": "s", "seconds": "s", "s": "s", "sec": "s", "secs": "s",
	"minute": "min", "minutes": "min", "m": "min", "min": "min", "mins": "min",
	"hour": "h", "hours": "h", "h": "h", "hr": "h", "hrs": "h",
	"day": "d", "days": "d", "d": "d",
	"week": "w", "weeks": "w", "w": "w",
	"month": "mon", "months": "mon", "mon": "mon", "mons": "mon",
	"year": "y", "years": "y", "y": "y", "yr": "y", "yrs": "y",
	"decade": "dec", "decades": "dec", "dec": "dec", "decs": "dec",
	"century": "c", "centuries": "c", "c": "c", "cent": "c",
	"millennium": "mil", "millennia": "mil", "mil": "mil", "mils": "mil",
}

// addFractMicros adds frac*scale microseconds, rounding the fraction of a
// microsecond half toward zero (AdjustFractMicroseconds).
func (v *intervalValue) addFractMicros(frac float64, scale int64) {
	if frac == 0 {
		return
	}
	frac *= float64(scale)
	us := int64(frac)
	frac -= float64(us)
	if frac > 0.5 {
		us++
	} else if frac < -0.5 {
		us--
	}
	v.micros += us
}

// addFractDays adds frac*scale days, spilling the fraction of a day into
// microseconds (AdjustFractDays).
func (v *intervalValue) addFractDays(frac float64, scale int64) {
	if frac == 0 {
		return
	}
	frac *= float64(scale)
	d := int64(frac)
	v.days += d
	v.addFractMicros(frac-float64(d), usPerDay)
}

// unitScale is the size of the units that count microseconds, days or
// months.
var unitScale = map[string]int64{"us": 1, "ms": 1000, "s": usPerSec, "min": usPerMinute, "h": usPerHour,
	"d": 1, "w": 7, "mon": 1, "y": 12, "dec": 120, "c": 1200, "mil": 12000}

// add applies n units (whole part val, fraction fval with the same sign).
func (v *intervalValue) add(unit string, val int64, fval float64) {
	if sc := unitScale[unit]; val > math.MaxInt64/sc || val < math.MinInt64/sc {
		v.overflow = true
		return
	}
	switch unit {
	case "us":
		v.micros += val
		v.addFractMicros(fval, 1)
	case "ms":
		v.micros += val * 1000
		v.addFractMicros(fval, 1000)
	case "s":
		v.micros += val * usPerSec
		v.addFractMicros(fval, usPerSec)
	case "min":
		v.micros += val * usPerMinute
		v.addFractMicros(fval, usPerMinute)
	case "h":
		v.micros += val * usPerHour
		v.addFractMicros(fval, usPerHour)
	case "d":
		v.days += val
		v.addFractMicros(fval, usPerDay)
	case "w":
		v.days += val * 7
		v.addFractDays(fval, 7)
	case "mon":
		v.months += val
		v.addFractDays(fval, 30)
	case "y":
		v.months += val * 12
		v.months += int64(math.RoundToEven(fval * 12))
	case "dec":
		v.months += val * 120
		v.months += int64(math.RoundToEven(fval * 120))
	case "c":
		v.months += val * 1200
		v.months += int64(math.RoundToEven(fval * 1200))
	case "mil":
		v.months += val * 12000
		v.months += int64(math.RoundToEven(fval * 12000))
	}
}

// splitNumber splits a signed decimal number into whole and fractional
// parts carrying the same sign.
func splitNumber(num string) (int64, float64, bool) {
	neg := strings.HasPrefix(num, "-")
	body := strings.TrimLeft(num, "+-")
	if body == "" || len(num)-len(body) > 1 {
		return 0, 0, false
	}
	whole, frac := body, ""
	if i := strings.IndexByte(body, '.'); i >= 0 {
		whole, frac = body[:i], body[i:]
	}
	if whole == "" && (frac == "" || frac == ".") {
		return 0, 0, false
	}
	var val int64
	if whole != "" {
		w, err := strconv.ParseInt(whole, 10, 64)
		if err != nil {
			return 0, 0, false
		}
		val = w
	}
	var fval float64
	if len(frac) > 1 {
		f, err := strconv.ParseFloat("0"+frac, 64)
		if err != nil {
			return 0, 0, false
		}
		fval = f
	}
	if neg {
		val, fval = -val, -fval
	}
	return val, fval, true
}

// parseInterval reads an interval literal.
func parseInterval(s string) (months int32, days int32, micros int64, err error) {
	v := strings.TrimSpace(s)
	var iv intervalValue
	if len(v) > 0 && (v[0] == 'P' || v[0] == 'p') {
		if !parseISOInterval(v[1:], &iv) {
			return 0, 0, 0, errIntervalSyntax(s)
		}
	} else if !parsePostgresInterval(v, &iv) {
		return 0, 0, 0, errIntervalSyntax(s)
	}
	if iv.overflow {
		return 0, 0, 0, errIntervalField(s)
	}
	if iv.months > math.MaxInt32 || iv.months < math.MinInt32 {
		return 0, 0, 0, pgerror.New(pgerror.DatetimeFieldOverflow, "interval out of range")
	}
	if iv.days > math.MaxInt32 || iv.days < math.MinInt32 {
		return 0, 0, 0, errIntervalField(s)
	}
	return int32(iv.months), int32(iv.days), iv.micros, nil
}

func parsePostgresInterval(v string, iv *intervalValue) bool {
	fields := strings.Fields(v)
	if len(fields) > 0 && fields[0] == "@" {
		fields = fields[1:]
	} else if len(fields) > 0 && strings.HasPrefix(fields[0], "@") {
		fields[0] = fields[0][1:]
	}
	ago := false
	if n := len(fields); n > 0 && strings.EqualFold(fields[n-1], "ago") {
		ago, fields = true, fields[:n-1]
	}
	if len(fields) == 0 {
		return false
	}
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		switch {
		case strings.Contains(f, ":"):
			us, ok := intervalTime(f)
			if !ok {
				return false
			}
			iv.micros += us
		case strings.Count(strings.TrimLeft(f, "+-"), "-") == 1 && !strings.ContainsAny(f, "eE"):
			// SQL standard year-month: [+-]Y-M
			neg := strings.HasPrefix(f, "-")
			parts := strings.SplitN(strings.TrimLeft(f, "+-"), "-", 2)
			y, err1 := strconv.ParseInt(parts[0], 10, 32)
			m, err2 := strconv.ParseInt(parts[1], 10, 32)
			if err1 != nil || err2 != nil || m > 11 {
				return false
			}
			mo := y*12 + m
			if neg {
				mo = -mo
			}
			iv.months += mo
		default:
			// A number, with its unit attached or in the next field.
			j := 0
			for j < len(f) && (f[j] == '+' || f[j] == '-' || f[j] == '.' || (f[j] >= '0' && f[j] <= '9')) {
				j++
			}
			num, unit := f[:j], strings.ToLower(f[j:])
			u := ""
			if unit != "" {
				var ok bool
				if u, ok = intervalUnits[unit]; !ok {
					return false
				}
			} else if i+1 < len(fields) {
				// A bare number takes its unit from what follows: a unit
				// word, or days before a time of day (interval_in reads
				// the fields backwards).
				next := strings.ToLower(fields[i+1])
				if nu, ok := intervalUnits[next]; ok {
					u = nu
					i++
				} else if strings.Contains(next, ":") {
					u = "d"
				} else {
					return false
				}
			} else {
				u = "s" // a trailing bare number is seconds
			}
			val, fval, ok := splitNumber(num)
			if !ok {
				if _, err := strconv.ParseFloat(num, 64); err == nil {
					iv.overflow = true // digits, but too many for 64 bits
					continue
				}
				return false
			}
			iv.add(u, val, fval)
		}
	}
	if ago {
		iv.months, iv.days, iv.micros = -iv.months, -iv.days, -iv.micros
	}
	return true
}

// intervalTime reads [+-]H+:MM[:SS[.frac]] as signed microseconds,
// rounding the fraction as ParseFractionalSecond does.
func intervalTime(f string) (int64, bool) {
	neg := strings.HasPrefix(f, "-")
	f = strings.TrimLeft(f, "+-")
	parts := strings.Split(f, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	h, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || h > math.MaxInt64/usPerHour {
		return 0, false
	}
	m, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || m > 59 || len(parts[1]) == 0 {
		return 0, false
	}
	us := h*usPerHour + m*usPerMinute
	if len(parts) == 3 {
		sec, frac := parts[2], ""
		if i := strings.IndexByte(sec, '.'); i >= 0 {
			sec, frac = sec[:i], sec[i:]
		}
		sv, err := strconv.ParseInt(sec, 10, 64)
		if err != nil || sv > 60 {
			return 0, false
		}
		us += sv * usPerSec
		if len(frac) > 1 {
			fv, err := strconv.ParseFloat("0"+frac, 64)
			if err != nil {
				return 0, false
			}
			us += int64(math.RoundToEven(fv * 1e6))
		}
	}
	if neg {
		us = -us
	}
	return us, true
}

// parseISOInterval reads the part of an ISO 8601 duration after 'P'.
func parseISOInterval(v string, iv *intervalValue) bool {
	inTime := false
	if v == "" {
		return false
	}
	for len(v) > 0 {
		if v[0] == 'T' || v[0] == 't' {
			if inTime {
				return false
			}
			inTime = true
			v = v[1:]
			continue
		}
		j := 0
		for j < len(v) && (v[j] == '+' || v[j] == '-' || v[j] == '.' || (v[j] >= '0' && v[j] <= '9')) {
			j++
		}
		if j == 0 || j == len(v) {
			return false
		}
		val, fval, ok := splitNumber(v[:j])
		if !ok {
			return false
		}
		unit := ""
		switch d := v[j] | 0x20; {
		case d == 'y' && !inTime:
			unit = "y"
		case d == 'm' && !inTime:
			unit = "mon"
		case d == 'w' && !inTime:
			unit = "w"
		case d == 'd' && !inTime:
			unit = "d"
		case d == 'h' && inTime:
			unit = "h"
		case d == 'm' && inTime:
			unit = "min"
		case d == 's' && inTime:
			unit = "s"
		default:
			return false
		}
		iv.add(unit, val, fval)
		v = v[j+1:]
	}
	return true
}
