//go:build duckdb_arrow

package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/quiverdb/quiver/internal/quivertest"
)

// TestUpdateReturningReferencedMatchesPostgres updates rows of a table
// another table's foreign key references, with RETURNING, as ORMs do for
// every update (Prisma's update(), Rails' and Django's returning forms),
// and upserts them (Prisma's upsert(), Rails' upsert_all).
// DuckDB refuses such an UPDATE for a referenced row, where PostgreSQL
// takes it; both protocols, in and out of transaction blocks.
func TestUpdateReturningReferencedMatchesPostgres(t *testing.T) {
	pc, qc := connectBoth(t)
	compareSteps(t, pc, qc, []string{
		`create table "User" (id serial primary key, email text unique, name text, n int, price numeric(10,2), r real, "updatedAt" timestamp(3))`,
		`insert into "User" (email, name, n, price, r) values ('a@x', 'a', 1, 1.5, 1.5), ('b@x', 'b', 2, 2, 2), ('c@x', 'c', 3, 3, 3)`,
		// Read while no key references the table: the session reads the
		// catalog again once DDL ran.
		`update "User" set n = n where id = 3 returning id`,
		`create table post (id serial primary key, "authorId" int references "User"(id), title text)`,
		`insert into post ("authorId", title) values (1, 'one'), (2, 'two')`,
		`update "User" set name = 'z' where id = 1 returning *`,
		`update "User" set name = upper(name), n = n + 1, price = price * 1.111, r = 1.1 where id = 1 returning id, name, n, price, r`,
		`update public."User" set n = 5 where public."User".id = 2 returning public."User".id, "User".n, n * 2 as twice`,
		`update "User" u set n = u.n * 10 where u.id < 3 returning u.*, (select count(*) from post p where p."authorId" = u.id) as posts`,
		`update "User" set name = 'none' where id = 99 returning id`,
		`update "User" set n = 'abc' where id = 1 returning id`,
		`update "User" set price = 123456789012 where id = 1 returning id`,
		`update "User" set price = 123456789012 where id = 1`,
		// Upserts: Rails' upsert_all, a row already there and a new one.
		`insert into "User" (email, name) values ('b@x', 'bb'), ('d@x', 'dd') on conflict (email) do update set name = excluded.name || '!' returning id, email, name`,
		`insert into "User" as u (email, n) values ('a@x', 1) on conflict (email) do update set n = u.n + excluded.n returning *`,
		`insert into "User" (email, name) values ('a@x', 'no') on conflict (email) do update set name = excluded.name where "User".email = 'zz' returning id`,
		`begin`,
		`update "User" set name = 'in tx' where id = 2 returning name, n`,
		`select name from "User" where id = 2`,
		`rollback`,
		`select id, email, name, n, price, r from "User" order by id`,
	})
	ctx := context.Background()
	for _, step := range []struct {
		sql  string
		args [][]byte
	}{
		// Prisma's update(): qualified names, the new values as parameters.
		{`UPDATE "public"."User" SET "name" = $1, "updatedAt" = $2 WHERE ("public"."User"."id" = $3 AND 1=1) RETURNING "public"."User"."id", "public"."User"."email", "public"."User"."name", "public"."User"."updatedAt"`,
			[][]byte{[]byte("prisma"), []byte("2024-05-06 07:08:09.123"), []byte("1")}},
		{`update "User" set n = n + $1 where id = $2 returning n, $3::text as note`, [][]byte{[]byte("7"), []byte("2"), []byte("hi")}},
		{`update "User" set price = $1 where email = $2 returning price`, [][]byte{[]byte("9.999"), []byte("c@x")}},
		{`update "User" set n = $1 where id = 1 returning n`, [][]byte{[]byte("x")}},
		// Prisma's upsert(), of a row already there and of a new one.
		{`INSERT INTO "public"."User" ("email","name") VALUES ($1,$2) ON CONFLICT ("email") DO UPDATE SET "name" = $3 WHERE ("public"."User"."email" = $4 AND 1=1) RETURNING "public"."User"."id", "public"."User"."email", "public"."User"."name"`,
			[][]byte{[]byte("b@x"), []byte("created"), []byte("updated"), []byte("b@x")}},
		{`INSERT INTO "public"."User" ("email","name") VALUES ($1,$2) ON CONFLICT ("email") DO UPDATE SET "name" = $3 WHERE ("public"."User"."email" = $4 AND 1=1) RETURNING "public"."User"."id", "public"."User"."email", "public"."User"."name"`,
			[][]byte{[]byte("f@x"), []byte("created"), []byte("updated"), []byte("f@x")}},
		// A parameter in RETURNING, which DuckDB cannot bind there, of a
		// table no key references.
		{`update post set title = $1 where id = $2 returning title, $3::int + 1 as next`, [][]byte{[]byte("new"), []byte("1"), []byte("41")}},
		{`select id, email, name, n, price, "updatedAt" from "User" order by id`, nil},
	} {
		want := resultOutcome(pc.ExecParams(ctx, step.sql, step.args, nil, nil, nil).Read(), pc)
		got := resultOutcome(qc.ExecParams(ctx, step.sql, step.args, nil, nil, nil).Read(), qc)
		if got != want {
			t.Errorf("%q\n PostgreSQL: %s\n quiver:     %s", step.sql, want, got)
		}
	}
}

