//go:build duckdb_arrow

package e2e

import (
	"strings"
	"testing"
)

// timeValues are values of each date/time type the tests extract from.
var timeValues = []string{
	"timestamp '2024-03-05 13:04:09.25'", "timestamptz '2024-12-29 23:59:59.999999+00'", "date '2024-03-05'",
	"time '13:04:09.25'", "interval '1 year 2 mons 3 days 26:04:09.25'", "timetz '13:04:09.25+02'",
	"timestamp '1969-12-31 23:59:58.5'", "interval '-250 years -0.000001 sec'",
}

// TestTimeFunctionsMatchPostgres runs PostgreSQL's date/time functions that
// DuckDB lacks or answers differently on PostgreSQL and on quiver.
func TestTimeFunctionsMatchPostgres(t *testing.T) {
	pc, qc := connectBoth(t)
	var steps []string
	// extract and date_part of every unit PostgreSQL accepts for a type
	// (one statement per type; units a type has not are below).
	units := map[string]string{
		"timestamp": "epoch year month day hour minute second milliseconds microseconds dow isodow doy week quarter century decade millennium isoyear",
		"date":      "epoch year month day dow isodow doy week quarter julian century decade millennium isoyear",
		"time":      "epoch hour minute second milliseconds microseconds",
		"interval":  "epoch year month day hour minute second milliseconds microseconds quarter century decade millennium",
		"timetz":    "epoch hour minute second milliseconds microseconds timezone timezone_hour timezone_minute",
	}
	for _, v := range timeValues {
		typ := strings.Fields(v)[0]
		if typ == "timestamptz" {
			typ = "timestamp"
		}
		var cols []string
		for _, u := range strings.Fields(units[typ]) {
			cols = append(cols, "extract("+u+" from "+v+")", "date_part('"+u+"', "+v+")")
		}
		steps = append(steps, "select "+strings.Join(cols, ", "))
	}
	steps = append(steps,
		// Other spellings of units, upper case, NULL, a column.
		"select extract(YEARS from date '2024-03-05'), extract(mons from date '2024-03-05'), extract(secs from time '01:02:03.5'), date_part('MS', time '01:02:03.5'), extract(us from interval '1.5 sec')",
		"select extract(timezone from timestamptz '2024-01-01 00:00:00+00'), date_part('julian', timestamp '2024-03-05 13:04:09.25'), date_part('hour', date '2024-03-05')",
		"select extract(year from x), extract(second from x), date_part('dow', x) from (values (null::timestamp), (timestamp '2024-12-29 10:00:01.5')) v(x)",
		"select extract(epoch from null::interval), date_part('epoch', null::date)",
		// A unit that is not a constant takes the definition that covers
		// every unit.
		"select u, date_part(u, timestamp '2024-03-05 13:04:09.25'), date_part(u, date '2024-03-05') from (values ('year'), ('SECS'), ('epoch'), ('ms')) v(u)",
		"select date_part(u, interval '1 day') from (values ('year'), ('foo')) v(u)",
		// Units PostgreSQL does not know.
		"select extract(foo from timestamp '2024-03-05')",
		"select date_part('foo', interval '1 day')",
		// Units a type has not.
		"select extract(hour from date '2024-03-05')",
		"select date_part('timezone', timestamp '2024-03-05')",
		// make_interval, and the justify functions.
		"select make_interval(), make_interval(1), make_interval(1, 2), make_interval(1, 2, 3), make_interval(-1, 2, 3, -4), make_interval(null)",
		"select make_interval(1, 2, 3, 4, 5), make_interval(1, 2, 3, 4, 5, 6), make_interval(1, 2, 3, 4, 5, 6, 7.25)",
		// Named arguments, alone and after positional ones.
		"select make_interval(days => 3), make_interval(1, 2, days => 3, secs => 1.5), make_interval(years := 2), pg_catalog.make_interval(hours => 10)",
		"select make_interval(1, years => 3)",
		"select make_interval(foo => 3)",
		"select justify_days(i), justify_hours(i), justify_interval(i) from (values (interval '40 days'), (interval '50 hours'), "+
			"(interval '1 mon -1 hour'), (interval '-1 mon 40 days 30 hours'), (interval '1 year -65 days'), (interval '-35 days -30 hours'), "+
			"(interval '2 mons -3 days'), (null), (interval '-1 mon'), (interval '1 mon -1 day 25:00:00'), (interval '-1 year 1 day -0.5 sec')) v(i)",
		// to_char with the patterns quiver translates, quoted text, FM,
		// NULL; a pattern it does not translate is an error.
		"select to_char(d, 'YYYY-MM-DD HH24:MI:SS.US \"Q D\" DDD IW YY'), to_char(d, 'FMDD FMMonth YYYY, Dy HH12:MI:SS.MS AM'), "+
			"to_char(d, 'Month|Mon|Day|Dy|FMDay|HH|FMHH24|FMMI|FMSS|FMDDD|FMMM'), to_char(d::date, 'YYYY/MM/DD %'), "+
			"to_char(d::timestamptz, 'YYYY-MM-DD\"T\"HH24:MI:SSTZ') from (values (timestamp '2024-03-05 00:04:09.25'), "+
			"(timestamp '2024-09-29 13:00:00'), (timestamp '2024-12-31 23:59:59.999999'), (timestamp '2021-01-01 12:00:00.5'), (null)) v(d)",
		"select to_char(timestamp '2024-03-05', null), to_char(null::date, 'YYYY')",
		"select to_date('2024-03-05', 'YYYY-MM-DD'), to_date('05/03/2024', 'DD/MM/YYYY'), to_date('2024-3-5', 'YYYY-MM-DD'), to_date('Mar 5 2024', 'Mon FMDD YYYY'), to_date(null, 'YYYY')",
		"select to_timestamp('2024-03-05 10:11:12', 'YYYY-MM-DD HH24:MI:SS'), to_timestamp('2024-03-05T10:11:12.5', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), to_timestamp(1709633472.5)",
		// current_timestamp(p) and localtimestamp(p): rounded to p digits.
		"select pg_typeof(current_timestamp(0)), pg_typeof(localtimestamp(2)), extract(microseconds from current_timestamp(0))::int % 1000000 = 0, "+
			"extract(microseconds from localtimestamp(2))::int % 10000 = 0, abs(extract(epoch from current_timestamp(1) - now())) <= 0.05",
		// clock_timestamp and timeofday change with time: their form.
		`select timeofday() ~ '^\w{3} \w{3} \d\d \d\d:\d\d:\d\d\.\d{6} \d{4} UTC$', clock_timestamp() between now() and now() + interval '1 hour', statement_timestamp() = now()`,
		// date_trunc of a date is a timestamptz, truncated in the
		// session's time zone; of the other types, their own type.
		"select date_trunc('month', date '2024-03-15'), date_trunc('week', timestamp '2024-03-15 10:30'), date_trunc('day', timestamptz '2024-03-15 10:30+05'), date_trunc('hour', interval '40 days 3 hours 20 minutes')",
		"select date_trunc(u, d) from (values ('quarter', date '2024-05-02'), ('year', null)) v(u, d)",
		"set timezone = 'America/New_York'",
		"select date_trunc('month', date '2024-03-15'), date_trunc('day', timestamptz '2024-03-15 02:30+00'), date_trunc('week', date '2024-03-15')",
		"reset timezone",
	)
	compareSteps(t, pc, qc, steps)
}
