package dispatch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/dialect"
	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/stmt"
	"github.com/quiverdb/quiver/types"
)

// simpleQuery runs a Query message: every statement in order, each with its
// RowDescription, DataRows and CommandComplete. Several statements form an
// implicit transaction, as in PostgreSQL: an error stops the rest and rolls
// back the lot, unless the string has its own transaction control.
// See https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-MULTI-STATEMENT.
func (s *Session) simpleQuery(ctx context.Context, sql string) {
	s.curQuery = sql
	if err := checkUTF8(sql); err != nil {
		s.w.sendError(err)
		return
	}
	stmts := stmt.Split(sql)
	if len(stmts) == 0 {
		s.w.send(&pgproto3.EmptyQueryResponse{})
		return
	}
	multi := len(stmts) > 1
	for i := range stmts {
		st := &stmts[i]
		if multi && s.tx == txIdle && !s.implicit && !(st.Kind == stmt.KindTransaction && st.Tx == stmt.TxBegin) {
			if err := s.lockTx(ctx); err != nil {
				s.sendStatementError(err, st)
				return
			}
			if err := s.backendExec(ctx, "BEGIN"); err != nil {
				s.unlockTx()
				s.sendStatementError(err, st)
				return
			}
			s.implicit = true
			s.resetSavepoints()
		}
		if err := s.execSimple(ctx, st, multi); err != nil {
			if s.implicit {
				_ = s.backendExec(ctx, "ROLLBACK")
				s.implicit = false
				s.unlockTx()
			} else if s.tx == txBlock {
				s.tx = txFailed
			}
			if s.tx == txIdle {
				s.txEnd(false)
				s.unlockTx()
			}
			// Once an implicit transaction is rolled back, the catalog
			// can be read to name a violated constraint.
			s.sendStatementError(s.nameConstraint(ctx, missingRelation(err, st), st), st)
			return
		}
		if s.w.err != nil {
			return
		}
	}
	committed := true
	if s.implicit {
		s.implicit = false
		if err := s.backendExec(ctx, "COMMIT"); err != nil {
			s.sendStatementError(err, nil)
			committed = false
		}
	}
	if s.tx == txIdle {
		s.txEnd(committed)
		s.unlockTx()
	}
}

// sendStatementError reports a statement's error. A syntax error from the
// backend on text PostgreSQL's parser also rejected is reported with
// PostgreSQL's own message and position.
func (s *Session) sendStatementError(err error, st *stmt.Statement) {
	e := pgerror.Flatten(err)
	if st != nil && st.ParseErr != nil && e.Code == pgerror.SyntaxError {
		e = st.ParseErr
	} else if st != nil && e.Position > 0 {
		e = e.WithPosition(e.Position + int32(len([]rune(s.curQuery[:min(st.Offset, len(s.curQuery))]))))
	}
	s.w.sendError(e)
}

