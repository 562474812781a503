//go:build duckdb_arrow

package duckdb

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/quiverdb/quiver/pgerror"
)

// checkCanceled asserts err is a 57014 cancellation that wraps
// context.Canceled.
func checkCanceled(t *testing.T, err error) {
	t.Helper()
	e := pgerror.Flatten(err)
	if e == nil || e.Code != pgerror.QueryCanceled || e.Message != "canceling statement due to user request" {
		t.Fatalf("got %v, want 57014", err)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("%v does not wrap context.Canceled", err)
	}
}

func checkUsable(t *testing.T, s *Session) {
	t.Helper()
	if got := queryRows(t, s, "select 42"); fmt.Sprint(got) != "[[42]]" {
		t.Errorf("after cancel: %v", got)
	}
}

func TestCancelDuringExecution(t *testing.T) {
	s := newSession(t, Options{})
	for _, sql := range []string{
		"select count(*) from range(10000000000)",
		"select count(*) from range(100000) a, range(100000) b",
	} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(200*time.Millisecond, cancel)
		start := time.Now()
		_, err := s.Query(ctx, sql)
		if took := time.Since(start); took > 1200*time.Millisecond {
			t.Errorf("%s: cancel took %v", sql, took)
		}
		checkCanceled(t, err)
		checkUsable(t, s)
	}
}

