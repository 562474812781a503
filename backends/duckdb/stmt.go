//go:build duckdb_arrow

package duckdb

import (
	"context"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	bindings "github.com/duckdb/duckdb-go-bindings"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

// Stmt is a DuckDB prepared statement.
//
// A parameter's type is the one the client declared, else the one DuckDB
// inferred, else arrow.Null. Execute binds each value with the type of its
// Arrow column and DuckDB casts it where needed; a string bound to a
// parameter that is not text is bound as a string literal, which DuckDB
// casts the way PostgreSQL casts an unknown-typed literal.
//
// DuckDB cannot report result types for a statement with a parameter whose
// type it could not infer, and the result types can depend on the types of
// the values bound. For a query in that case, or when the client declared a
// type other than the one DuckDB inferred, Prepare asks DuckDB to DESCRIBE
// the statement with sample values of the parameter types, so Schema matches
// what Execute returns.
type Stmt struct {
	s   *Session
	p   *prepared // nil for an empty statement
	sql string
	description
	closed bool
}

var _ backends.Stmt = (*Stmt)(nil)

// Params describes the parameters $1..$n.
func (st *Stmt) Params() []arrow.Field { return st.params }

// Schema describes the rows the statement returns, or is nil when it
// returns none.
func (st *Stmt) Schema() *arrow.Schema { return st.schema }

// describe works out the parameter and result types.
func (st *Stmt) describe(ctx context.Context, declared []arrow.DataType) error {
	ps := st.p.ps
	n := int(bindings.NParams(ps))
	opts := connArrowOptions(st.s.conn)
	defer destroyOptions(&opts)
	inferred, err := paramTypes(opts, ps, n)
	if err != nil {
		return err
	}
	count := max(n, len(declared))
	st.params = make([]arrow.Field, count)
	st.text = make([]bool, count)
	differs := false
	for i := range count {
		var inf arrow.Field
		if i < n {
			inf = inferred[i]
		}
		f := arrow.Field{Name: "$" + strconv.Itoa(i+1), Type: inf.Type, Nullable: true, Metadata: inf.Metadata}
		if i < len(declared) && declared[i] != nil {
			f.Type, f.Metadata = declared[i], arrow.Metadata{}
			differs = differs || (i < n && (inf.Type == nil || !arrow.TypeEqual(f.Type, inf.Type)))
		}
		if f.Type == nil {
			f.Type = arrow.Null
		}
		st.params[i] = f
		st.text[i] = isText(f.Type)
	}

	stype := bindings.PreparedStatementType(ps)
	ncols := bindings.PreparedStatementColumnCount(ps)
	typed := resolved(ps)
	if stype == bindings.StatementTypeSelect && (!typed || differs) {
		st.replans = true
		// A parameter of no type is described, as PostgreSQL resolves an
		// unknown one, as text (describeQuery binds it as a string): bind
		// it so, not as a literal DuckDB would read as a number
		// (`select $1` with '123' is the text '123').
		for i, f := range st.params {
			if f.Type.ID() == arrow.NULL {
				st.text[i] = true
			}
		}
		st.schema, err = st.describeQuery(ctx)
		return err
	}
	if !typed {
		// Only a query can be described; anything else is assumed to
		// return no rows (INSERT ... SELECT $1 without RETURNING).
		return nil
	}
	names := make([]string, ncols)
	types := make([]bindings.LogicalType, ncols)
	for i := range ncols {
		names[i] = bindings.PreparedStatementColumnName(ps, i)
		types[i] = bindings.PreparedStatementColumnLogicalType(ps, i)
	}
	if returnsNothing(stype, names, types) {
		for i := range types {
			bindings.DestroyLogicalType(&types[i])
		}
		return nil
	}
	st.schema, err = arrowSchema(opts, types, names)
	return err
}

// paramTypes returns fields of the Arrow types of the parameter types
// DuckDB inferred, with their metadata (an OIDType parameter is an oid),
// and with a nil Type where it inferred none.
func paramTypes(opts bindings.ArrowOptions, ps bindings.PreparedStatement, n int) ([]arrow.Field, error) {
	out := make([]arrow.Field, n)
	var types []bindings.LogicalType
	var names []string
	var at []int
	for i := range n {
		switch bindings.ParamType(ps, bindings.IdxT(i+1)) {
		case bindings.TypeInvalid, bindings.TypeAny, bindings.TypeSQLNull,
			bindings.TypeStringLiteral, bindings.TypeIntegerLiteral:
			continue
		}
		lt := bindings.ParamLogicalType(ps, bindings.IdxT(i+1))
		if lt.Ptr == nil {
			continue
		}
		types = append(types, lt)
		names = append(names, "$"+strconv.Itoa(i+1))
		at = append(at, i)
	}
	if len(types) == 0 {
		return out, nil
	}
	sc, err := arrowSchema(opts, types, names)
	if err != nil {
		return nil, err
	}
	for j, i := range at {
		out[i] = sc.Field(j)
	}
	return out, nil
}

// returnsNothing tells, before execution, whether a statement's result is
// only DuckDB's placeholder column: "Count" for statements that change
// rows, "Success" for the rest.
func returnsNothing(stype bindings.StatementType, names []string, types []bindings.LogicalType) bool {
	if len(names) != 1 {
		return false
	}
	id := bindings.GetTypeId(types[0])
	count := names[0] == "Count" && id == bindings.TypeBigInt
	switch stype {
	case bindings.StatementTypeSelect, bindings.StatementTypeExplain, bindings.StatementTypeCall,
		bindings.StatementTypePragma, bindings.StatementTypeRelation, bindings.StatementTypeLogicalPlan:
		return false
	case bindings.StatementTypeInsert, bindings.StatementTypeUpdate, bindings.StatementTypeDelete,
		bindings.StatementTypeMergeInto, bindings.StatementTypeCopy:
		return count
	}
	return count || (names[0] == "Success" && id == bindings.TypeBoolean)
}

// describeQuery finds the result schema of a query by running DESCRIBE on
// it with sample values of the parameter types bound, then preparing a
// SELECT of typed NULLs to turn DuckDB's type names into types.
func (st *Stmt) describeQuery(ctx context.Context) (*arrow.Schema, error) {
	const describe = "DESCRIBE "
	text := describe + st.sql
	d, err := st.s.prepare(ctx, text)
	if err != nil {
		return nil, shiftPosition(err, len(describe))
	}
	defer d.release()
	mem := st.s.b.mem
	for i := range int(bindings.NParams(d.ps)) {
		if i >= len(st.params) {
			break
		}
		dt := st.params[i].Type
		if dt.ID() == arrow.NULL {
			bindings.BindVarcharLength(d.ps, bindings.IdxT(i+1), "", 0)
			continue
		}
		b := array.NewBuilder(mem, dt)
		b.AppendEmptyValue()
		sample := b.NewArray()
		b.Release()
		err := bindParam(d.ps, i+1, sample, 0, st.text[i])
		sample.Release()
		if err != nil {
			return nil, err
		}
	}
	res, err := st.s.run(ctx, d, text, nil)
	if err != nil {
		return nil, shiftPosition(err, len(describe))
	}
	if res.Rows == nil {
		return nil, pgerror.New(pgerror.InternalError, "duckdb: DESCRIBE returned no rows")
	}
	defer res.Rows.Release()
	var names, typeNames []string
	for res.Rows.Next() {
		rec := res.Rows.RecordBatch()
		nameCol, ok1 := rec.Column(0).(*array.String)
		typeCol, ok2 := rec.Column(1).(*array.String)
		if !ok1 || !ok2 {
			return nil, pgerror.New(pgerror.InternalError, "duckdb: unexpected DESCRIBE columns %s", rec.Schema())
		}
		for i := range nameCol.Len() {
			// Copy: the strings point into the batch's memory.
			names = append(names, strings.Clone(nameCol.Value(i)))
			typeNames = append(typeNames, strings.Clone(typeCol.Value(i)))
		}
	}
	if err := res.Rows.Err(); err != nil {
		return nil, err
	}
	var q strings.Builder
	q.WriteString("SELECT ")
	for i, t := range typeNames {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("CAST(NULL AS " + t + ") AS c" + strconv.Itoa(i))
	}
	tp, err := st.s.prepare(ctx, q.String())
	if err != nil {
		return nil, err
	}
	defer tp.release()
	types := make([]bindings.LogicalType, len(names))
	for i := range types {
		types[i] = bindings.PreparedStatementColumnLogicalType(tp.ps, bindings.IdxT(i))
	}
	opts := connArrowOptions(st.s.conn)
	defer destroyOptions(&opts)
	return arrowSchema(opts, types, names)
}

// shiftPosition moves the position of an error in a statement that had n
// characters prepended back to the original statement.
func shiftPosition(err error, n int) error {
	if e, ok := err.(*pgerror.Error); ok && e.Position > int32(n) {
		return e.WithPosition(e.Position - int32(n))
	}
	return err
}

// Execute runs the statement with one row of parameter values.
func (st *Stmt) Execute(ctx context.Context, params arrow.RecordBatch) (*backends.Result, error) {
	if st.closed {
		return nil, pgerror.New(pgerror.InvalidSQLStatementName, "duckdb: prepared statement is closed")
	}
	if err := st.s.begin(ctx); err != nil {
		return nil, err
	}
	got := 0
	if params != nil {
		got = int(params.NumCols())
	}
	if got != len(st.params) {
		return nil, pgerror.New(pgerror.ProtocolViolation,
			"bind message supplies %d parameters, but prepared statement requires %d", got, len(st.params))
	}
	if st.p == nil {
		return &backends.Result{RowsAffected: -1}, nil
	}
	if got > 0 && params.NumRows() != 1 {
		return nil, pgerror.New(pgerror.ProtocolViolation, "duckdb: parameters must be one row, got %d", params.NumRows())
	}
	if !st.s.current(st.p) {
		// Planned before a change to the data: planned again, with the
		// statistics of the data it will read.
		p, err := st.s.prepare(ctx, st.sql)
		if err != nil {
			return nil, err
		}
		st.p.release()
		st.p = p
	}
	ps := st.p.ps
	for i := range int(bindings.NParams(ps)) {
		if err := bindParam(ps, i+1, params.Column(i), 0, st.text[i]); err != nil {
			bindings.ClearBindings(ps)
			return nil, err
		}
	}
	return st.s.run(ctx, st.p, st.sql, &expect{schema: st.schema, replans: st.replans})
}

// Close releases the statement. Results it produced stay valid.
func (st *Stmt) Close() error {
	if st.closed {
		return nil
	}
	st.closed = true
	if st.p != nil {
		st.p.release()
		st.p = nil
	}
	delete(st.s.stmts, st)
	return nil
}
