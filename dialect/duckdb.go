package dialect

import (
	"strconv"
	"strings"
	"sync"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/stmt"
	"github.com/quiverdb/quiver/types"
)

// duckdb rewrites for embedded DuckDB, whose parser is PostgreSQL's but
// whose engine lacks some of PostgreSQL's statement forms. database is the
// engine's name of the database the client's schemas are in, or "" when
// not known (public.go).
type duckdb struct{ database string }

func (d duckdb) Rewrite(st *stmt.Statement) (*Plan, error) {
	if cs := st.Node.GetCreateSchemaStmt(); cs != nil && cs.Schemaname == PublicSchema {
		// DuckDB's main, which is public, always exists.
		if cs.IfNotExists {
			return &Plan{NoOp: true, Notices: []Notice{{Code: pgerror.DuplicateSchema, Message: `schema "public" already exists, skipping`}}}, nil
		}
		return nil, pgerror.New(pgerror.DuplicateSchema, `schema "public" already exists`)
	}
	mapped := mapPublic(st, d.database)
	p, err := d.rewrite(mapped)
	if err != nil {
		if mapped != st {
			// The error's position is in the client's text.
			if _, e := d.rewrite(st); e != nil {
				err = e
			}
		}
		return nil, placeLiteral(err, st)
	}
	if p == nil && mapped != st {
		p = &Plan{SQL: []string{mapped.SQL}}
	}
	return existingNotices(mapped, missingNotices(mapped, quotePlan(p, mapped))), nil
}

// quotePlan returns p, or st as written when p is nil, with the names
// DuckDB reserves quoted (reserved.go); p itself, which plans may share,
// is not changed.
func quotePlan(p *Plan, st *stmt.Statement) *Plan {
	if p == nil {
		if q := quoteReserved(st.SQL); q != st.SQL {
			return &Plan{SQL: []string{q}}
		}
		return nil
	}
	var out *Plan
	for i, sql := range p.SQL {
		if q := quoteReserved(sql); q != sql {
			if out == nil {
				c := *p
				c.SQL = append([]string(nil), p.SQL...)
				out = &c
			}
			out.SQL[i] = q
		}
	}
	if out == nil {
		return p
	}
	return out
}

func (d duckdb) rewrite(st *stmt.Statement) (*Plan, error) { return d.rewriteAlter(st, true) }

// command plans one command of an ALTER TABLE that planAlterTable maps,
// as a statement of its own.
func (d duckdb) command(st *stmt.Statement) (*Plan, error) { return d.rewriteAlter(st, false) }

