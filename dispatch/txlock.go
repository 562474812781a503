package dispatch

import (
	"context"

	"github.com/quiverdb/quiver/stmt"
)

// txLock makes writing transactions take turns on backends that abort
// conflicting writers (backends.TxSerializer). A session holds it from the
// start of a transaction block to its end, or for one writing statement
// outside a block; waiting for it can be cancelled like any statement.
type txLock chan struct{}

// lockTx takes the lock unless the session holds it or the backend does
// not need it.
func (s *Session) lockTx(ctx context.Context) error {
	if s.h.txLock == nil || s.holdsTx {
		return nil
	}
	select {
	case s.h.txLock <- struct{}{}:
		s.holdsTx = true
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// unlockTx releases the lock if the session holds it.
func (s *Session) unlockTx() {
	if s.holdsTx {
		s.holdsTx = false
		<-s.h.txLock
	}
}

// writes reports whether a statement may write, and so must hold the lock
// when it runs outside a transaction block.
func writes(st *stmt.Statement) bool {
	switch st.Kind {
	case stmt.KindDML, stmt.KindDDL, stmt.KindCopy, stmt.KindUnknown:
		return true
	}
	return false
}
