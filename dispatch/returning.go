package dispatch

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/dialect"
	"github.com/quiverdb/quiver/stmt"
)

// splitStmt runs one client statement as the several statements of a
// dialect.Split, prepared on the backend, as one backend statement: the
// same parameters feed each, and the rows of one are the result.
type splitStmt struct {
	stmts  []backends.Stmt
	sqls   []string // each statement's text, as prepared
	params [][]int  // the client's parameter behind each statement's own
	result int      // the statement whose rows are the result
	change int      // the statement that changes the table
	fields []arrow.Field
}

// prepareSplit prepares st as the backend's dialect splits it
// (dialect.SplitReturning), or returns nil when st runs as it is. ptypes
// are the types of st's parameters, nil entries unknown. A statement of
// the split the backend refuses leaves st as it is, to report its own
// error.
func (s *Session) prepareSplit(ctx context.Context, st *stmt.Statement, ptypes []arrow.DataType) (*splitStmt, error) {
	if s.h.rw == nil || !st.Returning || st.Node.GetUpdateStmt() == nil && st.Node.GetInsertStmt().GetOnConflictClause() == nil {
		return nil, nil
	}
	sp, err := dialect.SplitReturning(st, func(q string) ([][]string, error) { return s.catalogRows(ctx, q) })
	if err != nil || sp == nil {
		return nil, err
	}
	out := &splitStmt{params: sp.Params, result: sp.Result, change: sp.Change, stmts: make([]backends.Stmt, len(sp.Statements)), sqls: make([]string, len(sp.Statements))}
	// The changing statement first: the types it gives the parameters
	// (those of the columns they are assigned to) type them in the others.
	for _, i := range append([]int{out.change}, out.others()...) {
		pt := make([]arrow.DataType, len(sp.Params[i]))
		for j, k := range sp.Params[i] {
			switch {
			case k < len(ptypes) && ptypes[k] != nil:
				pt[j] = ptypes[k]
			case k < len(out.fields) && out.fields[k].Type.ID() != arrow.NULL:
				pt[j] = out.fields[k].Type
			}
		}
		sql, one, err := s.splitSQL(ctx, sp.Statements[i], pt)
		var bs backends.Stmt
		if err == nil && one {
			bs, err = s.backend.Prepare(ctx, sql, pt)
		}
		if err != nil || bs == nil {
			_ = out.Close()
			return nil, nil
		}
		out.stmts[i], out.sqls[i] = bs, sql
		// The client's parameters, typed as the changing statement types
		// them, then as the others do.
		for j, f := range bs.Params() {
			k := out.params[i][j]
			for len(out.fields) <= k {
				out.fields = append(out.fields, arrow.Field{Type: arrow.Null})
			}
			if out.fields[k].Type == nil || out.fields[k].Type.ID() == arrow.NULL {
				out.fields[k] = f
			}
		}
	}
	return out, nil
}

// catalogMemo keeps the rows of the catalog queries splits are planned
// with, until DDL may have changed them: as stringColumns does, for the
// session's search path, while no DDL ran in the session's transaction
// and the handler's DDL epoch stays. Every UPDATE ... RETURNING asks
// whether a foreign key references its table, which in simple protocol
// is every time it runs.
type catalogMemo struct {
	epoch uint64
	path  string
	rows  map[string][][]string
}

// catalogRows runs the catalog query q as queryStrings does, or returns
// the rows the session keeps for it.
func (s *Session) catalogRows(ctx context.Context, q string) ([][]string, error) {
	m := &s.splitCat
	if epoch, path := s.h.ddlEpoch.Load(), s.vars["search_path"]; m.rows == nil || m.epoch != epoch || m.path != path {
		*m = catalogMemo{epoch: epoch, path: path, rows: map[string][][]string{}}
	}
	if rows, ok := m.rows[q]; ok {
		return rows, nil
	}
	rows, err := s.queryStrings(ctx, q)
	if err == nil && !s.ddlRan {
		m.rows[q] = rows
	}
	return rows, err
}

