//go:build duckdb_arrow

package e2e

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// TestCursorsMatchPostgres runs DECLARE, FETCH, MOVE and CLOSE on both
// servers and compares everything a client sees. quiver's cursors are NO
// SCROLL unless declared SCROLL, where PostgreSQL also makes a cursor
// scrollable when its plan can run backwards, so every cursor that scans
// backwards here is declared SCROLL or NO SCROLL explicitly.
func TestCursorsMatchPostgres(t *testing.T) {
	pc, qc := connectBoth(t)
	steps := []string{
		"create table ct (i int, s text); insert into ct select g, 'r' || g from generate_series(1, 25) g",
		"declare c cursor for select i from ct order by i",
		"begin",
		"declare c scroll cursor for select i, s from ct order by i",
		"fetch 3 from c", "fetch next from c", "fetch prior from c", "fetch first from c",
		"fetch last from c", "fetch absolute 5 from c", "fetch absolute -2 from c",
		"fetch relative -3 from c", "fetch relative 0 from c", "fetch relative 2 from c",
		"fetch forward 0 in c", "move backward all in c", "fetch 2 from c", "move forward 5 in c",
		"fetch backward 2 from c", "fetch all from c", "fetch next from c", "fetch backward 3 from c",
		"move absolute 0 in c", "fetch absolute 100 from c", "fetch prior from c",
		"move relative -1 in c", "fetch -2 from c", "move last in c", "move next in c", "fetch backward all from c",
		"close c", "fetch next from c", "rollback",

		"begin; declare n no scroll cursor for select i from ct order by i; fetch 2 from n; fetch forward 3 from n",
		"move relative 0 in n", "fetch prior from n", "rollback",
		"begin; declare n no scroll cursor for select i from ct order by i; fetch 2 from n; fetch absolute 1 from n", "rollback",
		"begin; declare n no scroll cursor for select i from ct order by i; fetch relative 0 from n; fetch absolute 4 from n; fetch relative 2 from n; move 3 in n; fetch next from n",
		"fetch all from n", "fetch next from n", "move backward all in n", "commit",
		"begin; declare n no scroll cursor for select i from ct order by i; fetch relative -1 from n", "rollback",
		"begin; declare n no scroll cursor for select i from ct order by i; fetch 30 from n; fetch last from n", "rollback",

		// WITH HOLD outlives its transaction and does not see later changes.
		"begin; declare h cursor with hold for select i from ct order by i; fetch 2 from h; commit",
		"fetch 3 from h", "insert into ct values (100, 'x')", "fetch all from h", "close h", "delete from ct where i = 100",
		"begin; declare h2 cursor with hold for select 1; rollback", "fetch from h2",
		"declare h3 cursor with hold for select i from ct where i < 4 order by i", "fetch all from h3", "close h3", "close h3",
		"begin; declare d cursor for select 1; declare d cursor for select 2", "rollback",
		"begin; declare b binary cursor for select i, s from ct order by i limit 2; fetch all from b; commit",
		"begin; declare c1 cursor for select i from ct order by i; declare c2 cursor for select s from ct order by i desc; fetch 2 from c1; fetch 2 from c2; fetch 1 from c1; close all; fetch 1 from c1", "rollback",
		"declare m cursor for select 1 as x; fetch all from m",
		"fetch all from m",
		// An error while planning the query fails DECLARE. (Errors while
		// running it come at DECLARE on DuckDB, which starts the query there,
		// and at FETCH on PostgreSQL.)
		"begin; declare e cursor for select 1 / 0", "rollback",
		"begin; declare e cursor for select * from missing_table", "rollback",
		"drop table ct",
	}
	compareSteps(t, pc, qc, steps)
}

// TestCursorsExtendedProtocol declares a cursor with a bound parameter
// and fetches from it through the extended protocol, as psycopg 3's server
// cursors do, describing the cursor's portal by name.
func TestCursorsExtendedProtocol(t *testing.T) {
	pc, qc := connectBoth(t)
	ctx := context.Background()
	run := func(c *pgconn.PgConn) string {
		var b strings.Builder
		step := func(sql string, params ...string) {
			args := make([][]byte, len(params))
			for i, p := range params {
				args[i] = []byte(p)
			}
			res := c.ExecParams(ctx, sql, args, nil, nil, []int16{1}).Read()
			b.WriteString(sql + " ->")
			var pe *pgconn.PgError
			if errors.As(res.Err, &pe) {
				b.WriteString(" error " + pe.Code + "\n")
				return
			} else if res.Err != nil {
				t.Fatalf("%s: %v", sql, res.Err)
			}
			for _, f := range res.FieldDescriptions {
				fmt.Fprintf(&b, " %s:%d", f.Name, f.DataTypeOID)
			}
			for _, r := range res.Rows {
				for _, v := range r {
					b.WriteString(" " + hex.EncodeToString(v))
				}
				b.WriteString(";")
			}
			b.WriteString(" " + res.CommandTag.String() + "\n")
		}
		step("create table cx (i int8, s text)")
		step("insert into cx select g, 'v' || g from generate_series(1, 10) g")
		step("declare p cursor for select i, s from cx where i > $1 order by i", "3")
		step("begin")
		step("declare p cursor for select i, s from cx where i > $1 order by i", "3")
		// Describe the cursor's portal by name, as psycopg 3 does, and run
		// it with the protocol's Execute and a row limit.
		b.WriteString(exchange(t, c,
			&pgproto3.Describe{ObjectType: 'P', Name: "p"},
			&pgproto3.Execute{Portal: "p", MaxRows: 2},
			&pgproto3.Execute{Portal: "p", MaxRows: 1},
			&pgproto3.Sync{}))
		step("fetch forward 2 from p")
		step("fetch forward 2 from p")
		step("move forward all in p")
		step("fetch forward 2 from p")
		step("close p")
		step("fetch forward 2 from p")
		step("rollback")
		step("drop table cx")
		return b.String()
	}
	want, got := run(pc), run(qc)
	if got != want {
		t.Errorf("PostgreSQL:\n%s\nquiver:\n%s", want, got)
	}
}

