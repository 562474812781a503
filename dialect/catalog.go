package dialect

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/quiverdb/quiver/catalog"
	"github.com/quiverdb/quiver/pgerror"
)

// The catalog rewrite replaces references to PostgreSQL's system catalog
// with package catalog's definitions over DuckDB's metadata: a catalog
// relation becomes a subquery, a catalog function call its expression with
// the arguments in place of $1..$n, and regclass-style casts become
// lookups. Definitions refer to each other as pg_catalog.X and are
// expanded once, when first used.

// catalogDefs are the parsed and fully expanded catalog definitions.
type catalogDefs struct {
	rels  map[string]*pg_query.SelectStmt
	funcs map[string]*pg_query.Node // by "name/arity"
	// relNames and funcNames hold every catalog name, for the quick check
	// of unqualified references.
	relNames  map[string]bool
	funcNames map[string]bool
	// snap holds the relations read from their snapshot tables
	// (catalog.SnapshotTable) in these definitions; uses, by "rel:name"
	// and "func:name/arity", the snapshot relations each definition reads.
	snap map[string]bool
	uses map[string][]string
}

// loadCatalog gives the definitions that compute every catalog relation
// from DuckDB's metadata; loadSnapshotCatalog those that read the
// snapshot relations (catalog.SnapshotRelations) from their tables.
var (
	loadCatalog         = sync.OnceValues(func() (*catalogDefs, error) { return newCatalogDefs(nil) })
	loadSnapshotCatalog = sync.OnceValues(func() (*catalogDefs, error) { return newCatalogDefs(catalog.SnapshotRelations()) })
)

func newCatalogDefs(snap []string) (*catalogDefs, error) {
	d := &catalogDefs{
		rels: make(map[string]*pg_query.SelectStmt), funcs: make(map[string]*pg_query.Node),
		relNames: make(map[string]bool), funcNames: make(map[string]bool),
		snap: make(map[string]bool), uses: make(map[string][]string),
	}
	for _, n := range snap {
		d.snap[n] = true
	}
	for _, n := range catalog.RelationNames() {
		d.relNames[n] = true
	}
	for _, n := range catalog.FunctionNames() {
		d.funcNames[n] = true
	}
	l := &defLoader{d: d, busy: make(map[string]bool)}
	for n := range d.relNames {
		if _, err := l.relation(n); err != nil {
			return nil, err
		}
	}
	for _, n := range catalog.FunctionNames() {
		for k := 0; k <= catalog.MaxArity; k++ {
			if _, ok := catalog.Function(n, k); ok {
				if _, err := l.function(n, k); err != nil {
					return nil, err
				}
			}
		}
	}
	return d, nil
}

// defLoader parses definitions and expands the catalog references in
// them, each definition once.
type defLoader struct {
	d    *catalogDefs
	busy map[string]bool
}

func (l *defLoader) relation(name string) (*pg_query.SelectStmt, error) {
	if s, ok := l.d.rels[name]; ok {
		return s, nil
	}
	sql, ok := catalog.Relation(name)
	if !ok {
		return nil, fmt.Errorf("catalog: no relation %s", name)
	}
	if l.d.snap[name] {
		sql = "SELECT * FROM " + catalog.SnapshotTable(name)
	}
	n, err := l.parse("rel:"+name, sql)
	if err != nil {
		return nil, err
	}
	s := n.GetSelectStmt()
	if s == nil {
		return nil, fmt.Errorf("catalog: relation %s is not a SELECT", name)
	}
	l.d.rels[name] = s
	if l.d.snap[name] {
		l.d.uses["rel:"+name] = []string{name}
	}
	return s, nil
}

func (l *defLoader) function(name string, nargs int) (*pg_query.Node, error) {
	key := fmt.Sprintf("%s/%d", name, nargs)
	if e, ok := l.d.funcs[key]; ok {
		return e, nil
	}
	sql, ok := catalog.Function(name, nargs)
	if !ok {
		return nil, fmt.Errorf("catalog: no function %s", key)
	}
	n, err := l.parse("func:"+key, "SELECT "+sql)
	if err != nil {
		return nil, err
	}
	e := n.GetSelectStmt().TargetList[0].GetResTarget().Val
	l.d.funcs[key] = e
	return e, nil
}

