//go:build duckdb_arrow

package duckdb

import (
	"context"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// checkedAlloc returns a checked allocator that must be empty when the test
// ends.
func checkedAlloc(t *testing.T) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// newBackend opens an in-memory database closed when the test ends, and
// checks then that no engine handle leaked.
func newBackend(t *testing.T, uri string, opts Options) *Backend {
	t.Helper()
	t.Cleanup(func() {
		for kind, n := range liveHandles() {
			if n != 0 {
				t.Errorf("%d %s handles leaked", n, kind)
			}
		}
	})
	b, err := Open(uri, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Error(err)
		}
	})
	return b
}

func connect(t *testing.T, b *Backend) *Session {
	t.Helper()
	s, err := b.Connect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// newSession opens a session on a fresh in-memory database. Options get a
// checked allocator unless they have one.
func newSession(t *testing.T, opts Options) *Session {
	t.Helper()
	if opts.Allocator == nil {
		opts.Allocator = checkedAlloc(t)
	}
	return connect(t, newBackend(t, "duckdb:", opts))
}

func splitSetup(s string) []string {
	return strings.Split(s, ";\n")
}

func mustExec(t *testing.T, s backends.Session, sql string) *backends.Result {
	t.Helper()
	res, err := s.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	if res.Rows != nil {
		for res.Rows.Next() {
		}
		if err := res.Rows.Err(); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		res.Rows.Release()
		res.Rows = nil
	}
	return res
}

// strings of every row of rr, and the batch sizes. rr is released.
func collect(t *testing.T, rr interface {
	Next() bool
	RecordBatch() arrow.RecordBatch
	Err() error
	Release()
}) (rows [][]string, batches []int64) {
	t.Helper()
	defer rr.Release()
	for rr.Next() {
		rec := rr.RecordBatch()
		batches = append(batches, rec.NumRows())
		for i := range int(rec.NumRows()) {
			row := make([]string, rec.NumCols())
			for c := range row {
				row[c] = strings.Clone(rec.Column(c).ValueStr(i))
			}
			rows = append(rows, row)
		}
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	return rows, batches
}

func queryRows(t *testing.T, s backends.Session, sql string) [][]string {
	t.Helper()
	res, err := s.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	if res.Rows == nil {
		t.Fatalf("%s: no rows", sql)
	}
	rows, _ := collect(t, res.Rows)
	return rows
}

func fieldTypes(sc *arrow.Schema) string {
	if sc == nil {
		return "<nil>"
	}
	var parts []string
	for _, f := range sc.Fields() {
		parts = append(parts, f.Name+" "+f.Type.String())
	}
	return strings.Join(parts, ", ")
}
