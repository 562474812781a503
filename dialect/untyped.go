package dialect

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/stmt"
	"github.com/quiverdb/quiver/types"
)

// Array literals without a cast. PostgreSQL gives a string constant written
// without a cast the type its context needs: '{1,2}' inserted into an int[]
// column, assigned to one, or compared with one is read by array_in, and a
// malformed one fails the statement before it runs. DuckDB types such a
// constant VARCHAR and casts it when a row needs it, with its own cast,
// which reads only DuckDB's syntax ('[1, 2]', which PostgreSQL refuses):
// '{1,2}' fails there, at execution, having aborted the transaction.
//
// So quiver asks DuckDB, before running the statement, which type each such
// constant's context has. ProbeLiterals finds the constants that could be
// array literals, in the places where PostgreSQL gives an untyped constant
// its context's type: an operand of an operator (or of IN, ANY, ALL, IS
// DISTINCT FROM, NULLIF) whose other operand is not a constant, an argument
// of COALESCE, GREATEST or LEAST, a CASE result or a value a simple CASE
// compares, a value INSERT ... VALUES inserts, UPDATE or ON CONFLICT DO
// UPDATE assigns, an item of the select list of INSERT ... SELECT, and
// (untypedctx.go) a column of a set operation or of a VALUES list and an
// argument of an array function, and the operands of the jsonb operators
// || and - whose type the statement does not show. It
// replaces each by a parameter numbered after the statement's own: DuckDB
// types a parameter by its context, as PostgreSQL types the constant, and
// preparing that probe runs nothing and leaves the transaction as it was.
// (An item of INSERT ... SELECT's select list takes the type of its target
// column, learnt by preparing INSERT INTO the table VALUES of parameters.)
// Cast then casts each constant whose parameter DuckDB typed as a list to
// that list's type, and the rewrite of array literal casts (arraylit.go)
// reads it as PostgreSQL does; a constant whose parameter DuckDB did not
// type as a list stays as written. Only the constant already in the text is
// cast: no value is ever added to the SQL.
//
// The constants looked at are those that start (after white space) with
// '{' or '[' (where DuckDB's own syntax and PostgreSQL's dimension
// decorations start). A statement whose only such constants are malformed
// '{...}' is not probed: the JSON objects clients insert into json and text
// columns ('{"a": 1}', malformed as arrays) cost nothing, and where such a
// constant is an array, DuckDB refuses it when a row needs it, with an
// error the DuckDB backend reports as array_in would. In a statement that
// is probed they are probed with the others, and fail as in PostgreSQL.
//
// Constants that may be bytea input with a backslash (mayBeBytea) are
// looked at too: one whose context DuckDB types BLOB is cast to bytea, which reads it as PostgreSQL's byteain does
// (bytealit.go), where DuckDB's own cast would read '\x0102' as three
// bytes.
//
// So are timestamps that DuckDB's cast refuses or reads otherwise
// (mayBeTimestamp): one whose context DuckDB types TIMESTAMP or
// TIMESTAMPTZ is written in ISO form, as PostgreSQL reads it, and cast.
//
// What is cached by statement text is only what the text decides: which
// constants to probe and the probes' SQL. The types come from preparing the
// probes, each time the statement is planned, so that a plan never outlives
// the catalog it was made for (the DuckDB backend keeps prepared probes
// until the catalog changes).

// LiteralProbe is how to learn the types of the contexts of a statement's
// untyped constants that could be array literals.
type LiteralProbe struct {
	// Probe is the statement with each constant in a place DuckDB types
	// parameters replaced by a parameter numbered after the statement's own
	// Params; nil when there is none.
	Probe *stmt.Statement
	// Params is the number of the statement's own parameters: the probe's
	// parameters are $Params+1 and on.
	Params int
	// Insert is, for an INSERT ... SELECT with such constants in its select
	// list, INSERT INTO the table (its columns) VALUES ($1, ..., $n), whose
	// parameter $i takes the type of the column the i-th item fills; nil
	// otherwise.
	Insert *stmt.Statement

	sites []siteInfo
	memo  atomic.Pointer[castMemo]
	// err is the error PostgreSQL gives the statement for the type of one
	// of its constants (untypedctx.go), at byte errLoc of its text (-1
	// for none); Cast returns it.
	err    *pgerror.Error
	errLoc int32
}

