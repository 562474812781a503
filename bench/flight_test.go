//go:build duckdb_arrow

package bench

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/apache/arrow-adbc/go/adbc"
	adbcflightsql "github.com/apache/arrow-adbc/go/adbc/driver/flightsql"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rs/zerolog"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/backends/postgres"
	"github.com/quiverdb/quiver/flightsrv"
	"github.com/quiverdb/quiver/internal/testenv"
)

// The Flight SQL benchmarks compare quiver's Flight SQL paths with the
// direct ways of doing the same work, side by side in one run. Each
// sub-benchmark's last name part says who does the work: "quiver" is
// quiver's path, anything else a baseline; bench/run.sh prints quiver's
// rows/s over each baseline's.
//
//	bench/run.sh Flight
//	QUIVER_BENCH_SCALE=0.1 bench/run.sh Flight

// scaled is n shrunk by QUIVER_BENCH_SCALE, at least 1.
func scaled(n int) int { return max(1, int(float64(n)*scale())) }

// startFlight serves Flight SQL over be on a free loopback port until the
// benchmark ends, and returns its address.
func startFlight(b *testing.B, be backends.Backend) string {
	return startFlightConfig(b, flightsrv.Config{Backend: be})
}

// startFlightConfig is startFlight with more of the server's settings.
func startFlightConfig(b *testing.B, cfg flightsrv.Config) string {
	b.Helper()
	cfg.Logger = zerolog.Nop()
	srv, err := flightsrv.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	addr, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = srv.Serve() }()
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return addr.String()
}

// openADBC connects the ADBC Flight SQL driver to the server at addr,
// accepting messages as large as the server sends.
func openADBC(b *testing.B, addr string) adbc.Connection {
	b.Helper()
	db, err := adbcflightsql.NewDriver(memory.DefaultAllocator).NewDatabase(map[string]string{
		adbc.OptionKeyURI:                  "grpc://" + addr,
		adbcflightsql.OptionWithMaxMsgSize: fmt.Sprint(flightsrv.DefaultMaxMessageSize),
	})
	if err != nil {
		b.Fatal(err)
	}
	cn, err := db.Open(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = cn.Close()
		_ = db.Close()
	})
	return cn
}

// adbcStatement returns a new statement for sql, which the caller closes.
func adbcStatement(b *testing.B, cn adbc.Connection, sql string) adbc.Statement {
	st, err := cn.NewStatement()
	if err != nil {
		b.Fatal(err)
	}
	if err := st.SetSqlQuery(sql); err != nil {
		b.Fatal(err)
	}
	return st
}

// adbcExec runs a statement that returns no rows.
func adbcExec(b *testing.B, cn adbc.Connection, sql string) {
	b.Helper()
	st := adbcStatement(b, cn, sql)
	defer st.Close()
	if _, err := st.ExecuteUpdate(context.Background()); err != nil {
		b.Fatalf("%s: %v", sql, err)
	}
}

// adbcRead runs a query and reads its Arrow result to the end, touching
// every value of its integer and string columns, and returns the row count.
func adbcRead(b *testing.B, cn adbc.Connection, sql string) int {
	st := adbcStatement(b, cn, sql)
	defer st.Close()
	rr, _, err := st.ExecuteQuery(context.Background())
	if err != nil {
		b.Fatalf("%s: %v", sql, err)
	}
	defer rr.Release()
	rows, sink := 0, int64(0)
	for rr.Next() {
		rec := rr.RecordBatch()
		for _, col := range rec.Columns() {
			sink += touch(col)
		}
		rows += int(rec.NumRows())
	}
	if err := rr.Err(); err != nil {
		b.Fatal(err)
	}
	flightSink += sink
	return rows
}

// flightSink keeps the values touched from being optimised away.
var flightSink int64

// touch reads every value of an integer or string column, as a client
// using the result would; other columns are left as they arrived.
func touch(col arrow.Array) int64 {
	var sum int64
	switch c := col.(type) {
	case *array.Int32:
		for _, v := range c.Int32Values() {
			sum += int64(v)
		}
	case *array.Int64:
		for _, v := range c.Int64Values() {
			sum += v
		}
	case *array.String:
		for i := range c.Len() {
			sum += int64(len(c.Value(i)))
		}
	}
	return sum
}

