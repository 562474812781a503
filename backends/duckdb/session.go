//go:build duckdb_arrow

package duckdb

import (
	"context"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	bindings "github.com/duckdb/duckdb-go-bindings"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

// Session is one DuckDB connection. See the backends package for the rules
// on concurrency and ownership.
type Session struct {
	b    *Backend
	conn bindings.Connection

	// open is the Rows streaming from the connection's one live result,
	// if any. It is materialised before anything else runs.
	open *rows
	// results holds the Rows not yet released, stopped when the session
	// closes.
	results map[*rows]struct{}
	// stmts holds the session's prepared statements, closed with it.
	stmts  map[*Stmt]struct{}
	closed bool

	// cache holds the statements the session runs repeatedly, prepared.
	// See cache.go for when its entries are planned again.
	cache stmtCache
	// inTx tells whether the last transaction statement the session ran
	// may have left a transaction open, and txGen is the Backend's
	// generation before that statement ran: the catalog its snapshot may
	// see is no newer.
	inTx  bool
	txGen uint64
	// dirty is set when the session has run a statement that may change
	// plans since its last transaction statement.
	dirty bool
	// changed is set when the session has changed data inside the
	// transaction it is in, which other sessions see once it ends.
	changed bool
}

var _ backends.Session = (*Session)(nil)

// prepared is a DuckDB prepared statement shared by its Stmt (or the Query
// call that made it) and the results it produced, destroyed when the last
// of them lets go.
type prepared struct {
	ps      bindings.PreparedStatement
	refs    int
	kind    stmtKind
	nparams int
	// writes tells whether the statement may change data, and data is
	// the Backend's data before it was planned (Backend.data).
	writes bool
	data   uint64
	shape  *shape // the schema of the last result, see resultSchema
}

func (p *prepared) retain() { p.refs++ }

func (p *prepared) release() {
	p.refs--
	if p.refs == 0 {
		destroyPrepared(&p.ps)
	}
}

var errSessionClosed = pgerror.New(pgerror.ConnectionException, "duckdb: session is closed")

// begin is called at the start of every call that runs something on the
// connection: it checks the session and ctx, and materialises an open
// stream, since running anything on the connection would close it.
func (s *Session) begin(ctx context.Context) error {
	if s.closed {
		return errSessionClosed
	}
	if err := ctx.Err(); err != nil {
		return canceled(ctx)
	}
	s.detach(ctx)
	return nil
}

// detach reads the rest of the open stream, if any, into memory. ctx, the
// new statement's context, can interrupt the reading; the stream's own
// context still can too.
func (s *Session) detach(ctx context.Context) {
	if s.open == nil {
		return
	}
	w := watchConn(ctx, s.conn)
	s.open.materialise()
	w.end()
}

// Query runs one statement with no parameters.
func (s *Session) Query(ctx context.Context, sql string) (*backends.Result, error) {
	if err := s.begin(ctx); err != nil {
		return nil, err
	}
	p, _, _, err := s.statement(ctx, sql, false)
	if err != nil || p == nil {
		return emptyResult(err)
	}
	defer p.release()
	return s.run(ctx, p, sql, nil)
}

func emptyResult(err error) (*backends.Result, error) {
	if err != nil {
		return nil, err
	}
	return &backends.Result{RowsAffected: -1}, nil
}

// prepare prepares the one statement in sql. It returns nil and no error
// when sql holds no statement.
func (s *Session) prepare(ctx context.Context, sql string) (*prepared, error) {
	var ex bindings.ExtractedStatements
	n := bindings.ExtractStatements(s.conn, sql, &ex)
	defer bindings.DestroyExtracted(&ex)
	if n == 0 {
		if msg := bindings.ExtractStatementsError(ex); msg != "" {
			return nil, engineError(ctx, bindings.ErrorTypeInvalid, msg, sql)
		}
		return nil, nil
	}
	if n > 1 {
		return nil, pgerror.New(pgerror.SyntaxError, "cannot insert multiple commands into a prepared statement")
	}
	p := &prepared{refs: 1, data: s.b.data.Load()}
	st := bindings.PrepareExtractedStatement(s.conn, ex, 0, &p.ps)
	trackPrepared(p.ps)
	if st == bindings.StateError {
		msg := bindings.PrepareError(p.ps)
		destroyPrepared(&p.ps)
		return nil, engineError(ctx, bindings.ErrorTypeInvalid, msg, sql)
	}
	p.kind = kindOf(p.ps, sql)
	p.nparams = int(bindings.NParams(p.ps))
	p.writes = p.kind == kindState || writesData(p.ps)
	return p, nil
}

// resolved reports whether DuckDB typed everything in ps when preparing
// it; when it could not type a parameter, it describes one result column
// of no type, and plans the statement again at every execution.
func resolved(ps bindings.PreparedStatement) bool {
	return !(bindings.PreparedStatementColumnCount(ps) == 1 && bindings.PreparedStatementColumnType(ps, 0) == bindings.TypeInvalid)
}

// current reports whether p runs with the statistics of the data as it is
// (Backend.data): it was planned with them, or it has parameters. DuckDB
// keeps no plan of a statement with parameters that scans a table (a
// LOGICAL_GET: PreparedStatement::CanCachePlan); it plans it again at
// every execution, with the values bound and the data as it is then. One
// that scans no table has no statistics to go stale. Planning such a
// statement again here would plan it twice per execution: pgbench's
// TPC-B, whose statements all have parameters, spent a fifth of its CPU
// time so.
func (s *Session) current(p *prepared) bool { return p.nparams > 0 || p.data == s.b.data.Load() }

// changedData records that the session changed data.
func (s *Session) changedData() {
	s.b.data.Add(1)
	s.changed = s.changed || s.inTx
}

// statement returns the prepared statement for sql, from the cache when it
// holds a current one, with a reference for the caller; nil and no error
// when sql holds no statement. forStmt asks for a statement that Prepare
// will describe, which may have parameters. e is the statement's cache
// entry, if it has one, and hit tells whether the statement came from it.
func (s *Session) statement(ctx context.Context, sql string, forStmt bool) (p *prepared, e *cacheEntry, hit bool, err error) {
	gen := s.b.gen.Load()
	if e := s.cache.get(sql); e != nil {
		if e.gen == gen && s.current(e.p) {
			// Query runs a statement with parameters fresh, to report
			// the missing values rather than use those Execute bound.
			if forStmt || e.p.nparams == 0 {
				s.cache.touch(e)
				e.p.retain()
				return e.p, e, true, nil
			}
		} else {
			s.cache.remove(e)
		}
	}
	p, err = s.prepare(ctx, sql)
	if err != nil || p == nil {
		return nil, nil, false, err
	}
	if p.kind == kindState || p.kind == kindSessionState || (!forStmt && p.nparams > 0) || !s.cache.admit(sql) {
		return p, nil, false, nil
	}
	return p, s.cachePrepared(sql, p, gen), false, nil
}

// cachePrepared caches p for sql, prepared at generation gen, and returns
// its entry.
func (s *Session) cachePrepared(sql string, p *prepared, gen uint64) *cacheEntry {
	if s.inTx {
		// A description made inside a transaction shows the catalog as
		// its snapshot does, which a change committed after the
		// transaction began does not reach: it is as old as txGen.
		gen = min(gen, s.txGen)
	}
	e := &cacheEntry{sql: sql, p: p, gen: gen}
	p.retain()
	s.cache.add(e)
	return e
}

// ran records that p was run, or tried, for the plans it may invalidate.
// before is the Backend's generation before it ran.
func (s *Session) ran(p *prepared, before uint64) {
	if p.writes {
		s.changedData()
	}
	switch p.kind {
	case kindPlain:
		return
	case kindState:
		s.dirty = true
		s.b.gen.Add(1)
		return
	case kindSessionState:
		s.cache.clear()
		return
	case kindBegin:
		s.inTx, s.txGen = true, before
	case kindEnd:
		s.inTx = false
		if s.changed {
			s.changed = false
			s.b.data.Add(1)
		}
	default:
		// Unknown: assume the worst, a transaction begun now.
		s.inTx, s.txGen = true, before
	}
	if s.dirty {
		// A change made inside the transaction that just ended (or
		// began, harmlessly) becomes visible to other sessions now.
		s.dirty = false
		s.b.gen.Add(1)
	}
}

// expect is what a prepared statement described: the schema its rows must
// have, and whether DuckDB replans it for the types of the values bound, in
// which case rows of other types are converted to the schema.
type expect struct {
	schema  *arrow.Schema
	replans bool
}

// run executes a prepared statement whose parameters are bound. The result
// streams when it is a query; want, when not nil, is what Stmt described.
func (s *Session) run(ctx context.Context, p *prepared, sql string, want *expect) (*backends.Result, error) {
	w := watchConn(ctx, s.conn)
	before := s.b.gen.Load()
	var pr bindings.PendingResult
	if pendingStreaming(p.ps, &pr) == bindings.StateError {
		msg := bindings.PendingError(pr)
		destroyPending(&pr)
		w.end()
		s.ran(p, before)
		return nil, engineError(ctx, bindings.ErrorTypeInvalid, msg, sql)
	}
	var res bindings.Result
	st := executePending(pr, &res)
	destroyPending(&pr)
	s.ran(p, before)
	if st == bindings.StateError {
		err := engineError(ctx, bindings.ResultErrorType(&res), bindings.ResultError(&res), sql)
		destroyResult(&res)
		w.end()
		return nil, err
	}
	switch bindings.ResultReturnType(res) {
	case bindings.ResultTypeQueryResult:
		r, err := s.newRows(ctx, w, p, res, sql, want)
		if err != nil {
			return nil, err
		}
		return &backends.Result{Rows: r, RowsAffected: -1}, nil
	case bindings.ResultTypeChangedRows:
		n := int64(bindings.RowsChanged(&res))
		destroyResult(&res)
		w.end()
		return &backends.Result{RowsAffected: n}, nil
	default:
		destroyResult(&res)
		w.end()
		return &backends.Result{RowsAffected: -1}, nil
	}
}

// Prepare plans a statement without executing it. See Stmt for how
// parameter types are chosen.
func (s *Session) Prepare(ctx context.Context, sql string, paramTypes []arrow.DataType) (backends.Stmt, error) {
	if err := s.begin(ctx); err != nil {
		return nil, err
	}
	gen := s.b.gen.Load()
	p, e, hit, err := s.statement(ctx, sql, true)
	if err != nil {
		return nil, err
	}
	st := &Stmt{s: s, p: p, sql: sql}
	switch {
	case p == nil:
	case e != nil && e.desc != nil && e.desc.matches(paramTypes):
		st.description = *e.desc
	default:
		if hit && p.nparams > 0 {
			// Executing the cached statement may have replanned it for
			// the types of the values bound, which would change the
			// parameter types DuckDB reports: describe a fresh one.
			p.release()
			if p, err = s.prepare(ctx, sql); err != nil {
				return nil, err
			}
			st.p = p
			e = s.cachePrepared(sql, p, gen)
		}
		if err := st.describe(ctx, paramTypes); err != nil {
			p.release()
			return nil, err
		}
		if e != nil {
			d := st.description
			d.declared = slices.Clone(paramTypes)
			e.desc = &d
		}
	}
	if s.stmts == nil {
		s.stmts = make(map[*Stmt]struct{})
	}
	s.stmts[st] = struct{}{}
	return st, nil
}

// Close ends the session: open results stop (their Rows report an error),
// prepared statements are released, and the connection is closed.
func (s *Session) Close() error {
	if s.closed {
		return nil
	}
	for r := range s.results {
		r.stop(errSessionClosed)
	}
	for st := range s.stmts {
		st.Close()
	}
	s.cache.clear()
	s.closed = true
	bindings.Disconnect(&s.conn)
	s.b.sessionClosed()
	return nil
}
