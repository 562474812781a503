package dispatch

import (
	"context"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/jackc/pgx/v5/pgproto3"
	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/stmt"
	"github.com/quiverdb/quiver/types"
)

// SQL cursors (DECLARE, FETCH, MOVE, CLOSE) for engines without their own.
// A cursor is a portal, as in PostgreSQL: it lives in the same namespace as
// the protocol's portals, so a client may Describe it by name (psycopg 3
// does). Its result is read from the backend batch by batch as FETCH asks
// for rows. A NO SCROLL cursor (the default here: PostgreSQL makes a cursor
// scrollable only when its plan can run backwards) keeps just the batch
// holding its current row, so memory stays bounded however large the
// result; a SCROLL cursor keeps every batch it has read. A WITH HOLD cursor
// reads the rest of its result when its transaction commits, as PostgreSQL
// copies a held cursor's rows into a tuplestore.
// See https://www.postgresql.org/docs/current/sql-declare.html.

// Cursor option bits of DeclareCursorStmt.Options (PostgreSQL's
// parsenodes.h).
const (
	cursorOptBinary = 0x0001
	cursorOptScroll = 0x0002
	cursorOptHold   = 0x0020
)

// fetchAll is how the parser spells ALL in FETCH counts (LONG_MAX).
const fetchAll = math.MaxInt64

// sqlCursor is the state of a DECLAREd cursor.
type sqlCursor struct {
	scroll bool
	hold   bool
	// committed is set once the transaction that declared a WITH HOLD
	// cursor committed; a rollback no longer closes it.
	committed bool
	enc       *types.RowEncoder // the cursor's own formats, for simple-query FETCH
	// ctx lives as long as the cursor: the backend reads its result under
	// it, and a CancelRequest during FETCH cancels it.
	ctx    context.Context
	cancel context.CancelFunc

	rr array.RecordReader // nil once every row is loaded
	// err is an error running the query met at DECLARE, which PostgreSQL
	// reports when the rows are first read; FETCH returns it.
	err     error
	batches []arrow.RecordBatch
	base    int64 // rows dropped before batches[0]
	loaded  int64 // rows read from rr so far
	eof     bool
	// pos is the position as PostgreSQL counts it: 0 before the first
	// row, k on row k, loaded+1 after the last.
	pos int64
	// bi and bstart cache the batch of the last row looked up.
	bi     int
	bstart int64
}

func (c *sqlCursor) release() {
	if c.cancel != nil {
		c.cancel()
	}
	for _, b := range c.batches {
		b.Release()
	}
	c.batches = nil
	if c.rr != nil {
		c.rr.Release()
		c.rr = nil
	}
}

// have reports whether row k (1-based) exists, reading batches up to it.
func (c *sqlCursor) have(ctx context.Context, k int64) (bool, error) {
	for c.loaded < k && !c.eof {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		if c.err != nil {
			err := c.err
			c.err, c.eof = nil, true
			return false, err
		}
		if !c.rr.Next() {
			c.eof = true
			err := c.rr.Err()
			c.rr.Release()
			c.rr = nil
			if err != nil {
				return false, err
			}
			break
		}
		rec := c.rr.RecordBatch()
		if rec.NumRows() == 0 {
			continue
		}
		rec.Retain()
		c.batches = append(c.batches, rec)
		c.loaded += rec.NumRows()
	}
	return k >= 1 && k <= c.loaded, nil
}

// loadAll reads every remaining row.
func (c *sqlCursor) loadAll(ctx context.Context) error {
	_, err := c.have(ctx, math.MaxInt64)
	return err
}

// rowAt returns the batch and index of row k, which must be loaded and not
// dropped.
func (c *sqlCursor) rowAt(k int64) (arrow.RecordBatch, int) {
	if c.bi >= len(c.batches) || k <= c.bstart {
		c.bi, c.bstart = 0, c.base
	}
	for {
		n := c.batches[c.bi].NumRows()
		if k <= c.bstart+n {
			return c.batches[c.bi], int(k - c.bstart - 1)
		}
		c.bstart += n
		c.bi++
	}
}

