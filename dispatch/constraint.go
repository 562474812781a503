package dispatch

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/stmt"
)

// nameConstraint completes a unique or check violation the engine reported
// without naming the constraint, as PostgreSQL names it: in the message
// (`duplicate key value violates unique constraint "t_pkey"`) and in the
// error's schema, table and constraint fields, which drivers expose (pgx's
// PgError.ConstraintName, psycopg's Diagnostics). The constraint is found in
// the catalog from the statement's target table and, for a unique
// violation, the key's columns; for a check violation, its expression. Where
// it cannot be found (inside a transaction block: catalogQuery), err is
// returned as it is.
func (s *Session) nameConstraint(ctx context.Context, err error, st *stmt.Statement) error {
	var pe *pgerror.Error
	if st != nil && errors.As(err, &pe) && strings.HasPrefix(pe.Message, referencedTable) {
		return s.dependentTable(ctx, err, pe, st)
	}
	if st != nil && pe != nil && pe.Code == pgerror.NotNullViolation && st.Node.GetAlterTableStmt() != nil && pe.TableName != "" {
		// SET NOT NULL (or ADD COLUMN ... NOT NULL) on a column that has
		// NULLs: PostgreSQL says so in other words than for a row.
		c := *pe
		c.Message = `column "` + pe.ColumnName + `" of relation "` + pe.TableName + `" contains null values`
		return &c
	}
	if st != nil && pe != nil && pe.Code == pgerror.NotNullViolation && pe.Detail == "" {
		if rel := targetRelation(st); rel != nil && pe.ColumnName != "" {
			if d := s.failingRow(ctx, st, rel, pe.ColumnName, ""); d != "" {
				c := *pe
				c.Detail = d
				return &c
			}
		}
		return err
	}
	if st == nil || !errors.As(err, &pe) || pe.ConstraintName != "" ||
		(pe.Code != pgerror.UniqueViolation && pe.Code != pgerror.CheckViolation && pe.Code != pgerror.ForeignKeyViolation) {
		return err
	}
	rel := targetRelation(st)
	if pe.Code == pgerror.ForeignKeyViolation && strings.HasSuffix(pe.Detail, " is still referenced from another table.") {
		rel = nil
		if d := st.Node.GetDeleteStmt(); d != nil {
			rel = d.Relation
		} else if u := st.Node.GetUpdateStmt(); u != nil {
			rel = u.Relation
		}
	}
	if rel == nil {
		return err
	}
	// The table's keys or checks, in its schema or, unqualified, in the
	// first schema on the search path that has it.
	where := " WHERE v.relname = " + quoteLiteral(rel.Relname)
	if rel.Schemaname != "" {
		where += " AND v.nspname = " + quoteLiteral(rel.Schemaname)
	} else {
		where += " AND v.nspname = ANY (pg_catalog.current_schemas(true))"
	}
	if pe.Code == pgerror.ForeignKeyViolation {
		return s.nameForeignKey(ctx, err, pe, rel, where)
	}
	var sql string
	if pe.Code == pgerror.UniqueViolation {
		sql = "SELECT v.conname, v.nspname, v.col FROM pg_catalog.quiver_violations v" + where +
			" AND v.contype IN ('p', 'u') ORDER BY pg_catalog.array_position(pg_catalog.current_schemas(true), v.nspname), v.ord, v.colno"
	} else {
		sql = "SELECT v.conname, v.nspname, v.def FROM pg_catalog.quiver_violations v" + where +
			" AND v.contype = 'c' ORDER BY pg_catalog.array_position(pg_catalog.current_schemas(true), v.nspname), v.ord"
	}
	rows, qerr := s.catalogQuery(ctx, sql)
	if qerr != nil || len(rows) == 0 {
		return err
	}
	// Unqualified: the first schema's only.
	for i, r := range rows {
		if r[1] != rows[0][1] {
			rows = rows[:i]
			break
		}
	}
	c := *pe
	var found, schema string
	if pe.Code == pgerror.UniqueViolation {
		var cols []string
		found, schema, cols = uniqueIndexFor(rows, keyColumns(pe.Detail))
		if vals, ok := bareKey(pe.Detail); ok && found != "" {
			c.Detail = "Key (" + strings.Join(cols, ", ") + ")=(" + vals + ") already exists."
		} else if _, rest, ok := strings.Cut(pe.Detail, ")=("); ok && found != "" && !slices.Equal(cols, keyColumns(pe.Detail)) {
			c.Detail = "Key (" + strings.Join(cols, ", ") + ")=(" + rest // the key's columns renamed
		}
	} else {
		found, schema = checkFor(rows, pe.Detail)
	}
	if found == "" {
		return err
	}
	c.Message += ` "` + found + `"`
	c.SchemaName, c.TableName, c.ConstraintName = schema, rel.Relname, found
	if pe.Code == pgerror.CheckViolation {
		check := strings.TrimPrefix(pe.Detail, "Failing expression: ")
		if !strings.HasPrefix(check, "CHECK(") || !strings.HasSuffix(check, ")") {
			check = ""
		} else {
			check = check[len("CHECK(") : len(check)-1]
		}
		if d := s.failingRow(ctx, st, rel, "", check); d != "" {
			c.Detail = d
		}
	}
	return &c
}

