package flightsrv

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
)

// sqlServer implements flightsql.Server. Its methods are spread over the
// files of the package by concern.
type sqlServer struct {
	flightsql.BaseServer
	srv *Server
	inf sqlInfo
}

func newSQLServer(srv *Server) *sqlServer {
	h := &sqlServer{srv: srv}
	h.Alloc = srv.mem
	h.registerStatic()
	return h
}

// flightInfo returns a FlightInfo with one endpoint on this server.
func (h *sqlServer) flightInfo(desc *flight.FlightDescriptor, schema *arrow.Schema, tkt []byte) *flight.FlightInfo {
	if schema == nil {
		schema = emptySchema
	}
	return &flight.FlightInfo{
		Endpoint:         []*flight.FlightEndpoint{{Ticket: &flight.Ticket{Ticket: tkt}}},
		FlightDescriptor: desc,
		Schema:           flight.SerializeSchema(schema, h.srv.mem),
		TotalRecords:     -1,
		TotalBytes:       -1,
	}
}

// GetFlightInfoStatement prepares a query, without running it, for its
// schema, and returns a ticket for DoGetStatement.
func (h *sqlServer) GetFlightInfoStatement(ctx context.Context, cmd flightsql.StatementQuery, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	info, err := h.getFlightInfoStatement(ctx, cmd, desc)
	return info, toStatus(err)
}

func (h *sqlServer) getFlightInfoStatement(ctx context.Context, cmd flightsql.StatementQuery, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	ss, cn, txnObj, err := callFrom(ctx).connForTxn(ctx, cmd.GetTransactionId())
	if err != nil {
		return nil, err
	}
	st, err := cn.prepare(ctx, cmd.GetQuery(), nil)
	if err != nil {
		return nil, err
	}
	schema := st.Schema()
	if txnObj == 0 && schema != nil {
		if info := h.scanInfo(ctx, ss, cn, cmd.GetQuery(), desc, schema); info != nil {
			cn.closeStmt(st)
			return info, nil
		}
	}
	id, err := ss.addPending(cn, st)
	if err != nil {
		return nil, err
	}
	t := ticket{handle: handle{kind: kindTicket, sess: ss.id, obj: id}, txn: txnObj, sql: cmd.GetQuery()}
	tkt, err := flightsql.CreateStatementQueryTicket(t.bytes())
	if err != nil {
		return nil, err
	}
	return h.flightInfo(desc, schema, tkt), nil
}

// GetSchemaStatement prepares a query, without running it, for its schema.
func (h *sqlServer) GetSchemaStatement(ctx context.Context, cmd flightsql.StatementQuery, desc *flight.FlightDescriptor) (*flight.SchemaResult, error) {
	schema, err := h.statementSchema(ctx, cmd)
	if err != nil {
		return nil, toStatus(err)
	}
	return &flight.SchemaResult{Schema: flight.SerializeSchema(schema, h.srv.mem)}, nil
}

func (h *sqlServer) statementSchema(ctx context.Context, cmd flightsql.StatementQuery) (*arrow.Schema, error) {
	_, cn, _, err := callFrom(ctx).connForTxn(ctx, cmd.GetTransactionId())
	if err != nil {
		return nil, err
	}
	st, err := cn.prepare(ctx, cmd.GetQuery(), nil)
	if err != nil {
		return nil, err
	}
	defer cn.closeStmt(st)
	if s := st.Schema(); s != nil {
		return s, nil
	}
	return emptySchema, nil
}

// DoGetStatement runs the statement a ticket names and streams its rows.
func (h *sqlServer) DoGetStatement(ctx context.Context, cmd flightsql.StatementQueryTicket) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	e, err := h.statementExecution(ctx, cmd)
	if err != nil {
		return nil, nil, toStatus(err)
	}
	return e.stream(ctx)
}

func (h *sqlServer) statementExecution(ctx context.Context, cmd flightsql.StatementQueryTicket) (*execution, error) {
	if b := cmd.GetStatementHandle(); len(b) > 1 && b[1] == kindPart {
		return h.partExecution(ctx, b)
	}
	t, err := parseTicket(cmd.GetStatementHandle())
	if err != nil {
		return nil, err
	}
	c := callFrom(ctx)
	ss, err := c.sessionByID(t.sess)
	if err != nil {
		if t.txn != 0 {
			return nil, errNoTxn
		}
		// The session is gone; the ticket still holds the query.
		if ss, err = c.session(ctx); err != nil {
			return nil, err
		}
	}
	e := &execution{ss: ss, id: t.obj, closeStmt: true}
	if ss.id != t.sess {
		ss.mu.Lock()
		e.id = ss.newObj()
		ss.mu.Unlock()
	}
	// Running from here, before the pending statement is taken: a
	// CancelFlightInfo finds one or the other.
	if err := e.begin(ctx); err != nil {
		return nil, err
	}
	if err := e.prepare(ss.id == t.sess, t); err != nil {
		e.end()
		return nil, canceledCause(e.qctx, err)
	}
	return e, nil
}

// prepare gives a begun execution its connection and statement: the
// pending one the ticket names if there is one (taken says whether to
// look), else the ticket's query prepared again.
func (e *execution) prepare(take bool, t ticket) error {
	if take {
		p, cancelled := e.ss.takePending(t.obj)
		if cancelled {
			return errUserCancel
		}
		if p != nil && p.conn.usable() {
			e.conn, e.stmt = p.conn, p.stmt
			return nil
		}
		if p != nil {
			p.conn.closeStmt(p.stmt) // on a connection the session replaces
		}
	}
	var err error
	if e.conn, err = e.ss.connByTxn(e.qctx, t.txn); err != nil {
		return err
	}
	e.stmt, err = e.conn.prepare(e.qctx, t.sql, nil)
	return err
}

// DoPutCommandStatementUpdate runs a statement and returns the number of
// rows it affected (-1 when the backend does not know).
func (h *sqlServer) DoPutCommandStatementUpdate(ctx context.Context, cmd flightsql.StatementUpdate) (int64, error) {
	n, err := h.update(ctx, cmd)
	return n, toStatus(err)
}

func (h *sqlServer) update(ctx context.Context, cmd flightsql.StatementUpdate) (int64, error) {
	_, cn, _, err := callFrom(ctx).connForTxn(ctx, cmd.GetTransactionId())
	if err != nil {
		return 0, err
	}
	return cn.exec(ctx, cmd.GetQuery())
}
