package flightsrv

import (
	"context"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	_ "github.com/apache/arrow-go/v18/arrow/flight/flightsql/driver" // database/sql driver "flightsql"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/rs/zerolog"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/internal/testenv"
	"github.com/quiverdb/quiver/pgerror"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// testServer is a Server running in-process on a loopback port.
type testServer struct {
	srv  *Server
	addr string
	be   backends.Backend
	mem  *memory.CheckedAllocator
}

// startServer serves be on 127.0.0.1:0. The server's allocator is checked
// for leaks when the test ends.
func startServer(t testing.TB, be backends.Backend, edit func(*Config)) *testServer {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	cfg := Config{
		Backend:            be,
		Alloc:              mem,
		SessionIdleTimeout: time.Minute,
		Version:            "test",
		Logger:             zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel),
	}
	if edit != nil {
		edit(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	addr, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-served; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
		mem.AssertSize(t, 0)
	})
	return &testServer{srv: srv, addr: addr.String(), be: be, mem: mem}
}

// client returns an arrow-go Flight SQL client whose allocator is checked
// for leaks when the test ends.
func (ts *testServer) client(t testing.TB, middleware ...flight.ClientMiddleware) *flightsql.Client {
	t.Helper()
	return ts.dial(t, middleware)
}

// dial is client with gRPC dial options too.
func (ts *testServer) dial(t testing.TB, middleware []flight.ClientMiddleware, opts ...grpc.DialOption) *flightsql.Client {
	t.Helper()
	cl, err := flightsql.NewClient(ts.addr, nil, middleware, append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	cl.Alloc = mem
	t.Cleanup(func() {
		cl.Close()
		mem.AssertSize(t, 0)
	})
	return cl
}

// collect reads every batch of every endpoint of info into one batch per
// endpoint stream, concatenated. The caller releases the result.
func collect(t *testing.T, ctx context.Context, cl *flightsql.Client, info *flight.FlightInfo) (arrow.RecordBatch, int) {
	t.Helper()
	var recs []arrow.RecordBatch
	var schema *arrow.Schema
	for _, ep := range info.Endpoint {
		rdr, err := cl.DoGet(ctx, ep.Ticket)
		if err != nil {
			t.Fatalf("DoGet: %v", err)
		}
		schema = rdr.Schema()
		for rdr.Next() {
			rec := rdr.RecordBatch()
			rec.Retain()
			recs = append(recs, rec)
		}
		if err := rdr.Err(); err != nil && !errors.Is(err, io.EOF) {
			rdr.Release()
			t.Fatalf("reading: %v", err)
		}
		rdr.Release()
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	return concat(t, schema, recs), len(recs)
}

// concat joins batches into one.
func concat(t *testing.T, schema *arrow.Schema, recs []arrow.RecordBatch) arrow.RecordBatch {
	t.Helper()
	if len(recs) == 1 {
		recs[0].Retain()
		return recs[0]
	}
	cols := make([]arrow.Array, schema.NumFields())
	var n int64
	for _, r := range recs {
		n += r.NumRows()
	}
	for i := range cols {
		parts := make([]arrow.Array, len(recs))
		for j, r := range recs {
			parts[j] = r.Column(i)
		}
		if len(parts) == 0 {
			b := array.NewBuilder(memory.DefaultAllocator, schema.Field(i).Type)
			cols[i] = b.NewArray()
			b.Release()
			continue
		}
		c, err := array.Concatenate(parts, memory.DefaultAllocator)
		if err != nil {
			t.Fatal(err)
		}
		cols[i] = c
	}
	rec := array.NewRecordBatch(schema, cols, n)
	for _, c := range cols {
		c.Release()
	}
	return rec
}

// query runs sql through Flight SQL and returns its rows as one batch.
func query(t *testing.T, cl *flightsql.Client, sql string) arrow.RecordBatch {
	t.Helper()
	return queryCtx(t, context.Background(), cl, sql)
}

// queryCtx is query with a context, which may carry credentials.
func queryCtx(t *testing.T, ctx context.Context, cl *flightsql.Client, sql string) arrow.RecordBatch {
	t.Helper()
	info, err := cl.Execute(ctx, sql)
	if err != nil {
		t.Fatalf("Execute(%q): %v", sql, err)
	}
	rec, _ := collect(t, ctx, cl, info)
	return rec
}

// direct runs sql on a session of the backend itself and returns its rows
// as one batch: what the Flight SQL frontend must pass on unchanged.
func direct(t *testing.T, be backends.Backend, sql string) arrow.RecordBatch {
	t.Helper()
	ctx := context.Background()
	s, err := be.Open(ctx, backends.SessionInfo{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := s.Query(ctx, sql)
	if err != nil {
		t.Fatalf("backend Query(%q): %v", sql, err)
	}
	defer res.Rows.Release()
	var recs []arrow.RecordBatch
	for res.Rows.Next() {
		r := res.Rows.RecordBatch()
		r.Retain()
		recs = append(recs, r)
	}
	if err := res.Rows.Err(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	return concat(t, res.Rows.Schema(), recs)
}

func stringsReader(s string) io.Reader { return strings.NewReader(s) }

// batch builds a record batch from JSON rows.
func batch(t *testing.T, mem memory.Allocator, schema *arrow.Schema, rows string) arrow.RecordBatch {
	t.Helper()
	rec, _, err := array.RecordFromJSON(mem, schema, stringsReader(rows))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// wantSQLError checks an error's gRPC code and SQLSTATE, in its details
// and its message.
func wantSQLError(t *testing.T, what string, err error, code codes.Code, sqlstate string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want %v %s", what, code, sqlstate)
		return
	}
	st, _ := status.FromError(err)
	if st.Code() != code {
		t.Errorf("%s: code %v, want %v (%v)", what, st.Code(), code, err)
	}
	if got := SQLState(err); got != sqlstate {
		t.Errorf("%s: SQLSTATE %q, want %q (%v)", what, got, sqlstate, err)
	}
	if !strings.Contains(st.Message(), "(SQLSTATE "+sqlstate+")") {
		t.Errorf("%s: message %q lacks the SQLSTATE", what, st.Message())
	}
}

// table returns a batch's rows as strings, NULL as "<nil>".
func table(rec arrow.RecordBatch) [][]string {
	var out [][]string
	for r := range int(rec.NumRows()) {
		row := make([]string, rec.NumCols())
		for c, col := range rec.Columns() {
			if col.IsNull(r) {
				row[c] = "<nil>"
			} else {
				row[c] = col.ValueStr(r)
			}
		}
		out = append(out, row)
	}
	return out
}

// fetch reads a metadata command's result, checking that the FlightInfo
// and the stream have the Flight SQL schema.
func fetch(t *testing.T, cl *flightsql.Client, want *arrow.Schema, info *flight.FlightInfo, err error) arrow.RecordBatch {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	s, err := flight.DeserializeSchema(info.Schema, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Equal(want) {
		t.Errorf("FlightInfo schema %v, want %v", s, want)
	}
	rec, _ := collect(t, context.Background(), cl, info)
	if !rec.Schema().Equal(want) {
		t.Errorf("stream schema %v, want %v", rec.Schema(), want)
	}
	return rec
}

// column returns one column of a batch as strings.
func column(rec arrow.RecordBatch, i int) []string {
	var out []string
	for _, r := range table(rec) {
		out = append(out, r[i])
	}
	return out
}

func wantRows(t *testing.T, what string, rec arrow.RecordBatch, want [][]string) {
	t.Helper()
	defer rec.Release()
	if got := table(rec); !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\ngot  %q\nwant %q", what, got, want)
	}
}

// sqlInfoValues reads a GetSqlInfo result as strings by id.
func sqlInfoValues(rec arrow.RecordBatch) map[flightsql.SqlInfo]string {
	out := map[flightsql.SqlInfo]string{}
	ids := rec.Column(0).(*array.Uint32)
	u := rec.Column(1).(*array.DenseUnion)
	for i := range ids.Len() {
		out[flightsql.SqlInfo(ids.Value(i))] = u.Field(u.ChildID(i)).ValueStr(int(u.ValueOffset(i)))
	}
	return out
}

// count returns the result of a count(*) query run by run.
func count(t *testing.T, cl *flightsql.Client, execute func(context.Context, string, ...grpc.CallOption) (*flight.FlightInfo, error), sql string) int64 {
	t.Helper()
	info, err := execute(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	rec, _ := collect(t, context.Background(), cl, info)
	defer rec.Release()
	return rec.Column(0).(*array.Int64).Value(0)
}

// runningCount returns the number of statements running on the server.
func (s *Server) runningCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, ss := range s.byID {
		ss.mu.Lock()
		n += len(ss.running)
		ss.mu.Unlock()
	}
	return n
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// drainErr reads a DoGet stream to its end and returns its error.
func drainErr(cl *flightsql.Client, ctx context.Context, tkt *flight.Ticket) error {
	rdr, err := cl.DoGet(ctx, tkt)
	if err != nil {
		return err
	}
	defer rdr.Release()
	for rdr.Next() {
	}
	if err := rdr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

var ingestSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "ok", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
}, nil)

// ingestRows returns a reader of batches of rows with ids from first on.
func ingestRows(t *testing.T, mem memory.Allocator, first int64, batches, rows int) array.RecordReader {
	t.Helper()
	var recs []arrow.RecordBatch
	b := array.NewRecordBuilder(mem, ingestSchema)
	defer b.Release()
	id := first
	for range batches {
		for range rows {
			b.Field(0).(*array.Int64Builder).Append(id)
			if id%7 == 0 {
				b.Field(1).AppendNull()
			} else {
				b.Field(1).(*array.StringBuilder).Append("name " + string(rune('a'+id%26)))
			}
			b.Field(2).(*array.Float64Builder).Append(float64(id) / 4)
			b.Field(3).(*array.BooleanBuilder).Append(id%2 == 0)
			id++
		}
		recs = append(recs, b.NewRecordBatch())
	}
	rdr, err := array.NewRecordReader(ingestSchema, recs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		r.Release()
	}
	return rdr
}

func ingestOpts(table string, ifNotExist flightsql.TableDefinitionOptionsTableNotExistOption, ifExists flightsql.TableDefinitionOptionsTableExistsOption) *flightsql.ExecuteIngestOpts {
	return &flightsql.ExecuteIngestOpts{
		Table:                  table,
		TableDefinitionOptions: &flightsql.TableDefinitionOptions{IfNotExist: ifNotExist, IfExists: ifExists},
	}
}

// passwords authenticates against a fixed table.
type passwords map[string]string

func (p passwords) Authenticate(_ context.Context, user, password string) (backends.SessionInfo, error) {
	if want, ok := p[user]; !ok || want != password {
		return backends.SessionInfo{}, pgerror.New(pgerror.InvalidPassword, "password authentication failed for user %q", user)
	}
	return backends.SessionInfo{User: user}, nil
}

func wantCode(t *testing.T, what string, err error, code codes.Code) {
	t.Helper()
	if status.Code(err) != code {
		t.Errorf("%s: %v, want %v", what, err, code)
	}
}

const (
	create  = flightsql.TableDefinitionOptionsTableNotExistOptionCreate
	failNE  = flightsql.TableDefinitionOptionsTableNotExistOptionFail
	failEx  = flightsql.TableDefinitionOptionsTableExistsOptionFail
	appendE = flightsql.TableDefinitionOptionsTableExistsOptionAppend
	replace = flightsql.TableDefinitionOptionsTableExistsOptionReplace
)

func ptr(s string) *string { return &s }

// sameAsBackend checks that a query's FlightInfo schema, its DoGet schema
// and its rows are exactly what the backend itself returns.
func sameAsBackend(t *testing.T, ts *testServer, cl *flightsql.Client, sql string) {
	t.Helper()
	ctx := context.Background()
	want := direct(t, ts.be, sql)
	defer want.Release()
	info, err := cl.Execute(ctx, sql)
	if err != nil {
		t.Fatal(err)
	}
	infoSchema, err := flight.DeserializeSchema(info.Schema, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	if !infoSchema.Equal(want.Schema()) {
		t.Errorf("FlightInfo schema:\n%v\nwant\n%v", infoSchema, want.Schema())
	}
	got, _ := collect(t, ctx, cl, info)
	defer got.Release()
	if !got.Schema().Equal(want.Schema()) {
		t.Errorf("DoGet schema:\n%v\nwant\n%v", got.Schema(), want.Schema())
	}
	if !array.RecordEqual(got, want) {
		t.Errorf("rows:\n%v\nwant\n%v", got, want)
	}
}

// ingester returns a function that ingests generated rows (see ingestRows).
func ingester(t *testing.T, cl *flightsql.Client, mem memory.Allocator) func(*flightsql.ExecuteIngestOpts, int64, int, int) (int64, error) {
	return func(opts *flightsql.ExecuteIngestOpts, first int64, batches, rows int) (int64, error) {
		rdr := ingestRows(t, mem, first, batches, rows)
		defer rdr.Release()
		return cl.ExecuteIngest(context.Background(), rdr, opts)
	}
}

// startSlow starts a slow query's DoGet and waits until it runs. The
// channel receives the DoGet's error.
func startSlow(t *testing.T, ts *testServer, cl *flightsql.Client, ctx context.Context, sql string) (*flight.FlightInfo, <-chan error) {
	t.Helper()
	info, err := cl.Execute(ctx, sql)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- drainErr(cl, ctx, info.Endpoint[0].Ticket) }()
	waitFor(t, "the statement to run", func() bool { return ts.srv.runningCount() == 1 })
	return info, done
}

// abandon reads the first batches of the first endpoint of info, then
// cancels the stream, and checks that the session runs the next query:
// the abandoned statement stopped.
func abandon(t *testing.T, ctx context.Context, cl *flightsql.Client, info *flight.FlightInfo, batches int) {
	t.Helper()
	rctx, rcancel := context.WithCancel(ctx)
	rdr, err := cl.DoGet(rctx, info.Endpoint[0].Ticket)
	if err != nil {
		t.Fatal(err)
	}
	for range batches {
		if !rdr.Next() {
			t.Fatalf("stream ended early: %v", rdr.Err())
		}
	}
	rcancel()
	rdr.Release()
	rec := query(t, cl, "SELECT 42 AS x")
	defer rec.Release()
	if v := rec.Column(0).(*array.Int32).Value(0); v != 42 {
		t.Fatalf("got %d", v)
	}
}
