package postgres

import (
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/quiverdb/quiver/stmt"
)

// scanShape is what the parse tree says about a query that may be read in
// parts: the table it scans and the functions and operators it calls, which
// the catalog must then show to give the same values on every connection.
type scanShape struct {
	schema, table string // as written; schema may be empty
	only          bool   // FROM ONLY: inheritance children are not read
	funcs, ops    []string
}

// shapeOf returns the shape of sql if it is a plain scan of one relation:
//
//	SELECT targets FROM [ONLY] [schema.]table [[AS] alias] [WHERE condition]
//
// with no DISTINCT, GROUP BY, HAVING, window, ORDER BY, LIMIT, OFFSET,
// FOR UPDATE, INTO, WITH or set operation, and targets and condition built
// only from columns, constants, operators, casts, CASE, COALESCE and
// function calls that are not aggregates or window functions. Subqueries,
// parameters and SQL value functions (CURRENT_TIMESTAMP, CURRENT_USER, ...)
// are refused, as are string constants that a date/time input could read
// relative to the transaction's start ('now', 'today', ...): each part runs
// in a transaction of its own, started at a different time.
func shapeOf(sql string) (scanShape, bool) {
	sts := stmt.Split(sql)
	if len(sts) != 1 || sts[0].Node == nil || sts[0].Kind != stmt.KindQuery || sts[0].Params > 0 {
		return scanShape{}, false
	}
	sel := sts[0].Node.GetSelectStmt()
	if sel == nil || sel.Op != pg_query.SetOperation_SETOP_NONE || sel.WithClause != nil || sel.IntoClause != nil ||
		len(sel.DistinctClause) > 0 || len(sel.GroupClause) > 0 || sel.HavingClause != nil ||
		len(sel.WindowClause) > 0 || len(sel.ValuesLists) > 0 || len(sel.SortClause) > 0 ||
		sel.LimitOffset != nil || sel.LimitCount != nil || len(sel.LockingClause) > 0 ||
		len(sel.TargetList) == 0 || len(sel.FromClause) != 1 {
		return scanShape{}, false
	}
	rv := sel.FromClause[0].GetRangeVar()
	if rv == nil || rv.Catalogname != "" {
		return scanShape{}, false
	}
	sh := scanShape{schema: rv.Schemaname, table: rv.Relname, only: !rv.Inh}
	ok := true
	check := func(m protoreflect.Message) {
		if ok {
			ok = sh.allowed(m.Interface())
		}
	}
	for _, t := range sel.TargetList {
		stmt.Walk(t.ProtoReflect(), check)
	}
	if sel.WhereClause != nil {
		stmt.Walk(sel.WhereClause.ProtoReflect(), check)
	}
	return sh, ok
}

// allowed reports whether a node of a target or the condition may appear in
// a query read in parts, and collects the functions and operators.
func (sh *scanShape) allowed(m any) bool {
	switch n := m.(type) {
	case *pg_query.Node, *pg_query.List, *pg_query.ResTarget, *pg_query.ColumnRef, *pg_query.A_Star,
		*pg_query.String, *pg_query.Integer, *pg_query.Float, *pg_query.Boolean, *pg_query.BitString,
		*pg_query.BoolExpr, *pg_query.NullTest, *pg_query.BooleanTest, *pg_query.TypeCast,
		*pg_query.TypeName, *pg_query.CollateClause, *pg_query.CaseExpr, *pg_query.CaseWhen,
		*pg_query.CoalesceExpr, *pg_query.MinMaxExpr, *pg_query.A_ArrayExpr, *pg_query.RowExpr,
		*pg_query.A_Indirection, *pg_query.A_Indices:
		return true
	case *pg_query.A_Const:
		return n.GetSval() == nil || !relativeTime(n.GetSval().GetSval())
	case *pg_query.A_Expr:
		switch n.Kind {
		case pg_query.A_Expr_Kind_AEXPR_BETWEEN, pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN,
			pg_query.A_Expr_Kind_AEXPR_BETWEEN_SYM, pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM:
			sh.ops = append(sh.ops, ">=", "<=", ">", "<")
		default:
			if name := lastName(n.Name); name != "" {
				sh.ops = append(sh.ops, name)
			}
		}
		return true
	case *pg_query.FuncCall:
		if n.Over != nil || n.AggFilter != nil || len(n.AggOrder) > 0 || n.AggStar || n.AggDistinct || n.AggWithinGroup {
			return false
		}
		name := lastName(n.Funcname)
		sh.funcs = append(sh.funcs, name)
		return name != ""
	}
	return false
}

// lastName returns the unqualified name of a qualified name list.
func lastName(names []*pg_query.Node) string {
	if len(names) == 0 {
		return ""
	}
	return names[len(names)-1].GetString_().GetSval()
}

// relativeTime reports whether a string constant may be one of the special
// date/time inputs whose value depends on when the transaction started.
func relativeTime(s string) bool {
	s = strings.ToLower(s)
	for _, w := range []string{"now", "today", "tomorrow", "yesterday"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// partSQL returns sql (of shape shapeOf accepted) reading only the tuples
// of pages [from, to): to < 0 means to the end, and from 0 from the start.
// The bounds use pg_catalog's tid type and operators, which PostgreSQL 14
// and later run as a TID range scan.
func partSQL(sql string, from, to int64) (string, error) {
	tree, err := pg_query.Parse(sql)
	if err != nil {
		return "", err
	}
	sel := tree.Stmts[0].Stmt.GetSelectStmt()
	var conds []*pg_query.Node
	if sel.WhereClause != nil {
		conds = append(conds, sel.WhereClause)
	}
	if from > 0 {
		conds = append(conds, ctidBound(">=", from))
	}
	if to >= 0 {
		conds = append(conds, ctidBound("<", to))
	}
	switch len(conds) {
	case 0:
		return pg_query.Deparse(tree)
	case 1:
		sel.WhereClause = conds[0]
	default:
		sel.WhereClause = pg_query.MakeBoolExprNode(pg_query.BoolExprType_AND_EXPR, conds, -1)
	}
	return pg_query.Deparse(tree)
}

// ctidBound is "ctid OPERATOR(pg_catalog.op) '(page,0)'::pg_catalog.tid".
func ctidBound(op string, page int64) *pg_query.Node {
	tid := &pg_query.Node{Node: &pg_query.Node_TypeCast{TypeCast: &pg_query.TypeCast{
		Arg: pg_query.MakeAConstStrNode("("+strconv.FormatInt(page, 10)+",0)", -1),
		TypeName: &pg_query.TypeName{
			Names:    []*pg_query.Node{pg_query.MakeStrNode("pg_catalog"), pg_query.MakeStrNode("tid")},
			Typemod:  -1,
			Location: -1,
		},
		Location: -1,
	}}}
	return pg_query.MakeAExprNode(pg_query.A_Expr_Kind_AEXPR_OP,
		[]*pg_query.Node{pg_query.MakeStrNode("pg_catalog"), pg_query.MakeStrNode(op)},
		pg_query.MakeColumnRefNode([]*pg_query.Node{pg_query.MakeStrNode("ctid")}, -1), tid, -1)
}
