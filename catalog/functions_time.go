package catalog

import "strings"

// Date and time functions whose PostgreSQL behaviour DuckDB lacks or
// answers differently: extract and date_part (PostgreSQL's result types,
// fractional seconds, and its errors for a unit a type has not), to_char,
// to_date and to_timestamp with PostgreSQL's template patterns,
// make_interval, the justify functions, clock_timestamp and timeofday.

// timeUnits maps PostgreSQL's other spellings of extract units to the
// unit's name; a unit's own name is not listed.
var timeUnits = []struct{ unit, spellings string }{
	{"year", "years y yr yrs"},
	{"month", "months mon mons"},
	{"day", "days d"},
	{"hour", "hours h hr hrs"},
	{"minute", "minutes m min mins"},
	{"second", "seconds s sec secs"},
	{"milliseconds", "millisecond ms msec msecs millisecon mseconds"},
	{"microseconds", "microsecond us usec usecs microsecon useconds"},
	{"week", "weeks w"},
	{"quarter", "qtr"},
	{"julian", "j jd"},
	{"century", "centuries c cent"},
	{"decade", "decades dec decs"},
	{"millennium", "millennia mil mils"},
}

// allUnits are the extract units PostgreSQL knows.
const allUnits = "epoch year month day hour minute second milliseconds microseconds dow isodow doy week quarter julian century decade millennium isoyear timezone timezone_hour timezone_minute"

// unitsByType lists, for each DuckDB type (as typeof names it), its
// PostgreSQL name and the extract units PostgreSQL accepts for it.
var unitsByType = []struct{ duck, pg, units string }{
	{"TIMESTAMP", "timestamp without time zone", "epoch year month day hour minute second milliseconds microseconds dow isodow doy week quarter julian century decade millennium isoyear"},
	{"TIMESTAMP WITH TIME ZONE", "timestamp with time zone", allUnits},
	{"DATE", "date", "epoch year month day dow isodow doy week quarter julian century decade millennium isoyear"},
	{"TIME", "time without time zone", "epoch hour minute second milliseconds microseconds"},
	{"TIME WITH TIME ZONE", "time with time zone", "epoch hour minute second milliseconds microseconds timezone timezone_hour timezone_minute"},
	{"INTERVAL", "interval", "epoch year month day hour minute second milliseconds microseconds quarter century decade millennium"},
}

// sqlList quotes space-separated words as the items of an SQL IN list.
func sqlList(words string) string {
	f := strings.Fields(words)
	for i, w := range f {
		f[i] = quote(w)
	}
	return strings.Join(f, ", ")
}

// timeUnitSQL is quiver_time_unit($1): the unit a spelling names.
func timeUnitSQL() string {
	var b strings.Builder
	b.WriteString("(CASE")
	for _, u := range timeUnits {
		b.WriteString(" WHEN lower($1) IN (" + sqlList(u.spellings) + ") THEN " + quote(u.unit))
	}
	b.WriteString(" ELSE lower($1) END)")
	return b.String()
}

// extractUnit is how extract's templates name the unit. The generic
// templates compute it from $1 when the statement runs; when the unit is a
// constant the rewriter knows it (see TimeUnit), and the tests on it are
// decided here, so that DuckDB binds one branch rather than every unit's.
type extractUnit string

// unitExpr is the generic templates' unit, a spelling of $1 named.
const unitExpr = "pg_catalog.quiver_time_unit($1)"

// expr is the unit in SQL.
func (u extractUnit) expr() string {
	if u == "" {
		return unitExpr
	}
	return quote(string(u))
}

// in is true when the unit is one of words.
func (u extractUnit) in(words string) string {
	if u == "" {
		return unitExpr + " IN (" + sqlList(words) + ")"
	}
	for _, w := range strings.Fields(words) {
		if w == string(u) {
			return "true"
		}
	}
	return "false"
}

// TimeUnit returns the extract unit a spelling names ("YEARS" is
// "year"), or false when PostgreSQL knows no such unit.
func TimeUnit(spelling string) (string, bool) {
	s := strings.ToLower(spelling)
	for _, u := range timeUnits {
		for _, w := range strings.Fields(u.spellings) {
			if w == s {
				return u.unit, true
			}
		}
	}
	for _, w := range strings.Fields(allUnits) {
		if w == s {
			return s, true
		}
	}
	return "", false
}

// The parts of quiver_extract_value($1 unit, $2 value, $3 date as
// timestamp). With $3 a date is read as its midnight timestamp, as
// PostgreSQL's date_part(text, date) does. typeof folds to a constant, so
// DuckDB reduces the CASEs on it when it binds the statement.

