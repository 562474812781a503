package stmt

import (
	"context"
	"strings"
	"testing"

	"github.com/quiverdb/quiver/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestSplitRespectsQuotesAndComments(t *testing.T) {
	q := "select 'a;b' as x; select $$c;d$$ /* ; */ -- ;\n; ; select \"e;f\" from t"
	st := Split(q)
	if len(st) != 3 {
		t.Fatalf("got %d statements: %+v", len(st), st)
	}
	want := []string{"select 'a;b' as x", "select $$c;d$$ /* ; */ -- ;", `select "e;f" from t`}
	for i, w := range want {
		if st[i].SQL != w {
			t.Errorf("statement %d = %q, want %q", i, st[i].SQL, w)
		}
		if q[st[i].Offset:st[i].Offset+len(st[i].SQL)] != st[i].SQL {
			t.Errorf("statement %d offset %d does not point at its text", i, st[i].Offset)
		}
	}
}

func TestSplitEmpty(t *testing.T) {
	for _, q := range []string{"", "  ", ";", " ; ; ", "-- just a comment", "/* c */ ;"} {
		if st := Split(q); len(st) != 0 {
			t.Errorf("Split(%q) = %+v, want no statements", q, st)
		}
	}
}

func TestSplitUnparsable(t *testing.T) {
	// DuckDB-only syntax: the PostgreSQL parser rejects it, the scanner still splits it.
	st := Split("select 1; from t select x; select 2")
	if len(st) != 3 {
		t.Fatalf("got %d statements", len(st))
	}
	if st[1].Kind != KindUnknown || st[1].ParseErr == nil || st[1].ParseErr.Code != "42601" {
		t.Fatalf("middle statement: %+v", st[1])
	}
	if st[1].ParseErr.Position != 11 {
		t.Errorf("position = %d, want 11 (in the whole string)", st[1].ParseErr.Position)
	}
	if st[0].Tag != "SELECT" || st[2].Tag != "SELECT" {
		t.Errorf("neighbours not classified: %+v %+v", st[0], st[2])
	}
}

func TestParams(t *testing.T) {
	st := Split("select $1, '$7', $3 -- $9\n")
	if st[0].Params != 3 {
		t.Fatalf("Params = %d, want 3", st[0].Params)
	}
}

// TestTagsMatchPostgres runs a corpus on a live PostgreSQL and checks that
// the tag quiver predicts from the parse tree is the tag PostgreSQL sends.
func TestTagsMatchPostgres(t *testing.T) {
	pg := testenv.PG(t)
	db := pg.CreateDB(t)
	ctx := context.Background()
	c := pg.Connect(t, db)
	corpus := []string{
		"create table t (i int primary key, s text default 'x')",
		"insert into t values (1), (2), (3)",
		"insert into t values (4) returning i",
		"update t set s = 'y' where i > 1",
		"delete from t where i = 4",
		"select * from t",
		"values (1), (2)",
		"table t",
		"create table t2 as select * from t",
		"select * into t3 from t",
		"create view v as select i from t",
		"create index t_s on t (s)",
		"create schema sch",
		"create sequence seq",
		"alter table t add column k int",
		"alter table t rename column k to k2",
		"alter table t rename to tt",
		"alter table tt rename to t",
		"comment on table t is 'hello'",
		"create type mood as enum ('a', 'b')",
		"create materialized view mv as select 1 as x",
		"refresh materialized view mv",
		"truncate t2",
		"drop table t2, t3",
		"drop view v",
		"drop index t_s",
		"drop materialized view mv",
		"drop schema sch",
		"drop sequence seq",
		"drop type mood",
		"begin",
		"savepoint a",
		"release a",
		"savepoint b",
		"rollback to b",
		"commit",
		"start transaction isolation level serializable",
		"rollback",
		"set search_path = public",
		"reset search_path",
		"show search_path",
		"explain select 1",
		"analyze t",
		"vacuum t",
		"discard all",
		"begin",
		"declare c cursor for select * from t",
		"fetch 2 from c",
		"move 1 in c",
		"close c",
		"commit",
		"prepare p as select 1",
		"deallocate p",
		"do $$ begin end $$",
		"create function f() returns int language sql as 'select 1'",
		"drop function f()",
		"checkpoint",
		"listen ch",
		"notify ch",
		"unlisten ch",
		"grant select on t to public",
		"revoke select on t from public",
		"copy t to stdout",
		"drop table t",
	}
	for _, q := range corpus {
		st := Split(q)
		if len(st) != 1 {
			t.Fatalf("%q: %d statements", q, len(st))
		}
		mrr := c.Exec(ctx, q)
		res, err := mrr.ReadAll()
		if err != nil {
			t.Fatalf("%q on PostgreSQL: %v", q, err)
		}
		got := res[len(res)-1].CommandTag.String()
		want := got
		if st[0].CountedTag() {
			// Compare the verb only: the count comes from execution.
			fields := strings.Fields(got)
			n := int64(res[len(res)-1].CommandTag.RowsAffected())
			if st[0].TagWithCount(n) != got {
				t.Errorf("%q: quiver tag %q, PostgreSQL %q (fields %v)", q, st[0].TagWithCount(n), got, fields)
			}
			continue
		}
		if st[0].Tag != want {
			t.Errorf("%q: quiver tag %q, PostgreSQL %q", q, st[0].Tag, want)
		}
	}
}

