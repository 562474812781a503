package dispatch

import (
	"context"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/jackc/pgx/v5/pgproto3"
	pg_query "github.com/pganalyze/pg_query_go/v6"

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

	rr      array.RecordReader // nil once every row is loaded
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
// its own.
func cursorQuery(st *stmt.Statement) (*stmt.Statement, error) {
	d := st.Node.GetDeclareCursorStmt()
	sql, err := stmt.Deparse(d.Query)
	if err != nil {
		return nil, pgerror.New(pgerror.FeatureNotSupported, "cannot run the query of DECLARE %s: %v", d.Portalname, err)
	}
	inner := stmt.Split(sql)
	if len(inner) != 1 {
		return nil, pgerror.New(pgerror.SyntaxError, "DECLARE CURSOR needs one query")
	}
	return &inner[0], nil
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
// takes over with the context they are read under.
func (s *Session) declare(st *stmt.Statement, inner *stmt.Statement, rows array.RecordReader, cctx context.Context, cancel context.CancelFunc) error {
	d := st.Node.GetDeclareCursorStmt()
	if err := s.checkDeclare(d); err != nil {
		rows.Release()
		cancel()
		return err
	}
	schema := pgNames(rows.Schema(), inner)
	var formats []int16
	if d.Options&cursorOptBinary != 0 {
		formats = []int16{1}
	}
	enc, err := types.NewRowEncoder(schema, formats, &s.settings)
	if err != nil {
		rows.Release()
		cancel()
		return err
	}
	c := &sqlCursor{
		scroll: d.Options&cursorOptScroll != 0,
		hold:   d.Options&cursorOptHold != 0,
		enc:    enc,
		rr:     rows,
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
	res, err := s.runOnBackend(cctx, inner)
	if err != nil {
		cancel()
		return err
	}
	if res.Rows == nil {
		cancel()
		return pgerror.New(pgerror.InvalidCursorDefinition, "cursor \"%s\" has no result rows", d.Portalname)
	}
	return s.declare(st, inner, res.Rows, cctx, cancel)
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
	if !f.Ismove && describe {
		s.w.buf = enc.AppendRowDescription(s.w.buf)
	}
	emit := s.cursorRows(c, enc)
	defer s.running(c.cancel)()
	n, err := c.fetch(c.ctx, f.Direction, f.HowMany, f.Ismove, emit)
	if err != nil {
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
		if err := s.checkDeclare(st.Node.GetDeclareCursorStmt()); err != nil {
			return err
		}
		cctx, cancel, done := s.cursorContext(ctx)
		defer done()
		res, err := p.ps.bstmt.Execute(cctx, p.params)
		if err != nil {
			cancel()
			return err
		}
		if res.Rows == nil {
			cancel()
			return pgerror.New(pgerror.InvalidCursorDefinition, "cursor \"%s\" has no result rows", st.Node.GetDeclareCursorStmt().Portalname)
		}
		return s.declare(st, p.ps.inner, res.Rows, cctx, cancel)
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