// parse parses one definition and expands its pg_catalog references.
func (l *defLoader) parse(key, sql string) (*pg_query.Node, error) {
	if l.busy[key] {
		return nil, fmt.Errorf("catalog: %s refers to itself", key)
	}
	l.busy[key] = true
	defer delete(l.busy, key)
	tree, err := pg_query.Parse(sql)
	if err != nil {
		return nil, fmt.Errorf("catalog: %s: %w", key, err)
	}
	n := tree.Stmts[0].Stmt
	r := &catalogRewriter{defs: l.d, load: l}
	if err := r.node(n); err != nil {
		return nil, fmt.Errorf("catalog: %s: %w", key, err)
	}
	if len(r.snaps) > 0 {
		l.d.uses[key] = r.snaps
	}
	return n, nil
}

// catalogRewriter rewrites one tree. In a definition (load != nil) only
// pg_catalog-qualified names are catalog references, since unqualified
// ones are DuckDB's own functions; in a client's statement unqualified
// names are catalog references too, as pg_catalog is searched first in
// PostgreSQL, unless a CTE of the statement has the name.
type catalogRewriter struct {
	defs *catalogDefs
	load *defLoader
	ctes map[string]bool
	// top is the statement's own SELECT, whose result columns print OID
	// alias types as names.
	top *pg_query.SelectStmt
	// snaps are the snapshot relations the rewritten tree reads.
	snaps []string
	// stored is set for DDL whose expressions DuckDB keeps (a view's
	// query, defaults, checks, index expressions): they do not call the
	// catalog's typed macros, which live in quiver's in-memory database,
	// so that the database file stays whole without quiver (another
	// DuckDB, a Flight SQL session before any PostgreSQL one).
	stored bool
}

// use notes the snapshot relations that definition key reads.
func (r *catalogRewriter) use(key string) {
	for _, n := range r.defs.uses[key] {
		if !slices.Contains(r.snaps, n) {
			r.snaps = append(r.snaps, n)
		}
	}
}

func (r *catalogRewriter) user() bool { return r.load == nil }

func (r *catalogRewriter) relation(name string) (*pg_query.SelectStmt, error) {
	defer r.use("rel:" + name)
	if r.load != nil {
		return r.load.relation(name)
	}
	return r.defs.rels[name], nil
}

func (r *catalogRewriter) function(name string, nargs int) (*pg_query.Node, error) {
	defer r.use(fmt.Sprintf("func:%s/%d", name, nargs))
	if r.load != nil {
		if _, ok := catalog.Function(name, nargs); !ok {
			return nil, nil
		}
		return r.load.function(name, nargs)
	}
	return r.defs.funcs[fmt.Sprintf("%s/%d", name, nargs)], nil
}

// node rewrites the tree below n, children first, then n itself in place.
func (r *catalogRewriter) node(n *pg_query.Node) error {
	if n == nil || n.Node == nil {
		return nil
	}
	if r.user() {
		r.preOrder(n)
	}
	if err := r.message(n.ProtoReflect()); err != nil {
		return err
	}
	return r.replace(n)
}

// message rewrites every Node below m.
func (r *catalogRewriter) message(m protoreflect.Message) error {
	return eachChildNode(m, r.node, func(cm protoreflect.Message) error { return r.inPlace(cm.Interface()) })
}

// inPlace changes messages that are not replaced as a whole.
func (r *catalogRewriter) inPlace(m any) error {
	if !r.user() {
		return nil
	}
	if tn, ok := m.(*pg_query.TypeName); ok {
		return r.typeName(tn)
	}
	return nil
}

