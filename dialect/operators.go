package dialect

import (
	"strings"
	"sync"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// PostgreSQL operators that DuckDB parses differently or lacks, rewritten
// on the parse tree before the catalog expansion reaches their operands:
//   - x [NOT] SIMILAR TO p, whose pattern the parser wraps in
//     pg_catalog.similar_to_escape(p), is regexp_full_match(x,
//     similar_to_escape(p)); the catalog translates the pattern
//     (catalog/functions_json.go). DuckDB would match p as a regular
//     expression, with % and _ as literal characters.
//   - the prefix operators |/ (square root), ||/ (cube root) and @
//     (absolute value) are sqrt, cbrt and abs;
//   - -> and ->> are DuckDB's json_extract and json_extract_string, as
//     calls, since DuckDB gives -> a lambda's precedence;
//   - the jsonb operators #> and #>> (a path as a text array), ?, ?| and
//     ?& (keys) are DuckDB's json_extract and json_extract_string with a
//     JSON pointer, and tests on the value's keys;
//   - the jsonb operators that change a value, #- always, - and || when
//     the statement shows a jsonb operand (isJSONB), are calls of the
//     catalog's definitions (catalog/functions_jsonb.go); on an operand
//     whose type only DuckDB knows, a column, the type probe learns it
//     and rewrites them the same way (untypedctx.go). DuckDB binds
//     both branches of a CASE, so an operator whose meaning depends on
//     its operands' types cannot choose it at run time when one branch
//     does not bind for JSON, as DuckDB's - and || do not;
//   - @> and <@ are jsonb containment when an operand is plainly jsonb,
//     array containment (which, unlike DuckDB's, finds no NULL element)
//     when one is plainly an array, and otherwise a definition that
//     chooses by typeof at run time (both of its branches bind for lists
//     and JSON alike).

// prefixOperators maps PostgreSQL's numeric prefix operators to DuckDB
// functions.
var prefixOperators = map[string]string{"|/": "sqrt", "||/": "cbrt", "@": "abs"}

// jsonOperators maps the jsonb operators to the catalog functions that
// compute them from the two operands.
var jsonOperators = map[string]string{
	"#>": "quiver_json_path_get", "#>>": "quiver_json_path_text",
	"?": "quiver_jsonb_exists", "?|": "quiver_jsonb_exists_any", "?&": "quiver_jsonb_exists_all",
	"#-": "quiver_jsonb_delete_path",
}

// operatorToRewrite reports whether rewriteOperator changes x.
func operatorToRewrite(x *pg_query.A_Expr) bool {
	if x.Kind == pg_query.A_Expr_Kind_AEXPR_SIMILAR {
		return true
	}
	if x.Kind != pg_query.A_Expr_Kind_AEXPR_OP || x.Rexpr == nil {
		return false
	}
	op := operatorName(x)
	if x.Lexpr == nil {
		return prefixOperators[op] != ""
	}
	if jsonOperators[op] != "" {
		return true
	}
	switch op {
	case "@>", "<@", "->>":
		return true
	case "->":
		return jsonKey(x.Rexpr)
	case "-":
		return isJSONB(x.Lexpr) || isArrayExpr(x.Rexpr) && !isArrayExpr(x.Lexpr)
	case "||":
		return isJSONB(x.Lexpr) || isJSONB(x.Rexpr) || arrayElementConcat(x) != ""
	}
	return false
}

// jsonbFunctions are the functions whose result is jsonb.
var jsonbFunctions = map[string]bool{
	"to_jsonb": true, "jsonb_build_object": true, "jsonb_build_array": true, "jsonb_set": true, "jsonb_insert": true,
	"jsonb_strip_nulls": true, "jsonb_agg": true, "jsonb_object_agg": true, "jsonb_extract_path": true,
}

// jsonbResultOperators are the operators whose result is jsonb when
// their left operand is.
var jsonbResultOperators = map[string]bool{"->": true, "#>": true, "-": true, "#-": true, "||": true}

// isJSONB reports whether the statement shows that n is a jsonb value: a
// cast to jsonb, a call of a function that returns jsonb, or an operator
// that returns its jsonb operand changed. (A column's type is not known
// before DuckDB binds the statement.)
func isJSONB(n *pg_query.Node) bool {
	switch x := n.GetNode().(type) {
	case *pg_query.Node_TypeCast:
		return typeBase(x.TypeCast.TypeName) == "jsonb" && len(x.TypeCast.TypeName.ArrayBounds) == 0
	case *pg_query.Node_FuncCall:
		fn := names(x.FuncCall.Funcname)
		return len(fn) > 0 && jsonbFunctions[fn[len(fn)-1]] && (len(fn) == 1 || fn[0] == "pg_catalog")
	case *pg_query.Node_AExpr:
		op := operatorName(x.AExpr)
		return x.AExpr.Kind == pg_query.A_Expr_Kind_AEXPR_OP && x.AExpr.Lexpr != nil && jsonbResultOperators[op] &&
			(isJSONB(x.AExpr.Lexpr) || op == "||" && isJSONB(x.AExpr.Rexpr))
	}
	return false
}

// isArrayExpr reports whether the statement shows that n is an array:
// ARRAY[...], ARRAY(subquery) or a cast to an array type.
func isArrayExpr(n *pg_query.Node) bool {
	switch x := n.GetNode().(type) {
	case *pg_query.Node_AArrayExpr:
		return true
	case *pg_query.Node_SubLink:
		return x.SubLink.SubLinkType == pg_query.SubLinkType_ARRAY_SUBLINK
	case *pg_query.Node_TypeCast:
		return len(x.TypeCast.TypeName.ArrayBounds) > 0
	}
	return false
}

// operatorName is the operator of x without pg_catalog, or "".
func operatorName(x *pg_query.A_Expr) string {
	op := names(x.Name)
	if len(op) == 2 && op[0] == "pg_catalog" {
		op = op[1:]
	}
	if len(op) != 1 {
		return ""
	}
	return op[0]
}

// rewriteOperator replaces n, an operator expression, by the call DuckDB
// runs for it; its operands are rewritten afterwards.
func rewriteOperator(n *pg_query.Node) {
	x := n.GetAExpr()
	if x == nil || !operatorToRewrite(x) {
		return
	}
	if x.Kind == pg_query.A_Expr_Kind_AEXPR_SIMILAR {
		call := funcCall([]string{"regexp_full_match"}, x.Lexpr, x.Rexpr)
		if operatorName(x) == "!~" {
			call = pg_query.MakeBoolExprNode(pg_query.BoolExprType_NOT_EXPR, []*pg_query.Node{call}, -1)
		}
		n.Node = call.Node
		return
	}
	op := operatorName(x)
	if x.Lexpr == nil {
		n.Node = funcCall([]string{prefixOperators[op]}, x.Rexpr).Node
		return
	}
	l, r := x.Lexpr, x.Rexpr
	fn := jsonOperators[op]
	switch op {
	case "@>", "<@":
		if op == "<@" {
			l, r = r, l
		}
		switch {
		case isJSONB(l) || isJSONB(r):
			fn = "quiver_jsonb_contains"
		case isArrayExpr(l) || isArrayExpr(r):
			fn = "quiver_array_contains"
		default:
			fn = "quiver_contains"
		}
	case "-":
		fn = "quiver_jsonb_delete"
	case "||":
		fn = "quiver_jsonb_concat"
		if f := arrayElementConcat(x); f != "" && !isJSONB(x.Lexpr) && !isJSONB(x.Rexpr) {
			n.Node = funcCall([]string{f}, l, r).Node
			return
		}
	case "->", "->>":
		// DuckDB's own operators, as calls: DuckDB reads -> as a
		// lambda's arrow, below IS NULL and the comparisons, so the
		// deparser's x -> 'a' IS NULL (PostgreSQL's precedence) would be
		// x -> ('a' IS NULL) there.
		name := "json_extract"
		if op == "->>" {
			name = "json_extract_string"
		}
		n.Node = funcCall([]string{name}, l, keyPath(r)).Node
		return
	}
	if pathOperators[op] {
		r = textArrayConstant(r)
	}
	n.Node = funcCall([]string{"pg_catalog", fn}, l, r).Node
}

// arrayElementConcat returns the DuckDB function for x, an ||, when the
// statement shows that it joins an array and an element (array[1, 2] ||
// 3, 0 || array[1]), which PostgreSQL appends or prepends and DuckDB
// refuses to concatenate: list_append or list_prepend. It returns "" for
// anything else, including a string constant beside an array (an array
// literal: concatenation).
func arrayElementConcat(x *pg_query.A_Expr) string {
	element := func(n *pg_query.Node) bool {
		return !isArrayExpr(n) && n.GetAConst().GetSval() == nil && !n.GetAConst().GetIsnull()
	}
	switch {
	case isArrayExpr(x.Lexpr) && element(x.Rexpr) && (x.Rexpr.GetAConst() != nil || x.Rexpr.GetTypeCast() != nil):
		return "list_append"
	case isArrayExpr(x.Rexpr) && element(x.Lexpr) && (x.Lexpr.GetAConst() != nil || x.Lexpr.GetTypeCast() != nil):
		return "list_prepend"
	}
	return ""
}

// jsonKey reports whether n, the right operand of ->, is a key or an
// index (a constant or a parameter, possibly cast), which tells the jsonb
// operator from the arrow of a DuckDB lambda (x -> x + 1).
func jsonKey(n *pg_query.Node) bool {
	if tc := n.GetTypeCast(); tc != nil {
		n = tc.Arg
	}
	return n.GetAConst() != nil || n.GetParamRef() != nil
}

// keyPath is n, the key of -> or ->>, as DuckDB reads it as a key: a
// string constant that starts with $ or / would be a JSON path or pointer
// to DuckDB, so it becomes the path of that one key.
func keyPath(n *pg_query.Node) *pg_query.Node {
	c := n.GetAConst().GetSval()
	if c == nil || !strings.HasPrefix(c.Sval, "$") && !strings.HasPrefix(c.Sval, "/") {
		return n
	}
	k := strings.ReplaceAll(strings.ReplaceAll(c.Sval, `\`, `\\`), `"`, `\"`)
	return pg_query.MakeAConstStrNode(`$."`+k+`"`, -1)
}

// textArrayConstant is n, read as a text array as array_in reads it when
// it is a string constant ('{a,b}'); a malformed one is left to DuckDB's
// cast.
func textArrayConstant(n *pg_query.Node) *pg_query.Node {
	if n.GetAConst().GetSval() == nil {
		return n
	}
	tc := &pg_query.TypeCast{Arg: n, TypeName: &pg_query.TypeName{
		Names: []*pg_query.Node{pg_query.MakeStrNode("varchar")}, Typemod: -1,
		ArrayBounds: []*pg_query.Node{pg_query.MakeIntNode(-1)},
	}}
	if rewriteArrayLiteral(tc) != nil {
		return n
	}
	return &pg_query.Node{Node: &pg_query.Node_TypeCast{TypeCast: tc}}
}

// pathFunctions are the functions whose second argument is a path, a
// text array.
var pathFunctions = map[string]bool{"jsonb_set": true, "jsonb_insert": true}

// pathArgument reads the path argument of a call of a path function
// written as a string constant as textArrayConstant does.
func (r *catalogRewriter) pathArgument(fc *pg_query.FuncCall) {
	if name, _ := r.catalogName(names(fc.Funcname)); pathFunctions[name] && len(fc.Args) >= 2 {
		fc.Args[1] = textArrayConstant(fc.Args[1])
	}
}

// pathOperators are the jsonb operators whose right operand is a text
// array.
var pathOperators = map[string]bool{"#>": true, "#>>": true, "?|": true, "?&": true, "#-": true}

// funcCall builds name(args...).
func funcCall(name []string, args ...*pg_query.Node) *pg_query.Node {
	fn := make([]*pg_query.Node, len(name))
	for i, s := range name {
		fn[i] = pg_query.MakeStrNode(s)
	}
	return pg_query.MakeFuncCallNode(fn, args, -1)
}

// jsonEachQueries are the set-returning json_each functions as queries
// over DuckDB's json_each, which has more columns (key, value, type,
// atom, id, parent, fullkey, path): PostgreSQL's have key and value, value
// as text for the _text forms (NULL for a JSON null). DuckDB's json_each
// is called with the path '$' so that it is not rewritten again.
var jsonEachQueries = map[string]string{
	"json_each":            `SELECT key, value FROM json_each($1, '$')`,
	"jsonb_each":           `SELECT key, value FROM json_each($1, '$')`,
	"json_each_text":       jsonEachText,
	"jsonb_each_text":      jsonEachText,
	"json_array_elements":  `SELECT value FROM json_each($1, '$')`,
	"jsonb_array_elements": `SELECT value FROM json_each($1, '$')`,
}

const jsonEachText = `SELECT key, CASE WHEN type = 'VARCHAR' THEN json_extract_string(value, '$')
  WHEN type <> 'NULL' THEN CAST(value AS varchar) END AS value FROM json_each($1, '$')`

// parsedJSONEach holds jsonEachQueries parsed.
var parsedJSONEach = sync.OnceValue(func() map[string]*pg_query.Node {
	m := make(map[string]*pg_query.Node, len(jsonEachQueries))
	for name, sql := range jsonEachQueries {
		tree, err := pg_query.Parse(sql)
		if err != nil {
			panic("dialect: " + name + ": " + err.Error())
		}
		m[name] = tree.Stmts[0].Stmt
	}
	return m
})

// jsonEachCall returns the json_each function fc calls, or "".
func jsonEachCall(fc *pg_query.FuncCall) string {
	fn := names(fc.Funcname)
	if len(fn) == 2 && fn[0] == "pg_catalog" {
		fn = fn[1:]
	}
	if len(fn) != 1 || len(fc.Args) != 1 || jsonEachQueries[fn[0]] == "" {
		return ""
	}
	return fn[0]
}

// rewriteJSONEach makes FROM json_each(x) [alias] a lateral subquery of
// the columns PostgreSQL's json_each has, and reports whether it did.
func rewriteJSONEach(n *pg_query.Node, rf *pg_query.RangeFunction) bool {
	if len(rf.Functions) != 1 || rf.IsRowsfrom || rf.Ordinality {
		return false
	}
	pair := rf.Functions[0].GetList()
	if pair == nil || len(pair.Items) == 0 || (len(pair.Items) > 1 && pair.Items[1] != nil && pair.Items[1].Node != nil) {
		return false
	}
	fc := pair.Items[0].GetFuncCall()
	if fc == nil {
		return false
	}
	name := jsonEachCall(fc)
	if name == "" {
		return false
	}
	alias := rf.Alias
	if alias == nil {
		alias = &pg_query.Alias{Aliasname: name}
	}
	n.Node = &pg_query.Node_RangeSubselect{RangeSubselect: &pg_query.RangeSubselect{
		Lateral: true, Subquery: substitute(parsedJSONEach()[name], fc.Args), Alias: alias,
	}}
	return true
}

// listAggregates are the catalog aggregates whose expression aggregates
// with DuckDB's list(): the ORDER BY, FILTER and OVER of a call move onto
// that list(). DISTINCT is not: PostgreSQL orders the distinct values, and
// list() sees their JSON texts.
var listAggregates = map[string]bool{"json_agg": true, "jsonb_agg": true}

// listAggregate expands a call of a list aggregate that has ORDER BY,
// FILTER or OVER, which the plain expansion of catalog
// functions leaves alone.
// It also reads a path function's path constant (pathArgument).
func (r *catalogRewriter) listAggregate(n *pg_query.Node, fc *pg_query.FuncCall) {
	r.pathArgument(fc)
	name, _ := r.catalogName(names(fc.Funcname))
	if !listAggregates[name] || len(fc.Args) != 1 || fc.AggStar || fc.FuncVariadic || fc.AggDistinct ||
		(len(fc.AggOrder) == 0 && fc.AggFilter == nil && fc.Over == nil) {
		return
	}
	tmpl, err := r.function(name, 1)
	if err != nil || tmpl == nil {
		return
	}
	out := substitute(tmpl, fc.Args)
	walk(out.ProtoReflect(), func(m protoreflect.Message) {
		if c, ok := m.Interface().(*pg_query.FuncCall); ok {
			if fn := names(c.Funcname); len(fn) == 1 && fn[0] == "list" {
				c.AggOrder, c.AggFilter, c.Over = fc.AggOrder, fc.AggFilter, fc.Over
			}
		}
	})
	n.Node = out.Node
}
