//go:build duckdb_arrow

package e2e

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/quiverdb/quiver/internal/quivertest"
)

// copyMemoryBound is the most Go heap, above what was in use before, that
// the process (quiver's session and pgconn's client) may hold while a COPY
// FROM of any size streams through it. quiver parses COPY text into Arrow
// batches of 65536 rows, here about 4 MiB of text and as much of Arrow
// each; a few of them in flight, doubled by the garbage collector's
// headroom (GOGC=100), come to under 50 MiB. The 3M-row input is 180 MiB of
// text, so a session that kept its input, or its batches, would cross the
// bound.
const copyMemoryBound = 80 << 20

// rowSource is an io.Reader of COPY text rows "i\tname-i\ti.5\n" for i from
// 1 to n, generated into the caller's buffer without allocating per row.
type rowSource struct {
	n, next int64
	pending []byte // the part of a row that did not fit the last Read
	row     []byte
	total   int64
}

func (r *rowSource) Read(p []byte) (int, error) {
	written := copy(p, r.pending)
	r.pending = r.pending[written:]
	for written < len(p) && len(r.pending) == 0 {
		if r.next >= r.n {
			break
		}
		r.next++
		b := strconv.AppendInt(r.row[:0], r.next, 10)
		b = append(b, "\tname-"...)
		b = strconv.AppendInt(b, r.next, 10)
		b = append(b, '\t')
		b = strconv.AppendInt(b, r.next%1000, 10)
		b = append(b, ".5\t0123456789abcdefghijklmnopqrstuvwxyz\n"...)
		r.row = b
		k := copy(p[written:], b)
		written += k
		r.pending = b[k:]
	}
	if written == 0 && r.next >= r.n {
		return 0, io.EOF
	}
	r.total += int64(written)
	return written, nil
}

// bytes is how much text the source has produced.
func (r *rowSource) bytes() int64 { return r.total }

// heapSampler records the largest HeapInuse seen while it runs.
type heapSampler struct {
	stop chan struct{}
	done sync.WaitGroup
	peak uint64
}

func sampleHeap(every time.Duration) *heapSampler {
	h := &heapSampler{stop: make(chan struct{})}
	h.done.Add(1)
	go func() {
		defer h.done.Done()
		tick := time.NewTicker(every)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			h.peak = max(h.peak, ms.HeapInuse)
			select {
			case <-h.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return h
}

// Stop ends the sampling and returns the peak.
func (h *heapSampler) Stop() uint64 {
	close(h.stop)
	h.done.Wait()
	return h.peak
}

// TestCopyFromMemoryBounded streams 1M and then 3M rows of COPY text into
// quiver on DuckDB with pgconn's CopyFrom and samples the Go heap of the
// process (quivertest runs quiver in it) during each copy. The growth must
// stay under copyMemoryBound and must not grow with the row count: the 3M
// copy may not peak above the 1M one by a quarter of its extra text and
// the collector's slack. Measured (GOGC 10 during the copies, see below,
// on a heap of about 100 MiB): +23 to +29 MiB for 1M rows and +38 to +42
// MiB for 3M, alone; +15 and +48 MiB beside other test packages.
func TestCopyFromMemoryBounded(t *testing.T) {
	c := quivertest.Start(t).Connect(t)
	ctx := context.Background()
	// A DuckDB rewriter loads the catalog's definitions in the background
	// (dialect.For); a catalog query waits for them, so that their parsing
	// is not measured as the copy's.
	if _, err := c.Exec(ctx, "SELECT count(*) FROM pg_catalog.pg_class").ReadAll(); err != nil {
		t.Fatal(err)
	}
	growth, text := map[int64]uint64{}, map[int64]uint64{}
	var slack uint64 // the most the collector lets the heap pass what is live
	for _, n := range []int64{1_000_000, 3_000_000} {
		table := fmt.Sprintf("copy_mem_%d", n)
		if _, err := c.Exec(ctx, "CREATE TABLE "+table+"(id bigint, name text, score double precision, pad text)").ReadAll(); err != nil {
			t.Fatal(err)
		}
		// The collector lets the heap grow by GOGC% of what is live before
		// it runs, and what is live includes whatever the process holds
		// already (the catalog's parsed definitions, other tests' servers):
		// with a low GOGC during the copy, the growth measured is what the
		// copy holds, not that slack.
		gogc := debug.SetGCPercent(10)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base := ms.HeapInuse
		slack = max(slack, base/10)
		src := &rowSource{n: n}
		h := sampleHeap(10 * time.Millisecond)
		start := time.Now()
		tag, err := c.CopyFrom(ctx, src, "COPY "+table+" FROM STDIN")
		took := time.Since(start)
		peak := h.Stop()
		debug.SetGCPercent(gogc)
		if err != nil {
			t.Fatal(err)
		}
		if tag.RowsAffected() != n {
			t.Fatalf("%s, want COPY %d", tag, n)
		}
		res, err := c.Exec(ctx, "SELECT count(*), sum(id) FROM "+table).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(res[0].Rows[0][0])+" "+string(res[0].Rows[0][1]), fmt.Sprintf("%d %d", n, n*(n+1)/2); got != want {
			t.Fatalf("table holds count, sum %s, want %s", got, want)
		}
		if peak > base {
			growth[n] = peak - base
		}
		text[n] = uint64(src.bytes())
		t.Logf("%d rows (%d MiB of text) in %v: heap in use %d MiB before, peak %d MiB (+%d MiB)",
			n, src.bytes()>>20, took.Round(time.Millisecond), base>>20, peak>>20, growth[n]>>20)
		if growth[n] > copyMemoryBound {
			t.Errorf("%d rows: the heap grew by %d MiB, more than the %d MiB bound", n, growth[n]>>20, copyMemoryBound>>20)
		}
		if _, err := c.Exec(ctx, "DROP TABLE "+table).ReadAll(); err != nil {
			t.Fatal(err)
		}
	}
	// A copy that kept its rows would grow by at least the 122 MiB of
	// text the 3M copy has more than the 1M one; a quarter of that is
	// allowed for noise, which under load (other test packages running
	// beside) has reached +22 MiB, and the collector's slack at GOGC 10:
	// a tenth of the heap in use before (the process holds the catalog's
	// parsed definitions, live and snapshot, about 100 MiB in all).
	if extra := text[3_000_000] - text[1_000_000]; growth[3_000_000] > growth[1_000_000]+extra/4+slack {
		t.Errorf("the heap grew by %d MiB for 3M rows and %d MiB for 1M: it grows with the row count",
			growth[3_000_000]>>20, growth[1_000_000]>>20)
	}
}
