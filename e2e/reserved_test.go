//go:build duckdb_arrow

package e2e

import "testing"

// TestDuckDBReservedNamesMatchPostgres uses as names words DuckDB reserves
// and PostgreSQL does not, beside the PostgreSQL keywords they resemble
// (ORDER BY, AT TIME ZONE).
func TestDuckDBReservedNamesMatchPostgres(t *testing.T) {
	pc, qc := connectBoth(t)
	compareSteps(t, pc, qc, []string{
		"create table ev (id int, at timestamptz, by text, show int, pivot int, qualify int)",
		"insert into ev (id, at, by, show, pivot, qualify) values (1, timestamptz '2024-06-01 12:00+00', 'me', 1, 2, 3), (2, null, 'you', 4, 5, 6)",
		"select id, at, by, show, pivot, qualify from ev order by by desc, at",
		"select by, count(*) from ev group by by order by by",
		"select at at time zone 'UTC' as at from ev where at is not null",
		"update ev set show = show + 1 where by = 'me' returning show",
		"select e.at, e.by as qualify from ev e order by e.id",
		"select sum(pivot) over (partition by by order by at) from ev order by 1",
	})
}
