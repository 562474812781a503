//go:build duckdb_arrow

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/quiverdb/quiver/backends/duckdb"
	"github.com/quiverdb/quiver/internal/quivertest"
)

// TestUnconstrainedNumericMatchesPostgres stores and reads numeric
// columns and casts without a typmod. DuckDB has no arbitrary-precision
// decimal and would make them DECIMAL(18,3), rounding 1.23456789 to 1.235;
// quiver makes them DECIMAL(38,10) and presents each value with the fewest
// fraction digits that keep it, which is PostgreSQL's output for values
// written without trailing fraction zeros (the cases here: a value written
// 1.50 is 1.50 in PostgreSQL and 1.5 in quiver, docs/types.md). Where
// DuckDB itself turns such a value into text (x::text, 'a' || x) it keeps
// the ten fraction digits: 1.2345678900.
func TestUnconstrainedNumericMatchesPostgres(t *testing.T) {
	pc, qc := connectBoth(t)
	ctx := context.Background()
	onBoth(t, pc, qc, "drop table numc",
		"create table numc (id int4, x numeric, l numeric[])",
		"insert into numc values (1, 1.23456789, array[1.5, 2]), (2, 100, null), (3, -0.000001, array[]::numeric[]), (4, 0, array[0.25]), (5, null, null), (6, 1234567890123456789012345678, null)")
	for _, sql := range []string{
		"select x, l from numc order by id",
		"select x + 1 as a, x - 0.5 as b from numc where id < 6 order by id",
		"select sum(x) as s, max(x) as m, min(x) as n from numc where id < 6",
		"select 1.5::numeric as a, '0.0001'::numeric as b, cast(7 as decimal) as c, '-12.75'::numeric as d",
		"select id from numc where x = 1.23456789::numeric",
	} {
		sameExtended(t, pc, qc, sql)
	}
	// COPY TO writes the same text.
	var want, got bytes.Buffer
	if _, err := pc.CopyTo(ctx, &want, "copy (select id, x, l from numc order by id) to stdout"); err != nil {
		t.Fatal(err)
	}
	if _, err := qc.CopyTo(ctx, &got, "copy (select id, x, l from numc order by id) to stdout"); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("COPY TO:\n got  %q\n want %q", got.String(), want.String())
	}
}

// TestArrayLiteralCastsMatchPostgres casts PostgreSQL array literals to
// array types, which DuckDB's own casts do not read: values, NULLs, quotes
// and escapes, nesting, empty arrays, and a malformed literal's 22P02.
func TestArrayLiteralCastsMatchPostgres(t *testing.T) {
	pc, qc := connectBoth(t)
	for _, sql := range []string{
		`select '{1,2,3}'::int[] as a, '{}'::int8[] as b, '{1.5,NULL,-2}'::numeric[] as c`,
		`select '{a,"b c",NULL,"NULL","d\"e"}'::text[] as a, cast('{t,f}' as bool[]) as b`,
		`select '{{1,2},{3,4}}'::int[] as a, '[1:2]={7,8}'::int[] as b, '{{{x}}}'::text[] as c`,
		`select '{2024-01-02,2025-12-31}'::date[] as a`,
		`select '{1,2'::int[] as a`,
		`select '{{1},{2,3}}'::int[] as a`,
	} {
		sameExtended(t, pc, qc, sql)
	}
}

