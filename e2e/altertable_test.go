//go:build duckdb_arrow

package e2e

import (
	"context"
	"strings"
	"testing"
)

// TestAddConstraintMatchesPostgres adds foreign keys and checks to tables
// that hold rows, as pg_dump's output and pgbench -i --foreign-keys do,
// through psql on PostgreSQL and on quiver, which makes the table again on
// DuckDB: the same names (given, and PostgreSQL's chosen ones, numbered),
// the same errors for rows that break the constraint, for a missing or
// non-unique referenced key and for a name taken, then the constraints
// enforced with PostgreSQL's messages, and the tables keeping their rows,
// serial sequences (going on from where they were), indexes, comments and
// the tables referencing them; inside a transaction block, with a
// savepoint rolled back to, and rolled back.
func TestAddConstraintMatchesPostgres(t *testing.T) {
	pg, q := servers(t)
	db := pg.CreateDB(t)
	script := `
create table customers (id serial primary key, cname text not null);
comment on table customers is 'who buys';
comment on column customers.cname is 'full name';
create table orders (id serial primary key, cid int, total int, note varchar(20));
create index orders_total on orders (total);
create unique index orders_note_key on orders (note);
create table items (id int, oid int, qty int);
insert into customers (cname) values ('ann'), ('bob');
insert into orders (cid, total, note) values (1, 10, 'a'), (2, 20, 'b'), (null, 1, 'c');
insert into items values (1, 1, 2), (2, 3, 1);
alter table items add constraint items_oid_fkey foreign key (oid) references orders (id);
alter table orders add check (total > 0);
alter table orders add constraint orders_total_check check (total < 1000);
alter table orders add check (total < 1000);
alter table orders add check (total > 5);
alter table orders add foreign key (cid) references customers;
alter table orders add foreign key (cid) references customers (cname);
alter table orders add foreign key (cid) references nosuch;
alter table items add check (qty > 1);
alter table customers add check (length(cname) < 10);
alter table items add constraint twice check (qty < 10), add constraint twice_too check (qty < 20);
insert into customers (cname) values ('cat');
insert into orders (cid, total, note) values (3, 5, 'd');
insert into orders (cid, total, note) values (7, 5, 'e');
insert into orders (cid, total, note) values (1, 6, 'a');
delete from customers where id = 2;
update items set oid = 9 where id = 1;
select * from customers order by id;
select id, cid, total, note from orders order by id;
select * from items order by id;
select obj_description('customers'::regclass), col_description('customers'::regclass, 2);
select conrelid::regclass, conname, contype, pg_get_constraintdef(oid) from pg_constraint
  where conrelid in ('customers'::regclass, 'orders'::regclass, 'items'::regclass) order by conrelid::regclass::text, conname;
select indexrelid::regclass, indisunique from pg_index where indrelid = 'orders'::regclass order by indexrelid::regclass::text;
\d items
begin;
alter table items add constraint small check (qty < 50);
savepoint s1;
insert into items values (3, 2, 7);
rollback to s1;
insert into items values (4, 2, 8);
commit;
begin;
alter table items add constraint tiny check (qty < 5);
rollback;
select * from items order by id;
select conname from pg_constraint where conrelid = 'items'::regclass order by 1;
create table u1 (a int, b int);
insert into u1 values (1, 1), (1, 2), (null, 3), (null, 3);
alter table u1 add unique (a);
alter table u1 add unique (a, b);
alter table u1 add constraint u1_b unique (b);
create table u2 (x int, y int, foreign key (x, y) references u1 (a, b));
insert into u1 values (1, 1);
insert into u2 values (1, 2);
insert into u2 values (2, 2);
\d u1
`
	// The errors: a name taken, a row breaking each of two checks, no
	// unique key, no table, then an insert breaking a foreign key, a
	// duplicate, a delete and an update breaking foreign keys, and a row
	// breaking a check in a transaction block; then duplicates refusing two
	// unique constraints, and an insert breaking each of the unique
	// constraint added and a foreign key that references it.
	samePsql(t, pg, q, db, script, 14)

	// pgbench's foreign keys, on the tables its -i makes.
	c := q.Connect(t)
	ctx := context.Background()
	for _, sql := range []string{
		"create table pgbench_branches (bid int not null primary key, bbalance int, filler char(88))",
		"create table pgbench_tellers (tid int not null primary key, bid int, tbalance int, filler char(84))",
		"create table pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22))",
		"insert into pgbench_branches values (1, 0, null)",
		"insert into pgbench_tellers select t, 1, 0, null from range(1, 11) r(t)",
		"insert into pgbench_history values (1, 1, 1, 5, now(), null)",
		"alter table pgbench_tellers add constraint pgbench_tellers_bid_fkey foreign key (bid) references pgbench_branches",
		"alter table pgbench_history add constraint pgbench_history_bid_fkey foreign key (bid) references pgbench_branches",
		"alter table pgbench_history add constraint pgbench_history_tid_fkey foreign key (tid) references pgbench_tellers",
	} {
		if _, err := c.Exec(ctx, sql).ReadAll(); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	wantCodes(t, c, false, []codeStep{
		{"insert into pgbench_history values (11, 1, 1, 5, now(), null)", "23503"},
		{"insert into pgbench_history values (10, 1, 1, 5, now(), null)", ""},
		{"delete from pgbench_branches", "23503"},
		{"select count(*) from pgbench_tellers where bid = 1", ""},
	})
}

// TestDropConstraintMatchesPostgres drops constraints, which DuckDB cannot
// (the table is made again without them), through psql on both servers:
// a primary key that a foreign key references (refused, then with
// CASCADE, dropping the foreign key too; its column stays NOT NULL), named
// and unnamed checks (the others keep their names), a unique constraint
// that ALTER TABLE added (a unique index on DuckDB), a missing one (with
// and without IF EXISTS), and drops and adds in one statement. Then DROP
// TABLE of a table that foreign keys reference: refused, alone and with
// another table (which stays), then with CASCADE, which drops the foreign
// keys; and a foreign key to columns without a unique constraint.
func TestDropConstraintMatchesPostgres(t *testing.T) {
	pg, q := servers(t)
	db := pg.CreateDB(t)
	samePsql(t, pg, q, db, `
create table p3 (id int primary key, k int, v int, constraint p3_kv unique (k, v), constraint c_one check (v > 0), check (k > 0),
  constraint c_three check (v < 100));
create table c3 (x int references p3, k int, v int, foreign key (k, v) references p3 (k, v), y int constraint cy check (y > 0));
insert into p3 values (1, 1, 1), (2, 2, 2); insert into c3 values (1, 1, 1, 1);
alter table p3 drop constraint p3_pkey;
alter table p3 drop constraint p3_pkey cascade;
alter table p3 drop constraint c_one;
\d p3
\d c3
insert into p3 values (3, 3, -1);
insert into c3 values (9, null, null, 1);
alter table p3 add constraint p3_k_uniq unique (k);
alter table p3 drop constraint p3_k_uniq;
alter table p3 drop constraint p3_kv cascade;
alter table c3 drop constraint cy;
alter table c3 drop constraint nosuch;
alter table c3 drop constraint if exists nosuch;
\d p3
\d c3
alter table p3 add check (v > 0), drop constraint c_three;
alter table p3 add check (v < 1000), drop constraint c_three;
select conname, pg_get_constraintdef(oid) from pg_constraint where conrelid = 'p3'::regclass order by conname;
select * from p3 order by id;
select * from c3 order by x;
create table p4 (id int primary key, k int unique);
create table c4 (a int references p4, b int references p4 (k), c int);
create table c5 (a int references p4, c int references c4 (a));
create table c7 (a int references p4);
create table c6 (a int);
drop table p4;
drop table c6, p4;
drop table p4 cascade;
\d c4
\d c7
select * from c6;
`, 6)
}

// TestLockTableMatchesPostgres runs LOCK TABLE, which DuckDB has not,
// through psql on both servers: refused outside a transaction block,
// accepted inside one in every form (quiver runs one block at a time,
// which holds every lock), and failing for a relation that does not
// exist. The extended protocol follows the same rule.
func TestLockTableMatchesPostgres(t *testing.T) {
	pg, q := servers(t)
	db := pg.CreateDB(t)
	samePsql(t, pg, q, db, `
create table lk (a int);
create view lkv as select * from lk;
lock table lk;
begin; lock table lk in share mode; lock lk, lkv; lock table only lk in access exclusive mode nowait; commit;
begin; lock nosuch; rollback;
begin; lock public.lk; lock table public.nosuch; rollback;
`, 3)
	wantCodes(t, q.Connect(t), true, []codeStep{
		{"lock table lk", "25P01"},
		{"begin", ""},
		{"lock table lk in exclusive mode", ""},
		{"commit", ""},
	})
}

// TestDeferrableForeignKeys runs the DDL Django writes for a foreign key
// (ADD CONSTRAINT ... DEFERRABLE INITIALLY DEFERRED, which DuckDB does not
// take) on quiver: the constraint is made, checked at once, with a
// WARNING saying so, in ALTER TABLE and in CREATE TABLE; a foreign key
// whose column's type differs from the referenced one's, which DuckDB
// refuses, is 0A000.
func TestDeferrableForeignKeys(t *testing.T) {
	_, q := servers(t)
	out := psqlRun(t, q.Host, q.Port, "me", "quiver", `
CREATE TABLE "app_author" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "name" varchar(100) NOT NULL);
CREATE TABLE "app_book" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "title" varchar(200) NOT NULL, "author_id" bigint NOT NULL);
ALTER TABLE "app_book" ADD CONSTRAINT "app_book_author_id_fk" FOREIGN KEY ("author_id") REFERENCES "app_author" ("id") DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX "app_book_author_id" ON "app_book" ("author_id");
create table app_note (a bigint references app_author deferrable initially deferred, b bigint, foreign key (b) references app_author deferrable);
insert into app_author (name) values ('a');
insert into app_book (title, author_id) values ('t', 1);
\set VERBOSITY sqlstate
insert into app_book (title, author_id) values ('t', 2);
insert into app_note values (1, 3);
create table app_mixed (a int references app_author);
select conname from pg_constraint where contype = 'f' order by 1;
`)
	for _, want := range []string{
		"WARNING:  DEFERRABLE is ignored on DuckDB",
		"ERROR:  23503\nERROR:  23503\nERROR:  0A000\n",
		"app_book_author_id_fk\n app_note_a_fkey\n app_note_b_fkey\n(3 rows)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("want %q in:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "WARNING:"); n != 2 {
		t.Errorf("%d warnings, want 2 (ALTER TABLE, CREATE TABLE):\n%s", n, out)
	}
}

// TestTruncateForeignKeysMatchesPostgres truncates tables that foreign
// keys join, through psql on both servers: a referenced table alone is
// refused, with the referencing one it works (children first, each
// committed on its own: DuckDB cannot empty a table whose keys rows the
// same transaction deleted referenced), CASCADE adds the referencing
// tables with PostgreSQL's NOTICE, and unrelated tables truncate together
// in a transaction block. Inside one, a referenced table and its
// referencing table are refused on DuckDB (25001).
func TestTruncateForeignKeysMatchesPostgres(t *testing.T) {
	pg, q := servers(t)
	db := pg.CreateDB(t)
	samePsql(t, pg, q, db, `
create table tp10 (id int primary key);
create table tc10 (x int unique references tp10);
create table tg10 (y int references tc10 (x));
create table tu10 (z int);
insert into tp10 values (1); insert into tc10 values (1); insert into tg10 values (1); insert into tu10 values (1);
truncate tp10;
truncate tp10, tc10;
truncate tg10, tp10, tc10;
select (select count(*) from tp10), (select count(*) from tc10), (select count(*) from tg10);
insert into tp10 values (1); insert into tc10 values (1); insert into tg10 values (1);
truncate tp10 cascade;
select (select count(*) from tp10), (select count(*) from tc10), (select count(*) from tg10);
insert into tp10 values (2);
begin;
truncate tu10, tg10;
commit;
select (select count(*) from tp10), (select count(*) from tu10);
truncate nosuch, tp10;
`, 3)
	wantCodes(t, q.Connect(t), false, []codeStep{
		{"begin", ""},
		{"truncate tp10, tc10, tg10", "25001"},
		{"rollback", ""},
	})
}

// TestForeignKeyActions declares foreign keys with ON DELETE and ON UPDATE
// actions, which DuckDB has none of: quiver keeps the foreign key as NO
// ACTION with a WARNING naming each action dropped, so schemas that
// declare cascades load, and a delete that PostgreSQL would cascade fails
// with 23503 instead. The violation names the foreign key of the table
// that has the referencing row, as PostgreSQL does, when several tables
// refer to the key with columns of the same name.
func TestForeignKeyActions(t *testing.T) {
	pg, q := servers(t)
	db := pg.CreateDB(t)
	samePsql(t, pg, q, db, `
create table fkp (id int primary key);
create table fka (id int, pid int references fkp);
create table fkb (id int, pid int references fkp);
insert into fkp values (1), (2);
insert into fkb values (1, 2);
insert into fka values (1, 1);
delete from fkp where id = 2;
delete from fkp where id = 1;
`, 2)
	out := psqlRun(t, q.Host, q.Port, "me", "quiver", `
create table fkq (id int primary key);
create table fkc (id int, pid int references fkq on delete cascade on update set null);
create table fkd (id int, pid int, foreign key (pid) references fkq (id) on delete set default);
create table fke (id int, pid int);
alter table fke add constraint fke_pid_fkey foreign key (pid) references fkq on delete set null;
insert into fkq values (1);
insert into fkc values (1, 1);
\set VERBOSITY sqlstate
delete from fkq;
\set VERBOSITY default
select conname, confupdtype, confdeltype, pg_get_constraintdef(oid) from pg_constraint where conrelid in ('fkc'::regclass, 'fkd'::regclass, 'fke'::regclass) order by 1;
select count(*) from fkq;
`)
	for _, want := range []string{
		"WARNING:  ON DELETE CASCADE is ignored on DuckDB: a referenced key cannot be deleted while rows refer to it (NO ACTION)",
		"WARNING:  ON UPDATE SET NULL is ignored on DuckDB: a referenced key cannot be updated while rows refer to it (NO ACTION)",
		"WARNING:  ON DELETE SET DEFAULT is ignored on DuckDB",
		"WARNING:  ON DELETE SET NULL is ignored on DuckDB",
		"ERROR:  23503\n",
		` fkc_pid_fkey | a           | a           | FOREIGN KEY (pid) REFERENCES fkq(id)
 fkd_pid_fkey | a           | a           | FOREIGN KEY (pid) REFERENCES fkq(id)
 fke_pid_fkey | a           | a           | FOREIGN KEY (pid) REFERENCES fkq(id)
(3 rows)`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("want %q in:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "WARNING:"); n != 4 {
		t.Errorf("%d warnings, want 4:\n%s", n, out)
	}
	if !strings.Contains(out, "count \n-------\n     1\n") {
		t.Errorf("the referenced row was deleted:\n%s", out)
	}
}

// TestAlterTableAddColumnMatchesPostgres adds columns with constraints,
// which DuckDB takes none of in ADD COLUMN (quiver adds them after the
// column: SET NOT NULL, and the constraints as ADD CONSTRAINT does), and
// runs ALTER TABLE with several commands, which DuckDB takes one at a
// time, and SET CONSTRAINTS, which Django sends after adding a foreign key:
// psql prints the same on both servers, errors and \d included.
func TestAlterTableAddColumnMatchesPostgres(t *testing.T) {
	pg, q := servers(t)
	db := pg.CreateDB(t)
	samePsql(t, pg, q, db, `
create table acp (id bigint primary key, name text);
create table acc (id integer primary key, title text);
insert into acp values (1, 'a');
insert into acc values (1, 't');
alter table acc add column pid bigint null constraint acc_pid_fk references acp (id); set constraints acc_pid_fk immediate;
alter table acc add column code text unique;
alter table acc add column pages integer default 0 not null check (pages >= 0);
alter table acc add column flag boolean not null;
alter table acc add column x integer, add column y integer default 7;
alter table acc add column z integer default 1, alter column z set not null, add constraint acc_z_check check (z > 0);
begin;
set constraints all immediate;
commit;
set constraints all immediate;
insert into acc (id, title, pid) values (2, 'u', 9);
insert into acc (id, title, pages) values (3, 'v', -1);
insert into acc (id, title, code) values (4, 'w', null), (5, 'w', null);
insert into acc (id, title, code) values (6, 'w', 'c');
insert into acc (id, title, code) values (7, 'w', 'c');
select * from acc order by id;
\d acc
`, 4)
}

// TestFailingRowMatchesPostgres checks the DETAIL of NOT NULL and CHECK
// violations by an INSERT ... VALUES of one row, which DuckDB's errors do
// not have: PostgreSQL's "Failing row contains (...)", every column as its
// output function prints it, defaults filled in (a serial column's with
// the value the failing row took), values cut to 64 bytes.
func TestFailingRowMatchesPostgres(t *testing.T) {
	pg, q := servers(t)
	db := pg.CreateDB(t)
	samePsql(t, pg, q, db, `
create table frt (id serial primary key, a int not null, b text, c numeric(6,2) default 1.5,
  d timestamp default '2020-01-02 03:04:05', e varchar(100) check (length(e) < 70), f boolean default true);
insert into frt (a, b) values (1, 'x');
insert into frt (a, b) values (null, 'y');
insert into frt values (default, null);
insert into frt (b, a) values ('it''s', 2 + null);
insert into frt (a, e) values (3, repeat('é', 80));
insert into frt (a, e, f) values (4, repeat('x', 70), false);
insert into frt (a, b) values (5, 'ok');
select * from frt order by id;
`, 5)
}

// TestFailingRowOfQueriesMatchesPostgres checks the DETAIL of NOT NULL and
// CHECK violations by an UPDATE (with an alias, DEFAULT, FROM), an INSERT
// ... SELECT and an INSERT ... VALUES of several rows: the first row the
// statement would have written that fails, char(n) values padded.
func TestFailingRowOfQueriesMatchesPostgres(t *testing.T) {
	pg, q := servers(t)
	db := pg.CreateDB(t)
	samePsql(t, pg, q, db, `create table up(id int primary key, a int check (a > 0), b varchar(5) not null default 'd', c int unique, d numeric(6,2) default 1.5, e char(3));
insert into up values (1, 1, 'x', 1, 2, 'ab'), (2, 2, 'y', 2, 3, 'cd'), (3, 3, 'z', 3, 4, null);
update up set a = -1 where id = 1;
update up set b = null where id = 2;
update up u set a = u.a - 2, b = b || '!' where u.id >= 2;
update up set a = 10, b = default where c = 3;
select * from up order by id;
insert into up select 4, -5, 'z', 4;
insert into up (id, a, c) select 5, x, 5 from (values (3), (-3)) v(x);
insert into up (id, b, c) select 6, null, 6;
insert into up values (7, 1, 'q', 7), (8, -1, 'r', 8);
create table up2(k int, v int);
insert into up2 values (1, -7), (2, 5);
update up set a = up2.v from up2 where up2.k = up.id;
`, 8)
}

// TestAlterTableAddColumnDefaultMatchesPostgres checks ADD COLUMN with a
// default DuckDB does not take as a literal (false, a cast, a function
// call), which DuckDB makes several statements of: the existing rows get
// the default's value once, or one each for a volatile default, as in
// PostgreSQL, in and out of a transaction block, with NOT NULL and IF NOT
// EXISTS.
func TestAlterTableAddColumnDefaultMatchesPostgres(t *testing.T) {
	pg, q := servers(t)
	db := pg.CreateDB(t)
	samePsql(t, pg, q, db, `
create table adp (id integer primary key);
create table adc (id integer primary key, p integer references adp (id));
insert into adp values (1), (2), (3);
insert into adc values (1, 1);
alter table adp add column b boolean default false;
alter table adp add column c text default 'x'::text not null;
alter table adp add column d date default '2020-01-02'::date + 1;
alter table adp add column e text default md5('a'), add column f integer default 2 * 3 not null;
alter table adp add column g numeric(10,2) default (1.5)::numeric;
alter table adp add column h integer[] default '{1,2}'::integer[];
alter table adp add column i integer default null::integer;
alter table adp add column j double precision default random() not null;
alter table adp add column if not exists b integer default 1 + 1;
alter table adp add column if not exists k integer default 1 + 1;
begin;
alter table adc add column flag boolean default true not null;
alter table adc alter column flag drop default;
commit;
begin;
alter table adc add column gone varchar(5) default 'a'::character varying;
rollback;
alter table adp add column l integer default 'zz'::integer;
select id, b, c, d, e, f, g, h, i, k, j < 1 as jok from adp order by id;
select count(distinct j) as js from adp;
alter table adp alter column k set not null;
alter table adp alter column k drop not null, alter column f type bigint;
alter table adp drop column g;
alter table adp drop column id;
insert into adc values (2, 9, true);
insert into adc values (3, 3, false);
insert into adp (id) values (4);
select id, b, c, d, e, f, h, i, k from adp where id = 4;
select * from adc order by id;
\d adc
alter table adp add column s serial, add column u uuid default gen_random_uuid() not null;
alter table adp add column big bigserial;
alter table adp rename column c to cc;
insert into adp (id) values (5);
select id, s, big, u is not null as u, cc from adp order by id;
select count(distinct u) from adp;
select column_name, data_type, is_nullable from information_schema.columns where table_name = 'adp' order by column_name;
`, 3)
	// DuckDB renames neither a column that another table's foreign key
	// references nor the table: quiver makes the referencing table again
	// with its key on the new names, and the key still holds.
	c := q.Connect(t)
	wantCodes(t, c, false, []codeStep{
		{sql: "alter table adp rename column id to pk", want: ""},
		{sql: "alter table adp rename to adp2", want: ""},
		{sql: "alter table adc rename to adc2", want: ""},
		{sql: "alter table adc2 rename column flag to flag2", want: ""},
		{sql: "insert into adc2 values (10, 999, true)", want: "23503"},
		{sql: "insert into adc2 values (11, 1, true)", want: ""},
	})
}

// TestRenameTableKeepsConstraintNames checks that a renamed table's
// constraints keep their names, as in PostgreSQL, where quiver would
// otherwise name those without a kept name from the new table name.
func TestRenameTableKeepsConstraintNames(t *testing.T) {
	pg, q := servers(t)
	db := pg.CreateDB(t)
	samePsql(t, pg, q, db, `
create table rtp (id integer primary key, code text unique);
create table rtc (id integer primary key, pid integer references rtp (id), constraint rtc_small check (id < 100), check (id > 0));
alter table rtc rename to rtc2;
alter table rtc2 add constraint rtc2_more check (id > 1);
\d rtc2
alter table rtc2 rename to rtc3;
insert into rtc3 values (200, null);
insert into rtc3 values (1, null);
\d rtc3
`, 2)
}

// TestClientMinMessagesMatchesPostgres checks that client_min_messages
// keeps NOTICEs and WARNINGs (PostgreSQL's and quiver's own) from the
// client as PostgreSQL does, and refuses a value it does not know.
func TestClientMinMessagesMatchesPostgres(t *testing.T) {
	pg, q := servers(t)
	db := pg.CreateDB(t)
	samePsql(t, pg, q, db, `
create schema if not exists public;
rollback;
set client_min_messages = warning;
create schema if not exists public;
rollback;
set client_min_messages = ERROR;
show client_min_messages;
rollback;
create table cmm (id int primary key, p int references cmm (id) on delete cascade);
select 1 as one;
set client_min_messages = loud;
reset client_min_messages;
create schema if not exists public;
begin;
set local client_min_messages = error;
create schema if not exists public;
commit;
create schema if not exists public;
`, 1)
}

// TestDjangoMigrationMatchesPostgres runs the SQL Django's migrations
// write for a model with a foreign key, then for field changes (a type, a
// NOT NULL field with a default, a unique and a _like index, renames of a
// column and of a foreign key's column, a nullable foreign key, a checked
// field), in transaction blocks as Django runs them, on PostgreSQL and on
// quiver: the same columns, constraints, indexes and rows. DuckDB alters
// no table with an index or a referencing table, takes no ADD COLUMN
// with a default like false, no operator class and no RENAME of a
// foreign key's column, all of which quiver works around.
func TestDjangoMigrationMatchesPostgres(t *testing.T) {
	pg, q := servers(t)
	db := pg.CreateDB(t)
	samePsql(t, pg, q, db, `set client_min_messages = error;
BEGIN;
CREATE TABLE "polls_question" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "question_text" varchar(200) NOT NULL, "pub_date" timestamp with time zone NOT NULL);
CREATE TABLE "polls_choice" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "choice_text" varchar(200) NOT NULL, "votes" integer NOT NULL, "question_id" bigint NOT NULL);
ALTER TABLE "polls_choice" ADD CONSTRAINT "polls_choice_question_id_c5b4b260_fk_polls_question_id" FOREIGN KEY ("question_id") REFERENCES "polls_question" ("id") DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX "polls_choice_question_id_c5b4b260" ON "polls_choice" ("question_id");
COMMIT;
insert into polls_question (question_text, pub_date) values ('q1', '2024-01-01 00:00:00+00'), ('q2', '2024-01-02 00:00:00+00');
insert into polls_choice (choice_text, votes, question_id) values ('c1', 0, 1);
BEGIN;
ALTER TABLE "polls_question" ALTER COLUMN "question_text" TYPE varchar(300);
ALTER TABLE "polls_choice" ADD COLUMN "flag" boolean DEFAULT false NOT NULL; ALTER TABLE "polls_choice" ALTER COLUMN "flag" DROP DEFAULT;
ALTER TABLE "polls_question" ADD CONSTRAINT "polls_question_question_text_key" UNIQUE ("question_text");
CREATE INDEX "polls_question_question_text_like" ON "polls_question" ("question_text" varchar_pattern_ops);
ALTER TABLE "polls_question" RENAME COLUMN "pub_date" TO "published";
COMMIT;
BEGIN;
SET CONSTRAINTS "polls_choice_question_id_c5b4b260_fk_polls_question_id" IMMEDIATE; ALTER TABLE "polls_choice" DROP CONSTRAINT "polls_choice_question_id_c5b4b260_fk_polls_question_id";
ALTER TABLE "polls_choice" ALTER COLUMN "question_id" DROP NOT NULL;
ALTER TABLE "polls_choice" ADD CONSTRAINT "polls_choice_question_id_c5b4b260_fk_polls_question_id" FOREIGN KEY ("question_id") REFERENCES "polls_question" ("id") DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE "polls_question" ADD COLUMN "score" integer DEFAULT 0 NOT NULL CHECK ("score" >= 0); ALTER TABLE "polls_question" ALTER COLUMN "score" DROP DEFAULT;
ALTER TABLE "polls_question" ALTER COLUMN "question_text" TYPE text;
ALTER TABLE "polls_choice" RENAME COLUMN "question_id" TO "q_id";
ALTER TABLE "polls_choice" RENAME COLUMN "choice_text" TO "text";
COMMIT;
select table_name, column_name, data_type, is_nullable from information_schema.columns where table_name like 'polls%' order by 1, 2;
select c.relname, k.conname, k.contype from pg_constraint k join pg_class c on c.oid = k.conrelid where c.relname like 'polls%' order by 1, 2;
select tablename, indexname from pg_indexes where tablename like 'polls%' order by 1, 2;
select * from polls_question order by id;
select * from polls_choice order by id;
BEGIN;
DROP TABLE "polls_choice" CASCADE;
COMMIT;
DROP TABLE "polls_question";
`, 0)
}

// TestDropIfExistsNoticesMatchPostgres checks the NOTICE of DROP ... IF
// EXISTS for each object that is not there, and of CREATE TABLE, INDEX and
// SEQUENCE ... IF NOT EXISTS for each that is, which DuckDB does not send.
func TestDropIfExistsNoticesMatchPostgres(t *testing.T) {
	pg, q := servers(t)
	db := pg.CreateDB(t)
	samePsql(t, pg, q, db, `
drop table if exists dn_nosuch;
drop table if exists dn_nosch.t;
drop view if exists public.dn_nv;
drop index if exists dn_ni;
drop sequence if exists dn_ns;
drop schema if exists dn_nsch;
create table dn (a int);
drop table if exists dn, dn_nosuch2;
drop table if exists dn;
create table dn2 (a int);
create table if not exists dn2 (a int);
create table if not exists public.dn2 (id serial, b varchar(3));
create table if not exists dn3 (id serial, b varchar(3));
create index dn2_a on dn2 (a);
create index if not exists dn2_a on dn2 (a);
create sequence if not exists dn2_a;
create sequence if not exists dn_s;
create sequence if not exists dn_s;
create temp table if not exists dn_t (a int);
create temp table if not exists dn_t (a int);
\d dn3
set client_min_messages = warning;
drop table if exists dn2, dn_nosuch3;
create table if not exists dn3 (a int);
`, 0)
}

// TestDropColumnMatchesPostgres checks DROP COLUMN of a column that an
// index, a key or a CHECK holds, or that comes before one: DuckDB refuses
// those, quiver makes the table again without the column, and the table,
// its rows, keys, indexes, comments and the tables that reference it end
// as PostgreSQL leaves them.
func TestDropColumnMatchesPostgres(t *testing.T) {
	pg, q := servers(t)
	db := pg.CreateDB(t)
	samePsql(t, pg, q, db, `create table a(id int primary key, x int, y text);
create index on a(y);
insert into a values (1, 10, 'p'), (2, 20, 'q');
alter table a drop column x;
\d a
select * from a;
create table b(x int, id serial primary key, z int check (z > x), w int check (w>0), v int constraint vpos check (v > 0));
insert into b(x, z, w, v) values (1, 2, 3, 4);
alter table b drop column x;
\d b
insert into b(z, w, v) values (5, 6, 7) returning *;
insert into b(z, w, v) values (5, 6, -7);
create table c(x int, id int unique, q int, unique (x, q));
comment on column c.x is 'the x';
comment on column c.q is 'the q';
insert into c values (1, 2, 3);
alter table c drop column x;
\d c
select attname, col_description(attrelid, attnum) from pg_attribute where attrelid = 'c'::regclass and attnum > 0 and not attisdropped order by attnum;
create table d(x int, z int, id int, foreign key (id) references c(id));
insert into d values (7, 8, 2);
alter table d drop column x;
\d d
alter table c drop column id;
begin;
alter table c drop column id cascade;
\d d
select * from d;
rollback;
begin;
create table f(id int primary key, a int, b int);
create index f_ab on f(a, b);
create index f_expr on f((b+1));
alter table f drop column a;
\d f
commit;
select * from d;
`, 2)
}

// TestRenameReferencedMatchesPostgres checks renaming a table that other
// tables' foreign keys reference, and its referenced columns: the
// referencing tables are made again with their keys on the new names,
// keeping their rows, names and indexes, and the keys still hold; renamed
// key columns keep their constraints' names, and violations name them.
func TestRenameReferencedMatchesPostgres(t *testing.T) {
	pg, q := servers(t)
	db := pg.CreateDB(t)
	samePsql(t, pg, q, db, `create table p(id int primary key, code text unique, note text);
create table ch(id serial primary key, pid int references p(id), pcode text, constraint ch_code_fk foreign key (pcode) references p(code));
create table gc(id int primary key, chid int references ch(id));
create index ch_pid on ch(pid);
insert into p values (1, 'a', 'n1'), (2, 'b', 'n2');
insert into ch(pid, pcode) values (1, 'b'), (2, 'a');
insert into gc values (1, 1);
alter table p rename to parent;
\d parent
\d ch
begin;
alter table parent rename column id to pk;
alter table parent rename column code to pcode;
commit;
\d ch
select conname, conrelid::regclass, confrelid::regclass, pg_get_constraintdef(oid) from pg_constraint where contype = 'f' order by 1;
insert into ch(pid, pcode) values (2, 'b') returning *;
select * from gc;
delete from parent where pk = 1;
create table rk(id int primary key, code text unique, n2 int, unique (code, n2));
create table rkc(id int primary key, rid int constraint rkc_rid_fk references rk(id));
insert into rk values (1, 'a', 1);
alter table rk rename column id to pk;
alter table rk rename column code to kode;
alter table rkc rename column rid to rk_id;
\d rk
\d rkc
insert into rkc values (1, 7);
create table rk1(id int primary key);
insert into rk1 values (1);
alter table rk1 rename column id to k;
insert into rk1 values (1);
`, 3)
}

// TestArrayDefaultsMatchPostgres gives array columns array literals as
// defaults without a cast ('{}', as Rails writes them), in CREATE TABLE,
// ADD COLUMN (NOT NULL too) and SET DEFAULT, which DuckDB kept as strings
// and failed each insert that took them with; and renames and drops a
// column that expression indexes read, whose indexes DuckDB's refusal
// makes quiver drop and make again on the new name.
func TestArrayDefaultsMatchPostgres(t *testing.T) {
	pg, q := servers(t)
	db := pg.CreateDB(t)
	samePsql(t, pg, q, db, `create table book (id serial primary key, title text not null, tags text[] default '{}',
  n int[] default '{1,2}', q text[] default '{"a b",NULL,"x''y","q\"z"}');
create index book_title_idx on book (lower(title));
create index book_len on book (length(title), id);
insert into book (title) values ('x') returning *;
alter table book rename column title to headline;
\d book
insert into book (headline) values ('y');
select * from book order by id;
alter table book drop column headline;
\d book
alter table book add column more int[] default '{3}';
alter table book add column tx varchar(5)[] default '{}' not null;
alter table book alter column tags set default '{x,y}', alter column n set default '{}';
insert into book default values returning *;
\d book
select * from book order by id;
`, 0)
}

// TestAlterColumnTypeMatchesPostgres changes the types of columns that
// indexes, keys and CHECKs hold, which DuckDB refuses even once the
// indexes are dropped in the transaction, as Django's AlterField and Rails'
// change_column do, with and without USING, inside a transaction that
// commits and one that rolls back, and checks the rows, the indexes and
// the keys that follow.
func TestAlterColumnTypeMatchesPostgres(t *testing.T) {
	pg, q := servers(t)
	db := pg.CreateDB(t)
	samePsql(t, pg, q, db, `create table p (id int primary key, code text unique not null, n text, m int check (m > 0), s smallint);
create table c (id serial primary key, pid int references p(id), v text);
create index p_n on p (n);
create index p_lower on p (lower(code));
create index p_s on p (s);
insert into p values (1, 'a', '10', 1, 1), (2, 'b', '20', 2, 2);
insert into c (pid, v) values (1, 'x'), (2, 'y');
begin;
alter table p alter column n type int using n::int;
alter table p alter column m type bigint;
alter table p alter column s type int;
commit;
\d p
select * from p order by id;
select pg_typeof(n), pg_typeof(m), pg_typeof(s) from p limit 1;
insert into p values (3, 'a', '5', 1, 1);
insert into p values (4, 'd', 'x', 1, 1);
insert into p values (4, 'd', '7', 0, 1);
insert into c (pid, v) values (9, 'z');
begin;
alter table p alter column n type bigint;
rollback;
\d p
select * from c order by id;
delete from p where id = 1;
`, 5)
}
