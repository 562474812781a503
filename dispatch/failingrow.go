package dispatch

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgproto3"
	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/quiverdb/quiver/stmt"
	"github.com/quiverdb/quiver/types"
)

// PostgreSQL's DETAIL for a NOT NULL or CHECK violation shows the row that
// failed, "Failing row contains (1, null, x).": every column of the table,
// in order, as its output function prints it (at most 64 bytes each).
// DuckDB's error has the column or the expression only. The row can be
// worked out again after the statement failed, and was rolled back:
//
//   - for an INSERT ... VALUES, the values given, cast to the columns'
//     types, and the defaults of the others. A default that takes a
//     sequence's next value took it for the failing row (sequences are not
//     transactional), so with one row the sequence's current value is
//     that row's;
//   - for an INSERT ... SELECT and an UPDATE, the first of the rows the
//     statement would have written (the query's rows, or the updated rows
//     with the SET values) with a NULL in the column, or that fails the
//     CHECK, DuckDB's text of which the error gives.
//
// COPY keeps DuckDB's detail, as does a statement whose rows cannot be
// made again the same (a volatile function, a sequence's next value in
// more than one row).

// maxFieldLen is how much of a value PostgreSQL's failing row shows.
const maxFieldLen = 64

// failingRow returns the DETAIL for a NOT NULL violation of column
// nullCol, or a violation of the CHECK whose DuckDB text is check (nullCol
// ""), of the table rel by the INSERT or UPDATE st, or "" when it cannot
// be worked out.
func (s *Session) failingRow(ctx context.Context, st *stmt.Statement, rel *pg_query.RangeVar, nullCol, check string) string {
	ins, up := st.Node.GetInsertStmt(), st.Node.GetUpdateStmt()
	sel := ins.GetSelectStmt().GetSelectStmt()
	switch {
	case ins != nil && sel != nil && (len(sel.ValuesLists) == 0 || nullCol == "" && len(sel.ValuesLists) > 1):
		return s.failingQueried(ctx, rel, nullCol, check, func(cols [][]string) *pg_query.SelectStmt { return insertedRows(ins, sel, cols) })
	case up != nil:
		return s.failingQueried(ctx, rel, nullCol, check, func(cols [][]string) *pg_query.SelectStmt { return updatedRows(up, cols) })
	}
	if ins == nil || sel == nil || len(sel.ValuesLists) == 0 || ins.WithClause != nil || sel.WithClause != nil ||
		(nullCol == "" && len(sel.ValuesLists) > 1) || len(sel.ValuesLists) > 100 {
		return ""
	}
	cols := s.tableColumns(ctx, rel)
	if len(cols) == 0 {
		return ""
	}
	given := make(map[string]int) // insert column -> place in a VALUES row
	for i, c := range ins.Cols {
		rt := c.GetResTarget()
		if rt == nil || len(rt.Indirection) > 0 {
			return ""
		}
		given[rt.Name] = i
	}
	for _, row := range sel.ValuesLists {
		items := row.GetList().GetItems()
		for _, v := range items {
			if sideEffects(v) {
				return ""
			}
		}
		targets := make([]*pg_query.Node, len(cols))
		for i, c := range cols {
			var v *pg_query.Node
			if len(ins.Cols) == 0 && i < len(items) {
				v = items[i]
			} else if k, ok := given[c[0]]; ok && k < len(items) {
				v = items[k]
			}
			if v == nil || v.GetSetToDefault() != nil {
				var ok bool
				if v, ok = defaultValue(c[2], len(sel.ValuesLists) == 1); !ok {
					return ""
				}
			}
			if targets[i] = castTo("", v, c[1]); targets[i] == nil {
				return ""
			}
		}
		vals, ok := s.rowText(ctx, targets)
		if !ok || len(vals) != len(cols) {
			return ""
		}
		if nullCol != "" {
			null := false
			for i, c := range cols {
				null = null || (c[0] == nullCol && vals[i] == nil)
			}
			if !null {
				continue // not this row
			}
		}
		return failingDetail(vals, cols)
	}
	return ""
}

