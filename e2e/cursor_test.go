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