// trim drops the batches before the current row of a NO SCROLL cursor.
func (c *sqlCursor) trim() {
	if c.scroll {
		return
	}
	drop := 0
	for drop < len(c.batches) {
		n := c.batches[drop].NumRows()
		if c.base+n >= c.pos {
			break
		}
		c.batches[drop].Release()
		c.batches[drop] = nil
		c.base += n
		drop++
	}
	if drop > 0 {
		c.batches = append(c.batches[:0], c.batches[drop:]...)
		c.bi, c.bstart = 0, c.base
	}
}

var errCursorForwardOnly = pgerror.New(pgerror.ObjectNotInPrerequisiteState, "cursor can only scan forward").
	WithHint("Declare it with SCROLL option to enable backward scan.")

// fetch moves the cursor as FETCH or MOVE does and calls emit for each row
// FETCH would return. It returns the count for the command tag. The rules
// are PostgreSQL's DoPortalRunFetch.
func (c *sqlCursor) fetch(ctx context.Context, dir pg_query.FetchDirection, count int64, move bool, emit func(k int64) error) (int64, error) {
	defer c.trim()
	switch dir {
	case pg_query.FetchDirection_FETCH_ABSOLUTE:
		switch {
		case count > 0:
			if count <= c.pos {
				if err := c.rewind(); err != nil {
					return 0, err
				}
			}
			return c.to(ctx, count, move, emit)
		case count < 0:
			if err := c.loadAll(ctx); err != nil {
				return 0, err
			}
			c.pos = c.loaded + 1
			if !c.scroll {
				return 0, errCursorForwardOnly
			}
			return c.to(ctx, c.loaded+1+count, move, emit)
		}
		return 0, c.rewind()
	case pg_query.FetchDirection_FETCH_RELATIVE:
		switch {
		case count > 0:
			return c.to(ctx, c.pos+count, move, emit)
		case count < 0:
			if !c.scroll {
				return 0, errCursorForwardOnly
			}
			return c.to(ctx, c.pos+count, move, emit)
		}
		return c.current(move, emit)
	}
	forward := dir != pg_query.FetchDirection_FETCH_BACKWARD
	if count < 0 {
		forward, count = !forward, -count
	}
	if count == 0 {
		return c.current(move, emit)
	}
	if !forward && count == fetchAll && move {
		n := max(c.pos-1, 0)
		return n, c.rewind()
	}
	if !forward && !c.scroll {
		return 0, errCursorForwardOnly
	}
	step := int64(1)
	if !forward {
		step = -1
	}
	var n int64
	for n < count {
		k := c.pos + step
		if forward {
			ok, err := c.have(ctx, k)
			if err != nil {
				return n, err
			}
			if !ok {
				c.pos = c.loaded + 1
				break
			}
		} else if k < 1 {
			c.pos = 0
			break
		}
		if !move {
			if err := emit(k); err != nil {
				return n, err
			}
		}
		c.pos = k
		n++
	}
	return n, nil
}

// to moves to row k and returns it, or moves off the end.
func (c *sqlCursor) to(ctx context.Context, k int64, move bool, emit func(int64) error) (int64, error) {
	if k < 1 {
		c.pos = 0
		return 0, nil
	}
	ok, err := c.have(ctx, k)
	if err != nil {
		return 0, err
	}
	if !ok {
		c.pos = c.loaded + 1
		return 0, nil
	}
	c.pos = k
	if !move {
		if err := emit(k); err != nil {
			return 0, err
		}
	}
	return 1, nil
}

// current returns the current row again (FETCH RELATIVE 0), which
// PostgreSQL does by stepping back one row.
func (c *sqlCursor) current(move bool, emit func(int64) error) (int64, error) {
	onRow := c.pos >= 1 && c.pos <= c.loaded
	if move {
		if onRow {
			return 1, nil
		}
		return 0, nil
	}
	if !onRow {
		return 0, nil
	}
	if !c.scroll {
		return 0, errCursorForwardOnly
	}
	return 1, emit(c.pos)
}

