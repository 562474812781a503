package dialect

import (
	"strings"
	"testing"

	"github.com/quiverdb/quiver/stmt"
)

// TestSplitReturning checks the statements an UPDATE ... RETURNING and an
// INSERT ... ON CONFLICT DO UPDATE ... RETURNING of a referenced table are
// split into, and the statements left as they are.
func TestSplitReturning(t *testing.T) {
	// The catalog: the table's columns, with their types, and that a
	// foreign key references it.
	q := func(string) ([][]string, error) {
		return [][]string{
			{"id", "INTEGER", "", "true"},
			{"email", "VARCHAR", "", "true"},
			{"price", "DECIMAL(10,2)", "", "true"},
			{"r", "FLOAT", "", "true"},
			{"mood", "ENUM('a', 'b')", "Mood", "true"},
			{"s", "STRUCT(x INTEGER)", "", "true"},
		}, nil
	}
	for _, c := range []struct{ sql, want string }{
		{`update t set email = $1, price = price * 2 where id = $2 returning *`,
			`SELECT * FROM (SELECT t.id AS id, $1::varchar AS email, (price * 2)::numeric(10, 2) AS price, t.r AS r, t.mood AS mood, t.s AS s FROM t WHERE id = $2) t` +
				` | UPDATE t SET email = $1, price = price * 2 WHERE id = $2 | result 0 params [[0 1] [0 1]]`},
		{`update public.t x set r = 1.5, mood = 'b' where x.id = 1 returning public.x.id, x.r, $3::int`,
			`SELECT x.id, x.r, $1::int FROM (SELECT x.id AS id, x.email AS email, x.price AS price, (1.5)::real AS r, 'b'::"Mood" AS mood, x.s AS s FROM public.t x WHERE x.id = 1) x` +
				` | UPDATE public.t x SET r = 1.5, mood = 'b' WHERE x.id = 1 | result 0 params [[2] []]`},
		{`insert into t (email, id) values ($1, $2), (DEFAULT, 3) on conflict (id) do update set email = excluded.email where t.id > 0 returning *`,
			`INSERT INTO t (email, id) VALUES ($1, $2), (DEFAULT, 3) ON CONFLICT (id) DO UPDATE SET email = excluded.email WHERE t.id > 0` +
				` | SELECT t.* FROM t, (VALUES (1, $1), (2, 3)) quiver_values(quiver_row, quiver_1) WHERE t.id = quiver_values.quiver_1 AND t.id > 0 ORDER BY quiver_values.quiver_row` +
				` | result 1 params [[0 1] [1]]`},
		// Prisma's upsert.
		{`insert into public.t (email, id) values ($1, $2) on conflict (email) do update set id = excluded.id where public.t.email = $3 returning public.t.id, id`,
			`INSERT INTO public.t (email, id) VALUES ($1, $2) ON CONFLICT (email) DO UPDATE SET id = excluded.id WHERE public.t.email = $3` +
				` | SELECT t.id, id FROM public.t t, (VALUES (1, $1)) quiver_values(quiver_row, quiver_1) WHERE t.email = quiver_values.quiver_1 AND t.email = $2 ORDER BY quiver_values.quiver_row` +
				` | result 1 params [[0 1 2] [0 2]]`},
		// Left as they are.
		{`update t set s = NULL returning id`, ``},
		{`update t set email = DEFAULT returning id`, ``},
		{`update t set email = gen_random_uuid()::text returning id`, ``},
		{`update t set email = u.email from u where u.id = t.id returning t.id`, ``},
		{`update t set email = 'x'`, ``},
		{`insert into t (id, email) values (1, 'a') on conflict (id) do update set email = 'b' where t.email = 'a' returning id`, ``},
		{`insert into t (id, email) values (DEFAULT, 'a') on conflict (id) do update set email = 'b' returning id`, ``},
		{`insert into t (id, email) select 1, 'a' on conflict (id) do update set email = 'b' returning id`, ``},
		{`insert into t values (1, 'a') on conflict (id) do update set email = 'b' returning id`, ``},
		{`insert into t (id, email) values (1, 'a') on conflict (id) do nothing returning id`, ``},
		{`insert into t (id, email) values (1, 'a') on conflict (id) do update set email = 'b' where excluded.id > 0 returning id`, ``},
		{`insert into t (id, email) values (1, 'a') on conflict (id) do update set email = 'b' where t.price > 0 returning id`, ``},
	} {
		sts := stmt.Split(c.sql)
		sp, err := SplitReturning(&sts[0], q)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		got := ""
		if sp != nil {
			var parts []string
			for _, st := range sp.Statements {
				parts = append(parts, st.SQL)
			}
			got = strings.Join(parts, " | ") + " | result " + string(rune('0'+sp.Result)) + " params " + fmtParams(sp.Params)
		}
		if got != c.want {
			t.Errorf("%s\n got: %s\nwant: %s", c.sql, got, c.want)
		}
	}
}

func fmtParams(p [][]int) string {
	var b strings.Builder
	b.WriteString("[")
	for i, l := range p {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString("[")
		for j, n := range l {
			if j > 0 {
				b.WriteString(" ")
			}
			b.WriteString(string(rune('0' + n)))
		}
		b.WriteString("]")
	}
	b.WriteString("]")
	return b.String()
}

// TestPartialIndex checks that a partial index is made on every row, with
// a WARNING, and that a partial unique index is refused.
func TestPartialIndex(t *testing.T) {
	r := For("duckdb", "")
	st := stmt.Split(`create index t_a on t (a) where not deleted`)[0]
	p, err := r.Rewrite(&st)
	if err != nil || p == nil || len(p.SQL) != 1 || p.SQL[0] != "CREATE INDEX t_a ON t USING btree (a)" && p.SQL[0] != "CREATE INDEX t_a ON t (a)" || len(p.Warnings) != 1 {
		t.Fatalf("partial index: plan %+v, error %v", p, err)
	}
	st = stmt.Split(`create unique index t_a on t (a) where not deleted`)[0]
	if _, err := r.Rewrite(&st); err == nil || !strings.Contains(err.Error(), "partial unique indexes") {
		t.Fatalf("partial unique index: error %v", err)
	}
}
