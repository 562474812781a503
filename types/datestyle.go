package types

import (
	"slices"
	"strconv"
)

// DateStyle and IntervalStyle output: EncodeDateOnly, EncodeDateTime and
// EncodeInterval in PostgreSQL's datetime.c.

var (
	dayNames   = [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	monthNames = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
)

// maxTZLen is MAXTZLEN: zone abbreviations are clipped to it.
const maxTZLen = 10

func appendYear(dst []byte, year int) []byte {
	if year <= 0 {
		year = -(year - 1)
	}
	return appendPad(dst, int64(year), 4)
}

// appendDayMonth appends day and month in the DateStyle field order,
// separated by sep.
func (o *outputSettings) appendDayMonth(dst []byte, month, day int, sep byte) []byte {
	if o.dateDMY {
		dst = appendPad(dst, int64(day), 2)
		dst = append(dst, sep)
		return appendPad(dst, int64(month), 2)
	}
	dst = appendPad(dst, int64(month), 2)
	dst = append(dst, sep)
	return appendPad(dst, int64(day), 2)
}

// appendDate appends Julian day jd as date_out does.
func (o *outputSettings) appendDate(dst []byte, jd int) []byte {
	y, m, d := j2date(jd)
	switch o.dateStyle {
	case styleISO:
		dst = appendYMD(dst, y, m, d)
	case styleSQL:
		dst = o.appendDayMonth(dst, m, d, '/')
		dst = append(dst, '/')
		dst = appendYear(dst, y)
	case styleGerman:
		dst = appendPad(dst, int64(d), 2)
		dst = append(dst, '.')
		dst = appendPad(dst, int64(m), 2)
		dst = append(dst, '.')
		dst = appendYear(dst, y)
	default:
		dst = o.appendDayMonth(dst, m, d, '-')
		dst = append(dst, '-')
		dst = appendYear(dst, y)
	}
	if y <= 0 {
		dst = append(dst, " BC"...)
	}
	return dst
}

// appendYMD appends an ISO date without the BC marker.
func appendYMD(dst []byte, year, month, day int) []byte {
	dst = appendYear(dst, year)
	dst = append(dst, '-')
	dst = appendPad(dst, int64(month), 2)
	dst = append(dst, '-')
	return appendPad(dst, int64(day), 2)
}

// timestampText renders timestamps as timestamp_out (tz false) or
// timestamptz_out (tz true) do. The text before and after the clock depends
// only on the day, the UTC offset and the zone abbreviation, so it is kept
// from one value to the next: consecutive values of a column usually share
// their day.
type timestampText struct {
	start, end int64 // the local day kept, [start, end) in µs since 2000-01-01; empty at first
	gmtoff     int
	abbrev     string
	npre       int
	npost      int
	pre        [24]byte // "YYYY-MM-DD ", "Wed Dec 17 ", ...
	post       [24]byte // " 1997 PST BC", "+05:30", ...
}

// appendTimestamp appends local, microseconds since 2000-01-01 in the
// displayed zone, as timestamp_out (tz false) or timestamptz_out (tz true,
// with UTC offset gmtoff seconds east and zone abbreviation abbrev) do
// under o's DateStyle.
func (c *timestampText) appendTimestamp(o *outputSettings, dst []byte, local int64, tz bool, gmtoff int, abbrev string) []byte {
	if local < c.start || local >= c.end || gmtoff != c.gmtoff || abbrev != c.abbrev {
		days := floorDiv(local, usPerDay)
		pre, post := o.timestampParts(c.pre[:0], c.post[:0], days, tz, gmtoff, abbrev)
		if cap(pre) != len(c.pre) || cap(post) != len(c.post) {
			// Outgrew the arrays (it cannot today): not kept.
			c.start, c.end = 0, 0
			dst = append(dst, pre...)
			dst = appendClock(dst, local-days*usPerDay)
			return append(dst, post...)
		}
		c.start, c.end, c.gmtoff, c.abbrev, c.npre, c.npost = days*usPerDay, days*usPerDay+usPerDay, gmtoff, abbrev, len(pre), len(post)
	}
	// The date part is stored whole into spare capacity, then cut to length.
	dst = slices.Grow(dst, len(c.pre))
	l := len(dst)
	*(*[len(c.pre)]byte)(dst[l : l+len(c.pre)]) = c.pre
	dst = appendClock(dst[:l+c.npre], local-c.start)
	if c.npost == 0 {
		return dst
	}
	return append(dst, c.post[:c.npost]...)
}

// timestampParts appends to pre the text a timestamp on local day days
// (since 2000-01-01) shows before its clock, and to post the text after
// it, in o's DateStyle.
func (o *outputSettings) timestampParts(pre, post []byte, days int64, tz bool, gmtoff int, abbrev string) ([]byte, []byte) {
	jd := int(days + pgEpochJD)
	y, m, d := j2date(jd)
	if len(abbrev) > maxTZLen {
		abbrev = abbrev[:maxTZLen]
	}
	switch o.dateStyle {
	case styleISO:
		pre = appendYMD(pre, y, m, d)
		pre = append(pre, ' ')
		if tz {
			post = appendOffset(post, gmtoff)
		}
	case styleSQL, styleGerman:
		if o.dateStyle == styleSQL {
			pre = o.appendDayMonth(pre, m, d, '/')
			pre = append(pre, '/')
		} else {
			pre = appendPad(pre, int64(d), 2)
			pre = append(pre, '.')
			pre = appendPad(pre, int64(m), 2)
			pre = append(pre, '.')
		}
		pre = appendYear(pre, y)
		pre = append(pre, ' ')
		if tz && abbrev == "" {
			post = appendOffset(post, gmtoff)
		} else if tz {
			post = append(post, ' ')
			post = append(post, abbrev...)
		}
	default: // Postgres: "Wed Dec 17 07:37:16 1997 PST"
		wday := (jd + 1) % 7
		pre = append(pre, dayNames[wday]...)
		pre = append(pre, ' ')
		if o.dateDMY {
			pre = appendPad(pre, int64(d), 2)
			pre = append(pre, ' ')
			pre = append(pre, monthNames[m-1]...)
		} else {
			pre = append(pre, monthNames[m-1]...)
			pre = append(pre, ' ')
			pre = appendPad(pre, int64(d), 2)
		}
		pre = append(pre, ' ')
		post = append(post, ' ')
		post = appendYear(post, y)
		if tz {
			post = append(post, ' ')
			if abbrev == "" {
				post = appendOffset(post, gmtoff)
			} else {
				post = append(post, abbrev...)
			}
		}
	}
	if y <= 0 {
		post = append(post, " BC"...)
	}
	return pre, post
}

// appendInterval appends an interval as interval_out does under the
// session's IntervalStyle.
func (o *outputSettings) appendInterval(dst []byte, months, days int32, us int64) []byte {
	switch o.intervalStyle {
	case intervalSQLStandard:
		return appendIntervalSQL(dst, months, days, us)
	case intervalISO8601:
		return appendIntervalISO(dst, months, days, us)
	case intervalPostgresVerbose:
		return appendIntervalVerbose(dst, months, days, us)
	}
	return appendInterval(dst, months, days, us)
}

// intervalFields splits an interval as interval2itm does.
func intervalFields(months, days int32, us int64) (year, mon, mday, hour, min, sec, fsec int64) {
	year, mon, mday = int64(months/12), int64(months%12), int64(days)
	hour = us / usPerHour
	us -= hour * usPerHour
	min = us / usPerMinute
	us -= min * usPerMinute
	sec = us / usPerSec
	fsec = us - sec*usPerSec
	return
}

// appendSeconds is AppendSeconds with fillzeros false: the absolute
// seconds unpadded, then the fraction without trailing zeros.
func appendSeconds(dst []byte, sec, fsec int64) []byte {
	dst = strconv.AppendInt(dst, abs64(sec), 10)
	return appendFraction(dst, abs64(fsec))
}

func appendIntervalSQL(dst []byte, months, days int32, us int64) []byte {
	year, mon, mday, hour, min, sec, fsec := intervalFields(months, days, us)
	hasNegative := year < 0 || mon < 0 || mday < 0 || hour < 0 || min < 0 || sec < 0 || fsec < 0
	hasPositive := year > 0 || mon > 0 || mday > 0 || hour > 0 || min > 0 || sec > 0 || fsec > 0
	hasYearMonth := year != 0 || mon != 0
	hasDayTime := mday != 0 || hour != 0 || min != 0 || sec != 0 || fsec != 0
	standard := !(hasNegative && hasPositive) && !(hasYearMonth && hasDayTime)
	if hasNegative && standard {
		dst = append(dst, '-')
		year, mon, mday, hour, min, sec, fsec = -year, -mon, -mday, -hour, -min, -sec, -fsec
	}
	clock := func(dst []byte, hour, min int64) []byte {
		dst = strconv.AppendInt(dst, hour, 10)
		dst = append(dst, ':')
		dst = appendPad(dst, min, 2)
		dst = append(dst, ':')
		dst = appendPad(dst, abs64(sec), 2)
		return appendFraction(dst, abs64(fsec))
	}
	switch {
	case !hasNegative && !hasPositive:
		return append(dst, '0')
	case !standard:
		sign := func(neg bool) byte {
			if neg {
				return '-'
			}
			return '+'
		}
		dst = append(dst, sign(year < 0 || mon < 0))
		dst = strconv.AppendInt(dst, abs64(year), 10)
		dst = append(dst, '-')
		dst = strconv.AppendInt(dst, abs64(mon), 10)
		dst = append(dst, ' ', sign(mday < 0))
		dst = strconv.AppendInt(dst, abs64(mday), 10)
		dst = append(dst, ' ', sign(hour < 0 || min < 0 || sec < 0 || fsec < 0))
		return clock(dst, abs64(hour), abs64(min))
	case hasYearMonth:
		dst = strconv.AppendInt(dst, year, 10)
		dst = append(dst, '-')
		return strconv.AppendInt(dst, mon, 10)
	case mday != 0:
		dst = strconv.AppendInt(dst, mday, 10)
		dst = append(dst, ' ')
		return clock(dst, hour, min)
	}
	return clock(dst, hour, min)
}

func appendIntervalISO(dst []byte, months, days int32, us int64) []byte {
	year, mon, mday, hour, min, sec, fsec := intervalFields(months, days, us)
	if year == 0 && mon == 0 && mday == 0 && hour == 0 && min == 0 && sec == 0 && fsec == 0 {
		return append(dst, "PT0S"...)
	}
	part := func(dst []byte, v int64, unit byte) []byte {
		if v == 0 {
			return dst
		}
		return append(strconv.AppendInt(dst, v, 10), unit)
	}
	dst = append(dst, 'P')
	dst = part(dst, year, 'Y')
	dst = part(dst, mon, 'M')
	dst = part(dst, mday, 'D')
	if hour != 0 || min != 0 || sec != 0 || fsec != 0 {
		dst = append(dst, 'T')
	}
	dst = part(dst, hour, 'H')
	dst = part(dst, min, 'M')
	if sec != 0 || fsec != 0 {
		if sec < 0 || fsec < 0 {
			dst = append(dst, '-')
		}
		dst = appendSeconds(dst, sec, fsec)
		dst = append(dst, 'S')
	}
	return dst
}

func appendIntervalVerbose(dst []byte, months, days int32, us int64) []byte {
	year, mon, mday, hour, min, sec, fsec := intervalFields(months, days, us)
	isZero, isBefore := true, false
	part := func(dst []byte, v int64, unit string) []byte {
		if v == 0 {
			return dst
		}
		if isZero {
			isBefore = v < 0
			v = abs64(v)
		} else if isBefore {
			v = -v
		}
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, v, 10)
		dst = append(dst, ' ')
		dst = append(dst, unit...)
		if v != 1 {
			dst = append(dst, 's')
		}
		isZero = false
		return dst
	}
	dst = append(dst, '@')
	dst = part(dst, year, "year")
	dst = part(dst, mon, "mon")
	dst = part(dst, mday, "day")
	dst = part(dst, hour, "hour")
	dst = part(dst, min, "min")
	if sec != 0 || fsec != 0 {
		dst = append(dst, ' ')
		if sec < 0 || (sec == 0 && fsec < 0) {
			if isZero {
				isBefore = true
			} else if !isBefore {
				dst = append(dst, '-')
			}
		} else if isBefore {
			dst = append(dst, '-')
		}
		dst = appendSeconds(dst, sec, fsec)
		dst = append(dst, " sec"...)
		if abs64(sec) != 1 || fsec != 0 {
			dst = append(dst, 's')
		}
		isZero = false
	}
	if isZero {
		dst = append(dst, " 0"...)
	}
	if isBefore {
		dst = append(dst, " ago"...)
	}
	return dst
}
