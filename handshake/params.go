package handshake

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/quiverdb/quiver/pgerror"
)

// reported describes one parameter PostgreSQL 15 reports with ParameterStatus
// (its GUC_REPORT variables), in the order it sends them: its variables
// sorted by name, case-insensitively.
type reported struct {
	name string
	// def is the value when the client asked for none. Two are per session:
	// server_version and session_authorization.
	def string
	// norm turns a client's value into the reported one, or refuses it.
	// nil means the parameter cannot be changed (PGC_INTERNAL).
	norm func(name, value string) (string, error)
}

// cantChangeRuntimeParam is SQLSTATE 55P02, cant_change_runtime_param.
const cantChangeRuntimeParam = "55P02"

var reportedParams = []reported{
	{"application_name", "", normApplicationName},
	{"client_encoding", "UTF8", normClientEncoding},
	{"DateStyle", "ISO, MDY", normDateStyle},
	{"default_transaction_read_only", "off", normBool},
	{"in_hot_standby", "off", nil},
	{"integer_datetimes", "on", nil},
	{"IntervalStyle", "postgres", normIntervalStyle},
	{"is_superuser", "on", nil},
	{"server_encoding", "UTF8", nil},
	{"server_version", "", nil},
	{"session_authorization", "", normSessionAuthorization},
	{"standard_conforming_strings", "on", normStandardStrings},
	{"TimeZone", "UTC", normTimeZone},
}

// ParameterStatuses returns, in the order PostgreSQL 15 sends them, the
// ParameterStatus name/value pairs a session reports after authentication,
// from s's settings and quiver's defaults. Settings that checkSettings would
// refuse are reported at their defaults.
func ParameterStatuses(s *Startup, serverVersion string) [][2]string {
	out := make([][2]string, 0, len(reportedParams))
	for _, p := range reportedParams {
		v := p.def
		switch p.name {
		case "server_version":
			v = serverVersion
		case "session_authorization":
			v = s.User
		default:
			if p.norm != nil {
				if asked, ok := s.Setting(p.name); ok {
					if n, err := p.norm(p.name, asked); err == nil {
						v = n
					}
				}
			}
		}
		out = append(out, [2]string{p.name, v})
	}
	return out
}

// checkSettings refuses the reported settings quiver cannot honour, with the
// error PostgreSQL gives for a bad or read-only value.
func checkSettings(settings map[string]string) error {
	for _, p := range reportedParams {
		v, ok := settings[strings.ToLower(p.name)]
		if !ok {
			continue
		}
		if p.norm == nil {
			return pgerror.Fatal(cantChangeRuntimeParam, "parameter %q cannot be changed", p.name)
		}
		if _, err := p.norm(p.name, v); err != nil {
			return err
		}
	}
	return nil
}

func invalidValue(name, value string) *pgerror.Error {
	return pgerror.Fatal(pgerror.InvalidParameterValue, "invalid value for parameter %q: %q", name, value)
}

// normApplicationName replaces each byte outside printable ASCII with '?',
// as PostgreSQL 15's pg_clean_ascii does.
func normApplicationName(_, v string) (string, error) {
	b := []byte(v)
	for i, c := range b {
		if c < 32 || c > 126 {
			b[i] = '?'
		}
	}
	return string(b), nil
}

// normClientEncoding accepts the names PostgreSQL reads as UTF8: "UTF8",
// "utf-8", "unicode" and so on, compared without case and
// non-alphanumerics, as pg_char_to_encoding does.
func normClientEncoding(name, v string) (string, error) {
	var clean strings.Builder
	for _, c := range strings.ToLower(v) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			clean.WriteRune(c)
		}
	}
	s := clean.String()
	if s == "utf8" || s == "unicode" {
		return "UTF8", nil
	}
	e := invalidValue(name, v)
	if pgEncodings[s] {
		e = e.WithDetail("quiver supports only the UTF8 client encoding.")
	}
	return "", e
}

// pgEncodings holds PostgreSQL's encoding names, cleaned as
// pg_char_to_encoding cleans them, so that a client asking for an encoding
// PostgreSQL has is told why quiver refuses it.
var pgEncodings = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`sqlascii eucjp euccn euckr euctw eucjis2004 muleinternal
		latin1 latin2 latin3 latin4 latin5 latin6 latin7 latin8 latin9 latin10
		win866 win874 win1250 win1251 win1252 win1253 win1254 win1255 win1256 win1257 win1258
		koi8r koi8u iso88595 iso88596 iso88597 iso88598 sjis big5 gbk uhc gb18030 johab
		shiftjis2004 iso88591 iso88592 iso88593 iso88594 iso88599 iso885910 iso885913
		iso885914 iso885915 iso885916 windows1252 windows1251 mskanji shiftjis`) {
		pgEncodings[n] = true
	}
}