// referencedTable starts DuckDB's error for a DROP TABLE of a table that
// another's foreign key references.
const referencedTable = "Could not drop the table because this table is main key table of the table "

// dependentTable words DuckDB's error for a DROP TABLE of a table that
// foreign keys reference as PostgreSQL does, with the foreign keys in the
// detail where the catalog can be read (not inside a transaction block).
func (s *Session) dependentTable(ctx context.Context, err error, pe *pgerror.Error, st *stmt.Statement) error {
	d := st.Node.GetDropStmt()
	if d == nil || d.RemoveType != pg_query.ObjectType_OBJECT_TABLE {
		return err
	}
	child := strings.Trim(strings.TrimPrefix(pe.Message, referencedTable), `"`)
	var dropped []string
	for _, o := range d.Objects {
		if n := stmt.Names(o.GetList().GetItems()); len(n) > 0 {
			dropped = append(dropped, n[len(n)-1])
		}
	}
	if len(dropped) == 0 {
		return err
	}
	c := *pe
	c.Code = "2BP01"
	c.Hint = "Use DROP ... CASCADE to drop the dependent objects too."
	c.Detail, c.Position = "", 0
	c.Message = "cannot drop table " + dropped[0] + " because other objects depend on it"
	quoted := make([]string, len(dropped))
	for i, n := range dropped {
		quoted[i] = quoteLiteral(n)
	}
	in := strings.Join(quoted, ", ")
	rows, qerr := s.catalogQuery(ctx, "SELECT conname, table_name, referenced_table FROM pg_catalog.quiver_conbase WHERE contype = 'f' AND referenced_table IN ("+
		in+") AND table_name NOT IN ("+in+") ORDER BY table_name = "+quoteLiteral(child)+" DESC, conname")
	if qerr != nil || len(rows) == 0 {
		return &c
	}
	var lines []string
	for _, r := range rows {
		if r[2] == rows[0][2] {
			lines = append(lines, "constraint "+r[0]+" on table "+r[1]+" depends on table "+r[2])
		}
	}
	c.Message = "cannot drop table " + rows[0][2] + " because other objects depend on it"
	if len(d.Objects) > 1 {
		c.Message = "cannot drop desired object(s) because other objects depend on them"
	}
	c.Detail = strings.Join(lines, "\n")
	return &c
}

