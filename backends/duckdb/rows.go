//go:build duckdb_arrow

package duckdb

import (
	"context"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	bindings "github.com/duckdb/duckdb-go-bindings"

	"github.com/quiverdb/quiver/pgerror"
)

// rows streams a DuckDB result as Arrow record batches. While live it holds
// the engine result and pulls one data chunk per Next (or several, joined,
// when BatchRows asks for it). materialise turns it into a queue of batches
// read ahead, after which the connection is free for other statements.
type rows struct {
	s         *Session
	ctx       context.Context
	sql       string
	w         *watch
	p         *prepared
	mem       memory.Allocator
	batchRows int // rows to aim for per batch; 0 means one chunk per batch

	res    bindings.Result
	opts   bindings.ArrowOptions
	live   bool          // res is an engine result still being read
	eof    bool          // the engine result has no more chunks
	raw    *arrow.Schema // the schema DuckDB's chunks convert to
	schema *arrow.Schema // the schema of the batches yielded
	fix    *conformer    // converts raw batches to schema, when they differ

	queue []arrow.RecordBatch // batches read ahead by materialise
	cur   arrow.RecordBatch
	err   error // stops Next; reported by Err
	tail  error // error met while materialising, reported after queue
	refs  atomic.Int64
}

var _ array.RecordReader = (*rows)(nil)

// newRows wraps a query result. It takes over w and a reference to p.
func (s *Session) newRows(ctx context.Context, w *watch, p *prepared, res bindings.Result, sql string, want *expect) (*rows, error) {
	r := &rows{s: s, ctx: ctx, sql: sql, w: w, p: p, mem: s.b.mem, res: res, live: true, batchRows: s.b.opts.BatchRows}
	r.refs.Store(1)
	p.retain()
	r.opts = resultArrowOptions(&r.res)
	var err error
	r.raw, err = p.resultSchema(&r.res, r.opts, s.b.gen.Load())
	if err != nil {
		r.finish()
		return nil, err
	}
	r.schema = r.raw
	if want != nil && want.schema != nil && !sameTypes(want.schema, r.raw) {
		to := want.schema
		if p.nparams > 0 {
			to = decimalsAsReturned(to, r.raw)
		}
		if !sameTypes(to, r.raw) {
			if !want.replans || to.NumFields() != r.raw.NumFields() {
				// DuckDB replanned the statement after a schema change, as
				// PostgreSQL refuses to.
				r.finish()
				return nil, pgerror.New(pgerror.FeatureNotSupported, "cached plan must not change result type")
			}
			r.fix = &conformer{to: to, mem: r.mem}
		}
		r.schema = to
	}
	// A materialised (non-streaming) result does not depend on the
	// connection: nothing needs to read it ahead later, and reading it
	// does not run the engine, so the connection needs no interrupt for it
	// (Next checks ctx itself) and must not get one meant for it while it
	// runs other statements.
	if bindings.ResultIsStreaming(r.res) {
		s.open = r
	} else {
		r.w.end()
		r.w = nil
	}
	if s.results == nil {
		s.results = make(map[*rows]struct{})
	}
	s.results[r] = struct{}{}
	return r, nil
}

// Schema returns the schema of the batches.
func (r *rows) Schema() *arrow.Schema { return r.schema }

// Next moves to the next batch. It returns false at the end or on error;
// Err tells which.
func (r *rows) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.err != nil {
		return false
	}
	if r.ctx.Err() != nil {
		r.stop(canceled(r.ctx))
		return false
	}
	if len(r.queue) > 0 {
		r.cur = r.queue[0]
		r.queue[0] = nil
		r.queue = r.queue[1:]
		return true
	}
	if !r.live {
		r.err = r.tail
		return false
	}
	rec, err := r.read()
	if err != nil {
		r.stop(err)
		return false
	}
	if rec == nil {
		r.finish()
		return false
	}
	r.cur = rec
	return true
}

