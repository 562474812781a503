//go:build duckdb_arrow

package bench

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/quiverdb/quiver/backends/duckdb"
	"github.com/quiverdb/quiver/backends/flightsql"
	"github.com/quiverdb/quiver/internal/quivertest"
)

// BenchmarkFlightStream streams each data set of BenchmarkStream (int4:
// 10M rows of one int4; mixed: 2M rows of int8, float8, text, timestamp
// and bool) from a Flight SQL server, quiver's own Flight SQL frontend over
// an in-memory DuckDB started in-process, two ways:
//
//   - quiver: through quiver's PostgreSQL protocol path (quiver with the
//     flightsql backend pointing at the server) to a pgconn client reading
//     raw values in binary (extended protocol), as drain does;
//   - adbc: the ADBC Flight SQL driver reading the server directly, as
//     adbcRead does;
//   - replay: the same pgconn client reading the rows quiver sent (the
//     first 65,536 of them, repeated), replayed from memory by a server
//     that only writes them (startReplay): what reading the rows costs the
//     client alone, the most any PostgreSQL-protocol server could deliver
//     to it on this machine.
func BenchmarkFlightStream(b *testing.B) {
	db, err := duckdb.Open("duckdb:", duckdb.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	addr := startFlight(b, db)
	cn := openADBC(b, addr)
	for _, d := range datasets {
		adbcExec(b, cn, fmt.Sprintf(d.qLoad, scaled(d.rows)))
	}
	fb, err := flightsql.Open("grpc://"+addr, flightsql.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = fb.Close() })
	q := quivertest.Start(b, quivertest.Options{Backend: fb})
	ctx := context.Background()
	pc, err := pgconn.Connect(ctx, q.URL())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = pc.Close(ctx) })
	recorded := map[string]*replayResult{}
	for _, d := range datasets {
		recorded[d.query] = recordResult(b, pc, d.query, 1)
	}
	rc, err := pgconn.Connect(ctx, "postgres://replay@"+startReplay(b, recorded)+"/replay?sslmode=disable")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = rc.Close(ctx) })

	for _, d := range datasets {
		n := scaled(d.rows)
		benchRead(b, d.name+"/quiver", n, nil, func(b *testing.B) int {
			return drain(b, pc.ExecParams(ctx, d.query, nil, nil, nil, []int16{1}))
		})
		benchRead(b, d.name+"/adbc", n, nil, func(b *testing.B) int { return adbcRead(b, cn, d.query) })
		benchRead(b, d.name+"/replay", n, nil, func(b *testing.B) int {
			return drain(b, rc.ExecParams(ctx, d.query, nil, nil, nil, []int16{1}))
		})
	}
}
