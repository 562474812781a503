//go:build duckdb_arrow

package bench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkFlightReadProcess is BenchmarkFlightRead with quiver as a
// process of its own, as it is deployed: the quiver binary serving Flight
// SQL over the PostgreSQL backend, read by the ADBC client in this process,
// beside pgx reading PostgreSQL directly. In process, the server and the
// client share Go's scheduler and threads; here they do not, and the
// server's threads compete with PostgreSQL's processes for the CPUs.
//
//   - NAME/quiver: the quiver binary as it starts by default (plus the
//     flags in $QUIVER_BENCH_FLAGS, for every quiver process);
//   - NAME-schedbatch/quiver: the same with --sched-batch;
//   - NAME/pgx and NAME-schedbatch/pgx: pgx as in BenchmarkFlightRead,
//     run after each for the ratios.
//
// go-cpu-ns/row is this process's CPU time (the clients), pg-cpu-ns/row
// PostgreSQL's and quiver-cpu-ns/row the quiver process's.
func BenchmarkFlightReadProcess(b *testing.B) {
	pg, url, pc := loadFlightReads(b)

	bin := buildQuiver(b)
	plainAddr, plainPid := startQuiverProcess(b, bin, url)
	batchAddr, batchPid := startQuiverProcess(b, bin, url, "--sched-batch")
	plain, batch := openADBC(b, plainAddr), openADBC(b, batchAddr)
	for _, d := range flightReads {
		n := scaled(d.rows)
		benchReadServer(b, d.name+"/quiver", n, pg, plainPid, func(b *testing.B) int { return adbcRead(b, plain, d.query) })
		benchRead(b, d.name+"/pgx", n, pg, func(b *testing.B) int { return pgxScan(b, pc, d.query) })
		benchReadServer(b, d.name+"-schedbatch/quiver", n, pg, batchPid, func(b *testing.B) int { return adbcRead(b, batch, d.query) })
		benchRead(b, d.name+"-schedbatch/pgx", n, pg, func(b *testing.B) int { return pgxScan(b, pc, d.query) })
	}
}

// buildQuiver builds the quiver binary into a temporary directory.
func buildQuiver(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "quiver")
	cmd := exec.Command("go", "build", "-tags", "duckdb_arrow", "-o", bin, "../cmd/quiver")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("building quiver: %v\n%s", err, out)
	}
	return bin
}

// startQuiverProcess runs the quiver binary serving Flight SQL on a free
// port over the PostgreSQL at url, with extra flags, until the benchmark
// ends, and returns the Flight SQL address it logs and its pid.
func startQuiverProcess(b *testing.B, bin, url string, flags ...string) (string, int) {
	b.Helper()
	args := append([]string{"--listen", "127.0.0.1:0", "--flight-listen", "127.0.0.1:0", "--log-format", "json",
		"--backend", url}, flags...)
	// QUIVER_BENCH_FLAGS adds flags to every quiver process, for trying
	// settings side by side (--flight-scan-parts 2).
	args = append(args, strings.Fields(os.Getenv("QUIVER_BENCH_FLAGS"))...)
	cmd := exec.Command(bin, args...)
	out, err := cmd.StderrPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	addr := make(chan string, 1)
	var logged strings.Builder
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var entry struct{ Message, Addr string }
			if json.Unmarshal(sc.Bytes(), &entry) == nil && entry.Message == "Flight SQL listening" {
				addr <- entry.Addr
			} else if len(addr) == 0 {
				logged.WriteString(sc.Text() + "\n")
			}
		}
		close(addr)
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			b.Fatalf("quiver %v exited before serving Flight SQL", flags)
		}
		return a, cmd.Process.Pid
	case <-time.After(60 * time.Second):
		fmt.Fprint(os.Stderr, logged.String())
		b.Fatalf("quiver %v did not serve Flight SQL within 60s", flags)
	}
	return "", 0
}
