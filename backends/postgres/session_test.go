package postgres

import (
	"context"
	"errors"
	"math/big"
	"reflect"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

// TestBatches reads a result spanning many batches, cut by byte size.
func TestBatches(t *testing.T) {
	const limit = 64 << 10
	e := newEnv(t, Options{BatchBytes: limit})
	for _, how := range []string{"copy", "extended"} {
		t.Run(how, func(t *testing.T) {
			sql := "SELECT i FROM generate_series(1, 300000) i"
			var res *backends.Result
			if how == "copy" {
				res = mustQuery(t, e.sess, sql)
			} else {
				st, err := e.sess.Prepare(context.Background(), sql+" WHERE i > $1", nil)
				if err != nil {
					t.Fatal(err)
				}
				defer st.Close()
				p := oneRow(t, e.mem, arrow.PrimitiveTypes.Int64, int64(0))
				defer p.Release()
				if res, err = st.Execute(context.Background(), p); err != nil {
					t.Fatal(err)
				}
			}
			defer res.Rows.Release()
			var rows, batches, sum int64
			for res.Rows.Next() {
				rec := res.Rows.RecordBatch()
				n := rec.NumRows()
				// A row of one int4 is 8 bytes on the wire: batches hold
				// limit/8 rows, except the last.
				if rows+n < 300000 && n != limit/8 {
					t.Errorf("batch %d has %d rows, want %d", batches, n, limit/8)
				}
				for _, v := range rec.Column(0).(*array.Int32).Int32Values() {
					sum += int64(v)
				}
				rows += n
				batches++
			}
			if err := res.Rows.Err(); err != nil {
				t.Fatal(err)
			}
			if rows != 300000 || sum != 300000*300001/2 {
				t.Errorf("rows %d sum %d", rows, sum)
			}
			if batches < 30 {
				t.Errorf("only %d batches", batches)
			}
		})
	}
}

func bigRat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic(s)
	}
	return r
}

// TestParams runs prepared statements with parameters of several Arrow
// types, including conversions and NULL.
func TestParams(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	st, err := e.sess.Prepare(ctx, "SELECT $1::int4 + 1 AS a, $2::text || 'x' AS b, $3::numeric(6,2) AS c, $4::date AS d", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var oids []string
	for _, f := range st.Params() {
		v, _ := f.Metadata.GetValue(backends.MetaPGType)
		oids = append(oids, f.Type.String()+"/"+v)
	}
	if want := []string{"int32/23", "utf8/25", "utf8/1700", "date32/1082"}; !reflect.DeepEqual(oids, want) {
		t.Errorf("params %v, want %v", oids, want)
	}
	b := array.NewRecordBuilder(e.mem, arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "b", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "c", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "d", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil))
	defer b.Release()
	run := func(a int64, bv string, null bool) [][]any {
		b.Field(0).(*array.Int64Builder).Append(a)
		if null {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append(bv)
		}
		b.Field(2).(*array.StringBuilder).Append("12.345")
		b.Field(3).(*array.StringBuilder).Append("2024-02-29")
		rec := b.NewRecordBatch()
		defer rec.Release()
		res, err := st.Execute(ctx, rec)
		if err != nil {
			t.Fatal(err)
		}
		return readAll(t, res)
	}
	day := time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)
	if got := run(41, "", false); !reflect.DeepEqual(got, [][]any{{int32(42), "x", bigRat("12.35"), day}}) {
		t.Errorf("got %v", got)
	}
	if got := run(-1, "", true); !reflect.DeepEqual(got, [][]any{{int32(0), nil, bigRat("12.35"), day}}) {
		t.Errorf("got %v", got)
	}
	// An int64 out of int4's range fails with PostgreSQL's code, 22003.
	b.Field(0).(*array.Int64Builder).Append(1 << 40)
	b.Field(1).AppendNull()
	b.Field(2).AppendNull()
	b.Field(3).AppendNull()
	rec := b.NewRecordBatch()
	defer rec.Release()
	if _, err := st.Execute(ctx, rec); pgerror.Code(err) != pgerror.NumericValueOutOfRange {
		t.Errorf("out of range: %v", err)
	}
	// Declared parameter types.
	st2, err := e.sess.Prepare(ctx, "SELECT $1 AS v", []arrow.DataType{arrow.PrimitiveTypes.Float64})
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	if got := st2.Schema().Field(0).Type; got != arrow.PrimitiveTypes.Float64 {
		t.Errorf("declared float64 param gives %s", got)
	}
	p := oneRow(t, e.mem, arrow.PrimitiveTypes.Float64, 2.5)
	defer p.Release()
	res, err := st2.Execute(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, res); !reflect.DeepEqual(got, [][]any{{2.5}}) {
		t.Errorf("got %v", got)
	}
}

