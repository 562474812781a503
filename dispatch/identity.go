package dispatch

import (
	"context"

	"github.com/quiverdb/quiver/dialect"
	"github.com/quiverdb/quiver/stmt"
)

// applyIdentity returns st, an INSERT or UPDATE, as PostgreSQL's rewriter
// makes it for the identity columns of its table, or its 428C9 error
// (dialect.ApplyIdentity). The identity columns are read from the catalog
// as a split's catalog rows are, kept until DDL (catalogRows), and read
// into a map once, so that an INSERT costs a look in that map. A catalog that cannot be read leaves st
// as it is.
func (s *Session) applyIdentity(ctx context.Context, st *stmt.Statement) (*stmt.Statement, error) {
	if st.Node.GetInsertStmt() == nil && st.Node.GetUpdateStmt() == nil {
		return st, nil
	}
	rows, err := s.catalogRows(ctx, identityColumnsSQL)
	if err != nil || len(rows) == 0 {
		return st, nil
	}
	// The rows are kept until DDL: read them once, not per statement.
	m := &s.identities
	if len(m.rows) == 0 || &m.rows[0] != &rows[0] {
		m.rows, m.ids = rows, dialect.NewIdentities(rows)
	}
	if v := s.vars["search_path"]; m.path == nil || v != m.pathValue {
		m.pathValue, m.path = v, searchPathSchemas(v)
	}
	return dialect.ApplyIdentity(st, m.ids, m.path)
}

var identityColumnsSQL = dialect.IdentityColumnsSQL()