// siteInfo is what Cast needs to know of a literalSite.
type siteInfo struct {
	param  int    // the index from 0 of its probe parameter, or -1
	col    int    // literalSite.col
	elems  bool   // literalSite.any is set
	bytea  bool   // mayBeBytea holds for the constant
	stamp  bool   // mayBeTimestamp holds for the constant
	scalar bool   // literalSite.scalar
	fixed  string // literalSite.fixed
	fn     string // literalSite.fn
	whole  bool   // the site is the operator expression, not a constant
	decide int    // for fn, the index of the parameter whose type decides, or -1
}

// castMemo is the tree and text Cast made last, for the types it was made
// for.
type castMemo struct {
	key  string
	sql  string
	node *pg_query.Node
}

// literalSite is one untyped constant that could be an array literal, in a
// place where it takes its context's type.
type literalSite struct {
	slot *pg_query.Node // the constant's node, which the probe and Cast replace
	weak bool           // see probeWorthy
	// other is, for an operand of an operator (or ANY, ALL, IS DISTINCT
	// FROM, NULLIF), the other operand, whose type PostgreSQL gives an
	// untyped operand: the probe puts COALESCE($n, other) in the
	// constant's place, which DuckDB types as other whatever the operator
	// (it types a || $1 not at all).
	other *pg_query.Node
	// any is, for the constant of x op ANY (constant) or ALL, an array of
	// the type of x, that A_Expr: the probe makes it x op COALESCE($n, x).
	any *pg_query.A_Expr
	// col is, for an item of INSERT ... SELECT's select list, its index,
	// the column of Insert's parameters it takes its type from; or -1.
	col int
	// scalar is set for a constant in the place of an array's element
	// (untypedctx.go): it is cast to the scalar type of the elements of
	// the type its parameter gets.
	scalar bool
	// fixed is the type the constant is cast to without a probe, or "".
	fixed string
	// err is set when PostgreSQL refuses the statement for the constant's
	// type, at byte errLoc of the text (-1 for no position).
	err    *pgerror.Error
	errLoc int32
	// fn is, for a site of a jsonb operator (untypedctx.go), the catalog
	// function the operator expression expr is rewritten to when DuckDB
	// types the site's parameter JSON.
	fn   string
	expr *pg_query.Node
	// inner is, when the operand is itself such an operator, that
	// operator's expr: the type of its site decides.
	inner *pg_query.Node
}

// ProbeLiterals returns how to type st's untyped array literals, or nil when
// it has none (most statements: those without a string constant starting
// with '{' or '[' cost one scan of their text).
func ProbeLiterals(st *stmt.Statement) *LiteralProbe {
	if st.Node == nil || !mayHaveArrayLiteral(st.SQL) {
		return nil
	}
	if st.Kind != stmt.KindQuery && st.Kind != stmt.KindDML {
		return nil
	}
	switch p := probes.get(st.SQL); p {
	case nil:
	case noProbe:
		return nil
	default:
		return p
	}
	p := newLiteralProbe(st)
	if p == nil {
		probes.put(st.SQL, noProbe)
		return nil
	}
	probes.put(st.SQL, p)
	return p
}

// mayHaveArrayLiteral reports whether sql may have a string constant that
// starts with '{' or '[' (one of them follows a quote, after white space; a
// subscript, a[1], follows a name), or one with a backslash, which may be
// bytea, or one that starts with a date, which may be a timestamp
// (mayBeTimestamp), or a string constant right of a minus, which may be a
// jsonb key to delete (untypedctx.go).
func mayHaveArrayLiteral(sql string) bool {
	for i := 0; i < len(sql); i++ {
		switch sql[i] {
		case '\\':
			return true // maybe in a bytea literal, '\x0102'
		case '\'':
			if maybeDate(sql[i+1:]) {
				// Maybe a timestamp (mayBeTimestamp), unless its text is
				// one DuckDB reads alike, as a whole run of inserts of
				// pg_dump's form is.
				end := strings.IndexByte(sql[i+1:], '\'')
				if end < 0 || !readAlike(sql[i+1:i+1+end]) {
					return true
				}
				i += end + 1 // past the closing quote
			}
		case '{', '[':
			j := i - 1
			for j >= 0 && isSpaceByte(sql[j]) {
				j--
			}
			if j >= 0 && (sql[j] == '\'' || sql[j] == '$') {
				return true
			}
		case '-':
			j := i + 1
			for j < len(sql) && isSpaceByte(sql[j]) {
				j++
			}
			if j < len(sql) && sql[j] == '\'' {
				return true // x - 'a'
			}
		}
	}
	return false
}