// extractAllowed is true when PostgreSQL accepts the unit for $2's type.
func (u extractUnit) extractAllowed(date string) string {
	var b strings.Builder
	b.WriteString("(CASE typeof($2)")
	for _, t := range unitsByType {
		b.WriteString(" WHEN " + quote(t.duck) + " THEN " + u.in(t.units))
		if t.duck == "DATE" && date != "false" {
			b.WriteString(" OR (" + date + " AND " + u.in(unitsByType[0].units) + ")")
		}
	}
	b.WriteString(" ELSE true END)")
	return b.String()
}

// extractTypeName is PostgreSQL's name of $2's type in error messages.
func extractTypeName(date string) string {
	var b strings.Builder
	b.WriteString("(CASE typeof($2)")
	for _, t := range unitsByType {
		name := quote(t.pg)
		if t.duck == "DATE" {
			name = "(CASE WHEN " + date + " THEN 'timestamp without time zone' ELSE 'date' END)"
		}
		b.WriteString(" WHEN " + quote(t.duck) + " THEN " + name)
	}
	b.WriteString(" ELSE lower(typeof($2)) END)")
	return b.String()
}

// extractValueSQL is quiver_extract_value, with date standing for $3
// ("$3", or the constant "true" or "false"). DuckDB's epoch and julian are
// doubles: epoch becomes whole microseconds, julian a decimal through its
// shortest text, as a direct cast to DECIMAL(38,20) is not exact. The
// other units are integers, cast directly (the text costs some 8µs a row).
// For a known unit only its own branch is written.
func (u extractUnit) extractValueSQL(date string) string {
	allowed, name := u.extractAllowed(date), extractTypeName(date)
	micro := "CAST(CAST(date_part('microseconds', $2) AS DECIMAL(18,0)) * CAST(%s AS DECIMAL(7,6)) AS DECIMAL(38,20))"
	branches := []struct{ when, then string }{
		{"NOT " + u.in(allUnits), `error('unit "' || lower($1) || '" not recognized for type ' || ` + name + `)`},
		{"NOT " + allowed, `error('quiver:0A000: unit "' || lower($1) || '" not supported for type ' || ` + name + `)`},
		{u.in("second"), strings.Replace(micro, "%s", "0.000001", 1)},
		{u.in("milliseconds"), strings.Replace(micro, "%s", "0.001", 1)},
		{u.in("julian") + " AND NOT " + date + " AND typeof($2) <> 'DATE'", `error('quiver:0A000: extract(julian from ' || ` + name + ` || ') is not supported on DuckDB: use date_part')`},
		{u.in("epoch") + " AND typeof($2) = 'TIME WITH TIME ZONE'",
			`CAST(CAST(date_part('epoch', $2) - date_part(CASE WHEN typeof($2) = 'TIME WITH TIME ZONE' THEN 'timezone' ELSE 'epoch' END, $2) AS VARCHAR) AS DECIMAL(38,20))`},
		{u.in("epoch"), `CAST(CAST(round(date_part('epoch', $2) * 1000000) AS DECIMAL(18,0)) * CAST(0.000001 AS DECIMAL(7,6)) AS DECIMAL(38,20))`},
		{u.in("julian"), `CAST(CAST(date_part(CASE WHEN ` + allowed + ` THEN ` + u.expr() + ` ELSE 'epoch' END, $2) AS VARCHAR) AS DECIMAL(38,20))`},
	}
	other := `CAST(date_part(CASE WHEN ` + allowed + ` AND ` + u.in(allUnits) + ` AND NOT ` + u.in("epoch julian") + ` THEN ` + u.expr() + ` ELSE 'year' END, $2) AS DECIMAL(38,20))`
	if u != "" && u.in("epoch julian") == "false" {
		other = `CAST(date_part(` + u.expr() + `, $2) AS DECIMAL(38,20))`
	}
	var b strings.Builder
	b.WriteString("(CASE")
	for _, br := range branches {
		if strings.HasPrefix(br.when, "false") || br.when == "NOT true" {
			continue // a known unit's branch that cannot be taken
		}
		b.WriteString(" WHEN " + br.when + " THEN " + br.then)
	}
	b.WriteString(" ELSE " + other + " END)")
	return b.String()
}