// replace changes n itself, its children already rewritten.
func (r *catalogRewriter) replace(n *pg_query.Node) error {
	switch x := n.Node.(type) {
	case *pg_query.Node_RangeVar:
		return r.rangeVar(n, x.RangeVar)
	case *pg_query.Node_FuncCall:
		return r.funcCall(n, x.FuncCall)
	case *pg_query.Node_SqlvalueFunction:
		if r.user() {
			return r.sqlValue(n, x.SqlvalueFunction)
		}
	case *pg_query.Node_TypeCast:
		if r.user() {
			return r.typeCast(n, x.TypeCast)
		}
	case *pg_query.Node_AExpr:
		if r.user() {
			r.regexOperator(n, x.AExpr)
		}
	}
	return nil
}

// catalogName returns the catalog object name a qualified name refers to:
// pg_catalog.X, or X alone in a client's statement.
func (r *catalogRewriter) catalogName(list []string) (string, bool) {
	switch {
	case len(list) == 2 && list[0] == "pg_catalog":
		return list[1], true
	case len(list) == 1 && r.user():
		return list[0], false
	}
	return "", false
}

func (r *catalogRewriter) rangeVar(n *pg_query.Node, rv *pg_query.RangeVar) error {
	if rv.Catalogname != "" {
		return nil
	}
	name, qualified := rv.Relname, rv.Schemaname == "pg_catalog"
	if rv.Schemaname == catalog.InformationSchema {
		// information_schema.X, when the catalog defines it; DuckDB's own
		// information_schema has the rest.
		name = catalog.InformationSchema + "." + rv.Relname
		if !r.defs.relNames[name] {
			return nil
		}
		qualified = true
	}
	if !qualified && (rv.Schemaname != "" || !r.user() || r.ctes[rv.Relname] || !r.defs.relNames[rv.Relname]) {
		return nil
	}
	def, err := r.relation(name)
	if err != nil {
		return err
	}
	if def == nil {
		if catalog.Native(rv.Relname) {
			return nil
		}
		return pgerror.New(pgerror.FeatureNotSupported, "relation pg_catalog.%s is not supported on DuckDB", rv.Relname)
	}
	alias := rv.Alias
	if alias == nil {
		alias = &pg_query.Alias{Aliasname: rv.Relname}
	}
	n.Node = &pg_query.Node_RangeSubselect{RangeSubselect: &pg_query.RangeSubselect{
		Subquery: &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: cloneMsg(def)}},
		Alias:    alias,
	}}
	return nil
}

func (r *catalogRewriter) funcCall(n *pg_query.Node, fc *pg_query.FuncCall) error {
	if r.user() {
		if err := namedArguments(fc); err != nil {
			return err
		}
	}
	name, qualified := r.catalogName(names(fc.Funcname))
	if name == "" {
		return nil
	}
	if name == "sum" || name == "avg" {
		filterIntoArgument(fc)
	}
	plain := !fc.AggStar && !fc.AggDistinct && fc.Over == nil && len(fc.AggOrder) == 0 && fc.AggFilter == nil && !fc.FuncVariadic
	if plain && (qualified || r.defs.funcNames[name] || r.load != nil) && !(r.stored && catalog.TypedMacro(name)) {
		key := timeUnitFunction(name, fc.Args)
		tmpl, err := r.function(key, len(fc.Args))
		if err != nil {
			return err
		}
		if tmpl != nil {
			n.Node = substitute(tmpl, fc.Args).Node
			return nil
		}
	}
	if qualified {
		// A built-in DuckDB also has: call it by its plain name.
		fc.Funcname = fc.Funcname[1:]
	}
	return nil
}

// storesExpressions reports whether n is DDL whose expressions DuckDB
// keeps in its catalog.
func storesExpressions(n *pg_query.Node) bool {
	switch n.Node.(type) {
	case *pg_query.Node_ViewStmt, *pg_query.Node_CreateStmt, *pg_query.Node_AlterTableStmt, *pg_query.Node_IndexStmt:
		return true
	}
	return false
}

