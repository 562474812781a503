//go:build duckdb_arrow

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestPublicSchemaMatchesPostgres names the public schema, which quiver's
// catalog shows for DuckDB's main, in every place a client writes it (BI
// tools and ORMs qualify each table they read with the schema the catalog
// gave them, pg_dump writes public. everywhere) and runs the script through
// psql on PostgreSQL and on quiver: the output, messages and error
// positions included, must be the same.
func TestPublicSchemaMatchesPostgres(t *testing.T) {
	pg, q := servers(t)
	db := pg.CreateDB(t)
	var script strings.Builder
	for _, s := range []string{
		`create table public.tp(a int, b varchar(5))`,
		`insert into public.tp values (1, 'x')`,
		`insert into "public".tp (a, b) select 2, 'y'`,
		`select * from public.tp order by 1`,
		`select public.tp.a, tp.b from public.tp where public.tp.a > 1`,
		`select t.a from public.tp t join public.tp u on t.a = u.a order by 1`,
		`update public.tp set a = 3 where a = 2`,
		"copy public.tp from stdin;\n7\tz\n\\.",
		`copy public.tp to stdout`,
		`copy (select * from public.tp where a > 1) to stdout (format csv)`,
		`copy (select relname from pg_class where relname = 'tp') to stdout`,
		`comment on table public.tp is 'hello'`,
		`comment on column public.tp.a is 'col'`,
		`\d public.tp`,
		`select obj_description('public.tp'::regclass), col_description('public.tp'::regclass, 1)`,
		`create view public.tpv as select a from public.tp`,
		`select * from public.tpv order by a`,
		`\d+ tpv`,
		`drop view public.tpv`,
		`create type public.mood as enum ('sad', 'ok')`,
		`create table public.tm(m public.mood)`,
		`insert into tm values ('ok')`,
		`select m::public.mood from public.tm`,
		`drop table public.tm`,
		`drop type public.mood`,
		`create schema if not exists public`,
		`create schema public`,
		`alter table public.tp rename to tp2`,
		`select count(*) from public.tp2`,
		`truncate public.tp2`,
		`delete from public.tp2`,
		`drop table public.tp2`,
		`select * from public.nope`,
		`create sequence public.sq`,
		`select nextval('public.sq'), currval('public.sq'::regclass), nextval('sq'::regclass)`,
		`drop sequence public.sq`,
		// What ORMs ask of serial columns and relations.
		`create table public.ts(id serial primary key, v text)`,
		`insert into public.ts(v) values ('a') returning id`,
		`select to_regclass('public.ts') is not null, to_regclass('nope') is null, to_regclass('ts')`,
		`select pg_get_serial_sequence('public.ts', 'id'), pg_get_serial_sequence('ts', 'v')`,
		`select nextval('public.ts_id_seq'::regclass)`,
		`drop table public.ts`,
		// pg_dump's spelling of an index, and btree written out.
		`create table public.ti(a int)`,
		`CREATE INDEX ti_j ON public.ti USING btree (a)`,
		`create index ti_k on ti (a) with (fillfactor = 70)`,
		`drop index public.ti_j`,
		`drop table ti`,
		// A table named Public is not the schema.
		`create table "Public"(x int)`,
		`select * from "Public"`,
		`drop table "Public"`,
		`set search_path = public`,
		`show search_path`,
	} {
		script.WriteString(s)
		if !strings.HasPrefix(s, `\`) && !strings.HasSuffix(s, `\.`) {
			script.WriteString(";")
		}
		script.WriteString("\n")
	}
	// The script's only errors are the two it means to cause (the schema
	// that exists, the table that does not).
	samePsql(t, pg, q, db, script.String(), 2)
}

// TestPublicSchemaExtended names the public schema in statements with
// parameters, run through the extended protocol (Parse, Bind, Describe,
// Execute) on both servers.
func TestPublicSchemaExtended(t *testing.T) {
	pc, qc := connectBoth(t)
	ctx := context.Background()
	compareSteps(t, pc, qc, []string{"create table public.tq (a int, b text)"})
	for _, c := range []struct {
		sql  string
		args [][]byte
	}{
		{"insert into public.tq values ($1, $2)", [][]byte{[]byte("1"), []byte("one")}},
		{"insert into public.tq (a, b) values ($1, $2) returning public.tq.a", [][]byte{[]byte("2"), []byte("two")}},
		{"select public.tq.b from public.tq where a >= $1 order by a", [][]byte{[]byte("1")}},
		{"update public.tq set b = $1 where a = $2", [][]byte{[]byte("deux"), []byte("2")}},
		{"select * from public.tq order by a", nil},
		{"delete from public.tq where a = $1", [][]byte{[]byte("1")}},
	} {
		want := pc.ExecParams(ctx, c.sql, c.args, nil, nil, nil).Read()
		got := qc.ExecParams(ctx, c.sql, c.args, nil, nil, nil).Read()
		if want.Err != nil || got.Err != nil {
			t.Fatalf("%s: PostgreSQL %v, quiver %v", c.sql, want.Err, got.Err)
		}
		if fmt.Sprint(got.Rows) != fmt.Sprint(want.Rows) || got.CommandTag.String() != want.CommandTag.String() {
			t.Errorf("%s:\n PostgreSQL %s %q\n quiver     %s %q", c.sql, want.CommandTag, want.Rows, got.CommandTag, got.Rows)
		}
	}
}

// TestTemporaryTableHidesNotPublic: a temporary table hides a table of the
// same name where the name is written alone, but public.t and pg_temp.t
// always mean the one in that schema (DuckDB looks up main.t in its
// temporary catalog first; quiver names the database). Reads, writes,
// COPY, DDL and errors are compared through psql with PostgreSQL.
func TestTemporaryTableHidesNotPublic(t *testing.T) {
	pg, q := servers(t)
	db := pg.CreateDB(t)
	script := `create table tt(a int primary key, b text);
insert into tt values (1, 'public');
create temp table tt(a int, b text);
insert into tt values (2, 'temp');
select * from tt;
select * from public.tt;
select public.tt.b from public.tt;
select * from pg_temp.tt;
insert into public.tt values (3, 'p3');
update public.tt set b = 'p3x' where a = 3;
select * from public.tt order by a;
delete from public.tt where a = 3;
copy public.tt from stdin;
4	copied
\.
copy public.tt to stdout;
copy pg_temp.tt to stdout;
copy tt to stdout;
alter table public.tt add column c int;
\d public.tt
comment on table public.tt is 'the public one';
select obj_description('public.tt'::regclass);
create table pg_temp.t2(x int);
insert into pg_temp.t2 values (9);
select * from pg_temp.t2;
select relpersistence from pg_class where relname = 't2';
select * from public.nosuch;
select * from pg_temp.nosuch;
drop table pg_temp.t2;
drop table public.tt;
select * from tt;
drop table tt;
select * from tt;
`
	samePsql(t, pg, q, db, script, 3)
}
