package postgres

import (
	"context"
	"errors"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

// batchSchema is the parameter rows of the batch tests: an id, a text and
// a number given as a string, which the backend sends in text format for
// PostgreSQL to parse.
var batchSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "n", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// batchRows builds rows with ids from..from+n-1: s is NULL in every
// seventh row, n is the id modulo 1000 as a string. id overrides the ids of
// some rows (by offset).
func batchRows(mem memory.Allocator, from, n int64, id map[int64]int64) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, batchSchema)
	defer b.Release()
	for i := from; i < from+n; i++ {
		v := i
		if o, ok := id[i-from]; ok {
			v = o
		}
		b.Field(0).(*array.Int64Builder).Append(v)
		if i%7 == 0 {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append("row " + strconv.FormatInt(i, 10))
		}
		b.Field(2).(*array.StringBuilder).Append(strconv.FormatInt(i%1000, 10))
	}
	return b.NewRecordBatch()
}

// prepare prepares sql on s, closed when the test ends.
func prepare(t *testing.T, s *Session, sql string) *Stmt {
	t.Helper()
	st, err := s.Prepare(context.Background(), sql, nil)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st.(*Stmt)
}

// TestExecuteBatch runs INSERT and UPDATE batches of several record
// batches (one empty) across chunk boundaries, and compares what they left
// with the same rows executed one by one.
func TestExecuteBatch(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	e.exec("CREATE TABLE b (id int8 PRIMARY KEY, s text, n int4); CREATE TABLE one (id int8 PRIMARY KEY, s text, n int4)")
	sizes := []int64{5000, 0, batchChunkRows*2 + 17, 1}
	var total int64
	var recs []arrow.RecordBatch
	for _, n := range sizes {
		recs = append(recs, batchRows(e.mem, total+1, n, nil))
		total += n
	}
	ins := prepare(t, e.sess, "INSERT INTO b VALUES ($1, $2, $3)")
	for _, r := range recs {
		r.Retain()
	}
	rdr := reader(t, batchSchema, recs...)
	n, err := ins.ExecuteBatch(ctx, rdr)
	rdr.Release()
	if err != nil || n != total {
		t.Fatalf("ExecuteBatch: %d, %v; want %d", n, err, total)
	}
	if st := e.sess.Stats(); st.Batch != 1 {
		t.Errorf("stats %+v: want one batch", st)
	}
	if tx := e.sess.Conn().TxStatus(); tx != 'I' {
		t.Errorf("transaction status %c after the batch, want I", tx)
	}
	one := prepare(t, e.sess, "INSERT INTO one VALUES ($1, $2, $3)")
	for _, r := range recs {
		for i := range r.NumRows() {
			row := r.NewSlice(i, i+1)
			res, err := one.Execute(ctx, row)
			row.Release()
			if err != nil || res.RowsAffected != 1 {
				t.Fatalf("row %d: %v, %v", i, res, err)
			}
		}
		r.Release()
	}
	same := func(what string) {
		t.Helper()
		for _, q := range []string{"SELECT count(*) FROM (TABLE b EXCEPT TABLE one) x", "SELECT count(*) FROM (TABLE one EXCEPT TABLE b) x"} {
			if got := e.count(q); got != 0 {
				t.Errorf("%s: %s: %d", what, q, got)
			}
		}
		if got := e.count("SELECT count(*) FROM b"); got != total {
			t.Errorf("%s: %d rows, want %d", what, got, total)
		}
	}
	same("INSERT")

	// UPDATE: rows matching none add nothing to the count.
	upd := prepare(t, e.sess, "UPDATE b SET s = $2 WHERE id = $1")
	updOne := prepare(t, e.sess, "UPDATE one SET s = $2 WHERE id = $1")
	params := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	bld := array.NewRecordBuilder(e.mem, params)
	for i := int64(0); i < 3*batchChunkRows; i++ {
		bld.Field(0).(*array.Int64Builder).Append(i * 3) // every third id, from 0 (no row)
		bld.Field(1).(*array.StringBuilder).Append("upd " + strconv.FormatInt(i, 10))
	}
	rec := bld.NewRecordBatch()
	bld.Release()
	want := e.count("SELECT count(*) FROM b WHERE id % 3 = 0 AND id < " + strconv.Itoa(9*batchChunkRows))
	rec.Retain()
	rdr = reader(t, params, rec)
	n, err = upd.ExecuteBatch(ctx, rdr)
	rdr.Release()
	if err != nil || n != want {
		t.Errorf("UPDATE batch: %d, %v; want %d", n, err, want)
	}
	for i := range rec.NumRows() {
		row := rec.NewSlice(i, i+1)
		if _, err := updOne.Execute(ctx, row); err != nil {
			t.Fatal(err)
		}
		row.Release()
	}
	rec.Release()
	same("UPDATE")

	// A batch without rows runs nothing and affects nothing.
	rdr = reader(t, batchSchema)
	if n, err := ins.ExecuteBatch(ctx, rdr); err != nil || n != 0 {
		t.Errorf("empty batch: %d, %v", n, err)
	}
	rdr.Release()
	same("empty batch")
}

