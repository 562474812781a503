//go:build duckdb_arrow

package flightsrv

import (
	"context"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"google.golang.org/grpc/codes"
)

const slowQuery = "SELECT sum(i * i) FROM range(1000000000000) t(i)"

func TestCancelRunning(t *testing.T) {
	ts := startDuck(t, nil)
	cl := ts.client(t)
	ctx := context.Background()
	info, done := startSlow(t, ts, cl, ctx, slowQuery)
	start := time.Now()
	res, err := cl.CancelFlightInfo(ctx, &flight.CancelFlightInfoRequest{Info: info})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != flight.CancelStatusCancelled {
		t.Errorf("status %v, want CANCELLED", res.Status)
	}
	select {
	case err := <-done:
		wantSQLError(t, "cancelled DoGet", err, codes.Canceled, "57014")
		if d := time.Since(start); d > 5*time.Second { // generous: the test machine may be loaded
			t.Errorf("cancel took %v", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("DoGet did not end after CancelFlightInfo")
	}
	// Finished: nothing left to cancel.
	res, err = cl.CancelFlightInfo(ctx, &flight.CancelFlightInfoRequest{Info: info})
	if err != nil || res.Status != flight.CancelStatusNotCancellable {
		t.Errorf("second cancel: %v, %v; want NOT_CANCELLABLE", res.Status, err)
	}
	// The deprecated CancelQuery action works too.
	info, done = startSlow(t, ts, cl, ctx, slowQuery)
	if r, err := cl.CancelQuery(ctx, info); err != nil || r != flightsql.CancelResultCancelled {
		t.Errorf("CancelQuery: %v, %v", r, err)
	}
	wantSQLError(t, "CancelQuery", <-done, codes.Canceled, "57014")
}

func TestCancelBeforeDoGet(t *testing.T) {
	ts := startDuck(t, nil)
	cl := ts.client(t)
	ctx := context.Background()
	info, err := cl.Execute(ctx, "SELECT 1")
	if err != nil {
		t.Fatal(err)
	}
	res, err := cl.CancelFlightInfo(ctx, &flight.CancelFlightInfoRequest{Info: info})
	if err != nil || res.Status != flight.CancelStatusCancelled {
		t.Fatalf("cancel: %v, %v", res.Status, err)
	}
	wantSQLError(t, "DoGet of a cancelled ticket", drainErr(cl, ctx, info.Endpoint[0].Ticket), codes.Canceled, "57014")
}

// TestClientDisconnect checks that a client going away mid-query stops
// the statement.
func TestClientDisconnect(t *testing.T) {
	ts := startDuck(t, nil)
	cl := ts.client(t)
	ctx, cancel := context.WithCancel(context.Background())
	_, done := startSlow(t, ts, cl, ctx, slowQuery)
	cancel()
	<-done
	waitFor(t, "the statement to stop", func() bool { return ts.srv.runningCount() == 0 })
}

func TestPoll(t *testing.T) {
	ts := startDuck(t, nil)
	cl := ts.client(t)
	ctx := context.Background()
	poll, err := cl.ExecutePoll(ctx, "SELECT 7 AS x", nil)
	if err != nil {
		t.Fatal(err)
	}
	if poll.FlightDescriptor != nil || poll.GetProgress() != 1 || poll.Info == nil {
		t.Fatalf("poll %v: want the final FlightInfo", poll)
	}
	rec, _ := collect(t, ctx, cl, poll.Info)
	defer rec.Release()
	if got := table(rec); len(got) != 1 || got[0][0] != "7" {
		t.Errorf("got %q", got)
	}
}
