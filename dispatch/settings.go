package dispatch

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/quiverdb/quiver/pgerror"
)

// ServerVersion is the PostgreSQL version quiver reports. libpq, pgjdbc and
// Npgsql parse it; quiver's own identity is in version().
const ServerVersion = "15.0"

// setting is one run-time parameter a client can SET and SHOW.
type setting struct {
	name     string // canonical spelling, as SHOW's column name
	reported bool   // sent as ParameterStatus at startup and on change
	readOnly bool
	// ms marks an integer number of milliseconds in 0 .. 2147483647, set
	// with or without PostgreSQL's time units and shown with the largest
	// unit that divides it.
	ms  bool
	def string
	// check validates and canonicalises a new value.
	check func(s *Session, v string) (string, error)
}

// settingsTable lists the parameters quiver knows. Unknown names are passed
// to the backend, which may have settings of its own.
var settingsTable = []*setting{
	{name: "application_name", reported: true, def: ""},
	{name: "client_encoding", reported: true, def: "UTF8", check: checkEncoding},
	{name: "DateStyle", reported: true, def: "ISO, MDY", check: checkDateStyle},
	{name: "default_transaction_read_only", reported: true, def: "off", check: checkBool},
	{name: "in_hot_standby", reported: true, readOnly: true, def: "off"},
	{name: "integer_datetimes", reported: true, readOnly: true, def: "on"},
	{name: "IntervalStyle", reported: true, def: "postgres", check: checkIntervalStyle},
	{name: "is_superuser", reported: true, readOnly: true, def: "on"},
	{name: "server_encoding", reported: true, readOnly: true, def: "UTF8"},
	{name: "server_version", reported: true, readOnly: true, def: ServerVersion},
	{name: "session_authorization", reported: true, def: ""},
	{name: "standard_conforming_strings", reported: true, def: "on", check: checkSCS},
	{name: "TimeZone", reported: true, def: "UTC", check: checkTimeZone},
	{name: "extra_float_digits", def: "1", check: checkExtraFloatDigits},
	{name: "search_path", def: `"$user", public`},
	{name: "statement_timeout", def: "0", ms: true},
	{name: "idle_in_transaction_session_timeout", def: "0", ms: true},
	{name: "idle_session_timeout", def: "0", ms: true},
	{name: "lock_timeout", def: "0", ms: true},
	{name: "bytea_output", def: "hex", check: checkByteaOutput},
	{name: "default_transaction_isolation", def: "read committed"},
	{name: "transaction_isolation", def: "read committed"},
	{name: "transaction_read_only", def: "off", check: checkBool},
	{name: "server_version_num", readOnly: true, def: "150000"},
	{name: "max_identifier_length", readOnly: true, def: "63"},
	{name: "max_index_keys", readOnly: true, def: "32"},
	{name: "block_size", readOnly: true, def: "8192"},
	{name: "lc_collate", readOnly: true, def: "C"},
	{name: "lc_ctype", readOnly: true, def: "C"},
	{name: "lc_messages", def: "C"},
	{name: "lc_monetary", def: "C"},
	{name: "lc_numeric", def: "C"},
	{name: "lc_time", def: "C"},
	{name: "client_min_messages", def: "notice", check: checkMinMessages},
	{name: "synchronous_commit", def: "on"},
	{name: "row_security", def: "on", check: checkBool},
	{name: "escape_string_warning", def: "on", check: checkBool},
	{name: "max_connections", readOnly: true, def: "100"},
	{name: "work_mem", def: "4MB"},
	{name: "jit", def: "off", check: checkBool},
	{name: "timezone_abbreviations", def: "Default"},
	// pg_dump sets these four at the top of every dump.
	{name: "check_function_bodies", def: "on", check: checkBool},
	{name: "xmloption", def: "content", check: checkXMLOption},
	{name: "default_tablespace", def: "", check: checkTablespace},
	{name: "default_table_access_method", def: "heap", check: checkTableAM},
}

var settingsByName = func() map[string]*setting {
	m := make(map[string]*setting, len(settingsTable))
	for _, s := range settingsTable {
		m[strings.ToLower(s.name)] = s
	}
	return m
}()

