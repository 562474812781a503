package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/quiverdb/quiver/backends"
)

func TestScanShape(t *testing.T) {
	for _, c := range []struct {
		sql string
		ok  bool
	}{
		{"SELECT i FROM t", true},
		{"select * from s.t as x where x.i > 3 and (s like 'a%' or s is null)", true},
		{"SELECT i * 2, upper(s)::varchar(3), coalesce(s, 'x'), CASE WHEN i > 0 THEN 1 END FROM ONLY t WHERE i BETWEEN 1 AND 9", true},
		{"TABLE t", true},
		{"SELECT i FROM t;", true},
		{"SELECT i FROM t WHERE i IN (1, 2, 3) AND s = ANY ('{a,b}')", true},
		{"SELECT i FROM t ORDER BY i", false},
		{"SELECT i FROM t LIMIT 5", false},
		{"SELECT i FROM t OFFSET 5", false},
		{"SELECT DISTINCT i FROM t", false},
		{"SELECT count(*) FROM t", false},
		{"SELECT sum(i) FILTER (WHERE i > 0) FROM t", false},
		{"SELECT i, row_number() OVER () FROM t", false},
		{"SELECT i FROM t GROUP BY i", false},
		{"SELECT i FROM t, u", false},
		{"SELECT i FROM t JOIN u USING (i)", false},
		{"SELECT i FROM (SELECT i FROM t) x", false},
		{"SELECT i FROM t WHERE i IN (SELECT i FROM u)", false},
		{"WITH x AS (SELECT 1) SELECT i FROM t", false},
		{"SELECT i FROM t UNION ALL SELECT i FROM t", false},
		{"SELECT i FROM t FOR UPDATE", false},
		{"SELECT i INTO x FROM t", false},
		{"SELECT i FROM t WHERE i = $1", false},
		{"SELECT i, current_timestamp FROM t", false},
		{"SELECT i FROM t WHERE ts < 'now'", false},
		{"SELECT i FROM t WHERE d = 'Today'::date", false},
		{"SELECT i FROM generate_series(1, 3) i", false},
		{"SELECT i FROM t TABLESAMPLE SYSTEM (10)", false},
		{"SELECT 1", false},
		{"VALUES (1)", false},
		{"SELECT i FROM t; SELECT 2", false},
		{"INSERT INTO t VALUES (1) RETURNING i", false},
	} {
		if _, ok := shapeOf(c.sql); ok != c.ok {
			t.Errorf("%s: shape accepted %v, want %v", c.sql, ok, c.ok)
		}
	}
}

// beginScan plans sql in parts on s and begins the scan on a new
// coordinator session, closed when the test ends.
func beginScan(t *testing.T, e *env, s *Session, sql string, parts int) (*Session, []string) {
	t.Helper()
	ctx := context.Background()
	plan, err := s.PlanScan(ctx, sql, parts, 0)
	if err != nil || plan == "" {
		t.Fatalf("%s: plan %q, %v", sql, plan, err)
	}
	coord := e.open(backends.SessionInfo{})
	t.Cleanup(func() { coord.Close() })
	ps, err := coord.BeginScan(ctx, plan)
	if err != nil || len(ps) != parts {
		t.Fatalf("%s: BeginScan: %d parts, %v", sql, len(ps), err)
	}
	return coord, ps
}

// scanAll reads sql in parts as a frontend would: the plan on s, the
// coordinator on a session of its own which also reads the first part, the
// other parts each on a new session. It returns the rows of all parts.
// before, when set, runs after BeginScan and before the parts are read.
func scanAll(t *testing.T, e *env, s *Session, sql string, parts int, before func()) []string {
	t.Helper()
	ctx := context.Background()
	coord, ps := beginScan(t, e, s, sql, parts)
	readers := []*Session{coord}
	for range ps[1:] {
		r := e.open(backends.SessionInfo{})
		defer r.Close()
		readers = append(readers, r)
	}
	if before != nil {
		before()
	}
	// Every part imports the snapshot before the coordinator ends.
	results := make([]*backends.Result, len(ps))
	for i, p := range ps {
		var err error
		if results[i], err = readers[i].ReadScanPart(ctx, p); err != nil {
			t.Fatalf("%s: part %d: %v", sql, i, err)
		}
	}
	var rows []string
	for i, res := range results {
		for _, r := range readAll(t, res) {
			rows = append(rows, fmt.Sprint(r))
		}
		if err := readers[i].EndScan(ctx); err != nil {
			t.Fatal(err)
		}
		if readers[i].Conn().TxStatus() != 'I' {
			t.Fatalf("part %d: session still in a transaction", i)
		}
	}
	slices.Sort(rows)
	return rows
}