// maybeDate reports whether s starts with a date in ISO form, "YYYY-".
func maybeDate(s string) bool {
	if len(s) < 5 || s[4] != '-' {
		return false
	}
	for i := range 4 {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func newLiteralProbe(st *stmt.Statement) *LiteralProbe {
	all := literalSites(st.Node)
	if i := slices.IndexFunc(all, func(s literalSite) bool { return s.err != nil }); i >= 0 {
		return &LiteralProbe{err: all[i].err, errLoc: all[i].errLoc}
	}
	strong := func(s literalSite) bool { return !s.weak || s.fixed != "" || s.fn != "" }
	if !slices.ContainsFunc(all, strong) {
		return nil
	}
	p := &LiteralProbe{Params: st.Params}
	n := clone(st.Node)
	sites := literalSites(n)
	p.sites = make([]siteInfo, len(sites))
	k, insertCols, fixed := 0, 0, 0
	for i, s := range sites {
		p.sites[i] = siteInfo{param: -1, col: s.col, elems: s.any != nil, scalar: s.scalar, fixed: s.fixed,
			bytea: mayBeBytea(s.slot.GetAConst().GetSval().GetSval()), stamp: mayBeTimestamp(s.slot.GetAConst().GetSval().GetSval()), fn: s.fn, whole: s.fn != "" && s.slot == s.expr}
		if s.fixed != "" {
			// Its type is known: the probe gets it, not the text, which
			// DuckDB may bind no function on.
			fixed++
			if tn, err := typeNameOf(s.fixed); err == nil {
				s.slot.Node = &pg_query.Node_TypeCast{TypeCast: &pg_query.TypeCast{
					Arg: &pg_query.Node{Node: &pg_query.Node_AConst{AConst: &pg_query.A_Const{Isnull: true, Location: -1}}}, TypeName: tn, Location: -1,
				}}
			}
			continue
		}
		if s.col >= 0 {
			insertCols++
			continue
		}
		p.sites[i].param = k
		k++
		param := &pg_query.Node{Node: &pg_query.Node_ParamRef{ParamRef: &pg_query.ParamRef{Number: int32(st.Params + k), Location: -1}}}
		if s.other == nil {
			s.slot.Node = param.Node
			continue
		}
		// The other operand is shared, not copied: the constants in it
		// that are sites themselves, replaced later, are replaced in
		// both places.
		s.slot.Node = &pg_query.Node_CoalesceExpr{CoalesceExpr: &pg_query.CoalesceExpr{
			Args: []*pg_query.Node{param, s.other}, Location: -1,
		}}
		if s.any != nil {
			s.any.Kind = pg_query.A_Expr_Kind_AEXPR_OP
		}
	}
	decideJSONB(p.sites, sites)
	if k > 0 {
		p.Probe = probeStatement(st, n, st.Params+k)
	}
	if insertCols > 0 {
		p.Insert = insertProbe(st.Node.GetInsertStmt())
	}
	if p.Probe == nil && p.Insert == nil && fixed == 0 {
		return nil
	}
	return p
}

// probeStatement makes the statement of the tree n, a changed copy of st's,
// with params parameters.
func probeStatement(st *stmt.Statement, n *pg_query.Node, params int) *stmt.Statement {
	sql, err := stmt.Deparse(n)
	if err != nil {
		return nil
	}
	return &stmt.Statement{SQL: sql, Kind: st.Kind, Tag: st.Tag, Returning: st.Returning, Params: params, Node: n}
}

// insertProbe makes INSERT INTO the table ins inserts into (its columns)
// VALUES ($1, ..., $n), n being the number of items of its select list.
func insertProbe(ins *pg_query.InsertStmt) *stmt.Statement {
	sel := ins.GetSelectStmt().GetSelectStmt()
	if ins.Relation == nil || sel == nil {
		return nil
	}
	row := make([]*pg_query.Node, len(sel.TargetList))
	for i := range row {
		row[i] = &pg_query.Node{Node: &pg_query.Node_ParamRef{ParamRef: &pg_query.ParamRef{Number: int32(i + 1), Location: -1}}}
	}
	probe := &pg_query.InsertStmt{
		Relation: ins.Relation,
		Cols:     ins.Cols,
		SelectStmt: &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: &pg_query.SelectStmt{
			ValuesLists: []*pg_query.Node{{Node: &pg_query.Node_List{List: &pg_query.List{Items: row}}}},
		}}},
		Override: ins.Override,
	}
	n := clone(&pg_query.Node{Node: &pg_query.Node_InsertStmt{InsertStmt: probe}})
	return probeStatement(&stmt.Statement{Kind: stmt.KindDML, Tag: "INSERT"}, n, len(row))
}

