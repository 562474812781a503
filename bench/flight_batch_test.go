//go:build duckdb_arrow

package bench

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/quiverdb/quiver/backends/flightsql"
	"github.com/quiverdb/quiver/backends/postgres"
	"github.com/quiverdb/quiver/internal/quivertest"
	"github.com/quiverdb/quiver/internal/testenv"
)

// batchRows is the number of rows BenchmarkFlightPreparedBatch and
// BenchmarkChainCopyInTx load, before QUIVER_BENCH_SCALE.
const batchRows = 1_000_000

// BenchmarkFlightPreparedBatch runs a prepared INSERT (a int8, b text) with
// a parameter batch of rows bound (ADBC BindStream of Arrow record batches
// held in memory, then ExecuteUpdate: Flight SQL's
// DoPutPreparedStatementUpdate), through quiver's Flight SQL frontend over
// the PostgreSQL backend, outside a transaction. The table is truncated,
// untimed, before each load.
func BenchmarkFlightPreparedBatch(b *testing.B) {
	pg := testenv.PG(b)
	url := pg.URL(pg.CreateDB(b))
	n := scaled(batchRows)
	c := pgConnect(b, url)
	pgExec(b, c, "create table f_batch (a int8, b text) with (autovacuum_enabled = false)")
	be, err := postgres.Open(url, postgres.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = be.Close() })
	cn := openADBC(b, startFlight(b, be))
	schema, batches, _ := ingestData(n)
	b.Cleanup(func() {
		for _, rec := range batches {
			rec.Release()
		}
	})
	ctx := context.Background()
	b.Run("int8_text/quiver", func(b *testing.B) {
		m := newCPUMeter(b, pg)
		for range b.N {
			b.StopTimer()
			pgExec(b, c, "truncate f_batch")
			rdr, err := array.NewRecordReader(schema, batches)
			if err != nil {
				b.Fatal(err)
			}
			st := adbcStatement(b, cn, "insert into f_batch values ($1, $2)")
			if err := st.Prepare(ctx); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			m.start(b)
			if err := st.BindStream(ctx, rdr); err != nil {
				b.Fatal(err)
			}
			got, err := st.ExecuteUpdate(ctx)
			m.stop(b)
			b.StopTimer()
			rdr.Release()
			_ = st.Close()
			if err != nil {
				b.Fatal(err)
			}
			if got != int64(n) {
				b.Fatalf("inserted %d rows, want %d", got, n)
			}
			b.StartTimer()
		}
		reportRows(b, n*b.N)
		m.report(b, n*b.N)
		verifyBatch(b, c, "f_batch", n)
	})
}

// BenchmarkChainCopyInTx runs BEGIN; COPY FROM STDIN (text) of rows; COMMIT
// through the chain quiver A (PostgreSQL protocol, Flight SQL backend) →
// quiver B (Flight SQL frontend, PostgreSQL backend) → PostgreSQL. Inside
// a transaction, A's Flight SQL backend sends COPY's rows as a prepared
// INSERT with the whole stream bound, which B runs on PostgreSQL. The
// baseline "postgres" is the same transaction sent to PostgreSQL directly.
func BenchmarkChainCopyInTx(b *testing.B) {
	pg := testenv.PG(b)
	url := pg.URL(pg.CreateDB(b))
	n := scaled(batchRows)
	c := pgConnect(b, url)
	pgExec(b, c, "create table f_chain (a int8, b text) with (autovacuum_enabled = false)")
	be, err := postgres.Open(url, postgres.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = be.Close() })
	fb, err := flightsql.Open("grpc://"+startFlight(b, be), flightsql.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = fb.Close() })
	a := quivertest.Start(b, quivertest.Options{Backend: fb})
	var text []byte
	for i := 1; i <= n; i++ {
		text = strconv.AppendInt(text, int64(i), 10)
		text = append(ingestText(append(text, '\t'), i), '\n')
	}
	for _, tc := range []struct{ who, url string }{{"quiver", a.URL()}, {"postgres", url}} {
		b.Run("int8_text/"+tc.who, func(b *testing.B) {
			qc := pgConnect(b, tc.url)
			m := newCPUMeter(b, pg)
			for range b.N {
				b.StopTimer()
				pgExec(b, c, "truncate f_chain")
				b.StartTimer()
				m.start(b)
				pgExec(b, qc, "begin")
				tag, err := qc.CopyFrom(context.Background(), bytes.NewReader(text), "copy f_chain from stdin")
				if err != nil {
					b.Fatal(err)
				}
				pgExec(b, qc, "commit")
				m.stop(b)
				if tag.RowsAffected() != int64(n) {
					b.Fatalf("copied %d rows, want %d", tag.RowsAffected(), n)
				}
			}
			reportRows(b, n*b.N)
			m.report(b, n*b.N)
			verifyBatch(b, c, "f_chain", n)
		})
	}
}

// pgConnect connects to url until the benchmark ends.
func pgConnect(b *testing.B, url string) *pgconn.PgConn {
	b.Helper()
	c, err := pgconn.Connect(context.Background(), url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// pgExec runs sql on c, failing the benchmark on error.
func pgExec(b *testing.B, c *pgconn.PgConn, sql string) []*pgconn.Result {
	b.Helper()
	res, err := c.Exec(context.Background(), sql).ReadAll()
	if err != nil {
		b.Fatalf("%s: %v", sql, err)
	}
	return res
}

// verifyBatch checks that table holds rows 1..n as ingestData makes them.
func verifyBatch(b *testing.B, c *pgconn.PgConn, table string, n int) {
	b.Helper()
	r := pgExec(b, c, "select count(*), sum(a), sum(length(b)) from "+table)[0].Rows[0]
	want := fmt.Sprintf("%d %d %d", n, int64(n)*int64(n+1)/2, ingestTextBytes(n))
	if got := fmt.Sprintf("%s %s %s", r[0], r[1], r[2]); got != want {
		b.Fatalf("%s holds count, sum(a), sum(length(b)) %s, want %s", table, got, want)
	}
}
