//go:build duckdb_arrow

package e2e

import (
	"context"
	"testing"
)

// TestShortInsertMatchesPostgres inserts fewer values than a table has
// columns, without a column list: PostgreSQL fills the other columns with
// their defaults, in either protocol, in and out of transaction blocks.
func TestShortInsertMatchesPostgres(t *testing.T) {
	pc, qc := connectBoth(t)
	compareSteps(t, pc, qc, []string{
		"create table si (a int, b int default 7, c text default 'x', d timestamp)",
		"insert into si values (1)",
		"insert into si values (2, 3), (4, 5)",
		"insert into si select 9",
		"insert into si select i, i * 10 from generate_series(20, 22) i",
		"insert into si values (1, 2, 'three', null, 5)",
		"insert into si select 1, 2, 'three', null, 5",
		"begin",
		"insert into si values (10) returning a, b, c",
		"select count(*) from si",
		"commit",
		"prepare p(int) as insert into si values ($1)",
		"execute p(11)",
		"select * from si order by a, b",
	})
	// Extended protocol: Parse of the INSERT is where DuckDB refuses it.
	ctx := context.Background()
	for _, step := range []struct {
		sql  string
		args [][]byte
	}{
		{"insert into si values ($1)", [][]byte{[]byte("12")}},
		{"insert into si values ($1, $2) returning *", [][]byte{[]byte("13"), []byte("14")}},
		{"insert into si select $1::int", [][]byte{[]byte("15")}},
		{"insert into si values ($1, 1, 'a', null, 2)", [][]byte{[]byte("16")}},
		{"insert into si (a) values ($1, 2)", [][]byte{[]byte("16")}},
		{"insert into si (a, b, c) values ($1, 2)", [][]byte{[]byte("16")}},
		{"insert into si (a) select $1::int, 2", [][]byte{[]byte("16")}},
		{"select * from si where a >= 12 order by a", nil},
	} {
		want := resultOutcome(pc.ExecParams(ctx, step.sql, step.args, nil, nil, nil).Read(), pc)
		got := resultOutcome(qc.ExecParams(ctx, step.sql, step.args, nil, nil, nil).Read(), qc)
		if got != want {
			t.Errorf("%q\n PostgreSQL: %s\n quiver:     %s", step.sql, want, got)
		}
	}
}
