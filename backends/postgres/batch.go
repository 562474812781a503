package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

// Parameter batches
//
// ExecuteBatch sends the rows of a parameter batch in pipeline mode
// (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-PIPELINING):
// one Bind/Describe/Execute per row, with no Sync between rows, in chunks
// of at most batchChunkRows rows or batchChunkBytes bytes of parameter
// values. Each chunk ends with a Flush message, which makes PostgreSQL send
// what it has to say about the chunk; the chunk's results are read after
// the next chunk has been written, so that PostgreSQL always has rows to
// work on while quiver encodes and sends more. Memory stays bounded by two
// chunks, however many rows the batch has.
//
// Outside a transaction block the pipeline starts with BEGIN and ends with
// COMMIT, then Sync: every row runs in one transaction, and on any error
// the transaction is rolled back, so nothing of the batch is left. Inside a
// transaction block the rows run in it, with a Sync at the end only: an
// error PostgreSQL raises for a row fails the transaction (PostgreSQL skips
// the rest of the pipeline up to the Sync), as it would for a single
// statement.
//
// A cancelled ctx is handled by the connection's cancelHandler, as for any
// statement (see cancel.go): PostgreSQL fails the row it is running with
// 57014 and skips the rest. ExecuteBatch also stops sending rows once ctx
// is done.

const (
	// batchChunkRows and batchChunkBytes bound a chunk of pipelined rows.
	batchChunkRows  = 4096
	batchChunkBytes = 1 << 20
	// bindOverhead is roughly what a row's Bind, Describe and Execute
	// messages add to its parameter values.
	bindOverhead = 40
)

// batchable reports whether ExecuteBatch runs the statement: INSERT,
// UPDATE, DELETE and MERGE without RETURNING. A CALL may end transactions,
// which it cannot inside the batch's own.
func (st *Stmt) batchable() bool {
	if st.schema != nil {
		return false
	}
	switch st.si.main {
	case "INSERT", "UPDATE", "DELETE", "MERGE":
		return true
	}
	return false
}

// ExecuteBatch runs the statement once for each row of params, pipelined,
// and returns the total of rows affected. It implements
// backends.BatchExecutor: outside a transaction block all rows run in one
// transaction (all or nothing); inside one they run in it. An error for a
// row ends with the context line "parameter row N". Statements that return
// rows, and those other than INSERT, UPDATE, DELETE and MERGE, fail with an
// error wrapping backends.ErrNotSupported, before params is read.
func (st *Stmt) ExecuteBatch(ctx context.Context, params array.RecordReader) (int64, error) {
	if st.closed {
		return 0, pgerror.New(pgerror.InvalidSQLStatementName, "prepared statement %q is closed", st.name)
	}
	if !st.batchable() {
		return 0, pgerror.Wrap(fmt.Errorf("parameter batches of %s statements: %w", st.si.main, backends.ErrNotSupported), pgerror.FeatureNotSupported)
	}
	s := st.s
	if err := s.ready(); err != nil {
		return 0, err
	}
	s.stats.Batch++
	b := &batchRun{st: st, own: s.conn.TxStatus() == 'I'}
	n, err := b.run(ctx, params)
	if err != nil && b.own && !s.conn.IsClosed() && s.conn.TxStatus() != 'I' {
		rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if rerr := s.exec(rctx, "ROLLBACK"); rerr != nil && s.conn.IsClosed() {
			err = errors.Join(err, rerr)
		}
		cancel()
	}
	return n, err
}

// batchRun is one ExecuteBatch. Requests are numbered in the order they
// are sent: BEGIN (when own), the rows, COMMIT (when own).
type batchRun struct {
	st  *Stmt
	p   *pgconn.Pipeline
	own bool // the batch runs in a transaction of its own

	sent     int   // requests sent
	rows     int   // rows sent
	read     int   // requests whose results were read
	affected int64 // rows affected so far
	err      error // the first error PostgreSQL or the connection reported
}

