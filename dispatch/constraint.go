package dispatch

import (
	"context"
	"errors"
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
// it cannot be found, err is returned as it is.
func (s *Session) nameConstraint(ctx context.Context, err error, st *stmt.Statement) error {
	var pe *pgerror.Error
	if st == nil || !errors.As(err, &pe) || pe.ConstraintName != "" ||
		(pe.Code != pgerror.UniqueViolation && pe.Code != pgerror.CheckViolation) {
		return err
	}
	rel := targetRelation(st)
	if rel == nil {
		return err
	}
	name := quoteIdent(rel.Relname)
	if rel.Schemaname != "" {
		name = quoteIdent(rel.Schemaname) + "." + name
	}
	var sql string
	if pe.Code == pgerror.UniqueViolation {
		// The index's columns, in order, one row each.
		sql = "SELECT i.relname, n.nspname, a.attname FROM pg_catalog.pg_index x" +
			" JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid" +
			" JOIN pg_catalog.pg_namespace n ON n.oid = i.relnamespace" +
			" JOIN pg_catalog.pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = ANY (x.indkey)" +
			" WHERE x.indrelid = " + quoteLiteral(name) + "::pg_catalog.regclass AND x.indisunique" +
			" ORDER BY i.oid, pg_catalog.array_position(x.indkey, a.attnum)"
	} else {
		sql = "SELECT c.conname, n.nspname, pg_catalog.pg_get_constraintdef(c.oid) FROM pg_catalog.pg_constraint c" +
			" JOIN pg_catalog.pg_namespace n ON n.oid = c.connamespace" +
			" WHERE c.conrelid = " + quoteLiteral(name) + "::pg_catalog.regclass AND c.contype = 'c'"
	}
	rows, qerr := s.catalogQuery(ctx, sql)
	if qerr != nil || len(rows) == 0 {
		return err
	}
	c := *pe
	var found, schema string
	if pe.Code == pgerror.UniqueViolation {
		var cols []string
		found, schema, cols = uniqueIndexFor(rows, keyColumns(pe.Detail))
		if vals, ok := bareKey(pe.Detail); ok && found != "" {
			c.Detail = "Key (" + strings.Join(cols, ", ") + ")=(" + vals + ") already exists."
		}
	} else {
		found, schema = checkFor(rows, pe.Detail)
	}
	if found == "" {
		return err
	}
	c.Message += ` "` + found + `"`
	c.SchemaName, c.TableName, c.ConstraintName = schema, rel.Relname, found
	return &c
}

// catalogQuery runs a catalog query of quiver's own. Inside a transaction
// the session's engine transaction may be aborted by the error being
// explained (DuckDB's is), so the query then runs on a short-lived session
// of its own, which sees what is committed.
func (s *Session) catalogQuery(ctx context.Context, sql string) ([][]string, error) {
	if s.tx == txIdle && !s.implicit {
		return s.pgQueryStrings(ctx, sql)
	}
	bs, err := s.h.cfg.Backend.Open(ctx, s.backendInfo)
	if err != nil {
		return nil, err
	}
	defer bs.Close()
	main := s.backend
	s.backend = bs
	defer func() { s.backend = main }()
	if s.h.cfg.SessionInit != nil {
		for _, q := range s.h.cfg.SessionInit(s.backendInfo) {
			if err := s.backendExec(ctx, q); err != nil {
				return nil, err
			}
		}
	}
	return s.pgQueryStrings(ctx, sql)
}

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
		last.cols = append(last.cols, r[2])
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
	return "", "", nil
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
