package flightsrv

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"google.golang.org/grpc/codes"

	"github.com/quiverdb/quiver/backends/postgres"
)

// scanParts is the number of parts the tests of queries in parts ask for.
const scanParts = 3

// startScanPG serves PostgreSQL with every eligible query read in
// scanParts parts, whatever the table's size, and creates the tables the
// tests read.
func startScanPG(t *testing.T, edit func(*Config)) (*testServer, *flightsql.Client) {
	t.Helper()
	ts := startPG(t, postgres.Options{BatchBytes: 16 << 10}, func(c *Config) {
		c.ScanParts = scanParts
		c.ScanPartPages = -1
		if edit != nil {
			edit(c)
		}
	})
	cl := ts.client(t)
	for _, sql := range []string{
		"CREATE TABLE empty (i int, s text)",
		"CREATE TABLE one AS SELECT i, md5(i::text) AS s FROM generate_series(1, 20) i",
		"CREATE TABLE many AS SELECT i, md5(i::text) AS s, i % 5 = 0 AS b FROM generate_series(1, 40000) i",
		"DELETE FROM many WHERE i % 11 = 0",
		"ANALYZE",
	} {
		if _, err := cl.ExecuteUpdate(context.Background(), sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	return ts, cl
}

// rowSet returns a batch's rows as sorted strings, and releases it.
func rowSet(rec arrow.RecordBatch) []string {
	defer rec.Release()
	var out []string
	for _, r := range table(rec) {
		out = append(out, strings.Join(r, "|"))
	}
	slices.Sort(out)
	return out
}

// wantParts checks that info has n unordered endpoints, or one.
func wantParts(t *testing.T, sql string, info *flight.FlightInfo, n int) {
	t.Helper()
	if len(info.Endpoint) != n {
		t.Fatalf("%s: %d endpoints, want %d", sql, len(info.Endpoint), n)
	}
	if n > 1 && info.Ordered {
		t.Errorf("%s: endpoints of parts are ordered", sql)
	}
}

// idleInTransaction counts the server's connections left in a transaction.
func idleInTransaction(t *testing.T, ts *testServer) string {
	t.Helper()
	rec := direct(t, ts.be, "SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in transaction%'")
	return rowSet(rec)[0]
}

func TestScanPartsEqualQuery(t *testing.T) {
	ts, cl := startScanPG(t, nil)
	ctx := context.Background()
	for _, sql := range []string{
		"SELECT * FROM empty",
		"SELECT i, s FROM one",
		"SELECT * FROM many",
		"SELECT i, upper(s) AS u FROM many WHERE b OR i < 100",
		"SELECT m.i * 2, m.s IS NULL FROM many m WHERE m.s LIKE 'a%'",
	} {
		info, err := cl.Execute(ctx, sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		wantParts(t, sql, info, scanParts)
		got, _ := collect(t, ctx, cl, info)
		if g, w := rowSet(got), rowSet(direct(t, ts.be, sql)); !slices.Equal(g, w) {
			t.Errorf("%s: %d rows, want %d", sql, len(g), len(w))
		}
	}
	// Other queries, and queries in a transaction, keep one endpoint.
	for _, sql := range []string{"SELECT * FROM many ORDER BY i", "SELECT count(*) FROM many", "SELECT 1"} {
		info, err := cl.Execute(ctx, sql)
		if err != nil {
			t.Fatal(err)
		}
		wantParts(t, sql, info, 1)
		rec, _ := collect(t, ctx, cl, info)
		rec.Release()
	}
	tx, err := cl.BeginTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	info, err := tx.Execute(ctx, "SELECT * FROM many")
	if err != nil {
		t.Fatal(err)
	}
	wantParts(t, "in a transaction", info, 1)
	rec, _ := collect(t, ctx, cl, info)
	rec.Release()
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if n := idleInTransaction(t, ts); n != "0" {
		t.Errorf("%s connections left in a transaction", n)
	}
}

func TestScanSnapshotIsGetFlightInfos(t *testing.T) {
	ts, cl := startScanPG(t, nil)
	ctx := context.Background()
	const sql = "SELECT i, s FROM many WHERE i > 10"
	want := rowSet(direct(t, ts.be, sql))
	info, err := cl.Execute(ctx, sql)
	if err != nil {
		t.Fatal(err)
	}
	wantParts(t, sql, info, scanParts)
	// Committed after GetFlightInfo, on the session's own connection:
	// tuples move to new pages, some appear and others go.
	for _, change := range []string{
		"UPDATE many SET s = 'changed' WHERE i % 2 = 0",
		"INSERT INTO many SELECT i, 'new' FROM generate_series(40001, 45000) i",
		"DELETE FROM many WHERE i < 5000",
	} {
		if _, err := cl.ExecuteUpdate(ctx, change); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := collect(t, ctx, cl, info)
	if g := rowSet(got); !slices.Equal(g, want) {
		t.Fatalf("parts read %d rows, want the %d from GetFlightInfo's snapshot", len(g), len(want))
	}
	if n := idleInTransaction(t, ts); n != "0" {
		t.Errorf("%s connections left in a transaction", n)
	}
	// A new query sees the changes.
	if g := rowSet(query(t, cl, sql)); slices.Equal(g, want) {
		t.Fatal("a new query does not see the committed changes")
	}
}

func TestScanCancelAndExpiry(t *testing.T) {
	ts, cl := startScanPG(t, func(c *Config) { c.ScanTimeout = 300 * time.Millisecond })
	ctx := context.Background()
	info, err := cl.Execute(ctx, "SELECT * FROM many")
	if err != nil {
		t.Fatal(err)
	}
	wantParts(t, "cancelled", info, scanParts)
	res, err := cl.CancelFlightInfo(ctx, &flight.CancelFlightInfoRequest{Info: info})
	if err != nil || res.Status != flight.CancelStatusCancelled {
		t.Fatalf("cancel: %v, %v", res.Status, err)
	}
	for _, ep := range info.Endpoint {
		wantSQLError(t, "DoGet of a cancelled part", drainErr(cl, ctx, ep.Ticket), codes.Canceled, "57014")
	}

	// Parts read one after the other, each for longer than the timeout:
	// the snapshot waits while a part is read.
	info, err = cl.Execute(ctx, "SELECT * FROM many")
	if err != nil {
		t.Fatal(err)
	}
	for _, ep := range info.Endpoint[:2] {
		rdr, err := cl.DoGet(ctx, ep.Ticket)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(600 * time.Millisecond)
		for rdr.Next() {
		}
		if err := rdr.Err(); err != nil && !errors.Is(err, io.EOF) {
			t.Fatalf("a slow part: %v", err)
		}
		rdr.Release()
	}
	// Then the last comes too late.
	time.Sleep(600 * time.Millisecond)
	for _, ep := range info.Endpoint[2:] {
		wantSQLError(t, "DoGet of an expired part", drainErr(cl, ctx, ep.Ticket), codes.FailedPrecondition, "55000")
	}
	waitFor(t, "the snapshot to end", func() bool { return idleInTransaction(t, ts) == "0" })
}

func TestScanPartsConcurrently(t *testing.T) {
	ts, cl := startScanPG(t, nil)
	ctx := context.Background()
	const sql = "SELECT i, s FROM many WHERE i % 2 = 1"
	want := rowSet(direct(t, ts.be, sql))
	for range 3 {
		info, err := cl.Execute(ctx, sql)
		if err != nil {
			t.Fatal(err)
		}
		wantParts(t, sql, info, scanParts)
		type part struct {
			rows []string
			err  error
		}
		parts := make(chan part, len(info.Endpoint))
		for _, ep := range info.Endpoint {
			go func() {
				rows, err := endpointRows(ctx, cl, ep.Ticket)
				parts <- part{rows, err}
			}()
		}
		var got []string
		for range info.Endpoint {
			p := <-parts
			if p.err != nil {
				t.Fatal(p.err)
			}
			got = append(got, p.rows...)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("read %d rows, want %d", len(got), len(want))
		}
	}
}

// endpointRows reads one endpoint's rows as strings, as table does; it may
// run on any goroutine.
func endpointRows(ctx context.Context, cl *flightsql.Client, tkt *flight.Ticket) ([]string, error) {
	rdr, err := cl.DoGet(ctx, tkt)
	if err != nil {
		return nil, err
	}
	defer rdr.Release()
	var rows []string
	for rdr.Next() {
		for _, r := range table(rdr.RecordBatch()) {
			rows = append(rows, strings.Join(r, "|"))
		}
	}
	if err := rdr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return rows, nil
}

func TestScanFollowsSearchPath(t *testing.T) {
	ts, cl := startScanPG(t, nil)
	ctx := context.Background()
	for _, sql := range []string{
		"CREATE SCHEMA s2",
		"CREATE TABLE s2.many AS SELECT -i AS i FROM generate_series(1, 5000) i",
		"SET search_path TO s2",
	} {
		if _, err := cl.ExecuteUpdate(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	info, err := cl.Execute(ctx, "SELECT i FROM many")
	if err != nil {
		t.Fatal(err)
	}
	wantParts(t, "s2.many", info, scanParts)
	got, _ := collect(t, ctx, cl, info)
	if g, w := rowSet(got), rowSet(direct(t, ts.be, "SELECT i FROM s2.many")); !slices.Equal(g, w) {
		t.Fatalf("read %d rows, want the %d of s2.many", len(g), len(w))
	}
}
