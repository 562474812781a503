//go:build duckdb_arrow

package catalog_test

import (
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// lengthDDL has varchar(n) and char(n) columns, which quiver gives length
// checks (LengthCheck), next to a check constraint of the client's.
const lengthDDL = `
create table lc (id integer primary key, a varchar(5), b char(2) not null, c integer check (c > 0), d text);
create table lc2 (a character varying(3), b character, "My ""c""" char(4), "select" varchar(2), "Ünï" varchar(1));
`

// TestLengthChecksHidden checks that the catalog shows the length checks
// of varchar(n) and char(n) columns nowhere, as PostgreSQL has none, and
// shows the client's check constraint as PostgreSQL does: pg_constraint,
// pg_class.relchecks, information_schema and psql's \d.
func TestLengthChecksHidden(t *testing.T) {
	tw := newTwin(t, lengthDDL)
	// The checks are there, whatever the column's name: both refuse a
	// value too long with the same error.
	for _, sql := range []string{
		"insert into lc2 (a) values ('abcd')",
		"insert into lc2 (b) values ('xy')",
		`insert into lc2 ("My ""c""") values ('abcde')`,
		`insert into lc2 ("select") values ('abc')`,
		`insert into lc2 ("Ünï") values ('éé')`,
		"insert into lc (id, a, b) values (1, 'abcdef', 'x')",
		"insert into lc (id, a, b, c) values (1, 'a', 'x', 0)",
	} {
		var want, got *pgconn.PgError
		_, errPG := tw.pg.Exec(t.Context(), sql).ReadAll()
		_, errQ := tw.q.Exec(t.Context(), sql).ReadAll()
		if !errors.As(errPG, &want) || !errors.As(errQ, &got) {
			t.Fatalf("%s: PostgreSQL %v, quiver %v", sql, errPG, errQ)
		}
		if got.Code != want.Code || (got.Code != "23514" && got.Message != want.Message) {
			t.Errorf("%s: quiver %s %q, PostgreSQL %s %q", sql, got.Code, got.Message, want.Code, want.Message)
		}
	}
	tw.compare(t, `select conname, contype, conkey, pg_get_constraintdef(oid) from pg_constraint
where conrelid in ('lc'::regclass, 'lc2'::regclass) order by conname`, nil)
	tw.compare(t, `select relname, relchecks from pg_class where relname in ('lc', 'lc2') order by 1`, nil)
	tw.compare(t, `select constraint_name, check_clause from information_schema.check_constraints
where constraint_schema = 'public' and constraint_name not like '%not_null' order by 1`, nil)
	tw.compare(t, `select constraint_name, table_name, constraint_type from information_schema.table_constraints
where table_schema = 'public' and constraint_type <> 'CHECK' or constraint_name = 'lc_c_check' order by 1`, nil)
	for _, c := range []struct {
		cmd  string
		norm []normalisation
	}{
		{cmd: `\d lc`},
		{cmd: `\d lc2`},
		{cmd: `\d+ lc2`, norm: []normalisation{accessMethodFooter}},
	} {
		want := psqlRun(t, tw.pgHost, tw.pgPort, tw.user, tw.db, c.cmd+"\n")
		got := psqlRun(t, tw.qHost, tw.qPort, tw.user, tw.db, c.cmd+"\n")
		for _, n := range c.norm {
			want, got = n.fn(want), n.fn(got)
		}
		if got != want {
			t.Errorf("psql %s differs\n--- PostgreSQL:\n%s\n--- quiver:\n%s", c.cmd, want, got)
		}
	}
}
