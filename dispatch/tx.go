package dispatch

import (
	"context"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/stmt"
)

// execTransaction runs transaction control and keeps the I/T/E status
// exactly as PostgreSQL's xact.c does, including its warnings for BEGIN
// inside a block and COMMIT outside one.
func (s *Session) execTransaction(ctx context.Context, st *stmt.Statement, multi bool) error {
	complete := func(tag string) error {
		s.w.send(&pgproto3.CommandComplete{CommandTag: []byte(tag)})
		return nil
	}
	switch st.Tx {
	case stmt.TxBegin:
		switch {
		case s.tx == txBlock:
			s.w.sendNotice("WARNING", pgerror.ActiveSQLTransaction, "there is already a transaction in progress")
			return complete(st.Tag)
		case s.implicit:
			// BEGIN inside a multi-statement string turns the implicit
			// block, already open on the backend, into an explicit one.
			s.implicit = false
			s.tx = txBlock
			return complete(st.Tag)
		}
		if err := s.lockTx(ctx); err != nil {
			return err
		}
		if err := s.backendExec(ctx, "BEGIN"); err != nil {
			s.unlockTx()
			return err
		}
		s.tx = txBlock
		s.resetSavepoints()
		s.ext.txBegan()
		return complete(st.Tag)

	case stmt.TxCommit, stmt.TxRollback:
		if s.tx == txIdle && !s.implicit {
			s.w.sendNotice("WARNING", pgerror.NoActiveSQLTransaction, "there is no transaction in progress")
			return complete(st.Tag)
		}
		if s.implicit {
			s.w.sendNotice("WARNING", pgerror.NoActiveSQLTransaction, "there is no transaction in progress")
		}
		op, tag := "COMMIT", st.Tag
		if st.Tx == stmt.TxRollback || s.tx == txFailed {
			op, tag = "ROLLBACK", "ROLLBACK"
		}
		if op == "COMMIT" {
			// Held cursors read the rest of their rows before the
			// transaction that sees them ends.
			s.cursorsAtTxEnd(true)
		}
		err := s.backendExec(ctx, op)
		s.tx, s.implicit = txIdle, false
		s.resetSavepoints()
		s.ext.txEnded()
		s.cursorsAtTxEnd(false)
		s.settingsAtTxEnd(op == "COMMIT")
		if !multi {
			s.unlockTx()
		}
		if err != nil && op == "COMMIT" {
			return err
		}
		return complete(tag)

	case stmt.TxSavepoint, stmt.TxRelease, stmt.TxRollbackTo:
		if s.tx == txIdle {
			return pgerror.New(pgerror.NoActiveSQLTransaction, "%s can only be used in transaction blocks", savepointWord(st.Tx))
		}
		if s.emulates() {
			return s.execSavepoint(ctx, st)
		}
		if err := s.backendExec(ctx, st.SQL); err != nil {
			return err
		}
		if st.Tx == stmt.TxRollbackTo && s.tx == txFailed {
			s.tx = txBlock
		}
		return complete(st.Tag)
	}
	return pgerror.New(pgerror.FeatureNotSupported, "%s is not supported", st.Tag)
}

func savepointWord(op stmt.TxOp) string {
	switch op {
	case stmt.TxRelease:
		return "RELEASE SAVEPOINT"
	case stmt.TxRollbackTo:
		return "ROLLBACK TO SAVEPOINT"
	}
	return "SAVEPOINT"
}