// knownValueSQL is extract($1 FROM $2) for the known unit u, with date
// as in extractValueSQL. Its value is a DECIMAL of the unit's scale from
// the start: rounding DuckDB's 38-digit decimals costs some 500ns a row.
// Epoch and julian, whose scale or value depend on the type, take the
// general way.
func (u extractUnit) knownValueSQL(date string) string {
	var value string
	switch u {
	case "epoch", "julian":
		return `round(` + u.extractValueSQL(date) + `, ` + u.extractScaleSQL() + `)`
	case "second":
		value = `CAST(CAST(date_part('microseconds', $2) AS DECIMAL(18,0)) * CAST(0.000001 AS DECIMAL(7,6)) AS DECIMAL(38,6))`
	case "milliseconds":
		value = `CAST(CAST(date_part('microseconds', $2) AS DECIMAL(18,0)) * CAST(0.001 AS DECIMAL(4,3)) AS DECIMAL(38,3))`
	default:
		value = `CAST(date_part(` + u.expr() + `, $2) AS DECIMAL(38,0))`
	}
	return `(CASE WHEN NOT ` + u.extractAllowed(date) + ` THEN error('quiver:0A000: unit "' || lower($1) || '" not supported for type ' || ` +
		extractTypeName(date) + `) ELSE ` + value + ` END)`
}

// extractScaleSQL is the scale of PostgreSQL's numeric result of
// extract($1 FROM $2).
func (u extractUnit) extractScaleSQL() string {
	switch u {
	case "":
		return `(CASE pg_catalog.quiver_time_unit($1) WHEN 'second' THEN 6 WHEN 'milliseconds' THEN 3
  WHEN 'epoch' THEN (CASE WHEN typeof($2) = 'DATE' THEN 0 ELSE 6 END) ELSE 0 END)`
	case "second":
		return "6"
	case "milliseconds":
		return "3"
	case "epoch":
		return "(CASE WHEN typeof($2) = 'DATE' THEN 0 ELSE 6 END)"
	}
	return "0"
}

// Intervals as PostgreSQL's three fields: months, days and microseconds,
// and back; the justify functions work on them with PostgreSQL's
// truncating division.
const (
	ivMonths = `(date_part('year', $1) * 12 + date_part('month', $1))`
	ivDays   = `date_part('day', $1)`
	ivMicros = `(date_part('hour', $1) * 3600000000 + date_part('minute', $1) * 60000000 + date_part('microseconds', $1))`
	usPerDay = `86400000000`
)

// makeIntervalSQL is make_interval's body for its first n arguments, the
// others 0.
func makeIntervalSQL(n int) string {
	arg := func(i int) string {
		if i > n {
			return "0"
		}
		return "$" + string(rune('0'+i))
	}
	return `(to_years(CAST(` + arg(1) + ` AS INTEGER)) + to_months(CAST(` + arg(2) + ` AS INTEGER)) +
  to_days(CAST(` + arg(3) + ` AS INTEGER) * 7 + CAST(` + arg(4) + ` AS INTEGER)) + to_hours(CAST(` + arg(5) + ` AS BIGINT)) +
  to_minutes(CAST(` + arg(6) + ` AS BIGINT)) + to_microseconds(CAST(round(CAST(` + arg(7) + ` AS DOUBLE) * 1000000) AS BIGINT)))`
}

// charPatterns translate PostgreSQL's to_char template patterns to
// DuckDB's strftime codes, in the order they are replaced: longer
// patterns first. Patterns not listed (MONTH, DAY, Q, D, WW, J, CC, TH,
// AD, ...) are left in the template, which then fails the letter check;
// SSSS and SSSSS, which contain SS, become a letter for it. Month and
// Day are marked for quiver_char_fix to pad. Upper case names, Q and D
// are not translated: DuckDB's strftime has no code for them.
var charPatterns = []struct {
	pat, code string
	pad       bool // a name PostgreSQL pads to 9 characters
}{
	{"FMHH24", "%-H", false}, {"FMHH12", "%-I", false}, {"FMHH", "%-I", false}, {"FMDDD", "%-j", false},
	{"FMDD", "%-d", false}, {"FMMM", "%-m", false}, {"FMMI", "%-M", false}, {"FMSS", "%-S", false},
	{"FMMonth", "%B", false}, {"FMDay", "%A", false}, {"FMMon", "%b", false}, {"FMDy", "%a", false},
	{"FMYYYY", "%Y", false}, {"SSSSS", "x", false}, {"SSSS", "x", false}, {"HH24", "%H", false},
	{"HH12", "%I", false}, {"HH", "%I", false}, {"YYYY", "%Y", false}, {"YY", "%y", false},
	{"Month", "%B", true}, {"Mon", "%b", false}, {"MM", "%m", false}, {"MI", "%M", false}, {"DDD", "%j", false},
	{"DD", "%d", false}, {"Day", "%A", true}, {"Dy", "%a", false}, {"SS", "%S", false}, {"MS", "%g", false},
	{"US", "%f", false}, {"AM", "%p", false}, {"PM", "%p", false}, {"IW", "%V", false}, {"TZ", "%Z", false},
}

