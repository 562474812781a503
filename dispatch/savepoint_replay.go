package dispatch

import (
	"context"
	"fmt"
	"strings"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

// rebuild makes the backend's transaction what it was after its first k
// writes: it rolls the transaction back, begins it again and runs those
// writes again from the replay log, silently. It refuses before touching
// the backend when the log shows a replay could not reproduce them, and
// stops when a replayed write fails or changes another number of rows;
// either way its error leaves the transaction failed, so nothing is
// half-kept.
func (s *Session) rebuild(ctx context.Context, name string, k int) error {
	l := &s.sp.log
	l.truncate(k)
	l.cur = 0
	s.sp.writes = k
	infos := make([]*replayInfo, k)
	if reason := s.replayRefusal(k, infos); reason != "" {
		return refuseRollbackTo(name, reason)
	}
	s.ext.closePortals()
	sctx, done := s.statementContext(ctx)
	defer done()
	defer s.discardNotices()
	// quiver begins every backend transaction with a plain BEGIN: DuckDB
	// has one isolation level, and quiver keeps the transaction modes
	// itself. The new one is begun the same way.
	if err := s.queryDiscard(sctx, "ROLLBACK"); err != nil {
		return err
	}
	if err := s.queryDiscard(sctx, "BEGIN"); err != nil {
		return err
	}
	defaults := map[tableRef]string{} // refusal for a table's defaults, by table
	for i := range k {
		e, info := &l.entries[i], infos[i]
		for _, t := range info.targets {
			reason, ok := defaults[t]
			if !ok {
				reason = s.defaultsRefusal(sctx, t)
				defaults[t] = reason
			}
			if reason != "" {
				return refuseRollbackTo(name, fmt.Sprintf("statement %d of the transaction (%s) %s", i+1, e.text(), reason))
			}
		}
		n, err := s.replayEntry(sctx, e, info)
		if err != nil {
			if sctx.Err() != nil {
				return err
			}
			return refuseRollbackTo(name, fmt.Sprintf("statement %d of the transaction (%s) failed when run again: %s", i+1, e.text(), pgerror.Flatten(err).Message))
		}
		if info.dml && e.counted && n != e.count {
			return refuseRollbackTo(name, fmt.Sprintf("statement %d of the transaction (%s) changed %d rows when run again, not %d", i+1, e.text(), n, e.count))
		}
		if info.ddl {
			clear(defaults)
		}
	}
	return nil
}

// refuseRollbackTo is the error for a ROLLBACK TO SAVEPOINT quiver cannot
// honour; the caller leaves the transaction failed.
func refuseRollbackTo(name, reason string) error {
	return pgerror.New(pgerror.FeatureNotSupported,
		"ROLLBACK TO SAVEPOINT cannot restore savepoint \"%s\" on this backend, which has no savepoints: %s", name, reason).
		WithHint("Roll back the whole transaction.")
}

// replayRefusal says why the first k writes cannot be replayed, or "",
// filling infos with what their parse trees say.
func (s *Session) replayRefusal(k int, infos []*replayInfo) string {
	l := &s.sp.log
	if k == 0 {
		return ""
	}
	if l.first > 0 {
		return "the transaction was begun by a BEGIN after writes in the same query string or pipeline, which quiver did not record to replay"
	}
	if k > len(l.entries) {
		return fmt.Sprintf("the writes made before it pass the %d MiB quiver keeps to replay them", l.max()>>20)
	}
	byStmt := map[*preparedStmt]*replayInfo{}
	for i := range k {
		e := &l.entries[i]
		if e.refuse != "" {
			return fmt.Sprintf("statement %d of the transaction (%s) cannot be run again: %s", i+1, e.text(), e.refuse)
		}
		if e.info == nil {
			if e.ps != nil {
				if byStmt[e.ps] == nil {
					byStmt[e.ps] = analyzeReplay(e.ps.st)
				}
				e.info = byStmt[e.ps]
			} else {
				e.info = analyzeText(e.orig)
			}
		}
		if e.info.refuse != "" {
			return fmt.Sprintf("statement %d of the transaction (%s) cannot be run again: %s", i+1, e.text(), e.info.refuse)
		}
		infos[i] = e.info
	}
	return ""
}

// text is the entry's statement as the client sent it, shortened for a
// message.
func (e *logEntry) text() string {
	t := e.orig
	if e.ps != nil {
		t = e.ps.sql
	}
	t = strings.Join(strings.Fields(t), " ")
	if r := []rune(t); len(r) > 60 {
		t = string(r[:57]) + "..."
	}
	return t
}

// replayEntry runs a recorded write again and returns its row count,
// counted as when the client was told it.
func (s *Session) replayEntry(ctx context.Context, e *logEntry, info *replayInfo) (int64, error) {
	var res *backends.Result
	if e.ps != nil {
		if e.ps.bstmt == nil {
			return 0, pgerror.New(pgerror.InternalError, "the prepared statement is closed")
		}
		r, err := e.ps.bstmt.Execute(ctx, e.params)
		if err != nil {
			return 0, err
		}
		res = r
	}
	for i, sql := range e.sql {
		r, err := s.backend.Query(ctx, sql)
		if err != nil {
			return 0, err
		}
		if i < len(e.sql)-1 {
			if r.Rows != nil {
				r.Rows.Release()
			}
			continue
		}
		res = r
	}
	if res == nil {
		return 0, nil // nothing ran (a statement accepted as a no-op)
	}
	return resultCount(res, info.rows)
}

// resultCount reads and releases a result, returning the count its
// command tag would carry: rows returned when rows is set, else rows
// affected.
func resultCount(res *backends.Result, rows bool) (int64, error) {
	if res.Rows == nil {
		return max(res.RowsAffected, 0), nil
	}
	defer res.Rows.Release()
	if !rows {
		n := res.RowsAffected
		if n < 0 {
			n = rowsAffectedFrom(res.Rows)
		}
		return max(n, 0), nil
	}
	var n int64
	for res.Rows.Next() {
		n += res.Rows.RecordBatch().NumRows()
	}
	return n, res.Rows.Err()
}

// defaultsRefusal says why rows inserted into t may get other values when
// a statement runs again: a column default that is not a constant
// (nextval, now(), a random UUID). It reads the defaults from DuckDB's
// catalog, as they are at this point of the replay, for every table of
// that name (in that schema, when named). "" means every default is a
// constant.
func (s *Session) defaultsRefusal(ctx context.Context, t tableRef) string {
	q := "select column_name, column_default from duckdb_columns() where column_default is not null and lower(table_name) = lower(" + quoteLiteral(t.name) + ")"
	if t.schema != "" {
		q += " and lower(schema_name) = lower(" + quoteLiteral(t.schema) + ")"
	}
	res, err := s.backend.Query(ctx, q)
	if err != nil {
		return fmt.Sprintf("inserts into table \"%s\", whose column defaults quiver could not read: %s", t.name, pgerror.Flatten(err).Message)
	}
	if res.Rows == nil {
		return ""
	}
	defer res.Rows.Release()
	for res.Rows.Next() {
		rec := res.Rows.RecordBatch()
		if rec.NumCols() != 2 {
			break
		}
		col, def := rec.Column(0), rec.Column(1)
		for i := range int(rec.NumRows()) {
			if def.IsNull(i) || constantDefault(def.ValueStr(i)) {
				continue
			}
			return fmt.Sprintf("inserts into table \"%s\", whose column \"%s\" has the default %s, which gives another value when it runs again", t.name, col.ValueStr(i), def.ValueStr(i))
		}
	}
	if err := res.Rows.Err(); err != nil {
		return fmt.Sprintf("inserts into table \"%s\", whose column defaults quiver could not read: %s", t.name, pgerror.Flatten(err).Message)
	}
	return ""
}

// quoteLiteral quotes a string literal for SQL text quiver generates.
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// discardNotices drops the backend's pending notices: a replay is silent.
func (s *Session) discardNotices() {
	if n, ok := s.backend.(backends.Noticer); ok {
		n.Notices()
	}
}