// filterIntoArgument moves an aggregate's FILTER (WHERE c) into its one
// argument, as CASE WHEN c THEN x END, for an aggregate that ignores NULLs
// (sum, avg), so that the call is plain and can become a catalog macro, which
// DuckDB calls without FILTER.
func filterIntoArgument(fc *pg_query.FuncCall) {
	if fc.AggFilter == nil || len(fc.Args) != 1 || fc.AggStar || fc.AggDistinct || fc.Over != nil || len(fc.AggOrder) > 0 || fc.FuncVariadic {
		return
	}
	fc.Args[0] = pg_query.MakeCaseExprNode(nil, []*pg_query.Node{pg_query.MakeCaseWhenNode(fc.AggFilter, fc.Args[0], -1)}, -1)
	fc.AggFilter = nil
}

// namedArguments turns a call's named arguments (f(days => 3)) into
// positional ones for the catalog functions that take them
// (catalog.ParamNames). A call of any other function with named
// arguments is refused: DuckDB names its parameters otherwise.
func namedArguments(fc *pg_query.FuncCall) error {
	first := -1
	for i, a := range fc.Args {
		if a.GetNamedArgExpr() != nil {
			first = i
			break
		}
	}
	if first < 0 {
		return nil
	}
	fn := names(fc.Funcname)
	name := fn[len(fn)-1]
	params := catalog.ParamNames(name)
	if params == nil || (len(fn) == 2 && fn[0] != "pg_catalog") {
		return &literalAt{err: pgerror.New(pgerror.FeatureNotSupported, "named arguments are not supported for function %s", name), loc: fc.Location}
	}
	args := make([]*pg_query.Node, first, len(params))
	copy(args, fc.Args[:first])
	for _, a := range fc.Args[first:] {
		na := a.GetNamedArgExpr()
		i := slices.Index(params, na.GetName())
		if na == nil || i < 0 || (i < len(args) && args[i] != nil) {
			return &literalAt{err: pgerror.New(pgerror.UndefinedFunction, "function %s with these arguments does not exist", name).
				WithHint("No function matches the given name and argument types. You might need to add explicit type casts."), loc: fc.Location}
		}
		for len(args) <= i {
			args = append(args, nil)
		}
		args[i] = na.Arg
	}
	for i, a := range args {
		if a == nil {
			args[i] = &pg_query.Node{Node: &pg_query.Node_AConst{AConst: &pg_query.A_Const{Val: &pg_query.A_Const_Ival{Ival: &pg_query.Integer{}}}}}
		}
	}
	fc.Args = args
	return nil
}

// timeUnitFunction is the catalog function for name called with args:
// extract and date_part with a constant unit have a definition of their
// own for each unit, which DuckDB binds far faster than the one that
// covers every unit.
func timeUnitFunction(name string, args []*pg_query.Node) string {
	if (name != "extract" && name != "date_part") || len(args) != 2 {
		return name
	}
	s := args[0].GetAConst().GetSval()
	if s == nil {
		return name
	}
	if unit, ok := catalog.TimeUnit(s.Sval); ok {
		return "quiver_" + name + "_" + unit
	}
	return name
}

// substitute returns a copy of tmpl with $i replaced by args[i-1].
func substitute(tmpl *pg_query.Node, args []*pg_query.Node) *pg_query.Node {
	out := clone(tmpl)
	var fix func(n *pg_query.Node) error
	fix = func(n *pg_query.Node) error {
		if p := n.GetParamRef(); p != nil && p.Number >= 1 && int(p.Number) <= len(args) {
			n.Node = clone(args[p.Number-1]).Node
			return nil
		}
		return eachChildNode(n.ProtoReflect(), fix, nil)
	}
	_ = fix(out)
	return out
}