// rewriteAlter is rewrite; mapAlter false leaves ALTER TABLE to the
// statement rewrites, for the commands planAlterTable has mapped.
func (duckdb) rewriteAlter(st *stmt.Statement, mapAlter bool) (*Plan, error) {
	if st.Node == nil {
		return nil, nil
	}
	if keepsViewDefinition(st.Node) {
		return planViewDefinition(st)
	}
	if p, ok, err := planExtension(st.Node); ok {
		return p, err
	}
	switch x := st.Node.Node.(type) {
	case *pg_query.Node_RefreshMatViewStmt:
		return nil, pgerror.New(pgerror.FeatureNotSupported, "materialized views are not supported on DuckDB")
	case *pg_query.Node_CreateTableAsStmt:
		if x.CreateTableAsStmt.Objtype == pg_query.ObjectType_OBJECT_MATVIEW {
			return nil, pgerror.New(pgerror.FeatureNotSupported, "materialized views are not supported on DuckDB").
				WithHint("Use CREATE TABLE ... AS, or a view.")
		}
	case *pg_query.Node_LockStmt:
		// DuckDB has no LOCK. quiver runs one transaction block at a time
		// (dispatch), which holds every lock a block could take: LOCK
		// only checks that its relations exist.
		return planLock(x.LockStmt), nil
	case *pg_query.Node_ConstraintsSetStmt:
		// DuckDB checks every constraint at once (DEFERRABLE is dropped
		// with a WARNING when declared): IMMEDIATE is what there is, and
		// DEFERRED cannot be had. Django sets its foreign keys IMMEDIATE
		// after adding them.
		p := &Plan{NoOp: true}
		if x.ConstraintsSetStmt.Deferred {
			p.Warnings = []string{"SET CONSTRAINTS ... DEFERRED is ignored on DuckDB: constraints are checked at once"}
		}
		return p, nil
	case *pg_query.Node_VacuumStmt:
		// DuckDB has no VACUUM ... of named tables nor ANALYZE options
		// worth passing; PostgreSQL clients run them as maintenance.
		return &Plan{NoOp: true}, nil
	case *pg_query.Node_DropStmt:
		// DuckDB drops one object per statement (planDeclared splits
		// DROP TABLE).
		if len(x.DropStmt.Objects) > 1 && x.DropStmt.RemoveType != pg_query.ObjectType_OBJECT_TABLE {
			return splitList(st.Node, func(n *pg_query.Node) *[]*pg_query.Node { return &n.GetDropStmt().Objects })
		}
	case *pg_query.Node_IndexStmt:
		if x.IndexStmt.WhereClause != nil {
			return planFullIndex(st, duckdb{}.rewrite)
		}
		if x.IndexStmt.Idxname == "" {
			return planIndexName(st, x.IndexStmt, duckdb{}.rewrite)
		}
	case *pg_query.Node_TruncateStmt:
		// DuckDB truncates one table per statement and takes neither
		// RESTART IDENTITY (nor has a way to restart the sequences of
		// serial columns, declared.go) nor CONTINUE IDENTITY, which leaves
		// no trace in the tree: TRUNCATE is always written anew.
		n := clone(st.Node)
		ts := n.GetTruncateStmt()
		restart, cascade := ts.RestartSeqs, ts.Behavior == pg_query.DropBehavior_DROP_CASCADE
		ts.RestartSeqs, ts.Behavior = false, pg_query.DropBehavior_DROP_RESTRICT
		var rvs []*pg_query.RangeVar
		for _, r := range ts.Relations {
			rvs = append(rvs, r.GetRangeVar())
		}
		p, err := splitList(n, func(n *pg_query.Node) *[]*pg_query.Node { return &n.GetTruncateStmt().Relations })
		if err != nil {
			return nil, err
		}
		// Foreign keys decide the order, and CASCADE (truncateTables).
		p.Then, p.SQL = truncateTables(rvs, p.SQL, cascade), nil
		if restart {
			p.Warnings = append(p.Warnings, "RESTART IDENTITY is ignored on DuckDB: the sequences of the tables' serial columns go on with their numbers")
		}
		return p, nil
	}
	if p, ok, err := planSequence(st); ok {
		return p, err
	}
	if p, ok := planPrivileges(st.Node); ok {
		return p, nil
	}
	if a := st.Node.GetAlterTableStmt(); a != nil && mapAlter && mapsAlterTable(a) {
		return planAlterTable(st, duckdb{}.command)
	}
	if keepsDeclaredTypes(st.Node) {
		p, err := planDeclared(st)
		if r := st.Node.GetRenameStmt(); r != nil && err == nil {
			return planRenameDependents(r, p), nil
		}
		return p, err
	}
	withCatalog := true
	if p := plans.get(st.SQL); p != nil {
		if p == asWritten {
			return nil, nil
		}
		return p, nil
	}
	if !needsTreeRewrite(st.Node, withCatalog) {
		plans.put(st.SQL, asWritten)
		return nil, nil
	}
	n := clone(st.Node)
	if err := rewriteEngine(n); err != nil {
		return nil, err
	}
	snap := clone(n)
	if err := rewriteCatalog(n); err != nil {
		return nil, err
	}
	sql, err := deparse(n)
	if err != nil {
		return nil, err
	}
	p := &Plan{SQL: []string{sql}}
	if p.Snapshot, err = snapshotPlan(snap); err != nil {
		return nil, err
	}
	plans.put(st.SQL, p)
	return p, nil
}

