//go:build duckdb_arrow

package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/quiverdb/quiver/backends/postgres"
	"github.com/quiverdb/quiver/internal/quivertest"
	"github.com/quiverdb/quiver/internal/testenv"
)

// TestChain proves both directions of the bridge at once: psql talks to
// quiver A, whose backend is Flight SQL pointing at quiver B, whose Flight
// SQL frontend runs on a PostgreSQL backend pointing at the real server.
// Every statement's psql output through the chain must be what psql prints
// connected to PostgreSQL directly.
func TestChain(t *testing.T) {
	pg := testenv.PG(t)
	// The direct run and the chain each get their own database.
	db := pg.CreateDB(t)
	chainDB := db + "_chain"
	if _, err := pgconnExec(pg.URL("postgres"), "create database "+chainDB); err != nil {
		t.Fatal(err)
	}
	pgBackend, err := postgres.Open(pg.URL(chainDB), postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pgBackend.Close() })
	fb := flightBackendOver(t, pgBackend)
	a := quivertest.Start(t, quivertest.Options{Backend: fb})

	corpus := []string{
		"create table chain_t (id int primary key, name text, price numeric(10,2), ok bool, d date, ts timestamp, tags text[])",
		"insert into chain_t values (1, 'one', 1.50, true, '2024-01-02', '2024-01-02 03:04:05.25', array['a','b']), (2, 'two', null, false, null, null, null)",
		"select * from chain_t order by id",
		"update chain_t set name = 'uno' where id = 1",
		"select id, name, price * 2 as p2, ok and true as b from chain_t order by id",
		"delete from chain_t where id = 2",
		"select count(*), sum(price), max(name) from chain_t",
		"select 1/0",
		"select * from no_such_table",
		"selec 1",
		"select i, i * 1.5 as f, 'row ' || i as s from generate_series(1, 500) i",
		"select 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, interval '1 day 02:00', '{\"a\": 1}'::jsonb, 1e300::float8, 'NaN'::float4",
		"insert into chain_t values (1, 'dup')",
		"create table chain_c (i int, s text)",
		"copy chain_c from stdin;\n1\tone\n2\t\\N\n\\.",
		"copy chain_c to stdout with (format csv, header)",
		"select * from chain_c order by i",
		"drop table chain_t, chain_c",
	}
	for _, sql := range corpus {
		script := "\\set VERBOSITY sqlstate\n" + sql + ";\n"
		want := psqlRun(t, pg.Host, pg.Port, pg.User, db, script)
		got := psqlRun(t, a.Host, a.Port, "me", "quiver", script)
		if got != want {
			t.Errorf("%s\n--- PostgreSQL:\n%s\n--- through quiver A -> Flight SQL -> quiver B -> PostgreSQL:\n%s", sql, want, got)
		}
	}

	// pgbench through the chain: initialisation (with client-side data
	// generation: its COPY inside pgbench's transaction becomes a prepared
	// INSERT whose rows quiver B pipelines to PostgreSQL) and a TPC-B run
	// with no failures.
	out := runPgbench(t, a.Host, a.Port, "-i", "-I", "dtgvp", "-s", "1")
	if !strings.Contains(out, "done in") {
		t.Fatalf("pgbench -i through the chain:\n%s", out)
	}
	out = runPgbench(t, a.Host, a.Port, "-T", "5", "-c", "2", "-M", "extended")
	if m := failedRE.FindStringSubmatch(out); m == nil || m[1] != "0" {
		t.Fatalf("pgbench through the chain:\n%s", out)
	}
	res, err := pgconnExec(pg.URL(chainDB), "select (select sum(abalance) from pgbench_accounts) = (select sum(delta) from pgbench_history), (select count(*) from pgbench_accounts)")
	if err != nil {
		t.Fatal(err)
	}
	if r := res[0].Rows[0]; string(r[0]) != "t" || string(r[1]) != "100000" {
		t.Fatalf("pgbench data through the chain is inconsistent: %s", r)
	}
}

func pgconnExec(url, sql string) ([]*pgconn.Result, error) {
	c, err := pgconn.Connect(context.Background(), url)
	if err != nil {
		return nil, err
	}
	defer c.Close(context.Background())
	return c.Exec(context.Background(), sql).ReadAll()
}
