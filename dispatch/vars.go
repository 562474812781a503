package dispatch

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5/pgproto3"
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/stmt"
	"github.com/quiverdb/quiver/types"
)

func lower(s string) string { return strings.ToLower(s) }

// initSettings fills the session's settings from the defaults and the
// run-time settings the client sent at startup (the handshake has already
// merged the options parameter's -c switches into them).
func (s *Session) initSettings() error {
	s.vars = make(map[string]string, len(settingsTable))
	for _, st := range settingsTable {
		s.vars[lower(st.name)] = s.defaultValue(st)
	}
	for k, v := range s.info.Params {
		switch k {
		case "user", "database", "options", "replication":
			continue
		}
		st := lookupSetting(k)
		if st == nil || st.readOnly {
			continue
		}
		if err := s.setVar(st, v, false); err != nil {
			return err
		}
	}
	return s.applyFormatSettings()
}

// setVar validates and stores a setting, queueing ParameterStatus when a
// reported value changes and notify is set.
func (s *Session) setVar(st *setting, v string, notify bool) error {
	if st.readOnly {
		return pgerror.New(pgerror.CantChangeRuntimeParam, "parameter \"%s\" cannot be changed", st.name)
	}
	switch {
	case st.ms:
		c, err := checkMS(st.name, v)
		if err != nil {
			return err
		}
		v = c
	case st.check != nil:
		c, err := st.check(s, v)
		if pe, ok := err.(*pgerror.Error); ok && pe.Message == notBoolean {
			return pgerror.New(pgerror.InvalidParameterValue, "parameter \"%s\" requires a Boolean value", st.name)
		}
		if err != nil {
			return err
		}
		v = c
	}
	key := lower(st.name)
	old := s.vars[key]
	s.vars[key] = v
	if notify && st.reported && old != v {
		s.w.send(&pgproto3.ParameterStatus{Name: st.name, Value: v})
	}
	return nil
}

// defaultValue is what a setting starts as and what RESET restores: the
// server's default if it set one, else PostgreSQL's.
func (s *Session) defaultValue(st *setting) string {
	key := lower(st.name)
	if key == "session_authorization" {
		return s.info.User
	}
	if v, ok := s.h.defaults[key]; ok {
		return v
	}
	return st.def
}

// applyFormatSettings refreshes the encoder settings and the timeouts from
// the variables.
func (s *Session) applyFormatSettings() error {
	s.stmtTimeout = msValue(s.vars["statement_timeout"])
	s.idleInTxTimeout = msValue(s.vars["idle_in_transaction_session_timeout"])
	s.idleTimeout = msValue(s.vars["idle_session_timeout"])
	tz := s.vars["timezone"]
	loc := time.UTC
	if tz != "UTC" && tz != "GMT" {
		l, err := time.LoadLocation(tz)
		if err != nil {
			return invalidValue("TimeZone", tz)
		}
		loc = l
	}
	if s.backend != nil {
		s.syncTimeZone(context.Background())
		s.syncSearchPath(context.Background())
	}
	efd, _ := strconv.Atoi(s.vars["extra_float_digits"])
	s.settings = types.Settings{
		TimeZone:         loc,
		DateStyle:        s.vars["datestyle"],
		IntervalStyle:    s.vars["intervalstyle"],
		ExtraFloatDigits: efd,
		ByteaOutput:      s.vars["bytea_output"],
	}
	return nil
}

// syncTimeZone gives the backend the session's TimeZone when the backend
// computes with one of its own (backends.TimeZoneSetter: DuckDB) and it
// has changed. A backend that refuses the zone keeps computing in the one
// it had; only the values written change then, as before.
func (s *Session) syncTimeZone(ctx context.Context) {
	ts, ok := s.backend.(backends.TimeZoneSetter)
	tz := s.vars["timezone"]
	if !ok || tz == s.backendTZ {
		return
	}
	if err := ts.SetTimeZone(ctx, tz); err != nil {
		s.log.Debug().Err(err).Str("TimeZone", tz).Msg("the backend did not take the time zone")
		return
	}
	s.backendTZ = tz
}

