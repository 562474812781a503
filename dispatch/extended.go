package dispatch

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/dialect"
	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/stmt"
	"github.com/quiverdb/quiver/types"
)

// preparedStmt is a statement created by Parse.
type preparedStmt struct {
	sql    string
	st     *stmt.Statement // nil for an empty query
	oids   []uint32        // parameter types as reported in ParameterDescription
	ptypes []arrow.DataType
	// unknown marks parameters neither the client nor the engine typed:
	// they are reported as text, and their values typed at Bind.
	unknown []bool
	bstmt   backends.Stmt // nil for statements quiver runs itself
	// rewritten is set when bstmt's text is not the client's: positions
	// in its errors do not point into the client's text.
	rewritten bool
	schema    *arrow.Schema // rows it returns, or nil
	refs      int           // portals using it, plus one while it is named
	// inner is the query of a DECLARE, which bstmt prepares.
	inner *stmt.Statement
	// snapshot is set when bstmt reads the catalog snapshot tables
	// (snapshot.go), and liveSQL is the statement that computes them;
	// retired are statements bstmt replaced, closed with it.
	snapshot bool
	liveSQL  string
	retired  []backends.Stmt
}

func (p *preparedStmt) release() {
	p.refs--
	if p.refs <= 0 && p.bstmt != nil {
		_ = p.bstmt.Close()
		p.bstmt = nil
		for _, r := range p.retired {
			_ = r.Close()
		}
		p.retired = nil
	}
}

// checkSnapshot makes sure a statement that reads catalog snapshot tables
// may still read them in the session; when it may not, the statement is
// prepared again to compute the catalog itself.
func (s *Session) checkSnapshot(ctx context.Context, ps *preparedStmt) error {
	if !ps.snapshot || s.snapshotUsable(ctx) {
		return nil
	}
	bs, err := s.backend.Prepare(ctx, ps.liveSQL, ps.ptypes)
	if err != nil {
		return err
	}
	ps.retired = append(ps.retired, ps.bstmt)
	ps.bstmt, ps.snapshot = bs, false
	return nil
}

// portal is a statement bound to parameters by Bind.
type portal struct {
	ps      *preparedStmt
	params  arrow.RecordBatch
	formats []int16
	enc     *types.RowEncoder // built on first use

	started bool
	cur     portalCursor
	ctx     context.Context
	cancel  context.CancelFunc
	// complete is set once the portal ran to its end.
	complete bool
	// rows counts the rows sent; logged is 1 + the replay log index of
	// the write it runs, whose count is its rows, or 0.
	rows   int64
	logged int

	// sqlc is set for a cursor made by DECLARE (see cursor.go), whose
	// result columns are schema; such a portal has no ps.
	sqlc   *sqlCursor
	schema *arrow.Schema
}

func (p *portal) close() {
	p.cur.release()
	if p.cancel != nil {
		p.cancel()
	}
	if p.params != nil {
		p.params.Release()
		p.params = nil
	}
	if p.sqlc != nil {
		p.sqlc.release()
	}
	if p.ps != nil {
		p.ps.release()
	}
}

// extended is the extended-protocol state of a session.
type extended struct {
	stmts   map[string]*preparedStmt
	portals map[string]*portal
	// ignoreTillSync is set after an error: messages are skipped until Sync.
	ignoreTillSync bool
	// readyPending is set when ReadyForQuery was queued; the session is
	// idle once it is written.
	readyPending bool
	// cursors counts the portals made by DECLARE.
	cursors int
}

func (e *extended) init() {
	e.stmts = make(map[string]*preparedStmt)
	e.portals = make(map[string]*portal)
}

// closePortals destroys every protocol portal, as a transaction's end
// does. Cursors made by DECLARE are settled by cursorsAtTxEnd.
func (e *extended) closePortals() {
	for name, p := range e.portals {
		if p.sqlc == nil {
			p.close()
			delete(e.portals, name)
		}
	}
}

