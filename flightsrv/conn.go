package flightsrv

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/quiverdb/quiver/backends"
)

// conn is one backend connection of a session. Its mutex is held for every
// call on the backend session and on the statements and results it made,
// so that they are serialised as the backends contract requires, even when
// a DoGet stream reads a result while another RPC of the same session runs
// a statement. Context cancellation needs no lock.
type conn struct {
	mu     sync.Mutex
	be     backends.Session
	closed bool
	gen    uint64 // the session's readerGen when a scan reader was opened
	// lost is set once the backend session reports that it can no longer
	// run statements (see validator): the session opens another in its
	// place rather than reuse it.
	lost atomic.Bool
}

// validator is implemented by backend sessions that can tell whether they
// can still run statements, as database/sql's driver.Validator: the
// PostgreSQL backend's cannot once its connection is closed, or when a
// CancelRequest may still reach the server and cancel a later statement.
type validator interface {
	IsValid() bool
}

// unlock releases c.mu, first noting whether the call made under it left
// the backend session unusable.
func (c *conn) unlock() {
	if v, ok := c.be.(validator); ok && !c.closed && !c.lost.Load() && !v.IsValid() {
		c.lost.Store(true)
	}
	c.mu.Unlock()
}

// usable reports whether c can be handed out for another statement.
func (c *conn) usable() bool { return !c.lost.Load() }

func (c *conn) prepare(ctx context.Context, sql string, types []arrow.DataType) (backends.Stmt, error) {
	c.mu.Lock()
	defer c.unlock()
	if c.closed {
		return nil, errConnClosed
	}
	return c.be.Prepare(ctx, sql, types)
}

func (c *conn) execute(ctx context.Context, st backends.Stmt, params arrow.RecordBatch) (*backends.Result, error) {
	c.mu.Lock()
	defer c.unlock()
	if c.closed {
		return nil, errConnClosed
	}
	res, err := st.Execute(ctx, params)
	if err != nil {
		return nil, err
	}
	if res.Rows != nil {
		res.Rows = &lockedRows{RecordReader: res.Rows, c: c}
	}
	return res, nil
}

// executeBatch runs st once for each row of params as one batch, when the
// backend statement is a backends.BatchExecutor that accepts it. ok is
// false when it is not, or when it declined the statement (before reading
// params): the caller then runs the rows one by one.
func (c *conn) executeBatch(ctx context.Context, st backends.Stmt, params array.RecordReader) (n int64, ok bool, err error) {
	bx, ok := st.(backends.BatchExecutor)
	if !ok {
		return 0, false, nil
	}
	c.mu.Lock()
	defer c.unlock()
	if c.closed {
		return 0, true, errConnClosed
	}
	n, err = bx.ExecuteBatch(ctx, params)
	if errors.Is(err, backends.ErrNotSupported) {
		return 0, false, nil
	}
	return n, true, err
}

func (c *conn) closeStmt(st backends.Stmt) {
	c.mu.Lock()
	defer c.unlock()
	if !c.closed {
		_ = st.Close()
	}
}

// exec runs a statement and reads its rows, if any, to the end. It returns
// the number of rows affected, or the number of rows read when the backend
// reports none.
func (c *conn) exec(ctx context.Context, sql string) (int64, error) {
	c.mu.Lock()
	if c.closed {
		c.unlock()
		return 0, errConnClosed
	}
	res, err := c.be.Query(ctx, sql)
	c.unlock()
	if err != nil {
		return 0, err
	}
	if res.Rows == nil {
		return res.RowsAffected, nil
	}
	return drain(&lockedRows{RecordReader: res.Rows, c: c}, res.RowsAffected)
}

// drain reads rows to the end and releases them.
func drain(rows array.RecordReader, affected int64) (int64, error) {
	defer rows.Release()
	var n int64
	for rows.Next() {
		n += rows.RecordBatch().NumRows()
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if affected >= 0 {
		return affected, nil
	}
	return n, nil
}

// close closes the backend session, waiting for a call in progress on it.
func (c *conn) close() {
	c.mu.Lock()
	defer c.unlock()
	if !c.closed {
		c.closed = true
		_ = c.be.Close()
	}
}

// lockedRows holds its connection's mutex around each call on the rows.
type lockedRows struct {
	array.RecordReader
	c *conn
}

// Next advances to the next batch.
func (r *lockedRows) Next() bool {
	r.c.mu.Lock()
	defer r.c.unlock()
	return r.RecordReader.Next()
}

// RecordBatch returns the current batch.
func (r *lockedRows) RecordBatch() arrow.RecordBatch {
	r.c.mu.Lock()
	defer r.c.unlock()
	return r.RecordReader.RecordBatch()
}

// Record returns the current batch.
//
// Deprecated: use RecordBatch.
func (r *lockedRows) Record() arrow.RecordBatch { return r.RecordBatch() }

// Err returns the error that ended the rows, if any.
func (r *lockedRows) Err() error {
	r.c.mu.Lock()
	defer r.c.unlock()
	return r.RecordReader.Err()
}

// Release releases the rows.
func (r *lockedRows) Release() {
	r.c.mu.Lock()
	defer r.c.unlock()
	r.RecordReader.Release()
}

// query runs a query and returns its rows, or nil if it returns none.
func (c *conn) query(ctx context.Context, sql string) (array.RecordReader, error) {
	c.mu.Lock()
	if c.closed {
		c.unlock()
		return nil, errConnClosed
	}
	res, err := c.be.Query(ctx, sql)
	c.unlock()
	if err != nil || res.Rows == nil {
		return nil, err
	}
	return &lockedRows{RecordReader: res.Rows, c: c}, nil
}

// queryRow runs a query and returns its first row as strings (NULL as "").
func (c *conn) queryRow(ctx context.Context, sql string) ([]string, error) {
	rows, err := c.query(ctx, sql)
	if err != nil || rows == nil {
		return nil, err
	}
	defer rows.Release()
	var out []string
	for out == nil && rows.Next() {
		rec := rows.RecordBatch()
		if rec.NumRows() == 0 {
			continue
		}
		out = make([]string, rec.NumCols())
		for i, col := range rec.Columns() {
			if col.IsValid(0) {
				out[i] = strings.Clone(col.ValueStr(0)) // the value points into the batch
			}
		}
	}
	return out, rows.Err()
}

// queryColumn runs a query and returns its first column as strings.
func (c *conn) queryColumn(ctx context.Context, sql string) ([]string, error) {
	rows, err := c.query(ctx, sql)
	if err != nil || rows == nil {
		return nil, err
	}
	defer rows.Release()
	var out []string
	for rows.Next() {
		col := rows.RecordBatch().Column(0)
		for i := range col.Len() {
			out = append(out, strings.Clone(col.ValueStr(i)))
		}
	}
	return out, rows.Err()
}

// with calls fn with the backend session, holding the connection's lock.
func (c *conn) with(fn func(be backends.Session) error) error {
	c.mu.Lock()
	defer c.unlock()
	if c.closed {
		return errConnClosed
	}
	return fn(c.be)
}
