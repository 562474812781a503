//go:build duckdb_arrow

package e2e

import (
	"bytes"
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
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
	for _, sql := range []string{
		"create table numc (id int4, x numeric, l numeric[])",
		"insert into numc values (1, 1.23456789, array[1.5, 2]), (2, 100, null), (3, -0.000001, array[]::numeric[]), (4, 0, array[0.25]), (5, null, null), (6, 1234567890123456789012345678, null)",
	} {
		for _, c := range []*pgconn.PgConn{pc, qc} {
			if _, err := c.Exec(ctx, sql).ReadAll(); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Cleanup(func() {
		for _, c := range []*pgconn.PgConn{pc, qc} {
			_, _ = c.Exec(ctx, "drop table numc").ReadAll()
		}
	})
	for _, sql := range []string{
		"select x, l from numc order by id",
		"select x + 1 as a, x - 0.5 as b from numc where id < 6 order by id",
		"select sum(x) as s, max(x) as m, min(x) as n from numc where id < 6",
		"select 1.5::numeric as a, '0.0001'::numeric as b, cast(7 as decimal) as c, '-12.75'::numeric as d",
		"select id from numc where x = 1.23456789::numeric",
	} {
		for _, format := range []int16{0, 1} {
			want := pc.ExecParams(ctx, sql, nil, nil, nil, []int16{format}).Read()
			got := qc.ExecParams(ctx, sql, nil, nil, nil, []int16{format}).Read()
			if describe(got) != describe(want) {
				t.Errorf("%s format %d:\n got  %s\n want %s", sql, format, describe(got), describe(want))
			}
		}
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
	ctx := context.Background()
	for _, sql := range []string{
		`select '{1,2,3}'::int[] as a, '{}'::int8[] as b, '{1.5,NULL,-2}'::numeric[] as c`,
		`select '{a,"b c",NULL,"NULL","d\"e"}'::text[] as a, cast('{t,f}' as bool[]) as b`,
		`select '{{1,2},{3,4}}'::int[] as a, '[1:2]={7,8}'::int[] as b, '{{{x}}}'::text[] as c`,
		`select '{2024-01-02,2025-12-31}'::date[] as a`,
		`select '{1,2'::int[] as a`,
		`select '{{1},{2,3}}'::int[] as a`,
	} {
		for _, format := range []int16{0, 1} {
			want := pc.ExecParams(ctx, sql, nil, nil, nil, []int16{format}).Read()
			got := qc.ExecParams(ctx, sql, nil, nil, nil, []int16{format}).Read()
			if describe(got) != describe(want) {
				t.Errorf("%s format %d:\n got  %s\n want %s", sql, format, describe(got), describe(want))
			}
		}
	}
}
