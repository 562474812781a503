//go:build duckdb_arrow

package catalog_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/quiverdb/quiver/internal/quivertest"
	"github.com/quiverdb/quiver/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// describeSchema is created on PostgreSQL and on quiver (DuckDB) alike.
const describeSchema = `
create schema app;
create type mood as enum ('sad', 'ok', 'happy');
create table customers (
  id integer primary key,
  name varchar(100) not null,
  email text unique,
  created_at timestamp default current_timestamp,
  active boolean default true,
  feeling mood,
  age integer check (age > 0)
);
comment on table customers is 'People who buy';
comment on column customers.name is 'Full name';
create table orders (
  order_id bigint primary key,
  customer_id integer not null references customers(id),
  amount numeric(12,2) not null default 0,
  note text,
  placed date,
  unique (customer_id, placed)
);
create index orders_customer_idx on orders (customer_id);
create index orders_placed_amount_idx on orders (placed, amount);
create index customers_email_lower_idx on customers (lower(email));
create view big_orders as select order_id, amount from orders where amount > 100;
create view order_counts as select customer_id, count(*), max(amount) as top from orders group by customer_id having count(*) > 1 order by customer_id;
create table app.items (sku varchar(20) primary key, qty smallint default 1, price double precision);
`

// describeCommands are the psql commands compared, each with the
// normalisations its output needs. Every normalisation is a difference
// between the engines, not between the catalogs; anything else must print
// the same.
var describeCommands = []struct {
	cmd  string
	norm []normalisation
}{
	{cmd: `\d`},
	{cmd: `\dt`},
	{cmd: `\dt+`, norm: []normalisation{accessMethodColumn, sizeColumn}},
	{cmd: `\d customers`},
	{cmd: `\d+ customers`, norm: []normalisation{accessMethodFooter}},
	{cmd: `\d orders`},
	{cmd: `\d+ orders`, norm: []normalisation{accessMethodFooter}},
	{cmd: `\d app.items`},
	{cmd: `\d big_orders`},
	{cmd: `\d+ big_orders`, norm: []normalisation{viewDefinition}},
	{cmd: `\sv big_orders`, norm: []normalisation{viewDefinition}},
	{cmd: `\d+ order_counts`, norm: []normalisation{viewDefinition}},
	{cmd: `\d customers_pkey`},
	{cmd: `\d+ customers_email_key`},
	{cmd: `\d orders_placed_amount_idx`},
	{cmd: `\d customers_email_lower_idx`},
	{cmd: `\di`},
	{cmd: `\dT`},
	{cmd: `\dd`},
	{cmd: `\db`},
	{cmd: `\do`},
	{cmd: `\dc`},
	{cmd: `\dD`},
	{cmd: `\dO`},
	{cmd: `\dX`},
	{cmd: `\ddp`},
	{cmd: `\des`},
	{cmd: `\dew`},
	{cmd: `\dRs`},
	{cmd: `\drds`},
	{cmd: `\dl`},
	{cmd: `\dv`},
	{cmd: `\dn`},
	{cmd: `\df`},
	{cmd: `\l`, norm: []normalisation{otherDatabases}},
	{cmd: `\du`},
	{cmd: `\dx`, norm: []normalisation{extensionRows}},
	{cmd: `\conninfo`, norm: []normalisation{port}},
}

// normalisation rewrites one engine's psql output where the engines
// legitimately differ.
type normalisation struct {
	name string
	fn   func(out string) string
}