// queryRows runs sql on s and returns its rows, sorted.
func queryRows(t *testing.T, s *Session, sql string) []string {
	t.Helper()
	res, err := s.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	var rows []string
	for _, r := range readAll(t, res) {
		rows = append(rows, fmt.Sprint(r))
	}
	slices.Sort(rows)
	return rows
}

func TestScanPartsEqualQuery(t *testing.T) {
	e := newEnv(t, Options{BatchBytes: 16 << 10})
	e.exec(`CREATE TABLE empty (i int, s text);
		CREATE TABLE small AS SELECT i, md5(i::text) AS s FROM generate_series(1, 10) i;
		CREATE TABLE big AS SELECT i, md5(i::text) AS s, now() AS ts FROM generate_series(1, 30000) i;
		DELETE FROM big WHERE i % 10 = 0;
		UPDATE big SET s = upper(s) WHERE i % 7 = 0;
		CREATE MATERIALIZED VIEW mv AS SELECT i, s FROM big WHERE i < 5000;
		CREATE SCHEMA other; CREATE TABLE other."Odd name" AS SELECT i FROM generate_series(1, 2000) i;
		ANALYZE`)
	for _, sql := range []string{
		"SELECT * FROM empty",
		"SELECT i, s FROM small",
		"SELECT * FROM big",
		"TABLE big",
		"SELECT i, s FROM big WHERE i % 3 = 1",
		"SELECT b.i * 2 AS d, upper(b.s) FROM ONLY big AS b WHERE b.i > 100 OR b.s LIKE 'a%'",
		"SELECT i FROM big WHERE s IS NOT NULL AND i BETWEEN 10 AND 20000 AND i <> ALL ('{11,12}')",
		"SELECT ctid, i FROM big WHERE ctid < '(50,0)'",
		"SELECT * FROM mv",
		`SELECT * FROM other."Odd name";`,
	} {
		for _, parts := range []int{2, 3, 7} {
			got := scanAll(t, e, e.sess, sql, parts, nil)
			want := queryRows(t, e.sess, sql)
			if !slices.Equal(got, want) {
				t.Errorf("%s in %d parts: %d rows, want %d", sql, parts, len(got), len(want))
			}
		}
	}
}

func TestScanSnapshotHidesLaterCommits(t *testing.T) {
	e := newEnv(t, Options{})
	e.exec(`CREATE TABLE t AS SELECT i, 0 AS v FROM generate_series(1, 20000) i; ANALYZE t`)
	const sql = "SELECT i, v FROM t"
	want := queryRows(t, e.sess, sql)
	got := scanAll(t, e, e.sess, sql, 3, func() {
		// Moves tuples to new pages, adds some and removes others: the
		// parts must still see the table as it was.
		e.exec(`UPDATE t SET v = 1 WHERE i % 2 = 0;
			INSERT INTO t SELECT i, 2 FROM generate_series(20001, 25000) i;
			DELETE FROM t WHERE i < 1000`)
	})
	if !slices.Equal(got, want) {
		t.Fatalf("parts read %d rows, want the %d from before the commits", len(got), len(want))
	}
	if now := queryRows(t, e.sess, sql); len(now) != 20000-999+5000 {
		t.Fatalf("the table now has %d rows", len(now))
	}
}

func TestScanCarriesSessionSettings(t *testing.T) {
	e := newEnv(t, Options{})
	e.exec(`CREATE TABLE t AS SELECT 1 AS i, TIMESTAMPTZ '2024-01-01 00:00:00+00' AS ts FROM generate_series(1, 1000);
		CREATE SCHEMA s2; CREATE TABLE s2.t AS SELECT 2 AS i, TIMESTAMPTZ '2024-06-01 12:00:00+00' AS ts FROM generate_series(1, 3000)`)
	ctx := context.Background()
	for _, set := range []string{"SET search_path TO s2, public", "SET TimeZone TO 'Asia/Tokyo'"} {
		if _, err := e.sess.Query(ctx, set); err != nil {
			t.Fatal(err)
		}
	}
	const sql = "SELECT i, ts::text FROM t"
	want := queryRows(t, e.sess, sql)
	if len(want) != 3000 || want[0] != "[2 2024-06-01 21:00:00+09]" {
		t.Fatalf("direct query: %d rows, first %q", len(want), want[0])
	}
	if got := scanAll(t, e, e.sess, sql, 2, nil); !slices.Equal(got, want) {
		t.Fatalf("parts read %d rows, first %q; want %d, first %q", len(got), got[0], len(want), want[0])
	}
}