// rewind goes back before the first row, which a NO SCROLL cursor can do
// only while it has not moved.
func (c *sqlCursor) rewind() error {
	if c.pos != 0 && !c.scroll {
		return errCursorForwardOnly
	}
	c.pos = 0
	return nil
}

// emulates reports whether quiver runs SQL cursors and savepoints itself:
// engines with a dialect of their own have none; PostgreSQL-speaking
// backends handle DECLARE, FETCH and SAVEPOINT as written.
func (s *Session) emulates() bool { return s.h.cfg.Dialect != "" }

// isCursorStmt reports whether st is DECLARE, FETCH, MOVE or CLOSE run by
// quiver's cursors.
func (s *Session) isCursorStmt(st *stmt.Statement) bool {
	if st.Kind != stmt.KindUtility || st.Node == nil || !s.emulates() {
		return false
	}
	switch st.Node.Node.(type) {
	case *pg_query.Node_DeclareCursorStmt, *pg_query.Node_FetchStmt, *pg_query.Node_ClosePortalStmt:
		return true
	}
	return false
}

// cursorQuery returns the query of a DECLARE statement as a statement of
// its own. Its text is the query as written, preceded by as many spaces as
// the DECLARE has characters before it, so that the position of an error
// the backend reports in it is the position in the DECLARE, as
// PostgreSQL reports it.
func cursorQuery(st *stmt.Statement) (*stmt.Statement, error) {
	d := st.Node.GetDeclareCursorStmt()
	start := queryStart(st.SQL)
	if start < 0 {
		sql, err := stmt.Deparse(d.Query)
		if err != nil {
			return nil, pgerror.New(pgerror.FeatureNotSupported, "cannot run the query of DECLARE %s: %v", d.Portalname, err)
		}
		return splitCursorQuery(sql)
	}
	full := strings.Repeat(" ", utf8.RuneCountInString(st.SQL[:start])) + st.SQL[start:]
	inner, err := splitCursorQuery(full)
	if err != nil {
		return nil, err
	}
	inner.SQL, inner.Offset = full[:inner.Offset+len(inner.SQL)], 0
	return inner, nil
}

func splitCursorQuery(sql string) (*stmt.Statement, error) {
	inner := stmt.Split(sql)
	if len(inner) != 1 || inner[0].Node == nil {
		return nil, pgerror.New(pgerror.SyntaxError, "DECLARE CURSOR needs one query")
	}
	return &inner[0], nil
}

// queryStart returns where the query of DECLARE ... CURSOR ... FOR query
// starts in sql, in bytes: after the first FOR, which no cursor name or
// option can be. It returns -1 if the scanner finds none.
func queryStart(sql string) int {
	res, err := pg_query.Scan(sql)
	if err != nil {
		return -1
	}
	for i, t := range res.Tokens {
		if t.Token == pg_query.Token_FOR && i+1 < len(res.Tokens) {
			return int(res.Tokens[i+1].Start)
		}
	}
	return -1
}

// checkDeclare applies PostgreSQL's rules for where DECLARE may run.
func (s *Session) checkDeclare(d *pg_query.DeclareCursorStmt) error {
	if d.Options&cursorOptHold == 0 && s.tx == txIdle && !s.implicit {
		return pgerror.New(pgerror.NoActiveSQLTransaction, "DECLARE CURSOR can only be used in transaction blocks")
	}
	if _, ok := s.ext.portals[d.Portalname]; ok {
		return pgerror.New(pgerror.DuplicateCursor, "cursor \"%s\" already exists", d.Portalname)
	}
	return nil
}

// cursorContext returns the context a cursor's query runs under, which
// lives until the cursor closes, and makes a CancelRequest cancel it while
// the statement runs.
func (s *Session) cursorContext(ctx context.Context) (cctx context.Context, cancel context.CancelFunc, done func()) {
	cctx, cancel = context.WithCancel(ctx)
	return cctx, cancel, s.running(cancel)
}

