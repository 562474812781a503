package dialect

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/quiverdb/quiver/catalog"
	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/stmt"
)

// DuckDB alters a table that has dependents, an index made by CREATE INDEX
// or another table's foreign key, only to add a column or change a
// default: SET/DROP NOT NULL, ALTER TYPE, DROP COLUMN, RENAME COLUMN and
// RENAME fail with its "Dependency Error". Django's and Rails' migrations
// make them on tables with indexes and foreign keys all the time. So the
// change runs with the dependents out of the way, in its transaction:
//
//   - the table's indexes are dropped before it and made again after it,
//     on the renamed table or column; an index on a dropped column goes
//     with it, as in PostgreSQL;
//   - the tables that reference it, directly or not, are copied aside,
//     dropped, and made again after it as rebuild makes them (remake).
//
// A change PostgreSQL refuses (dropping a referenced column without
// CASCADE) gets its error; one that renames a referenced column or the
// table makes the referencing tables again with their keys on the new
// names.

// refusedOnDependents reports whether DuckDB refuses cmd on a table with
// dependents.
func refusedOnDependents(cmd *pg_query.AlterTableCmd) bool {
	switch cmd.GetSubtype() {
	case pg_query.AlterTableType_AT_SetNotNull, pg_query.AlterTableType_AT_DropNotNull,
		pg_query.AlterTableType_AT_AlterColumnType, pg_query.AlterTableType_AT_DropColumn:
		return true
	}
	return false
}

// change is what a statement that DuckDB refuses on a table with
// dependents does to the table's indexes and to its referencing tables.
type change struct {
	// renameTo is the table's new name, or "".
	renameTo string
	// column is renamed to renamedTo, or dropped when renamedTo is "";
	// "" for neither.
	column, renamedTo string
	// refused, given the table and the foreign keys that reference it,
	// refuses the change.
	refused func(t *target, fks []schemaConstraint) error
	// cascade drops, with a dropped column, the foreign keys that
	// reference it.
	cascade bool
	// retype changes the type of column, which stays (retype.go).
	retype bool
}

// tableIndex is an index CREATE INDEX made on a table.
type tableIndex struct {
	db, schema, name string
	unique           bool
	exprs            []string // DuckDB's text of each key
	comment          string
}

// aroundDependents is the step that runs sql, which changes the table rv
// as ch says, with the table's dependents out of the way.
func aroundDependents(rv *pg_query.RangeVar, sql []string, ch change) alterStep {
	where := catalogWhere("table_name", rv.Schemaname, rv.Relname)
	if rv.Catalogname != "" {
		where += " AND database_name = " + literal(rv.Catalogname)
	}
	look := "SELECT (SELECT count(*) FROM duckdb_constraints() WHERE constraint_type = 'FOREIGN KEY' AND lower(referenced_table) = lower(" +
		sqlString(rv.Relname) + ")), (SELECT count(*) FROM duckdb_indexes() WHERE " + where + " AND sql IS NOT NULL)"
	return alterStep{then: func(e Engine) ([]string, error) {
		switch {
		case ch.retype:
			if out, handled, err := retypeColumn(e, rv, sql, ch.column); handled || err != nil {
				return out, err
			}
		case ch.column != "" && ch.renamedTo == "":
			if out, handled, err := dropColumn(e, rv, sql, ch); handled || err != nil {
				return out, err
			}
		}
		rows, err := e.Query(look)
		if err != nil {
			return nil, err
		}
		if len(rows) != 1 || (rows[0][0] == "0" && rows[0][1] == "0") {
			return sql, nil
		}
		around := sql
		if rows[0][1] != "0" {
			idx, err := tableIndexes(e.Query, where)
			if err != nil {
				return nil, err
			}
			around = ch.aroundIndexes(idx, rv.Relname, sql)
		}
		if rows[0][0] == "0" {
			return around, nil
		}
		t, err := findTarget(e.Query, rv)
		if err != nil || t == nil {
			return around, err
		}
		set, err := referencing(t.cons, t.table)
		if err != nil || len(set) == 1 {
			return around, err
		}
		fks, err := ch.referencingKeys(t)
		if err != nil {
			return nil, err
		}
		tables, err := describeTables(e.Query, t.db, t.schema, t.temporary, set)
		if err != nil {
			return nil, err
		}
		if err := ch.retarget(tables, fks); err != nil {
			return nil, err
		}
		return nil, remake(e.Query, t.db, tables, around)
	}}
}

