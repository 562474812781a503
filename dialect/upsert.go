package dialect

import (
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/quiverdb/quiver/catalog"
	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/stmt"
)

// An INSERT ... ON CONFLICT DO UPDATE whose rows repeat a key: PostgreSQL
// refuses the statement (21000, "ON CONFLICT DO UPDATE command cannot
// affect row a second time"), because the second row would update the
// row the first wrote. DuckDB inserts or updates with the first such row
// and drops the others without a word, so that an upsert of (1, 'a') and
// (1, 'b') keeps 'a' and reports one row.
//
// The rewrite reads the statement's rows through a window that counts
// each key's rows, and calls error() for a row whose key is repeated:
//
//	INSERT INTO t (k, v) SELECT "quiver$1", "quiver$2" FROM
//	  (SELECT *, count(*) OVER (PARTITION BY "quiver$1") AS "quiver$rows" FROM
//	    (SELECT *, row_number() OVER () AS "quiver$ord"
//	     FROM (VALUES ...) AS "quiver$upsert" ("quiver$1", "quiver$2")) AS "quiver$upsert") AS "quiver$upsert"
//	  WHERE CASE WHEN "quiver$rows" > 1 AND "quiver$1" IS NOT NULL THEN error(...) ELSE true END
//	  ORDER BY "quiver$ord"
//	  ON CONFLICT (k) DO UPDATE ...
//
// so the rows are made once, in their order, and the statement fails
// before it writes.
// Keys with a NULL never conflict, as in a unique index. The rewrite
// applies where the conflict target is columns that the statement's
// column list names, and the rows are a query or more than one VALUES row
// (not when a row's keys are constants that differ from every other
// row's, nor when a row has DEFAULT, which only a plain VALUES takes), and
// the rows have no parameters: DuckDB types a parameter of VALUES by the
// column it inserts into, and leaves it untyped inside the window's
// query. The rows of an upsert of parameters (an ORM's bulk upsert) are
// checked when the parameters are bound (CheckParams).

// upsertKeys returns, for an INSERT that the rewrite applies to, the
// positions of its conflict target's columns in its column list.
func upsertKeys(ins *pg_query.InsertStmt) []int {
	if stmt.HasParam(ins.SelectStmt) {
		return nil
	}
	keys := conflictColumns(ins)
	if keys == nil {
		return nil
	}
	sel := ins.SelectStmt.GetSelectStmt()
	if sel.ValuesLists == nil {
		// A query whose columns are not counted as the column list's (a
		// *, a set operation) is left to DuckDB: the window's query
		// would take its first columns where PostgreSQL refuses it.
		if sel.Op != pg_query.SetOperation_SETOP_NONE || len(sel.TargetList) != len(ins.Cols) {
			return nil
		}
		for _, t := range sel.TargetList {
			for _, f := range t.GetResTarget().GetVal().GetColumnRef().GetFields() {
				if f.GetAStar() != nil {
					return nil
				}
			}
		}
		return keys
	}
	if len(sel.ValuesLists) < 2 {
		return nil
	}
	seen := map[string]bool{}
	constant := true
	for _, row := range sel.ValuesLists {
		items := row.GetList().GetItems()
		if len(items) != len(ins.Cols) {
			return nil
		}
		key := ""
		for _, it := range items {
			if it.GetSetToDefault() != nil {
				return nil
			}
		}
		for _, k := range keys {
			c := items[k].GetAConst()
			switch {
			case c == nil || c.Isnull:
				constant = false
			case c.GetIval() != nil:
				key += "i" + strconv.FormatInt(int64(c.GetIval().Ival), 10) + "\x00"
			case c.GetSval() != nil:
				key += "s" + c.GetSval().Sval + "\x00"
			default:
				constant = false
			}
		}
		if constant {
			if seen[key] {
				return keys
			}
			seen[key] = true
		}
	}
	if constant {
		return nil
	}
	return keys
}