// running makes a CancelRequest call cancel until the returned function is
// called.
func (s *Session) running(cancel context.CancelFunc) func() {
	s.mu.Lock()
	s.cancel = cancel
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		s.cancel = nil
		s.mu.Unlock()
	}
}

// declare makes the cursor of a DECLARE statement over rows, which it
// takes over with the context they are read under. schema describes the
// rows; rows is nil when running the query failed with runErr, which the
// first FETCH reports.
func (s *Session) declare(st *stmt.Statement, inner *stmt.Statement, rows array.RecordReader, schema *arrow.Schema, runErr error, cctx context.Context, cancel context.CancelFunc) error {
	d := st.Node.GetDeclareCursorStmt()
	release := func() {
		if rows != nil {
			rows.Release()
		}
		cancel()
	}
	if err := s.checkDeclare(d); err != nil {
		release()
		return err
	}
	if rows != nil {
		schema = rows.Schema()
	}
	schema = s.presentDeclared(pgNames(schema, inner), inner)
	var formats []int16
	if d.Options&cursorOptBinary != 0 {
		formats = []int16{1}
	}
	enc, err := types.NewRowEncoder(schema, formats, &s.settings)
	if err != nil {
		release()
		return err
	}
	c := &sqlCursor{
		scroll: d.Options&cursorOptScroll != 0,
		hold:   d.Options&cursorOptHold != 0,
		enc:    enc,
		rr:     rows,
		err:    runErr,
		ctx:    cctx,
		cancel: cancel,
	}
	s.ext.portals[d.Portalname] = &portal{sqlc: c, enc: enc, schema: schema}
	s.ext.cursors++
	s.w.send(&pgproto3.CommandComplete{CommandTag: []byte(st.Tag)})
	return nil
}

// execDeclare runs DECLARE from a simple Query.
func (s *Session) execDeclare(ctx context.Context, st *stmt.Statement) error {
	d := st.Node.GetDeclareCursorStmt()
	if err := s.checkDeclare(d); err != nil {
		return err
	}
	inner, err := cursorQuery(st)
	if err != nil {
		return err
	}
	cctx, cancel, done := s.cursorContext(ctx)
	defer done()
	rows, schema, runErr, err := s.openCursor(cctx, d, inner)
	if err != nil {
		cancel()
		return err
	}
	return s.declare(st, inner, rows, schema, runErr, cctx, cancel)
}

