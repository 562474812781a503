//go:build duckdb_arrow

package flightsrv

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// typesQuery selects values of many types, with NULLs.
const typesQuery = `SELECT * FROM (VALUES
	(1::TINYINT, 2::SMALLINT, 3::INTEGER, 4::BIGINT, 1.5::REAL, 2.25::DOUBLE, 12.345::DECIMAL(10,3),
	 'text', 'bytes'::BLOB, TRUE, DATE '2024-02-29', TIME '12:34:56.789', TIMESTAMP '2024-02-29 12:34:56.789',
	 TIMESTAMPTZ '2024-02-29 12:34:56+00', INTERVAL '1 day 2 hours', [1, 2, 3], {'a': 1, 'b': 'x'},
	 '6a7c1e2a-1d5e-4c6e-9b1f-3c2d1e0f9a8b'::UUID, 12345678901234567890::HUGEINT),
	(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
) t(i1, i2, i4, i8, f4, f8, dec, txt, blob, bool, d, tm, ts, tstz, iv, list, st, uuid, huge)`

// TestQueryTypes checks that a query's FlightInfo schema, its DoGet schema
// and its rows are exactly what the backend itself returns.
func TestQueryTypes(t *testing.T) {
	ts := startDuck(t, nil)
	cl := ts.client(t)
	ctx := context.Background()
	sameAsBackend(t, ts, cl, typesQuery)
	want := direct(t, ts.be, typesQuery)
	defer want.Release()

	// GetSchema for the statement gives the same schema without running it.
	sr, err := cl.GetExecuteSchema(ctx, typesQuery)
	if err != nil {
		t.Fatal(err)
	}
	s, err := flight.DeserializeSchema(sr.Schema, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Equal(want.Schema()) {
		t.Errorf("GetSchema:\n%v\nwant\n%v", s, want.Schema())
	}
}

// TestQueryNotRunTwice checks that GetFlightInfo only prepares: a query
// that inserts a row, run through GetFlightInfo and DoGet, inserts once;
// GetFlightInfo alone inserts nothing.
func TestQueryNotRunTwice(t *testing.T) {
	ts := startDuck(t, nil)
	cl := ts.client(t)
	ctx := context.Background()
	if _, err := cl.ExecuteUpdate(ctx, "CREATE TABLE runs (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	info, err := cl.Execute(ctx, "INSERT INTO runs VALUES (1) RETURNING x")
	if err != nil {
		t.Fatal(err)
	}
	count := func() int64 {
		rec := query(t, cl, "SELECT count(*) FROM runs")
		defer rec.Release()
		return rec.Column(0).(*array.Int64).Value(0)
	}
	if n := count(); n != 0 {
		t.Fatalf("after GetFlightInfo: %d rows, want 0", n)
	}
	rec, _ := collect(t, ctx, cl, info)
	rec.Release()
	if n := count(); n != 1 {
		t.Fatalf("after DoGet: %d rows, want 1", n)
	}
}

// TestStreamingManyBatches reads a result of many batches and checks every
// row arrived, in order.
func TestStreamingManyBatches(t *testing.T) {
	ts := startDuck(t, nil)
	cl := ts.client(t)
	const n = 1_000_000
	info, err := cl.Execute(context.Background(), "SELECT i, i * 2 AS j, 'row ' || i AS s FROM range(1000000) t(i)")
	if err != nil {
		t.Fatal(err)
	}
	rdr, err := cl.DoGet(context.Background(), info.Endpoint[0].Ticket)
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Release()
	var next int64
	batches := 0
	for rdr.Next() {
		rec := rdr.RecordBatch()
		batches++
		is := rec.Column(0).(*array.Int64)
		js := rec.Column(1).(*array.Int64)
		for k := range is.Len() {
			if is.Value(k) != next || js.Value(k) != 2*next {
				t.Fatalf("row %d: got (%d, %d)", next, is.Value(k), js.Value(k))
			}
			next++
		}
	}
	if err := rdr.Err(); err != nil && !errors.Is(err, io.EOF) {
		t.Fatal(err)
	}
	if next != n {
		t.Fatalf("got %d rows, want %d", next, n)
	}
	if batches < 10 {
		t.Fatalf("got %d batches, want many", batches)
	}
}

// TestStreamingNotMaterialised reads the first batches of a result far too
// large to materialise, then stops: only streaming can answer in time.
func TestStreamingNotMaterialised(t *testing.T) {
	ts := startDuck(t, nil)
	cl := ts.client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	info, err := cl.Execute(ctx, "SELECT i, repeat('x', 100) AS pad FROM range(100000000000) t(i)")
	if err != nil {
		t.Fatal(err)
	}
	abandon(t, ctx, cl, info, 3)
}

// TestUpdate runs DDL and DML through CommandStatementUpdate.
func TestUpdate(t *testing.T) {
	ts := startDuck(t, nil)
	cl := ts.client(t)
	ctx := context.Background()
	steps := []struct {
		sql  string
		want int64
	}{
		{"CREATE TABLE u (id INTEGER PRIMARY KEY, name VARCHAR)", -1},
		{"INSERT INTO u VALUES (1, 'a'), (2, 'b'), (3, 'c')", 3},
		{"UPDATE u SET name = upper(name) WHERE id >= 2", 2},
		{"DELETE FROM u WHERE id = 1", 1},
		{"INSERT INTO u VALUES (7, 'g') RETURNING id", 1},
	}
	for _, st := range steps {
		n, err := cl.ExecuteUpdate(ctx, st.sql)
		if err != nil {
			t.Fatalf("%s: %v", st.sql, err)
		}
		if n != st.want {
			t.Errorf("%s: %d rows affected, want %d", st.sql, n, st.want)
		}
	}
	got := query(t, cl, "SELECT id, name FROM u ORDER BY id")
	defer got.Release()
	want := direct(t, ts.be, "SELECT * FROM (VALUES (2, 'B'), (3, 'C'), (7, 'g')) v(id, name)")
	defer want.Release()
	if !array.RecordEqual(got, want) {
		t.Errorf("got\n%v\nwant\n%v", got, want)
	}
}

// TestPrepared covers prepared statements: schemas, parameters bound as a
// batch of several rows (one execution per row), updates and Close.
func TestPrepared(t *testing.T) {
	ts := startDuck(t, nil)
	cl := ts.client(t)
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)

	if _, err := cl.ExecuteUpdate(ctx, "CREATE TABLE p (id INTEGER, name VARCHAR)"); err != nil {
		t.Fatal(err)
	}
	ins, err := cl.Prepare(ctx, "INSERT INTO p VALUES ($1, $2)")
	if err != nil {
		t.Fatal(err)
	}
	if isUpdate, ok := ins.IsUpdate(); !ok || !isUpdate {
		t.Errorf("IsUpdate = %v, %v; want true", isUpdate, ok)
	}
	ps := ins.ParameterSchema()
	if ps.NumFields() != 2 || !arrow.TypeEqual(ps.Field(0).Type, arrow.PrimitiveTypes.Int32) ||
		!arrow.TypeEqual(ps.Field(1).Type, arrow.BinaryTypes.String) {
		t.Errorf("parameter schema %v", ps)
	}
	params := batch(t, mem, ps, `[{"$1": 1, "$2": "one"}, {"$1": 2, "$2": "two"}, {"$1": 3, "$2": null}]`)
	ins.SetParameters(params)
	params.Release()
	n, err := ins.ExecuteUpdate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("ExecuteUpdate: %d rows, want 3", n)
	}
	if err := ins.Close(ctx); err != nil {
		t.Fatal(err)
	}

	sel, err := cl.Prepare(ctx, "SELECT id, name FROM p WHERE id >= $1 ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer sel.Close(ctx)
	ds := sel.DatasetSchema()
	if ds.NumFields() != 2 || ds.Field(0).Name != "id" || ds.Field(1).Name != "name" {
		t.Errorf("dataset schema %v", ds)
	}
	// Two parameter rows: the query runs twice, results concatenated.
	params = batch(t, mem, sel.ParameterSchema(), `[{"$1": 3}, {"$1": 2}]`)
	sel.SetParameters(params)
	params.Release()
	info, err := sel.Execute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := collect(t, ctx, cl, info)
	defer got.Release()
	want := direct(t, ts.be, "SELECT * FROM (VALUES (3, NULL), (2, 'two'), (3, NULL)) v(id, name)")
	defer want.Release()
	if !array.RecordEqual(got, want) {
		t.Errorf("got\n%v\nwant\n%v", got, want)
	}
	// The ticket can be redeemed again: the bound parameters persist.
	again, _ := collect(t, ctx, cl, info)
	defer again.Release()
	if !array.RecordEqual(again, want) {
		t.Errorf("second DoGet got\n%v", again)
	}
}

// TestLargeBatches checks that a batch larger than gRPC's default 4 MiB
// message limit reaches a client with default settings, in slices.
func TestLargeBatches(t *testing.T) {
	ts := startDuck(t, nil)
	cl := ts.client(t)
	rec := query(t, cl, "SELECT i, repeat('x', 100000) AS s FROM range(200) t(i)")
	defer rec.Release()
	if rec.NumRows() != 200 {
		t.Fatalf("%d rows", rec.NumRows())
	}
	for i, v := range rec.Column(0).(*array.Int64).Int64Values() {
		if v != int64(i) || len(rec.Column(1).(*array.String).Value(i)) != 100000 {
			t.Fatalf("row %d wrong", i)
		}
	}
}
