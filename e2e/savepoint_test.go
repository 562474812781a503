//go:build duckdb_arrow

package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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

// TestSavepointReplayMatchesPostgres compares with PostgreSQL the rollbacks
// to a savepoint that keep writes made before it while undoing later
// ones, which quiver honours on DuckDB by beginning the transaction again
// and replaying the earlier writes.
func TestSavepointReplayMatchesPostgres(t *testing.T) {
	pc, qc := connectBoth(t)
	compareSteps(t, pc, qc, []string{
		"create table rp (i int primary key, s text)",
		// Writes on both sides of the savepoint, then more writes.
		"begin; insert into rp values (1, 'a'), (2, 'b'); savepoint a; insert into rp values (3, 'c'); update rp set s = 'z' where i = 1; delete from rp where i = 2",
		"select * from rp order by i",
		"rollback to savepoint a", "select * from rp order by i",
		"insert into rp values (4, 'd')", "update rp set s = 'y' where i = 2", "commit",
		"select * from rp order by i",
		// Nested savepoints, each rolled back to in turn, and RELEASE.
		"begin; insert into rp values (10, 'x'); savepoint a; insert into rp values (11, 'x'); savepoint b; insert into rp values (12, 'x'); delete from rp where i = 10",
		"rollback to b", "select i from rp where i >= 10 order by i",
		"insert into rp values (13, 'x')", "rollback to a", "select i from rp where i >= 10 order by i",
		"savepoint c; insert into rp values (14, 'x'); release c; insert into rp values (15, 'x')",
		"rollback to a", "select i from rp where i >= 10 order by i",
		"savepoint d; insert into rp values (16, 'x')", "release d", "rollback to d",
		"rollback to a", "insert into rp values (17, 'x')", "commit",
		"select i from rp where i >= 10 order by i",
		// An error after the savepoint, with writes before it.
		"begin; insert into rp values (20, 'e'); savepoint a; insert into rp values (21, 'e')",
		"select * from missing_table", "select 1", "rollback to a",
		"select i from rp where i >= 20 order by i",
		"insert into rp values (22, 'e'); savepoint b; select 1/0", "rollback to b",
		"insert into rp values (23, 'e')", "commit",
		"select i from rp where i >= 20 order by i",
		// RETURNING, UPDATE and DELETE counts, DDL and settings in the log.
		"begin; insert into rp values (30, 'r') returning i; create table rq (j int); insert into rq values (1), (2); set application_name = 'before'",
		"update rp set s = 'u' where i >= 30; delete from rq where j = 2; savepoint a",
		"insert into rq values (3); drop table rq; set application_name = 'after'; insert into rp values (31, 'r')",
		"rollback to savepoint a", "show application_name", "select * from rq order by j", "select * from rp where i >= 30 order by i",
		"commit", "select * from rq order by j", "select * from rp where i >= 30 order by i",
		// Several statements in one Query, and a savepoint rolled back to
		// twice.
		"begin; insert into rp values (40, 'm'); savepoint a; insert into rp values (41, 'm'); rollback to a; insert into rp values (42, 'm'); rollback to a; select i from rp where i >= 40; commit",
		"select i from rp where i >= 40 order by i",
		"drop table rp; drop table rq; reset application_name",
	})
}

// TestSavepointReplayPgx compares with PostgreSQL a pgx transaction whose
// writes bind parameters through the extended protocol, rolled back to
// nested savepoints (pgx's nested transactions), in each of pgx's ways of
// running a statement: named statements it caches, and the unnamed
// statement each run parses anew.
func TestSavepointReplayPgx(t *testing.T) {
	pg, q := servers(t)
	pgURL := pg.URL(pg.CreateDB(t))
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeDescribeExec, pgx.QueryExecModeExec} {
		t.Run(mode.String(), func(t *testing.T) {
			want := pgxSavepoints(t, connectPgx(t, pgURL, mode))
			got := pgxSavepoints(t, connectPgx(t, q.URL(), mode))
			if got != want {
				t.Errorf("PostgreSQL:\n%s\nquiver:\n%s", want, got)
			}
		})
	}
}

