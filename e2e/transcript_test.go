//go:build duckdb_arrow

package e2e

import (
	"testing"

	"github.com/quiverdb/quiver/internal/pgtest"
	"github.com/quiverdb/quiver/internal/quivertest"
)

// TestTranscripts replays the wire transcripts in testdata/pgtest against
// quiver on DuckDB. The same files are proven against PostgreSQL 15 by the
// pgtest package's own test.
func TestTranscripts(t *testing.T) {
	q := quivertest.Start(t)
	pgtest.Run(t, "../testdata/pgtest", q.Addr(), "postgres", "postgres")
}