func TestPlanScanRefuses(t *testing.T) {
	e := newEnv(t, Options{})
	e.exec(`CREATE TABLE t (id int PRIMARY KEY, s text);
		INSERT INTO t SELECT i, md5(i::text) FROM generate_series(1, 50000) i;
		CREATE TABLE u AS SELECT i FROM generate_series(1, 10) i;
		CREATE VIEW v AS SELECT id, s FROM t;
		CREATE TABLE p (i int) PARTITION BY RANGE (i); CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (100);
		CREATE TABLE parent (i int); CREATE TABLE child () INHERITS (parent);
		CREATE FUNCTION vol(int) RETURNS int LANGUAGE sql VOLATILE AS 'SELECT $1';
		CREATE ROLE scan_reader; GRANT SELECT ON t TO scan_reader;
		ANALYZE`)
	ctx := context.Background()
	plan := func(s *Session, sql string, minPages int64) string {
		t.Helper()
		p, err := s.PlanScan(ctx, sql, 4, minPages)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return p
	}
	if plan(e.sess, "SELECT * FROM t", 0) == "" {
		t.Fatal("a whole-table read is not planned in parts")
	}
	for _, sql := range []string{
		"SELECT * FROM t WHERE id = 5",        // an index scan
		"SELECT * FROM t WHERE id < 100",      // likewise
		"SELECT * FROM v",                     // a view
		"SELECT * FROM p",                     // partitioned
		"SELECT * FROM parent",                // has children
		"SELECT id, now() FROM t",             // transaction time
		"SELECT id FROM t WHERE vol(id) > 0",  // volatile
		"SELECT id FROM t WHERE random() < 1", // volatile
		"SELECT count(*) FROM t",
		"SELECT * FROM t ORDER BY s",
		"SELECT * FROM t, u",
		"SELECT * FROM pg_class WHERE false",
	} {
		if plan(e.sess, sql, 0) != "" {
			t.Errorf("%s: planned in parts", sql)
		}
	}
	if plan(e.sess, "SELECT * FROM ONLY parent", 0) == "" {
		t.Error("SELECT FROM ONLY a parent is not planned in parts")
	}
	if plan(e.sess, "SELECT * FROM t", 1<<20) != "" {
		t.Error("a table smaller than the minimum is planned in parts")
	}

	// Temporary tables are the session's own; the session's transaction
	// and role would not carry over.
	for _, c := range []struct{ setup, undo string }{
		{"CREATE TEMP TABLE t AS SELECT 1 AS id FROM generate_series(1, 1000)", "DROP TABLE pg_temp.t"},
		{"BEGIN", "ROLLBACK"},
		{"SET ROLE scan_reader", "RESET ROLE"},
	} {
		if _, err := e.sess.Query(ctx, c.setup); err != nil {
			t.Fatal(err)
		}
		if plan(e.sess, "SELECT * FROM t", 0) != "" {
			t.Errorf("after %s: planned in parts", c.setup)
		}
		if _, err := e.sess.Query(ctx, c.undo); err != nil {
			t.Fatal(err)
		}
	}
}

func TestScanPartWithoutSnapshot(t *testing.T) {
	e := newEnv(t, Options{})
	e.exec(`CREATE TABLE t AS SELECT i FROM generate_series(1, 100) i`)
	ctx := context.Background()
	coord, parts := beginScan(t, e, e.sess, "SELECT i FROM t", 2)
	if err := coord.EndScan(ctx); err != nil {
		t.Fatal(err)
	}
	// The snapshot ended with the coordinator's transaction.
	r := e.open(backends.SessionInfo{})
	defer r.Close()
	if _, err := r.ReadScanPart(ctx, parts[1]); err == nil {
		t.Fatal("a part read after its snapshot ended")
	}
	if r.Conn().TxStatus() != 'I' {
		t.Fatal("the failed part left its session in a transaction")
	}
	if got := queryRows(t, r, "SELECT count(*) FROM t"); !slices.Equal(got, []string{"[100]"}) {
		t.Fatalf("session unusable after the failed part: %v", got)
	}
}

func TestScanPartsUseTIDRangeScans(t *testing.T) {
	e := newEnv(t, Options{})
	e.exec(`CREATE TABLE t AS SELECT i FROM generate_series(1, 50000) i; ANALYZE t`)
	ctx := context.Background()
	coord, parts := beginScan(t, e, e.sess, "SELECT i FROM t WHERE i % 2 = 0", 3)
	defer coord.EndScan(ctx)
	for i, p := range parts {
		var sp scanPart
		if err := json.Unmarshal([]byte(p), &sp); err != nil {
			t.Fatal(err)
		}
		res, err := coord.Query(ctx, "EXPLAIN (COSTS OFF) "+sp.SQL)
		if err != nil {
			t.Fatal(err)
		}
		if rows := readAll(t, res); !strings.HasPrefix(fmt.Sprint(rows[0][0]), "Tid Range Scan on t") {
			t.Errorf("part %d: %s is planned as %v", i, sp.SQL, rows)
		}
	}
}
