//go:build duckdb_arrow

package flightsrv

import (
	"testing"

	"github.com/quiverdb/quiver/backends/duckdb"
)

// startDuck serves a fresh in-memory DuckDB.
func startDuck(t testing.TB, edit func(*Config)) *testServer {
	t.Helper()
	be, err := duckdb.Open("duckdb:", duckdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { be.Close() }) // runs after the server's cleanup
	return startServer(t, be, edit)
}