// snapshotPlan returns tree n, its engine rewrites made, with its catalog
// references expanded to read the snapshot tables, or nil when it reads
// none.
func snapshotPlan(n *pg_query.Node) (*Snapshot, error) {
	rels, err := expandCatalog(n, loadSnapshotCatalog)
	if err != nil || len(rels) == 0 {
		return nil, err
	}
	sql, err := deparse(n)
	if err != nil {
		return nil, err
	}
	return &Snapshot{SQL: quoteReserved(sql), Relations: rels}, nil
}

// textCache keeps what is worked out of statements by their text, shared
// by all sessions, at most planCacheMax entries; values are not changed
// once made.
type textCache[V any] struct {
	sync.Mutex
	m map[string]V
}

const planCacheMax = 256

// plans keeps the rewrites of statements: expanding the catalog into a
// client's catalog query costs milliseconds, and clients send the same
// catalog queries again and again.
var plans = textCache[*Plan]{m: make(map[string]*Plan)}

// asWritten is kept in plans for a statement that needs no rewrite, so
// that a statement sent again (every transaction of a client that does not
// prepare, every Parse of an unnamed statement) is not walked again: the
// walk over the parse tree by reflection costs more than the rest of a
// small statement's planning.
var asWritten = &Plan{}

// get returns the value kept for sql, or the zero value.
func (c *textCache[V]) get(sql string) V {
	c.Lock()
	defer c.Unlock()
	return c.m[sql]
}

// lookup returns the value kept for sql, and whether there is one.
func (c *textCache[V]) lookup(sql string) (V, bool) {
	c.Lock()
	defer c.Unlock()
	v, ok := c.m[sql]
	return v, ok
}

func (c *textCache[V]) put(sql string, v V) {
	c.Lock()
	defer c.Unlock()
	if len(c.m) >= planCacheMax {
		clear(c.m)
	}
	c.m[sql] = v
}

// splitList runs a statement once per element of one of its lists.
func splitList(n *pg_query.Node, list func(*pg_query.Node) *[]*pg_query.Node) (*Plan, error) {
	items := *list(n)
	p := &Plan{}
	for _, it := range items {
		c := clone(n)
		*list(c) = []*pg_query.Node{it}
		if err := rewriteTree(c, true); err != nil {
			return nil, err
		}
		sql, err := deparse(c)
		if err != nil {
			return nil, err
		}
		p.SQL = append(p.SQL, sql)
	}
	return p, nil
}

// needsTreeRewrite reports whether the tree has anything rewriteTree
// changes, so untouched statements keep their original text.
func needsTreeRewrite(n *pg_query.Node, withCatalog bool) bool {
	found := false
	walk(n.ProtoReflect(), func(m protoreflect.Message) {
		if found {
			return
		}
		if withCatalog && catalogCandidate(m) {
			found = true
			return
		}
		switch x := m.Interface().(type) {
		case *pg_query.CreateStmt:
			found = len(x.Options) > 0 || x.Tablespacename != "" ||
				(x.Relation != nil && x.Relation.Relpersistence == "u") ||
				len(x.InhRelations) > 0 || x.Partspec != nil || x.Partbound != nil
		case *pg_query.IndexStmt:
			found = len(x.Options) > 0 || x.TableSpace != "" || (x.AccessMethod != "" && x.AccessMethod != "art") || len(x.IndexIncludingParams) > 0 || hasOpclasses(x)
		case *pg_query.FuncCall:
			found = sequenceRegclass(x) != nil || toRegclass(x) != nil
		case *pg_query.A_Expr:
			found = isPgCatalog(x.Name) || divisorToCheck(x) || likeEscape(x) != nil || symmetricBetween(x) != nil
		case *pg_query.CollateClause:
			found = isDefaultCollation(x)
		case *pg_query.Constraint:
			found = len(x.Options) > 0 || x.Indexspace != "" || x.Contype == pg_query.ConstrType_CONSTR_GENERATED
		case *pg_query.TypeName:
			found = unconstrainedNumeric(x)
		case *pg_query.ColumnDef:
			found = untypedArrayDefault(x) != nil
		case *pg_query.TypeCast:
			found = arrayLiteralCast(x) || byteaLiteralCast(x) || truncatingCast(x) > 0 || timestampLiteral(x) != ""
		case *pg_query.SelectStmt:
			found = len(seriesInTargets(x)) > 0
		case *pg_query.InsertStmt:
			found = upsertKeys(x) != nil || upsertWidth(x) != nil
		case *pg_query.RangeSubselect:
			found = valuesToName(x.Subquery, x.GetAlias().GetColnames()) != nil
		case *pg_query.CommonTableExpr:
			found = valuesToName(x.Ctequery, x.Aliascolnames) != nil
		}
	})
	return found
}