// upsertWidth returns PostgreSQL's error for an INSERT ... ON CONFLICT of
// a query whose select list is wider or narrower than the column list,
// which DuckDB takes, inserting the first columns (or failing on the
// EXCLUDED table). A select list with * is not counted.
func upsertWidth(ins *pg_query.InsertStmt) error {
	sel := ins.SelectStmt.GetSelectStmt()
	if ins.OnConflictClause == nil || len(ins.Cols) == 0 || sel == nil || sel.ValuesLists != nil ||
		sel.Op != pg_query.SetOperation_SETOP_NONE || len(sel.TargetList) == len(ins.Cols) {
		return nil
	}
	for _, t := range sel.TargetList {
		for _, f := range t.GetResTarget().GetVal().GetColumnRef().GetFields() {
			if f.GetAStar() != nil {
				return nil
			}
		}
	}
	if len(sel.TargetList) > len(ins.Cols) {
		return pgerror.New(pgerror.SyntaxError, "INSERT has more expressions than target columns")
	}
	return pgerror.New(pgerror.SyntaxError, "INSERT has more target columns than expressions")
}

// conflictColumns returns, for an INSERT ... ON CONFLICT (columns) DO
// UPDATE with a column list that names them, and a query or VALUES, the
// positions of the conflict target's columns in the column list.
func conflictColumns(ins *pg_query.InsertStmt) []int {
	oc := ins.OnConflictClause
	if oc == nil || oc.Action != pg_query.OnConflictAction_ONCONFLICT_UPDATE || oc.Infer == nil ||
		oc.Infer.Conname != "" || len(oc.Infer.IndexElems) == 0 || len(ins.Cols) == 0 || ins.SelectStmt.GetSelectStmt() == nil {
		return nil
	}
	var keys []int
	for _, e := range oc.Infer.IndexElems {
		ie := e.GetIndexElem()
		if ie == nil || ie.Name == "" {
			return nil
		}
		k := -1
		for i, c := range ins.Cols {
			if rt := c.GetResTarget(); rt != nil && rt.Name == ie.Name && len(rt.Indirection) == 0 {
				k = i
			}
		}
		if k < 0 {
			return nil
		}
		keys = append(keys, k)
	}
	return keys
}

// CheckParams refuses, with PostgreSQL's 21000, an upsert whose VALUES
// rows give one key twice once its parameters are bound, which the
// rewrite cannot check (upsertKeys). Keys are compared as their
// parameters' values, or constants' text, so that the same value written
// two ways (1 and '01') is not found; a key that is an expression is not
// checked.
func (duckdb) CheckParams(st *stmt.Statement, params arrow.RecordBatch) error {
	ins := st.Node.GetInsertStmt()
	if ins == nil || params == nil || ins.OnConflictClause == nil {
		return nil
	}
	keys := conflictColumns(ins)
	rows := ins.SelectStmt.GetSelectStmt().GetValuesLists()
	if keys == nil || len(rows) < 2 {
		return nil
	}
	seen := make(map[string]bool, len(rows))
rows:
	for _, row := range rows {
		items := row.GetList().GetItems()
		if len(items) != len(ins.Cols) {
			return nil
		}
		key := ""
		for _, k := range keys {
			it := items[k]
			if tc := it.GetTypeCast(); tc != nil {
				it = tc.Arg
			}
			switch {
			case it.GetParamRef() != nil:
				n := int(it.GetParamRef().Number) - 1
				if n < 0 || n >= int(params.NumCols()) || params.NumRows() != 1 {
					return nil
				}
				col := params.Column(n)
				if col.IsNull(0) {
					continue rows
				}
				key += col.ValueStr(0) + "\x00"
			case it.GetAConst() != nil && it.GetAConst().Isnull:
				continue rows
			case it.GetAConst().GetIval() != nil:
				key += strconv.FormatInt(int64(it.GetAConst().GetIval().Ival), 10) + "\x00"
			case it.GetAConst().GetSval() != nil:
				key += it.GetAConst().GetSval().Sval + "\x00"
			default:
				return nil
			}
		}
		if seen[key] {
			return pgerror.New(pgerror.CardinalityViolation, "%s", catalog.UpsertTwice).
				WithHint("Ensure that no rows proposed for insertion within the same command have duplicate constrained values.")
		}
		seen[key] = true
	}
	return nil
}

