package dialect

import (
	"slices"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/stmt"
)

// DuckDB changes the type of a column (ALTER COLUMN ... TYPE) only when no
// index holds it (not a key's, and not one CREATE INDEX made, even one the
// transaction has dropped, so dropping the table's indexes around the
// change, aroundDependents, is not enough) and no CHECK reads it.
// Django's AlterField and Rails' change_column retype indexed columns. So
// when an index, a key or a CHECK holds the column, the table is made again with the column of its new type (remake),
// its rows copied through the cast, or USING's expression, and its indexes
// and keys made again, in the statement's transaction, as for DROP COLUMN
// (dropcolumn.go).

// retypeColumn is the change of the type of column col of the table rv,
// whose statements are sql: the step rebuilds the table when an index, a
// key or a CHECK holds the column, and returns handled false when none
// does.
func retypeColumn(e Engine, rv *pg_query.RangeVar, sql []string, col string) (out []string, handled bool, err error) {
	main, rest, t, cols, err := alteredTable(e, rv, sql)
	if err != nil || t == nil {
		return nil, false, err
	}
	typ, using, ok := retypeCommand(main)
	if !ok {
		return nil, false, nil
	}
	if !slices.Contains(cols, col) {
		return nil, false, nil // DuckDB's error
	}
	held := false
	for _, c := range t.cons {
		if c.oid == t.oid && slices.Contains(c.cols, col) {
			held = true
		}
	}
	idx, err := t.indexes(e.Query)
	if err != nil {
		return nil, false, err
	}
	for _, x := range idx {
		held = held || slices.Contains(x.columns(), col)
	}
	if !held {
		return nil, false, nil
	}
	tables, err := t.withReferencing(e.Query)
	if err != nil {
		return nil, true, err
	}
	rt := tables[0]
	if rt.sql, err = withColumnType(rt.sql, col, typ); err != nil {
		return nil, true, err
	}
	copied := make([]string, len(cols))
	for i, c := range cols {
		copied[i] = ident(c)
		if c == col {
			copied[i] = "CAST((" + using + ") AS " + typ + ") AS " + ident(c)
		}
	}
	rt.columns = strings.Join(copied, ", ")
	if err := remake(e.Query, t.db, tables, nil); err != nil {
		return nil, true, err
	}
	return append(rest, keptNames(t, nil, nil, nil)...), true, nil
}

// retypeCommand reads sql, DuckDB's ALTER TABLE ... ALTER COLUMN c TYPE t
// [USING e]: t's text, and e's, or the column's name when there is no
// USING.
func retypeCommand(sql string) (typ, using string, ok bool) {
	parts := stmt.Split(sql)
	if len(parts) != 1 || parts[0].Node == nil {
		return "", "", false
	}
	a := parts[0].Node.GetAlterTableStmt()
	if a == nil || len(a.Cmds) != 1 {
		return "", "", false
	}
	cmd := a.Cmds[0].GetAlterTableCmd()
	def := cmd.GetDef().GetColumnDef()
	if cmd.GetSubtype() != pg_query.AlterTableType_AT_AlterColumnType || def == nil || def.TypeName == nil {
		return "", "", false
	}
	cast := &pg_query.Node{Node: &pg_query.Node_TypeCast{TypeCast: &pg_query.TypeCast{
		Arg: &pg_query.Node{Node: &pg_query.Node_AConst{AConst: &pg_query.A_Const{Isnull: true, Location: -1}}}, TypeName: def.TypeName, Location: -1}}}
	text, err := stmt.Deparse(&pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: &pg_query.SelectStmt{
		TargetList: []*pg_query.Node{pg_query.MakeResTargetNodeWithVal(cast, -1)}}}})
	if err != nil {
		return "", "", false
	}
	typ, ok = strings.CutPrefix(text, "SELECT NULL::")
	if !ok {
		return "", "", false
	}
	using = ident(cmd.Name)
	if def.RawDefault != nil {
		u, err := stmt.Deparse(&pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: &pg_query.SelectStmt{
			TargetList: []*pg_query.Node{pg_query.MakeResTargetNodeWithVal(def.RawDefault, -1)}}}})
		if err != nil {
			return "", "", false
		}
		using = strings.TrimPrefix(u, "SELECT ")
	}
	return typ, using, true
}

// columnAttributes start what follows a column's type in DuckDB's text of
// a column definition.
var columnAttributes = []string{" DEFAULT", " NOT NULL", " CHECK", " PRIMARY KEY", " UNIQUE", " COLLATE", " GENERATED", " USING COMPRESSION", " REFERENCES"}

// withColumnType is DuckDB's CREATE TABLE text sql with the column col of
// the type typ.
func withColumnType(sql, col, typ string) (string, error) {
	open := strings.IndexByte(sql, '(')
	elems, ok := splitElements(sql[open:])
	i := columnElement(elems, col)
	if !ok || i < 0 {
		return "", pgerror.New(pgerror.FeatureNotSupported, "cannot rewrite table definition %s", sql)
	}
	name := col
	if strings.HasPrefix(elems[i], ident(col)+" ") {
		name = ident(col)
	}
	rest := elems[i][len(name)+1:]
	end := len(rest)
	for _, a := range columnAttributes {
		if j := strings.Index(rest, a); j >= 0 && j < end {
			end = j
		}
	}
	elems[i] = name + " " + typ + rest[end:]
	return sql[:open] + "(" + strings.Join(elems, ", ") + ")", nil
}