// TestDML checks row counts for DML, with and without RETURNING.
func TestDML(t *testing.T) {
	e := newEnv(t, Options{})
	for _, c := range []struct {
		sql      string
		affected int64
		rows     int
	}{
		{"CREATE TABLE t (id int PRIMARY KEY, v text)", -1, -1},
		{"INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 10) i", 10, -1},
		{"UPDATE t SET v = 'x' WHERE id <= 3", 3, -1},
		{"DELETE FROM t WHERE id > 8", 2, -1},
		{"INSERT INTO t VALUES (100, 'a'), (101, 'b') RETURNING id", 2, 2},
		{"WITH d AS (DELETE FROM t WHERE id >= 100 RETURNING id) SELECT count(*) FROM d", -1, 1},
		{"MERGE INTO t USING (VALUES (1), (50)) s(id) ON t.id = s.id WHEN MATCHED THEN DELETE WHEN NOT MATCHED THEN INSERT VALUES (s.id, 'm')", 2, -1},
		{"SELECT * FROM t", -1, 8},
		{"SHOW search_path", -1, 1},
		{"EXPLAIN SELECT 1", -1, 1},
		{"BEGIN", -1, -1},
		{"SELECT 1;  -- trailing comment", -1, 1},
		{"COMMIT", -1, -1},
	} {
		res, err := e.sess.Query(context.Background(), c.sql)
		if err != nil {
			t.Fatalf("%s: %v", c.sql, err)
		}
		if res.RowsAffected != c.affected {
			t.Errorf("%s: RowsAffected %d, want %d", c.sql, res.RowsAffected, c.affected)
		}
		if c.rows < 0 {
			if res.Rows != nil {
				t.Errorf("%s: unexpected rows", c.sql)
				res.Rows.Release()
			}
			continue
		}
		if got := len(readAll(t, res)); got != c.rows {
			t.Errorf("%s: %d rows, want %d", c.sql, got, c.rows)
		}
	}
}

// TestErrors compares errors with those PostgreSQL gives pgconn directly.
func TestErrors(t *testing.T) {
	e := newEnv(t, Options{})
	e.exec("CREATE TABLE t (id int NOT NULL)")
	ctx := context.Background()
	raw, err := pgconn.Connect(ctx, e.url)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close(ctx)
	for _, sql := range []string{
		"SELECT nosuch FROM t",
		"SELECT 1 +",
		"SELECT  'x'::int",
		"SELECT 1/0 FROM generate_series(1, 3)",
		"INSERT INTO t VALUES (NULL)",
		"SELECT 'a' || 1 FROM t WHERE id = 'x'",
		"SELECT ARRAY[1] || 'zz'",
	} {
		_, werr := raw.Exec(ctx, sql).ReadAll()
		var want *pgconn.PgError
		if !errors.As(werr, &want) {
			t.Fatalf("%s: PostgreSQL gave %v", sql, werr)
		}
		res, err := e.sess.Query(ctx, sql)
		if err == nil && res.Rows != nil {
			for res.Rows.Next() {
			}
			err = res.Rows.Err()
			res.Rows.Release()
		}
		var got *pgerror.Error
		if !errors.As(err, &got) {
			t.Fatalf("%s: got %v", sql, err)
		}
		if got.Code != want.Code || got.Message != want.Message || got.Detail != want.Detail ||
			got.Hint != want.Hint || got.Position != want.Position || got.Severity != want.SeverityUnlocalized {
			t.Errorf("%s:\n got %+v\nwant %+v", sql, *got, *want)
		}
	}
}

