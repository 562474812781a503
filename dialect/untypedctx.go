package dialect

import (
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

// More places where PostgreSQL gives an untyped constant its context's type
// (see untyped.go): a column of a set operation (UNION, INTERSECT, EXCEPT),
// a column of a VALUES list that is not INSERT's, and an argument of the
// array functions whose parameters are polymorphic arrays and elements.
//
// DuckDB types a parameter in none of these places (it makes one in a set
// operation's branch or a VALUES row VARCHAR, and binds no function on
// one), so the probe gives it the type of an expression that has the type
// PostgreSQL would give the constant: COALESCE($n, other), as for operands.
//
//   - In a VALUES list, other is the column's items that have a type of
//     their own, in the other rows: VALUES items see the same names.
//   - In a set operation's branch, other is the same column of the branches
//     whose item has a type of its own, each as a scalar subquery of a copy
//     of the branch (whose untyped constants are NULL, lest a copy hold
//     another's constant): (SELECT q._i FROM (branch) AS q(_1, ..., _i)).
//     DuckDB types the COALESCE as the common type of these, as PostgreSQL
//     resolves a set operation's column.
//   - In a polymorphic array function's arguments (arrayFuncs), other is,
//     for an array argument, another array argument with a type, or
//     ARRAY[e] of an element argument e with one; for an element argument,
//     another element argument, or (a)[1] of an array argument a. A
//     constant in an element's place is cast to the element type (scalar),
//     so that array_append(int_array, '{7}') fails as PostgreSQL's int4in
//     fails. When no polymorphic argument has a type, PostgreSQL refuses
//     the anyarray functions (42804) and reads the anycompatible ones'
//     arrays as text[]: the probe does the same without DuckDB.

// arrayFunc describes the parameters of a PostgreSQL array function.
type arrayFunc struct {
	// params has a letter per parameter: 'a' for anyarray or
	// anycompatiblearray, 'e' for anyelement or anycompatible, '-' for
	// others.
	params string
	// compatible is set for the anycompatible functions, whose untyped
	// arguments are text when none has a type.
	compatible bool
	// ambiguous is set for functions PostgreSQL cannot choose an overload
	// of for an untyped argument (unnest: anyarray, tsvector,
	// anymultirange).
	ambiguous bool
}

// arrayFuncs are PostgreSQL 15's array functions by name/arity.
var arrayFuncs = map[string]arrayFunc{
	"array_dims/1":          {params: "a"},
	"array_ndims/1":         {params: "a"},
	"cardinality/1":         {params: "a"},
	"array_length/2":        {params: "a-"},
	"array_lower/2":         {params: "a-"},
	"array_upper/2":         {params: "a-"},
	"array_to_json/1":       {params: "a"},
	"array_to_json/2":       {params: "a-"},
	"array_to_string/2":     {params: "a-"},
	"array_to_string/3":     {params: "a--"},
	"generate_subscripts/2": {params: "a-"},
	"generate_subscripts/3": {params: "a--"},
	"trim_array/2":          {params: "a-"},
	"array_larger/2":        {params: "aa"},
	"array_smaller/2":       {params: "aa"},
	"arraycontains/2":       {params: "aa"},
	"arraycontained/2":      {params: "aa"},
	"arrayoverlap/2":        {params: "aa"},
	"unnest/1":              {params: "a", ambiguous: true},
	"array_append/2":        {params: "ae", compatible: true},
	"array_prepend/2":       {params: "ea", compatible: true},
	"array_cat/2":           {params: "aa", compatible: true},
	"array_position/2":      {params: "ae", compatible: true},
	"array_position/3":      {params: "ae-", compatible: true},
	"array_positions/2":     {params: "ae", compatible: true},
	"array_remove/2":        {params: "ae", compatible: true},
	"array_replace/3":       {params: "aee", compatible: true},
}

// funcSig returns the arrayFunc of a call, if it calls one.
func funcSig(fc *pg_query.FuncCall) (arrayFunc, bool) {
	if fc.AggStar || fc.FuncVariadic || fc.Over != nil || len(fc.AggOrder) > 0 || fc.AggFilter != nil {
		return arrayFunc{}, false
	}
	var name string
	switch len(fc.Funcname) {
	case 1:
		name = fc.Funcname[0].GetString_().GetSval()
	case 2:
		if fc.Funcname[0].GetString_().GetSval() != "pg_catalog" {
			return arrayFunc{}, false
		}
		name = fc.Funcname[1].GetString_().GetSval()
	default:
		return arrayFunc{}, false
	}
	f, ok := arrayFuncs[name+"/"+strconv.Itoa(len(fc.Args))]
	return f, ok
}

// funcSites adds the untyped array constants among fc's arguments, when fc
// calls one of arrayFuncs.
func funcSites(fc *pg_query.FuncCall, add func(literalSite)) {
	f, ok := funcSig(fc)
	if !ok {
		return
	}
	var sites []int
	var array, elem *pg_query.Node // arguments with a type
	for i, a := range fc.Args {
		if a.GetNamedArgExpr() != nil {
			return
		}
		k := f.params[i]
		if k == '-' {
			continue
		}
		if arrayText(a) {
			sites = append(sites, i)
		}
		if !typed(a) && a.GetParamRef() == nil {
			continue
		}
		switch {
		case k == 'a' && array == nil:
			array = a
		case k == 'e' && elem == nil:
			elem = a
		}
	}
	if len(sites) == 0 {
		return
	}
	if array == nil && elem == nil {
		switch {
		case f.ambiguous:
			add(literalSite{slot: fc.Args[sites[0]], col: -1, err: pgerror.New(pgerror.AmbiguousFunction,
				"function %s(%s) is not unique", fc.Funcname[len(fc.Funcname)-1].GetString_().GetSval(), unknowns(len(fc.Args))).
				WithHint("Could not choose a best candidate function. You might need to add explicit type casts."), errLoc: fc.Location})
		case !f.compatible:
			add(literalSite{slot: fc.Args[sites[0]], col: -1, err: pgerror.New(pgerror.DatatypeMismatch,
				"could not determine polymorphic type because input has type unknown"), errLoc: -1})
		default:
			for _, i := range sites {
				if f.params[i] == 'a' {
					add(literalSite{slot: fc.Args[i], col: -1, fixed: "varchar[]"})
				}
			}
		}
		return
	}
	for _, i := range sites {
		// An array argument is an array (never weak); an element may be
		// JSON.
		s := literalSite{slot: fc.Args[i], col: -1}
		if f.params[i] == 'e' {
			_, s.weak = probeWorthy(fc.Args[i])
		}
		switch {
		case f.params[i] == 'a' && array != nil:
			s.other = array
		case f.params[i] == 'a':
			s.other = &pg_query.Node{Node: &pg_query.Node_AArrayExpr{AArrayExpr: &pg_query.A_ArrayExpr{
				Elements: []*pg_query.Node{elem}, Location: -1}}}
		case elem != nil:
			s.other, s.scalar = elem, true
		default:
			s.other, s.scalar = &pg_query.Node{Node: &pg_query.Node_AIndirection{AIndirection: &pg_query.A_Indirection{
				Arg:         array,
				Indirection: []*pg_query.Node{{Node: &pg_query.Node_AIndices{AIndices: &pg_query.A_Indices{Uidx: pg_query.MakeAConstIntNode(1, -1)}}}},
			}}}, true
		}
		if s.other == fc.Args[i] {
			continue
		}
		add(s)
	}
}

// unknowns is "unknown, unknown, ..." for n arguments.
func unknowns(n int) string {
	return strings.TrimSuffix(strings.Repeat("unknown, ", n), ", ")
}

// arrayText reports whether n is a string constant that starts with '{' or
// '[' (after white space).
func arrayText(n *pg_query.Node) bool {
	s := n.GetAConst().GetSval()
	if s == nil {
		return false
	}
	v := strings.TrimLeft(s.Sval, " \t\n\r\v\f")
	return v != "" && (v[0] == '{' || v[0] == '[')
}

// typedOrParam reports whether n has a type of its own or is a parameter,
// which may have one.
func typedOrParam(n *pg_query.Node) bool {
	return typed(n) || n.GetParamRef() != nil
}

// valuesSites adds the untyped constants of a VALUES list (not INSERT's)
// whose column has items with a type of their own.
func valuesSites(sel *pg_query.SelectStmt, add func(literalSite)) {
	rows := sel.ValuesLists
	if len(rows) < 2 {
		return
	}
	width := len(rows[0].GetList().GetItems())
	for col := range width {
		var others []*pg_query.Node
		for _, r := range rows {
			if items := r.GetList().GetItems(); col < len(items) && typedOrParam(items[col]) {
				others = append(others, items[col])
			}
		}
		if len(others) == 0 {
			continue
		}
		for _, r := range rows {
			items := r.GetList().GetItems()
			if col >= len(items) {
				continue
			}
			if like, weak := probeWorthy(items[col]); like && arrayText(items[col]) {
				add(literalSite{slot: items[col], weak: weak && !slices.ContainsFunc(others, arrayCast), other: coalesceOf(others), col: -1})
			}
		}
	}
}

// arrayCast reports whether n is a cast to an array type, in whose column
// a malformed '{...}' is no JSON object (see probeWorthy).
func arrayCast(n *pg_query.Node) bool {
	tc := n.GetTypeCast()
	return tc != nil && tc.TypeName != nil && len(tc.TypeName.ArrayBounds) > 0
}

// coalesceOf is the one expression of others, or COALESCE of them, whose
// type DuckDB makes their common type.
func coalesceOf(others []*pg_query.Node) *pg_query.Node {
	if len(others) == 1 {
		return others[0]
	}
	return &pg_query.Node{Node: &pg_query.Node_CoalesceExpr{CoalesceExpr: &pg_query.CoalesceExpr{Args: others, Location: -1}}}
}

// setOpSites adds the untyped constants of the select lists of the branches
// of the set operation sel, whose column has, in another branch, an item
// with a type of its own. inner records the set operations below sel,
// whose branches are sel's.
func setOpSites(sel *pg_query.SelectStmt, inner map[*pg_query.SelectStmt]bool, add func(literalSite)) {
	var leaves []*pg_query.SelectStmt
	var collect func(s *pg_query.SelectStmt)
	collect = func(s *pg_query.SelectStmt) {
		if s == nil {
			return
		}
		if plainSelect(s) {
			leaves = append(leaves, s)
			return
		}
		inner[s] = true
		collect(s.Larg)
		collect(s.Rarg)
	}
	collect(sel)
	for _, leaf := range leaves {
		for col, t := range leaf.TargetList {
			rt := t.GetResTarget()
			if rt == nil || isStar(rt.Val) {
				break // the items after a * are in unknown columns
			}
			like, weak := probeWorthy(rt.Val)
			if !like || !arrayText(rt.Val) {
				continue
			}
			var others []*pg_query.Node
			for _, o := range leaves {
				if o == leaf {
					continue
				}
				others = append(others, branchColumn(o, col)...)
				if col < len(o.TargetList) && arrayCast(o.TargetList[col].GetResTarget().GetVal()) {
					weak = false
				}
			}
			if len(others) > 0 {
				add(literalSite{slot: rt.Val, weak: weak, other: coalesceOf(others), col: -1})
			}
		}
	}
}

// branchColumn returns expressions of the type of column col of the branch
// b of a set operation, when b's item there has a type of its own: the
// items of a VALUES list, or a scalar subquery of a copy of a SELECT.
func branchColumn(b *pg_query.SelectStmt, col int) []*pg_query.Node {
	if len(b.ValuesLists) > 0 {
		var out []*pg_query.Node
		for _, r := range b.ValuesLists {
			if items := r.GetList().GetItems(); col < len(items) && typedOrParam(items[col]) {
				out = append(out, items[col])
			}
		}
		return out
	}
	if col >= len(b.TargetList) {
		return nil
	}
	targets := make([]*pg_query.Node, len(b.TargetList))
	for i, t := range b.TargetList {
		rt := t.GetResTarget()
		if rt == nil || isStar(rt.Val) {
			if i <= col {
				return nil
			}
			targets[i] = t
			continue
		}
		if i == col && !typedOrParam(rt.Val) {
			return nil
		}
		targets[i] = t
		if !typedOrParam(rt.Val) {
			// An untyped constant, maybe a site itself: the copy must
			// not hold it.
			targets[i] = &pg_query.Node{Node: &pg_query.Node_ResTarget{ResTarget: &pg_query.ResTarget{
				Name: rt.Name, Val: &pg_query.Node{Node: &pg_query.Node_AConst{AConst: &pg_query.A_Const{Isnull: true, Location: -1}}}, Location: -1,
			}}}
		}
	}
	branch := &pg_query.SelectStmt{
		DistinctClause: b.DistinctClause,
		TargetList:     targets,
		FromClause:     b.FromClause,
		WhereClause:    b.WhereClause,
		GroupClause:    b.GroupClause,
		GroupDistinct:  b.GroupDistinct,
		HavingClause:   b.HavingClause,
		WindowClause:   b.WindowClause,
		SortClause:     b.SortClause,
		LimitOffset:    b.LimitOffset,
		LimitCount:     b.LimitCount,
		LimitOption:    b.LimitOption,
		WithClause:     b.WithClause,
		Op:             pg_query.SetOperation_SETOP_NONE,
	}
	names := make([]*pg_query.Node, col+1)
	for i := range names {
		names[i] = pg_query.MakeStrNode("_" + strconv.Itoa(i+1))
	}
	from := &pg_query.Node{Node: &pg_query.Node_RangeSubselect{RangeSubselect: &pg_query.RangeSubselect{
		Subquery: &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: branch}},
		Alias:    &pg_query.Alias{Aliasname: "_q", Colnames: names},
	}}}
	ref := &pg_query.Node{Node: &pg_query.Node_ColumnRef{ColumnRef: &pg_query.ColumnRef{
		Fields: []*pg_query.Node{pg_query.MakeStrNode("_q"), pg_query.MakeStrNode("_" + strconv.Itoa(col+1))}, Location: -1,
	}}}
	sub := &pg_query.SelectStmt{
		TargetList: []*pg_query.Node{{Node: &pg_query.Node_ResTarget{ResTarget: &pg_query.ResTarget{Val: ref, Location: -1}}}},
		FromClause: []*pg_query.Node{from},
		Op:         pg_query.SetOperation_SETOP_NONE,
	}
	return []*pg_query.Node{{Node: &pg_query.Node_SubLink{SubLink: &pg_query.SubLink{
		SubLinkType: pg_query.SubLinkType_EXPR_SUBLINK,
		Subselect:   &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: sub}},
		Location:    -1,
	}}}}
}