// pgxSavepoints runs the transaction and returns what pgx saw, one step a
// line.
func pgxSavepoints(t *testing.T, c *pgx.Conn) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	step := func(what string, err error) {
		var pe *pgconn.PgError
		switch {
		case errors.As(err, &pe):
			fmt.Fprintf(&b, "%s: error %s\n", what, pe.Code)
		case err != nil:
			t.Fatalf("%s: %v", what, err)
		default:
			fmt.Fprintf(&b, "%s: ok\n", what)
		}
	}
	exec := func(db interface {
		Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
	}, sql string, args ...any) {
		tag, err := db.Exec(ctx, sql, args...)
		step(fmt.Sprintf("%s %v -> %s", sql, args, tag), err)
	}
	table := func(db interface {
		Query(context.Context, string, ...any) (pgx.Rows, error)
	}, what, sql string) {
		rows, err := db.Query(ctx, sql)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			v, _ := rows.Values()
			fmt.Fprintf(&b, "  %v\n", v)
		}
		step(what, rows.Err())
	}
	exec(c, "drop table if exists px")
	exec(c, "create table px (i int4 primary key, s text, n int8)")
	tx, err := c.Begin(ctx)
	step("begin", err)
	exec(tx, "insert into px values ($1, $2, $3)", 1, "a", 10)
	exec(tx, "insert into px values ($1, $2, $3)", 2, "b", 20)
	exec(tx, "update px set n = n + $1 where i <= $2", 5, 2)
	var r int32
	step("insert returning", tx.QueryRow(ctx, "insert into px values ($1, $2, $3) returning i", 3, "c", 30).Scan(&r))
	sp, err := tx.Begin(ctx)
	step("savepoint", err)
	exec(sp, "insert into px values ($1, $2, $3)", 4, "d", 40)
	exec(sp, "delete from px where i = $1", 2)
	step("rollback to savepoint", sp.Rollback(ctx))
	table(tx, "table", "select i, s, n from px order by i")
	exec(tx, "insert into px values ($1, $2, $3)", 5, "e", 50)
	sp, err = tx.Begin(ctx)
	step("savepoint", err)
	exec(sp, "update px set s = $1 where i = $2", "changed", 1)
	inner, err := sp.Begin(ctx)
	step("savepoint", err)
	exec(inner, "insert into px values ($1, $2, $3)", 6, "f", 60)
	step("rollback to inner savepoint", inner.Rollback(ctx))
	exec(sp, "insert into px values ($1, $2, $3)", 7, "g", 70)
	step("release savepoint", sp.Commit(ctx))
	sp, err = tx.Begin(ctx)
	step("savepoint", err)
	exec(sp, "insert into px values ($1, $2, $3)", 1, "duplicate", 0)
	step("rollback to savepoint after an error", sp.Rollback(ctx))
	exec(tx, "insert into px values ($1, $2, $3)", 8, "h", 80)
	table(tx, "table", "select i, s, n from px order by i")
	step("commit", tx.Commit(ctx))
	table(c, "committed", "select i, s, n from px order by i")
	// A table made in the transaction, before the savepoint, and written
	// through a prepared statement: the replay makes the table again and
	// runs the statement prepared against the first one.
	tx, err = c.Begin(ctx)
	step("begin", err)
	exec(tx, "create table py (i int4, s text)")
	exec(tx, "insert into py values ($1, $2)", 1, "a")
	sp, err = tx.Begin(ctx)
	step("savepoint", err)
	exec(sp, "insert into py values ($1, $2)", 2, "b")
	step("rollback to savepoint", sp.Rollback(ctx))
	exec(tx, "insert into py values ($1, $2)", 3, "c")
	step("commit", tx.Commit(ctx))
	table(c, "committed", "select i, s from py order by i")
	exec(c, "drop table py")
	return b.String()
}

// refusal is what a client sees of a statement quiver refuses: SQLSTATE,
// message and transaction status.
func refusal(t *testing.T, c *pgconn.PgConn, sql string) (code, msg string, tx byte) {
	t.Helper()
	_, err := c.Exec(context.Background(), sql).ReadAll()
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		code, msg = pe.Code, pe.Message
	} else if err != nil {
		t.Fatalf("%q: %v", sql, err)
	}
	return code, msg, c.TxStatus()
}