// dropPortal closes and forgets a portal.
func (e *extended) dropPortal(name string) {
	p, ok := e.portals[name]
	if !ok {
		return
	}
	if p.sqlc != nil {
		e.cursors--
	}
	p.close()
	delete(e.portals, name)
}

func (e *extended) closeAll() {
	for name := range e.portals {
		e.dropPortal(name)
	}
	for name, ps := range e.stmts {
		ps.release()
		delete(e.stmts, name)
	}
}

func (e *extended) txBegan() {}

// dropUnnamed destroys the unnamed statement and portal, as a simple Query
// does in PostgreSQL (it uses them itself).
func (e *extended) dropUnnamed() {
	if p, ok := e.portals[""]; ok {
		p.close()
		delete(e.portals, "")
	}
	if ps, ok := e.stmts[""]; ok {
		ps.release()
		delete(e.stmts, "")
	}
}

// txEnded destroys the portals, which live only as long as their
// transaction.
func (e *extended) txEnded() { e.closePortals() }

// extendedMessage handles one extended-protocol message.
// See https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-EXT-QUERY.
func (s *Session) extendedMessage(ctx context.Context, msg pgproto3.FrontendMessage) error {
	if _, ok := msg.(*pgproto3.Sync); ok {
		s.sync(ctx)
		return s.w.flush()
	}
	if s.ext.ignoreTillSync {
		if _, ok := msg.(*pgproto3.Flush); ok {
			return s.w.flush()
		}
		return nil
	}
	var err error
	switch m := msg.(type) {
	case *pgproto3.Parse:
		err = s.parse(ctx, m)
	case *pgproto3.Bind:
		err = s.bind(m)
	case *pgproto3.Describe:
		err = s.describe(m)
	case *pgproto3.Execute:
		err = s.execute(ctx, m)
	case *pgproto3.Close:
		s.closeObject(m)
	case *pgproto3.Flush:
		return s.w.flush()
	}
	if err != nil {
		// A failed Execute's statement, for nameConstraint, before the
		// rollback below closes its portal.
		var failed *stmt.Statement
		switch m := msg.(type) {
		case *pgproto3.Execute:
			if p := s.ext.portals[m.Portal]; p != nil && p.ps != nil {
				failed = p.ps.st
			}
		case *pgproto3.Parse:
			// For missingRelation.
			if sts := stmt.Split(m.Query); len(sts) == 1 {
				failed = &sts[0]
			}
		}
		s.ext.ignoreTillSync = true
		if s.implicit {
			_ = s.backendExec(ctx, "ROLLBACK")
			s.implicit = false
			s.ext.closePortals()
			s.txEnd(false)
			s.unlockTx()
		} else if s.tx == txBlock {
			s.tx = txFailed
		}
		// Once an implicit transaction is rolled back, the catalog can be
		// read to name a violated constraint.
		s.w.sendError(pgerror.Flatten(s.nameConstraint(ctx, missingRelation(err, failed), failed)))
		// PostgreSQL flushes every error at once (elog.c).
		return s.w.flush()
	}
	return s.w.maybeFlush()
}

// sync ends a pipeline: an implicit transaction commits, portals outside a
// transaction block are destroyed, and ReadyForQuery is sent.
func (s *Session) sync(ctx context.Context) {
	s.ext.ignoreTillSync = false
	committed := true
	if s.implicit {
		s.implicit = false
		if err := s.backendExec(ctx, "COMMIT"); err != nil {
			s.w.sendError(pgerror.Flatten(err))
			committed = false
		}
	}
	if s.tx == txIdle {
		s.ext.closePortals()
		s.txEnd(committed)
		s.unlockTx()
	}
	s.readyForQuery()
}

