package flightsrv

import (
	"context"
	"strconv"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

// prepared is a Flight SQL prepared statement. Its backend statement lives
// on the connection of the transaction it was made in, or on the
// autocommit connection. When its transaction ends, the statement is
// closed and prepared again on the autocommit connection at its next use.
type prepared struct {
	id  uint64
	sql string

	mu     sync.Mutex // guards the fields below
	txn    uint64     // 0: autocommit
	conn   *conn
	stmt   backends.Stmt // nil: prepare again before use
	schema *arrow.Schema // nil when it returns no rows
	params *arrow.Schema
	bound  []arrow.RecordBatch // parameters from DoPut
	closed bool
}

// release frees the statement and its bound parameters.
func (p *prepared) release() {
	p.mu.Lock()
	st, cn, bound := p.stmt, p.conn, p.bound
	p.stmt, p.bound, p.closed = nil, nil, true
	p.mu.Unlock()
	if st != nil {
		cn.closeStmt(st)
	}
	for _, b := range bound {
		b.Release()
	}
}

// detach forgets the backend statement of a prepared statement whose
// transaction ended on connection cn, closing it.
func (p *prepared) detach(cn *conn) {
	p.mu.Lock()
	st := p.stmt
	if p.conn != cn {
		p.mu.Unlock()
		return
	}
	p.stmt, p.conn, p.txn = nil, nil, 0
	p.mu.Unlock()
	if st != nil {
		cn.closeStmt(st)
	}
}

// ready returns the connection and backend statement to run, preparing the
// statement again if its transaction ended.
func (p *prepared) ready(ctx context.Context, ss *session) (*conn, backends.Stmt, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, nil, errNoPrepared
	}
	if p.stmt != nil && (p.txn != 0 || p.conn.usable()) {
		return p.conn, p.stmt, nil
	}
	if p.stmt != nil {
		// The autocommit connection was lost: prepare again on the new one.
		p.conn.closeStmt(p.stmt)
		p.stmt, p.conn = nil, nil
	}
	cn, err := ss.mainConn(ctx)
	if err != nil {
		return nil, nil, err
	}
	st, err := cn.prepare(ctx, p.sql, nil)
	if err != nil {
		return nil, nil, err
	}
	p.conn, p.stmt = cn, st
	return cn, st, nil
}

// boundParams returns the bound parameter batches, retained.
func (p *prepared) boundParams() []arrow.RecordBatch {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]arrow.RecordBatch, len(p.bound))
	for i, b := range p.bound {
		b.Retain()
		out[i] = b
	}
	return out
}

var errNoPrepared = pgerror.New(pgerror.InvalidSQLStatementName, "prepared statement does not exist")

// paramSchema describes a statement's parameters as the Flight SQL
// parameter schema: one field per parameter, named $1..$n when the backend
// gives no name; arrow.Null where the type is unknown.
func paramSchema(fields []arrow.Field) *arrow.Schema {
	out := make([]arrow.Field, len(fields))
	for i, f := range fields {
		if f.Name == "" {
			f.Name = "$" + strconv.Itoa(i+1)
		}
		if f.Type == nil {
			f.Type = arrow.Null
		}
		f.Nullable = true
		out[i] = f
	}
	return arrow.NewSchema(out, nil)
}

// preparedFrom returns the prepared statement a handle names, in its
// session.
func (h *sqlServer) preparedFrom(ctx context.Context, raw []byte) (*session, *prepared, error) {
	hd, _, err := parseHandle(raw, kindPrepared)
	if err != nil {
		return nil, nil, err
	}
	ss, err := callFrom(ctx).sessionByID(hd.sess)
	if err != nil {
		return nil, nil, errNoPrepared
	}
	ss.mu.Lock()
	p := ss.stmts[hd.obj]
	ss.mu.Unlock()
	if p == nil {
		return nil, nil, errNoPrepared
	}
	return ss, p, nil
}

// CreatePreparedStatement prepares a statement and returns its handle and
// its result and parameter schemas.
func (h *sqlServer) CreatePreparedStatement(ctx context.Context, req flightsql.ActionCreatePreparedStatementRequest) (flightsql.ActionCreatePreparedStatementResult, error) {
	res, err := h.createPrepared(ctx, req)
	return res, toStatus(err)
}

