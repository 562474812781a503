//go:build duckdb_arrow

package main

import (
	"context"
	"crypto/tls"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5/pgconn"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/quiverdb/quiver/internal/quivertest/certs"
)

// TestFlightTLSFlags runs the binary with --flight-listen, --tls-cert and
// --tls-key: arrow-go's Flight SQL client verifying the certificate runs a
// query over TLS; a plaintext client and one that does not trust the
// certificate's CA are refused; and the PostgreSQL listener serves the same
// certificate to a verify-full client.
func TestFlightTLSFlags(t *testing.T) {
	ca := certs.New(t)
	other := certs.New(t)
	q := startQuiver(t, "--flight-listen", "127.0.0.1:0", "--tls-cert", ca.ServerCertFile, "--tls-key", ca.ServerKeyFile)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	cl := flightClient(t, q.FlightAddr, grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: ca.CAPool, ServerName: "localhost"})))
	cl.Alloc = mem
	info, err := cl.Execute(ctx, "SELECT 42 AS answer, 'over TLS' AS how")
	if err != nil {
		t.Fatalf("Execute over TLS: %v", err)
	}
	rdr, err := cl.DoGet(ctx, info.Endpoint[0].Ticket)
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for rdr.Next() {
		rec := rdr.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			rows++
			answer := rec.Column(0).(*array.Int32).Value(i)
			how := rec.Column(1).(*array.String).Value(i)
			if answer != 42 || how != "over TLS" {
				t.Errorf("got %d, %q", answer, how)
			}
		}
	}
	if err := rdr.Err(); err != nil {
		t.Fatal(err)
	}
	rdr.Release()
	if rows != 1 {
		t.Fatalf("%d rows, want 1", rows)
	}

	for _, c := range []struct {
		name string
		cred grpc.DialOption
	}{
		{"plaintext", grpc.WithTransportCredentials(insecure.NewCredentials())},
		{"untrusted CA", grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: other.CAPool, ServerName: "localhost"}))},
	} {
		cl := flightClient(t, q.FlightAddr, c.cred)
		callCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := cl.Execute(callCtx, "SELECT 1")
		cancel()
		if status.Code(err) != codes.Unavailable {
			t.Errorf("%s client: %v, want it refused (Unavailable)", c.name, err)
		}
	}

	pc, err := pgconn.Connect(ctx, "postgres://me@localhost:"+portOf(t, q.Addr)+"/quiver?sslmode=verify-full&sslrootcert="+ca.CAFile)
	if err != nil {
		t.Fatalf("PostgreSQL listener over TLS: %v", err)
	}
	if _, ok := pc.Conn().(*tls.Conn); !ok {
		t.Errorf("the PostgreSQL connection is a %T, not TLS", pc.Conn())
	}
	pc.Close(ctx)
}

// flightClient connects arrow-go's Flight SQL client to addr; it is closed
// when the test ends.
func flightClient(t *testing.T, addr string, cred grpc.DialOption) *flightsql.Client {
	t.Helper()
	cl, err := flightsql.NewClient(addr, nil, nil, cred)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cl.Close() })
	return cl
}