func (s *Session) parse(ctx context.Context, m *pgproto3.Parse) error {
	if m.Name != "" {
		if _, ok := s.ext.stmts[m.Name]; ok {
			return pgerror.New(pgerror.DuplicatePreparedStatement, "prepared statement \"%s\" already exists", m.Name)
		}
	}
	if m.Name == "" {
		// Parse replaces the unnamed statement even when it then fails.
		if old, ok := s.ext.stmts[""]; ok {
			old.release()
			delete(s.ext.stmts, "")
		}
	}
	ps, err := s.newPrepared(ctx, m.Query, m.ParameterOIDs)
	if err != nil {
		return err
	}
	s.ext.stmts[m.Name] = ps
	s.w.send(&pgproto3.ParseComplete{})
	return nil
}

// newPrepared parses and prepares a statement, with the parameter types
// the client declared (0 for those it left to the server).
func (s *Session) newPrepared(ctx context.Context, query string, paramOIDs []uint32) (*preparedStmt, error) {
	stmts := stmt.Split(query)
	if len(stmts) > 1 {
		return nil, pgerror.New(pgerror.SyntaxError, "cannot insert multiple commands into a prepared statement")
	}
	ps := &preparedStmt{sql: query, refs: 1}
	if len(stmts) == 1 {
		ps.st = &stmts[0]
	}
	nparams := len(paramOIDs)
	if ps.st != nil && ps.st.Params > nparams {
		nparams = ps.st.Params
	}
	ps.oids = make([]uint32, nparams)
	ps.ptypes = make([]arrow.DataType, nparams)
	for i, oid := range paramOIDs {
		if oid == 0 {
			continue
		}
		t, ok := types.ArrowType(oid)
		if !ok {
			return nil, pgerror.New(pgerror.FeatureNotSupported, "parameter type %d is not supported", oid)
		}
		ps.oids[i], ps.ptypes[i] = oid, t
	}
	if ps.st != nil {
		for n, name := range ps.st.ParamCasts() {
			if n >= 1 && n <= nparams && ps.oids[n-1] == 0 {
				if oid, ok := castTypeOIDs[name]; ok {
					if t, ok := types.ArrowType(oid); ok {
						ps.oids[n-1], ps.ptypes[n-1] = oid, t
					}
				}
			}
		}
	}
	if err := s.prepareOnBackend(ctx, ps); err != nil {
		return nil, err
	}
	ps.unknown = make([]bool, len(ps.oids))
	for i := range ps.oids {
		if ps.oids[i] == 0 {
			ps.oids[i] = 25 // unknown parameters are text, as PostgreSQL resolves them
			ps.ptypes[i] = arrow.BinaryTypes.String
			ps.unknown[i] = true
		}
	}
	return ps, nil
}

// runsLocally reports whether quiver answers the statement itself rather
// than preparing it on the backend.
func (s *Session) runsLocally(st *stmt.Statement) bool {
	switch st.Kind {
	case stmt.KindTransaction:
		return true
	case stmt.KindCopy:
		cs := st.Node.GetCopyStmt()
		return cs != nil && cs.Filename == "" && !cs.IsProgram
	case stmt.KindUtility:
		if s.isCursorStmt(st) {
			// DECLARE's query is prepared on the backend, with its
			// parameters; FETCH, MOVE and CLOSE run here.
			return st.Node.GetDeclareCursorStmt() == nil
		}
		if s.isPreparedSQL(st) {
			return true
		}
		return st.Node.GetDeallocateStmt() != nil || (st.Node.GetLockStmt() != nil && s.emulates())
	case stmt.KindSet:
		vs := st.Node.GetVariableSetStmt()
		return vs != nil && (lookupSetting(vs.Name) != nil || isCustomSetting(vs.Name) || vs.Name == "timezone" || vs.Kind == 6 /* RESET ALL */)
	case stmt.KindShow:
		vs := st.Node.GetVariableShowStmt()
		return vs != nil && (lookupSetting(vs.Name) != nil || isCustomSetting(vs.Name) || vs.Name == "all" || vs.Name == "timezone")
	}
	return false
}