// TestCursorDeclareErrorsMatchPostgres checks where a cursor's errors come
// from, and what they say. PostgreSQL plans a cursor's query at DECLARE:
// an unknown table or column, an operator or a type that does not fit, a
// syntax error, or a constant expression that fails (it folds 1/0 while
// planning) fails DECLARE, with the SQLSTATE and the position in the
// DECLARE; the transaction block then fails. An error in the rows comes at
// the FETCH that reads them, or at DECLARE for a WITH HOLD cursor outside
// a transaction block, whose rows are all read when DECLARE commits. Each
// step is also run through the extended protocol (Parse, Bind, Execute).
func TestCursorDeclareErrorsMatchPostgres(t *testing.T) {
	pc, qc := connectBoth(t)
	ctx := context.Background()
	for _, c := range []*pgconn.PgConn{pc, qc} {
		if _, err := c.Exec(ctx, "create table cde (i int, s text); insert into cde select g, 'r' || g from generate_series(1, 25) g").ReadAll(); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		sql     string
		message bool // DuckDB words this error as PostgreSQL does
	}{
		{"begin", true},
		{"declare e cursor for select * from missing_table", true},
		{"rollback", true},
		{"begin", true},
		{"declare   e  cursor for select i, nope from cde", true},
		{"rollback", true},
		{"begin", true},
		{"declare e cursor for select i from cde where i + 'a'::text > 0", false},
		{"rollback", true},
		{"begin", true},
		{"declare e cursor for selec 1", true},
		{"rollback", true},
		{"begin", true},
		{"declare e binary cursor for\n  select i, 2 / 0 + 1 from cde", true},
		{"rollback", true},
		{"begin", true},
		{"declare e cursor for select i from cde where 'abc'::int = i", true},
		{"rollback", true},
		{"begin", true},
		{"declare e no scroll cursor for select 10 / (i - 1) from cde order by i", true},
		{"fetch 1 from e", true},
		{"rollback", true},
		{"begin", true},
		{"declare e cursor for select i from cde where i > '20'::int order by i", true},
		{"fetch 2 from e", true},
		{"commit", true},
		{"declare h cursor with hold for select 10 / (i - 1) from cde", true},
		{"fetch 1 from h", true},
		{"drop table cde", true},
	}
	for _, step := range steps {
		want := declareOutcome(ctx, pc, step.sql, step.message)
		got := declareOutcome(ctx, qc, step.sql, step.message)
		if got != want {
			t.Errorf("%q\n PostgreSQL: %s\n quiver:     %s", step.sql, want, got)
		}
	}
	// Through the extended protocol the query is planned at Parse.
	for _, c := range []*pgconn.PgConn{pc, qc} {
		if _, err := c.Exec(ctx, "create table cde (i int)").ReadAll(); err != nil {
			t.Fatal(err)
		}
	}
	for _, sql := range []string{
		"declare e cursor with hold for select nope from cde",
		"declare e cursor with hold for select * from missing_table where i > $1",
		"declare e cursor with hold for select i from cde where i > $1",
		"close e",
		"drop table cde",
	} {
		run := func(c *pgconn.PgConn) string {
			var args [][]byte
			if strings.Contains(sql, "$1") {
				args = [][]byte{[]byte("1")}
			}
			res := c.ExecParams(ctx, sql, args, nil, nil, nil).Read()
			return fmt.Sprintf("%s %s", res.CommandTag, errorOutcome(res.Err, true))
		}
		if want, got := run(pc), run(qc); got != want {
			t.Errorf("extended %q\n PostgreSQL: %s\n quiver:     %s", sql, want, got)
		}
	}
}

// declareOutcome runs sql as a simple Query and renders the command tags
// and rows it returned, its error (SQLSTATE, position, and the message if
// message is set) and the transaction status after it.
func declareOutcome(ctx context.Context, c *pgconn.PgConn, sql string, message bool) string {
	results, err := c.Exec(ctx, sql).ReadAll()
	var b strings.Builder
	for _, r := range results {
		b.WriteString(r.CommandTag.String())
		for _, row := range r.Rows {
			fmt.Fprintf(&b, " %x", row)
		}
		b.WriteString("; ")
	}
	fmt.Fprintf(&b, "%s tx %c", errorOutcome(err, message), c.TxStatus())
	return b.String()
}

// errorOutcome renders an error's SQLSTATE and position, and its message
// if message is set.
func errorOutcome(err error, message bool) string {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		if err != nil {
			return "error " + err.Error()
		}
		return "ok"
	}
	out := fmt.Sprintf("error %s at %d", pe.Code, pe.Position)
	if message {
		out += " " + pe.Message
	}
	return out
}