// openCursor prepares the query of a DECLARE on the backend and starts it
// (see startCursor). An error planning it fails DECLARE, as it does in
// PostgreSQL, which plans the query at DECLARE.
func (s *Session) openCursor(ctx context.Context, d *pg_query.DeclareCursorStmt, inner *stmt.Statement) (rows array.RecordReader, schema *arrow.Schema, runErr, err error) {
	defer s.drainNotices()
	if err := s.loadDeclared(ctx, inner); err != nil {
		return nil, nil, nil, err
	}
	plan, err := s.plan(ctx, inner, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	if plan != nil && (plan.NoOp || !plan.Single()) {
		// Several statements for one: run them, as a query would be.
		res, err := s.runOnBackend(ctx, inner)
		if err != nil {
			return nil, nil, nil, err
		}
		if res.Rows == nil {
			return nil, nil, nil, errNoCursorRows(d)
		}
		return res.Rows, nil, nil, nil
	}
	sql := inner.SQL
	if plan != nil {
		sql = plan.SQL[0]
	}
	bs, err := s.backend.Prepare(ctx, sql, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	defer bs.Close()
	return s.startCursor(ctx, d, inner, bs, nil)
}

// foldConstants evaluates, on the backend, the operators and casts whose
// operands are all constants in a cursor's query (1/0, 'abc'::int), and
// returns the error one of them fails with. PostgreSQL computes those when
// it parses or plans the query, so their errors fail DECLARE, where the
// errors of the rows come at FETCH. They are evaluated before the query
// runs: an error running it aborts the backend's transaction.
func (s *Session) foldConstants(ctx context.Context, inner *stmt.Statement) error {
	exprs := constantExprs(inner.Node)
	if len(exprs) == 0 {
		return nil
	}
	var probe strings.Builder
	probe.WriteString("SELECT ")
	starts := make([]int, len(exprs)) // where each expression starts in the probe, in characters
	for i, e := range exprs {
		text, err := stmt.Deparse(&pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: &pg_query.SelectStmt{
			TargetList: []*pg_query.Node{{Node: &pg_query.Node_ResTarget{ResTarget: &pg_query.ResTarget{Val: e}}}},
		}}})
		if err != nil || !strings.HasPrefix(text, "SELECT ") {
			return nil
		}
		if i > 0 {
			probe.WriteString(", ")
		}
		starts[i] = utf8.RuneCountInString(probe.String())
		probe.WriteString(text[len("SELECT "):])
	}
	sts := stmt.Split(probe.String())
	if len(sts) != 1 {
		return nil
	}
	res, err := s.runOnBackend(ctx, &sts[0])
	if err == nil && res.Rows != nil {
		for res.Rows.Next() {
		}
		err = res.Rows.Err()
		res.Rows.Release()
	}
	if err == nil {
		return nil
	}
	e := pgerror.Flatten(err)
	if e.Position > 0 {
		// Point into the query where the expression is.
		k := 0
		for k+1 < len(starts) && int(e.Position)-1 >= starts[k+1] {
			k++
		}
		at := utf8.RuneCountInString(inner.SQL[:min(int(leftmost(exprs[k])), len(inner.SQL))])
		e = e.WithPosition(int32(at + int(e.Position) - 1 - starts[k] + 1))
	}
	return e
}

// constantExprs returns the largest expressions of n that are operators or
// casts over constants only.
func constantExprs(n *pg_query.Node) []*pg_query.Node {
	var out []*pg_query.Node
	inside := map[*pg_query.Node]bool{}
	stmt.Walk(n.ProtoReflect(), func(m protoreflect.Message) {
		x, ok := m.Interface().(*pg_query.Node)
		if !ok || inside[x] || x.GetAConst() != nil || !isConstant(x) {
			return
		}
		out = append(out, x)
		stmt.Walk(x.ProtoReflect(), func(m protoreflect.Message) {
			if y, ok := m.Interface().(*pg_query.Node); ok {
				inside[y] = true
			}
		})
	})
	return out
}

// isConstant reports whether n is a constant, or an operator or a cast
// over constants only.
func isConstant(n *pg_query.Node) bool {
	switch x := n.Node.(type) {
	case *pg_query.Node_AConst:
		return true
	case *pg_query.Node_TypeCast:
		return x.TypeCast.Arg != nil && isConstant(x.TypeCast.Arg)
	case *pg_query.Node_AExpr:
		e := x.AExpr
		return e.Kind == pg_query.A_Expr_Kind_AEXPR_OP && (e.Lexpr == nil || isConstant(e.Lexpr)) && e.Rexpr != nil && isConstant(e.Rexpr)
	}
	return false
}

// leftmost returns where in the query text the constant expression n
// starts, in bytes.
func leftmost(n *pg_query.Node) int32 {
	switch x := n.Node.(type) {
	case *pg_query.Node_AConst:
		return x.AConst.Location
	case *pg_query.Node_TypeCast:
		return leftmost(x.TypeCast.Arg)
	case *pg_query.Node_AExpr:
		if x.AExpr.Lexpr != nil {
			return leftmost(x.AExpr.Lexpr)
		}
		return x.AExpr.Location
	}
	return 0
}