// prepareOnBackend plans the statement and learns its parameter and result
// types without executing it.
func (s *Session) prepareOnBackend(ctx context.Context, ps *preparedStmt) error {
	if ps.st == nil {
		return nil
	}
	if s.runsLocally(ps.st) {
		ps.schema = s.cursorSchema(ps.st)
		if inner := s.executeTarget(ps.st); inner != nil {
			ps.schema = inner.schema
		}
		if ps.st.Kind == stmt.KindShow {
			rr, err := s.showResult(ps.st)
			if err != nil {
				return err
			}
			if rr != nil {
				ps.schema = rr.Schema()
				rr.Release()
			}
		}
		return nil
	}
	if ps.st.Kind == stmt.KindDDL && ps.st.Params == 0 {
		// DDL is planned when it runs: it may depend on statements earlier
		// in the same pipeline.
		return nil
	}
	target := ps.st
	if s.isCursorStmt(ps.st) {
		// DECLARE: prepare its query, whose result the cursor reads.
		inner, err := cursorQuery(ps.st)
		if err != nil {
			return err
		}
		ps.inner, target = inner, inner
	}
	sctx, done := s.statementContext(ctx)
	defer done()
	var sql string
	for retried := false; ; retried = true {
		sql = target.SQL
		plan, err := s.plan(sctx, target, ps.ptypes)
		if err != nil {
			return err
		}
		if plan != nil {
			if plan.NoOp {
				return nil // accepted, nothing to run
			}
			if !plan.Single() {
				if ps.st.Params > 0 {
					return pgerror.New(pgerror.FeatureNotSupported, "this statement cannot take parameters on this backend")
				}
				if ps.inner != nil {
					return pgerror.New(pgerror.FeatureNotSupported, "the query of this cursor cannot be prepared on this backend")
				}
				return nil // several statements: run through runOnBackend at Execute
			}
			sql = plan.SQL[0] // the rewritten statement, with its parameters
			ps.snapshot = false
			if plan.Snapshot != nil && s.snapshotUsable(sctx) {
				ps.snapshot, ps.liveSQL, sql = true, sql, plan.Snapshot.SQL
			}
		}
		bs, err := s.backend.Prepare(sctx, sql, ps.ptypes)
		client := ps.st.SQL
		if ps.inner != nil {
			client = ps.inner.SQL // a DECLARE's query, placed in it by cursor.go
		}
		if err == nil {
			ps.bstmt, ps.rewritten = bs, sql != client
			break
		}
		err = atClientText(err, sql, client)
		if target.Node.GetInsertStmt() != nil && !retried {
			full, ierr := s.completeInsert(sctx, target, err)
			if full != nil {
				target = full
				continue
			}
			err = ierr
		}
		if ps.st.ParseErr != nil && pgerror.Code(err) == pgerror.SyntaxError {
			return ps.st.ParseErr
		}
		if sp, _ := s.prepareSplit(sctx, target, ps.ptypes); sp != nil {
			// The backend cannot prepare the statement as one (a
			// parameter in an UPDATE's RETURNING) but can as several.
			ps.bstmt, ps.rewritten = sp, true
			break
		}
		return err
	}
	undeclared := map[int32]bool{} // typed by neither the client nor a cast
	for i, oid := range ps.oids {
		if oid == 0 {
			undeclared[int32(i+1)] = true
		}
	}
	for i, f := range ps.bstmt.Params() {
		if i >= len(ps.oids) {
			ps.oids = append(ps.oids, 0)
			ps.ptypes = append(ps.ptypes, nil)
		}
		if ps.oids[i] != 0 || f.Type == nil || f.Type.ID() == arrow.NULL {
			continue
		}
		if oid, t, ok := types.ParamType(f); ok {
			ps.oids[i], ps.ptypes[i] = oid, t
		}
	}
	if s.emulates() {
		if err := s.inferOperandParams(sctx, ps, target, sql, undeclared); err != nil {
			return err
		}
	}
	// A statement the backend's dialect runs as several (a split) is
	// prepared so once its parameters are typed (inferOperandParams
	// prepares one again itself).
	if _, split := ps.bstmt.(*splitStmt); !split {
		if sp, err := s.prepareSplit(sctx, target, ps.ptypes); err != nil {
			return err
		} else if sp != nil {
			_ = ps.bstmt.Close()
			ps.bstmt, ps.rewritten = sp, true
		}
	}
	if returnsRows(ps.st) {
		if err := s.loadDeclared(sctx, ps.st); err != nil {
			return err
		}
		ps.schema = s.presentDeclared(pgNames(ps.bstmt.Schema(), ps.st), ps.st)
	}
	return nil
}