// timestampLiteral returns the ISO form of the string constant that tc
// casts to timestamp or timestamptz (types.CanonicalTimestamp), or "" when
// it is to be left to DuckDB: DuckDB's reading is narrower than
// PostgreSQL's ('2024-06-01 12:00+02'::timestamptz fails) and it reads a
// zone given to a timestamp without time zone, which PostgreSQL ignores.
func timestampLiteral(tc *pg_query.TypeCast) string {
	c := tc.Arg.GetAConst().GetSval()
	if c == nil || tc.TypeName == nil || len(tc.TypeName.ArrayBounds) > 0 || len(tc.TypeName.Typmods) > 0 {
		return ""
	}
	b := typeBase(tc.TypeName)
	if b != "timestamp" && b != "timestamptz" {
		return ""
	}
	out, ok := types.CanonicalTimestamp(c.Sval, b == "timestamptz")
	if !ok || out == c.Sval {
		return ""
	}
	return out
}

// untypedArrayDefault returns the DEFAULT constraint of def, a column of
// an array type, whose default is a string constant: PostgreSQL reads it
// as an array literal ('{}'), where DuckDB would keep the string and fail
// each insert that takes it with its own cast. rewriteTree casts it to the
// column's type (arrayDefaultCast), which the rewrite of array literal
// casts then reads. A string in DuckDB's own syntax ('[1, 2]', which ADD
// COLUMN's first step gives, adddefault.go) is left to DuckDB.
func untypedArrayDefault(def *pg_query.ColumnDef) *pg_query.Constraint {
	if def.TypeName == nil || len(def.TypeName.ArrayBounds) == 0 {
		return nil
	}
	for _, n := range def.Constraints {
		c := n.GetConstraint()
		if s := c.GetRawExpr().GetAConst().GetSval(); c.GetContype() == pg_query.ConstrType_CONSTR_DEFAULT && s != nil &&
			!strings.HasPrefix(strings.TrimSpace(s.Sval), "[") {
			return c
		}
	}
	return nil
}

// arrayDefaultCast is the default of c, untypedArrayDefault's, cast to the
// type of its column def.
func arrayDefaultCast(def *pg_query.ColumnDef, c *pg_query.Constraint) *pg_query.Node {
	return &pg_query.Node{Node: &pg_query.Node_TypeCast{TypeCast: &pg_query.TypeCast{
		Arg: c.RawExpr, TypeName: proto.Clone(def.TypeName).(*pg_query.TypeName), Location: -1}}}
}

