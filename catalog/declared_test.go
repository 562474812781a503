//go:build duckdb_arrow

package catalog_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// declaredDDL declares columns of the types DuckDB collapses (varchar(n),
// char(n), numeric without precision, time and timestamp precisions,
// interval fields, name) next to ones it keeps, then changes some with
// ALTER TABLE. The catalog must show the declared types as PostgreSQL does.
const declaredDDL = `
create schema app;
create table typed (
  id integer primary key,
  v10 varchar(10) not null default 'x',
  v varchar,
  cv character varying(7),
  c3 char(3) default 'ab',
  c5 character(5),
  c1 character,
  bp bpchar,
  n numeric default 1.5,
  n102 numeric(10,2) default -1.5,
  n5 numeric(5),
  ts timestamp,
  ts0 timestamp(0),
  ts3 timestamp(3),
  ts6 timestamp(6),
  tstz timestamptz,
  tstz0 timestamptz(0),
  tstz3 timestamp(3) with time zone,
  tm time,
  tm6 time(6),
  tmtz2 timetz(2),
  iv interval,
  iv3 interval(3),
  ivy interval year,
  ivds interval day to second(2),
  ivhm interval hour to minute,
  t text,
  nm name,
  va varchar(4)[],
  na numeric[],
  ia integer[]
);
create index typed_v10_idx on typed (v10);
create table app.items (sku varchar(20) primary key, label char(8), price numeric);
create table altered (id integer, a varchar(10), b text, c numeric, d integer, e integer);
alter table altered add column f char(3);
alter table altered add column g timestamptz(2);
alter table altered add column h integer;
alter table altered alter column b type varchar(20);
alter table altered alter column a type text;
alter table altered alter column e type numeric;
alter table altered rename column c to c2;
alter table altered rename column h to h2;
alter table altered drop column d;
alter table altered rename to altered2;
create table dropped (a varchar(3));
drop table dropped;
create table dropped (a text);
`

// declaredTables limits queries to declaredDDL's tables.
const declaredTables = ` c.relname in ('typed', 'typed_v10_idx', 'items', 'items_pkey', 'altered2', 'dropped', 'rolled')`

// TestDeclaredTypes compares what the catalog tells of declaredDDL's
// columns with PostgreSQL: pg_attribute, format_type,
// information_schema.columns and psql's \d, in the session that ran the
// DDL and in another; and that a rolled-back CREATE TABLE leaves nothing.
func TestDeclaredTypes(t *testing.T) {
	tw := newTwin(t, declaredDDL)
	for _, sql := range []string{"begin", "create table rolled (a varchar(5), b timestamptz(1))", "rollback"} {
		for _, c := range []*pgconn.PgConn{tw.pg, tw.q} {
			if _, err := c.Exec(context.Background(), sql).ReadAll(); err != nil {
				t.Fatalf("%s on %s: %v", sql, engine(c, tw), err)
			}
		}
	}

	attributes := `select c.relname, a.attname, a.atttypid, a.atttypmod, a.attlen, a.attbyval, a.attstorage,
  a.attcollation, a.attndims, pg_catalog.format_type(a.atttypid, a.atttypmod) as type,
  pg_catalog.format_type(a.atttypid, NULL) as plain
from pg_catalog.pg_attribute a join pg_catalog.pg_class c on c.oid = a.attrelid
where a.attnum > 0 and not a.attisdropped and` + declaredTables + `
order by c.relname, a.attnum`
	columns := `select table_schema, table_name, column_name, column_default, is_nullable, data_type,
  character_maximum_length, character_octet_length, numeric_precision, numeric_precision_radix, numeric_scale,
  datetime_precision, interval_type, interval_precision, collation_name, udt_name
from information_schema.columns where table_schema in ('public', 'app')
order by table_name, ordinal_position`
	t.Run("pg_attribute", func(t *testing.T) { tw.compare(t, attributes, nil) })
	t.Run("information_schema.columns", func(t *testing.T) { tw.compare(t, columns, nil) })
	// DuckDB's catalog is the database's: another session sees the same.
	t.Run("other session", func(t *testing.T) {
		q2 := tw.connectQuiver(t)
		tw.compareOn(t, q2, attributes, nil)
		tw.compareOn(t, q2, columns, nil)
	})
	// Nothing is left of the rolled-back table, and the tables that keep
	// the declared types are not relations of the catalog.
	t.Run("hidden", func(t *testing.T) {
		tw.compare(t, `select count(*) from pg_catalog.pg_class where relname like '%rolled' or relname like 'quiver%'`, nil)
		tw.compare(t, `select table_name from information_schema.tables where table_schema in ('public', 'app') order by 1`, nil)
		_, rows, err := query(tw.q, `select table_name from duckdb_tables() where table_name like '%rolled'`)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 0 {
			t.Errorf("the rolled-back table left %v in DuckDB", rows)
		}
	})

	for _, c := range []struct {
		cmd  string
		norm []normalisation
	}{
		{cmd: `\d typed`},
		{cmd: `\d+ typed`, norm: []normalisation{accessMethodFooter}},
		{cmd: `\d typed_v10_idx`},
		{cmd: `\d app.items`},
		{cmd: `\d app.items_pkey`},
		{cmd: `\d+ altered2`, norm: []normalisation{accessMethodFooter}},
		{cmd: `\d dropped`},
		{cmd: `\dt`},
		{cmd: `\dt app.*`},
	} {
		t.Run(c.cmd, func(t *testing.T) {
			want := psqlRun(t, tw.pgHost, tw.pgPort, tw.user, tw.db, c.cmd+"\n")
			got := psqlRun(t, tw.qHost, tw.qPort, tw.user, tw.db, c.cmd+"\n")
			if strings.Contains(got, "ERROR") || strings.TrimSpace(want) == "" {
				t.Fatalf("PostgreSQL:\n%s\nquiver:\n%s", want, got)
			}
			for _, n := range c.norm {
				want, got = n.fn(want), n.fn(got)
			}
			if got != want {
				t.Errorf("psql %s differs\n--- PostgreSQL:\n%s\n--- quiver:\n%s", c.cmd, want, got)
			}
		})
	}
}

// TestDeclaredTypesTemp checks a temporary table's declared types, which
// only its session sees.
func TestDeclaredTypesTemp(t *testing.T) {
	tw := newTwin(t, `create temp table tmp (a varchar(5), b numeric, c time(3), d text);
alter table tmp add column e char(2)`)
	tw.compare(t, `select a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)
from pg_catalog.pg_attribute a where a.attrelid = 'tmp'::regclass and a.attnum > 0 order by a.attnum`, nil)
}
