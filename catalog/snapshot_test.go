//go:build duckdb_arrow

package catalog_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/quiverdb/quiver/catalog"
)

// snapshotQueries read the snapshot relations (catalog.SnapshotRelations)
// the way psql's \d does: columns with types, defaults and comments,
// constraints, and indexes.
var snapshotQueries = []string{
	`select c.relname, c.relkind, a.attnum, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
  pg_catalog.pg_get_expr(d.adbin, d.adrelid, true), pg_catalog.col_description(c.oid, a.attnum), pg_catalog.obj_description(c.oid, 'pg_class')
from pg_catalog.pg_class c join pg_catalog.pg_attribute a on a.attrelid = c.oid
  left join pg_catalog.pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
where c.relnamespace = 'public'::regnamespace and a.attnum > 0 and c.relkind in ('r', 'v') order by 1, 3`,
	`select conrelid::regclass, conname, contype, pg_catalog.pg_get_constraintdef(oid, true)
from pg_catalog.pg_constraint where connamespace = 'public'::regnamespace order by 1, 2`,
	`select c.relname, i.indisunique, i.indisprimary, pg_catalog.pg_get_indexdef(i.indexrelid, 0, true)
from pg_catalog.pg_index i join pg_catalog.pg_class c on c.oid = i.indexrelid
where c.relnamespace = 'public'::regnamespace order by 1`,
}

// TestCatalogSnapshot checks that sessions reading the catalog from its
// snapshot tables see what PostgreSQL shows after every kind of change:
// DDL and comments from another session, DDL of their own inside a
// transaction block and its rollback, and through statements prepared
// before the change.
func TestCatalogSnapshot(t *testing.T) {
	tw := newTwin(t, `create table snap_a (id integer primary key, name text not null default 'x');
create index snap_a_name on snap_a (name);
create table snap_b (id integer references snap_a, n integer check (n > 0))`)
	other := tw.connectQuiver(t)
	ctx := context.Background()
	both := func(t *testing.T, q *pgconn.PgConn, sql string) {
		t.Helper()
		for _, c := range []*pgconn.PgConn{tw.pg, q} {
			if _, err := c.Exec(ctx, sql).ReadAll(); err != nil {
				t.Fatalf("%s: %v\n%s", engine(c, tw), err, sql)
			}
		}
	}
	compareAll := func(t *testing.T, q *pgconn.PgConn) {
		t.Helper()
		for _, sql := range snapshotQueries {
			tw.compareOn(t, q, sql, nil)
		}
	}

	// A session asks twice for the same schema's catalog: the snapshot
	// is built, and read from then on.
	compareAll(t, tw.q)
	compareAll(t, tw.q)
	_, rows, err := query(tw.q, `select count(*) from duckdb_tables() where database_name = '`+catalog.SnapshotDatabase+`'`)
	if err != nil || len(rows) != 1 || rows[0][0] != "12" {
		t.Fatalf("snapshot tables: %v %v, want the 12 relations' tables", rows, err)
	}
	prepared := snapshotQueries[0]
	if _, err := tw.q.Prepare(ctx, "snapq", prepared, nil); err != nil {
		t.Fatal(err)
	}
	run := func(t *testing.T) {
		t.Helper()
		want, err := tw.pg.Exec(ctx, prepared).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		got := tw.q.ExecPrepared(ctx, "snapq", nil, nil, nil).Read()
		if got.Err != nil {
			t.Fatal(got.Err)
		}
		w, g := table(nil, text(want[0].Rows)), table(nil, text(got.Rows))
		if w != g {
			t.Errorf("prepared statement\n--- PostgreSQL:\n%s--- quiver:\n%s", w, g)
		}
	}
	run(t)
	// inSnapshot checks whether the snapshot's pg_class lists a relation:
	// the sessions read it, not the catalog computed afresh.
	inSnapshot := func(t *testing.T, rel string, want bool) {
		t.Helper()
		_, rows, err := query(other, `select count(*) from `+catalog.SnapshotTable("pg_class")+` where relname = '`+rel+`'`)
		if err != nil || len(rows) != 1 || (rows[0][0] == "1") != want {
			t.Errorf("%s in the snapshot: %v %v, want %v", rel, rows, err, want)
		}
	}

	t.Run("another session's DDL", func(t *testing.T) {
		both(t, other, `create table snap_c (k integer unique, v varchar(20) default 'v')`)
		both(t, other, `comment on table snap_a is 'the a table'`)
		both(t, other, `comment on column snap_b.n is 'a number'`)
		both(t, other, `alter table snap_a add column z integer default 5`)
		both(t, other, `create view snap_v as select id, name from snap_a`)
		compareAll(t, tw.q)
		compareAll(t, tw.q)
		inSnapshot(t, "snap_c", true)
		run(t)
		both(t, other, `drop table snap_c`)
		compareAll(t, tw.q)
		run(t)
	})

	t.Run("own DDL in a transaction block", func(t *testing.T) {
		both(t, tw.q, `begin`)
		both(t, tw.q, `create table snap_t (x integer primary key)`)
		compareAll(t, tw.q)
		run(t)
		both(t, tw.q, `rollback`)
		compareAll(t, tw.q)
		compareAll(t, tw.q)
		inSnapshot(t, "snap_t", false)
		inSnapshot(t, "snap_v", true)
		run(t)
	})

	t.Run("temporary table", func(t *testing.T) {
		both(t, tw.q, `create temporary table snap_tmp (x integer)`)
		tw.compareOn(t, tw.q, `select relname, relpersistence from pg_catalog.pg_class where relname = 'snap_tmp'`, nil)
		compareAll(t, tw.q)
		compareAll(t, other)
	})
}

// text turns rows of values into strings, NULL as "<NULL>".
func text(rows [][][]byte) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = make([]string, len(r))
		for j, v := range r {
			if v == nil {
				out[i][j] = "<NULL>"
			} else {
				out[i][j] = string(v)
			}
		}
	}
	return out
}