func lookupSetting(name string) *setting { return settingsByName[strings.ToLower(name)] }

func invalidValue(name, v string) *pgerror.Error {
	return pgerror.New(pgerror.InvalidParameterValue, "invalid value for parameter \"%s\": \"%s\"", name, v)
}

// messageLevels are client_min_messages' values, least severe first.
var messageLevels = []string{"debug5", "debug4", "debug3", "debug2", "debug1", "log", "notice", "warning", "error"}

func checkMinMessages(_ *Session, v string) (string, error) {
	l := strings.ToLower(v)
	switch l {
	case "debug":
		return "debug2", nil
	case "info":
		return l, nil
	}
	if slices.Contains(messageLevels, l) {
		return l, nil
	}
	return "", invalidValue("client_min_messages", v).WithHint("Available values: " + strings.Join(messageLevels, ", ") + ".")
}

// quietNotice reports whether client_min_messages keeps a notice of
// severity (NOTICE, WARNING, ...) from the client. INFO always goes.
func (s *Session) quietNotice(severity string) bool {
	sev := slices.Index(messageLevels, strings.ToLower(severity))
	if sev < 0 {
		return false
	}
	min := s.vars["client_min_messages"]
	if min == "info" {
		min = "notice" // INFO ranks just below NOTICE
	}
	return sev < slices.Index(messageLevels, min)
}

func checkBool(_ *Session, v string) (string, error) {
	switch strings.ToLower(v) {
	case "on", "true", "yes", "1", "t", "y":
		return "on", nil
	case "off", "false", "no", "0", "f", "n":
		return "off", nil
	}
	return "", pgerror.New(pgerror.InvalidParameterValue, notBoolean)
}

// notBoolean is checkBool's message; setVar puts the setting's name in it.
const notBoolean = "parameter requires a Boolean value"

func checkEncoding(_ *Session, v string) (string, error) {
	// PostgreSQL ignores punctuation in encoding names ('utf-8', "UTF_8").
	norm := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, v)
	switch strings.ToUpper(norm) {
	case "UTF8", "UNICODE":
		return "UTF8", nil
	}
	return "", pgerror.New(pgerror.FeatureNotSupported, "conversion between %s and UTF8 is not supported", v)
}

func checkSCS(_ *Session, v string) (string, error) {
	b, err := checkBool(nil, v)
	if err != nil {
		return "", err
	}
	if b != "on" {
		return "", pgerror.New(pgerror.FeatureNotSupported, "non-standard string literals are not supported")
	}
	return b, nil
}

func checkDateStyle(_ *Session, v string) (string, error) {
	// Only ISO output is implemented; the order part is kept as given.
	style, order := "ISO", "MDY"
	for _, p := range strings.Split(v, ",") {
		switch strings.ToUpper(strings.TrimSpace(p)) {
		case "ISO":
			style = "ISO"
		case "MDY", "US", "NONEURO", "NONEUROPEAN":
			order = "MDY"
		case "DMY", "EURO", "EUROPEAN":
			order = "DMY"
		case "YMD":
			order = "YMD"
		case "SQL", "POSTGRES", "GERMAN":
			return "", pgerror.New(pgerror.FeatureNotSupported, "DateStyle %s is not supported; only ISO output is", strings.TrimSpace(p))
		case "DEFAULT", "":
		default:
			return "", pgerror.New(pgerror.InvalidParameterValue, "invalid value for parameter \"DateStyle\": \"%s\"", v).WithDetail("Unrecognized key word: \"" + strings.TrimSpace(p) + "\".")
		}
	}
	return style + ", " + order, nil
}

func checkIntervalStyle(_ *Session, v string) (string, error) {
	if strings.EqualFold(v, "postgres") {
		return "postgres", nil
	}
	switch strings.ToLower(v) {
	case "postgres_verbose", "sql_standard", "iso_8601":
		return "", pgerror.New(pgerror.FeatureNotSupported, "IntervalStyle %s is not supported", v)
	}
	return "", invalidValue("IntervalStyle", v)
}

