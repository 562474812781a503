//go:build duckdb_arrow

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgxCase is one query run through pgx on both servers.
type pgxCase struct {
	pg, quiver string // quiver empty: same SQL
	args       []any
}

var pgxCases = []pgxCase{
	{pg: "select true, false, null::bool"},
	{pg: "select 1::int2, 2::int4, 3::int8, (-32768)::int2, 2147483647::int4, (-9223372036854775808)::int8"},
	{pg: "select 1.5::float4, 0.1::float8, 'NaN'::float8, '-Infinity'::float4"},
	{pg: "select 1.50::numeric(10,2), (-123456789.123456)::numeric(20,6), 0.000::numeric(5,3)"},
	{pg: "select 'hello'::text, ''::text, 'üñí ✓'::text, 'x'::varchar"},
	{pg: `select '\xdeadbeef'::bytea`, quiver: "select unhex('deadbeef')"},
	{pg: "select date '2024-02-29', date '1970-01-01', date '0001-01-01'"},
	{pg: "select timestamp '2024-01-02 03:04:05.123456', timestamp '1969-12-31 23:59:59.5'"},
	{pg: "select timestamptz '2024-01-02 03:04:05.25+00', timestamptz '1999-06-30 12:00:00-07'"},
	{pg: "select time '04:05:06.789', time '23:59:59.999999'"},
	{pg: "select interval '1 year 2 months 3 days 04:05:06.789', interval '-1 day', interval '36 hours'"},
	{pg: "select array[1,2,null,4], array['a','b c',null]"},
	{pg: "select 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid"},
	{pg: "select i, i * 2 as d from generate_series(1, 3000) g(i) order by i", quiver: "select i::int4 as i, (i * 2)::int4 as d from range(1, 3001) g(i) order by i"},
	{pg: "select $1::int4 + $2::int4", args: []any{int32(40), int32(2)}},
	{pg: "select $1::text || '!'", args: []any{"hi"}},
	{pg: "select $1::int8, $2::float8, $3::bool, $4::text", args: []any{int64(-7), 2.5, true, "x"}},
	{pg: "select $1::date, $2::timestamp, $3::timestamptz", args: []any{
		time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC),
		time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
	}},
	{pg: "select $1::numeric(10,2)", args: []any{"12.34"}},
	{pg: "select $1::int4 is null", args: []any{nil}},
}

// valuesString renders the rows pgx decoded, so both servers can be compared.
func valuesString(t *testing.T, conn *pgx.Conn, sql string, args []any) string {
	t.Helper()
	rows, err := conn.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%q: %v", sql, err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatalf("%q: %v", sql, err)
		}
		for _, v := range vals {
			fmt.Fprintf(&b, "%T:%v|", v, v)
		}
		b.WriteString("\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%q: %v", sql, err)
	}
	return b.String()
}

// TestPgxModes runs the cases through pgx in each of its query execution
// modes: the simple protocol (text), and the extended protocol with cached
// statements and with describe-exec, where pgx asks for binary results.
func TestPgxModes(t *testing.T) {
	pg, q := servers(t)
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeCacheStatement, pgx.QueryExecModeDescribeExec, pgx.QueryExecModeExec} {
		t.Run(mode.String(), func(t *testing.T) {
			pc, qc := connectPgx(t, pg.URL("postgres"), mode), connectPgx(t, q.URL(), mode)
			for _, c := range pgxCases {
				qsql := c.quiver
				if qsql == "" {
					qsql = c.pg
				}
				// Run twice: the second run uses pgx's statement cache.
				for range 2 {
					want := valuesString(t, pc, c.pg, c.args)
					got := valuesString(t, qc, qsql, c.args)
					if got != want {
						t.Errorf("%s\n PostgreSQL: %s\n quiver:     %s", c.pg, clip(want), clip(got))
						break
					}
				}
			}
		})
	}
}

// clip shortens long outputs in failure messages.
func clip(s string) string {
	if len(s) > 600 {
		return s[:600] + "..."
	}
	return s
}
