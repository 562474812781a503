package postgres

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/quiverdb/quiver/types/pgarrow"
)

// source produces the batches of one statement in flight on the session's
// connection.
type source interface {
	// next returns the next batch, owned by the caller, or nil when the
	// statement has ended, with the error that ended it (nil on success).
	next() (arrow.RecordBatch, error)
	// stop ends the statement early and waits until the connection is
	// free again. Batches not yet returned are released.
	stop()
}

// rows is the RecordReader of a result. While src is set the statement is
// still running and rows is its session's open result.
type rows struct {
	refs   atomic.Int64
	s      *Session
	schema *arrow.Schema
	src    source
	queue  []arrow.RecordBatch // read ahead by materialise
	cur    arrow.RecordBatch
	err    error
}

var _ array.RecordReader = (*rows)(nil)

func newRows(s *Session, schema *arrow.Schema, src source) *rows {
	r := &rows{s: s, schema: schema, src: src}
	r.refs.Store(1)
	s.open = r
	return r
}

// Retain implements array.RecordReader.
func (r *rows) Retain() { r.refs.Add(1) }

// Release implements array.RecordReader. The last Release stops the
// statement if it is still running.
func (r *rows) Release() {
	if r.refs.Add(-1) != 0 {
		return
	}
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	for _, rec := range r.queue {
		rec.Release()
	}
	r.queue = nil
	if r.src != nil {
		r.src.stop()
		r.detach()
	}
}

// Schema implements array.RecordReader.
func (r *rows) Schema() *arrow.Schema { return r.schema }

// Next implements array.RecordReader.
func (r *rows) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if len(r.queue) > 0 {
		r.cur = r.queue[0]
		r.queue[0] = nil
		r.queue = r.queue[1:]
		return true
	}
	if r.src == nil {
		return false
	}
	rec, err := r.src.next()
	if rec != nil {
		r.cur = rec
		return true
	}
	r.err = err
	r.detach()
	return false
}

// RecordBatch implements array.RecordReader.
func (r *rows) RecordBatch() arrow.RecordBatch { return r.cur }

// Record implements array.RecordReader.
//
// Deprecated: use RecordBatch.
func (r *rows) Record() arrow.RecordBatch { return r.cur }

// Err implements array.RecordReader.
func (r *rows) Err() error { return r.err }

// materialise reads the rest of the result into memory, freeing the
// connection for another statement.
func (r *rows) materialise() {
	for r.src != nil {
		rec, err := r.src.next()
		if rec == nil {
			r.err = err
			r.detach()
			break
		}
		r.queue = append(r.queue, rec)
	}
}

// detach marks the statement finished.
func (r *rows) detach() {
	r.src = nil
	if r.s.open == r {
		r.s.open = nil
	}
}

// errStopped is returned to pgconn's CopyTo writer after the consumer went
// away; it never reaches the caller.
var errStopped = errors.New("result released")

// copySource runs COPY ... TO STDOUT (FORMAT binary) in a goroutine that
// decodes CopyData into batches and hands them over one at a time. The
// goroutine decodes the next batch while the caller works on the previous
// one.
type copySource struct {
	ch     chan arrow.RecordBatch
	done   chan struct{}
	cancel context.CancelFunc
	err    error // set before ch is closed
}

// copyWriter receives CopyData payloads from pgconn. It never fails: an
// error from Write would make pgconn close the connection. Instead it keeps
// the first error, cancels the statement, and discards the rest.
type copyWriter struct {
	cd     *pgarrow.CopyDecoder
	cancel context.CancelFunc
	err    error
}

func (w *copyWriter) Write(p []byte) (int, error) {
	if w.err == nil {
		if _, err := w.cd.Write(p); err != nil {
			w.err = err
			w.cancel()
		}
	}
	return len(p), nil
}

// writeMessages implements messageWriter.
func (w *copyWriter) writeMessages(msgs []byte) int {
	n := 0
	if w.err == nil {
		var err error
		if n, err = w.cd.WriteMessages(msgs); err == nil {
			return n
		}
		w.err = err
		w.cancel()
	}
	// Discard the rest, as Write does.
	for ok := true; ok; {
		_, n, ok = nextCopyData(msgs, n)
	}
	return n
}