// The jsonb operators - and || on an operand whose type the statement does
// not show. rewriteOperator makes them calls of the catalog's definitions
// where the statement shows a jsonb operand (isJSONB); where an operand is
// a column, its type is known only when DuckDB binds the statement, and
// DuckDB's || on JSON concatenates the texts, its - binds no function on
// JSON. So the probe learns the operand's type, and Cast rewrites the
// operator when DuckDB types it JSON; otherwise the statement is left as
// written. Two forms are looked at:
//
//   - x || '{...}' and '{...}' || x, x not plainly typed (a column, a
//     function's result): the constant is a site like an operand of any
//     operator, COALESCE($n, x) in the probe; when x is a list, it is cast
//     to x's type as such sites are.
//   - x - 'k', x not plainly typed: the operator expression itself is the
//     site, COALESCE($n, x) in the probe (DuckDB binds no - on JSON for a
//     parameter typed JSON either). (x - '{a,b}'::text[] and x - ARRAY[...]
//     are jsonb deletions whatever x, for rewriteOperator.)
//
// When x is itself one of these, (y || '{...}') - 'k', the type of y's
// site decides (DuckDB types y || '{...}' VARCHAR where y is JSON).
//
// The cost: a statement with either form is probed; x - 'k' is found by a
// scan of the text for a quote after a minus (mayHaveArrayLiteral).