// execSimple runs one statement of a Query message.
func (s *Session) execSimple(ctx context.Context, st *stmt.Statement, multi bool) error {
	if s.tx == txFailed && !(st.Kind == stmt.KindTransaction && (st.Tx == stmt.TxRollback || st.Tx == stmt.TxCommit || st.Tx == stmt.TxRollbackTo)) {
		return errInFailedTx
	}
	switch st.Kind {
	case stmt.KindTransaction:
		return s.execTransaction(ctx, st, multi)
	case stmt.KindSet:
		handled, err := s.execSet(st)
		if err != nil {
			return err
		}
		if handled {
			s.w.send(&pgproto3.CommandComplete{CommandTag: []byte(st.Tag)})
			return nil
		}
	case stmt.KindCopy:
		s.noteWrite(st, nil)
		if handled, err := s.execCopy(ctx, st); handled {
			return err
		}
	case stmt.KindUtility:
		if s.isCursorStmt(st) {
			return s.execCursorStmt(ctx, st)
		}
		if s.isPreparedSQL(st) {
			return s.execPreparedSQL(ctx, st, nil)
		}
		if d := st.Node.GetDeallocateStmt(); d != nil {
			return s.deallocate(d.Name, d.Isall, st.Tag)
		}
		if st.Node.GetLockStmt() != nil && s.emulates() && s.tx == txIdle && !s.implicit {
			// The engine's LOCK (none, on DuckDB) is the dialect's; the
			// rule is PostgreSQL's.
			return pgerror.New(pgerror.NoActiveSQLTransaction, "LOCK TABLE can only be used in transaction blocks")
		}
		if st.Node.GetConstraintsSetStmt() != nil && s.emulates() && s.tx == txIdle && !s.implicit {
			s.w.sendNotice("WARNING", pgerror.NoActiveSQLTransaction, "SET CONSTRAINTS can only be used in transaction blocks")
		}
	case stmt.KindShow:
		rr, err := s.showResult(st)
		if err != nil {
			return err
		}
		if rr != nil {
			_, err := s.sendAllRows(ctx, rr, st)
			return err
		}
	}
	sctx, done := s.statementContext(ctx)
	defer done()
	if st.Kind == stmt.KindDDL {
		s.ranDDL()
	} else if returnsRows(st) {
		if err := s.loadDeclared(sctx, st); err != nil {
			return err
		}
	}
	logged := -1
	if writes(st) {
		if st.Kind != stmt.KindCopy { // noted above
			logged = s.noteWrite(st, nil)
		}
		if err := s.lockTx(sctx); err != nil {
			return err
		}
	}
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

// runOnBackend runs a statement with no parameters, rewritten for the
// backend's dialect. A statement rewritten into several runs them in order
// and returns the last one's result.
func (s *Session) runOnBackend(ctx context.Context, st *stmt.Statement) (*backends.Result, error) {
	defer s.drainNotices()
	if sp, err := s.prepareSplit(ctx, st, nil); err != nil || sp != nil {
		if err != nil {
			return nil, err
		}
		return s.runSplit(ctx, st, sp)
	}
	res, err := s.runPlanned(ctx, st)
	if err == nil && (st.Tag == "CREATE SCHEMA" || st.Tag == "DROP SCHEMA") {
		// The search path may name the schema.
		s.backendPath = ""
		s.syncSearchPath(ctx)
	}
	if err != nil && st.Node.GetInsertStmt() != nil {
		full, err := s.completeInsert(ctx, st, err)
		if full == nil {
			return nil, err
		}
		return s.runPlanned(ctx, full)
	}
	return res, err
}

// atClientText returns err, an error of the backend running the text ran
// for the client's text client, without its position when the texts
// differ (a rewrite) before it: the position points into ran. ran ""
// stands for a text that differs from the start.
func atClientText(err error, ran, client string) error {
	var e *pgerror.Error
	if ran == client || !errors.As(err, &e) || e.Position == 0 {
		return err
	}
	same := 0 // characters the texts start with alike
	for i, r := range ran {
		if i >= len(client) || !strings.HasPrefix(client[i:], string(r)) {
			break
		}
		same++
	}
	if int(e.Position) <= same {
		return err
	}
	// The token at the position, found once in the client's text, is
	// there (a constant or a name the rewrite kept).
	if tok := tokenAt(ran, int(e.Position)); tok != "" {
		if catalogOfMain(ran, int(e.Position), tok) {
			// The database the rewrite named a relation of public's
			// or pg_temp's with.
			if tok == dialect.TempCatalog {
				return atSchema(e, client, "pg_temp")
			}
			return atSchema(e, client, dialect.PublicSchema+".")
		}
		if i := strings.Index(client, tok); i >= 0 && strings.LastIndex(client, tok) == i {
			return e.WithPosition(int32(utf8.RuneCountInString(client[:i]) + 1))
		}
		if tok == dialect.EngineSchema {
			return atSchema(e, client, dialect.PublicSchema+".")
		}
	}
	return e.WithPosition(0)
}

// catalogOfMain reports whether the token tok at the 1-based character
// position pos of text qualifies DuckDB's main schema: a database name.
func catalogOfMain(text string, pos int, tok string) bool {
	for i := range text {
		if pos--; pos == 0 {
			return strings.HasPrefix(text[i+len(tok):], "."+dialect.EngineSchema+".")
		}
	}
	return false
}

// atSchema places an error at a name the rewrite qualified with DuckDB's
// main where the client wrote public (dialect.SchemaMapper), or pg_temp,
// whose name starts with schema: at the one such qualifier in the client's
// text, whose qualified name the error's message then gives, as
// PostgreSQL's does.
func atSchema(e *pgerror.Error, client, schema string) error {
	i := strings.Index(client, schema)
	if i < 0 || strings.LastIndex(client, schema) != i {
		return e.WithPosition(0)
	}
	out := e.WithPosition(int32(utf8.RuneCountInString(client[:i]) + 1))
	at := tokenAt(client, int(out.Position)) + "."
	if !strings.HasPrefix(client[i:], at) {
		return e.WithPosition(0)
	}
	name := tokenAt(client, int(out.Position)+len(at))
	if name != "" && name[0] != '"' {
		if msg, ok := strings.CutPrefix(out.Message, `relation "`+name+`" `); ok {
			out.Message = `relation "` + at + name + `" ` + msg
		}
	}
	return out
}

// tokenAt returns the string constant, quoted name or word that starts at
// the 1-based character position pos of text, or "".
func tokenAt(text string, pos int) string {
	b := 0
	for i := range text {
		if pos--; pos == 0 {
			b = i
			break
		}
	}
	if pos != 0 || b >= len(text) {
		return ""
	}
	switch q := text[b]; {
	case q == '\'' || q == '"':
		for j := b + 1; j < len(text); j++ {
			if text[j] != q {
				continue
			}
			if j+1 < len(text) && text[j+1] == q {
				j++ // a doubled quote
				continue
			}
			return text[b : j+1]
		}
		return ""
	case isWordByte(q):
		j := b
		for j < len(text) && isWordByte(text[j]) {
			j++
		}
		return text[b:j]
	}
	return ""
}

// isWordByte reports whether c can be part of an unquoted name.
func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// runPlanned runs st as s.plan plans it (runOnBackend).
func (s *Session) runPlanned(ctx context.Context, st *stmt.Statement) (*backends.Result, error) {
	plan, err := s.plan(ctx, st, nil)
	if err != nil {
		return nil, err
	}
	if plan == nil {
		s.ranOnBackend(st, st.SQL)
		return s.backend.Query(ctx, st.SQL)
	}
	plan = s.withSnapshot(ctx, plan)
	if plan.NoOp {
		s.sendPlanNotices(plan)
		return &backends.Result{RowsAffected: -1}, nil
	}
	// Several statements for one are all or nothing: outside a transaction
	// block they run in one of their own.
	inBlock := s.tx != txIdle || s.implicit
	atomic := (len(plan.SQL) > 1 || plan.Then != nil) && !inBlock && !plan.Separately
	if atomic {
		if err := s.queryDiscard(ctx, "BEGIN"); err != nil {
			return nil, err
		}
	}
	var last *backends.Result
	// run runs statements, keeping the result of the last when it is the
	// plan's last.
	run := func(statements []string, final bool) error {
		for i, sql := range statements {
			s.ranOnBackend(st, sql)
			res, err := s.backend.Query(ctx, sql)
			if err != nil {
				return atClientText(err, sql, st.SQL)
			}
			if final && i == len(statements)-1 {
				last = res
			} else if res.Rows != nil {
				res.Rows.Release()
			}
		}
		return nil
	}
	err = run(plan.SQL, plan.Then == nil)
	eng := &thenEngine{s: s, ctx: ctx, st: st}
	if err == nil && plan.Then != nil {
		var more []string
		more, err = plan.Then(eng)
		separately := plan.Separately || eng.alone
		if err == nil && separately && atomic {
			// Then only read; what it gives commits statement by statement.
			if err = s.queryDiscard(ctx, "COMMIT"); err == nil {
				atomic = false
			}
		}
		switch {
		case err != nil:
		case separately && len(more) > 1 && inBlock:
			err = pgerror.New(pgerror.ActiveSQLTransaction, "%s cannot run inside a transaction block on this backend", st.Tag)
		case separately:
			for _, sql := range more {
				if e := run([]string{sql}, false); e != nil && err == nil {
					err = e
				}
			}
		default:
			err = run(more, true)
		}
	}
	if err != nil {
		if atomic {
			_ = s.queryDiscard(context.WithoutCancel(ctx), "ROLLBACK")
		}
		return nil, err
	}
	if atomic {
		if err := s.queryDiscard(ctx, "COMMIT"); err != nil {
			if last != nil && last.Rows != nil {
				last.Rows.Release()
			}
			return nil, err
		}
	}
	if last == nil {
		last = &backends.Result{RowsAffected: -1}
	}
	s.sendPlanNotices(plan, eng.notices...)
	return last, nil
}

// thenEngine is the dialect.Engine a plan's Then runs with.
type thenEngine struct {
	s       *Session
	ctx     context.Context
	st      *stmt.Statement
	notices []dialect.Notice
	alone   bool
}

func (e *thenEngine) Query(sql string) ([][]string, error) {
	if !isSelect(sql) {
		// A change, which a replay must make again.
		e.s.ranOnBackend(e.st, sql)
	}
	return e.s.queryStrings(e.ctx, sql)
}

func (e *thenEngine) Notice(n dialect.Notice) { e.notices = append(e.notices, n) }

func (e *thenEngine) Alone() { e.alone = true }

// isSelect reports whether sql, a statement a plan's Then runs, is a
// SELECT, which changes nothing.
func isSelect(sql string) bool {
	return len(sql) >= 7 && strings.EqualFold(sql[:7], "SELECT ")
}

// sendPlanNotices sends the NOTICEs and WARNINGs a plan has for the client,
// with more NOTICEs its Then gave.
func (s *Session) sendPlanNotices(plan *dialect.Plan, more ...dialect.Notice) {
	for _, n := range append(slices.Clip(plan.Notices), more...) {
		s.w.notice(&pgproto3.NoticeResponse{Severity: "NOTICE", SeverityUnlocalized: "NOTICE", Code: n.Code, Message: n.Message, Detail: n.Detail})
	}
	for _, w := range plan.Warnings {
		s.w.sendNotice("WARNING", pgerror.Warning, w)
	}
}

// queryStrings runs a statement on the backend and returns its rows as
// strings (NULL as ""): for statements whose columns are strings.
func (s *Session) queryStrings(ctx context.Context, sql string) ([][]string, error) {
	return queryStrings(ctx, s.backend, sql)
}

// queryStrings is Session.queryStrings on the backend session be.
func queryStrings(ctx context.Context, be backends.Session, sql string) ([][]string, error) {
	res, err := be.Query(ctx, sql)
	if err != nil {
		return nil, err
	}
	if res.Rows == nil {
		return nil, nil
	}
	defer res.Rows.Release()
	var out [][]string
	for res.Rows.Next() {
		rec := res.Rows.RecordBatch()
		for r := 0; r < int(rec.NumRows()); r++ {
			row := make([]string, rec.NumCols())
			for c := range row {
				if col := rec.Column(c); col.IsValid(r) {
					// A copy: the value points into the batch's memory.
					row[c] = strings.Clone(col.ValueStr(r))
				}
			}
			out = append(out, row)
		}
	}
	return out, res.Rows.Err()
}

// pgQueryStrings runs one statement written in PostgreSQL's SQL (a
// catalog query of quiver's own) as the session would, rewritten for the
// backend, and returns its rows as queryStrings does.
func (s *Session) pgQueryStrings(ctx context.Context, sql string) ([][]string, error) {
	sql, err := s.pgStatement(ctx, sql)
	if err != nil {
		return nil, err
	}
	return s.queryStrings(ctx, sql)
}

// pgStatement returns the backend's statement for one statement of
// quiver's own written in PostgreSQL's SQL, as the session would run it.
func (s *Session) pgStatement(ctx context.Context, sql string) (string, error) {
	sts := stmt.Split(sql)
	if len(sts) != 1 || sts[0].ParseErr != nil {
		return "", pgerror.New(pgerror.InternalError, "internal query does not parse: %s", sql)
	}
	plan, err := s.plan(ctx, &sts[0], nil)
	if err != nil {
		return "", err
	}
	if plan != nil {
		if !plan.Single() {
			return "", pgerror.New(pgerror.InternalError, "internal query is not one statement: %s", sql)
		}
		sql = s.withSnapshot(ctx, plan).SQL[0]
	}
	return sql, nil
}

// queryDiscard runs a statement on the backend and discards its rows.
func (s *Session) queryDiscard(ctx context.Context, sql string) error {
	return exec(ctx, s.backend, sql)
}

// plan returns how to run st on the backend: with the session's setting
// functions answered (setfuncs.go), its untyped array literals cast to the
// types of their contexts (literals.go), and rewritten for the backend's
// dialect; nil runs it as written. ptypes are the types of st's
// parameters, nil entries unknown.
func (s *Session) plan(ctx context.Context, st *stmt.Statement, ptypes []arrow.DataType) (*dialect.Plan, error) {
	sub, err := s.substituteSettings(st)
	if err != nil {
		return nil, err
	}
	var p *dialect.Plan
	if s.h.rw != nil {
		if sub, err = s.applyIdentity(ctx, sub); err != nil {
			return nil, err
		}
		if sub, err = s.typeLiterals(ctx, sub, ptypes); err != nil {
			return nil, err
		}
		if p, err = s.h.rw.Rewrite(sub); err != nil {
			return nil, err
		}
	}
	if p == nil && sub != st {
		p = &dialect.Plan{SQL: []string{sub.SQL}}
	}
	return p, nil
}

var errInFailedTx = pgerror.New(pgerror.InFailedSQLTransaction, "current transaction is aborted, commands ignored until end of transaction block")

// sendResult sends a whole Result in simple-query form and returns the
// count its command tag carries.
func (s *Session) sendResult(ctx context.Context, res *backends.Result, st *stmt.Statement) (int64, error) {
	if res.Rows == nil || !returnsRows(st) {
		if res.Rows != nil {
			// The engine produced rows PostgreSQL would not send (DuckDB
			// reports counts as a result set): read the count if it is one.
			n := rowsAffectedFrom(res.Rows)
			res.Rows.Release()
			if res.RowsAffected < 0 {
				res.RowsAffected = n
			}
		}
		if res.RowsAffected < 0 && st.Kind == stmt.KindDDL && st.Tag == "SELECT" {
			res.RowsAffected = s.countCreated(ctx, st)
		}
		s.w.send(&pgproto3.CommandComplete{CommandTag: []byte(completeTag(st, res.RowsAffected))})
		return res.RowsAffected, nil
	}
	return s.sendAllRows(ctx, res.Rows, st)
}

// returnsRows reports whether PostgreSQL sends rows for the statement.
func returnsRows(st *stmt.Statement) bool {
	switch st.Kind {
	case stmt.KindQuery, stmt.KindShow, stmt.KindUnknown:
		return true
	case stmt.KindDML:
		return st.Returning
	case stmt.KindUtility:
		return st.Tag == "FETCH" || st.Tag == "EXECUTE" || st.Tag == "CALL"
	}
	return false
}

// completeTag renders the command tag for a statement that sent no rows.
func completeTag(st *stmt.Statement, affected int64) string {
	if st.Tag == "" {
		return "SELECT " + itoa(max(affected, 0))
	}
	return st.TagWithCount(max(affected, 0))
}

// sendAllRows sends RowDescription, every row and CommandComplete, and
// releases rr.
func (s *Session) sendAllRows(ctx context.Context, rr array.RecordReader, st *stmt.Statement) (int64, error) {
	enc, err := types.NewRowEncoder(s.presentDeclared(pgNames(rr.Schema(), st), st), nil, &s.settings)
	if err != nil {
		rr.Release()
		return 0, err
	}
	s.w.buf = enc.AppendRowDescription(s.w.buf)
	// The whole result goes to the client now: the next batch is read
	// while this one is encoded. The cursor releases the prefetcher, which
	// releases rr.
	p := portalCursor{rr: newPrefetch(rr, s.cancelRunning), enc: enc}
	n, _, err := s.streamRows(ctx, &p, 0)
	p.release()
	if err != nil {
		return n, err
	}
	tag := "SELECT"
	if st != nil && st.Tag != "" {
		tag = st.Tag
	}
	s.w.send(&pgproto3.CommandComplete{CommandTag: []byte(stmt.TagWithCount(tag, n))})
	return n, nil
}

// backendExec runs a statement whose result is not sent to the client.
func (s *Session) backendExec(ctx context.Context, sql string) error {
	defer s.drainNotices()
	sctx, done := s.statementContext(ctx)
	defer done()
	return s.queryDiscard(sctx, sql)
}

// countCreated counts the rows of the table a CREATE TABLE AS or SELECT INTO
// just made, for its "SELECT n" tag, when the engine does not report it.
func (s *Session) countCreated(ctx context.Context, st *stmt.Statement) int64 {
	schema, name, ok := st.CreatedTable()
	if !ok {
		return 0
	}
	q := "select count(*) from " + quoteIdent(name)
	if schema != "" {
		q = "select count(*) from " + quoteIdent(schema) + "." + quoteIdent(name)
	}
	res, err := s.backend.Query(ctx, q)
	if err != nil || res.Rows == nil {
		return 0
	}
	defer res.Rows.Release()
	return max(rowsAffectedFrom(res.Rows), 0)
}

// quoteIdent quotes an identifier for SQL text quiver generates itself.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// deallocate runs SQL DEALLOCATE, which shares its namespace with the
// protocol's named statements (psycopg drops its statements this way).
func (s *Session) deallocate(name string, all bool, tag string) error {
	if all {
		for n, ps := range s.ext.stmts {
			ps.release()
			delete(s.ext.stmts, n)
		}
	} else {
		ps, ok := s.ext.stmts[name]
		if !ok || name == "" {
			return pgerror.New(pgerror.UndefinedPreparedStatement, "prepared statement \"%s\" does not exist", name)
		}
		ps.release()
		delete(s.ext.stmts, name)
	}
	s.w.send(&pgproto3.CommandComplete{CommandTag: []byte(tag)})
	return nil
}

// drainNotices sends the backend session's pending notices.
func (s *Session) drainNotices() {
	n, ok := s.backend.(backends.Noticer)
	if !ok {
		return
	}
	for _, e := range n.Notices() {
		if e.Severity == "" || e.Severity == "ERROR" {
			e.Severity = "NOTICE"
		}
		s.w.notice(&pgproto3.NoticeResponse{
			Severity: e.Severity, SeverityUnlocalized: e.Severity, Code: e.Code,
			Message: e.Message, Detail: e.Detail, Hint: e.Hint,
		})
	}
}

// checkUTF8 rejects text that is not valid UTF-8, as PostgreSQL does when it
// receives a query (report_invalid_encoding).
func checkUTF8(sql string) *pgerror.Error {
	if utf8.ValidString(sql) {
		return nil
	}
	for i := 0; i < len(sql); {
		r, n := utf8.DecodeRuneInString(sql[i:])
		if r != utf8.RuneError || n > 1 {
			i += n
			continue
		}
		// PostgreSQL shows the bytes of the bad character: as many as its
		// first byte announces, and no more than there are.
		want := 1
		switch c := sql[i]; {
		case c >= 0xf0:
			want = 4
		case c >= 0xe0:
			want = 3
		case c >= 0xc0:
			want = 2
		}
		var b strings.Builder
		for j := 0; j < want && i+j < len(sql); j++ {
			if j > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "0x%02x", sql[i+j])
		}
		if i+want > len(sql) {
			return pgerror.New(pgerror.CharacterNotInRepertoire, "incomplete multibyte character")
		}
		return pgerror.New(pgerror.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\": %s", b.String())
	}
	return nil
}
