package flightsrv

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/quiverdb/quiver/backends/postgres"
)

const batchInsert = "INSERT INTO b VALUES ($1, $2, $3, $4)"

// startBatchPG starts a server over PostgreSQL with a table b for the
// ingestRows rows, and returns a client and a checked allocator for the
// parameters.
func startBatchPG(t *testing.T) (*testServer, *flightsql.Client, *memory.CheckedAllocator) {
	t.Helper()
	ts := startPG(t, postgres.Options{}, nil)
	cl := ts.client(t)
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	if _, err := cl.ExecuteUpdate(context.Background(), "CREATE TABLE b (id int8 PRIMARY KEY, name text, score float8, ok bool)"); err != nil {
		t.Fatal(err)
	}
	return ts, cl, mem
}

// joined returns a reader of the batches of the readers, which it
// releases.
func joined(t *testing.T, rdrs ...array.RecordReader) array.RecordReader {
	t.Helper()
	var recs []arrow.RecordBatch
	for _, r := range rdrs {
		for r.Next() {
			rec := r.RecordBatch()
			rec.Retain()
			recs = append(recs, rec)
		}
		r.Release()
	}
	out, err := array.NewRecordReader(ingestSchema, recs)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		rec.Release()
	}
	return out
}

// executeBatch runs ps with rdr bound and releases rdr.
func executeBatch(ctx context.Context, ps *flightsql.PreparedStatement, rdr array.RecordReader) (int64, error) {
	defer rdr.Release()
	ps.SetRecordReader(rdr)
	return ps.ExecuteUpdate(ctx)
}

// errorWhere returns the "where" (PostgreSQL's CONTEXT) of a status error.
func errorWhere(err error) string {
	st, _ := status.FromError(err)
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetDomain() == ErrorDomain {
			return info.GetMetadata()["where"]
		}
	}
	return ""
}

// TestPGPreparedBatch sends 100,000 parameter rows in ten record batches
// to a prepared INSERT (DoPutPreparedStatementUpdate): they all land, with
// the values sent.
func TestPGPreparedBatch(t *testing.T) {
	_, cl, mem := startBatchPG(t)
	ctx := context.Background()
	ps, err := cl.Prepare(ctx, batchInsert)
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close(ctx)
	const batches, rows = 10, 10000
	start := time.Now()
	n, err := executeBatch(ctx, ps, ingestRows(t, mem, 1, batches, rows))
	d := time.Since(start)
	if err != nil || n != batches*rows {
		t.Fatalf("ExecuteUpdate: %d, %v; want %d", n, err, batches*rows)
	}
	t.Logf("%d rows in %v: %.0f rows/s", n, d, float64(n)/d.Seconds())
	got := query(t, cl, "SELECT id, name, score, ok FROM b ORDER BY id")
	defer got.Release()
	sent := ingestRows(t, mem, 1, batches, rows)
	var recs []arrow.RecordBatch
	for sent.Next() {
		rec := sent.RecordBatch()
		rec.Retain()
		recs = append(recs, rec)
	}
	sent.Release()
	want := concat(t, ingestSchema, recs)
	for _, rec := range recs {
		rec.Release()
	}
	defer want.Release()
	if got.NumRows() != want.NumRows() {
		t.Fatalf("%d rows, want %d", got.NumRows(), want.NumRows())
	}
	for i := range want.NumCols() {
		if !array.Equal(got.Column(int(i)), want.Column(int(i))) {
			t.Errorf("column %s differs", want.ColumnName(int(i)))
		}
	}
}