// wantRowError checks that err has SQLSTATE code and names row in its
// context.
func wantRowError(t *testing.T, what string, err error, code string, row int) {
	t.Helper()
	pe := pgerror.Flatten(err)
	if pe == nil || pe.Code != code {
		t.Errorf("%s: got %v, want SQLSTATE %s", what, err, code)
		return
	}
	line := "parameter row " + strconv.Itoa(row)
	if !strings.HasSuffix(pe.Where, line) {
		t.Errorf("%s: context %q, want it to end with %q", what, pe.Where, line)
	}
}

// TestExecuteBatchFailure fails batches in their middle: outside a
// transaction nothing is left; inside one, an error PostgreSQL raises fails
// the transaction.
func TestExecuteBatchFailure(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	e.exec("CREATE TABLE b (id int8 PRIMARY KEY CHECK (id <> 123456789), s text, n int4)")
	ins := prepare(t, e.sess, "INSERT INTO b VALUES ($1, $2, $3)")
	const first = batchChunkRows + 100
	for _, c := range []struct {
		name string
		rdr  func() array.RecordReader
		code string
		row  int // 0: no row named
	}{
		{"unique violation", func() array.RecordReader {
			return reader(t, batchSchema, batchRows(e.mem, 1, first, nil), batchRows(e.mem, first+1, 3*batchChunkRows, map[int64]int64{2000: 10}))
		}, pgerror.UniqueViolation, first + 2001},
		{"check violation in the last row", func() array.RecordReader {
			return reader(t, batchSchema, batchRows(e.mem, 1, 999, map[int64]int64{998: 123456789}))
		}, pgerror.CheckViolation, 999},
		{"value PostgreSQL cannot parse", func() array.RecordReader {
			b := array.NewRecordBuilder(e.mem, batchSchema)
			defer b.Release()
			b.Field(0).(*array.Int64Builder).AppendValues([]int64{1, 2}, nil)
			b.Field(1).(*array.StringBuilder).AppendValues([]string{"a", "b"}, nil)
			b.Field(2).(*array.StringBuilder).AppendValues([]string{"1", "x"}, nil)
			return reader(t, batchSchema, batchRows(e.mem, 10, first, nil), b.NewRecordBatch())
		}, pgerror.InvalidTextRepresentation, first + 2},
		{"parameter quiver cannot convert", func() array.RecordReader {
			s := arrow.NewSchema([]arrow.Field{
				{Name: "id", Type: arrow.PrimitiveTypes.Uint64},
				{Name: "s", Type: arrow.BinaryTypes.String},
				{Name: "n", Type: arrow.PrimitiveTypes.Int64},
			}, nil)
			b := array.NewRecordBuilder(e.mem, s)
			defer b.Release()
			for i := range uint64(3 * batchChunkRows) {
				id := i + 1
				if i == 2*batchChunkRows {
					id = 1 << 63 // beyond int8
				}
				b.Field(0).(*array.Uint64Builder).Append(id)
				b.Field(1).(*array.StringBuilder).Append("x")
				b.Field(2).(*array.Int64Builder).Append(int64(i % 7))
			}
			return reader(t, s, b.NewRecordBatch())
		}, pgerror.NumericValueOutOfRange, 2*batchChunkRows + 1},
		{"reader fails", func() array.RecordReader {
			return &failingReader{RecordReader: reader(t, batchSchema, batchRows(e.mem, 1, first, nil))}
		}, pgerror.InvalidTextRepresentation, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := c.rdr()
			_, err := ins.ExecuteBatch(ctx, r)
			r.Release()
			if pe := pgerror.Flatten(err); pe != nil {
				t.Logf("%v; detail %q; context %q", err, pe.Detail, pe.Where)
			}
			if c.row > 0 {
				wantRowError(t, "outside a transaction", err, c.code, c.row)
			} else if pgerror.Code(err) != c.code {
				t.Errorf("got %v, want %s", err, c.code)
			}
			if got := e.count("SELECT count(*) FROM b"); got != 0 {
				t.Errorf("%d rows left behind", got)
			}
			if tx := e.sess.Conn().TxStatus(); tx != 'I' {
				t.Errorf("transaction status %c, want I", tx)
			}
			readAll(t, mustQuery(t, e.sess, "SELECT 1"))
		})
	}

	// Inside a transaction, PostgreSQL's error fails it.
	if _, err := e.sess.Query(ctx, "BEGIN"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sess.Query(ctx, "INSERT INTO b VALUES (-1, 'before', 0)"); err != nil {
		t.Fatal(err)
	}
	r := reader(t, batchSchema, batchRows(e.mem, 1, 3*batchChunkRows, map[int64]int64{batchChunkRows * 2: 5}))
	_, err := ins.ExecuteBatch(ctx, r)
	r.Release()
	wantRowError(t, "inside a transaction", err, pgerror.UniqueViolation, 2*batchChunkRows+1)
	if _, err := e.sess.Query(ctx, "SELECT 1"); pgerror.Code(err) != pgerror.InFailedSQLTransaction {
		t.Errorf("after the failed batch: %v, want 25P02", err)
	}
	if _, err := e.sess.Query(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	// And one that succeeds runs in it.
	if _, err := e.sess.Query(ctx, "BEGIN"); err != nil {
		t.Fatal(err)
	}
	r = reader(t, batchSchema, batchRows(e.mem, 1, 10, nil))
	if n, err := ins.ExecuteBatch(ctx, r); err != nil || n != 10 {
		t.Errorf("in a transaction: %d, %v", n, err)
	}
	r.Release()
	if got := e.count("SELECT count(*) FROM b"); got != 0 {
		t.Errorf("%d rows seen before COMMIT", got)
	}
	if _, err := e.sess.Query(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	if got := e.count("SELECT count(*) FROM b"); got != 10 {
		t.Errorf("%d rows after COMMIT, want 10", got)
	}
}

// untouched is a reader that fails the test if it is read.
type untouched struct {
	array.RecordReader
	t *testing.T
}

func (r untouched) Next() bool { r.t.Error("params read"); return false }

// TestExecuteBatchNotSupported declines statements that return rows and
// other statement kinds before reading the parameters.
func TestExecuteBatchNotSupported(t *testing.T) {
	e := newEnv(t, Options{})
	e.exec("CREATE TABLE b (id int8)")
	for _, sql := range []string{"INSERT INTO b VALUES ($1) RETURNING id", "SELECT $1::int8", "DO $$BEGIN END$$"} {
		st := prepare(t, e.sess, sql)
		if _, err := st.ExecuteBatch(context.Background(), untouched{t: t}); !errors.Is(err, backends.ErrNotSupported) {
			t.Errorf("%s: %v, want ErrNotSupported", sql, err)
		}
	}
}

// TestExecuteBatchCancel cancels a batch of slow rows while PostgreSQL
// runs it: it stops within a second with 57014, nothing is left, and the
// session goes on.
func TestExecuteBatchCancel(t *testing.T) {
	e := newEnv(t, Options{})
	e.exec("CREATE TABLE b (id int8)")
	st := prepare(t, e.sess, "INSERT INTO b SELECT $1 FROM pg_sleep($2)")
	s := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}, {Name: "secs", Type: arrow.PrimitiveTypes.Float64}}, nil)
	b := array.NewRecordBuilder(e.mem, s)
	for i := range int64(20000) {
		b.Field(0).(*array.Int64Builder).Append(i)
		b.Field(1).(*array.Float64Builder).Append(0.001)
	}
	r := reader(t, s, b.NewRecordBatch())
	b.Release()
	defer r.Release()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var at atomic.Int64
	time.AfterFunc(500*time.Millisecond, func() { at.Store(time.Now().UnixNano()); cancel() })
	_, err := st.ExecuteBatch(ctx, r)
	if d := time.Since(time.Unix(0, at.Load())); at.Load() == 0 || d > time.Second {
		t.Errorf("batch ended %v after the cancel (cancelled: %v)", d, at.Load() != 0)
	}
	if pgerror.Code(err) != pgerror.QueryCanceled {
		t.Errorf("got %v, want 57014", err)
	}
	if got := e.count("SELECT count(*) FROM b"); got != 0 {
		t.Errorf("%d rows left behind", got)
	}
	wantUsable(t, e.sess)
}