// row returns the 1-based row number of request i, or 0 for BEGIN and
// COMMIT.
func (b *batchRun) row(i int) int64 {
	if b.own {
		i-- // BEGIN
	}
	if i < 0 || i >= b.rows {
		return 0
	}
	return int64(i) + 1
}

// run pipelines the rows and returns the rows affected.
func (b *batchRun) run(ctx context.Context, params array.RecordReader) (int64, error) {
	st := b.st
	b.p = st.s.conn.StartPipeline(ctx)
	// Flushing nothing reports a pipeline that could not start: ctx done,
	// or the connection closed.
	if err := b.p.Flush(); err != nil {
		return 0, mapError(err)
	}
	if b.own {
		b.send("BEGIN")
	}
	var local error // an error of quiver's own, before a row was sent
	chunkRows, chunkBytes := 0, 0
	flushed := 0 // requests sent before the last Flush
rows:
	for params.Next() {
		rec := params.RecordBatch()
		if err := st.bindParams(rec); err != nil {
			local = rowError(err, int64(b.rows)+1)
			break
		}
		for i := range int(rec.NumRows()) {
			values, formats, err := st.encodeRow(rec, i)
			if err != nil {
				local = rowError(err, int64(b.rows)+1)
				break rows
			}
			b.p.SendQueryPrepared(st.name, values, formats, nil)
			b.sent++
			b.rows++
			chunkRows++
			chunkBytes += bindOverhead + len(st.buf)
			if chunkRows < batchChunkRows && chunkBytes < batchChunkBytes {
				continue
			}
			if err := ctx.Err(); err != nil {
				local = err
				break rows
			}
			b.p.SendFlushRequest()
			if err := b.p.Flush(); err != nil {
				b.fail(err, -1)
				break rows
			}
			// The chunk before this one.
			if b.collect(flushed); b.err != nil {
				break rows
			}
			flushed = b.sent
			chunkRows, chunkBytes = 0, 0
		}
	}
	if local == nil && b.err == nil {
		if err := params.Err(); err != nil {
			local = err
		} else if b.own {
			b.send("COMMIT")
		}
	}
	if err := b.p.Sync(); err != nil {
		b.fail(err, -1)
	}
	b.collect(b.sent)
	if err := b.p.Close(); err != nil {
		b.fail(err, -1)
	}
	switch {
	case b.err != nil:
		return 0, b.err
	case local != nil:
		return 0, local
	}
	return b.affected, nil
}

// send queues a statement of the batch's own, without parameters.
func (b *batchRun) send(sql string) {
	b.p.SendQueryParams(sql, nil, nil, nil, nil)
	b.sent++
}

// collect reads the results of the requests before upto, stopping at the
// first error.
func (b *batchRun) collect(upto int) {
	for b.read < upto && b.err == nil {
		res, err := b.p.GetResults()
		if err == nil {
			switch r := res.(type) {
			case *pgconn.ResultReader:
				var tag pgconn.CommandTag
				tag, err = r.Close()
				if n := rowsAffected(tag); err == nil && n > 0 && b.row(b.read) > 0 {
					b.affected += n
				}
			default:
				err = fmt.Errorf("pipeline: result %T for request %d", res, b.read)
			}
		}
		if err != nil {
			b.fail(err, b.read)
			return
		}
		b.read++
	}
}

// fail records err, from request i (-1 when it belongs to none), unless an
// error was recorded before.
func (b *batchRun) fail(err error, i int) {
	if b.err != nil {
		return
	}
	err = mapError(err)
	if i >= 0 {
		if row := b.row(i); row > 0 {
			err = rowError(err, row)
		}
	}
	b.err = err
}

// rowError adds the context line "parameter row N" to err, when it is a
// *pgerror.Error.
func rowError(err error, row int64) error {
	return pgerror.WithContext(err, "parameter row "+strconv.FormatInt(row, 10))
}
