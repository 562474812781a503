//go:build duckdb_arrow

package flightsrv

import (
	"fmt"
	"slices"
	"testing"
)

// TestScanADBC reads queries in parts with the ADBC driver, which reads
// every endpoint at once and hands their batches over in endpoint order.
//
// The queries give every endpoint more batches than the driver queues per
// endpoint (5): ADBC 1.12.0's reader stores each endpoint stream's gRPC
// header and trailer into the same two variables, from the endpoint's own
// goroutine, and only the queue's backpressure orders those writes. With
// fewer batches (an empty table) the race detector reports that race in
// the driver; the arrow-go client covers such queries in
// TestScanPartsEqualQuery.
func TestScanADBC(t *testing.T) {
	ts, _ := startScanPG(t, nil)
	cnxn := openADBC(t, ts, nil)
	for _, sql := range []string{"SELECT * FROM many", "SELECT i, s FROM many WHERE i % 3 = 0"} {
		if g, w := rowSet(adbcQuery(t, cnxn, sql)), rowSet(direct(t, ts.be, sql)); !slices.Equal(g, w) {
			t.Errorf("%s: ADBC read %d rows, want %d", sql, len(g), len(w))
		}
	}
	// Read again and again: the pooled connections are reused.
	for range 5 {
		if n := len(rowSet(adbcQuery(t, cnxn, "SELECT i, s FROM many"))); n != 40000-40000/11 {
			t.Fatalf("read %d rows", n)
		}
	}
	rec := direct(t, ts.be, "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'")
	// The autocommit connections of the set-up client's session and of
	// ADBC's, the pool of scanParts of ADBC's, and the one direct opened.
	if n := rowSet(rec)[0]; n != fmt.Sprint(2+scanParts+1) {
		t.Errorf("%s PostgreSQL connections, want %d", n, 2+scanParts+1)
	}
}