// read returns the next batch from the engine, or nil at the end.
func (r *rows) read() (arrow.RecordBatch, error) {
	rec, err := r.readChunk()
	if err != nil || rec == nil || r.batchRows <= 0 || rec.NumRows() >= int64(r.batchRows) {
		return r.conform(rec, err)
	}
	// Join chunks up to the target size.
	recs := []arrow.RecordBatch{rec}
	n := rec.NumRows()
	for n < int64(r.batchRows) {
		next, err := r.readChunk()
		if err != nil {
			releaseAll(recs)
			return nil, err
		}
		if next == nil {
			break
		}
		recs = append(recs, next)
		n += next.NumRows()
	}
	if len(recs) == 1 {
		return r.conform(rec, nil)
	}
	joined, err := concat(r.mem, r.raw, recs)
	releaseAll(recs)
	return r.conform(joined, err)
}

func (r *rows) conform(rec arrow.RecordBatch, err error) (arrow.RecordBatch, error) {
	if err != nil || rec == nil || r.fix == nil {
		return rec, err
	}
	defer rec.Release()
	return r.fix.convert(rec)
}

// readChunk converts the engine's next data chunk to a batch, or returns
// nil at the end of the result.
func (r *rows) readChunk() (arrow.RecordBatch, error) {
	for !r.eof {
		ch := fetchChunk(r.res)
		if ch.Ptr == nil {
			r.eof = true
			if msg := bindings.ResultError(&r.res); msg != "" {
				return nil, engineError(r.ctx, bindings.ResultErrorType(&r.res), msg, r.sql)
			}
			if r.ctx.Err() != nil {
				return nil, canceled(r.ctx)
			}
			return nil, nil
		}
		if bindings.DataChunkGetSize(ch) == 0 {
			destroyChunk(&ch)
			continue
		}
		rec, ed := bindings.DataChunkToArrowArray(r.opts, r.raw, ch)
		destroyChunk(&ch)
		if bindings.ErrorDataHasError(ed) {
			msg := bindings.ErrorDataMessage(ed)
			bindings.DestroyErrorData(&ed)
			return nil, pgerror.New(pgerror.InternalError, "duckdb: converting a chunk to Arrow: %s", msg)
		}
		bindings.DestroyErrorData(&ed)
		return rec, nil
	}
	return nil, nil
}

// materialise reads the rest of the live result into the queue and lets the
// engine result go. An error stops the reading and is reported once the
// queued batches have been read.
func (r *rows) materialise() {
	for r.live {
		rec, err := r.read()
		if err != nil {
			r.tail = err
			break
		}
		if rec == nil {
			break
		}
		r.queue = append(r.queue, rec)
	}
	r.finish()
}

// finish lets go of the engine result.
func (r *rows) finish() {
	if !r.live {
		return
	}
	r.live = false
	destroyResult(&r.res)
	destroyOptions(&r.opts)
	r.w.end()
	r.w = nil
	r.p.release()
	r.p = nil
	if r.s.open == r {
		r.s.open = nil
	}
}

// stop ends the stream with err.
func (r *rows) stop(err error) {
	r.err = err
	r.finish()
	releaseAll(r.queue)
	r.queue = nil
}

// RecordBatch returns the current batch, valid until the next Next or
// Release.
func (r *rows) RecordBatch() arrow.RecordBatch { return r.cur }

// Record returns the current batch.
//
// Deprecated: use RecordBatch.
func (r *rows) Record() arrow.RecordBatch { return r.cur }

// Err returns the error that ended the stream, if any.
func (r *rows) Err() error { return r.err }

// Retain adds a reference.
func (r *rows) Retain() { r.refs.Add(1) }

// Release drops a reference. The last one stops the statement and frees
// everything the stream holds.
func (r *rows) Release() {
	if r.refs.Add(-1) != 0 {
		return
	}
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.err == nil {
		r.err = errReleased
	}
	r.finish()
	releaseAll(r.queue)
	r.queue = nil
	delete(r.s.results, r)
}

var errReleased = pgerror.New(pgerror.InvalidCursorState, "duckdb: rows released")

func releaseAll(recs []arrow.RecordBatch) {
	for _, rec := range recs {
		if rec != nil {
			rec.Release()
		}
	}
}
