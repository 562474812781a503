package dispatch

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/stmt"
)

// current_setting() and set_config() read and change quiver's own session
// settings, which an engine with its own settings (DuckDB) knows nothing
// of. Calls with constant arguments are answered in the parse tree before
// the statement goes to the backend: current_setting(name) becomes the
// setting's value, and set_config(name, value, is_local) changes the
// setting, as SET does, and becomes the new value. Names quiver does not
// know, other than custom "prefix.name" settings, are left to the backend.
// See https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADMIN-SET.

// substituteSettings returns st with its setting functions answered, or st
// itself when it has none.
func (s *Session) substituteSettings(st *stmt.Statement) (*stmt.Statement, error) {
	if st.Node == nil || !s.emulates() || !mentionsSettingFuncs(st.SQL) {
		return st, nil
	}
	n := proto.Clone(st.Node).(*pg_query.Node)
	changed := false
	var ferr error
	stmt.Walk(n.ProtoReflect(), func(m protoreflect.Message) {
		node, ok := m.Interface().(*pg_query.Node)
		if !ok || ferr != nil {
			return
		}
		fc := node.GetFuncCall()
		if fc == nil {
			return
		}
		v, isNull, ok, err := s.callSettingFunc(fc)
		if err != nil {
			ferr = err
			return
		}
		if ok {
			node.Node = textConst(v, isNull).Node
			changed = true
		}
	})
	if ferr != nil || !changed {
		return st, ferr
	}
	sql, err := stmt.Deparse(n)
	if err != nil {
		return nil, pgerror.New(pgerror.FeatureNotSupported, "cannot rewrite statement: %v", err)
	}
	out := stmt.Split(sql)
	if len(out) != 1 {
		return st, nil
	}
	out[0].Offset = st.Offset
	return &out[0], nil
}

func mentionsSettingFuncs(sql string) bool {
	for i := 0; i+len("set_config") <= len(sql); i++ {
		switch sql[i] | 0x20 {
		case 'c':
			if len(sql)-i >= len("current_setting") && strings.EqualFold(sql[i:i+len("current_setting")], "current_setting") {
				return true
			}
		case 's':
			if strings.EqualFold(sql[i:i+len("set_config")], "set_config") {
				return true
			}
		}
	}
	return false
}

// callSettingFunc answers current_setting or set_config when its arguments
// are constants and its setting is one quiver keeps. ok is false to leave
// the call to the backend.
func (s *Session) callSettingFunc(fc *pg_query.FuncCall) (v string, isNull, ok bool, err error) {
	name := stmt.Names(fc.Funcname)
	if len(name) == 2 && strings.EqualFold(name[0], "pg_catalog") {
		name = name[1:]
	}
	if len(name) != 1 || fc.AggStar || fc.Over != nil || fc.AggFilter != nil {
		return "", false, false, nil
	}
	args := make([]*pg_query.A_Const, len(fc.Args))
	for i, a := range fc.Args {
		if args[i] = constArg(a); args[i] == nil {
			return "", false, false, nil
		}
	}
	switch strings.ToLower(name[0]) {
	case "current_setting":
		if len(args) < 1 || len(args) > 2 || args[0].GetSval() == nil {
			return "", false, false, nil
		}
		key := args[0].GetSval().Sval
		missingOK := len(args) == 2 && args[1].GetBoolval().GetBoolval()
		return s.currentSetting(key, missingOK)
	case "set_config":
		if len(args) != 3 || args[0].GetSval() == nil || args[1].GetSval() == nil || args[2].GetBoolval() == nil && !args[2].Isnull {
			return "", false, false, nil
		}
		key := args[0].GetSval().Sval
		d := lookupSetting(key)
		custom := d == nil && isCustomSetting(key)
		if d == nil && !custom {
			return "", false, false, nil
		}
		val := args[1].GetSval().Sval
		local := args[2].GetBoolval().GetBoolval()
		if custom {
			if s.recordSetting(lower(key), local) {
				s.vars[lower(key)] = val
			}
			return val, false, true, nil
		}
		if d.readOnly {
			return "", false, false, s.setVar(d, val, true) // the error
		}
		if !s.recordSetting(lower(d.name), local) {
			return val, false, true, nil
		}
		if err := s.setVar(d, val, true); err != nil {
			return "", false, false, err
		}
		if err := s.applyFormatSettings(); err != nil {
			return "", false, false, err
		}
		return s.vars[lower(d.name)], false, true, nil
	}
	return "", false, false, nil
}

// currentSetting is current_setting(name, missingOK) for the settings quiver
// keeps.
func (s *Session) currentSetting(key string, missingOK bool) (string, bool, bool, error) {
	if key == "timezone" {
		key = "TimeZone"
	}
	if d := lookupSetting(key); d != nil {
		return s.vars[lower(d.name)], false, true, nil
	}
	if !isCustomSetting(key) {
		return "", false, false, nil // the backend's own, or unknown
	}
	if v, ok := s.vars[lower(key)]; ok {
		return v, false, true, nil
	}
	if missingOK {
		return "", true, true, nil
	}
	return "", false, false, unrecognizedSetting(key)
}

// constArg returns a constant argument, looking through a cast.
func constArg(n *pg_query.Node) *pg_query.A_Const {
	if c := n.GetAConst(); c != nil {
		return c
	}
	if tc := n.GetTypeCast(); tc != nil {
		return tc.Arg.GetAConst()
	}
	return nil
}

// textConst is 'v'::text, or NULL::text.
func textConst(v string, isNull bool) *pg_query.Node {
	c := &pg_query.A_Const{Val: &pg_query.A_Const_Sval{Sval: &pg_query.String{Sval: v}}}
	if isNull {
		c = &pg_query.A_Const{Isnull: true}
	}
	return &pg_query.Node{Node: &pg_query.Node_TypeCast{TypeCast: &pg_query.TypeCast{
		Arg:      &pg_query.Node{Node: &pg_query.Node_AConst{AConst: c}},
		TypeName: &pg_query.TypeName{Names: []*pg_query.Node{pg_query.MakeStrNode("text")}, Typemod: -1},
	}}}
}