// eachChildNode calls f on the Nodes directly below m (not below them),
// and after (post-order) on the other messages between m and those Nodes;
// the first error stops the walk.
func eachChildNode(m protoreflect.Message, f func(*pg_query.Node) error, after func(protoreflect.Message) error) error {
	var err error
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Message() == nil || fd.IsMap() {
			return true
		}
		visit := func(cm protoreflect.Message) {
			if err != nil {
				return
			}
			if child, ok := cm.Interface().(*pg_query.Node); ok {
				err = f(child)
				return
			}
			if err = eachChildNode(cm, f, after); err == nil && after != nil {
				err = after(cm)
			}
		}
		if fd.IsList() {
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				visit(l.Get(i).Message())
			}
		} else {
			visit(v.Message())
		}
		return err == nil
	})
	return err
}

// call builds pg_catalog.name(args...) already expanded.
func (r *catalogRewriter) call(name string, args ...*pg_query.Node) (*pg_query.Node, error) {
	tmpl, err := r.function(name, len(args))
	if err != nil {
		return nil, err
	}
	if tmpl == nil {
		return nil, fmt.Errorf("catalog: no function %s/%d", name, len(args))
	}
	return substitute(tmpl, args), nil
}

func (r *catalogRewriter) sqlValue(n *pg_query.Node, f *pg_query.SQLValueFunction) error {
	var name string
	switch f.Op {
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_USER, pg_query.SQLValueFunctionOp_SVFOP_USER,
		pg_query.SQLValueFunctionOp_SVFOP_SESSION_USER, pg_query.SQLValueFunctionOp_SVFOP_CURRENT_ROLE:
		name = "quiver_user"
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG:
		name = "quiver_database"
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA:
		name = "current_schema"
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N, pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N:
		// current_timestamp(p), localtimestamp(p): the transaction's
		// start rounded to p fractional digits.
		ts := funcCall([]string{"now"})
		if f.Op == pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N {
			ts = &pg_query.Node{Node: &pg_query.Node_TypeCast{TypeCast: &pg_query.TypeCast{Arg: ts, TypeName: systemType("timestamp"), Location: -1}}}
		}
		e, err := r.call("quiver_round_timestamp", ts, pg_query.MakeAConstIntNode(int64(min(max(f.Typmod, 0), 6)), -1))
		if err != nil {
			return err
		}
		n.Node = e.Node
		return nil
	default:
		return nil
	}
	e, err := r.call(name)
	if err != nil {
		return err
	}
	n.Node = e.Node
	return nil
}

// regTypes are the OID alias types, by the catalog functions that read
// and print them.
var regTypes = map[string]string{
	"regclass": "regclass", "regtype": "regtype", "regproc": "regproc", "regprocedure": "regproc",
	"regnamespace": "regnamespace", "regrole": "regrole",
}

// unsupportedRegTypes have no catalog behind them on DuckDB.
var unsupportedRegTypes = map[string]bool{
	"regoper": true, "regoperator": true, "regconfig": true, "regdictionary": true, "regcollation": true,
}

// textTypes are the casts that print an OID alias type as its name.
var textTypes = map[string]bool{"text": true, "varchar": true, "name": true, "bpchar": true}

// typeBase returns the lower-case last name of a type.
func typeBase(tn *pg_query.TypeName) string {
	if tn == nil {
		return ""
	}
	n := names(tn.Names)
	if len(n) == 0 {
		return ""
	}
	return strings.ToLower(n[len(n)-1])
}

// deparsedPlain are the pg_catalog types the deparser prints in their
// standard spelling (integer, varchar(n), ...), which DuckDB reads.
var deparsedPlain = map[string]bool{
	"bpchar": true, "varchar": true, "numeric": true, "bool": true, "int2": true, "int4": true, "int8": true,
	"float4": true, "float8": true, "time": true, "timetz": true, "timestamp": true, "timestamptz": true,
	"interval": true, "bit": true, "varbit": true,
}

