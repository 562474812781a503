package types

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/quiverdb/quiver/pgerror"
)

// Date and time input. PostgreSQL's datetime parser accepts far more than
// this; quiver reads what PostgreSQL prints under DateStyle ISO (which is
// what drivers send) plus the common ISO 8601 variants:
//
//	[Y]YYY-MM-DD[( |T)HH:MM[:SS[.frac]]][ zone][ BC|AD]
//	infinity, -infinity, epoch
//
// where zone is Z, UTC, GMT, [+-]HH[[:]MM[[:]SS]], or an IANA zone name.
// Fractional seconds are rounded as PostgreSQL does (rint of the parsed
// fraction times 10^6).

func errDatetimeSyntax(typ, s string) error {
	return pgerror.New(pgerror.InvalidDatetimeFormat, "invalid input syntax for type %s: \"%s\"", typ, s)
}

func errFieldRange(s string) error {
	return pgerror.New(pgerror.DatetimeFieldOverflow, "date/time field value out of range: \"%s\"", s)
}

// datetimeFields is a parsed date/time literal.
type datetimeFields struct {
	special     int // 0, +1 infinity, -1 -infinity
	year        int // astronomical
	month, day  int
	hasDate     bool
	hasTime     bool
	usec        int64 // time of day in microseconds, may be usPerDay
	hasZone     bool
	zoneOffset  int            // seconds east of UTC, when zoneLoc is nil
	zoneLoc     *time.Location // named zone
	epochMicros bool           // "epoch"
}

