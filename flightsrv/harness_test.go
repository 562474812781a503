//go:build duckdb_arrow

package flightsrv

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/rs/zerolog"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/backends/duckdb"
	"github.com/quiverdb/quiver/internal/testenv"
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
func startServer(t *testing.T, be backends.Backend, edit func(*Config)) *testServer {
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

// startDuck serves a fresh in-memory DuckDB.
func startDuck(t *testing.T, edit func(*Config)) *testServer {
	t.Helper()
	be, err := duckdb.Open("duckdb:", duckdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { be.Close() }) // runs after the server's cleanup
	return startServer(t, be, edit)
}

// client returns an arrow-go Flight SQL client whose allocator is checked
// for leaks when the test ends.
func (ts *testServer) client(t *testing.T, middleware ...flight.ClientMiddleware) *flightsql.Client {
	t.Helper()
	cl, err := flightsql.NewClient(ts.addr, nil, middleware, grpc.WithTransportCredentials(insecure.NewCredentials()))
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
