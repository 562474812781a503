package postgres

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Cancelling a statement
//
// PostgreSQL acts on a CancelRequest only while the backend process works
// on a message: one that arrives while the process waits for the next
// message is dropped ("If we are reading a command from the client, just
// ignore the cancel request", ProcessInterrupts in postgres.c). A context
// cancelled just before or while pgconn sends a statement makes a
// CancelRequest that can overtake the statement on its way, on the network
// or in the scheduler; PostgreSQL then drops it and runs the statement,
// and pgconn's own CancelRequestContextWatcherHandler would wait for its
// DeadlineDelay and close the connection.
//
// cancelHandler therefore sends the CancelRequest again, at growing
// intervals, until the pgconn call that was cancelled returns: one of them
// finds the statement running. A CancelRequest that arrives after the
// statement ended finds the process waiting for a message and is dropped
// too, so the extra ones are harmless as long as none is still on its way
// when the next statement starts. The handler makes sure of that before the
// call returns: it waits until PostgreSQL has answered the last one (the
// postmaster closes the cancel connection once it has signalled the
// backend process) and then cancelSettle more, as pgconn's handler does. A
// CancelRequest that was not answered in time may still arrive later; the
// session is then no longer valid (Session.IsValid), for a pool to discard
// it.
//
// As in pgconn's handler, the connection's deadline is set to
// CancelTimeout after the cancel: a statement PostgreSQL does not stop by
// then fails, and pgconn closes the connection.

const (
	// cancelRetryFirst is the wait before the first repeated
	// CancelRequest; each later wait doubles, up to cancelRetryMax.
	cancelRetryFirst = 50 * time.Millisecond
	cancelRetryMax   = 500 * time.Millisecond
	// cancelSettle is how long after PostgreSQL answered a CancelRequest
	// its signal may still reach the backend process.
	cancelSettle = 100 * time.Millisecond
)

// cancelHandler is a connection's ctxwatch.Handler (see above).
type cancelHandler struct {
	conn    *pgconn.PgConn
	timeout time.Duration // Options.CancelTimeout

	// stop and done belong to the cancel in progress. HandleCancel sets
	// them; the ContextWatcher calls HandleUnwatchAfterCancel only after
	// HandleCancel has returned.
	stop chan struct{}
	done chan struct{}

	// unsure is set when a CancelRequest was not answered in time: it may
	// still reach PostgreSQL and cancel a later statement.
	unsure atomic.Bool
	// broken is set when copyOut found the connection's stream broken
	// and closed its socket.
	broken atomic.Bool
	// sent counts the CancelRequests sent, for tests.
	sent atomic.Int64
	// cancelDeadline is the deadline HandleCancel set on the connection,
	// in Unix nanoseconds, 0 when none; bulkReader keeps it.
	cancelDeadline atomic.Int64
	// bulk is set while a bulkReader may have set SO_RCVLOWAT on the
	// connection.
	bulk atomic.Bool
}

// deadline returns the deadline HandleCancel set on the connection, or
// the zero time.
func (h *cancelHandler) deadline() time.Time {
	if d := h.cancelDeadline.Load(); d != 0 {
		return time.Unix(0, d)
	}
	return time.Time{}
}

// HandleCancel implements ctxwatch.Handler: it is called once the context
// of the call in progress is cancelled.
func (h *cancelHandler) HandleCancel(context.Context) {
	deadline := time.Now().Add(h.timeout)
	h.cancelDeadline.Store(deadline.UnixNano())
	_ = h.conn.Conn().SetDeadline(deadline)
	if h.bulk.Load() {
		setRcvLowat(h.conn.Conn(), 1)
	}
	h.stop, h.done = make(chan struct{}), make(chan struct{})
	go h.cancelUntilStopped(deadline, h.stop, h.done)
}

// HandleUnwatchAfterCancel implements ctxwatch.Handler: it is called when
// the cancelled call returns, and returns once no CancelRequest is on its
// way.
func (h *cancelHandler) HandleUnwatchAfterCancel() {
	close(h.stop)
	<-h.done
	h.cancelDeadline.Store(0)
	_ = h.conn.Conn().SetDeadline(time.Time{})
}

// cancelUntilStopped sends CancelRequests until stop is closed or the
// deadline passes, then waits for the last one to settle.
func (h *cancelHandler) cancelUntilStopped(deadline time.Time, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	wait := cancelRetryFirst
	for {
		h.sent.Add(1)
		// Errors are those of dialing or writing: the request did not
		// reach PostgreSQL, and the next one may.
		_ = h.conn.CancelRequest(ctx)
		if ctx.Err() != nil {
			// Not answered: it may be delivered yet. The connection
			// itself has reached its deadline too.
			h.unsure.Store(true)
			return
		}
		answered := time.Now()
		select {
		case <-stop:
			time.Sleep(time.Until(answered.Add(cancelSettle)))
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, cancelRetryMax)
	}
}