// charLength is n for the type character(n), as format_type prints it.
func charLength(typ string) (int, bool) {
	rest, ok := strings.CutPrefix(typ, "character(")
	if !ok || !strings.HasSuffix(rest, ")") {
		return 0, false
	}
	n, err := strconv.Atoi(rest[:len(rest)-1])
	return n, err == nil
}

// failingDetail is the DETAIL that shows the row vals of a table with the
// columns cols (name, format_type): a char(n) value padded to n
// characters, as PostgreSQL stores it, where the engine keeps it bare.
func failingDetail(vals [][]byte, cols [][]string) string {
	shown := make([]string, len(vals))
	for i, v := range vals {
		if i < len(cols) && v != nil {
			if n, ok := charLength(cols[i][1]); ok && utf8.RuneCount(v) < n {
				v = append(slices.Clip(v), strings.Repeat(" ", n-utf8.RuneCount(v))...)
			}
		}
		shown[i] = clipField(v)
	}
	return "Failing row contains (" + strings.Join(shown, ", ") + ")."
}

// tableColumns reads the name, type (format_type) and default
// (pg_get_expr, "" for none) of each column of the table rel, in order.
func (s *Session) tableColumns(ctx context.Context, rel *pg_query.RangeVar) [][]string {
	name := quoteIdent(rel.Relname)
	if rel.Schemaname != "" {
		name = quoteIdent(rel.Schemaname) + "." + name
	}
	cols, err := s.catalogQuery(ctx, "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), "+
		"pg_catalog.pg_get_expr(d.adbin, d.adrelid) FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_attrdef d "+
		"ON d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE a.attrelid = "+quoteLiteral(name)+
		"::pg_catalog.regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")
	if err != nil {
		return nil
	}
	return cols
}

// failingQueried finds the failing row of an INSERT ... SELECT or UPDATE
// of the table rel: rows makes the query of the rows the statement would
// have written, one column per column of the table (cols), named as it,
// or nil when it cannot; the first of them with a NULL in nullCol, or
// failing check, is the failing row.
func (s *Session) failingQueried(ctx context.Context, rel *pg_query.RangeVar, nullCol, check string, rows func(cols [][]string) *pg_query.SelectStmt) string {
	if nullCol == "" && check == "" {
		return ""
	}
	cols := s.tableColumns(ctx, rel)
	if len(cols) == 0 {
		return ""
	}
	q := rows(cols)
	if q == nil {
		return ""
	}
	sql, err := stmt.Deparse(&pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: q}})
	if err != nil {
		return ""
	}
	if sql, err = s.pgStatement(ctx, sql); err != nil {
		return ""
	}
	cond := "NOT (" + check + ")"
	if nullCol != "" {
		cond = quoteIdent(nullCol) + " IS NULL"
	}
	sql = "SELECT * FROM (" + strings.TrimRight(strings.TrimSpace(sql), ";") + ") AS quiver_failing WHERE " + cond + " LIMIT 1"
	vals, ok := s.queryRowText(ctx, sql)
	if !ok || len(vals) != len(cols) {
		return ""
	}
	return failingDetail(vals, cols)
}

// castTo is the result column name, v cast to the type typ (format_type's
// text), or nil if typ does not parse.
func castTo(name string, v *pg_query.Node, typ string) *pg_query.Node {
	t, ok := parseType(typ)
	if !ok {
		return nil
	}
	return &pg_query.Node{Node: &pg_query.Node_ResTarget{ResTarget: &pg_query.ResTarget{Name: name,
		Val: &pg_query.Node{Node: &pg_query.Node_TypeCast{TypeCast: &pg_query.TypeCast{Arg: v, TypeName: t, Location: -1}}}, Location: -1}}}
}

// columnRef is a reference to column col of the table qual.
func columnRef(qual, col string) *pg_query.Node {
	return &pg_query.Node{Node: &pg_query.Node_ColumnRef{ColumnRef: &pg_query.ColumnRef{
		Fields: []*pg_query.Node{pg_query.MakeStrNode(qual), pg_query.MakeStrNode(col)}}}}
}

