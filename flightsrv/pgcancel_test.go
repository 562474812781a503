package flightsrv

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"google.golang.org/grpc/codes"

	"github.com/quiverdb/quiver/backends/postgres"
	"github.com/quiverdb/quiver/backends/postgres/postgrestest"
	"github.com/quiverdb/quiver/internal/testenv"
)

// startGatedPG is startPG with the backend reaching PostgreSQL through a
// gate, which can hold a statement or a CancelRequest on its way.
func startGatedPG(t *testing.T, opts postgres.Options) (*testServer, *postgrestest.Gate) {
	t.Helper()
	pg := testenv.PG(t)
	gate := postgrestest.NewGate(t, net.JoinHostPort(pg.Host, strconv.Itoa(pg.Port)))
	be, err := postgres.Open(gate.URL(t, pg.URL(pg.CreateDB(t))), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { be.Close() })
	return startServer(t, be, nil), gate
}

const pgSleep = "SELECT pg_sleep(30)"

// pgRunning reports whether PostgreSQL runs pgSleep.
func pgRunning(t *testing.T, ts *testServer) bool {
	rec := direct(t, ts.be, "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%"+pgSleep+"%' AND pid <> pg_backend_pid()")
	defer rec.Release()
	return rec.NumRows() == 1 && rec.Column(0).(*array.Int64).Value(0) == 1
}

// TestPGCancel sends CancelFlightInfo for a long PostgreSQL statement at
// each moment it can come: before DoGet, together with DoGet, once DoGet
// has started the statement, while the statement is on its way to
// PostgreSQL (held back so that the CancelRequest overtakes it, and
// PostgreSQL ignores that one), and while PostgreSQL runs it. Each time
// the DoGet ends within a second with 57014 (Canceled), and the client's
// next query runs.
func TestPGCancel(t *testing.T) {
	ts, gate := startGatedPG(t, postgres.Options{})
	cl := ts.client(t)
	ctx := context.Background()
	cancel := func(t *testing.T, info *flight.FlightInfo) {
		t.Helper()
		res, err := cl.CancelFlightInfo(ctx, &flight.CancelFlightInfoRequest{Info: info})
		if err != nil || res.Status != flight.CancelStatusCancelled {
			t.Errorf("CancelFlightInfo: %v, %v; want CANCELLED", res.Status, err)
		}
	}
	// Each case cancels the statement of info, whose DoGet (if started)
	// reports to done, and returns the time from which the DoGet must end
	// within a second.
	for _, tc := range []struct {
		name  string
		doGet bool // whether to start the DoGet before calling cancelAt
		run   func(t *testing.T, info *flight.FlightInfo, done <-chan error) time.Time
	}{
		{"before DoGet", false, func(t *testing.T, info *flight.FlightInfo, _ <-chan error) time.Time {
			cancel(t, info)
			return time.Now()
		}},
		{"with DoGet", true, func(t *testing.T, info *flight.FlightInfo, _ <-chan error) time.Time {
			start := time.Now()
			cancel(t, info)
			return start
		}},
		{"DoGet started", true, func(t *testing.T, info *flight.FlightInfo, _ <-chan error) time.Time {
			waitFor(t, "the statement to run", func() bool { return ts.srv.runningCount() == 1 })
			start := time.Now()
			cancel(t, info)
			return start
		}},
		{"running in PostgreSQL", true, func(t *testing.T, info *flight.FlightInfo, _ <-chan error) time.Time {
			waitFor(t, "PostgreSQL to run the statement", func() bool { return pgRunning(t, ts) })
			start := time.Now()
			cancel(t, info)
			return start
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info, err := cl.Execute(ctx, pgSleep)
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			doGet := func() { go func() { done <- drainErr(cl, ctx, info.Endpoint[0].Ticket) }() }
			if tc.doGet {
				doGet()
			}
			start := tc.run(t, info, done)
			if !tc.doGet {
				doGet()
			}
			wantCancelled(t, done, start)
			rec := query(t, cl, "SELECT 1")
			rec.Release()
		})
	}
	t.Run("on its way to PostgreSQL", func(t *testing.T) {
		info, err := cl.Execute(ctx, pgSleep)
		if err != nil {
			t.Fatal(err)
		}
		// A void result runs by Bind/Execute, others as a COPY (Query).
		held, release := gate.Hold("BQ")
		defer release()
		done := make(chan error, 1)
		go func() { done <- drainErr(cl, ctx, info.Endpoint[0].Ticket) }()
		select {
		case <-held:
		case err := <-done:
			t.Fatalf("DoGet ended before the statement was sent: %v", err)
		case <-time.After(10 * time.Second):
			t.Fatal("statement not sent")
		}
		cancel(t, info)
		gate.WaitCancel(t, 5*time.Second) // PostgreSQL ignored it
		release()
		wantCancelled(t, done, time.Now())
		rec := query(t, cl, "SELECT 1")
		rec.Release()
	})
}

// wantCancelled waits for a DoGet's error, which must be 57014 and come
// within a second from start.
func wantCancelled(t *testing.T, done <-chan error, start time.Time) {
	t.Helper()
	select {
	case err := <-done:
		if d := time.Since(start); d > time.Second {
			t.Errorf("DoGet ended %v after the cancel", d)
		}
		wantSQLError(t, "cancelled DoGet", err, codes.Canceled, "57014")
	case <-time.After(15 * time.Second):
		t.Fatal("DoGet did not end after CancelFlightInfo")
	}
}

// TestPGCancelDiscards has PostgreSQL never see the CancelRequest: the
// statement fails once the backend's CancelTimeout has passed, which
// closes its connection, and the client's next query runs on a new one.
func TestPGCancelDiscards(t *testing.T) {
	ts, gate := startGatedPG(t, postgres.Options{CancelTimeout: 300 * time.Millisecond})
	cl := ts.client(t)
	ctx := context.Background()
	if _, err := cl.ExecuteUpdate(ctx, "SET application_name = 'before'"); err != nil {
		t.Fatal(err)
	}
	held, release := gate.HoldCancel()
	defer release()
	info, done := startSlow(t, ts, cl, ctx, pgSleep)
	start := time.Now()
	if _, err := cl.CancelFlightInfo(ctx, &flight.CancelFlightInfoRequest{Info: info}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-held:
	case <-time.After(5 * time.Second):
		t.Fatal("no CancelRequest sent")
	}
	wantCancelled(t, done, start)
	rec := query(t, cl, "SELECT current_setting('application_name')")
	defer rec.Release()
	// A new connection: the SET made on the old one is gone.
	if got := rec.Column(0).ValueStr(0); got == "before" {
		t.Errorf("application_name %q: the connection was reused", got)
	}
	// Let the CancelRequest through: PostgreSQL stops the sleep, and the
	// next test can drop the database.
	release()
	gate.WaitCancel(t, 5*time.Second)
}
