//go:build duckdb_arrow

// Package e2e drives real clients (psql, pgx, pgbench) against quiver on
// embedded DuckDB and, for the same exchanges, against a real PostgreSQL 15,
// and compares what they see.
package e2e

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/quiverdb/quiver/internal/quivertest"
	"github.com/quiverdb/quiver/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// servers returns the shared PostgreSQL cluster and a fresh quiver server.
func servers(t *testing.T) (*testenv.Postgres, *quivertest.Server) {
	t.Helper()
	return testenv.PG(t), quivertest.Start(t)
}

// connectBoth connects to a fresh PostgreSQL database and to a fresh quiver,
// for tests that run the same exchange on both; the connections close when
// the test ends.
func connectBoth(t *testing.T) (pc, qc *pgconn.PgConn) {
	t.Helper()
	pg, q := servers(t)
	ctx := context.Background()
	var err error
	if pc, err = pgconn.Connect(ctx, pg.URL(pg.CreateDB(t))); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close(ctx) })
	if qc, err = pgconn.Connect(ctx, q.URL()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { qc.Close(ctx) })
	return pc, qc
}