// parseDatetime parses s for type typ ("date", "timestamp", "time", ...).
// timeOnly accepts a bare time of day.
func parseDatetime(s, typ string, timeOnly bool) (datetimeFields, error) {
	var f datetimeFields
	v := trimSpace(s)
	switch strings.ToLower(v) {
	case "infinity", "+infinity":
		if !timeOnly {
			f.special = 1
			return f, nil
		}
	case "-infinity":
		if !timeOnly {
			f.special = -1
			return f, nil
		}
	case "epoch":
		if !timeOnly {
			f.year, f.month, f.day, f.hasDate = 1970, 1, 1, true
			return f, nil
		}
	case "allballs":
		f.hasTime = true
		return f, nil
	}
	rest := v
	if !timeOnly || (len(rest) > 4 && strings.IndexByte(rest[:min(len(rest), 8)], '-') > 0) {
		y, m, d, r, ok := scanDate(rest)
		if !ok {
			return f, errDatetimeSyntax(typ, s)
		}
		f.year, f.month, f.day, f.hasDate, rest = y, m, d, true, r
		if len(rest) > 0 && (rest[0] == 'T' || rest[0] == 't') {
			rest = rest[1:]
		} else {
			rest = strings.TrimLeft(rest, " \t")
		}
	}
	if len(rest) > 0 && rest[0] >= '0' && rest[0] <= '9' {
		us, r, err := scanTime(rest, typ, s)
		if err != nil {
			return f, err
		}
		f.usec, f.hasTime, rest = us, true, r
	} else if timeOnly {
		return f, errDatetimeSyntax(typ, s)
	}
	bc := false
	for {
		rest = strings.TrimLeft(rest, " \t")
		if rest == "" {
			break
		}
		tok := rest
		if rest[0] != '+' && rest[0] != '-' {
			if i := strings.IndexAny(rest, " \t"); i >= 0 {
				tok = rest[:i]
			}
		} else if i := strings.IndexAny(rest, " \t"); i >= 0 {
			tok = rest[:i]
		}
		rest = rest[len(tok):]
		switch up := strings.ToUpper(tok); {
		case up == "BC" && f.hasDate:
			bc = true
		case up == "AD" && f.hasDate:
		case f.hasZone:
			return f, errDatetimeSyntax(typ, s)
		case up == "Z" || up == "UTC" || up == "GMT" || up == "ZULU":
			f.hasZone = true
		case tok[0] == '+' || tok[0] == '-':
			off, ok := scanOffset(tok)
			if !ok {
				return f, errDatetimeSyntax(typ, s)
			}
			f.hasZone, f.zoneOffset = true, off
		default:
			// Only full zone names: abbreviations such as CET mean a
			// fixed offset to PostgreSQL but a zone with rules to Go.
			loc, err := time.LoadLocation(tok)
			if err != nil || !strings.Contains(tok, "/") {
				return f, pgerror.New(pgerror.InvalidParameterValue, "time zone \"%s\" not recognized", strings.ToLower(tok))
			}
			f.hasZone, f.zoneLoc = true, loc
		}
	}
	if f.hasDate {
		if f.year <= 0 {
			return f, errFieldRange(s)
		}
		if bc {
			f.year = 1 - f.year
		}
		if f.month < 1 || f.month > 12 || f.day < 1 || f.day > daysIn(f.year, f.month) {
			return f, errFieldRange(s)
		}
	}
	return f, nil
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// scanDigits reads up to max decimal digits (at least one).
func scanDigits(s string, maxDigits int) (int, string, bool) {
	n, i := 0, 0
	for i < len(s) && i < maxDigits && s[i] >= '0' && s[i] <= '9' {
		n = n*10 + int(s[i]-'0')
		i++
	}
	return n, s[i:], i > 0
}

func scanDate(s string) (y, m, d int, rest string, ok bool) {
	var ok1, ok2, ok3 bool
	if y, s, ok1 = scanDigits(s, 9); !ok1 || len(s) == 0 || s[0] != '-' {
		return
	}
	if m, s, ok2 = scanDigits(s[1:], 2); !ok2 || len(s) == 0 || s[0] != '-' {
		return
	}
	d, s, ok3 = scanDigits(s[1:], 2)
	return y, m, d, s, ok3
}

// scanTime reads HH:MM[:SS[.frac]] and returns microseconds since midnight.
func scanTime(s, typ, orig string) (int64, string, error) {
	h, s, ok := scanDigits(s, 2)
	if !ok || len(s) == 0 || s[0] != ':' {
		return 0, s, errDatetimeSyntax(typ, orig)
	}
	mi, s, ok := scanDigits(s[1:], 2)
	if !ok {
		return 0, s, errDatetimeSyntax(typ, orig)
	}
	sec := 0
	var frac int64
	if len(s) > 0 && s[0] == ':' {
		if sec, s, ok = scanDigits(s[1:], 2); !ok {
			return 0, s, errDatetimeSyntax(typ, orig)
		}
		if len(s) > 0 && s[0] == '.' {
			i := 1
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				i++
			}
			fv, err := strconv.ParseFloat("0"+s[:i], 64)
			if err != nil {
				return 0, s, errDatetimeSyntax(typ, orig)
			}
			frac = int64(math.RoundToEven(fv * 1e6))
			s = s[i:]
		}
	}
	if h > 24 || mi > 59 || sec > 60 || (h == 24 && (mi > 0 || sec > 0 || frac > 0)) {
		return 0, s, errFieldRange(orig)
	}
	return ((int64(h)*60+int64(mi))*60+int64(sec))*usPerSec + frac, s, nil
}

// scanOffset reads [+-]HH[[:]MM[[:]SS]] as seconds east of UTC.
func scanOffset(tok string) (int, bool) {
	sign := 1
	if tok[0] == '-' {
		sign = -1
	}
	s := tok[1:]
	h, s, ok := scanDigits(s, 2)
	if !ok {
		return 0, false
	}
	m, sec := 0, 0
	if len(s) > 0 {
		if s[0] == ':' {
			s = s[1:]
		}
		if m, s, ok = scanDigits(s, 2); !ok {
			return 0, false
		}
		if len(s) > 0 {
			if s[0] == ':' {
				s = s[1:]
			}
			if sec, s, ok = scanDigits(s, 2); !ok {
				return 0, false
			}
		}
	}
	if s != "" || h > 15 || m > 59 || sec > 59 {
		return 0, false
	}
	return sign * (h*3600 + m*60 + sec), true
}