// syncSearchPath gives the backend the session's search_path when the
// backend resolves names with one (backends.SearchPathSetter) and the
// path changed since it last took one.
func (s *Session) syncSearchPath(ctx context.Context) {
	ps, ok := s.backend.(backends.SearchPathSetter)
	path := s.vars["search_path"]
	if !ok || path == s.backendPath {
		return
	}
	if s.backendPath == "" && path == defaultSearchPath {
		s.backendPath = path // the engine's own default: main, PostgreSQL's public
		return
	}
	if err := ps.SetSearchPath(ctx, searchPathSchemas(path)); err != nil {
		s.log.Debug().Err(err).Str("search_path", path).Msg("the backend did not take the search path")
		return
	}
	s.backendPath = path
}

// defaultSearchPath is search_path's default.
var defaultSearchPath = lookupSetting("search_path").def

// searchPathSchemas returns the schemas a search_path value names, in
// order: names in double quotes as written, others in lower case, without
// "$user" and pg_catalog (quiver's catalog is found first anyway).
func searchPathSchemas(path string) []string {
	var out []string
	for _, item := range splitList(path) {
		name := strings.TrimSpace(item)
		if len(name) >= 2 && name[0] == '"' && name[len(name)-1] == '"' {
			name = strings.ReplaceAll(name[1:len(name)-1], `""`, `"`)
			if name == "$user" {
				continue
			}
		} else {
			name = strings.ToLower(name)
		}
		if name != "" && name != "$user" && name != "pg_catalog" {
			out = append(out, name)
		}
	}
	return out
}

// splitList splits a setting's list at the commas outside double quotes.
func splitList(v string) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				out = append(out, v[start:i])
				start = i + 1
			}
		}
	}
	return append(out, v[start:])
}

// execSet runs SET and RESET for the settings quiver knows. It returns
// handled=false for names it does not know, which go to the backend.
func (s *Session) execSet(st *stmt.Statement) (handled bool, err error) {
	vs := st.Node.GetVariableSetStmt()
	if vs == nil {
		return false, nil
	}
	name := vs.Name
	switch vs.Kind {
	case pg_query.VariableSetKind_VAR_RESET_ALL:
		for _, d := range settingsTable {
			if !d.readOnly {
				s.recordSetting(lower(d.name), false)
				_ = s.setVar(d, s.defaultValue(d), true)
			}
		}
		return true, s.applyFormatSettings()
	case pg_query.VariableSetKind_VAR_SET_MULTI:
		// SET TRANSACTION ..., SET SESSION CHARACTERISTICS: accepted.
		if strings.HasPrefix(name, "TRANSACTION") || strings.HasPrefix(name, "SESSION CHARACTERISTICS") {
			return true, nil
		}
		return false, nil
	}
	switch name {
	case "timezone":
		name = "TimeZone"
	case "transaction_isolation", "transaction_read_only":
	}
	d := lookupSetting(name)
	if d == nil {
		if !isCustomSetting(name) {
			return false, nil
		}
		return true, s.setCustom(vs)
	}
	var v string
	switch vs.Kind {
	case pg_query.VariableSetKind_VAR_SET_DEFAULT, pg_query.VariableSetKind_VAR_RESET:
		v = s.defaultValue(d)
	case pg_query.VariableSetKind_VAR_SET_CURRENT:
		return true, nil
	default:
		v, err = setArgsValue(vs.Args)
		if err != nil {
			return true, err
		}
		if d.name == "search_path" {
			v = quotedList(vs.Args, v)
		}
	}
	if d.readOnly {
		return true, s.setVar(d, v, true) // the error
	}
	if !s.recordSetting(lower(d.name), vs.IsLocal) {
		return true, nil
	}
	if err := s.setVar(d, v, true); err != nil {
		return true, err
	}
	return true, s.applyFormatSettings()
}

// quotedList is the value of SET of a list of names (search_path) as
// PostgreSQL stores it (GUC_LIST_QUOTE): each name in double quotes where
// it needs them ("$user", "S9"); v, setArgsValue's value, when an
// argument is not a string.
func quotedList(args []*pg_query.Node, v string) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		c := a.GetAConst().GetSval()
		if c == nil {
			return v
		}
		if plainName.MatchString(c.Sval) {
			parts = append(parts, c.Sval)
		} else {
			parts = append(parts, quoteIdent(c.Sval))
		}
	}
	return strings.Join(parts, ", ")
}

// plainName is a name that needs no quotes.
var plainName = regexp.MustCompile(`^[a-z_][a-z0-9_$]*$`)