// startCursor runs a cursor's prepared query once, at DECLARE, so that the
// cursor reads the data as it was then. An error running it is returned as
// runErr, for the first FETCH to report: PostgreSQL runs a cursor's query
// only as rows are fetched, so a division by zero in a row fails FETCH,
// not DECLARE. A WITH HOLD cursor's errors come at once: PostgreSQL reads
// all its rows when its transaction commits, and quiver would have no
// statement to report them on then.
func (s *Session) startCursor(ctx context.Context, d *pg_query.DeclareCursorStmt, inner *stmt.Statement, bs backends.Stmt, params arrow.RecordBatch) (rows array.RecordReader, schema *arrow.Schema, runErr, err error) {
	schema = bs.Schema()
	if schema == nil {
		return nil, nil, nil, errNoCursorRows(d)
	}
	if d.Options&cursorOptHold == 0 {
		if err := s.foldConstants(ctx, inner); err != nil {
			return nil, nil, nil, err
		}
	}
	res, err := bs.Execute(ctx, params)
	switch {
	case err != nil && d.Options&cursorOptHold != 0:
		return nil, nil, nil, err
	case err != nil:
		return nil, schema, err, nil
	case res.Rows == nil:
		return nil, nil, nil, errNoCursorRows(d)
	}
	return res.Rows, schema, nil, nil
}

func errNoCursorRows(d *pg_query.DeclareCursorStmt) error {
	return pgerror.New(pgerror.InvalidCursorDefinition, "cursor \"%s\" has no result rows", d.Portalname)
}

// cursorFor returns the cursor a FETCH, MOVE or CLOSE names.
func (s *Session) cursorFor(name string) (*sqlCursor, error) {
	p, ok := s.ext.portals[name]
	if !ok || p.sqlc == nil {
		return nil, pgerror.New(pgerror.InvalidCursorName, "cursor \"%s\" does not exist", name)
	}
	return p.sqlc, nil
}

// execFetch runs FETCH or MOVE. enc is the encoder of the protocol portal
// running it (extended protocol), or nil for the cursor's own formats; a
// simple Query also gets a RowDescription (describe).
func (s *Session) execFetch(ctx context.Context, st *stmt.Statement, enc *types.RowEncoder, describe bool) error {
	f := st.Node.GetFetchStmt()
	c, err := s.cursorFor(f.Portalname)
	if err != nil {
		return err
	}
	if enc == nil {
		enc = c.enc
	}
	mark := len(s.w.buf)
	if !f.Ismove && describe {
		s.w.buf = enc.AppendRowDescription(s.w.buf)
	}
	emit := s.cursorRows(c, enc)
	defer s.running(c.cancel)()
	n, err := c.fetch(c.ctx, f.Direction, f.HowMany, f.Ismove, emit)
	if err != nil {
		if n == 0 {
			// PostgreSQL describes the rows with the first one: an error
			// before it comes alone. (Nothing was flushed: no row was sent.)
			s.w.buf = s.w.buf[:mark]
		}
		return err
	}
	s.w.send(&pgproto3.CommandComplete{CommandTag: []byte(stmt.TagWithCount(st.Tag, n))})
	return nil
}

// execClose runs CLOSE name and CLOSE ALL.
func (s *Session) execClose(st *stmt.Statement) error {
	name := st.Node.GetClosePortalStmt().Portalname
	if name == "" {
		for n, p := range s.ext.portals {
			if p.sqlc != nil {
				s.ext.dropPortal(n)
			}
		}
	} else {
		if _, err := s.cursorFor(name); err != nil {
			return err
		}
		s.ext.dropPortal(name)
	}
	s.w.send(&pgproto3.CommandComplete{CommandTag: []byte(st.Tag)})
	return nil
}

// execCursorStmt runs a cursor statement from a simple Query.
func (s *Session) execCursorStmt(ctx context.Context, st *stmt.Statement) error {
	switch st.Node.Node.(type) {
	case *pg_query.Node_DeclareCursorStmt:
		return s.execDeclare(ctx, st)
	case *pg_query.Node_FetchStmt:
		return s.execFetch(ctx, st, nil, true)
	}
	return s.execClose(st)
}