var (
	// DuckDB stores tables in its own format, not PostgreSQL's heap.
	accessMethodColumn = normalisation{"Access method column (heap vs duckdb)", func(s string) string {
		return replaceColumn(s, "Access method", "<am>")
	}}
	accessMethodFooter = normalisation{"Access method footer (heap vs duckdb)", func(s string) string {
		return regexp.MustCompile(`(?m)^Access method: \w+$`).ReplaceAllString(s, "Access method: <am>")
	}}
	// DuckDB does not report the size of one table.
	sizeColumn = normalisation{"Size column", func(s string) string { return replaceColumn(s, "Size", "<size>") }}
	// PostgreSQL prints a view's definition from its analysed query, with
	// the types of constants written out (100::numeric, 'x'::text); quiver
	// keeps the client's query, which does not give them.
	viewDefinition = normalisation{"types of constants in view definitions", func(s string) string {
		return constantCast.ReplaceAllString(s, "$1")
	}}
	// PostgreSQL's cluster has other databases; quiver shows its own.
	otherDatabases = normalisation{"databases other than the test's, and the row count", func(s string) string {
		return keepRows(s, func(row string) bool { return strings.HasPrefix(row, "t_testdescribe|") })
	}}
	// PostgreSQL has plpgsql; DuckDB has its own extensions.
	extensionRows = normalisation{"installed extensions", func(s string) string {
		return keepRows(s, func(string) bool { return false })
	}}
	port = normalisation{"port", func(s string) string {
		return regexp.MustCompile(`at port "\d+"`).ReplaceAllString(s, `at port "<port>"`)
	}}
)

// constantCast is a constant with a cast to a type.
var constantCast = regexp.MustCompile(`('(?:[^']|'')*'|\b[0-9]+(?:\.[0-9]+)?)::(?:double precision|character varying|timestamp without time zone|[a-z_0-9]+)(?:\[\])?`)

// keepRows keeps the title and header of psql's unaligned output and the
// rows keep accepts, and drops the row count.
func keepRows(s string, keep func(row string) bool) string {
	lines := strings.Split(s, "\n")
	var out []string
	for i, l := range lines {
		if i < 2 || l == "" || keep(l) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// replaceColumn replaces the cells of a named column in psql's unaligned
// output.
func replaceColumn(s, column, with string) string {
	lines := strings.Split(s, "\n")
	idx := -1
	for i, l := range lines {
		cells := strings.Split(l, "|")
		if idx < 0 {
			for j, c := range cells {
				if c == column {
					idx = j
				}
			}
			continue
		}
		if idx < len(cells) && len(cells) > 1 {
			cells[idx] = with
			lines[i] = strings.Join(cells, "|")
		}
	}
	return strings.Join(lines, "\n")
}

// psqlRun runs the real psql against host:port with script on stdin and
// returns what it printed, stdout and stderr interleaved.
func psqlRun(t *testing.T, host string, port int, user, db, script string) string {
	t.Helper()
	return testenv.Psql(t, host, port, user, db, script, "-A")
}

// TestDescribe runs psql's describe commands on the same schema in
// PostgreSQL and in quiver over DuckDB and requires the same output, but
// for the normalisations listed with each command.
func TestDescribe(t *testing.T) {
	pg := testenv.PG(t)
	db := pg.CreateDB(t)
	q := quivertest.Start(t)
	// quiver is reached as the same user and database name as PostgreSQL,
	// so owners and \conninfo compare as they are.
	if out := psqlRun(t, pg.Host, pg.Port, pg.User, db, describeSchema); strings.Contains(out, "ERROR") {
		t.Fatalf("schema on PostgreSQL:\n%s", out)
	}
	if out := psqlRun(t, q.Host, q.Port, pg.User, db, describeSchema); strings.Contains(out, "ERROR") {
		t.Fatalf("schema on quiver:\n%s", out)
	}
	for _, c := range describeCommands {
		t.Run(c.cmd, func(t *testing.T) {
			want := psqlRun(t, pg.Host, pg.Port, pg.User, db, c.cmd+"\n")
			got := psqlRun(t, q.Host, q.Port, pg.User, db, c.cmd+"\n")
			if strings.Contains(got, "ERROR") {
				t.Fatalf("quiver:\n%s", got)
			}
			if strings.TrimSpace(want) == "" {
				t.Fatalf("PostgreSQL printed nothing for %s", c.cmd)
			}
			if c.cmd == `\dx` && !strings.Contains(got, "|pg_catalog|") {
				t.Errorf("quiver lists no extensions:\n%s", got)
			}
			for _, n := range c.norm {
				want, got = n.fn(want), n.fn(got)
			}
			if got != want {
				t.Errorf("psql %s differs\n--- PostgreSQL:\n%s\n--- quiver:\n%s", c.cmd, want, got)
			}
			if testing.Verbose() {
				t.Logf("%s on quiver:\n%s", c.cmd, got)
			}
		})
	}
}
