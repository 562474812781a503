//go:build duckdb_arrow

package duckdb

import (
	"context"
	"time"

	bindings "github.com/duckdb/duckdb-go-bindings"
)

// interruptEvery is how often a cancelled statement is interrupted again
// while the engine call it governs has not returned. DuckDB clears its
// interrupt flag when a new query starts on the connection, so one
// interrupt can be lost if it lands just before a call begins.
const interruptEvery = 50 * time.Millisecond

// watch interrupts a connection when a context is done, for as long as the
// statement the context governs is running or its rows are being read.
// Nothing runs until the context is done: context.AfterFunc starts the
// interrupting goroutine only then.
type watch struct {
	stop   func() bool
	done   chan struct{} // closed by end to stop the interrupt loop
	exited chan struct{} // closed by the interrupt loop when it returns
}

// watchConn starts watching ctx on behalf of conn. It returns nil when ctx
// can never be done. Call end before another statement runs on conn.
func watchConn(ctx context.Context, conn bindings.Connection) *watch {
	if ctx.Done() == nil {
		return nil
	}
	w := &watch{done: make(chan struct{}), exited: make(chan struct{})}
	w.stop = context.AfterFunc(ctx, func() {
		defer close(w.exited)
		t := time.NewTimer(interruptEvery)
		defer t.Stop()
		for {
			bindings.Interrupt(conn)
			select {
			case <-w.done:
				return
			case <-t.C:
				t.Reset(interruptEvery)
			}
		}
	})
	return w
}

// end stops watching. When the interrupt loop has started, end waits for it
// to return so that it cannot interrupt the connection's next statement.
func (w *watch) end() {
	if w == nil || w.stop == nil {
		return
	}
	if !w.stop() {
		close(w.done)
		<-w.exited
	}
	w.stop = nil
}
