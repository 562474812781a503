//go:build duckdb_arrow

package e2e

import (
	"strings"
	"testing"
)

// TestSavepointsMatchPostgres compares SAVEPOINT, RELEASE and ROLLBACK TO
// with PostgreSQL wherever quiver can honour them on DuckDB, which has no
// savepoints of its own (see dispatch/savepoint.go).
func TestSavepointsMatchPostgres(t *testing.T) {
	pc, qc := connectBoth(t)
	steps := []string{
		"create table sp (i int primary key)",
		"savepoint a",
		"release a",
		// Nothing written before the savepoint: rolling back to it undoes
		// everything after it.
		"begin; savepoint a; insert into sp values (1), (2); select count(*) from sp",
		"rollback to savepoint a", "select count(*) from sp", "insert into sp values (3)", "commit",
		"select i from sp order by i",
		// Nothing written after it: nothing to undo.
		"begin; insert into sp values (4); savepoint a; select count(*) from sp; rollback to a; release a; commit",
		"select i from sp order by i",
		// An error after the savepoint, recovered by rolling back to it.
		"begin; savepoint a; insert into sp values (3)", "select 1", "rollback to a", "select count(*) from sp",
		"savepoint b; select * from missing_table", "rollback to savepoint b", "insert into sp values (5)", "commit",
		"select i from sp order by i",
		// Names: nesting, repeats, release of the latest, unknown names.
		"begin; savepoint a; savepoint b; savepoint a; release a; rollback to a; release b", "release a", "rollback to b",
		"rollback to nosuch", "rollback",
		"begin; release nosuch", "rollback",
		"begin; savepoint x; select 1/0", "release x", "rollback to nosuch", "rollback to x", "select 1", "commit",
		// Settings changed after a savepoint come back when rolling back to it.
		"begin; set search_path = a; savepoint s; set search_path = b; set local application_name = 'q'; show search_path",
		"rollback to s", "show search_path", "show application_name", "commit", "show search_path", "reset search_path",
		"drop table sp",
	}
	compareSteps(t, pc, qc, steps)
}

// TestSavepointRefused checks the one case quiver refuses on DuckDB:
// undoing writes made after a savepoint while keeping those before it. The
// transaction is left failed and nothing of it is kept.
func TestSavepointRefused(t *testing.T) {
	_, qc := connectBoth(t)
	for _, step := range []struct{ sql, want string }{
		{"create table spr (i int)", `results=["||CREATE TABLE"] err= tx=I`},
		{"begin; insert into spr values (1); savepoint a; insert into spr values (2)", `results=["||BEGIN" "||INSERT 0 1" "||SAVEPOINT" "||INSERT 0 1"] err= tx=T`},
		{"rollback to savepoint a", `results=[] err=0A000 tx=E`},
		{"select 1", `results=[] err=25P02 tx=E`},
		{"commit", `results=["||ROLLBACK"] err= tx=I`},
		{"select count(*) from spr", `results=["count,|0;/|SELECT 1"] err= tx=I`},
	} {
		got := runSimple(t, qc, step.sql).String()
		if got != step.want {
			t.Errorf("%q: got %s, want %s", step.sql, got, step.want)
		}
	}
	if !strings.Contains(runSimple(t, qc, "drop table spr").String(), "DROP TABLE") {
		t.Error("drop table failed")
	}
}

// TestRewrittenStatementsAreAtomic checks that a statement quiver runs on
// DuckDB as several (a multi-table DROP) is all or nothing, as the one
// statement is in PostgreSQL.
func TestRewrittenStatementsAreAtomic(t *testing.T) {
	pc, qc := connectBoth(t)
	compareSteps(t, pc, qc, []string{
		"create table at1 (i int); create table at2 (i int)",
		"drop table at1, at_missing, at2",
		"select count(*) from at1", "select count(*) from at2",
		"drop table at1, at2",
		"select count(*) from at1",
	})
}
