package flightsrv

import (
	"context"
	"errors"
	"runtime/debug"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

// execution is a statement to run for a DoGet: once, or once per row of
// the bound parameter batches.
type execution struct {
	ss   *session
	id   uint64 // the number CancelFlightInfo cancels it by
	conn *conn
	stmt backends.Stmt
	// params holds the bound parameter batches; nil runs the statement
	// once without parameters. The execution releases them.
	params []arrow.RecordBatch
	// closeStmt closes stmt when the execution ends.
	closeStmt bool
	// schema, when set, is the schema of the stream, and conform turns
	// each batch of the statement into one of that schema.
	schema  *arrow.Schema
	conform func(context.Context, arrow.RecordBatch) (arrow.RecordBatch, error)
	// part, when set, is the part of a query read in parts to read on
	// conn, in place of stmt; rows are its rows once started.
	part *partRun
	rows array.RecordReader

	// Set by begin: the statement's context, its cancel function and its
	// entry among the session's running statements.
	qctx    context.Context
	cancel  context.CancelCauseFunc
	running runKey
}

// begin registers the execution among the session's running statements,
// so that CancelFlightInfo cancels it from now on, before it has reached
// the backend: its context is ctx (the stream's), cancelled also by
// CancelFlightInfo. An execution that fails before stream calls end.
func (e *execution) begin(ctx context.Context) error {
	qctx, cancel := context.WithCancelCause(ctx)
	run, err := e.ss.startRunning(e.id, cancel)
	if err != nil {
		cancel(nil)
		return err
	}
	e.qctx, e.cancel, e.running = qctx, cancel, run
	return nil
}

// end undoes begin: the statement no longer runs.
func (e *execution) end() {
	e.cancel(nil)
	e.ss.stopRunning(e.running)
}

// stream starts the execution, beginning it if it has not begun, and
// returns the schema and the chunks for DoGet. ctx is the stream's.
// Batches go out as the backend yields them: the channel is unbuffered, so
// at most one batch waits for the client.
func (e *execution) stream(ctx context.Context) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	if e.qctx == nil {
		if err := e.begin(ctx); err != nil {
			e.cleanup()
			return nil, nil, toStatus(err)
		}
	}
	qctx := e.qctx
	schema := e.schema
	if e.part != nil {
		// The part starts now, for its schema, which comes first.
		var err error
		if e.rows, err = e.startPart(qctx); err != nil {
			e.end()
			e.cleanup()
			return nil, nil, toStatus(canceledCause(qctx, err))
		}
		schema = e.rows.Schema()
	}
	if schema == nil && e.stmt != nil {
		schema = e.stmt.Schema()
	}
	if schema == nil {
		schema = emptySchema
	}
	ch := make(chan flight.StreamChunk)
	go func() {
		defer close(ch)
		defer e.end()
		defer e.cleanup()
		err := e.runSafely(ctx, qctx, ch)
		if err != nil {
			select {
			case ch <- flight.StreamChunk{Err: toStatus(err)}:
			case <-ctx.Done():
			}
		}
	}()
	return schema, ch, nil
}

func (e *execution) cleanup() {
	if e.part != nil {
		e.ss.partDone(e.conn, e.part.scan, e.part.onCoord)
	}
	for _, p := range e.params {
		p.Release()
	}
	if e.closeStmt {
		e.conn.closeStmt(e.stmt)
	}
}

// runSafely is run, turning a panic into an error: it runs on a goroutine
// of its own, where the interceptors' recover cannot catch it.
func (e *execution) runSafely(ctx, qctx context.Context, ch chan<- flight.StreamChunk) (err error) {
	defer func() {
		if r := recover(); r != nil {
			e.ss.log.Error().Interface("panic", r).Bytes("stack", debug.Stack()).Msg("panic while streaming a result")
			err = pgerror.New(pgerror.InternalError, "internal error while streaming the result")
		}
	}()
	return e.run(ctx, qctx, ch)
}

