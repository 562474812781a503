//go:build duckdb_arrow

// Command duckdb_rss measures how the DuckDB backend streams large results:
// rows per second and peak resident memory (VmHWM from /proc/self/status),
// against duckdb-go's Arrow.QueryContext, which materialises the whole
// result before the first batch.
//
// Every case runs in a fresh child process so that peaks do not mix:
//
//	go run -tags duckdb_arrow ./bench/duckdb_rss
//	go run -tags duckdb_arrow ./bench/duckdb_rss -case quiver/int   # one case
//
// Modes: quiver reads the backend's Rows (one 2,048-row DuckDB chunk per
// batch), quiver-64k joins chunks into 65,536-row batches, duckdb-go uses
// Arrow.QueryContext. The "+text" modes also encode every row as a text
// DataRow with types.RowEncoder, to show what batch size does downstream.
package main

import (
	"bufio"
	"context"
	"database/sql/driver"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	duckdbgo "github.com/duckdb/duckdb-go/v2"

	"github.com/quiverdb/quiver/backends/duckdb"
	"github.com/quiverdb/quiver/types"
)

var queries = map[string]string{
	"int":   "select range::int4 from range(10000000)",
	"mixed": "select i::bigint, i*1.5::double, 'row '||i, timestamp '2020-01-01' + to_seconds(i), i%2=0 from range(2000000) t(i)",
}

var modes = []string{"quiver", "quiver-64k", "duckdb-go", "quiver+text", "quiver-64k+text"}

func main() {
	one := flag.String("case", "", "run one case, mode/query, and print its result")
	runs := flag.Int("runs", 3, "times to run each case in its process; the best time is reported")
	flag.Parse()
	if *one != "" {
		if err := runCase(*one, *runs); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	fmt.Printf("%-22s %10s %8s %12s %8s %12s %12s\n", "case", "rows", "best s", "rows/s", "CPU s", "peak RSS MB", "base RSS MB")
	for _, q := range []string{"int", "mixed"} {
		for _, m := range modes {
			out, err := exec.Command(os.Args[0], "-case", m+"/"+q, "-runs", strconv.Itoa(*runs)).Output()
			if err != nil {
				fmt.Printf("%-22s failed: %v\n", m+"/"+q, err)
				continue
			}
			fmt.Print(string(out))
		}
	}
}

func runCase(name string, runs int) error {
	mode, q, _ := strings.Cut(name, "/")
	sql, ok := queries[q]
	if !ok {
		return fmt.Errorf("no query %q", q)
	}
	ctx := context.Background()
	text := strings.HasSuffix(mode, "+text")
	var query func() (array.RecordReader, error)
	switch strings.TrimSuffix(mode, "+text") {
	case "quiver", "quiver-64k":
		opts := duckdb.Options{}
		if strings.HasPrefix(mode, "quiver-64k") {
			opts.BatchRows = 65536
		}
		b, err := duckdb.Open("duckdb:", opts)
		if err != nil {
			return err
		}
		defer b.Close()
		s, err := b.Connect(ctx)
		if err != nil {
			return err
		}
		defer s.Close()
		query = func() (array.RecordReader, error) {
			res, err := s.Query(ctx, sql)
			if err != nil {
				return nil, err
			}
			return res.Rows, nil
		}
	case "duckdb-go":
		c, err := duckdbgo.NewConnector("", nil)
		if err != nil {
			return err
		}
		defer c.Close()
		conn, err := c.Connect(ctx)
		if err != nil {
			return err
		}
		defer conn.(driver.Conn).Close()
		ar, err := duckdbgo.NewArrowFromConn(conn)
		if err != nil {
			return err
		}
		query = func() (array.RecordReader, error) { return ar.QueryContext(ctx, sql) }
	default:
		return fmt.Errorf("no mode %q", mode)
	}
	base := vm("VmRSS")
	var rows int64
	best, bestCPU := time.Duration(1<<63-1), time.Duration(1<<63-1)
	for range max(runs, 1) {
		start, startCPU := time.Now(), cpuTime()
		rr, err := query()
		if err != nil {
			return err
		}
		if rows, err = drain(rr, text); err != nil {
			return err
		}
		best = min(best, time.Since(start))
		bestCPU = min(bestCPU, cpuTime()-startCPU)
	}
	fmt.Printf("%-22s %10d %8.2f %12.0f %8.2f %12.1f %12.1f\n", name, rows, best.Seconds(), float64(rows)/best.Seconds(),
		bestCPU.Seconds(), float64(vm("VmHWM"))/1024, float64(base)/1024)
	return nil
}

// cpuTime is the user and system CPU time of the process, all threads.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// drain reads rr to the end and releases it, optionally encoding every row
// as a text DataRow into a reused buffer.
func drain(rr array.RecordReader, text bool) (int64, error) {
	defer rr.Release()
	var enc *types.RowEncoder
	if text {
		var err error
		if enc, err = types.NewRowEncoder(rr.Schema(), nil, types.DefaultSettings()); err != nil {
			return 0, err
		}
	}
	var n int64
	buf := make([]byte, 0, 1<<20)
	for rr.Next() {
		rec := rr.RecordBatch()
		n += rec.NumRows()
		if enc == nil {
			continue
		}
		if err := enc.Reset(rec); err != nil {
			return 0, err
		}
		for i := range int(rec.NumRows()) {
			var err error
			if buf, err = enc.AppendRow(buf, i); err != nil {
				return 0, err
			}
			if len(buf) > 1<<20 {
				buf = buf[:0]
			}
		}
	}
	return n, rr.Err()
}

// vm returns a field of /proc/self/status in kB.
func vm(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb
		}
	}
	return -1
}