// TestSumTypesMatchPostgres sums each numeric type: PostgreSQL's sum of
// smallint and integer is bigint, which DuckDB makes a 128-bit integer
// (presented as numeric), so drivers got a decimal where they expect an
// integer. Plain sums, sums with FILTER, sums in expressions, HAVING and
// ORDER BY, with no rows, and of constants, in text and binary, in the
// simple protocol and prepared.
func TestSumTypesMatchPostgres(t *testing.T) {
	pc, qc := connectBoth(t)
	ctx := context.Background()
	onBoth(t, pc, qc, "drop table sums",
		"create table sums (a int4, b int8, c int2, d numeric(10,2), e float8, g numeric)",
		"insert into sums values (1, 2, 3, 1.25, 0.5, 1.123456789), (4, 5000000000, 6, 2.5, 1.5, 2), (null, null, null, null, null, null)")
	for _, sql := range []string{
		"select sum(a) as a, sum(b) as b, sum(c) as c, sum(d) as d, sum(e) as e, sum(g) as g from sums",
		"select sum(a) filter (where a > 1) as f, sum(c) filter (where c > 100) as n, pg_catalog.sum(c) as q from sums",
		"select a, sum(c) + 1 as s from sums group by a having sum(a) > 0 order by sum(c) desc",
		"select sum(a) as a, sum(b) as b from sums where false",
		"select sum(2147483647) as s from generate_series(1, 3)",
		"select sum(x) as s from (select a::int2 as x from sums) q",
	} {
		w, werr := pc.Exec(ctx, sql).ReadAll()
		g, gerr := qc.Exec(ctx, sql).ReadAll()
		if werr != nil || gerr != nil || len(w) != 1 || len(g) != 1 {
			t.Fatalf("%s: postgres %v, quiver %v", sql, werr, gerr)
		}
		if describe(g[0]) != describe(w[0]) {
			t.Errorf("%s simple:\n got  %s\n want %s", sql, describe(g[0]), describe(w[0]))
		}
		sameExtended(t, pc, qc, sql)
	}
	// A view keeps DuckDB's own sum: DuckDB stores the view's query, which
	// must not call a macro of quiver's in-memory database.
	res, err := qc.Exec(ctx, "create view sumv as select sum(a) as s from sums; select sql from duckdb_views() where view_name = 'sumv'; select s from sumv; drop view sumv").ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if def := string(res[1].Rows[0][0]); strings.Contains(def, "quiver") || string(res[2].Rows[0][0]) != "5" {
		t.Errorf("view: %s, sum %s", def, res[2].Rows[0][0])
	}
}

// TestReadOnlyDatabaseSums opens a database file read-only: the catalog's
// own in-memory database, which holds the macros behind sum and the
// catalog snapshots, is still made, so sums, \dt and the rest work, and
// writes get DuckDB's error.
func TestReadOnlyDatabaseSums(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ro.duckdb")
	ctx := context.Background()
	func() {
		db, err := duckdb.Open("duckdb:"+path, duckdb.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		c := quivertest.Start(t, quivertest.Options{Backend: db}).Connect(t)
		if _, err := c.Exec(ctx, "create table r (a int4); insert into r values (1), (2)").ReadAll(); err != nil {
			t.Fatal(err)
		}
		c.Close(ctx)
	}()
	db, err := duckdb.Open("duckdb:"+path+"?access_mode=read_only", duckdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	c := quivertest.Start(t, quivertest.Options{Backend: db}).Connect(t)
	res, err := c.Exec(ctx, "select sum(a), pg_typeof(sum(a))::text from r").ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%s %s", res[0].Rows[0][0], res[0].Rows[0][1]); got != "3 bigint" {
		t.Errorf("sum on a read-only database: %s, want 3 bigint", got)
	}
	if _, err := c.Exec(ctx, "insert into r values (3)").ReadAll(); err == nil {
		t.Error("insert into a read-only database succeeded")
	}
}

// onBoth runs the setup statements on both connections, failing the test
// on an error, and cleanup on both when the test ends.
func onBoth(t *testing.T, pc, qc *pgconn.PgConn, cleanup string, setup ...string) {
	t.Helper()
	ctx := context.Background()
	for _, sql := range setup {
		for _, c := range []*pgconn.PgConn{pc, qc} {
			if _, err := c.Exec(ctx, sql).ReadAll(); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Cleanup(func() {
		for _, c := range []*pgconn.PgConn{pc, qc} {
			_, _ = c.Exec(ctx, cleanup).ReadAll()
		}
	})
}

// sameExtended runs sql in the extended protocol on both connections, with
// results in text and in binary, and compares what each returns
// (describe).
func sameExtended(t *testing.T, pc, qc *pgconn.PgConn, sql string) {
	t.Helper()
	ctx := context.Background()
	for _, format := range []int16{0, 1} {
		want := pc.ExecParams(ctx, sql, nil, nil, nil, []int16{format}).Read()
		got := qc.ExecParams(ctx, sql, nil, nil, nil, []int16{format}).Read()
		if describe(got) != describe(want) {
			t.Errorf("%s format %d:\n got  %s\n want %s", sql, format, describe(got), describe(want))
		}
	}
}