// reportRows reports rows/s over the benchmark's timed run.
func reportRows(b *testing.B, rows int) {
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

// flightRead is a PostgreSQL table read whole by BenchmarkFlightRead.
type flightRead struct {
	name  string
	rows  int
	load  string // %d is the row count
	query string
}

var flightReads = []flightRead{
	{"int4", 10_000_000, "create table f_int4 as select i::int4 as i from generate_series(1, %d) i", "select i from f_int4"},
	{"text64", 2_000_000, "create table f_text64 as select repeat(md5(i::text), 2) as s from generate_series(1, %d) i", "select s from f_text64"},
}

// BenchmarkFlightRead reads a PostgreSQL 15 table whole, four ways:
//
//   - quiver: the ADBC Flight SQL driver reading Arrow from quiver's Flight
//     SQL frontend over the PostgreSQL backend (which reads by COPY
//     binary and builds Arrow batches), with the server's default number
//     of parts (flightsrv.DefaultScanParts endpoints, each a range of the
//     table's pages read on a connection of its own under one snapshot);
//   - oneendpoint: the same with Config.ScanParts 1, one endpoint read
//     by one COPY;
//   - pgx: pgx.Conn.Query (extended protocol, binary results) with
//     rows.Scan of each row into an int32 or a string;
//   - copy: pgconn.CopyTo of COPY (select ...) TO STDOUT (FORMAT binary)
//     into io.Discard, raw, with nothing decoded.
func BenchmarkFlightRead(b *testing.B) {
	pg, url, pc := loadFlightReads(b)
	ctx := context.Background()

	be, err := postgres.Open(url, postgres.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = be.Close() })
	addr := startFlight(b, be)
	cn := openADBC(b, addr)
	one := openADBC(b, startFlightConfig(b, flightsrv.Config{Backend: be, ScanParts: 1}))
	for _, d := range flightReads {
		n := scaled(d.rows)
		b.Logf("%s: %d endpoints", d.query, endpoints(b, addr, d.query))
		benchRead(b, d.name+"/quiver", n, pg, func(b *testing.B) int { return adbcRead(b, cn, d.query) })
		benchRead(b, d.name+"/oneendpoint", n, pg, func(b *testing.B) int { return adbcRead(b, one, d.query) })
		benchRead(b, d.name+"/pgx", n, pg, func(b *testing.B) int { return pgxScan(b, pc, d.query) })
		benchRead(b, d.name+"/copy", n, pg, func(b *testing.B) int {
			tag, err := pc.PgConn().CopyTo(ctx, io.Discard, "copy ("+d.query+") to stdout (format binary)")
			if err != nil {
				b.Fatal(err)
			}
			return int(tag.RowsAffected())
		})
	}
}

// loadFlightReads creates the tables of flightReads in a database of
// their own on a throwaway PostgreSQL, and returns it, the database's URL
// and a pgx connection to it for the benchmark's baseline.
func loadFlightReads(b *testing.B) (*testenv.Postgres, string, *pgx.Conn) {
	pg := testenv.PG(b)
	url := pg.URL(pg.CreateDB(b))
	ctx := context.Background()
	setup, err := pgconn.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer setup.Close(ctx)
	for _, d := range flightReads {
		if _, err := setup.Exec(ctx, fmt.Sprintf(d.load, scaled(d.rows))).ReadAll(); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := setup.Exec(ctx, "vacuum (freeze, analyze)").ReadAll(); err != nil {
		b.Fatal(err)
	}
	pc, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = pc.Close(ctx) })
	return pg, url, pc
}

// benchRead runs a sub-benchmark that reads a result of want rows once per
// iteration with read, which returns the rows it read, and reports rows/s
// and the CPU time per row of this process and, when pg is not nil, of
// PostgreSQL.
func benchRead(b *testing.B, name string, want int, pg *testenv.Postgres, read func(b *testing.B) int) {
	benchReadServer(b, name, want, pg, 0, read)
}

// benchReadServer is benchRead that also reports the CPU time of the
// server process with pid server.
func benchReadServer(b *testing.B, name string, want int, pg *testenv.Postgres, server int, read func(b *testing.B) int) {
	b.Run(name, func(b *testing.B) {
		m := newCPUMeter(b, pg)
		m.server = server
		for range b.N {
			m.start(b)
			got := read(b)
			m.stop(b)
			if got != want {
				b.Fatalf("read %d rows, want %d", got, want)
			}
		}
		reportRows(b, want*b.N)
		m.report(b, want*b.N)
	})
}

// pgxScan runs a one-column query with pgx and scans every row into a Go
// value of the column's type, int32 or string.
func pgxScan(b *testing.B, c *pgx.Conn, sql string) int {
	rows, err := c.Query(context.Background(), sql)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	n := 0
	var (
		i   int32
		s   string
		dst any = &s
	)
	if rows.FieldDescriptions()[0].DataTypeOID == 23 { // int4
		dst = &i
	}
	for rows.Next() {
		if err := rows.Scan(dst); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return n
}

// endpoints returns the number of endpoints of the server's FlightInfo for
// sql, and cancels it unread.
func endpoints(b *testing.B, addr, sql string) int {
	cl, err := flightsql.NewClient(addr, nil, nil, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	ctx := context.Background()
	info, err := cl.Execute(ctx, sql)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := cl.CancelFlightInfo(ctx, &flight.CancelFlightInfoRequest{Info: info}); err != nil {
		b.Fatal(err)
	}
	return len(info.Endpoint)
}