// TestPGPreparedBatchFailure has a row in the middle of a batch violate
// the primary key: outside a transaction nothing is left; inside one the
// transaction fails. The error names the row either way, and so it does
// for a statement that returns rows, which runs row by row.
func TestPGPreparedBatchFailure(t *testing.T) {
	_, cl, mem := startBatchPG(t)
	ctx := context.Background()
	// Rows 1..30000 have ids 1..30000; row 30001 has id 25001 again.
	dup := func() array.RecordReader {
		return joined(t, ingestRows(t, mem, 1, 3, 10000), ingestRows(t, mem, 25001, 2, 10000))
	}
	rows := func() int64 { return count(t, cl, cl.Execute, "SELECT count(*) FROM b") }
	wantRow := func(what string, err error, row string) {
		t.Helper()
		if w := errorWhere(err); !strings.HasSuffix(w, "parameter row "+row) {
			t.Errorf("%s: context %q, want it to end with parameter row %s", what, w, row)
		}
	}

	ps, err := cl.Prepare(ctx, batchInsert)
	if err != nil {
		t.Fatal(err)
	}
	_, err = executeBatch(ctx, ps, dup())
	ps.Close(ctx)
	wantSQLError(t, "outside a transaction", err, codes.AlreadyExists, "23505")
	wantRow("outside a transaction", err, "30001")
	if n := rows(); n != 0 {
		t.Errorf("%d rows left behind", n)
	}

	tx, err := cl.BeginTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecuteUpdate(ctx, "INSERT INTO b VALUES (-1)"); err != nil {
		t.Fatal(err)
	}
	ps, err = tx.Prepare(ctx, batchInsert)
	if err != nil {
		t.Fatal(err)
	}
	_, err = executeBatch(ctx, ps, dup())
	ps.Close(ctx)
	wantSQLError(t, "inside a transaction", err, codes.AlreadyExists, "23505")
	wantRow("inside a transaction", err, "30001")
	_, err = tx.ExecuteUpdate(ctx, "INSERT INTO b VALUES (-2)")
	wantSQLError(t, "after the failed batch", err, codes.FailedPrecondition, "25P02")
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if n := rows(); n != 0 {
		t.Errorf("%d rows after the rollback", n)
	}

	// RETURNING: row by row, each committed on its own.
	ps, err = cl.Prepare(ctx, batchInsert+" RETURNING id")
	if err != nil {
		t.Fatal(err)
	}
	_, err = executeBatch(ctx, ps, joined(t, ingestRows(t, mem, 1, 1, 3), ingestRows(t, mem, 2, 1, 1)))
	ps.Close(ctx)
	wantSQLError(t, "RETURNING", err, codes.AlreadyExists, "23505")
	wantRow("RETURNING", err, "4")
	if n := rows(); n != 3 {
		t.Errorf("RETURNING: %d rows, want the 3 before the failing one", n)
	}
}

// TestPGPreparedBatchCancel cancels a long batch while PostgreSQL runs it:
// PostgreSQL stops within a second, nothing of the batch is left, and the
// client's next statement runs.
func TestPGPreparedBatchCancel(t *testing.T) {
	ts, cl, mem := startBatchPG(t)
	ctx := context.Background()
	if _, err := cl.ExecuteUpdate(ctx, "CREATE TABLE s (id int8)"); err != nil {
		t.Fatal(err)
	}
	const sql = "INSERT INTO s SELECT $1 FROM pg_sleep($2)"
	ps, err := cl.Prepare(ctx, sql)
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close(ctx)
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}, {Name: "secs", Type: arrow.PrimitiveTypes.Float64}}, nil)
	b := array.NewRecordBuilder(mem, schema)
	for i := range int64(20000) { // 20 s of 1 ms sleeps
		b.Field(0).(*array.Int64Builder).Append(i)
		b.Field(1).(*array.Float64Builder).Append(0.001)
	}
	rec := b.NewRecordBatch()
	b.Release()
	rdr, err := array.NewRecordReader(schema, []arrow.RecordBatch{rec})
	rec.Release()
	if err != nil {
		t.Fatal(err)
	}
	running := func() bool {
		r := direct(t, ts.be, "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query = '"+sql+"'")
		defer r.Release()
		return r.Column(0).(*array.Int64).Value(0) > 0
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := executeBatch(cctx, ps, rdr)
		done <- err
	}()
	waitFor(t, "PostgreSQL to run the batch", running)
	cancel()
	start := time.Now()
	if err := <-done; status.Code(err) != codes.Canceled {
		t.Errorf("got %v, want Canceled", err)
	}
	waitFor(t, "PostgreSQL to stop the batch", func() bool { return !running() })
	if d := time.Since(start); d > time.Second {
		t.Errorf("PostgreSQL stopped the batch %v after the cancel", d)
	}
	if n := count(t, cl, cl.Execute, "SELECT count(*) FROM s"); n != 0 {
		t.Errorf("%d rows left behind", n)
	}
}