// referencingKeys returns the foreign keys of other tables that reference
// the table t, or the error of a change they refuse.
func (ch change) referencingKeys(t *target) ([]schemaConstraint, error) {
	var fks []schemaConstraint
	for _, c := range t.cons {
		if c.kind == "f" && c.refTable == t.table && c.table != t.table {
			fks = append(fks, c)
		}
	}
	if ch.refused != nil {
		if err := ch.refused(t, fks); err != nil {
			return nil, err
		}
	}
	return fks, nil
}

// retarget points the foreign keys fks, which reference the changed table,
// at the table and columns the change renames, in the definitions of the
// referencing tables made again.
func (ch change) retarget(tables []*rebuiltTable, fks []schemaConstraint) error {
	if ch.renameTo == "" && ch.renamedTo == "" {
		return nil
	}
	for _, rt := range tables {
		var mine []schemaConstraint
		for _, c := range fks {
			if c.table == rt.name {
				mine = append(mine, c)
			}
		}
		if len(mine) == 0 {
			continue
		}
		open := strings.IndexByte(rt.sql, '(')
		elems, ok := splitElements(rt.sql[open:])
		if !ok {
			return pgerror.New(pgerror.FeatureNotSupported, "cannot rewrite table definition %s", rt.sql)
		}
		for _, c := range mine {
			i := slices.Index(elems, c.text)
			if i < 0 {
				return pgerror.New(pgerror.FeatureNotSupported, "cannot rewrite foreign key %s of table %s", c.name, c.table)
			}
			parent := c.refTable
			if ch.renameTo != "" {
				parent = ch.renameTo
			}
			var cols, refs []string
			for _, x := range c.cols {
				cols = append(cols, ident(x))
			}
			for _, x := range c.refCols {
				if x == ch.column && ch.renamedTo != "" {
					x = ch.renamedTo
				}
				refs = append(refs, ident(x))
			}
			elems[i] = "FOREIGN KEY (" + strings.Join(cols, ", ") + ") REFERENCES " + ident(parent) + "(" + strings.Join(refs, ", ") + ")"
		}
		rt.sql = rt.sql[:open] + "(" + strings.Join(elems, ", ") + ")"
	}
	return nil
}

// tableIndexes reads the indexes CREATE INDEX made on the table that where
// (a condition on duckdb_indexes()) finds, in the first database that has
// it as DuckDB looks (temp first).
func tableIndexes(q func(string) ([][]string, error), where string) ([]tableIndex, error) {
	rows, err := q("SELECT database_name, schema_name, index_name, CAST(is_unique AS VARCHAR), array_to_string(expressions, chr(31)), " +
		"coalesce(comment, '') FROM duckdb_indexes() WHERE " + where + " AND sql IS NOT NULL ORDER BY database_name <> 'temp', index_oid")
	if err != nil {
		return nil, err
	}
	var out []tableIndex
	for _, r := range rows {
		if len(out) > 0 && (r[0] != out[0].db || r[1] != out[0].schema) {
			break
		}
		out = append(out, tableIndex{db: r[0], schema: r[1], name: r[2], unique: r[3] == "true", exprs: strings.Split(r[4], "\x1f"), comment: r[5]})
	}
	return out, nil
}

// aroundIndexes returns sql with the indexes idx of the table dropped
// before it and made again after it, as the change leaves them.
func (ch change) aroundIndexes(idx []tableIndex, table string, sql []string) []string {
	if ch.renameTo != "" {
		table = ch.renameTo
	}
	var before, after []string
	for _, x := range idx {
		ref := ident(x.db) + "." + ident(x.schema) + "."
		before = append(before, "DROP INDEX "+ref+ident(x.name))
		exprs, keep := ch.keys(x.exprs)
		if !keep {
			continue
		}
		unique := ""
		if x.unique {
			unique = "UNIQUE "
		}
		after = append(after, "CREATE "+unique+"INDEX "+ident(x.name)+" ON "+ref+ident(table)+" ("+strings.Join(exprs, ", ")+")")
		if x.comment != "" {
			after = append(after, "COMMENT ON INDEX "+ref+ident(x.name)+" IS "+literal(x.comment))
		}
	}
	return append(append(before, sql...), after...)
}