// checkUpsertKeys makes the rewrite for ins, keys being upsertKeys(ins).
func checkUpsertKeys(ins *pg_query.InsertStmt, keys []int) {
	col := func(i int) string { return "quiver$" + strconv.Itoa(i+1) }
	ref := func(i int) *pg_query.Node {
		return pg_query.MakeColumnRefNode([]*pg_query.Node{pg_query.MakeStrNode(col(i))}, -1)
	}
	var aliases, targets, partition []*pg_query.Node
	for i := range ins.Cols {
		aliases = append(aliases, pg_query.MakeStrNode(col(i)))
		targets = append(targets, pg_query.MakeResTargetNodeWithVal(ref(i), -1))
	}
	cond := []*pg_query.Node{{Node: &pg_query.Node_AExpr{AExpr: &pg_query.A_Expr{
		Kind: pg_query.A_Expr_Kind_AEXPR_OP, Name: []*pg_query.Node{pg_query.MakeStrNode(">")},
		Lexpr:    pg_query.MakeColumnRefNode([]*pg_query.Node{pg_query.MakeStrNode("quiver$rows")}, -1),
		Rexpr:    pg_query.MakeAConstIntNode(1, -1),
		Location: -1,
	}}}}
	for _, k := range keys {
		partition = append(partition, ref(k))
		cond = append(cond, &pg_query.Node{Node: &pg_query.Node_NullTest{NullTest: &pg_query.NullTest{
			Arg: ref(k), Nulltesttype: pg_query.NullTestType_IS_NOT_NULL, Location: -1,
		}}})
	}
	star := pg_query.MakeResTargetNodeWithVal(pg_query.MakeColumnRefNode([]*pg_query.Node{{Node: &pg_query.Node_AStar{AStar: &pg_query.A_Star{}}}}, -1), -1)
	window := func(name string, f *pg_query.Node, over *pg_query.WindowDef, from *pg_query.Node) *pg_query.Node {
		f.GetFuncCall().Over = over
		return &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: &pg_query.SelectStmt{
			TargetList:  []*pg_query.Node{star, {Node: &pg_query.Node_ResTarget{ResTarget: &pg_query.ResTarget{Name: name, Val: f, Location: -1}}}},
			FromClause:  []*pg_query.Node{from},
			LimitOption: pg_query.LimitOption_LIMIT_OPTION_DEFAULT,
			Op:          pg_query.SetOperation_SETOP_NONE,
		}}}
	}
	subselect := func(q *pg_query.Node, colnames []*pg_query.Node) *pg_query.Node {
		return &pg_query.Node{Node: &pg_query.Node_RangeSubselect{RangeSubselect: &pg_query.RangeSubselect{
			Subquery: q, Alias: &pg_query.Alias{Aliasname: "quiver$upsert", Colnames: colnames},
		}}}
	}
	// The rows in the statement's order (numbered before the count,
	// whose partitions reorder them), so that they are written, and
	// returned, in that order.
	numbered := window("quiver$ord", funcCall([]string{"row_number"}), &pg_query.WindowDef{FrameOptions: 1058, Location: -1},
		subselect(ins.SelectStmt, aliases))
	count := funcCall([]string{"count"})
	count.GetFuncCall().AggStar = true
	counted := window("quiver$rows", count, &pg_query.WindowDef{PartitionClause: partition, FrameOptions: 1058, Location: -1},
		subselect(numbered, nil))
	raise := funcCall([]string{"error"}, pg_query.MakeAConstStrNode(catalog.UpsertTwice, -1))
	when := pg_query.MakeBoolExprNode(pg_query.BoolExprType_AND_EXPR, cond, -1)
	where := &pg_query.Node{Node: &pg_query.Node_CaseExpr{CaseExpr: &pg_query.CaseExpr{
		Args: []*pg_query.Node{{Node: &pg_query.Node_CaseWhen{CaseWhen: &pg_query.CaseWhen{
			Expr: when, Result: raise, Location: -1,
		}}}},
		Defresult: &pg_query.Node{Node: &pg_query.Node_AConst{AConst: &pg_query.A_Const{Val: &pg_query.A_Const_Boolval{Boolval: &pg_query.Boolean{Boolval: true}}, Location: -1}}}, Location: -1,
	}}}
	ins.SelectStmt = &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: &pg_query.SelectStmt{
		TargetList:  targets,
		FromClause:  []*pg_query.Node{subselect(counted, nil)},
		WhereClause: where,
		SortClause: []*pg_query.Node{{Node: &pg_query.Node_SortBy{SortBy: &pg_query.SortBy{
			Node: pg_query.MakeColumnRefNode([]*pg_query.Node{pg_query.MakeStrNode("quiver$ord")}, -1), Location: -1,
		}}}},
		LimitOption: pg_query.LimitOption_LIMIT_OPTION_DEFAULT,
		Op:          pg_query.SetOperation_SETOP_NONE,
	}}}
}