// literalSites finds the untyped constants of the tree n that could be
// array literals, in places where they take their context's type, in an
// order that is the same for equal trees.
func literalSites(n *pg_query.Node) []literalSite {
	var out []literalSite
	add := func(c *pg_query.Node, col int) {
		if like, weak := probeWorthy(c); like {
			out = append(out, literalSite{slot: c, weak: weak, col: col})
		}
	}
	site := func(s literalSite) { out = append(out, s) }
	inner := map[*pg_query.SelectStmt]bool{} // set operations below others, and INSERT's VALUES
	operand := func(c, other *pg_query.Node, any *pg_query.A_Expr) {
		if like, weak := probeWorthy(c); like && typed(other) {
			out = append(out, literalSite{slot: c, weak: weak, other: other, any: any, col: -1})
		}
	}
	stmt.Walk(n.ProtoReflect(), func(m protoreflect.Message) {
		switch x := m.Interface().(type) {
		case *pg_query.Node:
			if a := x.GetAExpr(); a != nil {
				jsonbOperatorSite(x, a, site)
			}
		case *pg_query.A_Expr:
			if fn, _, _ := jsonbOperator(x); fn != "" {
				return // jsonbOperatorSite's
			}
			switch x.Kind {
			case pg_query.A_Expr_Kind_AEXPR_OP, pg_query.A_Expr_Kind_AEXPR_DISTINCT,
				pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT, pg_query.A_Expr_Kind_AEXPR_NULLIF:
				operand(x.Lexpr, x.Rexpr, nil)
				operand(x.Rexpr, x.Lexpr, nil)
			case pg_query.A_Expr_Kind_AEXPR_OP_ANY, pg_query.A_Expr_Kind_AEXPR_OP_ALL:
				operand(x.Rexpr, x.Lexpr, x)
				if x.Lexpr.GetAConst().GetSval() != nil {
					// 'a' = ANY ('{a,b}'): PostgreSQL reads both as
					// text, the constant as text[].
					if like, _ := probeWorthy(x.Rexpr); like {
						out = append(out, literalSite{slot: x.Rexpr, col: -1, fixed: "varchar[]"})
					}
				}
			case pg_query.A_Expr_Kind_AEXPR_IN:
				if typed(x.Lexpr) {
					for _, it := range x.Rexpr.GetList().GetItems() {
						add(it, -1)
					}
				}
			}
		case *pg_query.FuncCall:
			funcSites(x, site)
		case *pg_query.SelectStmt:
			switch {
			case inner[x]:
			case len(x.ValuesLists) > 0:
				valuesSites(x, site)
			case !plainSelect(x):
				setOpSites(x, inner, site)
			}
		case *pg_query.CoalesceExpr:
			addAll(x.Args, add)
		case *pg_query.MinMaxExpr:
			addAll(x.Args, add)
		case *pg_query.CaseExpr:
			var results []*pg_query.Node
			for _, w := range x.Args {
				cw := w.GetCaseWhen()
				if cw == nil {
					continue
				}
				if typed(x.Arg) {
					add(cw.Expr, -1)
				}
				results = append(results, cw.Result)
			}
			if x.Defresult != nil {
				results = append(results, x.Defresult)
			}
			addAll(results, add)
		case *pg_query.UpdateStmt:
			assignments(x.TargetList, add)
		case *pg_query.OnConflictClause:
			assignments(x.TargetList, add)
		case *pg_query.InsertStmt:
			sel := x.SelectStmt.GetSelectStmt()
			if sel == nil {
				return
			}
			if len(sel.ValuesLists) > 0 {
				inner[sel] = true // not valuesSites'
			}
			for _, row := range sel.ValuesLists {
				for _, v := range row.GetList().GetItems() {
					add(v, -1)
				}
			}
			if len(sel.ValuesLists) > 0 || !plainSelect(sel) {
				return
			}
			for i, t := range sel.TargetList {
				rt := t.GetResTarget()
				if rt == nil || isStar(rt.Val) {
					return // the items after a * fill unknown columns
				}
				add(rt.Val, i)
			}
		}
	})
	return out
}