// charFormatSQL is quiver_char_format($1): the strftime format of a
// to_char template, text in double quotes copied. DuckDB needs it to be a
// constant. quiver_char_check makes a template with a pattern the list
// does not translate, or any other letter outside quotes, an error rather
// than a wrong answer.
func charFormatSQL() string { return charFormat(true) }

// charFormat is quiver_char_format's body; without quoted it leaves the
// text in double quotes out, for the letter check.
func charFormat(quoted bool) string {
	literal := "''"
	if quoted {
		literal = "replace((string_split($1, '\"'))[_i], '%', '%%')"
	}
	tr := "replace((string_split($1, '\"'))[_i], '%', '%%')"
	for _, p := range charPatterns {
		code := quote(p.code)
		if p.pad {
			code = "chr(1) || " + code + " || chr(2)"
		}
		tr = "replace(" + tr + ", " + quote(p.pat) + ", " + code + ")"
	}
	return `array_to_string(list_transform(range(1, len(string_split($1, '"')) + 1),
    _i -> CASE WHEN _i % 2 = 0 THEN ` + literal + ` ELSE ` + tr + ` END), '')`
}

// charMarked is true when quiver_char_format($1) has names to pad.
const charMarked = `strpos(pg_catalog.quiver_char_format($1), chr(1)) > 0`

// charFixSQL is quiver_char_fix($1 template, $2 strftime's output): the
// output with the names between chr(1) and chr(2) padded to 9.
const charFixSQL = `(CASE WHEN ` + charMarked + ` THEN regexp_replace(regexp_replace($2,
    chr(1) || '([^' || chr(2) || ']*)' || chr(2), chr(1) || '\1         ' || chr(3), 'g'),
    chr(1) || '(.{9}) *' || chr(3), '\1', 'g') ELSE $2 END)`

// charCheckSQL is quiver_char_check($1 template, $2 value): $2, or an
// error when the template has a pattern quiver_char_format leaves.
var charCheckSQL = `(CASE WHEN regexp_matches(regexp_replace(` + charFormat(false) + `, '%-?.', '', 'g'), '[A-Za-z]')
  THEN error('quiver:0A000: template "' || $1 || '" has patterns quiver cannot translate for DuckDB') ELSE $2 END)`

