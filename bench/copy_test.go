//go:build duckdb_arrow

package bench

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/quiverdb/quiver/internal/quivertest"
	"github.com/quiverdb/quiver/internal/testenv"
)

// BenchmarkCopyIn loads the same 10M rows (int4, int8, text) with
// COPY FROM STDIN in text format into PostgreSQL and into quiver (DuckDB),
// reporting rows/s.
func BenchmarkCopyIn(b *testing.B) {
	pg := testenv.PG(b)
	q := quivertest.Start(b)
	n := int(10_000_000 * scale())
	var data bytes.Buffer
	for i := 0; i < n; i++ {
		data.WriteString(strconv.Itoa(i))
		data.WriteByte('\t')
		data.WriteString(strconv.Itoa(i * 3))
		data.WriteString("\trow number ")
		data.WriteString(strconv.Itoa(i))
		data.WriteByte('\n')
	}
	ctx := context.Background()
	for _, tg := range []struct{ name, url string }{{"postgres", pg.URL(pg.CreateDB(b))}, {"quiver", q.URL()}} {
		b.Run("int4_int8_text/"+tg.name, func(b *testing.B) {
			c, err := pgconn.Connect(ctx, tg.url)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close(ctx)
			rows := 0
			var elapsed time.Duration
			for i := range b.N {
				tbl := fmt.Sprintf("copy_in_%d", i)
				if _, err := c.Exec(ctx, "create table "+tbl+" (a int4, b int8, c text)").ReadAll(); err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				tag, err := c.CopyFrom(ctx, bytes.NewReader(data.Bytes()), "copy "+tbl+" from stdin")
				if err != nil {
					b.Fatal(err)
				}
				elapsed += time.Since(start)
				if tag.RowsAffected() != int64(n) {
					b.Fatalf("COPY loaded %d rows, want %d", tag.RowsAffected(), n)
				}
				rows += n
				if _, err := c.Exec(ctx, "drop table "+tbl).ReadAll(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(rows)/elapsed.Seconds(), "rows/s")
		})
	}
}

// BenchmarkPgbenchInit times "pgbench -i -s 10" (COPY, primary keys,
// vacuum) on PostgreSQL and on quiver; the metric is seconds per load.
func BenchmarkPgbenchInit(b *testing.B) {
	pg := testenv.PG(b)
	q := quivertest.Start(b)
	db := pg.CreateDB(b)
	for _, tg := range []struct {
		name     string
		host     string
		port     int
		user, db string
	}{{"postgres", pg.Host, pg.Port, pg.User, db}, {"quiver", q.Host, q.Port, "me", "quiver"}} {
		b.Run("scale10/"+tg.name, func(b *testing.B) {
			start := time.Now()
			for range b.N {
				pgbenchInit(b, tg.host, tg.port, tg.user, tg.db)
			}
			b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "s/load")
		})
	}
}
