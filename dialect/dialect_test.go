package dialect

import (
	"strings"
	"testing"

	"github.com/quiverdb/quiver/stmt"
)

// rewriteCase is a statement and what the DuckDB rewriter makes of it.
type rewriteCase struct {
	in   string
	want []string // nil: runs as written
	noop bool
}

// checkRewrites rewrites each case's statement for DuckDB and compares.
func checkRewrites(t *testing.T, cases []rewriteCase) {
	t.Helper()
	r := For("duckdb", "")
	for _, c := range cases {
		st := stmt.Split(c.in)[0]
		p, err := r.Rewrite(&st)
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		switch {
		case c.noop:
			if p == nil || !p.NoOp {
				t.Errorf("%q: want a no-op, got %+v", c.in, p)
			}
		case c.want == nil:
			if p != nil {
				t.Errorf("%q: want unchanged, got %q", c.in, p.SQL)
			}
		case p == nil:
			t.Errorf("%q: unchanged, want %q", c.in, c.want)
		default:
			if got := planStatements(t, p); strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("%q:\ngot  %q\nwant %q", c.in, got, c.want)
			}
		}
	}
}

// noticeEngine counts the notices sent.
type noticeEngine struct {
	queryEngine
	n *int
}

func (e noticeEngine) Notice(Notice) { *e.n++ }