// jsonbOperand is the name Cast gives the sites whose operand DuckDB typed
// JSON; no type is named so.
const jsonbOperand = "\x00jsonb"

// jsonbOperator returns, for x - 'k' or x || '{...}' (or '{...}' || x)
// with x not plainly typed, the catalog function that computes the jsonb
// operator, the string constant and x; "" otherwise.
func jsonbOperator(x *pg_query.A_Expr) (fn string, c, other *pg_query.Node) {
	if x.Kind != pg_query.A_Expr_Kind_AEXPR_OP || x.Lexpr == nil || x.Rexpr == nil {
		return "", nil, nil
	}
	switch operatorName(x) {
	case "-":
		if x.Rexpr.GetAConst().GetSval() == nil || plainlyTyped(x.Lexpr) || operatorToRewrite(x) {
			return "", nil, nil
		}
		return "quiver_jsonb_delete", x.Rexpr, x.Lexpr
	case "||":
		c, other = x.Rexpr, x.Lexpr
		if !arrayText(c) { // '{...}' or '[...]', as a JSON object or array
			c, other = other, c
		}
		if !arrayText(c) || plainlyTyped(other) || operatorToRewrite(x) {
			return "", nil, nil
		}
		return "quiver_jsonb_concat", c, other
	}
	return "", nil, nil
}

