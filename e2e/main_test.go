//go:build duckdb_arrow

// Package e2e drives real clients (psql, pgx, pgbench) against quiver on
// embedded DuckDB and, for the same exchanges, against a real PostgreSQL 15,
// and compares what they see.
package e2e

import (
	"testing"

	"github.com/quiverdb/quiver/internal/quivertest"
	"github.com/quiverdb/quiver/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// servers returns the shared PostgreSQL cluster and a fresh quiver server.
func servers(t *testing.T) (*testenv.Postgres, *quivertest.Server) {
	t.Helper()
	return testenv.PG(t), quivertest.Start(t)
}
