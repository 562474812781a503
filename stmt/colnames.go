package stmt

import (
	"strconv"
	"strings"
	"sync"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// ColumnNames returns the names PostgreSQL gives the result columns of a
// query, for the columns it can name from the parse tree alone, following
// FigureColname in src/backend/parser/parse_target.c. Engines name
// unaliased expressions differently (DuckDB uses the expression text where
// PostgreSQL says "?column?"), and clients print these names.
//
// The result has one entry per result column when the target list has no
// "*"; with one "*", the entries before and after it are returned in head
// and tail, and the columns the star expands to keep the engine's names.
// ok is false when the statement is not a plain SELECT target list.
func (s *Statement) ColumnNames() (head, tail []string, star, ok bool) {
	targets, ok := s.targetList()
	if !ok {
		return nil, nil, false, false
	}
	for _, rt := range targets {
		if rt.Name == "" && isStar(rt.Val) {
			if star {
				return nil, nil, false, false // two stars: cannot align
			}
			star = true
			continue
		}
		name := rt.Name
		if name == "" {
			name, _ = figureColname(rt.Val)
		}
		if star {
			tail = append(tail, name)
		} else {
			head = append(head, name)
		}
	}
	return head, tail, star, true
}

// Cast is the type a result column's expression is cast to at its top.
type Cast struct {
	// Type is the type's last name ("varchar", "int4"), or "" when the
	// column is not a cast. A call of a jsonb function (jsonb_*, to_jsonb)
	// counts as a cast to jsonb: what such a function returns as JSON is
	// jsonb.
	Type string
	// Typmod is PostgreSQL's type modifier for the cast's length, or -1.
	Typmod int32
}

// ColumnCasts returns, for the same columns ColumnNames names, the type
// each one's expression is cast to at its top (x::varchar(10)), so a
// column an engine presents with a coarser type (DuckDB has one string
// type) can be described with the type PostgreSQL would give it.
func (s *Statement) ColumnCasts() (head, tail []Cast, star, ok bool) {
	targets, ok := s.targetList()
	if !ok {
		return nil, nil, false, false
	}
	for _, rt := range targets {
		if rt.Name == "" && isStar(rt.Val) {
			if star {
				return nil, nil, false, false
			}
			star = true
			continue
		}
		c := Cast{Typmod: -1}
		if fc := rt.Val.GetFuncCall(); fc != nil {
			if n := Names(fc.Funcname); len(n) > 0 && (strings.HasPrefix(n[len(n)-1], "jsonb_") || n[len(n)-1] == "to_jsonb") {
				c.Type = "jsonb"
			}
		}
		if tc := rt.Val.GetTypeCast(); tc != nil && tc.TypeName != nil && len(tc.TypeName.ArrayBounds) == 0 {
			if n := Names(tc.TypeName.Names); len(n) > 0 {
				c.Type = n[len(n)-1]
			}
			if len(tc.TypeName.Typmods) == 1 {
				if v := tc.TypeName.Typmods[0].GetAConst().GetIval(); v != nil {
					c.Typmod = v.Ival + 4 // VARHDRSZ, as varchar's typmod counts it
				}
			}
		}
		if star {
			tail = append(tail, c)
		} else {
			head = append(head, c)
		}
	}
	return head, tail, star, true
}

// ColumnsComputed returns, for the same columns ColumnNames names, whether
// each one is computed: every expression but a column reference and a cast
// to a type with modifiers (x::numeric(10,2)). PostgreSQL gives a computed
// numeric column typmod -1, each value keeping its own scale. ok is false
// for a set operation, whose columns' types come from all its arms, and
// where ColumnNames is not ok.
func (s *Statement) ColumnsComputed() (head, tail []bool, ok bool) {
	if sel := s.Node.GetSelectStmt(); sel != nil && sel.Op != pg_query.SetOperation_SETOP_NONE && sel.Op != pg_query.SetOperation_SET_OPERATION_UNDEFINED {
		return nil, nil, false
	}
	targets, ok := s.targetList()
	if !ok {
		return nil, nil, false
	}
	star := false
	for _, rt := range targets {
		if rt.Name == "" && isStar(rt.Val) {
			if star {
				return nil, nil, false
			}
			star = true
			continue
		}
		computed := true
		switch {
		case rt.Val.GetColumnRef() != nil:
			computed = false
		case rt.Val.GetTypeCast() != nil:
			computed = len(rt.Val.GetTypeCast().GetTypeName().GetTypmods()) == 0
		}
		if star {
			tail = append(tail, computed)
		} else {
			head = append(head, computed)
		}
	}
	return head, tail, true
}

// targetList returns the result columns of a plain SELECT target list or a
// RETURNING list.
func (s *Statement) targetList() ([]*pg_query.ResTarget, bool) {
	if s.Node == nil {
		return nil, false
	}
	var targets []*pg_query.Node
	switch x := s.Node.Node.(type) {
	case *pg_query.Node_SelectStmt:
		sel := x.SelectStmt
		for sel.Op != pg_query.SetOperation_SETOP_NONE && sel.Op != pg_query.SetOperation_SET_OPERATION_UNDEFINED && sel.Larg != nil {
			sel = sel.Larg // a set operation takes its names from the left arm
		}
		if len(sel.ValuesLists) > 0 {
			// VALUES names its columns column1, column2, ...
			row := sel.ValuesLists[0].GetList().GetItems()
			out := make([]*pg_query.ResTarget, len(row))
			for i, v := range row {
				out[i] = &pg_query.ResTarget{Name: "column" + strconv.Itoa(i+1), Val: v}
			}
			return out, len(out) > 0
		}
		targets = sel.TargetList
	case *pg_query.Node_InsertStmt:
		targets = x.InsertStmt.ReturningList
	case *pg_query.Node_UpdateStmt:
		targets = x.UpdateStmt.ReturningList
	case *pg_query.Node_DeleteStmt:
		targets = x.DeleteStmt.ReturningList
	default:
		return nil, false
	}
	if len(targets) == 0 {
		return nil, false
	}
	out := make([]*pg_query.ResTarget, len(targets))
	for i, t := range targets {
		if out[i] = t.GetResTarget(); out[i] == nil {
			return nil, false
		}
	}
	return out, true
}

func isStar(n *pg_query.Node) bool {
	cr := n.GetColumnRef()
	if cr == nil || len(cr.Fields) == 0 {
		return false
	}
	return cr.Fields[len(cr.Fields)-1].GetAStar() != nil
}

// figureColname returns a column name and its strength: 0 for the
// "?column?" fallback, 1 for a weak guess (a type name), 2 for a name taken
// from the expression itself.
func figureColname(n *pg_query.Node) (string, int) {
	if n == nil {
		return "?column?", 0
	}
	switch x := n.Node.(type) {
	case *pg_query.Node_ColumnRef:
		for i := len(x.ColumnRef.Fields) - 1; i >= 0; i-- {
			if s := x.ColumnRef.Fields[i].GetString_(); s != nil {
				return s.Sval, 2
			}
		}
	case *pg_query.Node_AIndirection:
		for i := len(x.AIndirection.Indirection) - 1; i >= 0; i-- {
			if s := x.AIndirection.Indirection[i].GetString_(); s != nil {
				return s.Sval, 2
			}
		}
		return figureColname(x.AIndirection.Arg)
	case *pg_query.Node_FuncCall:
		names := x.FuncCall.Funcname
		if len(names) > 0 {
			if s := names[len(names)-1].GetString_(); s != nil {
				return s.Sval, 2
			}
		}
	case *pg_query.Node_AExpr:
		if x.AExpr.Kind == pg_query.A_Expr_Kind_AEXPR_NULLIF {
			return "nullif", 2
		}
	case *pg_query.Node_TypeCast:
		name, strength := figureColname(x.TypeCast.Arg)
		if strength <= 1 && x.TypeCast.TypeName != nil {
			names := x.TypeCast.TypeName.Names
			if len(names) > 0 {
				if s := names[len(names)-1].GetString_(); s != nil {
					return s.Sval, 1
				}
			}
		}
		return name, strength
	case *pg_query.Node_CollateClause:
		return figureColname(x.CollateClause.Arg)
	case *pg_query.Node_GroupingFunc:
		return "grouping", 2
	case *pg_query.Node_MergeSupportFunc:
		return "merge_action", 2
	case *pg_query.Node_SubLink:
		switch x.SubLink.SubLinkType {
		case pg_query.SubLinkType_EXISTS_SUBLINK:
			return "exists", 2
		case pg_query.SubLinkType_ARRAY_SUBLINK:
			return "array", 2
		case pg_query.SubLinkType_EXPR_SUBLINK:
			if sel := x.SubLink.Subselect.GetSelectStmt(); sel != nil && len(sel.TargetList) > 0 {
				if rt := sel.TargetList[0].GetResTarget(); rt != nil && rt.Name != "" {
					return rt.Name, 2
				} else if rt != nil {
					return figureColname(rt.Val)
				}
			}
		}
	case *pg_query.Node_CaseExpr:
		name, strength := figureColname(x.CaseExpr.Defresult)
		if strength <= 1 {
			return "case", 1
		}
		return name, strength
	case *pg_query.Node_AArrayExpr:
		return "array", 2
	case *pg_query.Node_RowExpr:
		return "row", 2
	case *pg_query.Node_CoalesceExpr:
		return "coalesce", 2
	case *pg_query.Node_MinMaxExpr:
		if x.MinMaxExpr.Op == pg_query.MinMaxOp_IS_GREATEST {
			return "greatest", 2
		}
		return "least", 2
	case *pg_query.Node_SqlvalueFunction:
		switch x.SqlvalueFunction.Op {
		case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_DATE:
			return "current_date", 2
		case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIME, pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIME_N:
			return "current_time", 2
		case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP, pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N:
			return "current_timestamp", 2
		case pg_query.SQLValueFunctionOp_SVFOP_LOCALTIME, pg_query.SQLValueFunctionOp_SVFOP_LOCALTIME_N:
			return "localtime", 2
		case pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP, pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N:
			return "localtimestamp", 2
		case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_ROLE:
			return "current_role", 2
		case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_USER:
			return "current_user", 2
		case pg_query.SQLValueFunctionOp_SVFOP_USER:
			return "user", 2
		case pg_query.SQLValueFunctionOp_SVFOP_SESSION_USER:
			return "session_user", 2
		case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG:
			return "current_catalog", 2
		case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA:
			return "current_schema", 2
		}
	case *pg_query.Node_XmlExpr:
		return "xmlelement", 2
	case *pg_query.Node_XmlSerialize:
		return "xmlserialize", 2
	}
	return "?column?", 0
}

// ParamCasts returns, for parameters written directly under a cast
// ("$1::int4", "CAST($2 AS text)"), the cast's type name keyed by parameter
// number. PostgreSQL infers such a parameter's type from the cast; engines
// that do not can be told.
func (s *Statement) ParamCasts() map[int]string {
	if s.Node == nil || s.Params == 0 {
		return nil
	}
	out := map[int]string{}
	Walk(s.Node.ProtoReflect(), func(m protoreflect.Message) {
		tc, ok := m.Interface().(*pg_query.TypeCast)
		if !ok || tc.Arg == nil || tc.TypeName == nil {
			return
		}
		pr := tc.Arg.GetParamRef()
		if pr == nil || len(tc.TypeName.ArrayBounds) > 0 {
			return
		}
		names := tc.TypeName.Names
		if len(names) == 0 {
			return
		}
		if str := names[len(names)-1].GetString_(); str != nil {
			if _, seen := out[int(pr.Number)]; !seen {
				out[int(pr.Number)] = str.Sval
			}
		}
	})
	return out
}

// Walk calls f on every message of the parse tree below m, parents before
// their children. f may change a message's fields before they are walked.
func Walk(m protoreflect.Message, f func(protoreflect.Message)) {
	WalkPrune(m, func(m protoreflect.Message) bool { f(m); return true })
}

// HasParam reports whether a parameter ($n) is below n.
func HasParam(n *pg_query.Node) bool {
	found := false
	Walk(n.ProtoReflect(), func(m protoreflect.Message) {
		_, ok := m.Interface().(*pg_query.ParamRef)
		found = found || ok
	})
	return found
}

// WalkPrune is Walk, except that the messages below one for which f
// returns false are not walked.
func WalkPrune(m protoreflect.Message, f func(protoreflect.Message) bool) {
	if !f(m) {
		return
	}
	// The fields in their declared order: Range's order is undefined, and
	// callers rely on walking equal trees alike (dialect's literal sites).
	for _, st := range walkPlan(m.Descriptor()) {
		fd := st.field
		if fd == nil {
			// A oneof (every Node is one, of some 270 fields): ask which
			// field is set rather than each field whether it is.
			if fd = m.WhichOneof(st.oneof); fd == nil || fd.Message() == nil || fd.IsMap() {
				continue
			}
		} else if !m.Has(fd) {
			continue
		}
		v := m.Get(fd)
		if fd.IsList() {
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				WalkPrune(l.Get(i).Message(), f)
			}
			continue
		}
		WalkPrune(v.Message(), f)
	}
}