// cursorSchema returns the columns FETCH from the named cursor returns, or
// nil if there is no such cursor (Describe of a FETCH).
func (s *Session) cursorSchema(st *stmt.Statement) *arrow.Schema {
	f := st.Node.GetFetchStmt()
	if f == nil || f.Ismove || !s.isCursorStmt(st) {
		return nil
	}
	if p, ok := s.ext.portals[f.Portalname]; ok && p.sqlc != nil {
		return p.schema
	}
	return nil
}

// cursorsAtTxEnd settles the cursors when the transaction ends: a commit
// keeps WITH HOLD cursors, which read the rest of their rows now, and
// closes the others; a rollback closes all but the held cursors of earlier
// transactions.
func (s *Session) cursorsAtTxEnd(commit bool) {
	if s.ext.cursors == 0 {
		return
	}
	for name, p := range s.ext.portals {
		c := p.sqlc
		if c == nil {
			continue
		}
		switch {
		case c.hold && c.committed:
		case c.hold && commit:
			c.committed = true
			if err := c.loadAll(c.ctx); err != nil {
				s.log.Debug().Err(err).Str("cursor", name).Msg("reading a held cursor's rows")
				s.ext.dropPortal(name)
			}
		default:
			s.ext.dropPortal(name)
		}
	}
}

// execCursorPortal runs a cursor statement bound by the extended protocol:
// DECLARE executes its prepared query with the bound parameters; FETCH
// sends rows in the formats Bind chose, without a RowDescription.
func (s *Session) execCursorPortal(ctx context.Context, p *portal, st *stmt.Statement) error {
	switch st.Node.Node.(type) {
	case *pg_query.Node_DeclareCursorStmt:
		if p.ps.bstmt == nil {
			return s.execDeclare(ctx, st)
		}
		d := st.Node.GetDeclareCursorStmt()
		if err := s.checkDeclare(d); err != nil {
			return err
		}
		cctx, cancel, done := s.cursorContext(ctx)
		defer done()
		rows, schema, runErr, err := s.startCursor(cctx, d, p.ps.inner, p.ps.bstmt, p.params)
		if err != nil {
			cancel()
			return err
		}
		return s.declare(st, p.ps.inner, rows, schema, runErr, cctx, cancel)
	case *pg_query.Node_FetchStmt:
		return s.execFetch(ctx, st, p.enc, false)
	}
	return s.execClose(st)
}

// cursorRows returns the function that sends row k of the cursor as a
// DataRow encoded by enc.
func (s *Session) cursorRows(c *sqlCursor, enc *types.RowEncoder) func(k int64) error {
	var cur arrow.RecordBatch
	return func(k int64) error {
		rec, i := c.rowAt(k)
		if rec != cur {
			if err := enc.Reset(rec); err != nil {
				return err
			}
			cur = rec
		}
		var err error
		if s.w.buf, err = enc.AppendRow(s.w.buf, i); err != nil {
			return err
		}
		if len(s.w.buf) >= flushThreshold {
			return s.w.flush()
		}
		return nil
	}
}

// executeCursor runs the protocol's Execute on a cursor's portal, as
// PostgreSQL allows: the next rows forward, up to the row limit (all when
// it is 0), suspended when the limit is reached.
func (s *Session) executeCursor(ctx context.Context, p *portal, m *pgproto3.Execute) error {
	c := p.sqlc
	enc := p.enc
	if enc == nil {
		enc = c.enc
	}
	count := int64(m.MaxRows)
	if count <= 0 {
		count = fetchAll
	}
	defer s.running(c.cancel)()
	n, err := c.fetch(c.ctx, pg_query.FetchDirection_FETCH_FORWARD, count, false, s.cursorRows(c, enc))
	if err != nil {
		return err
	}
	if m.MaxRows > 0 && n == count {
		s.w.send(&pgproto3.PortalSuspended{})
		return nil
	}
	s.w.send(&pgproto3.CommandComplete{CommandTag: []byte(stmt.TagWithCount("SELECT", n))})
	return nil
}
