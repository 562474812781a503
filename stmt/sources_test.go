package stmt

import (
	"fmt"
	"strings"
	"testing"
)

func TestColumnSources(t *testing.T) {
	render := func(src Sources) string {
		refs := func(rs []Ref) string {
			var out []string
			for _, r := range rs {
				out = append(out, strings.Join(append(r.Qualifier, r.Column), "."))
			}
			return strings.Join(out, ",")
		}
		tables := func(ts []Table) string {
			var out []string
			for _, t := range ts {
				out = append(out, fmt.Sprintf("%s.%s/%s", t.Schema, t.Name, t.Alias))
			}
			return strings.Join(out, ",")
		}
		return fmt.Sprintf("head[%s] tail[%s] star=%v tables[%s] star[%s]", refs(src.Head), refs(src.Tail), src.Star,
			tables(src.Tables), tables(src.StarTables))
	}
	cases := []struct{ sql, want string }{
		{"select c, t.v, s.t.w, c || 'x', 1 from s.t", "head[c,t.v,s.t.w,,] tail[] star=false tables[s.t/] star[]"},
		{"select * from t", "head[] tail[] star=true tables[.t/] star[.t/]"},
		{"select a.*, b.c from t a join u b using (id)", "head[] tail[b.c] star=true tables[.t/a,.u/b] star[.t/a]"},
		{"select x, * , y from t, (select 1) s", "head[x] tail[y] star=true tables[.t/] star[.t/]"},
		// A WITH query's name is not a table; renamed columns hide the table's.
		{"with w as (select 1 as c) select c from w, t", "head[c] tail[] star=false tables[.t/] star[]"},
		{"select a from t as x(a), u", "head[a] tail[] star=false tables[.u/] star[]"},
		{"insert into t values (1) returning c, *", "head[c] tail[] star=true tables[.t/] star[.t/]"},
	}
	for _, c := range cases {
		sts := Split(c.sql)
		src, ok := sts[0].ColumnSources()
		if got := render(src); !ok || got != c.want {
			t.Errorf("%s:\n got  %s (ok %v)\n want %s", c.sql, got, ok, c.want)
		}
	}
	for _, sql := range []string{
		"select 1",
		"select c from t union select c from u",
		"values (1)",
		"select c from (t join u using (id)) as j",
		"select *, * from t",
		"create table t (c int)",
	} {
		if src, ok := Split(sql)[0].ColumnSources(); ok {
			t.Errorf("%s: ok, %s", sql, render(src))
		}
	}
}

func TestDerivedColumns(t *testing.T) {
	src, ok := Split("with w as (select a, b as bb from t), r as (select * from w) select s.x, w.bb, r.a from (select c as x, * from u) s, w, r")[0].ColumnSources()
	if !ok || len(src.Tables) != 3 {
		t.Fatalf("%v %+v", ok, src)
	}
	for _, c := range []struct {
		table int
		col   string
		want  string
	}{
		{0, "x", "c"},          // a renamed column of the subquery
		{0, "other", "*other"}, // a name its star may give
		{1, "bb", "b"},
		{1, "a", "a"},
		{1, "b", "-"}, // renamed away
		{2, "a", "*a"},
	} {
		ref, star, ok := src.Tables[c.table].Column(c.col)
		got := "-"
		if ok {
			got = ref.Column
			if star {
				got = "*" + got
			}
		}
		if got != c.want {
			t.Errorf("table %d column %s: %s, want %s", c.table, c.col, got, c.want)
		}
	}
	// A WITH query that names itself reads the table of that name.
	src, ok = Split("with t as (select c from t) select c from t")[0].ColumnSources()
	if !ok || len(src.Tables) != 1 || src.Tables[0].Derived == nil || src.Tables[0].Derived.Sources().Tables[0].Derived != nil {
		t.Errorf("self-reference: %v %+v", ok, src)
	}
}