// walkStep is a field of a message WalkPrune may walk into: a field of
// message type, or a oneof.
type walkStep struct {
	field protoreflect.FieldDescriptor
	oneof protoreflect.OneofDescriptor
}

// walkPlans caches walkPlan by message name.
var walkPlans sync.Map

// walkPlan lists the steps WalkPrune takes through a message of type d,
// in the order of d's fields, a oneof at its first field.
func walkPlan(d protoreflect.MessageDescriptor) []walkStep {
	if p, ok := walkPlans.Load(d.FullName()); ok {
		return p.([]walkStep)
	}
	var steps []walkStep
	oneofs := map[protoreflect.FullName]bool{}
	fields := d.Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		if od := fd.ContainingOneof(); od != nil && !od.IsSynthetic() {
			if !oneofs[od.FullName()] {
				oneofs[od.FullName()] = true
				steps = append(steps, walkStep{oneof: od})
			}
			continue
		}
		if fd.Message() == nil || fd.IsMap() {
			continue
		}
		steps = append(steps, walkStep{field: fd})
	}
	walkPlans.Store(d.FullName(), steps)
	return steps
}

// CreatedTable returns the table a CREATE TABLE AS or SELECT INTO creates.
func (s *Statement) CreatedTable() (schema, name string, ok bool) {
	if s.Node == nil {
		return "", "", false
	}
	var into *pg_query.IntoClause
	if c := s.Node.GetCreateTableAsStmt(); c != nil {
		into = c.Into
	} else if sel := s.Node.GetSelectStmt(); sel != nil {
		into = sel.IntoClause
	}
	if into == nil || into.Rel == nil {
		return "", "", false
	}
	return into.Rel.Schemaname, into.Rel.Relname, true
}