// generated is a reader that makes its batches as it goes, so that the
// test holds one at a time.
type generated struct {
	mem     memory.Allocator
	schema  *arrow.Schema
	left    int
	rows    int
	payload string
	cur     arrow.RecordBatch
	id      int64
}

func (g *generated) Schema() *arrow.Schema { return g.schema }
func (g *generated) Retain()               {}
func (g *generated) Err() error            { return nil }
func (g *generated) RecordBatch() arrow.RecordBatch {
	return g.cur
}

// Record returns the current batch.
//
// Deprecated: use RecordBatch.
func (g *generated) Record() arrow.RecordBatch { return g.cur }

func (g *generated) Release() {
	if g.cur != nil {
		g.cur.Release()
		g.cur = nil
	}
}

func (g *generated) Next() bool {
	g.Release()
	if g.left == 0 {
		return false
	}
	b := array.NewRecordBuilder(g.mem, g.schema)
	defer b.Release()
	for range g.rows {
		g.id++
		b.Field(0).(*array.Int64Builder).Append(g.id)
		b.Field(1).(*array.StringBuilder).Append(g.payload)
	}
	g.cur = b.NewRecordBatch()
	g.left--
	return true
}

// TestExecuteBatchMemory runs a batch of 200 MB of parameter values: the
// Go heap grows by a small, bounded part of that, since rows go to
// PostgreSQL chunk by chunk.
func TestExecuteBatchMemory(t *testing.T) {
	e := newEnv(t, Options{})
	e.exec("CREATE UNLOGGED TABLE b (id int8, s text)")
	st := prepare(t, e.sess, "INSERT INTO b VALUES ($1, $2)")
	s := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}, {Name: "s", Type: arrow.BinaryTypes.String}}, nil)
	const rows, size = 200_000, 1000
	g := &generated{mem: e.mem, schema: s, left: rows / 1000, rows: 1000, payload: strings.Repeat("x", size)}
	defer g.Release()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	n, err := st.ExecuteBatch(context.Background(), g)
	close(done)
	if err != nil || n != rows {
		t.Fatalf("ExecuteBatch: %d, %v", n, err)
	}
	growth := int64(peak.Load()) - int64(base)
	t.Logf("heap in use grew by at most %d KiB for %d MiB of parameters", growth>>10, rows*size>>20)
	if growth > 40<<20 {
		t.Errorf("heap in use grew by %d MiB", growth>>20)
	}
	if got := e.count("SELECT count(*) FROM b"); got != rows {
		t.Errorf("%d rows, want %d", got, rows)
	}
}
