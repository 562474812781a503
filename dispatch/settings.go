package dispatch

import (
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
	def      string
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
	{name: "statement_timeout", def: "0", check: checkDurationMS},
	{name: "idle_in_transaction_session_timeout", def: "0", check: checkDurationMS},
	{name: "lock_timeout", def: "0", check: checkDurationMS},
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
	{name: "client_min_messages", def: "notice"},
	{name: "synchronous_commit", def: "on"},
	{name: "row_security", def: "on", check: checkBool},
	{name: "escape_string_warning", def: "on", check: checkBool},
	{name: "max_connections", readOnly: true, def: "100"},
	{name: "work_mem", def: "4MB"},
	{name: "jit", def: "off", check: checkBool},
	{name: "timezone_abbreviations", def: "Default"},
}

var settingsByName = func() map[string]*setting {
	m := make(map[string]*setting, len(settingsTable))
	for _, s := range settingsTable {
		m[strings.ToLower(s.name)] = s
	}
	return m
}()

func lookupSetting(name string) *setting { return settingsByName[strings.ToLower(name)] }

func invalidValue(name, v string) error {
	return pgerror.New(pgerror.InvalidParameterValue, "invalid value for parameter \"%s\": \"%s\"", name, v)
}

func checkBool(_ *Session, v string) (string, error) {
	switch strings.ToLower(v) {
	case "on", "true", "yes", "1", "t", "y":
		return "on", nil
	case "off", "false", "no", "0", "f", "n":
		return "off", nil
	}
	return "", pgerror.New(pgerror.InvalidParameterValue, "parameter requires a Boolean value")
}

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

// checkDurationMS accepts a number of milliseconds or a value with a unit.
func checkDurationMS(_ *Session, v string) (string, error) {
	v = strings.TrimSpace(v)
	if _, err := parseDurationMS(v); err != nil {
		return "", pgerror.New(pgerror.InvalidParameterValue, "invalid value for parameter: \"%s\"", v)
	}
	return v, nil
}

// parseDurationMS parses PostgreSQL's time-unit syntax ("5s", "100", "1min").
func parseDurationMS(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	i := 0
	for i < len(v) && (v[i] >= '0' && v[i] <= '9' || v[i] == '.') {
		i++
	}
	n, err := strconv.ParseFloat(v[:i], 64)
	if err != nil {
		return 0, err
	}
	unit := time.Millisecond
	switch strings.TrimSpace(v[i:]) {
	case "", "ms":
	case "us":
		unit = time.Microsecond
	case "s":
		unit = time.Second
	case "min":
		unit = time.Minute
	case "h":
		unit = time.Hour
	case "d":
		unit = 24 * time.Hour
	default:
		return 0, strconv.ErrSyntax
	}
	return time.Duration(n * float64(unit)), nil
}