// TestSavepointRefused checks the rollbacks to a savepoint that quiver
// refuses on DuckDB because replaying the writes made before it could not
// reproduce them: 0A000 with a message naming why, the transaction left
// failed, and nothing of it kept.
func TestSavepointRefused(t *testing.T) {
	_, qc := connectBoth(t)
	ctx := context.Background()
	mustRun := func(sql, want string) {
		t.Helper()
		if got := runSimple(t, qc, sql).String(); got != want {
			t.Fatalf("%q: got %s, want %s", sql, got, want)
		}
	}
	refused := func(sql, reason string) {
		t.Helper()
		code, msg, tx := refusal(t, qc, sql)
		if code != "0A000" || tx != 'E' || !strings.Contains(msg, reason) {
			t.Fatalf("%q: %s %q (status %c), want 0A000 naming %q, status E", sql, code, msg, tx, reason)
		}
		mustRun("select 1", "results=[] err=25P02 tx=E")
	}
	mustRun("create table spr (i int, f float8)", `results=["||CREATE TABLE"] err= tx=I`)

	mustRun("create sequence sq; create table spd (i int default nextval('sq'), s text)", `results=["||CREATE SEQUENCE" "||CREATE TABLE"] err= tx=I`)
	for _, c := range []struct{ writes, tags, reason string }{
		// A volatile function before the savepoint.
		{"insert into spr values (1, random())", `"||INSERT 0 1"`, "random()"},
		// The current time, in a statement and in a column default.
		{"update spr set f = 0 where now() is not null", `"||UPDATE 0"`, "now()"},
		{"insert into spd (s) values ('a')", `"||INSERT 0 1"`, "nextval('sq')"},
	} {
		mustRun("begin; "+c.writes+"; savepoint a; insert into spr values (2, 0)",
			`results=["||BEGIN" `+c.tags+` "||SAVEPOINT" "||INSERT 0 1"] err= tx=T`)
		refused("rollback to savepoint a", c.reason)
		mustRun("commit", `results=["||ROLLBACK"] err= tx=I`)
		mustRun("select count(*) from spr", `results=["count,|0;/|SELECT 1"] err= tx=I`)
	}

	// COPY FROM, whose rows quiver does not keep.
	mustRun("begin", `results=["||BEGIN"] err= tx=T`)
	if tag, err := copyIn(t, qc, "copy spr from stdin", "5\t1\n"); err != nil || tag != "COPY 1" {
		t.Fatalf("copy: %q %v", tag, err)
	}
	mustRun("savepoint a; insert into spr values (6, 0)", `results=["||SAVEPOINT" "||INSERT 0 1"] err= tx=T`)
	refused("rollback to a", "COPY FROM")
	mustRun("rollback", `results=["||ROLLBACK"] err= tx=I`)

	// Writes made before BEGIN in the same Query string.
	mustRun("insert into spr values (7, 0); begin; savepoint a; insert into spr values (8, 0)",
		`results=["||INSERT 0 1" "||BEGIN" "||SAVEPOINT" "||INSERT 0 1"] err= tx=T`)
	refused("rollback to a", "BEGIN")
	mustRun("rollback", `results=["||ROLLBACK"] err= tx=I`)
	mustRun("select count(*) from spr", `results=["count,|0;/|SELECT 1"] err= tx=I`)

	// A replayed write that reads other rows than the first time (from a
	// file changed meanwhile), or fails: the replay stops, the transaction
	// is failed, and an earlier savepoint still recovers it.
	csv := filepath.Join(t.TempDir(), "rows.csv")
	if err := os.WriteFile(csv, []byte("a\n1\n2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	load := "insert into spr select a, 0 from read_csv_auto('" + csv + "')"
	mustRun("begin; savepoint early; "+load+"; savepoint a; insert into spr values (9, 0)",
		`results=["||BEGIN" "||SAVEPOINT" "||INSERT 0 2" "||SAVEPOINT" "||INSERT 0 1"] err= tx=T`)
	if err := os.WriteFile(csv, []byte("a\n1\n2\n3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	refused("rollback to a", "changed 3 rows when run again, not 2")
	if err := os.Remove(csv); err != nil {
		t.Fatal(err)
	}
	refused("rollback to a", "failed when run again")
	mustRun("rollback to early; select count(*) from spr", `results=["||ROLLBACK" "count,|0;/|SELECT 1"] err= tx=T`)
	mustRun("insert into spr values (10, 0); commit", `results=["||INSERT 0 1" "||COMMIT"] err= tx=I`)
	mustRun("select i from spr", `results=["i,|10;/|SELECT 1"] err= tx=I`)

	// Writes past the log's memory bound: savepoints made after it are
	// refused, those made before it still work.
	mustRun("begin; insert into spr values (11, 0); savepoint early", `results=["||BEGIN" "||INSERT 0 1" "||SAVEPOINT"] err= tx=T`)
	big := "update spr set f = length('" + strings.Repeat("y", 1<<20) + "') where i = 11"
	for range 33 {
		if _, err := qc.Exec(ctx, big).ReadAll(); err != nil {
			t.Fatal(err)
		}
	}
	mustRun("savepoint late; insert into spr values (12, 0)", `results=["||SAVEPOINT" "||INSERT 0 1"] err= tx=T`)
	refused("rollback to late", "MiB")
	mustRun("rollback to early; select i, f from spr order by i", `results=["||ROLLBACK" "i,f,|10;0;/11;0;/|SELECT 2"] err= tx=T`)
	mustRun("commit", `results=["||COMMIT"] err= tx=I`)

	mustRun("drop table spr; drop table spd; drop sequence sq", `results=["||DROP TABLE" "||DROP TABLE" "||DROP SEQUENCE"] err= tx=I`)
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
