package adbcbackend

import (
	"context"
	"errors"
	"testing"

	"github.com/apache/arrow-adbc/go/adbc"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

func TestScanSQL(t *testing.T) {
	for _, c := range []struct {
		sql      string
		kind     kind
		readOnly bool
		params   int
	}{
		{"SELECT 1", kindQuery, true, 0},
		{"  -- hi\n/* a /* nested */ b */ select ?, ?", kindQuery, true, 2},
		{"(SELECT $1) UNION (SELECT $3)", kindQuery, true, 3},
		{"SELECT '?', \"$2\", `?`, E'\\'?', $$ ? $$, $x$ $1 $x$, ? FROM t", kindQuery, true, 1},
		{"select a into b from c", kindQuery, false, 0},
		{"SELECT * FROM t FOR UPDATE", kindQuery, false, 0},
		{"WITH x AS (SELECT 1) SELECT * FROM x", kindQuery, true, 0},
		{"WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x", kindQuery, false, 0},
		{"WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x", kindUpdate, false, 0},
		{"INSERT INTO t VALUES ($1, $2)", kindUpdate, false, 2},
		{"insert into t values (1) returning id", kindQuery, false, 0},
		{"UPDATE t SET delete_rule = 1", kindUpdate, false, 0},
		{"SELECT delete_rule, update_count FROM t", kindQuery, true, 0},
		{"CREATE TABLE t (a int)", kindUpdate, false, 0},
		{"EXPLAIN SELECT 1", kindQuery, true, 0},
		{"EXPLAIN ANALYZE SELECT 1", kindQuery, false, 0},
		{"SHOW search_path", kindQuery, true, 0},
		{"BEGIN", kindBegin, false, 0},
		{"begin isolation level serializable", kindBegin, false, 0},
		{"START TRANSACTION", kindBegin, false, 0},
		{"COMMIT", kindCommit, false, 0},
		{"END", kindCommit, false, 0},
		{"COMMIT PREPARED 'x'", kindUpdate, false, 0},
		{"ROLLBACK", kindRollback, false, 0},
		{"ABORT", kindRollback, false, 0},
		{"ROLLBACK TO SAVEPOINT a", kindUpdate, false, 0},
		{"ROLLBACK WORK TO a", kindUpdate, false, 0},
		{"SAVEPOINT a", kindUpdate, false, 0},
		{"", kindUpdate, false, 0},
		{"SELECT 'unterminated", kindQuery, true, 0},
	} {
		text := scanSQL(c.sql)
		if text.kind() != c.kind || text.readOnly() != c.readOnly || text.params != c.params {
			t.Errorf("%q: kind %d readOnly %v params %d; want %d %v %d", c.sql, text.kind(), text.readOnly(), text.params, c.kind, c.readOnly, c.params)
		}
	}
}

func TestMapErrorGeneric(t *testing.T) {
	b, err := New(Config{Connector: connectorFunc(nil)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if got := pgerror.Code(b.mapError(ctx, adbc.Error{Code: adbc.StatusIntegrity, SqlState: [5]byte{'2', '3', '5', '0', '5'}})); got != "23505" {
		t.Errorf("SQLSTATE from the error: %s", got)
	}
	if got := pgerror.Code(b.mapError(ctx, adbc.Error{Code: adbc.StatusNotFound})); got != pgerror.UndefinedObject {
		t.Errorf("status NotFound: %s", got)
	}
	if got := pgerror.Code(b.mapError(ctx, errors.New("plain"))); got != pgerror.InternalError {
		t.Errorf("plain error: %s", got)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	err = b.mapError(cctx, adbc.Error{Code: adbc.StatusIO})
	if pgerror.Code(err) != pgerror.QueryCanceled || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

type connectorFunc func(context.Context) (*Conn, error)

func (f connectorFunc) Connect(ctx context.Context, _ backends.SessionInfo) (*Conn, error) {
	return f(ctx)
}
