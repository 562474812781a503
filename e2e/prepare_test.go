//go:build duckdb_arrow

package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// TestSQLPrepareMatchesPostgres compares SQL-level PREPARE, EXECUTE and
// DEALLOCATE with PostgreSQL.
func TestSQLPrepareMatchesPostgres(t *testing.T) {
	pc, qc := connectBoth(t)
	compareSteps(t, pc, qc, []string{
		"create table zp (i int, s text)",
		"prepare ins (int, text) as insert into zp values ($1, $2)",
		"execute ins(1, 'a')", "execute ins (2, 'b')", "execute ins(3, null)",
		"prepare q as select i, s from zp where i > $1 order by i",
		"execute q(0)", "execute q(1)", "execute q('2')",
		"prepare q as select 1",
		"execute nosuch",
		"execute q", "execute q(1, 2)", "execute q('x')",
		"deallocate q", "execute q(0)", "deallocate q",
		"prepare u as update zp set s = $1 where i = $2", "execute u('z', 1)",
		"begin; execute u('y', 2); execute ins(4, 'd'); rollback", "select * from zp order by i",
		"prepare d as delete from zp where i = $1", "execute d(3)",
		"prepare noparams as select count(*) from zp", "execute noparams",
		"prepare sum2 (int8, int8) as select $1 + $2 as total", "execute sum2(40, 2)",
		"deallocate all", "execute sum2(1, 1)",
		"drop table zp",
	})
}

// TestSQLPrepareSharesProtocolNames checks that a statement made by SQL
// PREPARE can be bound through the extended protocol, and one made by Parse
// can be run with EXECUTE, as in PostgreSQL.
func TestSQLPrepareSharesProtocolNames(t *testing.T) {
	pc, qc := connectBoth(t)
	ctx := context.Background()
	run := func(c *pgconn.PgConn) string {
		out := fmt.Sprint(runSimple(t, c, "prepare viasql (int) as select $1 * 2 as twice"))
		rr := c.ExecPrepared(ctx, "viasql", [][]byte{[]byte("21")}, nil, nil).Read()
		out += fmt.Sprintf(" bind:%s %v", rr.Rows, rr.Err)
		if _, err := c.Prepare(ctx, "viaparse", "select $1::int + 1 as plus", nil); err != nil {
			t.Fatal(err)
		}
		out += " " + fmt.Sprint(runSimple(t, c, "execute viaparse(41)"))
		// A Describe of the EXECUTE statement gives the prepared one's columns.
		out += exchange(t, c,
			&pgproto3.Parse{Query: "execute viasql(5)"},
			&pgproto3.Describe{ObjectType: 'S'},
			&pgproto3.Bind{},
			&pgproto3.Execute{},
			&pgproto3.Sync{})
		out += " " + fmt.Sprint(runSimple(t, c, "deallocate viasql; deallocate viaparse"))
		return out
	}
	want, got := run(pc), run(qc)
	if got != want {
		t.Errorf("PostgreSQL: %s\nquiver:     %s", want, got)
	}
}
