package dispatch

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/quiverdb/quiver/stmt"
)

// params makes a one-row parameter batch of n int64 columns.
func params(mem memory.Allocator, n int) arrow.RecordBatch {
	fields := make([]arrow.Field, n)
	for i := range fields {
		fields[i] = arrow.Field{Name: "p", Type: arrow.PrimitiveTypes.Int64}
	}
	b := array.NewRecordBuilder(mem, arrow.NewSchema(fields, nil))
	defer b.Release()
	for i := range n {
		b.Field(i).(*array.Int64Builder).Append(int64(i))
	}
	return b.NewRecordBatch()
}

// TestReplayLogReleases checks that the log keeps the parameter batches
// and prepared statements of its entries until they are dropped, and
// releases each once.
func TestReplayLogReleases(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	ps := &preparedStmt{sql: "insert into t values ($1)", refs: 1}
	var l replayLog
	for n := 1; n <= 3; n++ {
		rec := params(mem, 2)
		e := logEntry{ps: ps, params: rec}
		ps.refs++
		rec.Retain()
		if i := l.add(n, e, 0); i != n-1 {
			t.Fatalf("add %d: index %d", n, i)
		}
		rec.Release() // the portal's reference
	}
	if ps.refs != 4 {
		t.Fatalf("refs %d, want 4", ps.refs)
	}
	l.truncate(1)
	if len(l.entries) != 1 || ps.refs != 2 {
		t.Fatalf("after truncate: %d entries, refs %d", len(l.entries), ps.refs)
	}
	l.wrote(0, 7)
	if !l.entries[0].counted || l.entries[0].count != 7 {
		t.Fatalf("count not recorded: %+v", l.entries[0])
	}
	l.reset()
	if len(l.entries) != 0 || l.bytes != 0 || ps.refs != 1 {
		t.Fatalf("after reset: %d entries, %d bytes, refs %d", len(l.entries), l.bytes, ps.refs)
	}
}

// TestReplayLogBound checks that a log over its bound stops recording and
// keeps only what the savepoints made before it need.
func TestReplayLogBound(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	l := replayLog{limit: 10 * entryCost}
	sql := "insert into t values (1)"
	n := 0
	for {
		n++
		e := logEntry{orig: sql}
		if l.add(n, e, 3) < 0 {
			break
		}
		l.ran(&stmt.Statement{SQL: "select 1"}, "select 1", 3) // not the current statement: ignored
	}
	if n < 4 || len(l.entries) != 3 || l.recording(n+1) {
		t.Fatalf("after overflow at write %d: %d entries, recording %v", n, len(l.entries), l.recording(n+1))
	}
	// Nothing needed: everything goes.
	l.overflow(0)
	if len(l.entries) != 0 || l.bytes != 0 {
		t.Fatalf("after overflow(0): %d entries, %d bytes", len(l.entries), l.bytes)
	}
	// A parameter batch dropped by the bound is released.
	l.reset()
	ps := &preparedStmt{refs: 1}
	big := params(mem, 200)
	ps.refs++
	if l.add(1, logEntry{ps: ps, params: big}, 0) >= 0 {
		t.Fatal("an entry over the bound was recorded")
	}
	(&logEntry{ps: ps, params: big}).release() // noteWrite's clean-up
	if ps.refs != 1 {
		t.Fatalf("refs %d", ps.refs)
	}
}