// nameForeignKey completes nameConstraint for a foreign key violation:
// DuckDB's names neither the constraint nor the tables, and its key's
// columns are the referenced table's for an insert or update of the
// referencing table, the referencing table's for a delete or update of the
// referenced one (`is still referenced`). The foreign key is the one of
// the table rel (where, a condition on v.relname and v.nspname, selects
// it, as the referencing or the referenced table) with those columns.
func (s *Session) nameForeignKey(ctx context.Context, err error, pe *pgerror.Error, rel *pg_query.RangeVar, where string) error {
	key := keyColumns(pe.Detail)
	_, rest, ok := strings.Cut(pe.Detail, ")=(")
	if len(key) == 0 || !ok {
		return err
	}
	deleting := strings.HasSuffix(rest, " is still referenced from another table.")
	vals, _, _ := strings.Cut(rest, ") is ")
	side, keyed := "table_name", "refcols"
	if deleting {
		side, keyed = "referenced_table", "cols"
	}
	// DuckDB names a key's columns as they were named when the key was
	// made, also after they are renamed: failing a match by name, the one
	// foreign key of as many columns.
	sql := "SELECT v.conname, v.nspname, v.table_name, v.referenced_table, v.cols, v.refcols, v." + keyed + " = " +
		quoteLiteral(strings.Join(key, ", ")) + " AS named FROM (SELECT c.conname, " +
		"pg_catalog.quiver_nspname(c.database_name, c.schema_name) AS nspname, c." + side + " AS relname, c.table_name, c.referenced_table, " +
		"array_to_string(c.cols, ', ') AS cols, array_to_string(c.refcols, ', ') AS refcols, pg_catalog.array_length(c.cols, 1) AS n " +
		"FROM pg_catalog.quiver_conbase c WHERE c.contype = 'f') v" + where +
		" AND v.n = " + strconv.Itoa(len(key)) +
		" ORDER BY pg_catalog.array_position(pg_catalog.current_schemas(true), v.nspname), v.conname"
	all, qerr := s.catalogQuery(ctx, sql)
	if qerr != nil || len(all) == 0 {
		return err
	}
	var rows [][]string
	for _, r := range all {
		if r[6] == "true" || r[6] == "t" {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 && len(all) == 1 {
		rows = all
	}
	if len(rows) == 0 {
		return err
	}
	r := rows[0]
	if deleting && len(rows) > 1 && len(key) == 1 {
		// Several tables refer to rel with columns of that name: the one
		// that has a row with the key is the one in the way.
		for _, cand := range rows {
			hit, qerr := s.catalogQuery(ctx, "SELECT 1 FROM "+quoteIdent(cand[1])+"."+quoteIdent(cand[2])+
				" WHERE CAST("+quoteIdent(key[0])+" AS text) = "+quoteLiteral(vals)+" LIMIT 1")
			if qerr == nil && len(hit) > 0 {
				r = cand
				break
			}
		}
	}
	c := *pe
	c.ConstraintName, c.SchemaName = r[0], r[1]
	if deleting {
		c.TableName = r[2] // the foreign key's table, as PostgreSQL reports it
		c.Message = `update or delete on table "` + r[3] + `" violates foreign key constraint "` + r[0] + `" on table "` + r[2] + `"`
		c.Detail = "Key (" + r[5] + ")=(" + vals + `) is still referenced from table "` + r[2] + `".`
	} else {
		c.TableName = r[2]
		c.Message = `insert or update on table "` + r[2] + `" violates foreign key constraint "` + r[0] + `"`
		c.Detail = "Key (" + r[4] + ")=(" + vals + `) is not present in table "` + r[3] + `".`
	}
	return &c
}

// catalogQuery runs a catalog query of quiver's own. Inside a transaction
// the engine's transaction may be aborted by the error being explained
// (DuckDB's is), and a session of its own would cost far more than the
// error (DuckDB: 0.1-1 s): there the constraint is not looked up.
func (s *Session) catalogQuery(ctx context.Context, sql string) ([][]string, error) {
	if s.tx != txIdle || s.implicit || s.h.rw == nil {
		// (Without a dialect the backend has no catalog of quiver's.)
		return nil, errNoLookup
	}
	return s.pgQueryStrings(ctx, sql)
}

var errNoLookup = errors.New("no catalog lookup inside a transaction")

// targetRelation is the table an INSERT, UPDATE, MERGE or COPY FROM writes.
func targetRelation(st *stmt.Statement) *pg_query.RangeVar {
	if st.Node == nil {
		return nil
	}
	switch {
	case st.Node.GetInsertStmt() != nil:
		return st.Node.GetInsertStmt().Relation
	case st.Node.GetUpdateStmt() != nil:
		return st.Node.GetUpdateStmt().Relation
	case st.Node.GetMergeStmt() != nil:
		return st.Node.GetMergeStmt().Relation
	case st.Node.GetCopyStmt() != nil && st.Node.GetCopyStmt().IsFrom:
		return st.Node.GetCopyStmt().Relation
	}
	return nil
}

// keyColumns reads the columns from a unique violation's detail,
// `Key (a, b)=(1, x) already exists.`; nil if it has another form.
func keyColumns(detail string) []string {
	rest, ok := strings.CutPrefix(detail, "Key (")
	if !ok {
		return nil
	}
	cols, _, ok := strings.Cut(rest, ")=(")
	if !ok {
		return nil
	}
	out := strings.Split(cols, ", ")
	for i, c := range out {
		out[i] = strings.Trim(c, `"`)
	}
	return out
}

// bareKey reads the values from a unique violation's detail that does not
// name the columns, `Key (1) already exists.`: DuckDB's form for a
// duplicate within one statement or transaction.
func bareKey(detail string) (string, bool) {
	rest, ok := strings.CutPrefix(detail, "Key (")
	if !ok || strings.Contains(rest, ")=(") {
		return "", false
	}
	return strings.CutSuffix(rest, ") already exists.")
}

// uniqueIndexFor picks, of rows (index, schema, column; an index's columns
// in order), the unique index on exactly cols: in the same order if there
// is one, else in any order. With cols unknown, it picks the table's only
// unique index. It returns the index's columns too.
func uniqueIndexFor(rows [][]string, cols []string) (name, schema string, on []string) {
	type index struct {
		name, schema string
		cols         []string
	}
	var list []*index
	for _, r := range rows {
		if len(list) == 0 || list[len(list)-1].name != r[0] {
			list = append(list, &index{name: r[0], schema: r[1]})
		}
		last := list[len(list)-1]
		last.cols = append(last.cols, unparen(r[2]))
	}
	if len(cols) == 0 {
		if len(list) == 1 {
			return list[0].name, list[0].schema, list[0].cols
		}
		return "", "", nil
	}
	for _, ordered := range []bool{true, false} {
		for _, ix := range list {
			if sameColumns(ix.cols, cols, ordered) {
				return ix.name, ix.schema, ix.cols
			}
		}
	}
	// DuckDB names a key's columns as they were named when the key was
	// made, also after they are renamed: the one key of as many columns.
	var found *index
	for _, ix := range list {
		if len(ix.cols) == len(cols) {
			if found != nil {
				return "", "", nil
			}
			found = ix
		}
	}
	if found == nil {
		return "", "", nil
	}
	return found.name, found.schema, found.cols
}

// unparen is an index's expression without the parentheses DuckDB keeps
// around the whole of it, `(lower(b))`, which a violation's detail does
// not write.
func unparen(e string) string {
	if len(e) < 2 || e[0] != '(' || e[len(e)-1] != ')' {
		return e
	}
	depth := 0
	for i := 0; i < len(e)-1; i++ {
		switch e[i] {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth == 0 {
			return e // the first parenthesis closes before the end
		}
	}
	return e[1 : len(e)-1]
}

func sameColumns(a, b []string, ordered bool) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for i := range a {
		if ordered && a[i] != b[i] {
			return false
		}
		seen[a[i]]++
		seen[b[i]]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

// checkFor picks, of rows (constraint, schema, definition), the check
// constraint whose expression the violation's detail gives, `Failing
// expression: CHECK((k > 0))`; or the table's only check constraint.
func checkFor(rows [][]string, detail string) (name, schema string) {
	expr, ok := strings.CutPrefix(detail, "Failing expression: ")
	if ok {
		want := squeeze(expr)
		for _, r := range rows {
			if squeeze(r[2]) == want {
				return r[0], r[1]
			}
		}
	}
	if len(rows) == 1 {
		return rows[0][0], rows[0][1]
	}
	return "", ""
}

// squeeze removes the white space from a constraint's text, which DuckDB
// and pg_get_constraintdef lay out differently.
func squeeze(s string) string {
	return strings.Join(strings.Fields(s), "")
}