// truncatingCast returns n when tc is an explicit cast to varchar(n) or
// char(n), which PostgreSQL makes cut a longer value to n characters
// (DuckDB's VARCHAR has no length), or 0. rewriteTree casts the value to
// varchar and keeps its first n characters; char(n)'s padding is not
// added (the README's known differences).
func truncatingCast(tc *pg_query.TypeCast) int32 {
	tn := tc.TypeName
	if tn == nil || len(tn.ArrayBounds) > 0 || len(tn.Typmods) != 1 || (len(tn.Names) != 1 && !isPgCatalog(tn.Names)) {
		return 0
	}
	if b := typeBase(tn); b != "varchar" && b != "bpchar" {
		return 0
	}
	if n := tn.Typmods[0].GetAConst().GetIval(); n != nil && n.Ival > 0 {
		return n.Ival
	}
	return 0
}

// symmetricBetween returns x BETWEEN least(a, b) AND greatest(a, b) for
// x, an x [NOT] BETWEEN SYMMETRIC a AND b, which DuckDB's parser does not
// take, or nil.
func symmetricBetween(x *pg_query.A_Expr) *pg_query.Node {
	kind := pg_query.A_Expr_Kind_AEXPR_BETWEEN
	switch x.Kind {
	case pg_query.A_Expr_Kind_AEXPR_BETWEEN_SYM:
	case pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM:
		kind = pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN
	default:
		return nil
	}
	bounds := x.Rexpr.GetList().GetItems()
	if len(bounds) != 2 {
		return nil
	}
	lo := funcCall([]string{"least"}, bounds[0], bounds[1])
	hi := funcCall([]string{"greatest"}, clone(bounds[0]), clone(bounds[1]))
	op := "BETWEEN"
	if kind == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN {
		op = "NOT BETWEEN"
	}
	return &pg_query.Node{Node: &pg_query.Node_AExpr{AExpr: &pg_query.A_Expr{Kind: kind, Name: []*pg_query.Node{pg_query.MakeStrNode(op)},
		Lexpr: x.Lexpr, Rexpr: &pg_query.Node{Node: &pg_query.Node_List{List: &pg_query.List{Items: []*pg_query.Node{lo, hi}}}}, Location: x.Location}}}
}

// likeFunctions are DuckDB's functions for LIKE and ILIKE with an escape
// character, by PostgreSQL's operator.
var likeFunctions = map[string]string{"~~": "like_escape", "!~~": "not_like_escape", "~~*": "ilike_escape", "!~~*": "not_ilike_escape"}

