package types

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
)

type addFunc func(name, sql string, t arrow.DataType, js string) *goldenCase

func addTemporal(add addFunc) {
	d32 := arrow.FixedWidthTypes.Date32
	for _, d := range []struct {
		name, sql string
		y, m, dd  int
	}{
		{"2000", "2000-01-01", 2000, 1, 1},
		{"epoch", "1970-01-01", 1970, 1, 1},
		{"pre_epoch", "1969-12-31", 1969, 12, 31},
		{"year1", "0001-01-01", 1, 1, 1},
		{"1bc", "0001-12-31 BC", 0, 12, 31},
		{"44bc", "0044-03-15 BC", -43, 3, 15},
		{"min", "4713-11-24 BC", -4712, 11, 24},
		{"max", "5874897-12-31", 5874897, 12, 31},
		{"y10000", "10000-01-01", 10000, 1, 1},
		{"leap", "2024-02-29", 2024, 2, 29},
		{"1900_mar", "1900-03-01", 1900, 3, 1},
	} {
		add("date_"+d.name, "'"+d.sql+"'::date", d32, num(days(d.y, d.m, d.dd)))
	}
	add("date_infinity", "'infinity'::date", d32, num(math.MaxInt32))
	add("date_neg_infinity", "'-infinity'::date", d32, num(math.MinInt32))
	add("date_too_late", "'5874898-01-01'::date", d32, num(days(5874898, 1, 1)))
	add("date_too_early", "'4714-11-23 BC'::date", d32, num(days(-4713, 11, 23)))
	add("date64", "'2000-01-01'::date", arrow.FixedWidthTypes.Date64, num(days(2000, 1, 1)*86400000))
	add("date64_pre_epoch_ms", "'1969-12-31'::date", arrow.FixedWidthTypes.Date64, "-1").NoDecode = true

	t64us := arrow.FixedWidthTypes.Time64us
	add("time_midnight", "'00:00:00'::time", t64us, "0")
	add("time_frac", "'12:34:56.789012'::time", t64us, num((12*3600+34*60+56)*1e6+789012))
	add("time_last", "'23:59:59.999999'::time", t64us, num(86400e6-1))
	add("time_24", "'24:00:00'::time", t64us, num(86400e6))
	add("time_too_late", "'24:00:00.000001'::time", t64us, num(86400e6+1))
	add("time32_s", "'01:01:01'::time(0)", arrow.FixedWidthTypes.Time32s, "3661")
	add("time32_ms", "'12:34:56.789'::time(3)", arrow.FixedWidthTypes.Time32ms, num((12*3600+34*60+56)*1000+789))
	add("time64_ns", "'12:34:56.789012345'::time", arrow.FixedWidthTypes.Time64ns, num((12*3600+34*60+56)*1e9+789012345)).NoDecode = true
	add("time64_ns_round_up", "'23:59:59.9999995'::time", arrow.FixedWidthTypes.Time64ns, num(86400e9-500)).NoDecode = true
	add("time64_ns_half", "'00:00:00.0000005'::time", arrow.FixedWidthTypes.Time64ns, "500").NoDecode = true
	add("time64_ns_1500", "'00:00:00.0000015'::time", arrow.FixedWidthTypes.Time64ns, "1500").NoDecode = true

	type ts struct {
		name, sql          string
		y, mo, d, h, mi, s int
		us                 int
	}
	instants := []ts{
		{"epoch", "1970-01-01 00:00:00", 1970, 1, 1, 0, 0, 0, 0},
		{"2000", "2000-01-01 00:00:00", 2000, 1, 1, 0, 0, 0, 0},
		{"pre_epoch", "1969-12-31 23:59:59.999999", 1969, 12, 31, 23, 59, 59, 999999},
		{"1900", "1900-01-01 12:00:00", 1900, 1, 1, 12, 0, 0, 0},
		{"1800", "1800-01-01 00:00:00", 1800, 1, 1, 0, 0, 0, 0},
		{"1883_ny_switch", "1883-11-18 17:00:00", 1883, 11, 18, 17, 0, 0, 0},
		{"1945_kolkata_war", "1945-06-01 00:00:00", 1945, 6, 1, 0, 0, 0, 0},
		{"1971_monrovia", "1971-06-01 00:00:00", 1971, 6, 1, 0, 0, 0, 0},
		{"1972_monrovia_switch", "1972-01-07 00:44:30", 1972, 1, 7, 0, 44, 30, 0},
		{"year1", "0001-01-01 00:00:00", 1, 1, 1, 0, 0, 0, 0},
		{"1bc", "0001-12-31 23:59:59 BC", 0, 12, 31, 23, 59, 59, 0},
		{"44bc", "0044-03-15 12:00:00.5 BC", -43, 3, 15, 12, 0, 0, 500000},
		{"min", "4713-11-24 00:00:00 BC", -4712, 11, 24, 0, 0, 0, 0},
		{"us_max", "294247-01-10 04:00:54.775806", 294247, 1, 10, 4, 0, 54, 775806},
		{"y10000", "10000-01-01 00:00:00", 10000, 1, 1, 0, 0, 0, 0},
		{"usec", "2000-01-01 00:00:00.000001", 2000, 1, 1, 0, 0, 0, 1},
		{"half_sec", "2000-01-01 00:00:00.5", 2000, 1, 1, 0, 0, 0, 500000},
		{"leap", "2024-02-29 12:34:56.123456", 2024, 2, 29, 12, 34, 56, 123456},
		{"dst_spring_before", "2021-03-14 06:59:59", 2021, 3, 14, 6, 59, 59, 0},
		{"dst_spring_after", "2021-03-14 07:00:00", 2021, 3, 14, 7, 0, 0, 0},
		{"dst_fall_before", "2021-11-07 05:59:59", 2021, 11, 7, 5, 59, 59, 0},
		{"dst_fall_after", "2021-11-07 06:00:00", 2021, 11, 7, 6, 0, 0, 0},
		{"y2038", "2038-01-19 03:14:08", 2038, 1, 19, 3, 14, 8, 0},
		{"y2100_summer", "2100-07-01 12:00:00", 2100, 7, 1, 12, 0, 0, 0},
		{"y3000", "3000-01-01 00:00:00", 3000, 1, 1, 0, 0, 0, 0},
	}
	for _, v := range instants {
		us := micros(v.y, v.mo, v.d, v.h, v.mi, v.s, v.us)
		bc := ""
		lit := v.sql
		if len(lit) > 3 && lit[len(lit)-3:] == " BC" {
			lit, bc = lit[:len(lit)-3], " BC"
		}
		add("timestamp_"+v.name, "'"+v.sql+"'::timestamp", tsUS, num(us))
		add("timestamptz_"+v.name, "'"+lit+"+00"+bc+"'::timestamptz", tsUSUTC, num(us))
	}
	add("timestamp_infinity", "'infinity'::timestamp", tsUS, num(math.MaxInt64))
	add("timestamp_neg_infinity", "'-infinity'::timestamp", tsUS, num(math.MinInt64))
	add("timestamptz_infinity", "'infinity'::timestamptz", tsUSUTC, num(math.MaxInt64))
	add("timestamp_s", "'2000-01-01 00:00:01'::timestamp(0)", tsS, num(unixSec(2000, 1, 1, 0, 0, 1)))
	add("timestamp_s_max", "'294276-12-31 23:59:59'::timestamp(0)", tsS, num(unixSec(294276, 12, 31, 23, 59, 59)))
	add("timestamptz_s_max", "'294276-12-31 23:59:59+00'::timestamptz(0)", tsSUTC, num(unixSec(294276, 12, 31, 23, 59, 59)))
	add("timestamp_s_bc", "'0100-02-03 04:05:06 BC'::timestamp(0)", tsS, num(unixSec(-99, 2, 3, 4, 5, 6)))
	add("timestamp_ms", "'2000-01-01 00:00:00.123'::timestamp(3)", tsMS, num(unixSec(2000, 1, 1, 0, 0, 0)*1000+123))
	add("timestamp_ms_pre_epoch", "'1969-12-31 23:59:59.999'::timestamp(3)", tsMS, "-1")
	add("timestamp_ns", "'2000-01-01 00:00:00.123456789'::timestamp", tsNS, num(unixSec(2000, 1, 1, 0, 0, 0)*1e9+123456789)).NoDecode = true
	add("timestamp_ns_half", "'2000-01-01 00:00:00.0000005'::timestamp", tsNS, num(unixSec(2000, 1, 1, 0, 0, 0)*1e9+500)).NoDecode = true
	add("timestamp_ns_1500", "'2000-01-01 00:00:00.0000015'::timestamp", tsNS, num(unixSec(2000, 1, 1, 0, 0, 0)*1e9+1500)).NoDecode = true
	add("timestamp_ns_2500", "'2000-01-01 00:00:00.0000025'::timestamp", tsNS, num(unixSec(2000, 1, 1, 0, 0, 0)*1e9+2500)).NoDecode = true
	add("timestamp_ns_pre_epoch", "'1969-12-31 23:59:59.9999995'::timestamp", tsNS, "-500").NoDecode = true
	add("timestamp_ns_exact", "'2000-01-01 00:00:00.000001'::timestamp", tsNS, num(unixSec(2000, 1, 1, 0, 0, 0)*1e9+1000))
	add("timestamp_s_too_late", "'294277-01-01 00:00:00'::timestamp", tsS, num(unixSec(294277, 1, 1, 0, 0, 0)))
	add("timestamp_too_early", "'4714-11-23 23:59:59 BC'::timestamp", tsUS, num(micros(-4713, 11, 23, 23, 59, 59, 0)))
	add("timestamptz_s", "'2021-03-14 07:00:00+00'::timestamptz(0)", tsSUTC, num(unixSec(2021, 3, 14, 7, 0, 0)))
	add("timestamptz_ns", "'2021-11-07 05:59:59.123456789+00'::timestamptz", tsNSUTC, num(unixSec(2021, 11, 7, 5, 59, 59)*1e9+123456789)).NoDecode = true

	ns := func(h, m, s int64, frac int64) int64 { return ((h*60+m)*60+s)*1e9 + frac }
	for _, v := range []struct {
		name, sql string
		m, d      int32
		ns        int64
	}{
		{"full", "1 year 2 mons 3 days 04:05:06.789", 14, 3, ns(4, 5, 6, 789e6)},
		{"mixed_signs", "-1 years -2 mons +3 days -04:05:06", -14, 3, -ns(4, 5, 6, 0)},
		{"zero", "00:00:00", 0, 0, 0},
		{"day_minus_sec", "1 day -00:00:01", 0, 1, -1e9},
		{"minus_day_plus_sec", "-1 days +00:00:01", 0, -1, 1e9},
		{"one_mon", "1 mon", 1, 0, 0},
		{"minus_one_mon", "-1 mons", -1, 0, 0},
		{"one_year", "1 year", 12, 0, 0},
		{"minus_one_year", "-1 years", -12, 0, 0},
		{"year_minus_mon", "1 year -1 mons", 11, 0, 0},
		{"minus_mon_plus_day", "-1 mons +1 day", -1, 1, 0},
		{"hours", "100:00:00", 0, 0, ns(100, 0, 0, 0)},
		{"minus_usec", "-00:00:00.000001", 0, 0, -1000},
		{"months_max", "178956970 years 7 mons", math.MaxInt32, 0, 0},
		{"months_min", "-178956970 years -8 mons", math.MinInt32, 0, 0},
		{"days_max", "2147483647 days", 0, math.MaxInt32, 0},
		{"nanos_max", "2562047:47:16.854775807", 0, 0, math.MaxInt64},
		{"mon_day_usec", "1 mon 1 day 00:00:00.000001", 1, 1, 1000},
		{"minus_hms", "-12:34:56.5", 0, 0, -ns(12, 34, 56, 5e8)},
	} {
		c := add("interval_"+v.name, "'"+v.sql+"'::interval", mdn, fmt.Sprintf(`{"months":%d,"days":%d,"nanoseconds":%d}`, v.m, v.d, v.ns))
		c.NoDecode = v.name == "nanos_max" // PostgreSQL rounds it up past the largest Arrow nanosecond count
	}
	add("interval_ns_round", "'00:00:00.0000015'::interval", mdn, `{"months":0,"days":0,"nanoseconds":1500}`).NoDecode = true
	add("interval_ns_round_neg", "'-00:00:00.0000015'::interval", mdn, `{"months":0,"days":0,"nanoseconds":-1500}`).NoDecode = true
	add("interval_day_time", "'1 day 00:00:01.5'::interval", arrow.FixedWidthTypes.DayTimeInterval, `{"days":1,"milliseconds":1500}`)
	add("interval_year_month", "'1 year 2 mons'::interval", arrow.FixedWidthTypes.MonthInterval, `{"months":14}`)
	add("interval_year_month_neg", "'-1 mons'::interval", arrow.FixedWidthTypes.MonthInterval, `{"months":-1}`)
	add("duration_s", "'01:00:00'::interval", arrow.FixedWidthTypes.Duration_s, "3600")
	add("duration_ms", "'-00:00:01.5'::interval", arrow.FixedWidthTypes.Duration_ms, "-1500")
	add("duration_us", "'24:00:00'::interval", arrow.FixedWidthTypes.Duration_us, num(86400e6))
	add("duration_ns", "'00:00:00.0000015'::interval", arrow.FixedWidthTypes.Duration_ns, "1500").NoDecode = true
	add("duration_s_overflow", "'9223372036855 seconds'::interval", arrow.FixedWidthTypes.Duration_s, "9223372036855")
}
