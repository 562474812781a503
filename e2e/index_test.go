//go:build duckdb_arrow

package e2e

import "testing"

// TestIndexNamesMatchPostgres creates indexes without names, which DuckDB
// requires and PostgreSQL chooses (table, columns or expressions' function
// names, idx, numbered when taken, cut to 63 bytes), with INCLUDE, storage
// options and a table that takes a name, and compares the names psql lists
// with PostgreSQL's.
func TestIndexNamesMatchPostgres(t *testing.T) {
	pg, q := servers(t)
	db := pg.CreateDB(t)
	script := `create table ti(a int, b text, "Weird Col" int);
create index on ti(b);
create index on ti(b);
create index on ti (b) include (a);
create unique index on ti(lower(b), a);
create index on ti(lower(b), upper(b), lower(b));
create index on ti("Weird Col");
create index on ti((a + 1));
create index on public.ti(a);
create index on ti using btree (a) with (fillfactor = 70);
create table ti_a_idx3(x int);
create index on ti(a);
create table averyveryveryveryveryveryveryveryveryveryveryverylongtablename(somewhatlongcolumnname int, anotherlongcolumnname int);
create index on averyveryveryveryveryveryveryveryveryveryveryverylongtablename(somewhatlongcolumnname, anotherlongcolumnname);
select indexname from pg_indexes where tablename in ('ti', 'averyveryveryveryveryveryveryveryveryveryveryverylongtablename') order by 1;
insert into ti values (1, 'x', 2), (2, 'X', 3);
insert into ti values (1, 'x', 4);
begin;
create index on ti(b);
rollback;
create index if not exists on ti(b);
`
	// The errors: the unique index's duplicate, IF NOT EXISTS without a
	// name.
	samePsql(t, pg, q, db, script, 2)
}
