package adbcbackend

import (
	"context"
	"sync/atomic"

	"github.com/apache/arrow-adbc/go/adbc"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// rows is a Result's Rows: an array.RecordReader over the batches of one
// statement, read from its partitions by a fetcher or, for drivers without
// partitions, from the driver's own RecordReader.
type rows struct {
	s      *Session
	c      *conn           // holds a reference until released
	st     adbc.Statement  // closed on release when the rows own it (Query)
	ctx    context.Context // the statement's
	schema *arrow.Schema

	f     *fetcher           // partitions, or
	rr    array.RecordReader // the driver's reader
	parts [][]byte
	stop  func() bool // stops the cancel-on-context hook

	cur  arrow.RecordBatch
	err  error
	done bool
	refs atomic.Int64
	gone bool // the session closed under it
}

var _ array.RecordReader = (*rows)(nil)

// execute runs st as a query and returns its rows. own says whether the
// rows close st when released.
func (s *Session) execute(ctx context.Context, c *conn, st adbc.Statement, own bool) (*rows, error) {
	r := &rows{s: s, c: c, ctx: ctx}
	if own {
		r.st = st
	}
	schema, parts, _, err := st.ExecutePartitions(ctx)
	switch {
	case isStatus(err, adbc.StatusNotImplemented):
		rr, _, err := st.ExecuteQuery(ctx)
		if err != nil {
			return nil, s.fail(ctx, c, err)
		}
		r.rr, r.schema = rr, rr.Schema()
	case err != nil:
		return nil, s.fail(ctx, c, err)
	case len(parts.PartitionIDs) == 0:
		if schema == nil {
			schema = arrow.NewSchema(nil, nil)
		}
		r.schema, r.done = schema, true
	default:
		r.parts = parts.PartitionIDs
		ordered := len(r.parts) == 1 || c.Ordered == nil || c.Ordered(r.parts)
		f, err := newFetcher(ctx, c.ReadPartition, r.parts, s.b.cfg.MaxConcurrency, s.b.cfg.QueueSize, ordered)
		if err != nil {
			if settle(ctx); ctx.Err() != nil {
				s.cancelRemote(c, r.parts)
			}
			return nil, s.fail(ctx, c, err)
		}
		r.f, r.schema = f, f.schema
		if c.Cancel != nil {
			r.stop = context.AfterFunc(ctx, func() { s.cancelRemote(c, r.parts) })
		}
	}
	r.refs.Store(1)
	c.retain()
	s.rows[r] = struct{}{}
	return r, nil
}

// Schema implements array.RecordReader.
func (r *rows) Schema() *arrow.Schema { return r.schema }

// Next implements array.RecordReader. The batch it makes current is valid
// until the next call to Next or Release.
func (r *rows) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.done || r.err != nil {
		return false
	}
	var it item
	switch {
	case r.gone:
		it.err = errSessionClosed
	case r.f != nil:
		it = r.f.next()
	case r.rr.Next():
		it.rec = r.rr.RecordBatch()
		it.rec.Retain()
	default:
		it.err = r.rr.Err()
	}
	switch {
	case it.err != nil:
		r.err = r.s.fail(r.ctx, r.c, it.err)
		r.finish()
		return false
	case it.rec == nil:
		r.done = true
		r.finish()
		return false
	}
	r.cur = it.rec
	return true
}

// finish stops the readers once the rows ended, successfully or not.
func (r *rows) finish() {
	if r.f != nil {
		r.f.close()
	}
	if r.stop != nil {
		r.stop()
		r.stop = nil
	}
}

// RecordBatch implements array.RecordReader.
func (r *rows) RecordBatch() arrow.RecordBatch { return r.cur }

// Record implements array.RecordReader.
//
// Deprecated: use RecordBatch.
func (r *rows) Record() arrow.RecordBatch { return r.cur }

// Err implements array.RecordReader.
func (r *rows) Err() error { return r.err }

// Retain implements array.RecordReader.
func (r *rows) Retain() { r.refs.Add(1) }

// Release implements array.RecordReader. Releasing rows before their end
// stops reading them and, where the engine can be asked, cancels the work
// behind them.
func (r *rows) Release() {
	if r.refs.Add(-1) != 0 {
		return
	}
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if !r.done && r.err == nil && r.parts != nil && !r.gone {
		r.s.cancelRemote(r.c, r.parts)
	}
	r.abort()
	delete(r.s.rows, r)
}

// abort stops the readers and lets go of the statement and connection.
func (r *rows) abort() {
	r.finish()
	if r.rr != nil {
		r.rr.Release()
		r.rr = nil
	}
	if r.st != nil {
		r.st.Close()
		r.st = nil
	}
	if r.c != nil {
		r.c.release()
		r.c = nil
	}
}