// planStatements returns the statements p runs on a backend without
// foreign keys: its SQL, and those its Then runs and gives when its
// catalog lookups find nothing.
func planStatements(t *testing.T, p *Plan) []string {
	t.Helper()
	out := append([]string(nil), p.SQL...)
	if p.Then == nil {
		return out
	}
	more, err := p.Then(queryEngine(func(q string) ([][]string, error) {
		if !strings.Contains(q, "duckdb_constraints()") && !strings.Contains(q, "FROM duckdb_tables()") {
			out = append(out, q)
		}
		return nil, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	return append(out, more...)
}

// TestDropTables: DROP TABLE IF EXISTS ... CASCADE first looks for each
// table (for the NOTICE of one that is not there: none is here), then for
// the foreign keys that reference each, then drops them one at a time,
// children first.
func TestDropTables(t *testing.T) {
	st := stmt.Split("drop table if exists a, b cascade")[0]
	p, err := For("duckdb", "").Rewrite(&st)
	if err != nil || p == nil || p.Then == nil || len(p.SQL) != 0 {
		t.Fatalf("got %+v, %v; want a plan with Then", p, err)
	}
	var asked []string
	notices := 0
	got, err := p.Then(noticeEngine{queryEngine(func(q string) ([][]string, error) { asked = append(asked, q); return nil, nil }), &notices})
	want := []string{"DROP TABLE IF EXISTS a CASCADE", `DROP TABLE IF EXISTS "quiver_types$a"`, "DROP TABLE IF EXISTS b CASCADE", `DROP TABLE IF EXISTS "quiver_types$b"`}
	if err != nil || strings.Join(got, "\n") != strings.Join(want, "\n") || len(asked) != 5 || notices != 2 {
		t.Errorf("got %q, %v (asked %q); want %q after looking up a and b and their foreign keys", got, err, asked, want)
	}

	// Without CASCADE, a table that another of the statement's references
	// is dropped after it (a references b).
	st = stmt.Split("drop table if exists b, a")[0]
	p, err = For("duckdb", "").Rewrite(&st)
	if err != nil || p == nil || p.Then == nil || len(p.SQL) != 0 {
		t.Fatalf("got %+v, %v; want a plan with Then", p, err)
	}
	got, err = p.Then(queryEngine(func(q string) ([][]string, error) { return [][]string{{"memory", "main", "a", "b"}}, nil }))
	want = []string{"DROP TABLE IF EXISTS a", `DROP TABLE IF EXISTS "quiver_types$a"`, "DROP TABLE IF EXISTS b", `DROP TABLE IF EXISTS "quiver_types$b"`}
	if err != nil || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %q, %v; want %q", got, err, want)
	}
}

// TestTruncate: TRUNCATE runs one statement per table, ordered by the
// foreign keys between them (none here) and refused where a table not
// truncated references one (b references a).
func TestTruncate(t *testing.T) {
	for _, c := range []struct {
		in    string
		edges [][]string
		want  []string
		err   string
	}{
		{in: "truncate table a, b", want: []string{"TRUNCATE a", "TRUNCATE b"}},
		{in: "truncate a restart identity", want: []string{"TRUNCATE a"}},
		{in: "truncate a, b", edges: [][]string{{"memory", "main", "b", "a"}}, want: []string{"TRUNCATE b", "TRUNCATE a"}},
		{in: "truncate a", edges: [][]string{{"memory", "main", "b", "a"}}, err: "cannot truncate a table referenced in a foreign key constraint"},
		{in: "truncate a cascade", edges: [][]string{{"memory", "main", "b", "a"}}, want: []string{`TRUNCATE "memory"."main"."b"`, "TRUNCATE a"}},
	} {
		st := stmt.Split(c.in)[0]
		p, err := For("duckdb", "").Rewrite(&st)
		if err != nil || p == nil || p.Then == nil {
			t.Fatalf("%q: got %+v, %v; want a plan with Then", c.in, p, err)
		}
		got, err := p.Then(queryEngine(func(q string) ([][]string, error) {
			if strings.Contains(q, "duckdb_constraints") {
				return c.edges, nil
			}
			return nil, nil
		}))
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: got %q, %v; want error %q", c.in, got, err, c.err)
			}
		case err != nil || strings.Join(got, "\n") != strings.Join(c.want, "\n"):
			t.Errorf("%q: got %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestDuckDBRewrites(t *testing.T) {
	checkRewrites(t, []rewriteCase{
		{in: "select 1"},
		// Dropping or creating a table also drops its declared-types table
		// (declared_test.go).
		{in: "drop table a", want: []string{"drop table a", `DROP TABLE IF EXISTS "quiver_types$a"`}},
		// Serial and identity columns draw from a sequence.
		{in: "create table s.t (id serial primary key, n bigint generated always as identity, v text)", want: []string{
			"CREATE SEQUENCE IF NOT EXISTS \"s\".\"t_id_seq\"", "CREATE SEQUENCE IF NOT EXISTS s.t_n_seq",
			"CREATE TABLE s.t (id int PRIMARY KEY NOT NULL DEFAULT nextval('s.t_id_seq'), n bigint NOT NULL DEFAULT nextval('s.t_n_seq'), v text)",
			`CREATE OR REPLACE TABLE "s"."quiver_types$t" ("quiver$" BOOLEAN, "quiver$identity:n" VARCHAR DEFAULT 'a')`,
			`ALTER SEQUENCE "s"."t_id_seq" OWNED BY "s"."t"`, `ALTER SEQUENCE "s"."t_n_seq" OWNED BY "s"."t"`}},
		// A view's companion keeps its PostgreSQL definition (viewdef.go).
		{in: "drop view a, b", want: []string{"DROP VIEW a", `DROP TABLE IF EXISTS "quiver_types$a"`, "DROP VIEW b", `DROP TABLE IF EXISTS "quiver_types$b"`}},
		{in: "create view s.v(x) as select a, b from t where a > 1 order by b", want: []string{
			"CREATE VIEW s.v (x, b) AS SELECT a, b FROM t WHERE a > 1 ORDER BY b",
			`CREATE OR REPLACE TABLE "s"."quiver_types$v" ("quiver$view" VARCHAR DEFAULT ' SELECT t.a AS x,
    t.b
   FROM t
  WHERE t.a > 1
  ORDER BY t.b;')`}},
		{in: "create temp view v as select 'it''s' union select 'b'", want: []string{
			`CREATE TEMPORARY VIEW v ("?column?") AS SELECT 'it''s' UNION SELECT 'b'`,
			`CREATE OR REPLACE TEMPORARY TABLE "quiver_types$v" ("quiver$view" VARCHAR DEFAULT ' SELECT ''it''''s'' UNION SELECT ''b'';')`}},
		{in: "alter view v rename to w", want: []string{"alter view v rename to w", `ALTER TABLE IF EXISTS "quiver_types$v" RENAME TO "quiver_types$w"`}},
		{in: "create table t (i int) with (fillfactor=100)", want: []string{"CREATE TABLE t (i int)", `DROP TABLE IF EXISTS "quiver_types$t"`}},
		{in: "create unlogged table t (i int)", want: []string{"CREATE TABLE t (i int)", `DROP TABLE IF EXISTS "quiver_types$t"`}},
		{in: "vacuum analyze t", noop: true},
		{in: "analyze", noop: true},
		{in: "select 'a' OPERATOR(pg_catalog.~) 'b'", want: []string{"SELECT regexp_matches('a', 'b')"}},
		{in: "select x collate pg_catalog.default from t", want: []string{"SELECT x FROM t"}},
		// numeric without a typmod is not DuckDB's DECIMAL(18,3).
		{in: "select 1.5::numeric, x::decimal, y::numeric(5,2), z::numeric[], cast(w as numeric) from t",
			want: []string{"SELECT (1.5)::numeric(38, 10), x::numeric(38, 10), y::numeric(5, 2), z::numeric(38, 10)[], w::numeric(38, 10) FROM t"}},
		// PostgreSQL's array literals, which DuckDB's casts do not read.
		{in: `select '{1,2}'::int[], '{}'::text[], '{{a,"b c"},{NULL,"d\"e"}}'::text[], cast('{1.5}' as numeric[])`,
			want: []string{`SELECT ARRAY['1', '2']::int[], ARRAY[]::text[], ARRAY[ARRAY['a', 'b c'], ARRAY[NULL, 'd"e']]::text[][], ARRAY['1.5']::numeric(38, 10)[]`}},
		{in: "alter table t add column n numeric", want: []string{"ALTER TABLE t ADD COLUMN n numeric(38, 10)",
			`CREATE TABLE IF NOT EXISTS "quiver_types$t" ("quiver$" BOOLEAN)`, `ALTER TABLE "quiver_types$t" DROP COLUMN IF EXISTS "n"`,
			`ALTER TABLE "quiver_types$t" ADD COLUMN "n" VARCHAR DEFAULT '1700 -1'`}},
	})
	// The cached parse tree is not changed by rewriting.
	st := stmt.Split("drop table if exists a, b")[0]
	_, _ = For("duckdb", "").Rewrite(&st)
	if len(st.Node.GetDropStmt().Objects) != 2 {
		t.Fatal("rewrite changed the statement's own tree")
	}
}
