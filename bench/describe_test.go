//go:build duckdb_arrow

package bench

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/quiverdb/quiver/internal/quivertest"
	"github.com/quiverdb/quiver/internal/testenv"
)

// describeSchema is a small schema of the kind psql's \d is used on:
// keys, a foreign key, a check, defaults, an index, a view and comments.
const describeSchema = `
create table customers (id integer primary key, name text not null default 'anonymous', email varchar(200) unique);
create table orders (id integer primary key, customer_id integer references customers (id),
  total numeric(12,2) check (total >= 0), placed timestamp default current_timestamp, note text);
create index orders_placed on orders (placed);
create view big_orders as select id, customer_id, total from orders where total > 100;
comment on table orders is 'one row per order';
comment on column orders.total is 'in euros'`

// BenchmarkDescribe runs psql's describe commands, each as its own psql
// process, as a user types them, on PostgreSQL and on quiver (DuckDB)
// with the same schema: with catalog snapshots (the default) and without
// (--catalog-snapshot=false). One op is one round of the commands; the
// metric is commands per second.
func BenchmarkDescribe(b *testing.B) {
	pg := testenv.PG(b)
	db := pg.CreateDB(b)
	q := quivertest.Start(b)
	qn := quivertest.Start(b, quivertest.Options{NoCatalogSnapshot: true})
	type target struct {
		name, host string
		port       int
		user, db   string
	}
	targets := []target{{"postgres", pg.Host, pg.Port, pg.User, db}, {"quiver", q.Host, q.Port, "me", "quiver"},
		{"quiver-nosnapshot", qn.Host, qn.Port, "me", "quiver"}}
	for _, tg := range targets {
		c, err := pgconn.Connect(context.Background(), "postgres://"+tg.user+"@"+tg.host+":"+strconv.Itoa(tg.port)+"/"+tg.db+"?sslmode=disable")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Exec(context.Background(), describeSchema).ReadAll(); err != nil {
			b.Fatalf("%s: %v", tg.name, err)
		}
		c.Close(context.Background())
	}
	commands := []string{`\d orders`, `\d+ orders`, `\d customers`, `\dt`, `\di`, `\dv`, `\d big_orders`}
	for _, tg := range targets {
		b.Run(tg.name, func(b *testing.B) {
			psql := func(cmd string) {
				c := exec.Command("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", tg.host, "-p", strconv.Itoa(tg.port), "-U", tg.user, "-d", tg.db, "-c", cmd)
				c.Env = append(os.Environ(), "PGSSLMODE=disable")
				if out, err := c.CombinedOutput(); err != nil {
					b.Fatalf("psql %s: %v\n%s", cmd, err, out)
				}
			}
			for _, cmd := range commands {
				psql(cmd) // the first round builds what is kept
			}
			b.ResetTimer()
			for b.Loop() {
				for _, cmd := range commands {
					psql(cmd)
				}
			}
			b.ReportMetric(float64(b.N*len(commands))/b.Elapsed().Seconds(), "cmds/s")
		})
	}
}