// typed reports whether an expression has a type of its own: it is not a
// string constant, NULL or a parameter, which PostgreSQL types by their
// context.
func typed(n *pg_query.Node) bool {
	if n == nil || n.GetParamRef() != nil {
		return false
	}
	c := n.GetAConst()
	return c == nil || !(c.Isnull || c.GetSval() != nil)
}

// addAll adds the untyped constants among args when one of args has a type
// of its own: PostgreSQL gives them that type, and text when none has.
func addAll(args []*pg_query.Node, add func(*pg_query.Node, int)) {
	for _, a := range args {
		if typed(a) {
			for _, c := range args {
				add(c, -1)
			}
			return
		}
	}
}

// assignments adds the values SET assigns: col = v, and (a, b) = (v, w),
// whose row the first of its columns carries.
func assignments(targets []*pg_query.Node, add func(*pg_query.Node, int)) {
	for _, t := range targets {
		rt := t.GetResTarget()
		if rt == nil {
			continue
		}
		if mr := rt.Val.GetMultiAssignRef(); mr != nil {
			if mr.Colno == 1 {
				for _, v := range mr.Source.GetRowExpr().GetArgs() {
					add(v, -1)
				}
			}
			continue
		}
		add(rt.Val, -1)
	}
}

// plainSelect reports whether sel is a SELECT without set operations.
func plainSelect(sel *pg_query.SelectStmt) bool {
	return sel.Op == pg_query.SetOperation_SETOP_NONE || sel.Op == pg_query.SetOperation_SET_OPERATION_UNDEFINED
}

// isStar reports whether n is * or t.*.
func isStar(n *pg_query.Node) bool {
	cr := n.GetColumnRef()
	if cr == nil || len(cr.Fields) == 0 {
		return false
	}
	return cr.Fields[len(cr.Fields)-1].GetAStar() != nil
}

// probeWorthy reports whether n is a string constant worth a probe: one
// that could be an array literal (it starts with '{' or '['), bytea input
// (mayBeBytea) or a timestamp DuckDB reads otherwise (mayBeTimestamp); and
// whether it is a weak one: a malformed '{...}', which is probed only with
// others (see above).
func probeWorthy(n *pg_query.Node) (like, weak bool) {
	s := n.GetAConst().GetSval()
	if s == nil {
		return false, false
	}
	if mayBeBytea(s.Sval) {
		return true, false // bytealit.go
	}
	if mayBeTimestamp(s.Sval) {
		return true, false
	}
	v := strings.TrimLeft(s.Sval, " \t\n\r\v\f")
	switch {
	case v == "" || (v[0] != '[' && v[0] != '{'):
		return false, false
	case v[0] == '[':
		return true, false
	}
	_, _, err := types.ParseArrayLiteral(s.Sval)
	return true, err != nil
}