// likeEscape returns the call of DuckDB's like_escape (or its kin) that
// x, a LIKE or ILIKE, stands for, or nil when DuckDB's own LIKE means the
// same. PostgreSQL's patterns escape with a backslash unless ESCAPE names
// another character (or none); DuckDB's escape nothing without ESCAPE, and
// it has no form of LIKE for the parser's like_escape(pattern, escape). A
// constant pattern without a backslash is left to DuckDB's LIKE.
func likeEscape(x *pg_query.A_Expr) *pg_query.Node {
	if (x.Kind != pg_query.A_Expr_Kind_AEXPR_LIKE && x.Kind != pg_query.A_Expr_Kind_AEXPR_ILIKE) || x.Lexpr == nil || x.Rexpr == nil {
		return nil
	}
	fn := likeFunctions[operatorName(x)]
	if fn == "" {
		return nil
	}
	pattern, escape := x.Rexpr, pg_query.MakeAConstStrNode(`\`, -1)
	if fc := pattern.GetFuncCall(); fc != nil && len(fc.Args) == 2 {
		if n := names(fc.Funcname); n[len(n)-1] == "like_escape" {
			pattern, escape = fc.Args[0], fc.Args[1]
		}
	} else if c := pattern.GetAConst().GetSval(); c != nil && !strings.Contains(c.Sval, `\`) {
		return nil
	}
	return funcCall([]string{fn}, x.Lexpr, pattern, escape)
}

// listedSets are PostgreSQL's set-returning functions that are lists on
// DuckDB: its generate_series, and the catalog's regexp_matches.
var listedSets = map[string]bool{"generate_series": true, "regexp_matches": true}

// seriesInTargets returns the calls of listedSets in sel's result columns
// (not in their subqueries). PostgreSQL makes a row of each value of such
// a call; on DuckDB it is one list, which unnest makes rows.
func seriesInTargets(sel *pg_query.SelectStmt) []*pg_query.Node {
	var out []*pg_query.Node
	var find func(n *pg_query.Node, underUnnest bool)
	find = func(n *pg_query.Node, underUnnest bool) {
		if n == nil || n.GetSubLink() != nil {
			return
		}
		if fc := n.GetFuncCall(); fc != nil {
			fn := names(fc.Funcname)
			name := fn[len(fn)-1]
			if listedSets[name] && (len(fn) == 1 || fn[0] == "pg_catalog") && !underUnnest && fc.Over == nil {
				out = append(out, n)
			}
			for _, a := range fc.Args {
				find(a, name == "unnest")
			}
			return
		}
		_ = eachChildNode(n.ProtoReflect(), func(c *pg_query.Node) error {
			find(c, false)
			return nil
		}, nil)
	}
	for _, t := range sel.TargetList {
		if rt := t.GetResTarget(); rt != nil {
			find(rt.Val, false)
		}
	}
	return out
}

// valuesToName returns the names PostgreSQL gives the columns of query,
// a VALUES list, beyond those named: column1, column2, ... DuckDB's are
// col0, col1, .... It returns nil for another query, or one whose columns
// all have names.
func valuesToName(query *pg_query.Node, named []*pg_query.Node) []*pg_query.Node {
	sel := query.GetSelectStmt()
	if sel == nil || len(sel.ValuesLists) == 0 || sel.Op > pg_query.SetOperation_SETOP_NONE {
		return nil
	}
	n := len(sel.ValuesLists[0].GetList().GetItems())
	var out []*pg_query.Node
	for i := len(named); i < n; i++ {
		out = append(out, pg_query.MakeStrNode("column"+strconv.Itoa(i+1)))
	}
	return out
}

func isDefaultCollation(c *pg_query.CollateClause) bool {
	n := names(c.Collname)
	return len(n) > 0 && (n[len(n)-1] == "default" || n[len(n)-1] == "C" || n[len(n)-1] == "POSIX")
}

// rewriteTree makes the changes DuckDB needs in place:
//   - storage options (WITH (fillfactor=...)), tablespaces and UNLOGGED
//     are dropped: DuckDB has no such storage parameters;
//   - OPERATOR(pg_catalog.~) becomes the plain operator;
//   - COLLATE pg_catalog."default" (and "C") is dropped;
//   - a string cast to an array type ('{1,2}'::int[]) becomes an ARRAY
//     constructor (arraylit.go), and one cast to bytea the bytes byteain
//     reads (bytealit.go);
//   - a VALUES list in FROM or WITH gets PostgreSQL's column names
//     (column1, ...) for the columns its alias does not name;
//   - numeric (and decimal) without a precision and scale becomes
//     numeric(NumericPrecision, NumericScale), not DuckDB's DECIMAL(18,3);
//   - references to PostgreSQL's system catalog are expanded into package
//     catalog's definitions (see rewriteCatalog).
func rewriteTree(n *pg_query.Node, withCatalog bool) error {
	if err := rewriteEngine(n); err != nil || !withCatalog {
		return err
	}
	return rewriteCatalog(n)
}

// rewriteEngine makes rewriteTree's changes but the catalog's.
func rewriteEngine(n *pg_query.Node) error {
	var err error
	walk(n.ProtoReflect(), func(m protoreflect.Message) {
		switch x := m.Interface().(type) {
		case *pg_query.TypeCast:
			switch {
			case err != nil:
			case arrayLiteralCast(x):
				err = rewriteArrayLiteral(x)
			case byteaLiteralCast(x):
				err = rewriteByteaLiteral(x)
			case timestampLiteral(x) != "":
				x.Arg.GetAConst().Val = &pg_query.A_Const_Sval{Sval: &pg_query.String{Sval: timestampLiteral(x)}}
			case truncatingCast(x) > 0:
				x.Arg = funcCall([]string{"left"}, &pg_query.Node{Node: &pg_query.Node_TypeCast{TypeCast: &pg_query.TypeCast{
					Arg: x.Arg, TypeName: &pg_query.TypeName{Names: []*pg_query.Node{pg_query.MakeStrNode("varchar")}, Typemod: -1}, Location: -1,
				}}}, pg_query.MakeAConstIntNode(int64(truncatingCast(x)), -1))
			}
		case *pg_query.ColumnDef:
			if c := untypedArrayDefault(x); c != nil {
				c.RawExpr = arrayDefaultCast(x, c)
			}
		case *pg_query.CreateStmt:
			switch {
			case err != nil:
			case len(x.InhRelations) > 0 && x.Partbound == nil:
				err = pgerror.New(pgerror.FeatureNotSupported, "table inheritance (INHERITS) is not supported on DuckDB")
			case x.Partspec != nil:
				err = pgerror.New(pgerror.FeatureNotSupported, "partitioned tables (PARTITION BY) are not supported on DuckDB")
			case x.Partbound != nil:
				err = pgerror.New(pgerror.FeatureNotSupported, "partitions (PARTITION OF) are not supported on DuckDB")
			}
			x.Options, x.Tablespacename = nil, ""
			if x.Relation != nil && x.Relation.Relpersistence == "u" {
				x.Relation.Relpersistence = "p"
			}
		case *pg_query.IndexStmt:
			// INCLUDE's columns only cover queries; DuckDB's index keys
			// the others alone.
			x.Options, x.TableSpace, x.IndexIncludingParams = nil, "", nil
			noDefaultMethod(x)
			dropOpclasses(x)
			switch x.AccessMethod {
			case "", "art":
			case "hash":
				// DuckDB's index (ART) answers equality as a hash index does.
				x.AccessMethod = ""
			default:
				if err == nil {
					err = pgerror.New(pgerror.FeatureNotSupported, "index access method %q is not supported on DuckDB", x.AccessMethod)
				}
			}
		case *pg_query.FuncCall:
			if c := sequenceRegclass(x); c != nil {
				x.Args[0] = c
			}
		case *pg_query.InsertStmt:
			if e := upsertWidth(x); e != nil && err == nil {
				err = e
			}
			if keys := upsertKeys(x); keys != nil {
				checkUpsertKeys(x, keys)
			}
		case *pg_query.SelectStmt:
			for _, n := range seriesInTargets(x) {
				n.Node = funcCall([]string{"unnest"}, &pg_query.Node{Node: n.Node}).Node
			}
		case *pg_query.RangeSubselect:
			if more := valuesToName(x.Subquery, x.GetAlias().GetColnames()); more != nil {
				if x.Alias == nil {
					x.Alias = &pg_query.Alias{Aliasname: "unnamed_subquery"}
				}
				x.Alias.Colnames = append(x.Alias.Colnames, more...)
			}
		case *pg_query.CommonTableExpr:
			x.Aliascolnames = append(x.Aliascolnames, valuesToName(x.Ctequery, x.Aliascolnames)...)
		case *pg_query.Constraint:
			x.Options, x.Indexspace = nil, ""
			if x.Contype == pg_query.ConstrType_CONSTR_GENERATED && err == nil {
				// DuckDB's generated columns are virtual, which PostgreSQL's
				// grammar cannot write; PostgreSQL 15's are stored.
				err = pgerror.New(pgerror.FeatureNotSupported, "generated columns (GENERATED ALWAYS AS ... STORED) are not supported on DuckDB")
			}
		case *pg_query.TypeName:
			if unconstrainedNumeric(x) {
				x.Typmods = []*pg_query.Node{pg_query.MakeAConstIntNode(NumericPrecision, -1), pg_query.MakeAConstIntNode(NumericScale, -1)}
			}
		case *pg_query.A_Expr:
			if isPgCatalog(x.Name) {
				x.Name = x.Name[1:]
			}
			if divisorToCheck(x) {
				x.Rexpr = checkedDivisor(x.Rexpr)
			}
		case *pg_query.Node:
			if cc := x.GetCollateClause(); cc != nil && isDefaultCollation(cc) && cc.Arg != nil {
				x.Node = cc.Arg.Node
			}
			if tc := toRegclass(x.GetFuncCall()); tc != nil {
				x.Node = &pg_query.Node_TypeCast{TypeCast: tc}
			}
			if a := x.GetAExpr(); a != nil {
				if call := likeEscape(a); call != nil {
					x.Node = call.Node
				} else if b := symmetricBetween(a); b != nil {
					x.Node = b.Node
				}
			}
		}
	})
	return err
}

// NumericPrecision and NumericScale are the DECIMAL that numeric without a
// typmod becomes on DuckDB, which has no arbitrary-precision decimal and
// would otherwise make it DECIMAL(18,3), rounding 1.23456 to 1.235. The
// DuckDB backend presents columns of this type as numeric without a typmod
// (backends/duckdb.NumericPrecision).
const (
	NumericPrecision = 38
	NumericScale     = 10
)

// unconstrainedNumeric reports whether tn is numeric without a typmod.
func unconstrainedNumeric(tn *pg_query.TypeName) bool {
	return len(tn.Typmods) == 0 && typeBase(tn) == "numeric" && (len(tn.Names) == 1 || isPgCatalog(tn.Names))
}

// divisorToCheck reports whether x divides (/ or %) by something that is
// not a non-zero constant. PostgreSQL raises 22012 for a zero divisor,
// where DuckDB returns NULL or infinity.
func divisorToCheck(x *pg_query.A_Expr) bool {
	if x.Kind != pg_query.A_Expr_Kind_AEXPR_OP || x.Lexpr == nil || x.Rexpr == nil {
		return false
	}
	n := names(x.Name)
	if len(n) != 1 || (n[0] != "/" && n[0] != "%") {
		return false
	}
	if c := x.Rexpr.GetAConst(); c != nil {
		switch {
		case c.GetIval() != nil:
			return c.GetIval().Ival == 0
		case c.GetFval() != nil:
			return strings.Trim(c.GetFval().Fval, "0.") == ""
		case c.Isnull:
			return false
		}
	}
	return true
}

// checkedDivisor wraps a divisor so that zero raises PostgreSQL's error:
// CASE WHEN d = 0 THEN error('division by zero') ELSE d END.
func checkedDivisor(d *pg_query.Node) *pg_query.Node {
	isZero := &pg_query.Node{Node: &pg_query.Node_AExpr{AExpr: &pg_query.A_Expr{
		Kind: pg_query.A_Expr_Kind_AEXPR_OP, Name: []*pg_query.Node{pg_query.MakeStrNode("=")},
		Lexpr: d, Rexpr: pg_query.MakeAConstIntNode(0, -1), Location: -1,
	}}}
	raise := &pg_query.Node{Node: &pg_query.Node_FuncCall{FuncCall: &pg_query.FuncCall{
		Funcname: []*pg_query.Node{pg_query.MakeStrNode("error")},
		Args:     []*pg_query.Node{pg_query.MakeAConstStrNode("division by zero", -1)},
		Location: -1,
	}}}
	return &pg_query.Node{Node: &pg_query.Node_CaseExpr{CaseExpr: &pg_query.CaseExpr{
		Args: []*pg_query.Node{{Node: &pg_query.Node_CaseWhen{CaseWhen: &pg_query.CaseWhen{
			Expr: isZero, Result: raise, Location: -1,
		}}}},
		Defresult: d, Location: -1,
	}}}
}