// insertedRows is the query of the rows INSERT ins, of the query sel,
// would have written to a table with the columns cols; nil when it cannot
// be made again.
func insertedRows(ins *pg_query.InsertStmt, sel *pg_query.SelectStmt, cols [][]string) *pg_query.SelectStmt {
	n := len(sel.TargetList)
	if len(sel.ValuesLists) > 0 {
		n = len(sel.ValuesLists[0].GetList().GetItems())
		for _, row := range sel.ValuesLists {
			for _, v := range row.GetList().GetItems() {
				if v.GetSetToDefault() != nil {
					return nil
				}
			}
		}
	}
	if ins.WithClause != nil || ins.OnConflictClause != nil || n == 0 || sideEffects(ins.SelectStmt) {
		return nil
	}
	for _, t := range sel.TargetList {
		if rt := t.GetResTarget(); rt == nil || rt.Val.GetColumnRef().GetFields() != nil && rt.Val.GetColumnRef().Fields[len(rt.Val.GetColumnRef().Fields)-1].GetAStar() != nil {
			return nil // a star: how many columns is not known
		}
	}
	given := map[string]int{}
	for i, c := range ins.Cols {
		rt := c.GetResTarget()
		if rt == nil || len(rt.Indirection) > 0 {
			return nil
		}
		given[rt.Name] = i
	}
	var names []*pg_query.Node
	for i := range n {
		names = append(names, pg_query.MakeStrNode("c"+strconv.Itoa(i+1)))
	}
	out := &pg_query.SelectStmt{FromClause: []*pg_query.Node{{Node: &pg_query.Node_RangeSubselect{RangeSubselect: &pg_query.RangeSubselect{
		Subquery: ins.SelectStmt, Alias: &pg_query.Alias{Aliasname: "quiver_src", Colnames: names}}}}}}
	return withRow(out, cols, func(i int, c []string) (*pg_query.Node, bool) {
		k, ok := given[c[0]]
		if len(ins.Cols) == 0 {
			k, ok = i, i < n
		}
		if ok && k < n {
			return columnRef("quiver_src", "c"+strconv.Itoa(k+1)), true
		}
		return defaultValue(c[2], false)
	})
}

// withRow gives q one result column per column of cols (name, type,
// default), named as it: value's expression for it, cast to its type; nil
// when value or a type fails.
func withRow(q *pg_query.SelectStmt, cols [][]string, value func(i int, c []string) (*pg_query.Node, bool)) *pg_query.SelectStmt {
	for i, c := range cols {
		v, ok := value(i, c)
		if !ok {
			return nil
		}
		t := castTo(c[0], v, c[1])
		if t == nil {
			return nil
		}
		q.TargetList = append(q.TargetList, t)
	}
	return q
}

// updatedRows is the query of the rows UPDATE up would have written to a
// table with the columns cols; nil when it cannot be made again.
func updatedRows(up *pg_query.UpdateStmt, cols [][]string) *pg_query.SelectStmt {
	if up.WithClause != nil || up.WhereClause.GetCurrentOfExpr() != nil {
		return nil
	}
	set := map[string]*pg_query.Node{}
	for _, t := range up.TargetList {
		rt := t.GetResTarget()
		if rt == nil || len(rt.Indirection) > 0 || rt.Val.GetMultiAssignRef() != nil || sideEffects(rt.Val) {
			return nil
		}
		set[rt.Name] = rt.Val
	}
	qual := up.Relation.Relname
	if up.Relation.Alias != nil {
		qual = up.Relation.Alias.Aliasname
	}
	out := &pg_query.SelectStmt{FromClause: append([]*pg_query.Node{{Node: &pg_query.Node_RangeVar{RangeVar: up.Relation}}}, up.FromClause...),
		WhereClause: up.WhereClause}
	return withRow(out, cols, func(_ int, c []string) (*pg_query.Node, bool) {
		v, ok := set[c[0]]
		switch {
		case !ok:
			return columnRef(qual, c[0]), true
		case v.GetSetToDefault() != nil:
			return defaultValue(c[2], false)
		}
		return v, true
	})
}