func TestCancelDuringFetch(t *testing.T) {
	s := newSession(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The first rows come at once and fill DuckDB's stream buffer, so the
	// query starts streaming; after them, producing a batch takes a long
	// scan, during which the cancel lands.
	res, err := s.Query(ctx, "select i from range(10000000000) t(i) where i < 1000000 or i % 1000000000 = 7")
	if err != nil {
		t.Fatal(err)
	}
	cancelAt := time.Now().Add(200 * time.Millisecond)
	time.AfterFunc(200*time.Millisecond, cancel)
	n := 0
	for res.Rows.Next() {
		n += int(res.Rows.RecordBatch().NumRows())
	}
	if took := time.Since(cancelAt); took > time.Second {
		t.Errorf("cancel took %v", took)
	}
	if n == 0 {
		t.Error("no rows before the cancel")
	}
	checkCanceled(t, res.Rows.Err())
	res.Rows.Release()
	checkUsable(t, s)
}

func TestCancelledBeforeStart(t *testing.T) {
	s := newSession(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Query(ctx, "select 1")
	checkCanceled(t, err)
	checkUsable(t, s)
}

func TestReleaseEarlyStopsWork(t *testing.T) {
	s := newSession(t, Options{})
	res, err := s.Query(context.Background(), "select i, i * 2 from range(10000000000) t(i)")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Rows.Next() {
		t.Fatal(res.Rows.Err())
	}
	start := time.Now()
	res.Rows.Release()
	if took := time.Since(start); took > 100*time.Millisecond {
		t.Errorf("release took %v", took)
	}
	if s.open != nil {
		t.Error("the session still has an open stream")
	}
	checkUsable(t, s)
}

// TestInterleaving runs statements while a stream of the same session is
// open, as extended-protocol portals do.
func TestInterleaving(t *testing.T) {
	mem := checkedAlloc(t)
	s := newSession(t, Options{Allocator: mem})
	ctx := context.Background()
	mustExec(t, s, "create table t(a int)")

	a, err := s.Query(ctx, "select range as i from range(100000)")
	if err != nil {
		t.Fatal(err)
	}
	if !a.Rows.Next() {
		t.Fatal(a.Rows.Err())
	}
	next := int64(0)
	check := func(rec arrow.RecordBatch) {
		col := rec.Column(0).(*array.Int64)
		for i := range col.Len() {
			if col.Value(i) != next {
				t.Fatalf("row %d is %d", next, col.Value(i))
			}
			next++
		}
	}
	check(a.Rows.RecordBatch())

	// A query, a prepared statement and DML while a streams.
	if got := queryRows(t, s, "select 42"); fmt.Sprint(got) != "[[42]]" {
		t.Errorf("interleaved query: %v", got)
	}
	b, err := s.Query(ctx, "select range as j from range(5000)")
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.Prepare(ctx, "insert into t values ($1)", nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := oneRow(mem, oneValue(mem, arrow.PrimitiveTypes.Int32, func(b array.Builder) { b.(*array.Int32Builder).Append(9) }))
	res, err := st.Execute(ctx, rec)
	rec.Release()
	st.Close()
	if err != nil || res.RowsAffected != 1 {
		t.Fatalf("interleaved insert: %v %v", res, err)
	}
	rows, _ := collect(t, b.Rows)
	if len(rows) != 5000 {
		t.Errorf("second stream has %d rows", len(rows))
	}
	for a.Rows.Next() {
		check(a.Rows.RecordBatch())
	}
	if err := a.Rows.Err(); err != nil {
		t.Fatal(err)
	}
	a.Rows.Release()
	if next != 100000 {
		t.Errorf("first stream has %d rows", next)
	}
}

// TestInterleavingCancel checks that a stream read ahead still obeys its
// context.
func TestInterleavingCancel(t *testing.T) {
	s := newSession(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	a, err := s.Query(ctx, "select range from range(10000)")
	if err != nil {
		t.Fatal(err)
	}
	checkUsable(t, s) // reads a ahead
	cancel()
	if a.Rows.Next() {
		t.Error("got a batch after cancel")
	}
	checkCanceled(t, a.Rows.Err())
	a.Rows.Release()
}

func TestSessionCloseWithOpenRows(t *testing.T) {
	b := newBackend(t, "duckdb:", Options{})
	s := connect(t, b)
	res, err := s.Query(context.Background(), "select range from range(100000)")
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.Prepare(context.Background(), "select 1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if res.Rows.Next() {
		t.Error("rows still stream after Close")
	}
	if res.Rows.Err() == nil {
		t.Error("no error after Close")
	}
	res.Rows.Release()
	if _, err := st.Execute(context.Background(), nil); err == nil {
		t.Error("statement runs after Close")
	}
	if _, err := s.Query(context.Background(), "select 1"); err == nil {
		t.Error("session runs after Close")
	}
}

func TestAppend(t *testing.T) {
	mem := checkedAlloc(t)
	s := newSession(t, Options{Allocator: mem})
	ctx := context.Background()
	mustExec(t, s, "create table t(a int primary key, b text not null, c double)")

	sc := arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.PrimitiveTypes.Int64},
		{Name: "b", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "c", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	batch := func(from, n int, nullB bool) arrow.RecordBatch {
		b := array.NewRecordBuilder(mem, sc)
		defer b.Release()
		for i := from; i < from+n; i++ {
			b.Field(0).(*array.Int64Builder).Append(int64(i))
			if nullB {
				b.Field(1).AppendNull()
			} else {
				b.Field(1).(*array.StringBuilder).Append(fmt.Sprint("row ", i))
			}
			b.Field(2).(*array.Float64Builder).Append(float64(i) / 2)
		}
		return b.NewRecordBatch()
	}
	load := func(table string, recs ...arrow.RecordBatch) (int64, error) {
		rr, err := array.NewRecordReader(sc, recs)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			r.Release()
		}
		defer rr.Release()
		return s.Append(ctx, table, rr)
	}

	n, err := load("t", batch(0, 3000, false), batch(3000, 3000, false))
	if err != nil || n != 6000 {
		t.Fatalf("Append: %d, %v", n, err)
	}
	// All or nothing: the second batch breaks the NOT NULL constraint.
	_, err = load("t", batch(6000, 10, false), batch(6010, 10, true))
	if code := pgerror.Flatten(err).Code; code != pgerror.NotNullViolation {
		t.Errorf("NOT NULL violation: %v", err)
	}
	_, err = load("t", batch(5990, 20, false))
	if code := pgerror.Flatten(err).Code; code != pgerror.UniqueViolation {
		t.Errorf("duplicate key: %v", err)
	}
	// A column list.
	mustExec(t, s, "create table u(z int default 7, a bigint, b text, c double)")
	if n, err := load("u(a, b, c)", batch(0, 5, false)); err != nil || n != 5 {
		t.Fatalf("Append with columns: %d, %v", n, err)
	}
	got := queryRows(t, s, "select count(*), sum(a), min(b), max(c) from t union all select count(*), sum(z), min(b), max(c) from u")
	if want := "[[6000 17997000 row 0 2999.5] [5 35 row 0 2]]"; fmt.Sprint(got) != want {
		t.Errorf("tables hold %v, want %s", got, want)
	}
	if got := queryRows(t, s, "select count(*) from duckdb_views() where view_name like '__quiver%'"); got[0][0] != "0" {
		t.Errorf("%s scan views left behind", got[0][0])
	}
}

func TestConcurrentSessions(t *testing.T) {
	mem := checkedAlloc(t)
	b := newBackend(t, "duckdb:", Options{Allocator: mem})
	mustExec(t, connect(t, b), "create table t(w int, i int)")
	sessions := make([]*Session, 4)
	for i := range sessions {
		sessions[i] = connect(t, b)
	}
	errs := make(chan error, len(sessions))
	for w, s := range sessions {
		go func() {
			ctx := context.Background()
			for i := range 20 {
				if _, err := s.Query(ctx, fmt.Sprintf("insert into t values (%d, %d)", w, i)); err != nil {
					errs <- err
					return
				}
				res, err := s.Query(ctx, "select * from range(10000)")
				if err != nil {
					errs <- err
					return
				}
				n := int64(0)
				for res.Rows.Next() {
					n += res.Rows.RecordBatch().NumRows()
				}
				res.Rows.Release()
				if n != 10000 {
					errs <- fmt.Errorf("session %d read %d rows", w, n)
					return
				}
			}
			errs <- nil
		}()
	}
	for range sessions {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if got := queryRows(t, sessions[0], "select count(*) from t"); got[0][0] != "80" {
		t.Errorf("%s rows inserted", got[0][0])
	}
}

// TestCancelledResultSparesOthers checks that cancelling the context of an
// open result that no longer runs on the connection does not interrupt the
// session's other statements.
func TestCancelledResultSparesOthers(t *testing.T) {
	s := newSession(t, Options{})
	mustExec(t, s, "create table t(a int)")
	for _, sql := range []string{
		"insert into t select * from range(10) returning a", // materialised by DuckDB
		"select * from range(100000)",                       // streaming, read ahead below
	} {
		ctx, cancel := context.WithCancel(context.Background())
		a, err := s.Query(ctx, sql)
		if err != nil {
			t.Fatal(err)
		}
		checkUsable(t, s)
		cancel()
		time.Sleep(2 * interruptEvery)
		if got := queryRows(t, s, "select count(*) from range(300000000)"); got[0][0] != "300000000" {
			t.Errorf("%s: got %v", sql, got)
		}
		if a.Rows.Next() {
			t.Errorf("%s: a batch after cancel", sql)
		}
		checkCanceled(t, a.Rows.Err())
		a.Rows.Release()
	}
}

// TestInterleavingMaterialised reads a result DuckDB materialised itself
// after other statements ran.
func TestInterleavingMaterialised(t *testing.T) {
	s := newSession(t, Options{})
	mustExec(t, s, "create table t(a int)")
	a, err := s.Query(context.Background(), "insert into t select * from range(5000) returning a")
	if err != nil {
		t.Fatal(err)
	}
	if s.open != nil {
		t.Fatal("expected DuckDB to materialise INSERT ... RETURNING")
	}
	checkUsable(t, s)
	mustExec(t, s, "delete from t")
	rows, _ := collect(t, a.Rows)
	if len(rows) != 5000 || rows[4999][0] != "4999" {
		t.Errorf("got %d rows", len(rows))
	}
}
