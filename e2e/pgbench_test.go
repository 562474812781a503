//go:build duckdb_arrow

package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/quiverdb/quiver/internal/quivertest"
)

func runPgbench(t *testing.T, host string, port int, args ...string) string {
	t.Helper()
	cmd := exec.Command("pgbench", append([]string{"-h", host, "-p", fmt.Sprint(port), "-U", "me"}, append(args, "quiver")...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pgbench %v: %v\n%s", args, err, out)
	}
	return string(out)
}

var failedRE = regexp.MustCompile(`number of failed transactions: (\d+)`)

// TestPgbench runs the real pgbench against quiver on DuckDB: the default
// initialisation (DROP, CREATE ... WITH (fillfactor), COPY, VACUUM, primary
// keys), then TPC-B and select-only runs in every protocol mode. No
// transaction may fail, and after each TPC-B run the balances must add up
// as TPC-B requires.
func TestPgbench(t *testing.T) {
	q := quivertest.Start(t)
	ctx := context.Background()
	c, err := pgconn.Connect(ctx, q.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	scale, seconds := "10", "30" // as the issue asks: pgbench -i -s 10, then -T 30
	if testing.Short() {
		scale, seconds = "2", "5"
	}
	for _, mode := range []string{"simple", "extended", "prepared"} {
		for _, script := range []string{"tpcb", "select-only"} {
			t.Run(mode+"/"+script, func(t *testing.T) {
				if script == "tpcb" {
					out := runPgbench(t, q.Host, q.Port, "-i", "-s", scale)
					if !strings.Contains(out, "done in") {
						t.Fatalf("pgbench -i:\n%s", out)
					}
				}
				args := []string{"-T", seconds, "-c", "4", "-j", "2", "-M", mode}
				if script == "select-only" {
					args = append(args, "-S")
				}
				out := runPgbench(t, q.Host, q.Port, args...)
				m := failedRE.FindStringSubmatch(out)
				if m == nil || m[1] != "0" {
					t.Fatalf("failed transactions:\n%s", out)
				}
				if !strings.Contains(out, "tps = ") {
					t.Fatalf("no tps:\n%s", out)
				}
				t.Log(regexp.MustCompile(`tps = [0-9.]+`).FindString(out))
				res, err := c.Exec(ctx, `select (select sum(abalance) from pgbench_accounts),
					(select sum(bbalance) from pgbench_branches),
					(select sum(tbalance) from pgbench_tellers),
					(select coalesce(sum(delta), 0) from pgbench_history),
					(select count(*) from pgbench_accounts)`).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				r := res[0].Rows[0]
				a, b, tl, h := string(r[0]), string(r[1]), string(r[2]), string(r[3])
				if a != b || b != tl {
					t.Fatalf("balances do not add up: accounts %s, branches %s, tellers %s", a, b, tl)
				}
				if script == "tpcb" && h != a {
					t.Fatalf("history %s does not match balances %s", h, a)
				}
				if want := scale + "00000"; string(r[4]) != want {
					t.Fatalf("pgbench_accounts has %s rows, want %s", r[4], want)
				}
			})
		}
	}
}

// TestPgbenchForeignKeys runs pgbench -i --foreign-keys (ALTER TABLE ...
// ADD FOREIGN KEY after the load, which makes the tables again on
// DuckDB) twice, the second dropping the tables the first made, which
// reference each other, in one DROP TABLE; then a TPC-B run whose history
// rows the foreign keys check, with no failed transaction.
func TestPgbenchForeignKeys(t *testing.T) {
	q := quivertest.Start(t)
	for range 2 {
		out := runPgbench(t, q.Host, q.Port, "-i", "-s", "1", "--foreign-keys")
		if !strings.Contains(out, "creating foreign keys") || !strings.Contains(out, "done in") {
			t.Fatalf("pgbench -i --foreign-keys:\n%s", out)
		}
	}
	out := runPgbench(t, q.Host, q.Port, "-T", "3", "-c", "2")
	if m := failedRE.FindStringSubmatch(out); m == nil || m[1] != "0" {
		t.Fatalf("failed transactions:\n%s", out)
	}
	ctx := context.Background()
	c, err := pgconn.Connect(ctx, q.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	res, err := c.Exec(ctx, "select string_agg(conname, ' ' order by conname) from pg_constraint where contype = 'f'").ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := "pgbench_accounts_bid_fkey pgbench_history_aid_fkey pgbench_history_bid_fkey pgbench_history_tid_fkey pgbench_tellers_bid_fkey"
	if got := string(res[0].Rows[0][0]); got != want {
		t.Errorf("foreign keys: %s, want %s", got, want)
	}
}