func (s *Session) bind(m *pgproto3.Bind) error {
	ps, ok := s.ext.stmts[m.PreparedStatement]
	if !ok {
		if m.PreparedStatement == "" {
			return pgerror.New(pgerror.UndefinedPreparedStatement, "unnamed prepared statement does not exist")
		}
		return pgerror.New(pgerror.UndefinedPreparedStatement, "prepared statement \"%s\" does not exist", m.PreparedStatement)
	}
	if m.DestinationPortal != "" {
		if _, ok := s.ext.portals[m.DestinationPortal]; ok {
			return pgerror.New(pgerror.DuplicateCursor, "portal \"%s\" already exists", m.DestinationPortal)
		}
	}
	if len(m.ParameterFormatCodes) > 1 && len(m.ParameterFormatCodes) != len(m.Parameters) {
		return pgerror.New(pgerror.ProtocolViolation, "bind message has %d parameter formats but %d parameters", len(m.ParameterFormatCodes), len(m.Parameters))
	}
	if len(m.Parameters) != len(ps.oids) {
		name := m.PreparedStatement
		return pgerror.New(pgerror.ProtocolViolation, "bind message supplies %d parameters, but prepared statement \"%s\" requires %d", len(m.Parameters), name, len(ps.oids))
	}
	if s.tx == txFailed && (ps.st == nil || ps.st.Kind != stmt.KindTransaction) {
		return errInFailedTx
	}
	p := &portal{ps: ps, formats: append([]int16(nil), m.ResultFormatCodes...)}
	if len(m.Parameters) > 0 {
		rec, err := types.DecodeParamsWith(memory.DefaultAllocator, bindTypes(ps, m), m.ParameterFormatCodes, m.Parameters, &s.settings)
		if err != nil {
			return err
		}
		p.params = rec
	}
	schema := ps.schema
	if ps.st != nil && s.isCursorStmt(ps.st) {
		schema = s.cursorSchema(ps.st) // the cursor FETCH reads now
	}
	if schema != nil {
		enc, err := types.NewRowEncoder(schema, p.formats, &s.settings)
		if err != nil {
			if p.params != nil {
				p.params.Release()
			}
			return err
		}
		p.enc = enc
	}
	if old, ok := s.ext.portals[m.DestinationPortal]; ok {
		old.close()
	}
	ps.refs++
	s.ext.portals[m.DestinationPortal] = p
	s.w.send(&pgproto3.BindComplete{})
	return nil
}

func (s *Session) describe(m *pgproto3.Describe) error {
	switch m.ObjectType {
	case 'S':
		ps, ok := s.ext.stmts[m.Name]
		if !ok {
			if m.Name == "" {
				return pgerror.New(pgerror.UndefinedPreparedStatement, "unnamed prepared statement does not exist")
			}
			return pgerror.New(pgerror.UndefinedPreparedStatement, "prepared statement \"%s\" does not exist", m.Name)
		}
		s.w.send(&pgproto3.ParameterDescription{ParameterOIDs: ps.oids})
		if ps.schema == nil {
			s.w.send(&pgproto3.NoData{})
			return nil
		}
		enc, err := types.NewRowEncoder(ps.schema, nil, &s.settings)
		if err != nil {
			return err
		}
		s.w.buf = enc.AppendRowDescription(s.w.buf)
	case 'P':
		p, ok := s.ext.portals[m.Name]
		if !ok {
			return pgerror.New(pgerror.InvalidCursorName, "portal \"%s\" does not exist", m.Name)
		}
		if p.enc == nil {
			s.w.send(&pgproto3.NoData{})
			return nil
		}
		s.w.buf = p.enc.AppendRowDescription(s.w.buf)
	default:
		return pgerror.New(pgerror.ProtocolViolation, "invalid DESCRIBE message subtype %d", m.ObjectType)
	}
	return nil
}