// Cast returns st, the statement p was made for, with each constant whose
// context the probes typed as a list (probe holds the Params of Probe,
// insert those of Insert, either nil when it could not be prepared) cast
// to that type, or st itself when none was. A constant cast to an array
// that array_in refuses fails with its error, placed at the constant.
func (p *LiteralProbe) Cast(st *stmt.Statement, probe, insert []arrow.Field) (*stmt.Statement, error) {
	if p.err != nil {
		return nil, literalError(p.err, p.errLoc, st)
	}
	names := make([]string, len(p.sites))
	var key strings.Builder
	cast := false
	for i, s := range p.sites {
		var f *arrow.Field
		switch {
		case s.fixed != "":
			names[i] = s.fixed
		case s.param >= 0 && p.Params+s.param < len(probe):
			f = &probe[p.Params+s.param]
		case s.param < 0 && s.col >= 0 && s.col < len(insert):
			f = &insert[s.col]
		}
		switch {
		case s.fn != "" && s.decide >= 0 && p.Params+s.decide < len(probe) && isJSONField(probe[p.Params+s.decide]):
			names[i] = jsonbOperand
		case f == nil:
		case s.whole:
			// Not jsonb: the operator is DuckDB's, as written.
		case s.scalar:
			names[i] = scalarTypeName(*f)
		default:
			names[i] = listTypeName(*f, s.elems)
			if names[i] == "" && !s.elems && s.bytea && isBinary(f.Type) {
				names[i] = "bytea"
			}
			if ts, ok := f.Type.(*arrow.TimestampType); ok && names[i] == "" && !s.elems && s.stamp {
				names[i] = "timestamp"
				if ts.TimeZone != "" {
					names[i] = "timestamptz"
				}
			}
		}
		key.WriteString(names[i])
		key.WriteByte(0)
		cast = cast || names[i] != ""
	}
	if !cast {
		return st, nil
	}
	m := p.memo.Load()
	if m == nil || m.key != key.String() {
		n := clone(st.Node)
		for i, s := range literalSites(n) {
			if i >= len(names) || names[i] == "" {
				continue
			}
			if names[i] == jsonbOperand {
				x := s.expr.GetAExpr()
				s.expr.Node = funcCall([]string{"pg_catalog", s.fn}, x.Lexpr, x.Rexpr).Node
				continue
			}
			c := s.slot.GetAConst()
			if names[i] == "timestamp" || names[i] == "timestamptz" {
				v, ok := types.CanonicalTimestamp(c.GetSval().Sval, names[i] == "timestamptz")
				if !ok {
					continue // DuckDB's, as written
				}
				c.Val = &pg_query.A_Const_Sval{Sval: &pg_query.String{Sval: v}}
			}
			if strings.HasSuffix(names[i], "[]") {
				if _, _, err := types.ParseArrayLiteral(c.GetSval().Sval); err != nil {
					return nil, literalError(err, c.Location, st)
				}
			}
			tn, err := typeNameOf(names[i])
			if err != nil {
				return nil, err
			}
			s.slot.Node = &pg_query.Node_TypeCast{TypeCast: &pg_query.TypeCast{
				Arg: &pg_query.Node{Node: s.slot.Node}, TypeName: tn, Location: -1,
			}}
		}
		sql, err := deparse(n)
		if err != nil {
			return nil, err
		}
		m = &castMemo{key: key.String(), sql: sql, node: n}
		p.memo.Store(m)
	}
	out := *st
	out.SQL, out.Node = m.sql, m.node
	return &out, nil
}

// literalError places array_in's error for the constant at byte loc of the
// text st was parsed from, as PostgreSQL places errors reading constants.
func literalError(err error, loc int32, st *stmt.Statement) error {
	e, ok := err.(*pgerror.Error)
	b := int(loc) - st.Offset
	if !ok || loc < 0 || b < 0 || b > len(st.SQL) {
		return err
	}
	return e.WithPosition(int32(utf8.RuneCountInString(st.SQL[:b]) + 1))
}