// defaultValue parses a column's default, NULL when it has none. A
// sequence's next value becomes its current value, which is what it gave
// the failing row when the statement inserted one row (one); otherwise
// it cannot be known.
func defaultValue(def string, one bool) (*pg_query.Node, bool) {
	if def == "" {
		def = "NULL"
	}
	tree, err := pg_query.Parse("SELECT " + def)
	if err != nil || len(tree.Stmts) != 1 {
		return nil, false
	}
	v := tree.Stmts[0].Stmt.GetSelectStmt().GetTargetList()[0].GetResTarget().GetVal()
	ok := true
	stmt.Walk(v.ProtoReflect(), func(m protoreflect.Message) {
		fc, is := m.Interface().(*pg_query.FuncCall)
		if !is {
			return
		}
		n := stmt.Names(fc.Funcname)
		if len(n) > 0 && n[len(n)-1] == "nextval" {
			if !one {
				ok = false
			}
			fc.Funcname = []*pg_query.Node{pg_query.MakeStrNode("currval")}
		}
	})
	return v, ok
}

// sideEffects reports whether evaluating v again could change something
// (a sequence) or give another value than it gave the failing row: it
// calls one of volatileFuncs (savepoint_check.go).
func sideEffects(v *pg_query.Node) bool {
	found := false
	stmt.Walk(v.ProtoReflect(), func(m protoreflect.Message) {
		if fc, ok := m.Interface().(*pg_query.FuncCall); ok {
			n := stmt.Names(fc.Funcname)
			found = found || (len(n) > 0 && volatileFuncs[strings.ToLower(n[len(n)-1])])
		}
	})
	return found
}

// parseType parses a type as format_type prints it.
func parseType(t string) (*pg_query.TypeName, bool) {
	tree, err := pg_query.Parse("SELECT NULL::" + t)
	if err != nil || len(tree.Stmts) != 1 {
		return nil, false
	}
	tc := tree.Stmts[0].Stmt.GetSelectStmt().GetTargetList()[0].GetResTarget().GetVal().GetTypeCast()
	if tc == nil {
		return nil, false
	}
	return tc.TypeName, true
}

// rowText runs SELECT targets, as the session would run it, and returns
// its one row as PostgreSQL's text output (nil for NULL).
func (s *Session) rowText(ctx context.Context, targets []*pg_query.Node) ([][]byte, bool) {
	sql, err := stmt.Deparse(&pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: &pg_query.SelectStmt{TargetList: targets}}})
	if err != nil {
		return nil, false
	}
	if sql, err = s.pgStatement(ctx, sql); err != nil {
		return nil, false
	}
	return s.queryRowText(ctx, sql)
}

// queryRowText runs sql, the engine's, and returns its one row as
// PostgreSQL's text output (nil for NULL).
func (s *Session) queryRowText(ctx context.Context, sql string) ([][]byte, bool) {
	res, err := s.backend.Query(ctx, sql)
	if err != nil || res.Rows == nil {
		return nil, false
	}
	defer res.Rows.Release()
	if !res.Rows.Next() || res.Rows.RecordBatch().NumRows() != 1 {
		return nil, false
	}
	rec := res.Rows.RecordBatch()
	enc, err := types.NewRowEncoder(rec.Schema(), nil, &s.settings)
	if err != nil || enc.Reset(rec) != nil {
		return nil, false
	}
	msg, err := enc.AppendRow(nil, 0)
	if err != nil || len(msg) < 5 {
		return nil, false
	}
	var row pgproto3.DataRow // after 'D' and the length
	if err := row.Decode(msg[5:]); err != nil {
		return nil, false
	}
	return row.Values, true
}

// clipField prints a value of a failing row as PostgreSQL does: null, or
// the value cut to maxFieldLen bytes (whole characters) and "...".
func clipField(v []byte) string {
	if v == nil {
		return "null"
	}
	if len(v) <= maxFieldLen {
		return string(v)
	}
	cut := maxFieldLen
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return string(v[:cut]) + "..."
}
