package dialect

import (
	"testing"

	"github.com/quiverdb/quiver/stmt"
)

// TestPublicIsMain: every place a statement names the public schema names
// DuckDB's main in what DuckDB runs; strings, quoted "Public" and other
// schemas are left alone.
func TestPublicIsMain(t *testing.T) {
	cases := []rewriteCase{
		{in: "select * from public.t", want: []string{"SELECT * FROM main.t"}},
		{in: `select public.t.a, t.b from "public".t join s.u on true`, want: []string{"SELECT main.t.a, t.b FROM main.t JOIN s.u ON true"}},
		{in: "select public.t.* from public.t", want: []string{"SELECT main.t.* FROM main.t"}},
		{in: "insert into public.t values (1)", want: []string{"INSERT INTO main.t VALUES (1)"}},
		{in: "select public.f(1)::public.mood", want: []string{"SELECT main.f(1)::main.mood"}},
		{in: "select nextval('public.s'), currval('public.s'::regclass)", want: []string{"SELECT nextval('main.s'), currval('main.s')"}},
		{in: "alter table t set schema public", want: []string{"ALTER TABLE t SET SCHEMA main"}},
		{in: "drop schema public", want: []string{"DROP SCHEMA main"}},
		{in: "comment on column public.t.a is 'x'", want: []string{"COMMENT ON COLUMN main.t.a IS 'x'"}},
		{in: "comment on table public.t is 'x'", want: []string{"COMMENT ON TABLE main.t IS 'x'"}},
		{in: "create index i on public.t using btree (a)", want: []string{"CREATE INDEX i ON main.t (a)"}},
		{in: "create index i on t (a)", want: []string{"CREATE INDEX i ON t (a)"}},
		{in: `create index "t_b_like" on "t" ("b" varchar_pattern_ops, c text_pattern_ops desc)`, want: []string{`CREATE INDEX t_b_like ON t (b, c DESC)`}},
		{in: "select 'public.t', public from t where x = 'public'"},
		{in: `select * from "Public".t`},
		{in: "select * from s.public"},
		{in: "create schema if not exists public", noop: true},
	}
	checkRewrites(t, cases)
	checkRewrites(t, cases) // again, from publicMapped's cache
	st := splitOne(t, "create schema public")
	if _, err := For("duckdb", "").Rewrite(st); err == nil || !containsFold(err.Error(), "already exists") {
		t.Errorf("create schema public: %v, want already exists", err)
	}
}

func splitOne(t *testing.T, sql string) *stmt.Statement {
	t.Helper()
	sts := stmt.Split(sql)
	if len(sts) != 1 {
		t.Fatalf("%q: %d statements", sql, len(sts))
	}
	return &sts[0]
}

// TestPublicNamesDatabase: with the engine's database known, a relation of
// public is named with it and one of pg_temp with DuckDB's temp, so that
// neither reaches a table of the other schema; a view's definition keeps
// main, and OWNED BY, which takes no database, too.
func TestPublicNamesDatabase(t *testing.T) {
	r := For("duckdb", "memory")
	for _, c := range []struct{ in, want string }{
		{"select public.t.a from public.t", "SELECT main.t.a FROM memory.main.t"},
		{"insert into public.t values (1)", "INSERT INTO memory.main.t VALUES (1)"},
		{"update pg_temp.t set a = 1", "UPDATE temp.main.t SET a = 1"},
		{"select * from pg_temp_3.t", "SELECT * FROM temp.main.t"},
		{"create table pg_temp.x (a int)", "CREATE TEMPORARY TABLE temp.main.x (a int)"},
		{"drop table public.t", "DROP TABLE memory.main.t"},
		{"drop view pg_temp.v", "DROP VIEW temp.main.v"},
		{"comment on column public.t.a is 'x'", "COMMENT ON COLUMN memory.main.t.a IS 'x'"},
		{"create view public.v as select * from public.t", "CREATE VIEW main.v AS SELECT * FROM main.t"},
		{"select * from pg_temporary.t", ""},
		{"select public.f(1)", "SELECT main.f(1)"},
	} {
		st := splitOne(t, c.in)
		p, err := r.Rewrite(st)
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		got := ""
		if p != nil {
			got = p.SQL[0] // the first; the others keep declared types
		}
		if got != c.want {
			t.Errorf("%s:\n got  %q\n want %q", c.in, got, c.want)
		}
	}
	if got := (duckdb{database: "memory"}).EngineRelation("public", "t"); got != `"memory"."main"."t"` {
		t.Errorf("EngineRelation(public, t) = %s", got)
	}
	if got := (duckdb{database: "memory"}).EngineRelation("", "t"); got != `"t"` {
		t.Errorf("EngineRelation(\"\", t) = %s", got)
	}
}
