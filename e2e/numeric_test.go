//go:build duckdb_arrow

package e2e

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/big"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

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

// TestAvgTypesMatchPostgres: avg of integers is numeric, exact to 16
// decimal places, where DuckDB's is double precision. PostgreSQL's scale
// varies with the values (16 digits when the average's first digit is
// above the count's, 20 when not, fewer for large averages); quiver's
// column keeps 16. The types match, and each value, rounded to
// PostgreSQL's scale, is PostgreSQL's, in every format.
func TestAvgTypesMatchPostgres(t *testing.T) {
	pc, qc := connectBoth(t)
	ctx := context.Background()
	onBoth(t, pc, qc, "drop table avgs",
		"create table avgs (a int4, b int8, c int2, d numeric(10,2), e float8)",
		"insert into avgs values (1, 2, 3, 1.25, 0.5), (4, 5000000000, 6, 2.5, 1.5), (2, 7, -9, 1, 1), (null, null, null, null, null)")
	for _, sql := range []string{
		"select avg(a) as a, avg(b) as b, avg(c) as c, avg(e) as e from avgs",
		"select avg(a) filter (where a > 1) as f, avg(-a) as n, pg_catalog.avg(c) as q from avgs",
		"select c, avg(a) + 1 as s from avgs group by c having avg(a) > 0 order by avg(c) desc",
		"select avg(a) as a from avgs where false",
		"select round(avg(a), 2) as r, avg(a)::int4 as i from avgs",
		"select avg(x) as x from (values (1), (1)) t(x)",
		"select avg(x) as x from (values (100000), (0), (0)) t(x)",
		"select avg(x) as x from (values (9223372036854775807::int8), (9223372036854775806)) t(x)",
		"select avg(x) as x from (values (-5), (-4)) t(x)",
	} {
		for _, format := range []int16{-1, 0, 1} {
			var want, got *pgconn.Result
			if format < 0 {
				w, werr := pc.Exec(ctx, sql).ReadAll()
				g, gerr := qc.Exec(ctx, sql).ReadAll()
				if werr != nil || gerr != nil || len(w) != 1 || len(g) != 1 {
					t.Fatalf("%s: postgres %v, quiver %v", sql, werr, gerr)
				}
				want, got = w[0], g[0]
			} else {
				want = pc.ExecParams(ctx, sql, nil, nil, nil, []int16{format}).Read()
				got = qc.ExecParams(ctx, sql, nil, nil, nil, []int16{format}).Read()
			}
			if g, w := describeAtScale(t, got, want); g != w {
				t.Errorf("%s format %d:\n got  %s\n want %s", sql, format, g, w)
			}
		}
	}
}

// describeAtScale is describe(got) with each numeric value rounded to the
// scale of the same value in want, and want's described as it is; binary
// numerics of both are written as text at those scales.
func describeAtScale(t *testing.T, got, want *pgconn.Result) (string, string) {
	t.Helper()
	if len(got.Rows) != len(want.Rows) || len(got.FieldDescriptions) != len(want.FieldDescriptions) {
		return describe(got), describe(want)
	}
	m := pgtype.NewMap()
	g := &pgconn.Result{FieldDescriptions: got.FieldDescriptions, Err: got.Err}
	w := &pgconn.Result{FieldDescriptions: want.FieldDescriptions, Err: want.Err}
	text := func(f pgconn.FieldDescription, v []byte, scale int) string {
		var n pgtype.Numeric
		if err := m.Scan(f.DataTypeOID, f.Format, v, &n); err != nil {
			t.Fatal(err)
		}
		pow := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(max(n.Exp, -n.Exp))), nil))
		rat := new(big.Rat).SetInt(n.Int)
		if n.Exp > 0 {
			rat.Mul(rat, pow)
		} else {
			rat.Quo(rat, pow)
		}
		return rat.FloatString(scale) // rounds half away from zero, as PostgreSQL
	}
	for i, row := range got.Rows {
		gr, wr := append([][]byte(nil), row...), append([][]byte(nil), want.Rows[i]...)
		for j, v := range gr {
			f, wv := got.FieldDescriptions[j], wr[j]
			if f.DataTypeOID != pgtype.NumericOID || v == nil || wv == nil {
				continue
			}
			scale := 0
			if f.Format == 1 {
				scale = int(binary.BigEndian.Uint16(wv[6:8]))
				wr[j] = []byte(text(f, wv, scale))
			} else if k := bytes.IndexByte(wv, '.'); k >= 0 {
				scale = len(wv) - k - 1
			}
			gr[j] = []byte(text(f, v, scale))
		}
		g.Rows, w.Rows = append(g.Rows, gr), append(w.Rows, wr)
	}
	return describe(g), describe(w)
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