// jsonbOperatorSite adds the site of n, an operator expression x, when x
// is one of jsonbOperator's.
func jsonbOperatorSite(n *pg_query.Node, x *pg_query.A_Expr, add func(literalSite)) {
	fn, c, other := jsonbOperator(x)
	if fn == "" {
		return
	}
	// The operand of an operator of these, (x || '{...}') - 'k', is JSON
	// when x is: DuckDB types x || '{...}' VARCHAR where x is JSON.
	var inner *pg_query.Node
	if a := other.GetAExpr(); a != nil {
		if f, _, _ := jsonbOperator(a); f != "" {
			inner = other
		}
	}
	if fn == "quiver_jsonb_delete" {
		add(literalSite{slot: n, other: other, col: -1, fn: fn, expr: n, inner: inner})
		return
	}
	_, weak := probeWorthy(c)
	add(literalSite{slot: c, weak: weak, other: other, col: -1, fn: fn, expr: n, inner: inner})
}

// plainlyTyped reports whether the statement shows n's type, or that it
// has none DuckDB could tell: a constant, a parameter, a cast, an array.
func plainlyTyped(n *pg_query.Node) bool {
	return n.GetAConst() != nil || n.GetParamRef() != nil || n.GetTypeCast() != nil || isArrayExpr(n)
}

// isJSONField reports whether f, a parameter's field, is DuckDB's JSON.
func isJSONField(f arrow.Field) bool {
	i := f.Metadata.FindKey(backends.MetaPGType)
	return i >= 0 && f.Metadata.Values()[i] == "114" && !isList(f.Type)
}

// decideJSONB sets the decide of the jsonb operators' sites: a site's own
// parameter, or that of the site of the operator its operand is. (An
// operator's site comes before those within it.)
func decideJSONB(info []siteInfo, sites []literalSite) {
	var at map[*pg_query.Node]int
	for i := len(sites) - 1; i >= 0; i-- {
		s := sites[i]
		if s.fn == "" {
			continue
		}
		if at == nil {
			at = make(map[*pg_query.Node]int)
		}
		at[s.expr] = i
		info[i].decide = info[i].param
		if j, ok := at[s.inner]; ok && s.inner != nil {
			info[i].decide = info[j].decide
		}
	}
}