// typeName strips pg_catalog from type names and maps the types DuckDB
// spells differently.
func (r *catalogRewriter) typeName(tn *pg_query.TypeName) error {
	if len(tn.Names) == 2 && isPgCatalog(tn.Names) && !deparsedPlain[typeBase(tn)] {
		tn.Names = tn.Names[1:]
	}
	switch b := typeBase(tn); {
	case b == "name":
		tn.Names = systemType("varchar").Names
	case b == "jsonb":
		tn.Names = []*pg_query.Node{pg_query.MakeStrNode("json")}
	case unsupportedRegTypes[b]:
		return pgerror.New(pgerror.FeatureNotSupported, "type %s is not supported on DuckDB", b)
	}
	return nil
}

// systemType is pg_catalog.name, which the deparser prints in its
// standard spelling (bigint, varchar).
func systemType(name string) *pg_query.TypeName {
	return &pg_query.TypeName{Names: []*pg_query.Node{pg_query.MakeStrNode("pg_catalog"), pg_query.MakeStrNode(name)}, Typemod: -1}
}

// oidType is the type OIDs have on DuckDB, catalog.OIDType, with tn's
// array bounds: oid[] is a list of it, presented as oid[].
func oidType(tn *pg_query.TypeName) *pg_query.TypeName {
	return &pg_query.TypeName{Names: []*pg_query.Node{pg_query.MakeStrNode(catalog.OIDType)}, Typemod: -1, ArrayBounds: tn.ArrayBounds}
}

// preOrder makes the changes that need to see a node before its children
// are rewritten: an OID alias type cast to text, or in a query's output,
// prints the object's name.
func (r *catalogRewriter) preOrder(n *pg_query.Node) {
	switch x := n.Node.(type) {
	case *pg_query.Node_AExpr:
		rewriteOperator(n)
	case *pg_query.Node_FuncCall:
		r.listAggregate(n, x.FuncCall)
	case *pg_query.Node_TypeCast:
		inner := x.TypeCast.Arg.GetTypeCast()
		if inner == nil || !textTypes[typeBase(x.TypeCast.TypeName)] {
			return
		}
		if reg, ok := regTypes[typeBase(inner.TypeName)]; ok {
			n.Node = outCall(reg, x.TypeCast.Arg).Node
		}
	case *pg_query.Node_SelectStmt:
		if r.top != nil && x.SelectStmt == r.top {
			r.outputNames(x.SelectStmt)
		}
	case *pg_query.Node_RangeFunction:
		if !rewriteJSONEach(n, x.RangeFunction) {
			r.rangeFunction(n, x.RangeFunction)
		}
	}
}

// outCall is pg_catalog.quiver_<reg>_out(arg), to be expanded.
func outCall(reg string, arg *pg_query.Node) *pg_query.Node {
	return &pg_query.Node{Node: &pg_query.Node_FuncCall{FuncCall: &pg_query.FuncCall{
		Funcname: []*pg_query.Node{pg_query.MakeStrNode("pg_catalog"), pg_query.MakeStrNode("quiver_" + reg + "_out")},
		Args:     []*pg_query.Node{arg},
	}}}
}

// outputNames makes OID alias casts in the result columns of the
// statement's own SELECT print names, as PostgreSQL's output functions do.
func (r *catalogRewriter) outputNames(s *pg_query.SelectStmt) {
	for s.Op != pg_query.SetOperation_SETOP_NONE && s.Op != pg_query.SetOperation_SET_OPERATION_UNDEFINED {
		r.outputNames(s.Rarg)
		s = s.Larg
		if s == nil {
			return
		}
	}
	for _, t := range s.TargetList {
		rt := t.GetResTarget()
		if rt == nil || rt.Val == nil {
			continue
		}
		if tc := rt.Val.GetTypeCast(); tc != nil {
			if reg, ok := regTypes[typeBase(tc.TypeName)]; ok {
				rt.Val = outCall(reg, rt.Val)
			}
		}
	}
}

