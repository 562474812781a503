package dialect

import (
	"strings"
	"testing"

	"github.com/quiverdb/quiver/stmt"
)

func TestDuckDBRewrites(t *testing.T) {
	r := For("duckdb")
	cases := []struct {
		in   string
		want []string // nil: runs as written
		noop bool
	}{
		{in: "select 1"},
		{in: "drop table if exists a, b cascade", want: []string{"DROP TABLE IF EXISTS a CASCADE", "DROP TABLE IF EXISTS b CASCADE"}},
		{in: "drop table a"},
		{in: "truncate table a, b", want: []string{"TRUNCATE a", "TRUNCATE b"}},
		{in: "create table t (i int) with (fillfactor=100)", want: []string{"CREATE TABLE t (i int)"}},
		{in: "create unlogged table t (i int)", want: []string{"CREATE TABLE t (i int)"}},
		{in: "vacuum analyze t", noop: true},
		{in: "analyze", noop: true},
		{in: "select 'a' OPERATOR(pg_catalog.~) 'b'", want: []string{"SELECT regexp_matches('a', 'b')"}},
		{in: "select x collate pg_catalog.default from t", want: []string{"SELECT x FROM t"}},
	}
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
				t.Errorf("%q: want unchanged, got %+v", c.in, p)
			}
		default:
			if p == nil || strings.Join(p.SQL, "; ") != strings.Join(c.want, "; ") {
				t.Errorf("%q: got %+v, want %q", c.in, p, c.want)
			}
		}
	}
	// The cached parse tree is not changed by rewriting.
	st := stmt.Split("drop table if exists a, b")[0]
	_, _ = r.Rewrite(&st)
	if len(st.Node.GetDropStmt().Objects) != 2 {
		t.Fatal("rewrite changed the statement's own tree")
	}
}
