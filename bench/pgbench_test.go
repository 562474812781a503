//go:build duckdb_arrow

package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"testing"

	"github.com/quiverdb/quiver/backends/duckdb"
	"github.com/quiverdb/quiver/internal/quivertest"
	"github.com/quiverdb/quiver/internal/testenv"
	"github.com/quiverdb/quiver/server"
)

var tpsRE = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)

// pgbench runs the real pgbench against one server and returns its TPS.
func pgbench(b *testing.B, host string, port int, user, db string, args ...string) float64 {
	b.Helper()
	base := []string{"-h", host, "-p", strconv.Itoa(port), "-U", user}
	cmd := exec.Command("pgbench", append(append(base, args...), db)...)
	cmd.Env = append(os.Environ(), "PGSSLMODE=disable")
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("pgbench %v: %v\n%s", args, err, out)
	}
	m := tpsRE.FindSubmatch(out)
	if m == nil {
		b.Fatalf("no tps in pgbench output:\n%s", out)
	}
	if regexp.MustCompile(`number of failed transactions: [1-9]`).Match(out) {
		b.Fatalf("pgbench reported failed transactions:\n%s", out)
	}
	tps, _ := strconv.ParseFloat(string(m[1]), 64)
	return tps
}

// BenchmarkPgbenchSelect1 is the small-statement path: pgbench running
// "select 1" on one connection in each protocol mode, on PostgreSQL and on
// quiver (DuckDB) side by side. Each sub-benchmark is one pgbench run of
// QUIVER_PGBENCH_SECONDS (default 10); use -benchtime 1x.
func BenchmarkPgbenchSelect1(b *testing.B) {
	pg := testenv.PG(b)
	// quiver: as cmd/quiver runs by default, polling for 50µs
	// (--read-spin).
	q := quivertest.Start(b, quivertest.Options{ReadSpin: server.DefaultReadSpin})
	// quiver-allcpus: DuckDB with a thread per CPU, DuckDB's own default
	// (quiver's is one fewer), which wakes a worker thread for every
	// statement.
	db1, err := duckdb.Open("duckdb:?threads="+strconv.Itoa(runtime.NumCPU()), duckdb.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db1.Close() })
	q1 := quivertest.Start(b, quivertest.Options{Backend: db1, ReadSpin: server.DefaultReadSpin})
	// quiver-nospin: sessions wait for their next message at once
	// (--read-spin 0).
	q2 := quivertest.Start(b)
	script := filepath.Join(b.TempDir(), "select1.sql")
	if err := os.WriteFile(script, []byte("select 1;\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	secs := os.Getenv("QUIVER_PGBENCH_SECONDS")
	if secs == "" {
		secs = "10"
	}
	for _, mode := range []string{"simple", "extended", "prepared"} {
		for _, tg := range []struct {
			name     string
			host     string
			port     int
			user, db string
		}{{"postgres", pg.Host, pg.Port, pg.User, "postgres"}, {"quiver", q.Host, q.Port, "me", "quiver"}, {"quiver-allcpus", q1.Host, q1.Port, "me", "quiver"},
			{"quiver-nospin", q2.Host, q2.Port, "me", "quiver"}} {
			b.Run(fmt.Sprintf("%s/%s", mode, tg.name), func(b *testing.B) {
				var tps float64
				for range b.N {
					tps = pgbench(b, tg.host, tg.port, tg.user, tg.db, "-n", "-f", script, "-M", mode, "-T", secs)
				}
				b.ReportMetric(tps, "tps")
			})
		}
	}
}

// pgbenchInit runs "pgbench -i -s 10" against one server.
func pgbenchInit(b *testing.B, host string, port int, user, db string) {
	b.Helper()
	cmd := exec.Command("pgbench", "-h", host, "-p", strconv.Itoa(port), "-U", user, "-i", "-s", "10", "-q", db)
	cmd.Env = append(os.Environ(), "PGSSLMODE=disable")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("pgbench -i: %v\n%s", err, out)
	}
}

// BenchmarkPgbenchRuns runs pgbench's TPC-B-like script and its select-only
// script (-S) with 4 clients in each protocol mode against PostgreSQL and
// quiver, both initialised with -i -s 10, and reports tps.
func BenchmarkPgbenchRuns(b *testing.B) {
	pg := testenv.PG(b)
	q := quivertest.Start(b)
	db := pg.CreateDB(b)
	secs := os.Getenv("QUIVER_PGBENCH_SECONDS")
	if secs == "" {
		secs = "10"
	}
	type target struct {
		name     string
		host     string
		port     int
		user, db string
	}
	targets := []target{{"postgres", pg.Host, pg.Port, pg.User, db}, {"quiver", q.Host, q.Port, "me", "quiver"}}
	for _, tg := range targets {
		pgbenchInit(b, tg.host, tg.port, tg.user, tg.db)
	}
	for _, script := range []string{"tpcb", "select-only"} {
		for _, mode := range []string{"simple", "extended", "prepared"} {
			for _, tg := range targets {
				b.Run(fmt.Sprintf("%s/%s/%s", script, mode, tg.name), func(b *testing.B) {
					args := []string{"-T", secs, "-c", "4", "-j", "2", "-M", mode}
					if script == "select-only" {
						args = append(args, "-S")
					}
					var tps float64
					for range b.N {
						tps = pgbench(b, tg.host, tg.port, tg.user, tg.db, args...)
					}
					b.ReportMetric(tps, "tps")
				})
			}
		}
	}
}
