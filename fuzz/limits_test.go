//go:build duckdb_arrow

package fuzz

import (
	"context"
	"encoding/binary"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/quiverdb/quiver/internal/quivertest"
)

// allocated returns the bytes allocated by the process while f ran.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestHugeDeclaredLengthNotAllocated sends message headers declaring 2 GiB
// bodies, to a server with the default 1 GiB limit and to a session with a
// 1 MiB limit: each gets FATAL 08P01 and the connection closes, without the
// body being allocated, and another session goes on.
func TestHugeDeclaredLengthNotAllocated(t *testing.T) {
	qs := quivertest.Start(t)
	ctx := context.Background()
	other, err := pgconn.Connect(ctx, qs.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	for _, typ := range []byte{'Q', 'P', 'B', 'd', 'p'} {
		for _, length := range []uint32{1<<31 - 1, 1 << 31, 1<<32 - 1} {
			name := fmt.Sprintf("%c length %d", typ, length)
			var outcome string
			n := allocated(func() {
				outcome, _ = exchange(t, qs.Addr(), "me", "quiver", malformed{input: binary.BigEndian.AppendUint32([]byte{typ}, length)})
			})
			if outcome != "FATAL 08P01, closed" {
				t.Errorf("%s: %s", name, outcome)
			}
			if n > 64<<20 {
				t.Errorf("%s: %d bytes allocated", name, n)
			}
		}
	}
	// Past a small configured limit.
	var out []byte
	n := allocated(func() {
		out = serveBytes(t, binary.BigEndian.AppendUint32([]byte{'Q'}, maxMessage+5), 10*time.Second)
	})
	if !containsError(out, "08P01") || n > 16<<20 {
		t.Errorf("1 MiB limit: %q after %d bytes allocated", out, n)
	}
	if _, err := other.Exec(ctx, "SELECT 1").ReadAll(); err != nil {
		t.Fatalf("the other session: %v", err)
	}
}

// containsError reports whether the backend messages in out hold an
// ErrorResponse with code.
func containsError(out []byte, code string) bool {
	for len(out) >= 5 {
		n := int(binary.BigEndian.Uint32(out[1:5])) + 1
		if n > len(out) || n < 5 {
			return false
		}
		if out[0] == 'E' {
			for _, field := range splitFields(out[5:n]) {
				if field == "C"+code {
					return true
				}
			}
		}
		out = out[n:]
	}
	return false
}

func splitFields(b []byte) []string {
	var fields []string
	start := 0
	for i, c := range b {
		if c == 0 {
			if i > start {
				fields = append(fields, string(b[start:i]))
			}
			start = i + 1
		}
	}
	return fields
}
