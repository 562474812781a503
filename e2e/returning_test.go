//go:build duckdb_arrow

package e2e

import (
	"context"
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