// splitSQL is the backend's statement for sub, a statement of a split,
// as the session plans it; one is false when that is not one statement.
func (s *Session) splitSQL(ctx context.Context, sub *stmt.Statement, ptypes []arrow.DataType) (sql string, one bool, err error) {
	plan, err := s.plan(ctx, sub, ptypes)
	switch {
	case err != nil:
		return "", false, err
	case plan == nil:
		return sub.SQL, true, nil
	case !plan.Single():
		return "", false, nil
	}
	return plan.SQL[0], true, nil
}

// others are the indexes of the statements but the changing one.
func (p *splitStmt) others() []int {
	var out []int
	for i := range p.stmts {
		if i != p.change {
			out = append(out, i)
		}
	}
	return out
}

func (p *splitStmt) Params() []arrow.Field { return p.fields }

func (p *splitStmt) Schema() *arrow.Schema { return p.stmts[p.result].Schema() }

// Execute runs the statements in order. The result's rows are read in
// full before the statements after it run, as the backend runs one
// statement at a time: a RETURNING's rows, as PostgreSQL too gathers them
// before it sends any.
func (p *splitStmt) Execute(ctx context.Context, params arrow.RecordBatch) (*backends.Result, error) {
	var rows []arrow.RecordBatch
	defer func() {
		for _, r := range rows {
			r.Release()
		}
	}()
	for i, bs := range p.stmts {
		sub := pickParams(params, p.params[i])
		res, err := bs.Execute(ctx, sub)
		if sub != nil {
			sub.Release()
		}
		if err != nil {
			return nil, err
		}
		if res.Rows == nil {
			continue
		}
		for res.Rows.Next() {
			if i == p.result {
				rec, err := copyBatch(res.Rows.RecordBatch())
				if err != nil {
					res.Rows.Release()
					return nil, err
				}
				rows = append(rows, rec)
			}
		}
		err = res.Rows.Err()
		res.Rows.Release()
		if err != nil {
			return nil, err
		}
	}
	rr, err := array.NewRecordReader(p.Schema(), rows)
	if err != nil {
		return nil, err
	}
	return &backends.Result{Rows: rr, RowsAffected: -1}, nil
}

func (p *splitStmt) Close() error {
	for _, bs := range p.stmts {
		if bs != nil {
			_ = bs.Close()
		}
	}
	return nil
}

// pickParams returns the columns of params (one row) numbered in cols, or
// nil when there are none.
func pickParams(params arrow.RecordBatch, cols []int) arrow.RecordBatch {
	if params == nil || len(cols) == 0 {
		return nil
	}
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	for j, k := range cols {
		fields[j], arrs[j] = params.Schema().Field(k), params.Column(k)
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), arrs, params.NumRows())
}

// runSplit runs st, a statement without parameters, as sp, in a
// transaction of its own outside a transaction block.
func (s *Session) runSplit(ctx context.Context, st *stmt.Statement, sp *splitStmt) (*backends.Result, error) {
	defer sp.Close()
	atomic := s.tx == txIdle && !s.implicit
	if atomic {
		if err := s.queryDiscard(ctx, "BEGIN"); err != nil {
			return nil, err
		}
	}
	s.ranOnBackend(st, sp.sqls[sp.change])
	res, err := sp.Execute(ctx, nil)
	if err == nil && atomic {
		if err = s.queryDiscard(ctx, "COMMIT"); err != nil {
			res.Rows.Release()
		}
	}
	if err != nil {
		if atomic {
			_ = s.queryDiscard(context.WithoutCancel(ctx), "ROLLBACK")
		}
		return nil, atClientText(err, "", st.SQL)
	}
	return res, nil
}

// copyBatch copies rec into memory of its own: a backend's batch is valid
// only while its result is read (backends.Stmt).
func copyBatch(rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, rec.NumCols())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i, c := range rec.Columns() {
		cp, err := array.Concatenate([]arrow.Array{c}, memory.DefaultAllocator)
		if err != nil {
			return nil, err
		}
		cols[i] = cp
	}
	return array.NewRecordBatch(rec.Schema(), cols, rec.NumRows()), nil
}
