package postgres

import (
	"context"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/types/pgarrow"
)

// Stmt is a named PostgreSQL prepared statement.
type Stmt struct {
	s          *Session
	name, sql  string
	si         stmtInfo
	paramOIDs  []uint32
	paramTypes []pgarrow.Type
	params     []arrow.Field
	encs       []*pgarrow.Encoder // per parameter, for the Arrow type last bound
	cols       []pgarrow.ColumnType
	schema     *arrow.Schema
	buf        []byte   // encoded parameter values
	values     [][]byte // Bind parameter values, slices of buf
	formats    []int16  // Bind parameter formats
	ends       []int    // where each value ends in buf; -1 for NULL
	closed     bool
}

var (
	_ backends.Stmt          = (*Stmt)(nil)
	_ backends.BatchExecutor = (*Stmt)(nil)
)

// Params describes $1..$n with the types PostgreSQL inferred, mapped to
// Arrow; each field carries the pg.oid metadata.
func (st *Stmt) Params() []arrow.Field { return st.params }

// Schema describes the result rows, or is nil when there are none.
func (st *Stmt) Schema() *arrow.Schema { return st.schema }

// Execute runs the statement. Parameters are sent in binary when pgarrow
// can convert the Arrow type to the parameter's type exactly (or with a
// range check), and in text format otherwise, for PostgreSQL to parse.
func (st *Stmt) Execute(ctx context.Context, params arrow.RecordBatch) (*backends.Result, error) {
	if st.closed {
		return nil, pgerror.New(pgerror.InvalidSQLStatementName, "prepared statement %q is closed", st.name)
	}
	if err := st.s.ready(); err != nil {
		return nil, err
	}
	values, formats, err := st.encodeParams(params)
	if err != nil {
		return nil, err
	}
	return st.s.run(ctx, st.sql, st.si, st.name, st.cols, values, formats)
}

// encodeParams turns the one-row batch into Bind parameter values.
func (st *Stmt) encodeParams(rec arrow.RecordBatch) ([][]byte, []int16, error) {
	if err := st.bindParams(rec); err != nil || rec == nil || rec.NumCols() == 0 {
		return nil, nil, err
	}
	if rec.NumRows() != 1 {
		return nil, nil, pgerror.New(pgerror.InvalidParameterValue, "parameters must be one row, got %d", rec.NumRows())
	}
	return st.encodeRow(rec, 0)
}

// bindParams checks that rec (nil when there are no parameters) has one
// column per parameter, and readies an encoder for each column that pgarrow
// can convert to its parameter's type in binary.
func (st *Stmt) bindParams(rec arrow.RecordBatch) error {
	if rec == nil || rec.NumCols() == 0 {
		if len(st.paramOIDs) > 0 {
			return pgerror.New(pgerror.ProtocolViolation,
				"bind message supplies 0 parameters, but prepared statement %q requires %d", st.name, len(st.paramOIDs))
		}
		return nil
	}
	if int(rec.NumCols()) != len(st.paramOIDs) {
		return pgerror.New(pgerror.ProtocolViolation,
			"bind message supplies %d parameters, but prepared statement %q requires %d", rec.NumCols(), st.name, len(st.paramOIDs))
	}
	for i, col := range rec.Columns() {
		enc := st.encs[i]
		if enc == nil || !arrow.TypeEqual(col.DataType(), enc.Type()) {
			enc, _ = pgarrow.NewEncoder(col.DataType(), st.paramTypes[i], -1, st.s.cat.resolve)
			st.encs[i] = enc
		}
		if enc != nil {
			if err := enc.Reset(col); err != nil {
				return paramError(err, i)
			}
		}
	}
	return nil
}

// encodeRow turns row i of rec, whose columns bindParams readied, into Bind
// parameter values: binary where an encoder exists, else text for
// PostgreSQL to parse. The values and formats are the statement's own,
// valid until its next encodeRow.
func (st *Stmt) encodeRow(rec arrow.RecordBatch, row int) ([][]byte, []int16, error) {
	n := len(st.paramOIDs)
	if len(st.values) != n {
		st.values, st.formats, st.ends = make([][]byte, n), make([]int16, n), make([]int, n)
	}
	values, formats, ends := st.values, st.formats, st.ends
	buf := st.buf[:0]
	if buf == nil {
		buf = make([]byte, 0, 256) // non-nil, so empty values are not NULL
	}
	for i := range n {
		col := rec.Column(i)
		if col.IsNull(row) {
			formats[i], ends[i] = 1, -1
			continue
		}
		var err error
		if enc := st.encs[i]; enc != nil {
			formats[i] = 1
			buf, err = enc.AppendValue(buf, row)
		} else {
			formats[i] = 0
			buf, err = pgarrow.AppendText(buf, col, row)
		}
		if err != nil {
			return nil, nil, paramError(err, i)
		}
		ends[i] = len(buf)
	}
	st.buf = buf
	start := 0
	for i := range n {
		if ends[i] < 0 {
			values[i] = nil
			continue
		}
		values[i] = buf[start:ends[i]:ends[i]]
		start = ends[i]
	}
	return values, formats, nil
}

// paramError names parameter i in err's detail.
func paramError(err error, i int) error {
	if pe, ok := err.(*pgerror.Error); ok {
		return pe.WithDetail("parameter $" + strconv.Itoa(i+1))
	}
	return err
}

// Close deallocates the prepared statement. Results it produced stay
// valid.
func (st *Stmt) Close() error {
	if st.closed {
		return nil
	}
	st.closed = true
	if st.s.closed {
		return nil
	}
	if err := st.s.ready(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return mapError(st.s.conn.Deallocate(ctx, st.name))
}
