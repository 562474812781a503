//go:build duckdb_arrow

package e2e

import (
	"strings"
	"testing"

	"github.com/quiverdb/quiver/internal/quivertest"
	"github.com/quiverdb/quiver/internal/testenv"
)

// psqlRun runs the real psql against host:port (see testenv.Psql).
func psqlRun(t *testing.T, host string, port int, user, db, script string, args ...string) string {
	t.Helper()
	return testenv.Psql(t, host, port, user, db, script, args...)
}

// samePsql runs script through psql on PostgreSQL (database db) and on
// quiver and reports a difference in the output. The script must cause
// exactly errors errors on PostgreSQL, so that a script failing alike on
// both cannot pass unnoticed. It returns PostgreSQL's output.
func samePsql(t *testing.T, pg *testenv.Postgres, q *quivertest.Server, db, script string, errors int) string {
	t.Helper()
	want := psqlRun(t, pg.Host, pg.Port, pg.User, db, script)
	got := psqlRun(t, q.Host, q.Port, "me", "quiver", script)
	if got != want {
		t.Errorf("psql output differs\n--- PostgreSQL:\n%s\n--- quiver:\n%s", want, got)
	}
	if n := strings.Count(want, "ERROR:"); n != errors {
		t.Errorf("PostgreSQL gave %d errors, want %d:\n%s", n, errors, want)
	}
	return want
}

// psqlCase is one statement run on both servers. PostgreSQL's SQL and
// quiver's SQL differ only where the dialects spell the same value
// differently; the printed output must be the same.
type psqlCase struct {
	name   string
	pg     string
	quiver string // empty: same as pg
}

func (c psqlCase) quiverSQL() string {
	if c.quiver != "" {
		return c.quiver
	}
	return c.pg
}

