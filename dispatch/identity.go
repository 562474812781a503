package dispatch

import (
	"context"

	"github.com/quiverdb/quiver/dialect"
	"github.com/quiverdb/quiver/stmt"
)

// applyIdentity returns st, an INSERT or UPDATE, as PostgreSQL's rewriter
// makes it for the identity columns of its table, or its 428C9 error
// (dialect.ApplyIdentity). The identity columns are read from the catalog
// as a split's catalog rows are, kept until DDL (catalogRows), so that an
// INSERT costs a look in a map. A catalog that cannot be read leaves st
// as it is.
func (s *Session) applyIdentity(ctx context.Context, st *stmt.Statement) (*stmt.Statement, error) {
	if st.Node.GetInsertStmt() == nil && st.Node.GetUpdateStmt() == nil {
		return st, nil
	}
	rows, err := s.catalogRows(ctx, identityColumnsSQL)
	if err != nil || len(rows) == 0 {
		return st, nil
	}
	return dialect.ApplyIdentity(st, dialect.NewIdentities(rows), searchPathSchemas(s.vars["search_path"]))
}

var identityColumnsSQL = dialect.IdentityColumnsSQL()
