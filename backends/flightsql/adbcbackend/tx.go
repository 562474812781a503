package adbcbackend

import (
	"context"

	"github.com/apache/arrow-adbc/go/adbc"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

// txState is a session's transaction: none, real (autocommit off on the
// connection), emulated (BEGIN on an engine without transactions), or lost
// with its connection.
type txState struct {
	open bool   // between BEGIN and COMMIT/ROLLBACK
	real bool   // the engine runs a transaction
	lost bool   // the connection broke while a real transaction was open
	id   uint64 // numbers real transactions; 0 outside one
	seq  uint64
}

// current identifies the transaction statements are prepared in: 0 in
// autocommit mode.
func (t *txState) current() uint64 {
	if t.open && t.real && !t.lost {
		return t.id
	}
	return 0
}

func (t *txState) connectionLost() {
	if t.open && t.real {
		t.lost = true
	}
}

// usable reports the error for running a statement now: after the
// connection was lost inside a transaction, every statement fails until
// the transaction ends, so none runs outside it by mistake.
func (t *txState) usable() error {
	if t.lost {
		return pgerror.New(pgerror.InFailedSQLTransaction,
			"current transaction is aborted, commands ignored until end of transaction block").
			WithDetail("The connection to the server was lost; the server rolled the transaction back.")
	}
	return nil
}

func (t *txState) end() { *t = txState{seq: t.seq} }

// setAutocommit turns c's autocommit mode on or off. Drivers that cannot
// set options after init report StatusNotImplemented, like those without
// transactions.
func setAutocommit(c *conn, on bool) error {
	po, ok := c.Connection.(adbc.PostInitOptions)
	if !ok {
		return adbc.Error{Code: adbc.StatusNotImplemented, Msg: "connection options cannot be set"}
	}
	v := adbc.OptionValueDisabled
	if on {
		v = adbc.OptionValueEnabled
	}
	return po.SetOption(adbc.OptionKeyAutoCommit, v)
}

// transaction runs BEGIN, COMMIT or ROLLBACK. The frontend keeps
// PostgreSQL's transaction status and warnings; here BEGIN inside a
// transaction and COMMIT or ROLLBACK outside one do nothing.
func (s *Session) transaction(ctx context.Context, k kind) (*backends.Result, error) {
	done := &backends.Result{RowsAffected: -1}
	switch {
	case k == kindBegin && s.tx.open, k != kindBegin && !s.tx.open:
		return done, nil
	case k == kindBegin:
		c, err := s.conn(ctx)
		if err != nil {
			return nil, err
		}
		if c.Transactions != SupportNo {
			err := setAutocommit(c, false)
			switch {
			case err == nil:
				c.Transactions = SupportYes
				s.tx.seq++
				s.tx = txState{open: true, real: true, id: s.tx.seq, seq: s.tx.seq}
				return done, nil
			case isStatus(err, adbc.StatusNotImplemented):
				c.Transactions = SupportNo
			default:
				c.broken.Store(true) // leave no half-set autocommit behind
				return nil, s.fail(ctx, c, err)
			}
		}
		s.tx.open = true
		s.notice(ErrTransactionsNotSupported)
		return done, nil
	}

	tx := s.tx
	s.tx.end()
	if tx.real && !tx.lost && (s.c == nil || s.c.broken.Load()) {
		tx.lost = true
	}
	switch {
	case tx.lost && k == kindCommit:
		return nil, pgerror.New(pgerror.TransactionRollback,
			"the transaction was rolled back because the connection to the server was lost")
	case tx.lost:
		return done, nil
	case !tx.real && k == kindRollback:
		s.notice(errRollbackIgnored)
		return done, nil
	case !tx.real:
		return done, nil
	}
	c := s.c
	var err error
	if k == kindRollback {
		// Rollback starts a new transaction; turning autocommit on then
		// commits that empty one.
		err = c.Rollback(ctx)
	}
	if err == nil {
		err = setAutocommit(c, true)
	}
	if err != nil {
		// Whatever the engine did, the connection is not in a state to trust.
		c.broken.Store(true)
		return nil, s.fail(ctx, c, err)
	}
	return done, nil
}
