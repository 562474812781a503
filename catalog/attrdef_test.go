package catalog_test

import "testing"

// TestColumnDefaultsMatchPostgres compares pg_get_expr of column defaults
// with PostgreSQL's for the defaults clients and pg_dump write most: typed
// literals (a string cast to the column's type, as Rails' schemas and
// pg_dump write an empty string cast to character varying), NULL casts, booleans, the current
// time, sequences, and defaults added by ALTER TABLE.
func TestColumnDefaultsMatchPostgres(t *testing.T) {
	tw := newTwin(t, `create table cd (id serial primary key, a text default 'x'::text, b varchar(10) default ''::character varying,
  c varchar default 'it''s', d integer default null::integer, e boolean default false, f timestamp default current_timestamp,
  g text default null, h integer default -1, i date default '2020-01-02'::date, j timestamp with time zone default now());
alter table cd add column k character varying(5) default 'k'::character varying not null;
alter table cd add column l boolean default true;
alter table cd alter column a set default 'y'::text;
create type "Mood" as enum ('ok', 'sad');
create table "Cd2" (id serial, m "Mood" default 'ok', t text[] default '{}', n int[] default '{1,2}', q text[] default '{"a b",NULL,"x''y"}',
  i1 bigint default 0, i2 bigint default -5, i3 bigint default 9999999999, i4 bigint default -2147483648, i5 real default -1,
  i6 smallint default 1, i7 numeric(5,2) default -1.5)`)
	tw.compare(t, `select a.attname, pg_catalog.pg_get_expr(d.adbin, d.adrelid, true)
from pg_catalog.pg_attrdef d join pg_catalog.pg_attribute a on a.attrelid = d.adrelid and a.attnum = d.adnum
where d.adrelid in ('cd'::regclass, '"Cd2"'::regclass) order by d.adrelid, a.attname`, nil)
}