func (r *catalogRewriter) typeCast(n *pg_query.Node, tc *pg_query.TypeCast) error {
	if tc.TypeName == nil {
		return nil
	}
	if err := r.typeName(tc.TypeName); err != nil {
		return err
	}
	base := typeBase(tc.TypeName)
	reg, ok := regTypes[base]
	if !ok {
		if base == "oid" {
			tc.TypeName = oidType(tc.TypeName)
		}
		return nil
	}
	c := tc.Arg.GetAConst()
	if c == nil || c.GetSval() == nil || len(tc.TypeName.ArrayBounds) > 0 {
		// An OID: numbers and columns of OIDs are OIDs already.
		tc.TypeName = oidType(tc.TypeName)
		return nil
	}
	if reg == "regtype" {
		if oid, ok := catalog.TypeOID(c.GetSval().Sval); ok {
			n.Node = pg_query.MakeAConstIntNode(int64(oid), -1).Node
			return nil
		}
	}
	e, err := r.call("quiver_"+reg+"_in", tc.Arg)
	if err != nil {
		return err
	}
	n.Node = e.Node
	return nil
}

// regexOperator makes PostgreSQL's regular expression operators, which
// find a match anywhere, DuckDB's regexp_matches: DuckDB's ~ must match the
// whole string.
func (r *catalogRewriter) regexOperator(n *pg_query.Node, e *pg_query.A_Expr) {
	if e.Kind != pg_query.A_Expr_Kind_AEXPR_OP || e.Lexpr == nil || e.Rexpr == nil {
		return
	}
	op := names(e.Name)
	if len(op) == 2 && op[0] == "pg_catalog" {
		op = op[1:]
	}
	if len(op) != 1 {
		return
	}
	var negate, icase bool
	switch op[0] {
	case "~":
	case "!~":
		negate = true
	case "~*":
		icase = true
	case "!~*":
		negate, icase = true, true
	default:
		return
	}
	args := []*pg_query.Node{e.Lexpr, e.Rexpr}
	if icase {
		args = append(args, pg_query.MakeAConstStrNode("i", -1))
	}
	call := pg_query.MakeFuncCallNode([]*pg_query.Node{pg_query.MakeStrNode("regexp_matches")}, args, -1)
	if negate {
		call = pg_query.MakeBoolExprNode(pg_query.BoolExprType_NOT_EXPR, []*pg_query.Node{call}, -1)
	}
	n.Node = call.Node
}

// scalarSRFs are set-returning functions of one column whose FROM alias
// PostgreSQL lets a query use as the value itself.
var scalarSRFs = map[string]bool{"generate_series": true, "unnest": true}

// rangeFunction prepares FROM f(...) before f is expanded: a catalog
// set-returning function becomes a lateral one-row subquery, and the alias
// of generate_series or unnest also names its column, as PostgreSQL lets
// "FROM generate_series(1, 3) s" use s as the value.
func (r *catalogRewriter) rangeFunction(n *pg_query.Node, rf *pg_query.RangeFunction) {
	if len(rf.Functions) != 1 || rf.IsRowsfrom {
		return
	}
	pair := rf.Functions[0].GetList()
	if pair == nil || len(pair.Items) == 0 || (len(pair.Items) > 1 && pair.Items[1] != nil && pair.Items[1].Node != nil) {
		return
	}
	fc := pair.Items[0].GetFuncCall()
	if fc == nil {
		return
	}
	fn := names(fc.Funcname)
	name, _ := r.catalogName(fn)
	if name != "" && catalog.SetReturning(name) {
		targets := []*pg_query.Node{pg_query.MakeResTargetNodeWithNameAndVal(name, pair.Items[0], -1)}
		if rf.Ordinality {
			targets = append(targets, pg_query.MakeResTargetNodeWithNameAndVal("ordinality", pg_query.MakeAConstIntNode(1, -1), -1))
		}
		alias := rf.Alias
		if alias == nil {
			alias = &pg_query.Alias{Aliasname: name}
		} else if len(alias.Colnames) == 0 && !rf.Ordinality {
			// The alias of a function of one column names the column too.
			alias.Colnames = []*pg_query.Node{pg_query.MakeStrNode(alias.Aliasname)}
		}
		n.Node = &pg_query.Node_RangeSubselect{RangeSubselect: &pg_query.RangeSubselect{
			Lateral:  true,
			Subquery: &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: &pg_query.SelectStmt{TargetList: targets}}},
			Alias:    alias,
		}}
		return
	}
	if scalarSRFs[fn[len(fn)-1]] && rf.Alias != nil && len(rf.Alias.Colnames) == 0 && !rf.Ordinality {
		rf.Alias.Colnames = []*pg_query.Node{pg_query.MakeStrNode(rf.Alias.Aliasname)}
	}
}

