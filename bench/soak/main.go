// Command soak drives many concurrent PostgreSQL clients against a running
// quiver on loopback for a bounded time — small queries, large results,
// COPY FROM and cancelled statements — and prints throughput, errors and
// quiver's resident memory over time. bench/soak.sh builds and starts quiver
// and runs it.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

type counters struct {
	small, large, copies, cancels, unexpected atomic.Int64
	rows                                      atomic.Int64
}

func main() {
	url := flag.String("url", "postgres://me@127.0.0.1:5433/quiver?sslmode=disable", "quiver connection string")
	conns := flag.Int("conns", 200, "concurrent client connections")
	dur := flag.Duration("duration", time.Minute, "how long to run")
	pid := flag.Int("pid", 0, "quiver's process id, for its RSS (0: not sampled)")
	copies := flag.Bool("copy", true, "include COPY FROM in the mix (its rows stay stored, so memory grows with them)")
	copyReset := flag.Int("copy-reset", 0, "with -copy: each connection copies into a table of its own, dropped and created again every this many COPYs, so stored rows stay bounded (0: one shared table, kept)")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), *dur)
	defer cancel()
	setup, err := pgconn.Connect(context.Background(), *url)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
	if _, err := setup.Exec(context.Background(), "create table if not exists soak_copy (id int8, note text)").ReadAll(); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
	// The set-up connection stays open to read DuckDB's own memory use and
	// the rows COPY has stored, so RSS growth can be told apart from data.
	defer setup.Close(context.Background())
	engine := func() string {
		res, err := setup.Exec(context.Background(), `select (select (sum(memory_usage_bytes) / 1048576)::bigint from duckdb_memory()), (select coalesce(sum(estimated_size), 0) from duckdb_tables() where table_name like 'soak_copy%')`).ReadAll()
		if err != nil || len(res) == 0 || len(res[0].Rows) == 0 {
			return "?        ?"
		}
		return fmt.Sprintf("%10s %10s", res[0].Rows[0][0], res[0].Rows[0][1])
	}

	var c counters
	var firstErrs sync.Map
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < *conns; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			client(ctx, *url, i, *copies, *copyReset, &c, &firstErrs)
		}(i)
	}
	ticker := time.NewTicker(5 * time.Second)
	defer ticker.Stop()
	fmt.Printf("%6s %10s %8s %8s %8s %8s %10s %10s %10s %10s\n", "t(s)", "small", "large", "copies", "cancels", "errors", "rows", "rss(MB)", "duckdb(MB)", "stored")
	report := func() {
		fmt.Printf("%6.0f %10d %8d %8d %8d %8d %10d %10s %s\n", time.Since(start).Seconds(), c.small.Load(), c.large.Load(),
			c.copies.Load(), c.cancels.Load(), c.unexpected.Load(), c.rows.Load(), rss(*pid), engine())
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
loop:
	for {
		select {
		case <-ticker.C:
			report()
		case <-done:
			break loop
		}
	}
	report()
	el := time.Since(start).Seconds()
	total := c.small.Load() + c.large.Load() + c.copies.Load() + c.cancels.Load()
	fmt.Printf("\n%d connections, %.0f s: %.0f statements/s, %.0f result rows/s, %d unexpected errors\n",
		*conns, el, float64(total)/el, float64(c.rows.Load())/el, c.unexpected.Load())
	firstErrs.Range(func(k, v any) bool {
		fmt.Printf("  error: %v (first seen: %v)\n", k, v)
		return true
	})
	if c.unexpected.Load() > 0 {
		os.Exit(1)
	}
}

// client runs one connection's mix until ctx ends: mostly small queries,
// then a large result, a COPY FROM, and a statement it cancels.
func client(ctx context.Context, url string, id int, copies bool, copyReset int, c *counters, errs *sync.Map) {
	conn, err := pgconn.Connect(ctx, url)
	if err != nil {
		if ctx.Err() == nil {
			c.unexpected.Add(1)
			errs.LoadOrStore("connect: "+err.Error(), time.Now().Format(time.TimeOnly))
		}
		return
	}
	defer conn.Close(context.Background())
	fail := func(what string, err error) {
		if ctx.Err() != nil {
			return // the run ended during the statement
		}
		c.unexpected.Add(1)
		errs.LoadOrStore(what+": "+err.Error(), time.Now().Format(time.TimeOnly))
	}
	table, copied := "soak_copy", 0
	if copyReset > 0 {
		table = "soak_copy_" + strconv.Itoa(id)
	}
	var copyData bytes.Buffer
	for r := 0; r < 200; r++ {
		copyData.WriteString(strconv.Itoa(id*1000+r) + "\tsoak row\n")
	}
	for n := 0; ctx.Err() == nil; n++ {
		switch {
		case n%50 == 49: // a statement cancelled with a CancelRequest
			done := make(chan error, 1)
			go func() {
				_, err := conn.Exec(context.Background(), "select count(*) from range(1000000000000) t(i) where i % 7 = 3").ReadAll()
				done <- err
			}()
			// A cancel that arrives before the statement runs does nothing,
			// as in PostgreSQL: repeat it until the statement ends.
			var err error
		wait:
			for {
				select {
				case err = <-done:
					break wait
				case <-time.After(50 * time.Millisecond):
					if cerr := conn.CancelRequest(context.Background()); cerr != nil && ctx.Err() == nil {
						fail("cancel request", cerr)
					}
				}
			}
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != "57014" {
				fail("cancelled statement", fmt.Errorf("want 57014, got %v", err))
			}
			c.cancels.Add(1)
		case n%20 == 10 && copies: // COPY FROM STDIN
			if copyReset > 0 && copied%copyReset == 0 {
				if _, err := conn.Exec(ctx, "drop table if exists "+table+"; create table "+table+" (id int8, note text)").ReadAll(); err != nil {
					fail("copy table", err)
				}
			}
			if _, err := conn.CopyFrom(ctx, bytes.NewReader(copyData.Bytes()), "copy "+table+" from stdin"); err != nil {
				fail("copy", err)
			}
			copied++
			c.copies.Add(1)
		case n%10 == 5: // a large result
			res := conn.Exec(ctx, "select i, 'row ' || i as s, i * 1.5 as f from range(50000) t(i)")
			rows := 0
			for res.NextResult() {
				rr := res.ResultReader()
				for rr.NextRow() {
					rows++
				}
				if _, err := rr.Close(); err != nil {
					fail("large", err)
				}
			}
			if err := res.Close(); err != nil {
				fail("large", err)
			}
			c.rows.Add(int64(rows))
			c.large.Add(1)
		default: // small queries, both protocols
			var err error
			if n%2 == 0 {
				_, err = conn.Exec(ctx, "select 1").ReadAll()
			} else {
				_, err = conn.ExecParams(ctx, "select $1::int4 + 1", [][]byte{[]byte(strconv.Itoa(n))}, nil, nil, nil).Close()
			}
			if err != nil {
				fail("small", err)
			}
			c.small.Add(1)
		}
	}
}

// rss reads a process's resident set size from /proc.
func rss(pid int) string {
	if pid == 0 {
		return "-"
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			kb, _ := strconv.Atoi(strings.Fields(line)[1])
			return fmt.Sprintf("%.1f", float64(kb)/1024)
		}
	}
	return "?"
}