func (h *sqlServer) createPrepared(ctx context.Context, req flightsql.ActionCreatePreparedStatementRequest) (res flightsql.ActionCreatePreparedStatementResult, err error) {
	ss, cn, txnObj, err := callFrom(ctx).connForTxn(ctx, req.GetTransactionId())
	if err != nil {
		return res, err
	}
	st, err := cn.prepare(ctx, req.GetQuery(), nil)
	if err != nil {
		return res, err
	}
	p := &prepared{sql: req.GetQuery(), txn: txnObj, conn: cn, stmt: st, schema: st.Schema(), params: paramSchema(st.Params())}
	ss.mu.Lock()
	if ss.closed {
		ss.mu.Unlock()
		cn.closeStmt(st)
		return res, errSessionClosed
	}
	p.id = ss.newObj()
	ss.stmts[p.id] = p
	ss.mu.Unlock()

	isUpdate := p.schema == nil
	res.Handle = handle{kind: kindPrepared, sess: ss.id, obj: p.id}.bytes()
	res.DatasetSchema = p.schema
	if res.DatasetSchema == nil {
		res.DatasetSchema = emptySchema
	}
	res.ParameterSchema = p.params
	res.IsUpdate = &isUpdate
	return res, nil
}

// ClosePreparedStatement closes a prepared statement.
func (h *sqlServer) ClosePreparedStatement(ctx context.Context, req flightsql.ActionClosePreparedStatementRequest) error {
	ss, p, err := h.preparedFrom(ctx, req.GetPreparedStatementHandle())
	if err != nil {
		return toStatus(err)
	}
	ss.mu.Lock()
	delete(ss.stmts, p.id)
	ss.mu.Unlock()
	p.release()
	return nil
}

// DoPutPreparedStatementQuery binds parameters: the batches sent replace
// those bound before. Several rows run the query once per row, their
// results following one another.
func (h *sqlServer) DoPutPreparedStatementQuery(ctx context.Context, cmd flightsql.PreparedStatementQuery, rdr flight.MessageReader, _ flight.MetadataWriter) ([]byte, error) {
	_, p, err := h.preparedFrom(ctx, cmd.GetPreparedStatementHandle())
	if err != nil {
		return nil, toStatus(err)
	}
	var batches []arrow.RecordBatch
	for rdr.Next() {
		b := rdr.RecordBatch()
		b.Retain()
		batches = append(batches, b)
	}
	if err := rdr.Err(); err != nil {
		for _, b := range batches {
			b.Release()
		}
		return nil, toStatus(err)
	}
	p.mu.Lock()
	old := p.bound
	p.bound = batches
	closed := p.closed
	if closed {
		p.bound = nil
	}
	p.mu.Unlock()
	for _, b := range old {
		b.Release()
	}
	if closed {
		for _, b := range batches {
			b.Release()
		}
		return nil, toStatus(errNoPrepared)
	}
	return cmd.GetPreparedStatementHandle(), nil
}

// GetFlightInfoPreparedStatement returns the prepared statement's schema
// and a ticket to run it with its bound parameters.
func (h *sqlServer) GetFlightInfoPreparedStatement(ctx context.Context, cmd flightsql.PreparedStatementQuery, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	_, p, err := h.preparedFrom(ctx, cmd.GetPreparedStatementHandle())
	if err != nil {
		return nil, toStatus(err)
	}
	return h.flightInfo(desc, p.schema, desc.Cmd), nil
}

// GetSchemaPreparedStatement returns the prepared statement's schema.
func (h *sqlServer) GetSchemaPreparedStatement(ctx context.Context, cmd flightsql.PreparedStatementQuery, _ *flight.FlightDescriptor) (*flight.SchemaResult, error) {
	_, p, err := h.preparedFrom(ctx, cmd.GetPreparedStatementHandle())
	if err != nil {
		return nil, toStatus(err)
	}
	schema := p.schema
	if schema == nil {
		schema = emptySchema
	}
	return &flight.SchemaResult{Schema: flight.SerializeSchema(schema, h.srv.mem)}, nil
}

