package dialect

import (
	"slices"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/quiverdb/quiver/catalog"
	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/stmt"
)

// DuckDB drops a column only when no index (a primary key's, a unique or
// foreign key's, or one CREATE INDEX made, even one the transaction has
// dropped) holds it or a column after it, and no CHECK reads it.
// PostgreSQL drops such a column with the indexes and constraints that
// hold it. So when DuckDB would refuse, the table is made again without
// the column (remake), with the tables that reference it, in the
// statement's transaction: its CREATE TABLE text loses the column and the
// constraints that hold it, its rows are copied without it, and the
// indexes that hold it are not made again. With CASCADE, the foreign keys
// of other tables that reference it go too, with PostgreSQL's NOTICE.

// dropColumn is the drop of column col from the table rv, whose
// statements are sql: the step rebuilds the table when DuckDB would
// refuse them, and returns handled false when it would not.
func dropColumn(e Engine, rv *pg_query.RangeVar, sql []string, ch change) (out []string, handled bool, err error) {
	_, rest, t, cols, err := alteredTable(e, rv, sql)
	if err != nil || t == nil {
		return nil, false, err
	}
	at := slices.Index(cols, ch.column)
	if at < 0 {
		return nil, false, nil // DuckDB's error, or IF EXISTS
	}
	col := cols[at]
	later := map[string]bool{}
	for _, c := range cols[at:] {
		later[c] = true
	}
	holds := func(names []string, set map[string]bool) bool {
		return slices.ContainsFunc(names, func(n string) bool { return set[n] })
	}
	dropped := map[string]bool{col: true}
	refused := false
	removed := map[string][]schemaConstraint{}
	for _, c := range t.cons {
		if c.oid != t.oid {
			continue
		}
		if c.kind != "c" && holds(c.cols, later) || c.kind == "c" && holds(c.cols, dropped) {
			refused = true
		}
		if holds(c.cols, dropped) {
			removed[t.table] = append(removed[t.table], c)
		}
	}
	idx, err := t.indexes(e.Query)
	if err != nil {
		return nil, false, err
	}
	goneIndexes := map[string]bool{}
	for _, x := range idx {
		keys := x.columns()
		if holds(keys, later) {
			refused = true
		}
		if holds(keys, dropped) {
			goneIndexes[x.name] = true
		}
	}
	if !refused {
		return nil, false, nil
	}
	fks, err := ch.referencingKeys(t)
	if err != nil {
		return nil, true, err
	}
	var also []string
	for _, f := range fks {
		if ch.cascade && slices.Contains(f.refCols, col) {
			removed[f.table] = append(removed[f.table], f)
			also = append(also, "constraint "+f.name+" on table "+f.table)
		}
	}
	tables, err := t.withReferencing(e.Query)
	if err != nil {
		return nil, true, err
	}
	for _, x := range tables {
		if x.sql, err = withoutConstraints(x.sql, removed[x.name]); err != nil {
			return nil, true, err
		}
	}
	rt := tables[0]
	if rt.sql, err = withoutColumn(rt.sql, col); err != nil {
		return nil, true, err
	}
	var keep []string
	for _, c := range cols {
		if c != col {
			keep = append(keep, ident(c))
		}
	}
	rt.columns = strings.Join(keep, ", ")
	after := rt.after[:0]
	for _, s := range rt.after {
		if !goneStatement(s, rt.ref, t, col, idx, goneIndexes) {
			after = append(after, s)
		}
	}
	rt.after = after
	if err := remake(e.Query, t.db, tables, nil); err != nil {
		return nil, true, err
	}
	for _, n := range cascades(also) {
		e.Notice(n)
	}
	return append(rest, keptNames(t, nil, nil, removed)...), true, nil
}

// alteredTable splits sql, the statements of one ALTER TABLE command of
// the table rv, into DuckDB's one statement, main, and those that keep
// declared types, rest, and reads the table and its columns in order. t
// is nil when the table is not there or sql has more than one statement of
// DuckDB's.
func alteredTable(e Engine, rv *pg_query.RangeVar, sql []string) (main string, rest []string, t *target, cols []string, err error) {
	for _, s := range sql {
		if strings.Contains(s, catalog.DeclaredTypesPrefix) {
			rest = append(rest, s)
		} else if main == "" {
			main = s
		} else {
			return "", nil, nil, nil, nil
		}
	}
	if t, err = findTarget(e.Query, rv); err != nil || t == nil {
		return "", nil, nil, nil, err
	}
	rows, err := e.Query("SELECT column_name FROM duckdb_columns() WHERE table_oid = " + t.oid + " ORDER BY column_index")
	if err != nil {
		return "", nil, nil, nil, err
	}
	for _, r := range rows {
		cols = append(cols, r[0])
	}
	return main, rest, t, cols, nil
}

// goneStatement reports whether s, a statement that makes an index of the
// table t again or comments on one of its parts, is about the dropped
// column col or an index that goes with it.
func goneStatement(s, ref string, t *target, col string, idx []tableIndex, gone map[string]bool) bool {
	if strings.HasPrefix(s, "COMMENT ON COLUMN "+ref+"."+ident(col)+" IS ") {
		return true
	}
	for _, x := range idx {
		if !gone[x.name] {
			continue
		}
		if strings.HasPrefix(s, "COMMENT ON INDEX "+ident(t.db)+"."+ident(t.schema)+"."+ident(x.name)+" IS ") {
			return true
		}
		if n, ok := createdIndex(s); ok && n == x.name {
			return true
		}
	}
	return false
}

// createdIndex is the name of the index s, a CREATE INDEX, makes.
func createdIndex(s string) (string, bool) {
	parts := stmt.Split(s)
	if len(parts) != 1 || parts[0].Node == nil {
		return "", false
	}
	x := parts[0].Node.GetIndexStmt()
	if x == nil {
		return "", false
	}
	return x.Idxname, true
}

// columns is the columns the index's keys read.
func (x tableIndex) columns() []string {
	var out []string
	for _, ex := range x.exprs {
		out = append(out, expressionColumns(ex)...)
	}
	return out
}

// expressionColumns is the columns an index key, DuckDB's text of it,
// reads; nil when it cannot be parsed.
func expressionColumns(expr string) []string {
	parts := stmt.Split("SELECT " + expr)
	if len(parts) != 1 || parts[0].Node == nil {
		return nil
	}
	var out []string
	stmt.Walk(parts[0].Node.ProtoReflect(), func(m protoreflect.Message) {
		if c, ok := m.Interface().(*pg_query.ColumnRef); ok && len(c.Fields) > 0 {
			if s := c.Fields[len(c.Fields)-1].GetString_(); s != nil {
				out = append(out, s.Sval)
			}
		}
	})
	return out
}

// withoutColumn is DuckDB's CREATE TABLE text sql without the column col.
func withoutColumn(sql, col string) (string, error) {
	open := strings.IndexByte(sql, '(')
	elems, ok := splitElements(sql[open:])
	i := columnElement(elems, col)
	if !ok || i < 0 {
		return "", pgerror.New(pgerror.FeatureNotSupported, "cannot rewrite table definition %s", sql)
	}
	return sql[:open] + "(" + strings.Join(slices.Delete(elems, i, i+1), ", ") + ")", nil
}