// TestCancel cancels a running statement on each path; it must stop within
// a second with 57014 and leave the session usable.
func TestCancel(t *testing.T) {
	e := newEnv(t, Options{})
	for _, how := range []string{"copy", "extended", "exec"} {
		t.Run(how, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(200*time.Millisecond, cancel)
			start, before := time.Now(), e.sess.Stats()
			var res *backends.Result
			var err error
			switch how {
			case "copy":
				res, err = e.sess.Query(ctx, "SELECT 1 FROM pg_sleep(10)")
			case "extended":
				var st backends.Stmt
				st, err = e.sess.Prepare(context.Background(), "SELECT pg_sleep($1)", nil)
				if err != nil {
					t.Fatal(err)
				}
				defer st.Close()
				p := oneRow(t, e.mem, arrow.PrimitiveTypes.Float64, 10.0)
				defer p.Release()
				res, err = st.Execute(ctx, p)
			case "exec":
				res, err = e.sess.Query(ctx, "DO $$BEGIN PERFORM pg_sleep(10); END$$")
			}
			if err == nil && res.Rows != nil {
				for res.Rows.Next() {
				}
				err = res.Rows.Err()
				res.Rows.Release()
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("cancel took %v", d)
			}
			after := e.sess.Stats()
			if ran := map[string]int{"copy": after.Copy - before.Copy, "extended": after.Extended - before.Extended,
				"exec": after.Exec - before.Exec}[how]; ran != 1 {
				t.Errorf("statement did not run by %s: %+v -> %+v", how, before, after)
			}
			if pgerror.Code(err) != pgerror.QueryCanceled {
				t.Errorf("got %v, want 57014", err)
			}
			if got := readAll(t, mustQuery(t, e.sess, "SELECT 7")); !reflect.DeepEqual(got, [][]any{{int32(7)}}) {
				t.Errorf("after cancel: %v", got)
			}
		})
	}
}

// TestInterleave runs statements while a result is open, and releases a
// large result early.
func TestInterleave(t *testing.T) {
	e := newEnv(t, Options{BatchBytes: 1 << 10})
	ctx := context.Background()
	a := mustQuery(t, e.sess, "SELECT i FROM generate_series(1, 1000) i")
	if !a.Rows.Next() {
		t.Fatal(a.Rows.Err())
	}
	first := a.Rows.RecordBatch().NumRows()
	st, err := e.sess.Prepare(ctx, "SELECT $1::int * 2", nil)
	if err != nil {
		t.Fatal(err)
	}
	p := oneRow(t, e.mem, arrow.PrimitiveTypes.Int32, int32(21))
	res, err := st.Execute(ctx, p)
	p.Release()
	if err != nil {
		t.Fatal(err)
	}
	// b is open too when c runs.
	c := mustQuery(t, e.sess, "SELECT 'c'")
	if got := readAll(t, res); !reflect.DeepEqual(got, [][]any{{int32(42)}}) {
		t.Errorf("b: %v", got)
	}
	if got := readAll(t, c); !reflect.DeepEqual(got, [][]any{{"c"}}) {
		t.Errorf("c: %v", got)
	}
	st.Close()
	n := first
	for a.Rows.Next() {
		n += a.Rows.RecordBatch().NumRows()
	}
	a.Rows.Release()
	if n != 1000 || a.Rows.Err() != nil {
		t.Errorf("a: %d rows, %v", n, a.Rows.Err())
	}

	// Release a long result after one batch: the statement is cancelled
	// and the session goes on.
	start := time.Now()
	big := mustQuery(t, e.sess, "SELECT a, repeat('x', 100) FROM generate_series(1, 1000) a, generate_series(1, 100000) b")
	if !big.Rows.Next() {
		t.Fatal(big.Rows.Err())
	}
	big.Rows.Release()
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("early release took %v", d)
	}
	if got := readAll(t, mustQuery(t, e.sess, "SELECT 1")); !reflect.DeepEqual(got, [][]any{{int32(1)}}) {
		t.Errorf("after release: %v", got)
	}
	// Closing the session with a result open.
	s2 := e.open(backends.SessionInfo{})
	open, err := s2.Query(ctx, "SELECT a FROM generate_series(1, 1000) a, generate_series(1, 100000) b")
	if err != nil {
		t.Fatal(err)
	}
	open.Rows.Next()
	if err := s2.Close(); err != nil {
		t.Error(err)
	}
	for open.Rows.Next() {
	}
	if pgerror.Code(open.Rows.Err()) != "08003" {
		t.Errorf("reading after Close: %v", open.Rows.Err())
	}
	open.Rows.Release()
}