func checkXMLOption(_ *Session, v string) (string, error) {
	switch strings.ToLower(v) {
	case "content", "document":
		return strings.ToLower(v), nil
	}
	return "", invalidValue("xmloption", v).WithHint("Available values: content, document.")
}

// checkTablespace takes the tablespaces every PostgreSQL has; quiver's
// backends have no others.
func checkTablespace(_ *Session, v string) (string, error) {
	switch v {
	case "", "pg_default":
		return v, nil
	}
	return "", invalidValue("default_tablespace", v).WithDetail("Tablespace \"" + v + "\" does not exist.")
}

func checkTableAM(_ *Session, v string) (string, error) {
	if v == "heap" {
		return v, nil
	}
	return "", invalidValue("default_table_access_method", v).WithDetail("Table access method \"" + v + "\" does not exist.")
}

func checkTimeZone(_ *Session, v string) (string, error) {
	if strings.EqualFold(v, "utc") || strings.EqualFold(v, "gmt") || v == "Z" {
		if strings.EqualFold(v, "gmt") {
			return "GMT", nil
		}
		return "UTC", nil
	}
	if strings.EqualFold(v, "local") || strings.EqualFold(v, "default") {
		return "UTC", nil
	}
	if _, err := time.LoadLocation(v); err != nil {
		return "", invalidValue("TimeZone", v)
	}
	return v, nil
}

func checkExtraFloatDigits(_ *Session, v string) (string, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return "", pgerror.New(pgerror.InvalidParameterValue, "invalid value for parameter \"extra_float_digits\": \"%s\"", v)
	}
	if n < -15 || n > 3 {
		return "", pgerror.New(pgerror.InvalidParameterValue, "%d is outside the valid range for parameter \"extra_float_digits\" (-15 .. 3)", n)
	}
	return strconv.Itoa(n), nil
}

func checkByteaOutput(_ *Session, v string) (string, error) {
	switch strings.ToLower(v) {
	case "hex", "escape":
		return strings.ToLower(v), nil
	}
	return "", invalidValue("bytea_output", v)
}

// maxMS is the largest value of a millisecond setting, PostgreSQL's
// INT_MAX.
const maxMS = math.MaxInt32

// timeUnits are PostgreSQL's time units for a setting in milliseconds, from
// the largest, as guc.c's time_unit_conversion_table lists them.
var timeUnits = [...]struct {
	name string
	ms   float64
}{{"d", 24 * 60 * 60 * 1000}, {"h", 60 * 60 * 1000}, {"min", 60 * 1000}, {"s", 1000}, {"ms", 1}, {"us", 0.001}}

// checkMS validates a value of the millisecond setting name as
// PostgreSQL's parse_int does ("1500", "1.5s", "1 min", "0x10") and returns
// it as SHOW prints it ("1500ms", "2s", "1min", "0").
func checkMS(name, v string) (string, error) {
	n, hint, ok := parseMS(v)
	if !ok {
		e := pgerror.New(pgerror.InvalidParameterValue, "invalid value for parameter \"%s\": \"%s\"", name, v)
		if hint != "" {
			e = e.WithHint(hint)
		}
		return "", e
	}
	if n < 0 || n > maxMS {
		return "", pgerror.New(pgerror.InvalidParameterValue, "%d ms is outside the valid range for parameter \"%s\" (0 .. %d)", n, name, maxMS)
	}
	return formatMS(n), nil
}