// setArgsValue renders SET's argument list as the string PostgreSQL stores.
func setArgsValue(args []*pg_query.Node) (string, error) {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		c := a.GetAConst()
		if c == nil {
			if tc := a.GetTypeCast(); tc != nil && tc.Arg.GetAConst() != nil {
				c = tc.Arg.GetAConst()
			} else {
				return "", pgerror.New(pgerror.SyntaxError, "syntax error in SET value")
			}
		}
		switch {
		case c.GetSval() != nil:
			parts = append(parts, c.GetSval().Sval)
		case c.GetIval() != nil:
			parts = append(parts, strconv.Itoa(int(c.GetIval().Ival)))
		case c.GetFval() != nil:
			parts = append(parts, c.GetFval().Fval)
		case c.GetBoolval() != nil:
			if c.GetBoolval().Boolval {
				parts = append(parts, "on")
			} else {
				parts = append(parts, "off")
			}
		default:
			parts = append(parts, "")
		}
	}
	return strings.Join(parts, ", "), nil
}

// showResult answers SHOW for a known setting with a one-row text result.
// It returns nil when the name is unknown.
func (s *Session) showResult(st *stmt.Statement) (array.RecordReader, error) {
	vs := st.Node.GetVariableShowStmt()
	if vs == nil {
		return nil, nil
	}
	name := vs.Name
	if name == "all" {
		b := array.NewStringBuilder(memory.DefaultAllocator)
		defer b.Release()
		nb := array.NewStringBuilder(memory.DefaultAllocator)
		defer nb.Release()
		db := array.NewStringBuilder(memory.DefaultAllocator)
		defer db.Release()
		for _, d := range settingsTable {
			nb.Append(d.name)
			b.Append(s.vars[lower(d.name)])
			db.Append("")
		}
		schema := arrow.NewSchema([]arrow.Field{{Name: "name", Type: arrow.BinaryTypes.String}, {Name: "setting", Type: arrow.BinaryTypes.String}, {Name: "description", Type: arrow.BinaryTypes.String}}, nil)
		return recordReader(schema, nb.NewArray(), b.NewArray(), db.NewArray())
	}
	switch name {
	case "timezone":
		name = "TimeZone"
	case "transaction_isolation":
	}
	d := lookupSetting(name)
	if d == nil {
		if !isCustomSetting(name) {
			return nil, nil
		}
		v, ok := s.vars[lower(name)]
		if !ok {
			return nil, unrecognizedSetting(name)
		}
		return oneText(lower(name), v)
	}
	return oneText(d.name, s.vars[lower(d.name)])
}

// isCustomSetting reports whether name is a custom "prefix.name" setting,
// which PostgreSQL lets any session set and read (extensions' settings,
// and applications' own, such as a tenant id read by row-level policies).
func isCustomSetting(name string) bool { return strings.Contains(name, ".") }

func unrecognizedSetting(name string) error {
	return pgerror.New(pgerror.UndefinedObject, "unrecognized configuration parameter \"%s\"", name)
}

// oneText builds a one-row, one-column text result.
func oneText(col, val string) (array.RecordReader, error) {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.Append(val)
	schema := arrow.NewSchema([]arrow.Field{{Name: col, Type: arrow.BinaryTypes.String}}, nil)
	return recordReader(schema, b.NewArray())
}

// recordReader wraps freshly built columns in a one-batch reader that owns
// them.
func recordReader(schema *arrow.Schema, cols ...arrow.Array) (array.RecordReader, error) {
	rec := array.NewRecordBatch(schema, cols, int64(cols[0].Len()))
	for _, c := range cols {
		c.Release()
	}
	defer rec.Release()
	return array.NewRecordReader(schema, []arrow.RecordBatch{rec})
}

// setCustom runs SET and RESET of a custom setting. RESET leaves it empty,
// as PostgreSQL does for a placeholder without a default.
func (s *Session) setCustom(vs *pg_query.VariableSetStmt) error {
	v := ""
	switch vs.Kind {
	case pg_query.VariableSetKind_VAR_SET_VALUE:
		var err error
		if v, err = setArgsValue(vs.Args); err != nil {
			return err
		}
	case pg_query.VariableSetKind_VAR_SET_CURRENT:
		return nil
	}
	if !s.recordSetting(lower(vs.Name), vs.IsLocal) {
		return nil
	}
	s.vars[lower(vs.Name)] = v
	return nil
}
