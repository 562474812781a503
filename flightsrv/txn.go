package flightsrv

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"

	"github.com/quiverdb/quiver/pgerror"
)

// BeginTransaction starts a transaction on a connection of its own (the
// session's spare one, or a new one) and returns its id. Statements that
// carry the id run on that connection; others stay outside the
// transaction.
func (h *sqlServer) BeginTransaction(ctx context.Context, _ flightsql.ActionBeginTransactionRequest) ([]byte, error) {
	id, err := h.beginTransaction(ctx)
	return id, toStatus(err)
}

func (h *sqlServer) beginTransaction(ctx context.Context) ([]byte, error) {
	ss, err := callFrom(ctx).session(ctx)
	if err != nil {
		return nil, err
	}
	cn, err := ss.takeSpare(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := cn.exec(ctx, "BEGIN"); err != nil {
		cn.close()
		return nil, err
	}
	ss.mu.Lock()
	if ss.closed {
		ss.mu.Unlock()
		cn.close()
		return nil, errSessionClosed
	}
	id := ss.newObj()
	ss.txns[id] = &txn{conn: cn, savepoints: map[uint64]string{}}
	ss.mu.Unlock()
	return handle{kind: kindTxn, sess: ss.id, obj: id}.bytes(), nil
}

// takeSpare returns the session's spare connection, or a new one.
func (ss *session) takeSpare(ctx context.Context) (*conn, error) {
	ss.mu.Lock()
	cn := ss.spare
	ss.spare = nil
	ss.mu.Unlock()
	if cn != nil && cn.usable() {
		return cn, nil
	}
	if cn != nil {
		go cn.close()
	}
	return ss.open(ctx)
}

// putSpare keeps a connection for the next transaction, or closes it if
// the session has one already.
func (ss *session) putSpare(cn *conn) {
	ss.mu.Lock()
	keep := ss.spare == nil && !ss.closed && cn.usable()
	if keep {
		ss.spare = cn
	}
	ss.mu.Unlock()
	if !keep {
		cn.close()
	}
}

// EndTransaction commits or rolls back a transaction. A commit of a
// transaction a failed statement aborted rolls it back and fails with
// SQLSTATE 40000, where PostgreSQL's COMMIT would quietly roll back.
// Prepared statements made in the transaction are prepared again, outside
// it, at their next use.
func (h *sqlServer) EndTransaction(ctx context.Context, req flightsql.ActionEndTransactionRequest) error {
	return toStatus(h.endTransaction(ctx, req))
}

func (h *sqlServer) endTransaction(ctx context.Context, req flightsql.ActionEndTransactionRequest) error {
	action := req.GetAction()
	if action != flightsql.EndTransactionCommit && action != flightsql.EndTransactionRollback {
		return pgerror.New(pgerror.InvalidParameterValue, "EndTransaction needs COMMIT or ROLLBACK")
	}
	hd, _, err := parseHandle(req.GetTransactionId(), kindTxn)
	if err != nil {
		return err
	}
	ss, err := callFrom(ctx).sessionByID(hd.sess)
	if err != nil {
		return errNoTxn
	}
	ss.mu.Lock()
	t := ss.txns[hd.obj]
	delete(ss.txns, hd.obj)
	var stmts []*prepared
	var pending []*pendingQuery
	if t != nil {
		for _, p := range ss.stmts {
			stmts = append(stmts, p)
		}
		for id, p := range ss.pending {
			if p.conn == t.conn {
				pending = append(pending, ss.dropPending(id))
			}
		}
	}
	ss.mu.Unlock()
	if t == nil {
		return errNoTxn
	}
	for _, p := range stmts {
		p.detach(t.conn)
	}
	for _, p := range pending {
		t.conn.closeStmt(p.stmt)
	}

	cn := t.conn
	var endErr error
	if action == flightsql.EndTransactionCommit {
		// A failed statement aborted the transaction if even SELECT 1
		// fails now.
		if _, err := cn.exec(ctx, "SELECT 1"); err != nil {
			endErr = pgerror.New(pgerror.TransactionRollback, "the transaction was rolled back: %v", pgerror.Flatten(err).Message)
		} else if _, err := cn.exec(ctx, "COMMIT"); err != nil {
			endErr = err
		}
	}
	if action == flightsql.EndTransactionRollback || endErr != nil {
		if _, err := cn.exec(ctx, "ROLLBACK"); err != nil && endErr == nil {
			endErr = err
		}
	}
	// The connection is reusable if it is now outside a transaction.
	if _, err := cn.exec(ctx, "SELECT 1"); err != nil || ctx.Err() != nil {
		cn.close()
	} else {
		ss.putSpare(cn)
	}
	return endErr
}

// txnOf returns the transaction a transaction id names, and its session.
func (h *sqlServer) txnOf(ctx context.Context, txnID []byte) (*session, *txn, uint64, error) {
	hd, _, err := parseHandle(txnID, kindTxn)
	if err != nil {
		return nil, nil, 0, err
	}
	ss, err := callFrom(ctx).sessionByID(hd.sess)
	if err != nil {
		return nil, nil, 0, errNoTxn
	}
	ss.mu.Lock()
	t := ss.txns[hd.obj]
	ss.mu.Unlock()
	if t == nil {
		return nil, nil, 0, errNoTxn
	}
	return ss, t, hd.obj, nil
}

// BeginSavepoint creates a savepoint in a transaction.
func (h *sqlServer) BeginSavepoint(ctx context.Context, req flightsql.ActionBeginSavepointRequest) ([]byte, error) {
	id, err := h.beginSavepoint(ctx, req)
	return id, toStatus(err)
}

func (h *sqlServer) beginSavepoint(ctx context.Context, req flightsql.ActionBeginSavepointRequest) ([]byte, error) {
	if req.GetName() == "" {
		return nil, pgerror.New(pgerror.InvalidParameterValue, "a savepoint needs a name")
	}
	ss, t, txnObj, err := h.txnOf(ctx, req.GetTransactionId())
	if err != nil {
		return nil, err
	}
	if err := savepointSQL(ctx, t.conn, "SAVEPOINT "+quoteIdent(req.GetName())); err != nil {
		return nil, err
	}
	ss.mu.Lock()
	id := ss.newObj()
	t.savepoints[id] = req.GetName()
	ss.mu.Unlock()
	return savepointID{handle: handle{kind: kindSavepoint, sess: ss.id, obj: id}, txn: txnObj}.bytes(), nil
}

// savepointSQL runs a savepoint statement. A backend whose grammar has no
// savepoints (DuckDB) answers 0A000, not a syntax error.
func savepointSQL(ctx context.Context, cn *conn, sql string) error {
	_, err := cn.exec(ctx, sql)
	if pgerror.Code(err) == pgerror.SyntaxError {
		return pgerror.New(pgerror.FeatureNotSupported, "savepoints are not supported by this backend")
	}
	return err
}

// EndSavepoint releases a savepoint, or rolls back to it. Savepoints made
// after it are gone either way, as in SQL; after a rollback the savepoint
// itself remains.
func (h *sqlServer) EndSavepoint(ctx context.Context, req flightsql.ActionEndSavepointRequest) error {
	return toStatus(h.endSavepoint(ctx, req))
}

func (h *sqlServer) endSavepoint(ctx context.Context, req flightsql.ActionEndSavepointRequest) error {
	sp, err := parseSavepoint(req.GetSavepointId())
	if err != nil {
		return err
	}
	txnID := handle{kind: kindTxn, sess: sp.sess, obj: sp.txn}.bytes()
	ss, t, _, err := h.txnOf(ctx, txnID)
	if err != nil {
		return err
	}
	ss.mu.Lock()
	name, ok := t.savepoints[sp.obj]
	ss.mu.Unlock()
	if !ok {
		return pgerror.New("3B001", "savepoint does not exist")
	}
	var sql string
	switch req.GetAction() {
	case flightsql.EndSavepointRelease:
		sql = "RELEASE SAVEPOINT " + quoteIdent(name)
	case flightsql.EndSavepointRollback:
		sql = "ROLLBACK TO SAVEPOINT " + quoteIdent(name)
	default:
		return pgerror.New(pgerror.InvalidParameterValue, "EndSavepoint needs RELEASE or ROLLBACK")
	}
	if err := savepointSQL(ctx, t.conn, sql); err != nil {
		return err
	}
	ss.mu.Lock()
	for id := range t.savepoints {
		if id > sp.obj || (id == sp.obj && req.GetAction() == flightsql.EndSavepointRelease) {
			delete(t.savepoints, id)
		}
	}
	ss.mu.Unlock()
	return nil
}