// run executes the statement for each parameter row and sends the rows.
// ctx is the stream's context, qctx the statement's.
func (e *execution) run(ctx, qctx context.Context, ch chan<- flight.StreamChunk) error {
	if e.rows != nil {
		return canceledCause(qctx, e.send(ctx, qctx, e.rows, ch))
	}
	if !hasRows(e.params) {
		return e.runOnce(ctx, qctx, nil, ch)
	}
	for _, batch := range e.params {
		err := eachRow(batch, func(row arrow.RecordBatch) error {
			return e.runOnce(ctx, qctx, row, ch)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// eachRow calls fn with a one-row slice of batch for each of its rows.
func eachRow(batch arrow.RecordBatch, fn func(arrow.RecordBatch) error) error {
	for i := range batch.NumRows() {
		row := batch.NewSlice(i, i+1)
		err := fn(row)
		row.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

// hasRows reports whether some batch has a row.
func hasRows(batches []arrow.RecordBatch) bool {
	for _, b := range batches {
		if b.NumRows() > 0 {
			return true
		}
	}
	return false
}

func (e *execution) runOnce(ctx, qctx context.Context, params arrow.RecordBatch, ch chan<- flight.StreamChunk) error {
	res, err := e.conn.execute(qctx, e.stmt, params)
	if err != nil {
		return canceledCause(qctx, err)
	}
	if res.Rows == nil {
		return nil
	}
	return canceledCause(qctx, e.send(ctx, qctx, res.Rows, ch))
}

// send streams rows to ch and releases them.
func (e *execution) send(ctx, qctx context.Context, rows array.RecordReader, ch chan<- flight.StreamChunk) error {
	defer rows.Release()
	for rows.Next() {
		rec := rows.RecordBatch()
		if e.conform == nil {
			rec.Retain()
		} else {
			var err error
			if rec, err = e.conform(qctx, rec); err != nil {
				return err
			}
		}
		if err := sendBatch(ctx, rec, ch); err != nil {
			return err
		}
	}
	return rows.Err()
}

// maxBatchBytes is the size past which a batch goes out in slices: gRPC
// clients refuse messages over 4 MiB unless told otherwise.
const maxBatchBytes = 2 << 20

// sendBatch sends rec, in slices if it is large, and releases it.
func sendBatch(ctx context.Context, rec arrow.RecordBatch, ch chan<- flight.StreamChunk) error {
	rows := rec.NumRows()
	size := batchBytes(rec)
	if size <= maxBatchBytes || rows <= 1 {
		return put(ctx, rec, ch)
	}
	defer rec.Release()
	per := max(1, rows*maxBatchBytes/size)
	for off := int64(0); off < rows; off += per {
		if err := put(ctx, rec.NewSlice(off, min(off+per, rows)), ch); err != nil {
			return err
		}
	}
	return nil
}

// put sends rec, which the receiver releases, or releases it if ctx ends.
func put(ctx context.Context, rec arrow.RecordBatch, ch chan<- flight.StreamChunk) error {
	select {
	case ch <- flight.StreamChunk{Data: rec}:
		return nil
	case <-ctx.Done():
		rec.Release()
		return ctx.Err()
	}
}

// batchBytes returns the size of the buffers a batch refers to.
func batchBytes(rec arrow.RecordBatch) int64 {
	var n int64
	for _, c := range rec.Columns() {
		n += dataBytes(c.Data())
	}
	return n
}

func dataBytes(d arrow.ArrayData) int64 {
	var n int64
	for _, b := range d.Buffers() {
		if b != nil {
			n += int64(b.Len())
		}
	}
	for _, c := range d.Children() {
		n += dataBytes(c)
	}
	return n
}

// canceledCause returns the reason a cancelled statement's context gives,
// which names who cancelled it, in place of a bare context error.
func canceledCause(qctx context.Context, err error) error {
	if errors.Is(err, context.Canceled) && context.Cause(qctx) != nil {
		return context.Cause(qctx)
	}
	return err
}