func init() {
	for n := 0; n <= 7; n++ {
		functions["make_interval/"+string(rune('0'+n))] = makeIntervalSQL(n)
	}
	for k, v := range map[string]string{
		"quiver_interval/3": `(to_months(CAST($1 AS INTEGER)) + to_days(CAST($2 AS INTEGER)) + to_microseconds(CAST($3 AS BIGINT)))`,
		// quiver_justify_time(months, days, time) makes days and time
		// agree in sign.
		"quiver_justify_time/3": `pg_catalog.quiver_interval($1,
  $2 - (CASE WHEN $2 > 0 AND $3 < 0 THEN 1 WHEN $2 < 0 AND $3 > 0 THEN -1 ELSE 0 END),
  $3 + (CASE WHEN $2 > 0 AND $3 < 0 THEN 1 WHEN $2 < 0 AND $3 > 0 THEN -1 ELSE 0 END) * ` + usPerDay + `)`,
		// quiver_justify_months(months, days, time) makes months and days
		// agree in sign, then days and time.
		"quiver_justify_months/3": `pg_catalog.quiver_justify_time(
  $1 - (CASE WHEN $1 > 0 AND ($2 < 0 OR ($2 = 0 AND $3 < 0)) THEN 1 WHEN $1 < 0 AND ($2 > 0 OR ($2 = 0 AND $3 > 0)) THEN -1 ELSE 0 END),
  $2 + (CASE WHEN $1 > 0 AND ($2 < 0 OR ($2 = 0 AND $3 < 0)) THEN 1 WHEN $1 < 0 AND ($2 > 0 OR ($2 = 0 AND $3 > 0)) THEN -1 ELSE 0 END) * 30, $3)`,
		"justify_days/1": `pg_catalog.quiver_interval(` + ivMonths + ` + (` + ivDays + ` // 30) -
  (CASE WHEN ` + ivMonths + ` + (` + ivDays + ` // 30) > 0 AND (` + ivDays + ` % 30) < 0 THEN 1 WHEN ` + ivMonths + ` + (` + ivDays + ` // 30) < 0 AND (` + ivDays + ` % 30) > 0 THEN -1 ELSE 0 END),
  (` + ivDays + ` % 30) + (CASE WHEN ` + ivMonths + ` + (` + ivDays + ` // 30) > 0 AND (` + ivDays + ` % 30) < 0 THEN 30 WHEN ` + ivMonths + ` + (` + ivDays + ` // 30) < 0 AND (` + ivDays + ` % 30) > 0 THEN -30 ELSE 0 END),
  ` + ivMicros + `)`,
		"justify_hours/1": `pg_catalog.quiver_justify_time(` + ivMonths + `, ` + ivDays + ` + (` + ivMicros + ` // ` + usPerDay + `), (` + ivMicros + ` % ` + usPerDay + `))`,
		"justify_interval/1": `pg_catalog.quiver_justify_months(` + ivMonths + ` + ((` + ivDays + ` + (` + ivMicros + ` // ` + usPerDay + `)) // 30),
  ((` + ivDays + ` + (` + ivMicros + ` // ` + usPerDay + `)) % 30), (` + ivMicros + ` % ` + usPerDay + `))`,
		// clock_timestamp is the statement's time on DuckDB, which has no
		// clock that changes within a statement.
		"clock_timestamp/0": `now()`,
		// quiver_round_timestamp($1, $2) rounds $1 to $2 fractional
		// digits of a second, as a timestamp's precision does.
		"quiver_round_timestamp/2": `($1 - to_microseconds(epoch_us($1) - CAST(round(epoch_us($1) / pow(10, 6 - $2)) * pow(10, 6 - $2) AS bigint)))`,
		// statement_timestamp is the transaction's start, as now(): the
		// same outside a transaction block.
		"statement_timestamp/0": `now()`,
		"timeofday/0":           `strftime(now(), '%a %b %d %H:%M:%S.%f %Y UTC')`,
		"quiver_char_format/1":  charFormatSQL(),
		// to_date and to_timestamp read the patterns strptime has.
		"quiver_parse_check/2": `(CASE WHEN ` + charMarked + ` THEN error('quiver:0A000: template "' || $1 || '" has patterns quiver cannot read on DuckDB') ELSE $2 END)`,
		"quiver_char_check/2":  charCheckSQL,
		"quiver_char_fix/2":    charFixSQL,
		"to_char/2": `pg_catalog.quiver_char_check($2, pg_catalog.quiver_char_fix($2,
  replace(strftime($1, pg_catalog.quiver_char_format($2)), 'Etc/UTC', 'UTC')))`,
		"to_date/2":              `pg_catalog.quiver_char_check($2, pg_catalog.quiver_parse_check($2, CAST(strptime($1, pg_catalog.quiver_char_format($2)) AS DATE)))`,
		"to_timestamp/2":         `pg_catalog.quiver_char_check($2, pg_catalog.quiver_parse_check($2, CAST(strptime($1, pg_catalog.quiver_char_format($2)) AS TIMESTAMPTZ)))`,
		"quiver_time_unit/1":     timeUnitSQL(),
		"quiver_extract_value/3": extractUnit("").extractValueSQL("$3"),
		// extract(unit FROM x), which the parser makes
		// pg_catalog.extract('unit', x), is numeric of the unit's scale.
		"extract/2": `round(pg_catalog.quiver_extract_value($1, $2, false), ` + extractUnit("").extractScaleSQL() + `)`,
		// date_part is double precision.
		"date_part/2": `CAST(pg_catalog.quiver_extract_value($1, $2, true) AS DOUBLE)`,
	} {
		functions[k] = v
	}
	// extract and date_part of each unit, for a unit written as a
	// constant (TimeUnit).
	for _, unit := range strings.Fields(allUnits) {
		u := extractUnit(unit)
		functions["quiver_extract_"+unit+"/2"] = u.knownValueSQL("false")
		functions["quiver_date_part_"+unit+"/2"] = `CAST(` + u.knownValueSQL("true") + ` AS DOUBLE)`
		if unit == "epoch" || unit == "julian" {
			// date_part is not rounded to extract's scale.
			functions["quiver_date_part_"+unit+"/2"] = `CAST(` + u.extractValueSQL("true") + ` AS DOUBLE)`
		}
	}
}
