package adbcbackend

import (
	"context"
	"strconv"

	"github.com/apache/arrow-adbc/go/adbc"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

// Stmt is a prepared statement: an ADBC statement prepared on the session's
// connection, in the transaction open when it was prepared. Executed on
// another connection or in another transaction, it is prepared again
// there first.
type Stmt struct {
	s      *Session
	sql    string
	text   sqlText
	kind   kind
	params []arrow.Field
	schema *arrow.Schema

	st     adbc.Statement // nil for transaction control, or after Close
	c      *conn          // the connection st was prepared on
	epoch  uint64         // and its number
	tx     uint64         // the transaction st was prepared in; 0 for none
	closed bool
}

var _ backends.Stmt = (*Stmt)(nil)

func (s *Session) prepare(ctx context.Context, sql string, paramTypes []arrow.DataType) (*Stmt, error) {
	text := scanSQL(sql)
	p := &Stmt{s: s, sql: sql, text: text, kind: text.kind()}
	if p.kind.isTx() {
		return p, nil
	}
	err := s.attempt(ctx, true, func(c *conn) error {
		if err := p.prepareOn(ctx, c); err != nil {
			return err
		}
		p.params = p.describeParams(paramTypes)
		if err := p.describeResult(ctx, c); err != nil {
			p.drop()
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.stmts[p] = struct{}{}
	return p, nil
}

// prepareOn prepares the statement on c, in the current transaction.
func (p *Stmt) prepareOn(ctx context.Context, c *conn) error {
	st, err := c.NewStatement()
	if err != nil {
		return p.s.fail(ctx, c, err)
	}
	if err = st.SetSqlQuery(p.sql); err == nil {
		err = st.Prepare(ctx)
	}
	if err != nil {
		st.Close()
		return p.s.fail(ctx, c, err)
	}
	p.st, p.c, p.epoch, p.tx = st, c, c.epoch, p.s.tx.current()
	return nil
}

// describeParams returns the engine's parameter schema, or else one field
// per placeholder or declared type, typed as declared or arrow.Null.
func (p *Stmt) describeParams(declared []arrow.DataType) []arrow.Field {
	if ps, err := p.st.GetParameterSchema(); err == nil && ps != nil {
		return ps.Fields()
	}
	fields := make([]arrow.Field, max(p.text.params, len(declared)))
	for i := range fields {
		fields[i] = arrow.Field{Name: "$" + strconv.Itoa(i+1), Type: arrow.Null, Nullable: true}
		if i < len(declared) && declared[i] != nil {
			fields[i].Type = declared[i]
		}
	}
	return fields
}

// describeResult learns the result schema without running the statement
// where the engine allows it; see the package documentation.
func (p *Stmt) describeResult(ctx context.Context, c *conn) error {
	if es, ok := p.st.(adbc.StatementExecuteSchema); ok {
		sch, err := es.ExecuteSchema(ctx)
		switch {
		case err == nil && sch != nil:
			p.setSchema(sch)
			return nil
		case err != nil && !isStatus(err, adbc.StatusNotImplemented):
			return p.s.fail(ctx, c, err)
		}
	}
	if p.kind != kindQuery {
		return nil
	}
	if !p.s.b.executeSchemaUnsupported() {
		sch, err := p.describeText(ctx, c)
		switch {
		case err == nil && sch != nil:
			p.setSchema(sch)
			return nil
		case ctx.Err() != nil:
			return canceled(ctx)
		case isStatus(err, adbc.StatusNotImplemented):
			p.s.b.setExecuteSchemaUnsupported()
		}
	}
	if !p.text.readOnly() {
		return nil
	}
	sch, err := p.probe(ctx, c)
	if err != nil {
		return err
	}
	p.setSchema(sch)
	return nil
}

// describeText asks for the schema of the statement's text, unprepared.
func (p *Stmt) describeText(ctx context.Context, c *conn) (*arrow.Schema, error) {
	st, err := c.NewStatement()
	if err != nil {
		return nil, err
	}
	defer st.Close()
	es, ok := st.(adbc.StatementExecuteSchema)
	if !ok {
		return nil, adbc.Error{Code: adbc.StatusNotImplemented}
	}
	if err := st.SetSqlQuery(p.sql); err != nil {
		return nil, err
	}
	return es.ExecuteSchema(ctx)
}

// probe starts the statement with NULL parameters and reads only its
// schema. It is used for read-only statements the engine cannot describe.
func (p *Stmt) probe(ctx context.Context, c *conn) (*arrow.Schema, error) {
	if n := len(p.params); n > 0 {
		fields := make([]arrow.Field, n)
		cols := make([]arrow.Array, n)
		for i := range fields {
			fields[i] = arrow.Field{Name: p.params[i].Name, Type: arrow.Null, Nullable: true}
			cols[i] = array.NewNull(1)
		}
		rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, 1)
		for _, col := range cols {
			col.Release()
		}
		err := p.st.Bind(ctx, rec)
		rec.Release()
		if err != nil {
			return nil, p.s.fail(ctx, c, err)
		}
		defer p.st.Bind(ctx, nil)
	}
	r, err := p.s.execute(ctx, c, p.st, false)
	if err != nil {
		return nil, err
	}
	sch := r.Schema()
	r.Release()
	return sch, nil
}

// setSchema records the engine's answer: no columns means no rows.
func (p *Stmt) setSchema(sch *arrow.Schema) {
	if sch.NumFields() == 0 {
		p.kind, p.schema = kindUpdate, nil
		return
	}
	p.kind, p.schema = kindQuery, sch
}

// Params implements backends.Stmt.
func (p *Stmt) Params() []arrow.Field { return p.params }

// Schema implements backends.Stmt. It is nil for statements that return no
// rows, and for statements that return rows but whose schema the engine
// would not tell without running them, when they might change something
// (INSERT … RETURNING on an engine that does not describe prepared
// statements).
func (p *Stmt) Schema() *arrow.Schema { return p.schema }

// Execute implements backends.Stmt.
func (p *Stmt) Execute(ctx context.Context, params arrow.RecordBatch) (*backends.Result, error) {
	if p.closed {
		return nil, pgerror.New(pgerror.InvalidSQLStatementName, "prepared statement is closed")
	}
	if p.kind.isTx() {
		return p.s.transaction(ctx, p.kind)
	}
	var res *backends.Result
	err := p.s.attempt(ctx, p.kind == kindQuery && p.text.readOnly(), func(c *conn) error {
		var err error
		res, err = p.execute(ctx, c, params)
		return err
	})
	return res, err
}

func (p *Stmt) execute(ctx context.Context, c *conn, params arrow.RecordBatch) (*backends.Result, error) {
	if p.st == nil || p.epoch != c.epoch || p.tx != p.s.tx.current() {
		p.drop()
		if err := p.prepareOn(ctx, c); err != nil {
			return nil, err
		}
	}
	if params != nil && params.NumCols() > 0 {
		if err := p.st.Bind(ctx, params); err != nil {
			return nil, p.s.fail(ctx, c, err)
		}
		defer p.st.Bind(ctx, nil)
	}
	if p.kind == kindUpdate {
		n, err := p.st.ExecuteUpdate(ctx)
		if err != nil {
			return nil, p.s.fail(ctx, c, err)
		}
		return &backends.Result{RowsAffected: n}, nil
	}
	r, err := p.s.execute(ctx, c, p.st, false)
	if err != nil {
		return nil, err
	}
	return &backends.Result{Rows: r, RowsAffected: -1}, nil
}

// drop releases the engine's handle. A handle on a connection the session
// has replaced is only forgotten: that connection may be closed, and the
// server that knew the handle is likely gone.
func (p *Stmt) drop() {
	if p.st != nil && p.c == p.s.c {
		p.st.Close()
	}
	p.st, p.c = nil, nil
}

// Close releases the statement on the engine. Results it produced stay
// valid.
func (p *Stmt) Close() error {
	if p.closed {
		return nil
	}
	p.closed = true
	delete(p.s.stmts, p)
	p.drop()
	return nil
}