// DoGetPreparedStatement runs the prepared statement with its bound
// parameters and streams the rows.
func (h *sqlServer) DoGetPreparedStatement(ctx context.Context, cmd flightsql.PreparedStatementQuery) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	ss, p, err := h.preparedFrom(ctx, cmd.GetPreparedStatementHandle())
	if err != nil {
		return nil, nil, toStatus(err)
	}
	e := &execution{ss: ss, id: p.id}
	if err := e.begin(ctx); err != nil { // cancellable while it is prepared again
		return nil, nil, toStatus(err)
	}
	if e.conn, e.stmt, err = p.ready(e.qctx, ss); err != nil {
		e.end()
		return nil, nil, toStatus(canceledCause(e.qctx, err))
	}
	e.params = p.boundParams()
	return e.stream(ctx)
}

// DoPutPreparedStatementUpdate runs the prepared statement once per row of
// the parameter batches sent (or of those bound before, if none are sent),
// and returns the total of rows affected. When the backend statement is a
// backends.BatchExecutor (the postgres backend's INSERT, UPDATE, DELETE
// and MERGE without RETURNING), the rows go as one batch, streamed from the
// client: outside a transaction they run in one transaction of their own,
// all or nothing; inside one they run in it. Otherwise the rows run one
// after another, each committed on its own outside a transaction. Either
// way an error for a row names it ("parameter row N" in its context).
func (h *sqlServer) DoPutPreparedStatementUpdate(ctx context.Context, cmd flightsql.PreparedStatementUpdate, rdr flight.MessageReader) (int64, error) {
	n, err := h.preparedUpdate(ctx, cmd, rdr)
	return n, toStatus(err)
}

func (h *sqlServer) preparedUpdate(ctx context.Context, cmd flightsql.PreparedStatementUpdate, rdr flight.MessageReader) (int64, error) {
	ss, p, err := h.preparedFrom(ctx, cmd.GetPreparedStatementHandle())
	if err != nil {
		return 0, err
	}
	cn, st, err := p.ready(ctx, ss)
	if err != nil {
		return 0, err
	}
	// The rows sent, from the first batch that has some; else those bound.
	var params array.RecordReader
	for params == nil && rdr.Next() {
		if rdr.RecordBatch().NumRows() > 0 {
			params = &resumed{RecordReader: rdr}
		}
	}
	if err := rdr.Err(); err != nil {
		return 0, err
	}
	if params == nil {
		bound := p.boundParams()
		if !hasRows(bound) {
			for _, b := range bound {
				b.Release()
			}
			return executeUpdate(ctx, cn, st, nil)
		}
		rr, err := array.NewRecordReader(bound[0].Schema(), bound)
		for _, b := range bound {
			b.Release()
		}
		if err != nil {
			return 0, err
		}
		defer rr.Release()
		params = rr
	}
	if n, ok, err := cn.executeBatch(ctx, st, params); ok {
		return n, err
	}
	var total, row int64
	for params.Next() {
		err := eachRow(params.RecordBatch(), func(params arrow.RecordBatch) error {
			row++
			n, err := executeUpdate(ctx, cn, st, params)
			if n > 0 {
				total += n
			}
			return err
		})
		if err != nil {
			return total, rowError(err, row)
		}
	}
	return total, params.Err()
}

// executeUpdate runs st with one row of params (nil when it has none) and
// returns the rows it affected, reading the rows it returns, if any.
func executeUpdate(ctx context.Context, cn *conn, st backends.Stmt, params arrow.RecordBatch) (int64, error) {
	res, err := cn.execute(ctx, st, params)
	if err != nil {
		return 0, err
	}
	if res.Rows != nil {
		return drain(res.Rows, res.RowsAffected)
	}
	return res.RowsAffected, nil
}

// resumed is a reader whose current batch has not been used yet: its first
// Next keeps that batch.
type resumed struct {
	array.RecordReader
	started bool
}

// Next advances to the next batch, the current one first.
func (r *resumed) Next() bool {
	if !r.started {
		r.started = true
		return true
	}
	return r.RecordReader.Next()
}

// rowError adds the context line "parameter row N" to err, as the postgres
// backend's batches do, when it carries a SQLSTATE.
func rowError(err error, row int64) error {
	return pgerror.WithContext(err, "parameter row "+strconv.FormatInt(row, 10))
}
