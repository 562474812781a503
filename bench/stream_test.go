//go:build duckdb_arrow

// Package bench compares quiver with PostgreSQL on the same data, side by
// side in one run. Run it with bench/run.sh, which prints rows/s and ratios.
package bench

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/quiverdb/quiver/internal/quivertest"
	"github.com/quiverdb/quiver/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// scale shrinks the data sets for a quick run: QUIVER_BENCH_SCALE=0.1.
func scale() float64 {
	if s, err := strconv.ParseFloat(os.Getenv("QUIVER_BENCH_SCALE"), 64); err == nil && s > 0 {
		return s
	}
	return 1
}

type dataset struct {
	name   string
	rows   int
	pgLoad string // %d is the row count
	qLoad  string
	query  string
}

var datasets = []dataset{
	{
		name:   "int4",
		rows:   10_000_000,
		pgLoad: "create table b_int4 as select i::int4 as i from generate_series(1, %d) i",
		qLoad:  "create table b_int4 as select range::int4 as i from range(1, %d + 1)",
		query:  "select * from b_int4",
	},
	{
		name:   "mixed",
		rows:   2_000_000,
		pgLoad: "create table b_mixed as select i::int8 as a, i * 1.5::float8 as b, 'row number ' || i as c, timestamp '2020-01-01' + i * interval '1 second' as d, i %% 2 = 0 as e from generate_series(1, %d) i",
		qLoad:  "create table b_mixed as select i::int8 as a, i * 1.5::float8 as b, 'row number ' || i as c, timestamp '2020-01-01' + i * interval '1 second' as d, i %% 2 = 0 as e from range(1, %d + 1) t(i)",
		query:  "select * from b_mixed",
	},
}

type target struct {
	name string
	url  string
}

// setup loads every data set into a fresh PostgreSQL database and a fresh
// quiver, and returns both.
func setup(b *testing.B) []target {
	b.Helper()
	pg := testenv.PG(b)
	q := quivertest.Start(b)
	db := pg.CreateDB(b)
	ctx := context.Background()
	targets := []target{{"postgres", pg.URL(db)}, {"quiver", q.URL()}}
	for i, tg := range targets {
		c, err := pgconn.Connect(ctx, tg.url)
		if err != nil {
			b.Fatal(err)
		}
		for _, d := range datasets {
			load := d.pgLoad
			if i == 1 {
				load = d.qLoad
			}
			n := int(float64(d.rows) * scale())
			if _, err := c.Exec(ctx, fmt.Sprintf(load, n)).ReadAll(); err != nil {
				b.Fatalf("%s: loading %s: %v", tg.name, d.name, err)
			}
		}
		if i == 0 {
			if _, err := c.Exec(ctx, "vacuum analyze").ReadAll(); err != nil {
				b.Fatal(err)
			}
		}
		c.Close(ctx)
	}
	return targets
}

// drain reads every raw value of a result, as a driver does before decoding.
func drain(b *testing.B, rr *pgconn.ResultReader) int {
	n, bytes := 0, 0
	for rr.NextRow() {
		for _, v := range rr.Values() {
			bytes += len(v)
		}
		n++
	}
	if _, err := rr.Close(); err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkStream streams SELECT * of each data set from PostgreSQL and from
// quiver to the same pgconn client, in text (simple protocol) and binary
// (extended protocol) formats, reporting rows/s.
func BenchmarkStream(b *testing.B) {
	targets := setup(b)
	ctx := context.Background()
	for _, d := range datasets {
		for _, format := range []string{"text", "binary"} {
			for _, tg := range targets {
				b.Run(fmt.Sprintf("%s/%s/%s", d.name, format, tg.name), func(b *testing.B) {
					c, err := pgconn.Connect(ctx, tg.url)
					if err != nil {
						b.Fatal(err)
					}
					defer c.Close(ctx)
					rows := 0
					b.ResetTimer()
					for range b.N {
						if format == "text" {
							mrr := c.Exec(ctx, d.query)
							for mrr.NextResult() {
								rows += drain(b, mrr.ResultReader())
							}
							if err := mrr.Close(); err != nil {
								b.Fatal(err)
							}
						} else {
							rr := c.ExecParams(ctx, d.query, nil, nil, nil, []int16{1})
							rows += drain(b, rr)
						}
					}
					b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
				})
			}
		}
	}
}