func TestTrailingSemicolon(t *testing.T) {
	for _, q := range []string{"select 1;", "select 1 ; ", "select 1;\n-- c\n"} {
		st := Split(q)
		if len(st) != 1 || st[0].SQL != "select 1" {
			t.Errorf("Split(%q) = %+v", q, st)
		}
	}
}

// TestColumnNamesMatchPostgres compares the names quiver derives with the
// names PostgreSQL reports in RowDescription.
func TestColumnNamesMatchPostgres(t *testing.T) {
	pg := testenv.PG(t)
	ctx := context.Background()
	c := pg.Connect(t, "postgres")
	corpus := []string{
		"select 1, 1.5, 'x', null",
		"select 1::int4, 1::int, 'a'::text, 2::numeric(10,2), 1.5::float8, 'x'::varchar(3)",
		"select timestamp '2020-01-01', date '2020-01-01', interval '1 day', time '01:02'",
		"select abs(-1), pg_catalog.lower('A'), count(*) from (select 1) t",
		"select coalesce(null, 1), nullif(1, 2), greatest(1, 2), least(1, 2)",
		"select case when true then 1 end, case when true then 1 else abs(2) end",
		"select array[1,2], row(1,2), (array[1,2])[1]",
		"select exists(select 1), (select 1 as z), array(select 1)",
		"select current_date is not null, current_user, session_user, current_schema",
		"select 1 + 2, -1, not true, 1 = 1, 'a' || 'b', 1 between 0 and 2",
		"select t.a, a as b from (select 1 as a) t",
		"select *, 1 from (select 1 as a, 2 as b) t",
		"select 1 as x union select 2",
		"select ('1'::text)::int, cast(1 as bigint)",
	}
	for _, q := range corpus {
		st := Split(q)
		head, tail, star, ok := st[0].ColumnNames()
		if !ok {
			t.Fatalf("%q: no names", q)
		}
		res, err := c.Exec(ctx, q).ReadAll()
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		var got []string
		for _, f := range res[0].FieldDescriptions {
			got = append(got, f.Name)
		}
		want := append([]string(nil), head...)
		if star {
			// Compare head and tail around the expansion.
			if len(got) < len(head)+len(tail) {
				t.Fatalf("%q: PostgreSQL has %d columns", q, len(got))
			}
			got = append(got[:len(head)], got[len(got)-len(tail):]...)
			want = append(want, tail...)
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%q: quiver names %v, PostgreSQL %v", q, want, got)
		}
	}
}

func TestParamCasts(t *testing.T) {
	st := Split("select $1::int4 + cast($2 as integer), $3, $4::text[], upper($5::varchar)")
	got := st[0].ParamCasts()
	want := map[int]string{1: "int4", 2: "int4", 5: "varchar"}
	if len(got) != len(want) {
		t.Fatalf("ParamCasts = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("$%d: %q, want %q", k, got[k], v)
		}
	}
}

func TestCreatedTable(t *testing.T) {
	for q, want := range map[string]string{
		"create table s.t as select 1":     "s.t",
		"select 1 as x into t2":            ".t2",
		"create table t3 (i int)":          "",
		"create temp table t4 as select 1": ".t4",
	} {
		sch, name, ok := Split(q)[0].CreatedTable()
		got := ""
		if ok {
			got = sch + "." + name
		}
		if got != want {
			t.Errorf("%q: %q, want %q", q, got, want)
		}
	}
}