func (s *Session) closeObject(m *pgproto3.Close) {
	switch m.ObjectType {
	case 'S':
		if ps, ok := s.ext.stmts[m.Name]; ok {
			delete(s.ext.stmts, m.Name)
			ps.release()
		}
	case 'P':
		s.ext.dropPortal(m.Name)
	}
	s.w.send(&pgproto3.CloseComplete{})
}

func (s *Session) execute(ctx context.Context, m *pgproto3.Execute) error {
	p, ok := s.ext.portals[m.Portal]
	if !ok {
		return pgerror.New(pgerror.InvalidCursorName, "portal \"%s\" does not exist", m.Portal)
	}
	if p.sqlc != nil {
		return s.executeCursor(ctx, p, m)
	}
	return s.runPortal(ctx, p, m)
}

// runPortal runs a bound statement, or resumes it, up to Execute's row
// limit.
func (s *Session) runPortal(ctx context.Context, p *portal, m *pgproto3.Execute) error {
	st := p.ps.st
	if st == nil {
		s.w.send(&pgproto3.EmptyQueryResponse{})
		return nil
	}
	if s.tx == txFailed && st.Kind != stmt.KindTransaction {
		return errInFailedTx
	}
	if st.Kind == stmt.KindDDL {
		s.ranDDL()
	}
	if p.complete {
		// Running a finished portal again returns nothing more.
		s.w.send(&pgproto3.CommandComplete{CommandTag: []byte(completeTag(st, 0))})
		return nil
	}
	if !p.started {
		p.started = true
		if s.isCursorStmt(st) {
			p.complete = true
			return s.execCursorPortal(ctx, p, st)
		}
		if s.isPreparedSQL(st) {
			p.complete = true
			return s.execPreparedSQL(ctx, st, p.enc)
		}
		if s.runsLocally(st) {
			if st.Kind == stmt.KindShow && p.enc != nil {
				// Rows without a RowDescription: Describe sent that.
				rr, err := s.showResult(st)
				if err != nil {
					return err
				}
				p.ctx, p.cancel = context.WithCancel(ctx)
				p.cur = portalCursor{rr: rr, enc: p.enc}
				return s.continuePortal(p, st, m)
			}
			p.complete = true
			return s.execSimple(ctx, st, false)
		}
		if s.tx == txIdle && !s.implicit && (st.Kind == stmt.KindDML || st.Kind == stmt.KindDDL) {
			// The statements of one pipeline form an implicit transaction,
			// committed at Sync.
			if err := s.lockTx(ctx); err != nil {
				return err
			}
			if err := s.backendExec(ctx, "BEGIN"); err != nil {
				s.unlockTx()
				return err
			}
			s.implicit = true
			s.resetSavepoints()
		}
		logged := -1
		if writes(st) {
			logged = s.noteWrite(st, p)
		}
		if p.ps.bstmt == nil {
			// Planned at execution (DDL): prepare it now.
			p.complete = true
			sctx, done := s.statementContext(ctx)
			defer done()
			res, err := s.runOnBackend(sctx, st)
			if err != nil {
				return err
			}
			n, err := s.sendResult(sctx, res, st)
			if err == nil {
				s.sp.log.wrote(logged, n)
			}
			return err
		}
		p.ctx, p.cancel = context.WithCancel(ctx)
		sctx, done := s.portalContext(p)
		if err := s.checkSnapshot(sctx, p.ps); err != nil {
			done()
			return err
		}
		if pc, ok := s.h.rw.(dialect.ParamChecker); ok {
			if err := pc.CheckParams(st, p.params); err != nil {
				done()
				return err
			}
		}
		res, err := p.ps.bstmt.Execute(sctx, p.params)
		if err != nil {
			done()
			if p.ps.rewritten {
				err = atClientText(err, "", st.SQL)
			}
			return err
		}
		if res.Rows == nil || p.enc == nil {
			done()
			p.complete = true
			if res.Rows != nil {
				n := rowsAffectedFrom(res.Rows)
				res.Rows.Release()
				if res.RowsAffected < 0 {
					res.RowsAffected = n
				}
			}
			s.w.send(&pgproto3.CommandComplete{CommandTag: []byte(completeTag(st, res.RowsAffected))})
			s.sp.log.wrote(logged, res.RowsAffected)
			return nil
		}
		done()
		p.logged = logged + 1
		rows := res.Rows
		if m.MaxRows == 0 {
			// This Execute sends the whole result: read ahead.
			rows = newPrefetch(rows, p.cancel)
		}
		p.cur = portalCursor{rr: rows, enc: p.enc}
	}
	return s.continuePortal(p, st, m)
}