// listTypeName returns the name DuckDB reads of the list type of a
// parameter, or of the list of its type when elems is set (the parameter
// stood for an element: x = ANY (...)); "" when it is not a list or has
// no such name.
func listTypeName(f arrow.Field, elems bool) string {
	t := f.Type
	dims := 0
	if elems {
		if isList(t) {
			// PostgreSQL has no arrays of arrays to compare an array
			// with the elements of.
			return ""
		}
		dims = 1
	}
	for isList(t) {
		t = t.(arrow.ListLikeType).Elem()
		dims++
	}
	if dims == 0 {
		return ""
	}
	name := fieldElemTypeName(f, t)
	if name == "" {
		return ""
	}
	return name + strings.Repeat("[]", dims)
}

// scalarTypeName returns the name DuckDB reads of the type of the elements
// of a parameter's type, or of its type when it is not a list; "" when that
// is a string or binary type (which the constant is as written) or has no
// such name.
func scalarTypeName(f arrow.Field) string {
	t := f.Type
	for isList(t) {
		t = t.(arrow.ListLikeType).Elem()
	}
	switch name := fieldElemTypeName(f, t); name {
	case "varchar", "blob":
		return ""
	default:
		return name
	}
}

// fieldElemTypeName is elemTypeName of t, the base type of the elements of
// f: DuckDB's uuid and json are strings in Arrow, and the field says which.
func fieldElemTypeName(f arrow.Field, t arrow.DataType) string {
	if i := f.Metadata.FindKey(backends.MetaPGType); i >= 0 {
		switch f.Metadata.Values()[i] {
		case "2950", "2951":
			return "uuid"
		case "114", "199":
			return "json"
		}
	}
	return elemTypeName(t)
}