func cloneMsg[T proto.Message](m T) T { return proto.Clone(m).(T) }

// rewriteCatalog expands the catalog references of a client's statement.
func rewriteCatalog(n *pg_query.Node) error {
	_, err := expandCatalog(n, loadCatalog)
	return err
}

// expandCatalog expands the catalog references of a client's statement
// with the definitions load gives, and returns the snapshot relations the
// expanded statement reads.
func expandCatalog(n *pg_query.Node, load func() (*catalogDefs, error)) ([]string, error) {
	defs, err := load()
	if err != nil {
		return nil, pgerror.New(pgerror.InternalError, "%v", err)
	}
	r := &catalogRewriter{defs: defs, ctes: make(map[string]bool), top: n.GetSelectStmt(), stored: storesExpressions(n)}
	walk(n.ProtoReflect(), func(m protoreflect.Message) {
		if c, ok := m.Interface().(*pg_query.CommonTableExpr); ok {
			r.ctes[c.Ctename] = true
		}
	})
	if err := r.node(n); err != nil {
		return nil, err
	}
	return r.snaps, nil
}

// catalogCandidate reports whether a message of a client's statement may
// need the catalog rewrite, cheaply: no definitions are loaded.
func catalogCandidate(m protoreflect.Message) bool {
	switch x := m.Interface().(type) {
	case *pg_query.RangeVar:
		return x.Schemaname == "pg_catalog" || (x.Schemaname == "" && x.Catalogname == "" && catalogRelation(x.Relname)) ||
			(x.Schemaname == catalog.InformationSchema && catalogRelation(catalog.InformationSchema+"."+x.Relname))
	case *pg_query.FuncCall:
		n := names(x.Funcname)
		return (len(n) == 2 && n[0] == "pg_catalog") || (len(n) == 1 && (catalogFunction(n[0]) || scalarSRFs[n[0]])) || jsonEachCall(x) != ""
	case *pg_query.SQLValueFunction:
		switch x.Op {
		case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_USER, pg_query.SQLValueFunctionOp_SVFOP_USER,
			pg_query.SQLValueFunctionOp_SVFOP_SESSION_USER, pg_query.SQLValueFunctionOp_SVFOP_CURRENT_ROLE,
			pg_query.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG, pg_query.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA:
			return true
		}
	case *pg_query.TypeName:
		b := typeBase(x)
		return (isPgCatalog(x.Names) && !deparsedPlain[b]) || regTypes[b] != "" || unsupportedRegTypes[b] || b == "name" || b == "oid" || b == "jsonb"
	case *pg_query.A_Expr:
		if operatorToRewrite(x) {
			return true
		}
		if x.Kind == pg_query.A_Expr_Kind_AEXPR_OP && x.Lexpr != nil {
			n := names(x.Name)
			op := n[len(n)-1]
			return op == "~" || op == "!~" || op == "~*" || op == "!~*"
		}
	}
	return false
}

// catalogNames holds the names catalogCandidate checks, without parsing
// the definitions.
var catalogNames = sync.OnceValue(func() [2]map[string]bool {
	rels, funcs := make(map[string]bool), make(map[string]bool)
	for _, n := range catalog.RelationNames() {
		rels[n] = true
	}
	for _, n := range catalog.FunctionNames() {
		funcs[n] = true
	}
	return [2]map[string]bool{rels, funcs}
})

func catalogRelation(name string) bool { return catalogNames()[0][name] }
func catalogFunction(name string) bool { return catalogNames()[1][name] }