// continuePortal sends the portal's next rows, up to Execute's limit.
func (s *Session) continuePortal(p *portal, st *stmt.Statement, m *pgproto3.Execute) error {
	sctx, done := s.portalContext(p)
	defer done()
	n, suspended, err := s.streamRows(sctx, &p.cur, int64(m.MaxRows))
	p.rows += n
	if err != nil {
		p.complete = true
		p.cur.release()
		return err
	}
	if suspended {
		s.w.send(&pgproto3.PortalSuspended{})
		return nil
	}
	p.complete = true
	p.cur.release()
	if p.logged > 0 {
		s.sp.log.wrote(p.logged-1, p.rows)
	}
	tag := st.Tag
	if tag == "" {
		tag = "SELECT"
	}
	s.w.send(&pgproto3.CommandComplete{CommandTag: []byte(stmt.TagWithCount(tag, n))})
	return nil
}

// portalContext makes a CancelRequest cancel the portal while it runs.
func (s *Session) portalContext(p *portal) (context.Context, func()) {
	s.mu.Lock()
	s.cancel = p.cancel
	s.mu.Unlock()
	return p.ctx, func() {
		s.mu.Lock()
		s.cancel = nil
		s.mu.Unlock()
	}
}

// bindTypes returns the Arrow types to decode Bind's values as. A parameter
// whose type nobody inferred takes the type its text spells: PostgreSQL
// would have given it the type of its context (abalance + $1 is int4),
// which an engine that could not infer it still needs, so an integer is
// bound as int8 and anything else as text. Not in a statement that returns
// rows: its result was described with the parameter as text, as
// PostgreSQL resolves an unknown one (select $1 is text), and must not
// change type at Bind.
func bindTypes(ps *preparedStmt, m *pgproto3.Bind) []arrow.DataType {
	typesOut := ps.ptypes
	if ps.schema != nil {
		return typesOut
	}
	for i, unknown := range ps.unknown {
		if !unknown || i >= len(m.Parameters) || m.Parameters[i] == nil || formatCode(m.ParameterFormatCodes, i) != 0 {
			continue
		}
		if isIntegerText(m.Parameters[i]) {
			if &typesOut[0] == &ps.ptypes[0] {
				typesOut = append([]arrow.DataType(nil), ps.ptypes...)
			}
			typesOut[i] = arrow.PrimitiveTypes.Int64
		}
	}
	return typesOut
}

func formatCode(codes []int16, i int) int16 {
	switch len(codes) {
	case 0:
		return 0
	case 1:
		return codes[0]
	}
	return codes[i]
}

// isIntegerText reports whether v is an int8 literal.
func isIntegerText(v []byte) bool {
	if len(v) == 0 || len(v) > 19 {
		return false
	}
	i := 0
	if v[0] == '-' || v[0] == '+' {
		i = 1
		if len(v) == 1 {
			return false
		}
	}
	for ; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return true
}
