//go:build duckdb_arrow

package catalog_test

import (
	"strings"
	"testing"
)

// lengthDDL has varchar(n) and char(n) columns, which quiver gives length
// checks (LengthCheck), next to a check constraint of the client's.
const lengthDDL = `
create table lc (id integer primary key, a varchar(5), b char(2) not null, c integer check (c > 0), d text);
create table lc2 (a character varying(3), b character);
`

// TestLengthChecksHidden checks that the catalog shows the length checks
// of varchar(n) and char(n) columns nowhere, as PostgreSQL has none, and
// shows the client's check constraint as PostgreSQL does: pg_constraint,
// pg_class.relchecks, information_schema and psql's \d.
func TestLengthChecksHidden(t *testing.T) {
	tw := newTwin(t, lengthDDL)
	// The checks are there: quiver refuses a value too long.
	if _, err := tw.q.Exec(t.Context(), "insert into lc2 values ('abcd', 'x')").ReadAll(); err == nil ||
		!strings.Contains(err.Error(), "value too long for type character varying(3)") {
		t.Fatalf("a value too long for lc2.a: %v", err)
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
		{cmd: `\d lc`, norm: []normalisation{indexMethod}},
		{cmd: `\d lc2`},
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
