package dispatch

import (
	"context"
	"maps"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/stmt"
)

// Savepoints for engines without them (DuckDB has no nested
// transactions). quiver keeps the savepoint names as PostgreSQL does and
// honours ROLLBACK TO SAVEPOINT whenever undoing is possible without one:
// when nothing was written since the savepoint and no statement failed, it
// has nothing to undo; when nothing was written before the savepoint, the
// backend's transaction is rolled back and begun again, which under READ
// COMMITTED (PostgreSQL's default, where each statement takes a new
// snapshot) is what PostgreSQL's rollback to the savepoint leaves. Only a
// rollback that would have to keep earlier writes while undoing later ones
// is refused, with 0A000, leaving the transaction failed so that nothing
// is half-kept.
// See https://www.postgresql.org/docs/current/sql-savepoint.html.

// savepoint is one SAVEPOINT of the open transaction.
type savepoint struct {
	name string
	// writes is the number of writing statements before it.
	writes int
	// vars is the session's settings when it was made, which ROLLBACK TO
	// restores.
	vars map[string]string
}

// savepoints is a transaction's savepoint stack and write count.
type savepoints struct {
	stack  []savepoint
	writes int
}

// noteWrite counts a writing statement of an explicit transaction.
func (s *Session) noteWrite() {
	if s.tx != txIdle {
		s.sp.writes++
	}
}

// resetSavepoints forgets the savepoints when a transaction begins or ends.
func (s *Session) resetSavepoints() { s.sp = savepoints{stack: s.sp.stack[:0]} }

// find returns the index of the latest savepoint named name, or -1.
func (sp *savepoints) find(name string) int {
	for i := len(sp.stack) - 1; i >= 0; i-- {
		if sp.stack[i].name == name {
			return i
		}
	}
	return -1
}

// execSavepoint runs SAVEPOINT, RELEASE and ROLLBACK TO on an engine
// without savepoints.
func (s *Session) execSavepoint(ctx context.Context, st *stmt.Statement) error {
	name := st.Node.GetTransactionStmt().GetSavepointName()
	if st.Tx == stmt.TxSavepoint {
		s.sp.stack = append(s.sp.stack, savepoint{name: name, writes: s.sp.writes, vars: maps.Clone(s.vars)})
		s.w.send(&pgproto3.CommandComplete{CommandTag: []byte(st.Tag)})
		return nil
	}
	i := s.sp.find(name)
	if i < 0 {
		return pgerror.New(pgerror.InvalidSavepointSpecification, "savepoint \"%s\" does not exist", name)
	}
	if st.Tx == stmt.TxRelease {
		s.sp.stack = s.sp.stack[:i]
		s.w.send(&pgproto3.CommandComplete{CommandTag: []byte(st.Tag)})
		return nil
	}
	sp := s.sp.stack[i]
	s.sp.stack = s.sp.stack[:i+1]
	switch {
	case s.sp.writes == sp.writes && s.tx != txFailed:
		// Nothing to undo.
	case sp.writes == 0:
		// Nothing to keep: begin again.
		s.ext.closePortals()
		if err := s.backendExec(ctx, "ROLLBACK"); err != nil {
			return err
		}
		if err := s.backendExec(ctx, "BEGIN"); err != nil {
			return err
		}
		s.sp.writes = 0
	default:
		return pgerror.New(pgerror.FeatureNotSupported,
			"ROLLBACK TO SAVEPOINT cannot undo changes made after savepoint \"%s\" while keeping those made before it: this backend has no savepoints", name).
			WithHint("Roll back the whole transaction.")
	}
	s.restoreVars(sp.vars)
	s.tx = txBlock
	s.w.send(&pgproto3.CommandComplete{CommandTag: []byte(st.Tag)})
	return nil
}