// TestStatementText runs statements whose text is awkward to wrap in COPY
// (trailing comments and semicolons, quotes and dollar quotes holding
// parentheses, CTEs) and checks the path taken and the rows.
func TestStatementText(t *testing.T) {
	e := newEnv(t, Options{})
	e.exec("CREATE TABLE t (id int)")
	for _, c := range []struct {
		sql  string
		copy bool
		want [][]any
	}{
		{"SELECT 1 -- comment", true, [][]any{{int32(1)}}},
		{"SELECT ';)' /* ; ) */ ;  ; ", true, [][]any{{";)"}}},
		{"SELECT $$)$$, $a$ $$ ) $a$", true, [][]any{{")", " $$ ) "}}},
		{`SELECT E'\';)', 'it''s', "x"."id" FROM t "x" RIGHT JOIN (VALUES (1)) v(a) ON true`, true, [][]any{{"';)", "it's", nil}}},
		{"  (SELECT 2) UNION ALL (SELECT 3 /* ) */)", true, [][]any{{int32(2)}, {int32(3)}}},
		{"WITH x AS (SELECT 4 AS a) SELECT a FROM x", true, [][]any{{int32(4)}}},
		{"WITH RECURSIVE x(a) AS (VALUES (1) UNION ALL SELECT a + 1 FROM x WHERE a < 3) TABLE x", true, [][]any{{int32(1)}, {int32(2)}, {int32(3)}}},
		{"WITH x AS (INSERT INTO t VALUES (5) RETURNING id) SELECT id FROM x", true, [][]any{{int32(5)}}},
		{"WITH x AS (SELECT 6 AS a) INSERT INTO t SELECT a FROM x RETURNING id", false, [][]any{{int32(6)}}},
		{"select\n\tid\nfrom t order by id\n", true, [][]any{{int32(5)}, {int32(6)}}},
		{"SHOW TimeZone", false, [][]any{{"UTC"}}},
	} {
		before := e.sess.Stats()
		res, err := e.sess.Query(context.Background(), c.sql)
		if err != nil {
			t.Errorf("%q: %v", c.sql, err)
			continue
		}
		if got := readAll(t, res); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: got %v, want %v", c.sql, got, c.want)
		}
		if copied := e.sess.Stats().Copy > before.Copy; copied != c.copy {
			t.Errorf("%q: COPY %v, want %v", c.sql, copied, c.copy)
		}
	}
}

// TestNonStandardStrings scans backslash escapes when the session turns
// standard_conforming_strings off.
func TestNonStandardStrings(t *testing.T) {
	e := newEnv(t, Options{})
	if _, err := e.sess.Query(context.Background(), "SET standard_conforming_strings = off"); err != nil {
		t.Fatal(err)
	}
	before := e.sess.Stats()
	got := readAll(t, mustQuery(t, e.sess, `SELECT 'a\');' AS s -- ;`))
	if !reflect.DeepEqual(got, [][]any{{"a');"}}) || e.sess.Stats().Copy != before.Copy+1 {
		t.Errorf("got %v, stats %+v", got, e.sess.Stats())
	}
}
