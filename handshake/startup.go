package handshake

import (
	"bytes"
	"crypto/tls"
	"strings"

	"github.com/quiverdb/quiver/pgerror"
)

// nameDataLen is PostgreSQL's NAMEDATALEN: user and database names are cut to
// nameDataLen-1 bytes, as ProcessStartupPacket does.
const nameDataLen = 64

// Startup is what a client asked for in its StartupMessage.
type Startup struct {
	// ProtocolMajor and ProtocolMinor are the negotiated protocol version:
	// always 3.0 for now, whatever minor version the client asked for.
	ProtocolMajor, ProtocolMinor uint16
	// RequestedMinor is the minor version the client asked for (2 for a
	// libpq 18 client asking for 3.2).
	RequestedMinor uint16
	// User is the user name, cut to 63 bytes. It is never empty.
	User string
	// Database is the database name, cut to 63 bytes; it defaults to User.
	Database string
	// Params holds every parameter of the startup packet as sent, including
	// user, database, options, application_name, client_encoding, DateStyle,
	// TimeZone and any "_pq_." protocol options. A repeated name keeps its
	// last value.
	Params map[string]string
	// Settings are the run-time settings the client asked for, keyed by
	// lower-case name: first the "-c name=value" and "--name=value" switches
	// of the options parameter, then the other packet parameters (which win),
	// as PostgreSQL applies them. Authenticate fills it in; it is nil before.
	Settings map[string]string
	// TLS is the state of the session's TLS connection, nil for a
	// plaintext session.
	TLS *tls.ConnectionState
	// Password is the password the client gave, set only by an AuthMethod
	// that asked for one. It must never be logged.
	Password string
}

// Setting returns the value the client asked for run-time setting name,
// matched case-insensitively, from Settings or, when Settings has not been
// filled in, from Params and the options parameter.
func (s *Startup) Setting(name string) (string, bool) {
	settings := s.Settings
	if settings == nil {
		settings, _ = s.settings()
	}
	v, ok := settings[strings.ToLower(name)]
	return v, ok
}

// parseStartup decodes the body of a 3.x StartupMessage (the version word
// first) as ProcessStartupPacket does: name/value pairs up to an empty name,
// which must be the last byte. It returns the names of the "_pq_." options,
// which no protocol version quiver speaks defines.
func parseStartup(body []byte) (*Startup, []string, error) {
	s := &Startup{Params: make(map[string]string)}
	var unrecognized []string
	n := len(body)
	offset := 4
	for offset < n {
		name := cstring(body, offset)
		if name == "" {
			break
		}
		valOffset := offset + len(name) + 1
		if valOffset >= n {
			break // missing value: reported below
		}
		value := cstring(body, valOffset)
		switch {
		case name == "user":
			s.User = value
		case name == "database":
			s.Database = value
		case strings.HasPrefix(name, "_pq_."):
			unrecognized = append(unrecognized, name)
		}
		s.Params[name] = value
		offset = valOffset + len(value) + 1
	}
	if offset != n-1 {
		return nil, nil, pgerror.Fatal(pgerror.ProtocolViolation, "invalid startup packet layout: expected terminator as last byte")
	}
	return s, unrecognized, nil
}

// cstring returns the NUL-terminated string at off; a string that runs to the
// end of b ends there, as PostgreSQL's zero byte past the packet makes it.
func cstring(b []byte, off int) string {
	if i := bytes.IndexByte(b[off:], 0); i >= 0 {
		return string(b[off : off+i])
	}
	return string(b[off:])
}

// checkNames applies PostgreSQL's rules to the user, database and
// replication parameters.
func (s *Startup) checkNames() error {
	if v, ok := s.Params["replication"]; ok {
		on, valid := parseBool(v)
		switch {
		case v == "database" || (valid && on):
			return pgerror.Fatal(pgerror.FeatureNotSupported, "replication connections are not supported")
		case !valid:
			return pgerror.Fatal(pgerror.InvalidParameterValue, "invalid value for parameter %q: %q", "replication", v).
				WithHint(`Valid values are: "false", 0, "true", 1, "database".`)
		}
	}
	if s.User == "" {
		return pgerror.Fatal(pgerror.InvalidAuthorizationSpec, "no PostgreSQL user name specified in startup packet")
	}
	if s.Database == "" {
		s.Database = s.User
	}
	s.User = truncateName(s.User)
	s.Database = truncateName(s.Database)
	return nil
}

func truncateName(name string) string {
	if len(name) >= nameDataLen {
		return name[:nameDataLen-1]
	}
	return name
}

// settings computes Settings from Params: the switches of the options
// parameter first, then the packet's own run-time parameters.
func (s *Startup) settings() (map[string]string, error) {
	out := make(map[string]string)
	var err error
	if opts, ok := s.Params["options"]; ok {
		err = parseOptions(opts, out)
	}
	for name, value := range s.Params {
		switch {
		case name == "user", name == "database", name == "options", name == "replication",
			strings.HasPrefix(name, "_pq_."):
			continue
		}
		out[strings.ToLower(name)] = value
	}
	return out, err
}

// parseOptions reads the command-line switches of the options startup
// parameter into settings, as pg_split_opts and process_postgres_switches do:
// arguments are split at unescaped white space, a backslash escapes the next
// character; "-c name=value" (or "-cname=value") and "--name=value" set a
// run-time parameter, with dashes in the name read as underscores; "-e" sets
// DateStyle to European order. PostgreSQL's other switches set server-wide
// parameters a session cannot change, and are refused here.
func parseOptions(opts string, settings map[string]string) error {
	args := splitOptions(opts)
	for i := 0; i < len(args); i++ {
		arg := args[i]
		var nv string
		switch {
		case arg == "-e":
			settings["datestyle"] = "euro"
			continue
		case strings.HasPrefix(arg, "--") && len(arg) > 2:
			nv = arg[2:]
			name, value, ok := strings.Cut(nv, "=")
			if !ok {
				return pgerror.Fatal(pgerror.SyntaxError, "--%s requires a value", nv)
			}
			settings[strings.ToLower(strings.ReplaceAll(name, "-", "_"))] = value
			continue
		case arg == "-c":
			if i+1 >= len(args) {
				return invalidArgument(arg)
			}
			i++
			nv = args[i]
		case strings.HasPrefix(arg, "-c"):
			nv = arg[2:]
		default:
			return invalidArgument(arg)
		}
		name, value, ok := strings.Cut(nv, "=")
		if !ok {
			return pgerror.Fatal(pgerror.SyntaxError, "-c %s requires a value", nv)
		}
		settings[strings.ToLower(strings.ReplaceAll(name, "-", "_"))] = value
	}
	return nil
}

func invalidArgument(arg string) error {
	return pgerror.Fatal(pgerror.SyntaxError, "invalid command-line argument for server process: %s", arg).
		WithHint(`Try "postgres --help" for more information.`)
}

// splitOptions is pg_split_opts.
func splitOptions(s string) []string {
	var args []string
	var cur strings.Builder
	i := 0
	for i < len(s) {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i == len(s) {
			break
		}
		cur.Reset()
		escaped := false
		for ; i < len(s); i++ {
			c := s[i]
			if isSpace(c) && !escaped {
				break
			}
			if !escaped && c == '\\' {
				escaped = true
				continue
			}
			escaped = false
			cur.WriteByte(c)
		}
		args = append(args, cur.String())
	}
	return args
}

// isSpace is C's isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}