// parseMS is PostgreSQL's parse_int for a setting in milliseconds: an
// integer (decimal, 0x hex or 0 octal, as strtol reads them) or a decimal
// fraction, then optionally a time unit, with blanks allowed around both.
// It returns the value rounded to the nearest millisecond, or a hint when
// the unit is what is wrong.
func parseMS(v string) (n int64, hint string, ok bool) {
	num, rest, ok := scanNumber(v)
	if !ok || math.IsNaN(num) {
		return 0, "", false
	}
	rest = strings.TrimLeft(rest, blanks)
	if rest != "" {
		unit := rest
		if i := strings.IndexAny(unit, blanks); i >= 0 {
			unit, rest = unit[:i], strings.TrimLeft(unit[i:], blanks)
		} else {
			rest = ""
		}
		const unitsHint = `Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".`
		if rest != "" {
			return 0, unitsHint, false
		}
		found := false
		for i, u := range timeUnits {
			if u.name == unit {
				num *= u.ms
				if i+1 < len(timeUnits) {
					// A fraction of a unit rounds to the next smaller one.
					next := timeUnits[i+1].ms
					num = math.RoundToEven(num/next) * next
				}
				found = true
				break
			}
		}
		if !found {
			return 0, unitsHint, false
		}
	}
	num = math.RoundToEven(num)
	if num > math.MaxInt32 || num < math.MinInt32 {
		return 0, "Value exceeds integer range.", false
	}
	return int64(num), "", true
}

// scanNumber reads the number at the start of v as PostgreSQL does: strtol
// with base 0 (decimal, 0x hex, 0 octal), or strtod when that stops at '.',
// 'e' or 'E'. It returns the value and what follows it.
func scanNumber(v string) (float64, string, bool) {
	start := len(v) - len(strings.TrimLeft(v, blanks))
	i := start
	neg := false
	if i < len(v) && (v[i] == '+' || v[i] == '-') {
		neg = v[i] == '-'
		i++
	}
	base, end := 10, scanDigits(v, i, 10)
	switch {
	case i+2 < len(v) && v[i] == '0' && v[i+1]|0x20 == 'x' && isDigit(v[i+2], 16):
		base, i = 16, i+2
		end = scanDigits(v, i, 16)
	case i < len(v) && v[i] == '0':
		base, end = 8, scanDigits(v, i, 8)
	}
	if end < len(v) && (v[end] == '.' || v[end]|0x20 == 'e') {
		// strtod: digits, an optional fraction, an optional exponent.
		j := scanDigits(v, i, 10)
		digits := j - i
		if j < len(v) && v[j] == '.' {
			k := scanDigits(v, j+1, 10)
			digits += k - j - 1
			j = k
		}
		if digits == 0 {
			return 0, v, false
		}
		if j < len(v) && v[j]|0x20 == 'e' {
			k := j + 1
			if k < len(v) && (v[k] == '+' || v[k] == '-') {
				k++
			}
			if e := scanDigits(v, k, 10); e > k {
				j = e
			}
		}
		f, err := strconv.ParseFloat(v[start:j], 64)
		return f, v[j:], err == nil
	}
	if end == i {
		return 0, v, false
	}
	u, err := strconv.ParseUint(v[i:end], base, 64)
	f := float64(u)
	if err != nil {
		f = math.Inf(1) // out of range either way
	}
	if neg {
		f = -f
	}
	return f, v[end:], true
}

// blanks are the characters C's isspace accepts.
const blanks = " \t\n\r\f\v"

// scanDigits returns the end of the run of base digits at v[i:].
func scanDigits(v string, i, base int) int {
	for i < len(v) && isDigit(v[i], base) {
		i++
	}
	return i
}

func isDigit(c byte, base int) bool {
	switch base {
	case 8:
		return c >= '0' && c <= '7'
	case 16:
		return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f'
	}
	return c >= '0' && c <= '9'
}

// formatMS prints a millisecond value as PostgreSQL's SHOW does: with the
// largest unit that divides it, and 0 bare.
func formatMS(n int64) string {
	if n <= 0 {
		return strconv.FormatInt(n, 10)
	}
	for _, u := range timeUnits {
		if m := int64(u.ms); u.ms >= 1 && n%m == 0 {
			return strconv.FormatInt(n/m, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10) + "ms"
}

// durationMS rounds d to whole milliseconds, within a setting's range.
func durationMS(d time.Duration) int64 {
	return min(max(d.Round(time.Millisecond).Milliseconds(), 0), maxMS)
}

// msValue is the duration of a millisecond setting's canonical value.
func msValue(v string) time.Duration {
	n, _, _ := parseMS(v)
	return time.Duration(n) * time.Millisecond
}