// TestUpdateReturningAfterOtherSessionsDDL updates, with RETURNING, a row
// of a table that another session's foreign key came to reference after
// this session had read that none did.
func TestUpdateReturningAfterOtherSessionsDDL(t *testing.T) {
	q := quivertest.Start(t)
	a, b := q.Connect(t), q.Connect(t)
	ctx := context.Background()
	run := func(c *pgconn.PgConn, sql string) string {
		t.Helper()
		res, err := c.Exec(ctx, sql).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		if len(res) == 0 || len(res[0].Rows) == 0 {
			return ""
		}
		return string(res[0].Rows[0][0])
	}
	run(a, "create table parent (id int primary key, name text)")
	run(a, "insert into parent values (1, 'a')")
	run(a, "update parent set name = 'b' where id = 1 returning name")
	run(b, "create table child (id int primary key, pid int references parent(id))")
	run(b, "insert into child values (1, 1)")
	if got := run(a, "update parent set name = 'c' where id = 1 returning name"); got != "c" {
		t.Fatalf("returned %q, want c", got)
	}
}

// TestUpsertRepeatedKeyMatchesPostgres: an INSERT ... ON CONFLICT DO
// UPDATE whose rows repeat a key fails with PostgreSQL's 21000 and keeps
// nothing, where DuckDB alone keeps the first row and drops the others;
// other upserts write, and return, their rows in their order. Simple and
// extended protocol, parameters untyped as pgx sends them with none given.
func TestUpsertRepeatedKeyMatchesPostgres(t *testing.T) {
	pc, qc := connectBoth(t)
	ctx := context.Background()
	onBoth(t, pc, qc, "drop table if exists upc, upr, upk, upl",
		"create table upl (k int primary key, ts timestamptz, a int[], j jsonb, n numeric(10,2), b bool, c char(3), vc varchar(4))",
		"create table upk (k int primary key, v int, w text)",
		"create table upr (a int, b text, v int, primary key (a, b))",
		"create table upc (id int primary key, k int references upk (k))")
	compareSteps(t, pc, qc, []string{
		"insert into upk (k, v) values (1, 1), (1, 2) on conflict (k) do update set v = excluded.v",
		"insert into upk (k, v) values (3, 1), (4, 2) on conflict (k) do update set v = excluded.v returning *",
		"insert into upk (k, v) values (3, 5), (3 + 0, 6) on conflict (k) do update set v = excluded.v returning *",
		"insert into upk (k, v) select g % 2, g from generate_series(1, 3) g on conflict (k) do update set v = excluded.v",
		"insert into upk (k, v) select g, g from generate_series(9, 5, -1) g order by g desc on conflict (k) do update set v = excluded.v returning k, v",
		"insert into upk (k, v, w) values (10, 1, 'a'), (11, 2, default) on conflict (k) do update set v = excluded.v",
		"insert into upk (k, v) values (3, 7), (3, 8) on conflict (k) do nothing",
		// A referenced table's upsert with RETURNING runs as two statements.
		"insert into upc values (1, 3)",
		"insert into upk (k, v) values (3, 9), (3, 10) on conflict (k) do update set v = excluded.v returning *",
		"insert into upk (k, v) values (3, 9), (12, 10) on conflict (k) do update set v = excluded.v returning *",
		"insert into upr (b, a, v) values ('q', 2, 1), ('q', 2, 2) on conflict (a, b) do update set v = excluded.v where upr.v > 100",
		"insert into upr (a, b, v) values (1, 'x', 1), (1, 'y', 2), (null, 'x', 3) on conflict (a, b) do update set v = excluded.v",
		"select * from upk order by k",
		"select * from upr order by a, b",
		// Queries of other widths than the column list.
		"insert into upk (k, v) select 30, 1, 2 on conflict (k) do update set v = excluded.v",
		"insert into upk (k, v) select 30 on conflict (k) do update set v = excluded.v",
		// Constants that PostgreSQL reads by their column's type.
		"insert into upl (k, ts, a, j, n, b, c, vc) values (1, '2024-06-01 12:00+02', '{1,2}', '{\"x\": 1}', 1.5, 't', 'ab', 'abc'), " +
			"(2, '2024-06-01 12:00:00', '{}', '[1]', '2', 'false', 'x', 'x') on conflict (k) do update set ts = excluded.ts returning *",
		"insert into upl (k, vc) values (3, 'abcde'), (4, 'x') on conflict (k) do update set vc = excluded.vc",
		"select * from upl order by k",
	})
	// Parameters: DuckDB types them by their columns, so their rows are
	// checked once bound (upsert.go in package dialect), and the statement
	// is described and runs as PostgreSQL's.
	const upsert = "insert into upk (k, v, w) values ($1, $2, $3), ($4, $5, $6) on conflict (k) do update set v = excluded.v returning k, v, w"
	w, err := pc.Prepare(ctx, "", upsert, nil)
	if err != nil {
		t.Fatal(err)
	}
	g, err := qc.Prepare(ctx, "", upsert, nil)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(g.ParamOIDs, len(g.Fields)) != fmt.Sprint(w.ParamOIDs, len(w.Fields)) {
		t.Errorf("described: got %v %d, want %v %d", g.ParamOIDs, len(g.Fields), w.ParamOIDs, len(w.Fields))
	}
	for _, args := range [][][]byte{
		{[]byte("20"), []byte("1"), []byte("a"), []byte("21"), []byte("2"), nil},
		{[]byte("22"), []byte("1"), []byte("a"), []byte("22"), []byte("2"), nil},
		{[]byte("25"), []byte("1"), []byte("a"), []byte("025"), []byte("2"), nil},
	} {
		want := resultOutcome(pc.ExecParams(ctx, upsert, args, nil, nil, nil).Read(), pc)
		got := resultOutcome(qc.ExecParams(ctx, upsert, args, nil, nil, nil).Read(), qc)
		if got != want {
			t.Errorf("%s %q:\n got  %s\n want %s", upsert, args, got, want)
		}
	}
	// A key with a constant, and SQL's PREPARE and EXECUTE.
	compareSteps(t, pc, qc, []string{
		"prepare up2 (int, int) as insert into upk (k, v) values ($1, $2), (23, 0) on conflict (k) do update set v = excluded.v",
		"execute up2 (23, 1)",
		"execute up2 (24, 1)",
		"deallocate up2",
	})
	compareSteps(t, pc, qc, []string{"select * from upk where k >= 20 order by k"})
}