// normDateStyle parses a DateStyle as check_datestyle does and reports it as
// PostgreSQL does ("ISO, MDY"). Only the ISO output style is accepted, since
// quiver writes dates in no other.
func normDateStyle(name, v string) (string, error) {
	style, order := "", ""
	styleSet, orderSet := false, false
	conflict := func(isStyle bool, want string, cur string) bool {
		if isStyle {
			return styleSet && cur != want
		}
		return orderSet && cur != want
	}
	var toks []string
	if strings.TrimFunc(v, isSpaceRune) != "" {
		toks = strings.Split(v, ",")
	}
	for _, tok := range toks {
		tok = strings.TrimFunc(tok, isSpaceRune)
		if tok == "" || strings.ContainsFunc(tok, isSpaceRune) {
			return "", invalidValue(name, v).WithDetail("List syntax is invalid.")
		}
		t := strings.ToLower(tok)
		var isStyle bool
		var val string
		switch {
		case t == "iso":
			isStyle, val = true, "ISO"
		case t == "sql":
			isStyle, val = true, "SQL"
		case strings.HasPrefix(t, "postgres"):
			isStyle, val = true, "Postgres"
		case t == "german":
			isStyle, val = true, "German"
			if !orderSet {
				order = "DMY" // German implies DMY unless an order was given
			}
		case t == "ymd":
			val = "YMD"
		case t == "dmy" || strings.HasPrefix(t, "euro"):
			val = "DMY"
		case t == "mdy" || t == "us" || strings.HasPrefix(t, "noneuro"):
			val = "MDY"
		case t == "default":
			if !styleSet {
				style = "ISO"
			}
			if !orderSet {
				order = "MDY"
			}
			styleSet, orderSet = true, true
			continue
		default:
			return "", invalidValue(name, v).WithDetail("Unrecognized key word: \"" + tok + "\".")
		}
		if isStyle {
			if conflict(true, val, style) {
				return "", invalidValue(name, v).WithDetail(`Conflicting "datestyle" specifications.`)
			}
			style, styleSet = val, true
		} else {
			if conflict(false, val, order) {
				return "", invalidValue(name, v).WithDetail(`Conflicting "datestyle" specifications.`)
			}
			order, orderSet = val, true
		}
	}
	if style == "" {
		style = "ISO"
	}
	if order == "" {
		order = "MDY"
	}
	if style != "ISO" {
		return "", invalidValue(name, v).WithDetail("quiver supports only the ISO DateStyle output format.")
	}
	return style + ", " + order, nil
}

func isSpaceRune(r rune) bool { return r < 128 && isSpace(byte(r)) }

// normIntervalStyle accepts only postgres, the style quiver writes.
func normIntervalStyle(name, v string) (string, error) {
	switch strings.ToLower(v) {
	case "postgres":
		return "postgres", nil
	case "postgres_verbose", "sql_standard", "iso_8601":
		return "", invalidValue(name, v).WithDetail("quiver supports only the postgres IntervalStyle.")
	}
	return "", invalidValue(name, v).WithHint("Available values: postgres, postgres_verbose, sql_standard, iso_8601.")
}

func normBool(name, v string) (string, error) {
	b, ok := parseBool(v)
	if !ok {
		return "", pgerror.Fatal(pgerror.InvalidParameterValue, "parameter %q requires a Boolean value", name)
	}
	if b {
		return "on", nil
	}
	return "off", nil
}

// normStandardStrings accepts on only: quiver's parser has no other mode.
func normStandardStrings(name, v string) (string, error) {
	s, err := normBool(name, v)
	if err == nil && s != "on" {
		err = invalidValue(name, v).WithDetail("quiver supports only standard_conforming_strings on.")
	}
	return s, err
}

// normSessionAuthorization ignores the value: quiver has no roles to switch
// to, and the session is authorized as its user.
func normSessionAuthorization(_, v string) (string, error) { return v, nil }

// parseBool is PostgreSQL's parse_bool: a prefix of true, false, yes or no,
// at least two letters of on or off, or 1 or 0, in any case.
func parseBool(v string) (value, ok bool) {
	prefix := func(word string, min int) bool {
		return len(v) >= min && len(v) <= len(word) && strings.EqualFold(v, word[:len(v)])
	}
	switch {
	case v == "":
		return false, false
	case prefix("true", 1), prefix("yes", 1), prefix("on", 2), v == "1":
		return true, true
	case prefix("false", 1), prefix("no", 1), prefix("off", 2), v == "0":
		return false, true
	}
	return false, false
}

// normTimeZone accepts an IANA zone name, matched case-insensitively and
// reported in its canonical spelling as PostgreSQL does ("europe/paris" is
// reported as "Europe/Paris").
func normTimeZone(name, v string) (string, error) {
	if v != "" && v != "Local" && !strings.HasPrefix(v, "/") {
		if _, err := time.LoadLocation(v); err == nil {
			return v, nil
		}
		if canon, ok := zoneNames()[strings.ToLower(v)]; ok {
			if _, err := time.LoadLocation(canon); err == nil {
				return canon, nil
			}
		}
	}
	return "", invalidValue(name, v)
}

var (
	zonesOnce sync.Once
	zones     map[string]string
)

// zoneNames maps the lower-case names of the system's time zones to their
// spelling, read once from the zoneinfo directory Go's time package uses.
func zoneNames() map[string]string {
	zonesOnce.Do(func() {
		zones = make(map[string]string)
		dirs := []string{"/usr/share/zoneinfo", "/usr/share/lib/zoneinfo", "/usr/lib/locale/TZ", "/etc/zoneinfo"}
		if d := os.Getenv("ZONEINFO"); d != "" {
			dirs = append([]string{d}, dirs...)
		}
		for _, dir := range dirs {
			_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return nil
				}
				rel, err := filepath.Rel(dir, path)
				if err != nil || strings.ContainsAny(rel, ".") {
					return nil
				}
				rel = filepath.ToSlash(rel)
				if _, dup := zones[strings.ToLower(rel)]; !dup {
					zones[strings.ToLower(rel)] = rel
				}
				return nil
			})
			if len(zones) > 0 {
				break
			}
		}
	})
	return zones
}