// keys returns an index's keys as the change leaves them, and false when
// the index goes with a dropped column.
func (ch change) keys(exprs []string) ([]string, bool) {
	if ch.column == "" || ch.retype {
		return exprs, true
	}
	out := make([]string, len(exprs))
	for i, x := range exprs {
		out[i] = x
		whole := x == ch.column || x == ident(ch.column)
		if !whole && !slices.Contains(expressionColumns(x), ch.column) {
			continue
		}
		if ch.renamedTo == "" {
			return nil, false
		}
		if whole {
			out[i] = ident(ch.renamedTo)
		} else if r, ok := renameInExpression(x, ch.column, ch.renamedTo); ok {
			out[i] = r
		}
	}
	return out, true
}

// renameInExpression is an index key, DuckDB's text of an expression, with
// the column from read as to, written as PostgreSQL writes names; false
// when it cannot be parsed.
func renameInExpression(expr, from, to string) (string, bool) {
	text := "SELECT " + expr
	parts := stmt.Split(text)
	if len(parts) != 1 || parts[0].Node == nil {
		return "", false
	}
	var at []int
	ok := true
	stmt.Walk(parts[0].Node.ProtoReflect(), func(m protoreflect.Message) {
		if c, isRef := m.Interface().(*pg_query.ColumnRef); isRef && len(c.Fields) > 0 {
			if s := c.Fields[len(c.Fields)-1].GetString_(); s != nil && s.Sval == from {
				// Only a bare name is where the reference starts.
				ok = ok && len(c.Fields) == 1
				at = append(at, int(c.Location))
			}
		}
	})
	if !ok {
		return "", false
	}
	for i := len(at) - 1; i >= 0; i-- {
		n := len(from)
		if strings.HasPrefix(text[at[i]:], ident(from)) {
			n = len(ident(from))
		} else if !strings.EqualFold(text[at[i]:min(at[i]+n, len(text))], from) {
			return "", false
		}
		text = text[:at[i]] + pgIdent(to) + text[at[i]+n:]
	}
	return strings.TrimPrefix(text, "SELECT "), true
}

// pgIdent writes a name as PostgreSQL's quote_ident does: bare when it is
// a lower-case word that is no keyword but an unreserved one (nor a word
// DuckDB reserves), in double quotes otherwise.
func pgIdent(name string) string {
	bare := name != "" && !duckdbReserved[name]
	for i, c := range name {
		bare = bare && (c >= 'a' && c <= 'z' || c == '_' || i > 0 && (c >= '0' && c <= '9' || c == '$'))
	}
	if bare {
		res, err := pg_query.Scan(name)
		bare = err == nil && len(res.Tokens) == 1 && (res.Tokens[0].KeywordKind == pg_query.KeywordKind_NO_KEYWORD ||
			res.Tokens[0].KeywordKind == pg_query.KeywordKind_UNRESERVED_KEYWORD)
	}
	if bare {
		return name
	}
	return ident(name)
}

// commandChange is the change cmd, an ALTER TABLE command, makes: DROP
// COLUMN drops a column, which PostgreSQL refuses while another table's
// foreign key references it, unless CASCADE, which drops the key
// (dropColumn).
func commandChange(cmd *pg_query.AlterTableCmd) change {
	if cmd.GetSubtype() == pg_query.AlterTableType_AT_AlterColumnType {
		return change{column: cmd.Name, retype: true}
	}
	if cmd.GetSubtype() != pg_query.AlterTableType_AT_DropColumn {
		return change{}
	}
	return change{column: cmd.Name, cascade: cmd.Behavior == pg_query.DropBehavior_DROP_CASCADE, refused: func(t *target, fks []schemaConstraint) error {
		for _, c := range fks {
			if !slices.Contains(c.refCols, cmd.Name) {
				continue
			}
			if cmd.Behavior == pg_query.DropBehavior_DROP_CASCADE {
				continue // dropColumn drops the key
			}
			return pgerror.New(dependentObjects, "cannot drop column %s of table %s because other objects depend on it", cmd.Name, t.table).
				WithDetail(fmt.Sprintf("constraint %s on table %s depends on column %s of table %s", c.name, c.table, cmd.Name, t.table)).
				WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
		}
		return nil
	}}
}

// planRenameDependents plans r, a RENAME of a table's column or of the
// table, planned as p, for a table that may have dependents. The foreign
// keys that reference a renamed column, or a renamed table, are made again
// with the referencing tables (retarget), on the new names.
func planRenameDependents(r *pg_query.RenameStmt, p *Plan) *Plan {
	if p == nil || p.NoOp || p.Then != nil || r.Relation == nil || len(p.SQL) == 0 {
		return p
	}
	var ch change
	out := &Plan{Warnings: p.Warnings, Notices: p.Notices}
	var steps []alterStep
	if r.RenameType == pg_query.ObjectType_OBJECT_TABLE {
		ch.renameTo = r.Newname
		steps = append(steps, keepConstraintNames(r.Relation, "", ""))
		alterSteps(out, append(steps, aroundDependents(r.Relation, p.SQL, ch)))
		return out
	}
	ch.column, ch.renamedTo = r.Subname, r.Newname
	drop, add := foreignKeysOf(r.Relation, r.Subname, r.Newname)
	alterSteps(out, []alterStep{keepConstraintNames(r.Relation, r.Subname, r.Newname), drop, aroundDependents(r.Relation, p.SQL, ch), add})
	return out
}