// pgMicros is the local date and time of f in microseconds since
// 2000-01-01 (no zone applied).
func (f *datetimeFields) pgMicros() int64 {
	return int64(date2j(f.year, f.month, f.day)-pgEpochJD)*usPerDay + f.usec
}

// localToUTC converts local microseconds since 2000-01-01 in loc to UTC the
// way PostgreSQL's DetermineTimeZoneOffset does: in a spring-forward gap
// the offset from before the transition applies, in a fall-back overlap
// the offset from after it.
func localToUTC(local int64, loc *time.Location) int64 {
	mytime := floorDiv(local, usPerSec) + pgEpochUnixSec
	prev := time.Unix(mytime-secPerDay, 0).In(loc)
	_, before := prev.Zone()
	_, end := prev.ZoneBounds()
	offset := before
	if !end.IsZero() && end.Unix() <= mytime+secPerDay {
		boundary := end.Unix()
		_, after := end.In(loc).Zone()
		beforeTime, afterTime := mytime-int64(before), mytime-int64(after)
		switch {
		case beforeTime < boundary && afterTime < boundary:
		case beforeTime >= boundary && afterTime >= boundary:
			offset = after
		case beforeTime <= afterTime:
			offset = after
		}
	}
	return local - int64(offset)*usPerSec
}

// timestampFromText parses a timestamp (tz false) or timestamptz literal
// and returns microseconds since 2000-01-01 UTC, or PostgreSQL's
// infinities.
func timestampFromText(s string, tz bool, session *time.Location) (int64, error) {
	typ := "timestamp"
	if tz {
		typ = "timestamp with time zone"
	}
	f, err := parseDatetime(s, typ, false)
	if err != nil {
		return 0, err
	}
	switch f.special {
	case 1:
		return pgTimestampNoEnd, nil
	case -1:
		return pgTimestampNoBegin, nil
	}
	if !f.hasDate {
		return 0, errDatetimeSyntax(typ, s)
	}
	if f.year < -4713 || f.year > 294277 {
		return 0, pgerror.New(pgerror.DatetimeFieldOverflow, "timestamp out of range: \"%s\"", s)
	}
	t := f.pgMicros()
	if tz {
		switch {
		case f.zoneLoc != nil:
			t = localToUTC(t, f.zoneLoc)
		case f.hasZone:
			t -= int64(f.zoneOffset) * usPerSec
		default:
			t = localToUTC(t, session)
		}
	}
	if t < minTimestamp || t >= endTimestamp {
		return 0, pgerror.New(pgerror.DatetimeFieldOverflow, "timestamp out of range: \"%s\"", s)
	}
	return t, nil
}

// dateFromText parses a date literal and returns its Julian day, or
// PostgreSQL's infinities as special.
func dateFromText(s string) (jd int, special int32, err error) {
	f, err := parseDatetime(s, "date", false)
	if err != nil {
		return 0, 0, err
	}
	switch f.special {
	case 1:
		return 0, pgDateNoEnd, nil
	case -1:
		return 0, pgDateNoBegin, nil
	}
	if !f.hasDate {
		return 0, 0, errDatetimeSyntax("date", s)
	}
	if f.year < -4713 || f.year > 5874898 {
		return 0, 0, pgerror.New(pgerror.DatetimeFieldOverflow, "date out of range: \"%s\"", s)
	}
	j := date2j(f.year, f.month, f.day)
	if j < 0 || j >= dateEndJD {
		return 0, 0, pgerror.New(pgerror.DatetimeFieldOverflow, "date out of range: \"%s\"", s)
	}
	return j, 0, nil
}

// timeFromText parses a time literal and returns microseconds since
// midnight.
func timeFromText(s string) (int64, error) {
	f, err := parseDatetime(s, "time", true)
	if err != nil {
		return 0, err
	}
	if !f.hasTime {
		return 0, errDatetimeSyntax("time", s)
	}
	return f.usec, nil
}