// startCopy starts the COPY of query (the client's text, already accepted
// by Prepare) decoding into cols.
func (s *Session) startCopy(ctx context.Context, query string, cols []pgarrow.ColumnType) *copySource {
	const prefix = "COPY (\n"
	sql := prefix + query + "\n) TO STDOUT (FORMAT binary)"
	qctx, cancel := context.WithCancel(ctx)
	src := &copySource{ch: make(chan arrow.RecordBatch, 1), done: make(chan struct{}), cancel: cancel}
	dec := pgarrow.NewDecoder(s.mem, cols, s.decoderOptions())
	cd := pgarrow.NewCopyDecoder(dec)
	cd.Limit = s.batchBytes
	cd.Emit = func(rec arrow.RecordBatch) error {
		select {
		case src.ch <- rec:
			return nil
		case <-qctx.Done():
			rec.Release()
			return errStopped
		}
	}
	w := &copyWriter{cd: cd, cancel: cancel}
	conn, h := s.conn, s.cancel
	go func() {
		defer close(src.done)
		defer close(src.ch)
		defer cancel()
		defer dec.Release()
		var err error
		if h != nil {
			_, err = copyOut(qctx, conn, h, sql, w)
		} else {
			_, err = conn.CopyTo(qctx, w, sql)
		}
		switch {
		case w.err != nil && w.err != errStopped:
			err = w.err // a decoding error; PostgreSQL's 57014 is our own cancel
		case err != nil:
		case w.err == errStopped:
			err = context.Cause(qctx)
		default:
			err = cd.Close()
			if err == errStopped {
				err = context.Cause(qctx)
			}
		}
		src.err = mapErrorShift(err, int32(len(prefix)))
	}()
	return src
}

func (c *copySource) next() (arrow.RecordBatch, error) {
	if rec, ok := <-c.ch; ok {
		return rec, nil
	}
	<-c.done
	return nil, c.err
}

func (c *copySource) stop() {
	c.cancel()
	for rec := range c.ch {
		rec.Release()
	}
	<-c.done
}

// extSource reads an extended-protocol result (binary or text per column)
// through pgconn's ResultReader, in the caller's goroutine.
type extSource struct {
	rr     *pgconn.ResultReader
	dec    *pgarrow.Decoder
	limit  int
	cancel context.CancelFunc
	tag    pgconn.CommandTag
	err    error
	done   bool
}

// startExt executes the prepared statement name with the given parameters,
// reading results in the formats cols ask for.
func (s *Session) startExt(ctx context.Context, name string, params [][]byte, paramFormats []int16, cols []pgarrow.ColumnType) *extSource {
	qctx, cancel := context.WithCancel(ctx)
	formats := make([]int16, len(cols))
	for i, c := range cols {
		formats[i] = c.Format
	}
	return &extSource{
		rr:     s.conn.ExecPrepared(qctx, name, params, paramFormats, formats),
		dec:    pgarrow.NewDecoder(s.mem, cols, s.decoderOptions()),
		limit:  s.batchBytes,
		cancel: cancel,
	}
}

func (e *extSource) next() (arrow.RecordBatch, error) {
	if e.done {
		return nil, e.err
	}
	for e.rr.NextRow() {
		if err := e.dec.AppendRow(e.rr.Values()); err != nil {
			e.cancel()
			e.finish()
			e.err = err
			return nil, err
		}
		if e.dec.Bytes() >= e.limit {
			return e.dec.NewRecordBatch(), nil
		}
	}
	var rec arrow.RecordBatch
	if e.dec.Rows() > 0 {
		rec = e.dec.NewRecordBatch()
	}
	e.finish()
	if rec != nil {
		return rec, nil
	}
	return nil, e.err
}

// finish closes the result and frees the decoder.
func (e *extSource) finish() {
	tag, err := e.rr.Close()
	e.tag, e.err = tag, mapError(err)
	e.cancel()
	e.dec.Release()
	e.done = true
}

func (e *extSource) stop() {
	if !e.done {
		e.cancel()
		e.finish()
	}
}