// foreignKeysOf returns the steps that drop the foreign keys of the table
// rv on its column col before col is renamed to to, and add them again
// after, with their names, on the renamed column: DuckDB renames no column
// a foreign key of its table holds.
func foreignKeysOf(rv *pg_query.RangeVar, col, to string) (drop, add alterStep) {
	var fks []schemaConstraint
	drop.then = func(e Engine) ([]string, error) {
		look := "SELECT 1 FROM duckdb_constraints() WHERE constraint_type = 'FOREIGN KEY' AND lower(table_name) = lower(" +
			sqlString(rv.Relname) + ") AND list_contains(constraint_column_names, " + sqlString(col) + ") LIMIT 1"
		rows, err := e.Query(look)
		if err != nil || len(rows) == 0 {
			return nil, err
		}
		t, err := findTarget(e.Query, rv)
		if err != nil || t == nil {
			return nil, err
		}
		var dropped []droppedConstraint
		for _, c := range t.cons {
			if c.kind == "f" && c.oid == t.oid && slices.Contains(c.cols, col) {
				fks = append(fks, c)
				dropped = append(dropped, droppedConstraint{name: c.name})
			}
		}
		if len(dropped) == 0 {
			return nil, nil
		}
		return rebuild(rv, nil, dropped)(e)
	}
	add.then = func(e Engine) ([]string, error) {
		if len(fks) == 0 {
			return nil, nil
		}
		var added []addedConstraint
		for _, c := range fks {
			cols := slices.Clone(c.cols)
			for i := range cols {
				if cols[i] == col {
					cols[i] = to
				}
			}
			con := &pg_query.Constraint{Contype: pg_query.ConstrType_CONSTR_FOREIGN, Conname: c.name, InitiallyValid: true,
				Pktable: &pg_query.RangeVar{Schemaname: rv.Schemaname, Relname: c.refTable, Inh: true, Relpersistence: "p"},
				FkAttrs: strNodes(cols), PkAttrs: strNodes(c.refCols),
				FkUpdAction: "a", FkDelAction: "a", FkMatchtype: "s"}
			a, err := newAddedConstraint(con)
			if err != nil {
				return nil, err
			}
			added = append(added, a)
		}
		return rebuild(rv, added, nil)(e)
	}
	return drop, add
}

// strNodes makes names string nodes.
func strNodes(names []string) []*pg_query.Node {
	out := make([]*pg_query.Node, len(names))
	for i, n := range names {
		out[i] = pg_query.MakeStrNode(n)
	}
	return out
}

// keepConstraintNames is the step that keeps the names of the constraints
// of the table rv in its declared-types table, before a rename of the
// table or of its column from (to to): PostgreSQL keeps a constraint's
// name, where quiver_conbase would give a constraint without a kept name
// one made from the new names. A constraint's name is kept by its
// columns, so those of a renamed column are kept by the new name.
func keepConstraintNames(rv *pg_query.RangeVar, from, to string) alterStep {
	return alterStep{then: func(e Engine) ([]string, error) {
		t, err := findTarget(e.Query, rv)
		if err != nil || t == nil {
			return nil, err
		}
		var out []string
		for _, c := range t.cons {
			if c.oid != t.oid {
				continue
			}
			key := c.cols
			if c.kind == "c" {
				key = []string{strconv.Itoa(c.ordinal)}
			} else if from != "" && slices.Contains(key, from) {
				if c.kind == "f" {
					continue // foreignKeysOf adds it again, with its name
				}
				out = append(out, "ALTER TABLE IF EXISTS "+typesTable(rv)+" DROP COLUMN IF EXISTS "+ident(catalog.ConstraintKey(c.kind, key)))
				key = slices.Clone(key)
				key[slices.Index(key, from)] = to
			}
			out = append(out, keepNameSQL(rv, catalog.ConstraintKey(c.kind, key), c.name)...)
		}
		return out, nil
	}}
}