// TestPsqlTypes prints every foundation type through psql on PostgreSQL and
// on quiver (DuckDB) and requires the same bytes.
func TestPsqlTypes(t *testing.T) {
	pg, q := servers(t)
	cases := []psqlCase{
		{name: "bool", pg: "select true as a, false as b, null::bool as c"},
		{name: "int2", pg: "select (-32768)::int2 as a, 32767::int2 as b, 0::int2 as c"},
		{name: "int4", pg: "select (-2147483648)::int4 as a, 2147483647::int4 as b"},
		{name: "int8", pg: "select (-9223372036854775808)::int8 as a, 9223372036854775807::int8 as b"},
		{name: "uint8", pg: "select 255::int2 as a", quiver: "select 255::utinyint as a"},
		{name: "uint16", pg: "select 65535::int4 as a", quiver: "select 65535::usmallint as a"},
		{name: "uint32", pg: "select 4294967295::int8 as a", quiver: "select 4294967295::uinteger as a"},
		{name: "uint64", pg: "select 18446744073709551615::numeric as a", quiver: "select 18446744073709551615::ubigint as a"},
		{name: "float4", pg: "select 1.5::float4 as a, 0.1::float4 as b, (1/3.0)::float4 as c, 'NaN'::float4 as d, 'Infinity'::float4 as e, '-Infinity'::float4 as f, 1e10::float4 as g, 1.0e-7::float4 as h"},
		{name: "float8", pg: "select 0.1::float8 as a, (1/3.0)::float8 as b, 1e15::float8 as c, 1e16::float8 as d, 123456789012345::float8 as e, 1e-5::float8 as f, 'NaN'::float8 as g, '-Infinity'::float8 as h, 2.5e-300::float8 as i, (-0.0)::float8 as j"},
		{name: "numeric", pg: "select 1.50::numeric(10,2) as a, (-123456789.123456)::numeric(20,6) as b, 0::numeric(5,3) as c, 12345678901234567890123456789.012345678::numeric(38,9) as d"},
		{name: "text", pg: "select 'hello'::text as a, ''::text as b, 'üñíçødé ✓'::text as c, 'tab\there'::text as d, null::text as e"},
		{name: "varchar", pg: "select 'x'::varchar as a"},
		{name: "bytea", pg: `select '\xdeadbeef00ff'::bytea as a, ''::bytea as b`, quiver: `select unhex('deadbeef00ff') as a, ''::blob as b`},
		{name: "date", pg: "select date '2024-02-29' as a, date '1970-01-01' as b, date '0001-01-01' as c, date '1999-12-31' as d, date '9999-12-31' as e"},
		{name: "date_bc", pg: "select date '0044-03-15 BC' as a", quiver: "select date '0044-03-15 (BC)' as a"},
		{name: "timestamp", pg: "select timestamp '2024-01-02 03:04:05.123456' as a, timestamp '1969-12-31 23:59:59.5' as b, timestamp '2000-01-01 00:00:00' as c, timestamp '0001-01-01 00:00:00' as d"},
		{name: "timestamptz", pg: "select timestamptz '2024-01-02 03:04:05.25+00' as a, timestamptz '1999-06-30 12:00:00-07' as b"},
		{name: "timestamptz_zone", pg: "set timezone = 'America/New_York'; select timestamptz '2024-01-02 03:04:05+00' as a, timestamptz '2024-07-02 03:04:05+00' as b"},
		{name: "timestamptz_kolkata", pg: "set timezone = 'Asia/Kolkata'; select timestamptz '2024-01-02 03:04:05.5+00' as a"},
		{name: "time", pg: "select time '04:05:06.789' as a, time '00:00:00' as b, time '23:59:59.999999' as c"},
		{name: "interval", pg: "select interval '1 year 2 months 3 days 04:05:06.789' as a, interval '-1 day' as b, interval '0' as c, interval '36 hours' as d, interval '1 month -1 day' as e, interval '-00:00:01.5' as f"},
		{name: "int_array", pg: "select array[1,2,null,4] as a, array[]::int[] as b"},
		{name: "text_array", pg: `select array['a','b c','','NULL','x"y','back\slash','{}',null] as a`},
		{name: "nested_array", pg: "select array[array[1,2],array[3,4]] as a", quiver: "select [[1,2],[3,4]] as a"},
		{name: "uuid", pg: "select 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as a"},
		{name: "nulls", pg: "select null as a, null::int as b, null::date as c"},
		{name: "int_division", pg: "select 7/2 as a, -7/2 as b, 7 % 3 as c, (-7) % 3 as d, 9223372036854775807 / 2 as e"},
		{name: "many_rows", pg: "select i, i * 1.5 as f, 'row ' || i as s from generate_series(1, 2000) as g(i)", quiver: "select i, i * 1.5 as f, 'row ' || i as s from range(1, 2001) as g(i)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := psqlRun(t, pg.Host, pg.Port, pg.User, "postgres", c.pg+";\n")
			got := psqlRun(t, q.Host, q.Port, "me", "quiver", c.quiverSQL()+";\n")
			if got != want {
				t.Errorf("psql output differs\n--- PostgreSQL:\n%s\n--- quiver:\n%s", want, got)
			}
			if !strings.Contains(want, "(1 row)") && !strings.Contains(want, "rows)") {
				t.Errorf("PostgreSQL printed no rows; the case proves nothing:\n%s", want)
			}
			if testing.Verbose() {
				t.Logf("\n%s", got)
			}
		})
	}
}

// TestPsqlIssueExample is the foundation issue's example, verbatim.
func TestPsqlIssueExample(t *testing.T) {
	pg, q := servers(t)
	db := pg.CreateDB(t)
	const pgSQL = "create table t as select * from generate_series(0, 4) r(i); select i, i*1.5 from t"
	const qSQL = "create table t as select * from range(5) r(i); select i, i*1.5 from t"
	want := psqlRun(t, pg.Host, pg.Port, pg.User, db, "", "-c", pgSQL)
	got := psqlRun(t, q.Host, q.Port, "me", "quiver", "", "-c", qSQL)
	if got != want {
		t.Errorf("psql output differs\n--- PostgreSQL:\n%s\n--- quiver:\n%s", want, got)
	}
}
