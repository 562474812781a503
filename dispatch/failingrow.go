package dispatch

import (
	"context"
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
// DuckDB's error has the column or the expression only. For an INSERT ...
// VALUES the row can be worked out again after the statement failed: the
// values given, cast to the columns' types, and the defaults of the others.
// A default that takes a sequence's next value took it for the failing row
// (sequences are not transactional), so with one row the sequence's
// current value is that row's. Other statements (INSERT ... SELECT,
// UPDATE, COPY) keep DuckDB's detail.

// maxFieldLen is how much of a value PostgreSQL's failing row shows.
const maxFieldLen = 64

// failingRow returns the DETAIL for a NOT NULL violation of column
// nullCol (a CHECK violation: nullCol "") of the table rel by the INSERT
// st, or "" when it cannot be worked out.
func (s *Session) failingRow(ctx context.Context, st *stmt.Statement, rel *pg_query.RangeVar, nullCol string) string {
	ins := st.Node.GetInsertStmt()
	sel := ins.GetSelectStmt().GetSelectStmt()
	if ins == nil || sel == nil || len(sel.ValuesLists) == 0 || ins.WithClause != nil || sel.WithClause != nil ||
		(nullCol == "" && len(sel.ValuesLists) > 1) || len(sel.ValuesLists) > 100 {
		return ""
	}
	name := quoteIdent(rel.Relname)
	if rel.Schemaname != "" {
		name = quoteIdent(rel.Schemaname) + "." + name
	}
	cols, err := s.catalogQuery(ctx, "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), "+
		"pg_catalog.pg_get_expr(d.adbin, d.adrelid) FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_attrdef d "+
		"ON d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE a.attrelid = "+quoteLiteral(name)+
		"::pg_catalog.regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")
	if err != nil || len(cols) == 0 {
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
			typ, ok := parseType(c[1])
			if !ok {
				return ""
			}
			targets[i] = &pg_query.Node{Node: &pg_query.Node_ResTarget{ResTarget: &pg_query.ResTarget{
				Val: &pg_query.Node{Node: &pg_query.Node_TypeCast{TypeCast: &pg_query.TypeCast{Arg: v, TypeName: typ, Location: -1}}}, Location: -1}}}
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
		shown := make([]string, len(vals))
		for i, v := range vals {
			shown[i] = clipField(v)
		}
		return "Failing row contains (" + strings.Join(shown, ", ") + ")."
	}
	return ""
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
