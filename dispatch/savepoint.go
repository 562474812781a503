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
// honours ROLLBACK TO SAVEPOINT by rebuilding the transaction: when
// nothing was written since the savepoint and no statement failed, there
// is nothing to undo; otherwise the backend's transaction is rolled back,
// begun again, and the writes made before the savepoint are run again
// from the replay log (savepoint_log.go), which under READ COMMITTED
// (PostgreSQL's default, where each statement takes a new snapshot) is
// what PostgreSQL's rollback to the savepoint leaves. Writing transactions
// take turns on such engines (txlock.go), so no other writer changes the
// data a replay reads.
//
// A rollback whose replay could not reproduce the same state is refused
// with 0A000, leaving the transaction failed so that nothing is half-kept:
// when a write to replay calls a function whose result differs on a
// second run (random(), nextval(), now(), ...; savepoint_check.go) or
// inserts into a table with such a column default, ran COPY FROM, could
// not be parsed, was made before BEGIN in the same query string, or lies
// past the log's memory bound; and when a replayed write fails or changes
// another number of rows than the first time.
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

// savepoints is a transaction's savepoint stack, write count and replay
// log.
type savepoints struct {
	stack  []savepoint
	writes int
	log    replayLog
}

// keep is the number of writes before the latest savepoint, which the
// replay log must hold on to.
func (sp *savepoints) keep() int {
	if len(sp.stack) == 0 {
		return 0
	}
	return sp.stack[len(sp.stack)-1].writes
}

// noteWrite counts a writing statement of a transaction block, explicit or
// implicit, and records it in the replay log when the session emulates
// savepoints. p is the portal running it through the backend's prepared
// statement, or nil when it runs as text (the backend's SQL is then noted
// by runOnBackend). It returns the log index to give wrote, or -1.
func (s *Session) noteWrite(st *stmt.Statement, p *portal) int {
	if !s.inTxBlock() {
		return -1
	}
	var e logEntry
	if cs := st.Node.GetCopyStmt(); cs != nil {
		if !cs.IsFrom {
			return -1 // COPY TO writes nothing
		}
		e.refuse = "quiver does not keep the rows of COPY FROM"
	}
	s.sp.writes++
	if !s.emulates() {
		return -1
	}
	if s.implicit {
		// Not recorded: such a block is rolled back or committed at its
		// end, unless a BEGIN inside it makes it a transaction, whose
		// replays must then refuse these writes.
		s.sp.log.first = s.sp.writes
		return -1
	}
	if !s.sp.log.recording(s.sp.writes) {
		return -1
	}
	if p != nil && p.ps.bstmt != nil {
		e.ps, e.params = p.ps, p.params
		p.ps.refs++
		if e.params != nil {
			e.params.Retain()
		}
	} else {
		e.orig = st.SQL
	}
	refused := e.refuse != ""
	i := s.sp.log.add(s.sp.writes, e, s.sp.keep())
	if i < 0 {
		e.release()
	} else if refused {
		s.sp.log.wrote(i, 0) // nothing more to note of it
	}
	return i
}

// ranOnBackend notes the SQL the backend ran for st, for its replay.
func (s *Session) ranOnBackend(st *stmt.Statement, sql string) {
	if s.sp.log.cur > 0 {
		s.sp.log.ran(st, sql, s.sp.keep())
	}
}

// resetSavepoints forgets the savepoints and the replay log when a
// transaction begins or ends.
func (s *Session) resetSavepoints() {
	s.sp.log.reset()
	s.sp.stack = s.sp.stack[:0]
	s.sp.writes = 0
}

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
	if s.sp.writes != sp.writes || s.tx == txFailed {
		if err := s.rebuild(ctx, name, sp.writes); err != nil {
			return err
		}
	}
	s.restoreVars(sp.vars)
	s.tx = txBlock
	s.w.send(&pgproto3.CommandComplete{CommandTag: []byte(st.Tag)})
	return nil
}