// mayBeBytea reports whether the string constant s is one that bytea and
// DuckDB's BLOB read differently and that is worth a probe: PostgreSQL's
// hex format ('\x0102', well formed or not, so that a malformed one fails
// as byteain fails), or the escape format with a backslash that byteain
// takes ('a\\b', '\001'). Other text with backslashes, such as Windows
// paths ('C:\temp', which byteain refuses anyway), costs no probe: one
// per statement made literal INSERTs of such text 50% slower.
func mayBeBytea(s string) bool {
	if strings.HasPrefix(s, `\x`) {
		return true
	}
	if !strings.Contains(s, `\`) {
		return false
	}
	_, err := types.ParseBytea(s)
	return err == nil
}

// mayBeTimestamp reports whether the string constant s is a timestamp that
// DuckDB's cast reads otherwise than PostgreSQL's, or not at all, and so is
// worth a probe: one that types.CanonicalTimestamp reads and that is not
// in the ISO form both read alike (readAlike). In the context of a
// timestamp or timestamptz, Cast writes it in ISO form (with the zone it
// gives, which a timestamp without time zone ignores, as PostgreSQL does):
// '2024-01-01 10:00+00', '2024-01-01 10:00 UTC'.
func mayBeTimestamp(s string) bool {
	if len(s) < 8 || len(s) > 64 || readAlike(s) {
		return false
	}
	_, ok := types.CanonicalTimestamp(s, false)
	return ok
}

// readAlike reports whether s is a timestamp that DuckDB and PostgreSQL
// read alike: 'YYYY-MM-DD', or that with ' hh:mm:ss' (or T for the space),
// a fraction, and a zone 'Z' or an offset '+hh', '+hh:mm' or '+hh:mm:ss'
// (pg_dump's form, '2024-01-01 10:00:00+00', costs no probe).
func readAlike(s string) bool {
	const date, clock = "dddd-dd-dd", "dd:dd:dd"
	digits := func(t, form string) bool {
		if len(t) < len(form) {
			return false
		}
		for i := range len(form) {
			if form[i] == 'd' && (t[i] < '0' || t[i] > '9') || form[i] != 'd' && t[i] != form[i] {
				return false
			}
		}
		return true
	}
	if !digits(s, date) {
		return false
	}
	s = s[len(date):]
	if s == "" {
		return true
	}
	if s[0] != ' ' && s[0] != 'T' || !digits(s[1:], clock) {
		return false
	}
	s = s[1+len(clock):]
	if len(s) > 1 && s[0] == '.' {
		s = s[1:]
		for len(s) > 0 && s[0] >= '0' && s[0] <= '9' {
			s = s[1:]
		}
	}
	switch {
	case s == "" || s == "Z":
		return true
	case s[0] != '+' && s[0] != '-':
		return false
	}
	for _, form := range []string{"dd", "dd:dd", "dd:dd:dd"} {
		if len(s) == 1+len(form) && digits(s[1:], form) {
			return true
		}
	}
	return false
}

// isBinary reports whether t is DuckDB's BLOB as Arrow gives it.
func isBinary(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.BINARY, arrow.LARGE_BINARY, arrow.BINARY_VIEW:
		return true
	}
	return false
}

// isList reports whether t is one of the list types, which DuckDB's lists
// and arrays are.
func isList(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.LIST, arrow.LARGE_LIST, arrow.FIXED_SIZE_LIST, arrow.LIST_VIEW, arrow.LARGE_LIST_VIEW:
		return true
	}
	return false
}

// elemTypeName names the DuckDB type of an Arrow type DuckDB exports, or
// "" for types without one (structs, maps, unions).
func elemTypeName(t arrow.DataType) string {
	switch t.ID() {
	case arrow.BOOL:
		return "boolean"
	case arrow.INT8:
		return "tinyint"
	case arrow.INT16:
		return "smallint"
	case arrow.INT32:
		return "integer"
	case arrow.INT64:
		return "bigint"
	case arrow.UINT8:
		return "utinyint"
	case arrow.UINT16:
		return "usmallint"
	case arrow.UINT32:
		return "uinteger"
	case arrow.UINT64:
		return "ubigint"
	case arrow.FLOAT32:
		return "real"
	case arrow.FLOAT64:
		return "double precision"
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return "varchar"
	case arrow.DICTIONARY:
		// An ENUM: its elements are read as strings, which DuckDB casts
		// to the enum.
		return "varchar"
	case arrow.BINARY, arrow.LARGE_BINARY, arrow.BINARY_VIEW:
		return "blob"
	case arrow.DATE32, arrow.DATE64:
		return "date"
	case arrow.TIME32, arrow.TIME64:
		return "time"
	case arrow.TIMESTAMP:
		ts := t.(*arrow.TimestampType)
		switch {
		case ts.TimeZone != "":
			return "timestamptz"
		case ts.Unit == arrow.Second:
			return "timestamp_s"
		case ts.Unit == arrow.Millisecond:
			return "timestamp_ms"
		case ts.Unit == arrow.Nanosecond:
			return "timestamp_ns"
		}
		return "timestamp"
	case arrow.INTERVAL_MONTH_DAY_NANO, arrow.INTERVAL_MONTHS, arrow.INTERVAL_DAY_TIME:
		return "interval"
	case arrow.DECIMAL128, arrow.DECIMAL256, arrow.DECIMAL32, arrow.DECIMAL64:
		d := t.(arrow.DecimalType)
		return "numeric(" + strconv.Itoa(int(d.GetPrecision())) + "," + strconv.Itoa(int(d.GetScale())) + ")"
	}
	return ""
}

// typeNames caches the parsed type names listTypeName returns.
var typeNames sync.Map // string -> *pg_query.TypeName

// typeNameOf parses a type name, for a cast; each call returns a copy.
func typeNameOf(name string) (*pg_query.TypeName, error) {
	if tn, ok := typeNames.Load(name); ok {
		return clone(&pg_query.Node{Node: &pg_query.Node_TypeName{TypeName: tn.(*pg_query.TypeName)}}).GetTypeName(), nil
	}
	e, err := parseExpr("NULL::" + name)
	if err != nil {
		return nil, err
	}
	tn := e.GetTypeCast().GetTypeName()
	if tn == nil {
		return nil, pgerror.New(pgerror.InternalError, "cannot parse type %q", name)
	}
	typeNames.Store(name, tn)
	return typeNameOf(name)
}

// probes keeps ProbeLiterals' answers by statement text, noProbe for
// statements with nothing to probe.
var probes = textCache[*LiteralProbe]{m: make(map[string]*LiteralProbe)}

var noProbe = &LiteralProbe{}
