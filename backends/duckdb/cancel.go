//go:build duckdb_arrow

package duckdb

import (
	"context"
	"sync"
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
	conn bindings.Connection
	stop func() bool

	mu    sync.Mutex // held while interrupting
	ended bool
}

// watchConn starts watching ctx on behalf of conn. It returns nil when ctx
// can never be done. Call end before another statement runs on conn.
func watchConn(ctx context.Context, conn bindings.Connection) *watch {
	if ctx.Done() == nil {
		return nil
	}
	w := &watch{conn: conn}
	w.stop = context.AfterFunc(ctx, w.interrupt)
	return w
}

// interrupt interrupts the connection until end is called.
func (w *watch) interrupt() {
	for {
		w.mu.Lock()
		if w.ended {
			w.mu.Unlock()
			return
		}
		bindings.Interrupt(w.conn)
		w.mu.Unlock()
		time.Sleep(interruptEvery)
	}
}

// end stops watching. Once it returns, the connection is not interrupted
// on the statement's behalf any more: an interrupt in progress has
// finished, and the loop, if it started, stops at its next turn.
func (w *watch) end() {
	if w == nil || w.stop == nil {
		return
	}
	if !w.stop() {
		w.mu.Lock()
		w.ended = true
		w.mu.Unlock()
	}
	w.stop = nil
}
