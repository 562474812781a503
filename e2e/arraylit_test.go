//go:build duckdb_arrow

package e2e

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestUntypedArrayLiteralsMatchPostgres writes array literals without a
// cast ('{1,2}', which PostgreSQL reads as an array where the context is
// one) on PostgreSQL and on quiver, through the simple protocol, the
// extended protocol with and without parameters, a prepared statement and
// a multi-statement query, inside and outside transaction blocks: the same
// command tags, the same rows read back in text and binary, and for
// malformed literals (and DuckDB's own '[1,2]') the same SQLSTATE, message,
// DETAIL and position, with the transaction failed as in PostgreSQL. The
// same statement text run again after DDL changes the column's type must
// follow the new type. Lower bounds other than 1 are not kept by quiver
// (README), so none is read back here.
func TestUntypedArrayLiteralsMatchPostgres(t *testing.T) {
	pc, qc := connectBoth(t)
	ctx := context.Background()
	for _, c := range []*pgconn.PgConn{pc, qc} {
		if _, err := c.Exec(ctx, "create table ua (id int4 primary key, a int4[], b text[], n numeric[], d date[], j json, t text, m int4[][])").ReadAll(); err != nil {
			t.Fatal(err)
		}
	}
	same := func(t *testing.T, what string, run func(c *pgconn.PgConn) string) {
		t.Helper()
		want, got := run(pc), run(qc)
		if got != want {
			t.Errorf("%s:\n got  %s\n want %s", what, got, want)
		}
	}
	simple := func(t *testing.T, sqls ...string) {
		t.Helper()
		for _, sql := range sqls {
			same(t, sql, func(c *pgconn.PgConn) string { return literalOutcome(ctx, c, sql) })
		}
	}

	t.Run("simple", func(t *testing.T) {
		simple(t,
			`insert into ua (id, a, b, n, d, j, t) values (1, '{1,2}', '{a,"b c",NULL,"NULL"}', '{1.5,-2}', '{2024-01-02}', '[1,2]', '{x}')`,
			`insert into ua (id, a, b) values (2, '{}', '{}'), (3, '{3,4}', ' { "a" , "\"b" } ')`,
			// quiver's int4[][] is a list of lists, which takes only
			// two-dimensional values.
			`insert into ua (id, m) values (8, '{{1,2},{3,4}}')`,
			`update ua set m = '{{5}}' where m = '{{1,2},{3,4}}'`,
			`insert into ua (id, a, b, d) select 4, '{4}', '{"x y",NULL}', '{2000-02-29,NULL}'`,
			`insert into ua (id, a) select 5, '[1:2]={7,8}'`,
			`insert into ua (id, j, t) values (6, '{}', '[1,2]'), (7, '{"a": [1, {"b": 2}]}', '{"a":1}')`,
			`update ua set a = '{3}' where id = 2`,
			`update ua set (a, b) = ('{5,6}', '{p}') where id = 4`,
			`insert into ua (id, a) values (4, '{9}') on conflict (id) do update set n = '{0.25}'`,
			`select id from ua where a = '{1,2}'`,
			`select id, a @> '{2}', '{3}' <@ a, a is distinct from '{3}', nullif(a, '{3}') from ua where a <> '{5,6}' order by id`,
			`select id, a || '{9}', coalesce(b, '{0}'), case when id > 3 then a else '{0}' end, greatest(a, '{2}') from ua where a is not null order by id`,
			`select id from ua where id = any('{1,4}') or id = all('{7}') or a in ('{3}', '{3,4}') order by id`,
			`select id from ua where t = any('{"{x}","[1,2]"}') or b = '{}' order by id`,
			`select '{1,2}' as text_literal, '{1,2}' = '{1,2}' as text_compare`,
			// Both sides untyped: text = ANY (text[]).
			`select 'a' = any('{a,b}'), 'c' = any('{a,b}'), 'a' <> all('{a,b}'), 'x' = any('{}'), 'a' = any('{"a b",NULL}')`,
			`select 'a' = any('{a,b')`,
			`select 'a' = all('[1,2]')`,
			// Malformed literals, and DuckDB's syntax, where PostgreSQL reads arrays.
			`insert into ua (id, a) values (10, '{1,2')`,
			`insert into ua (id, a) values (10, '[1,2]')`,
			`insert into ua (id, a, b) values (10, '{{1},{2,3}}', '{x}')`,
			`insert into ua (id, a, b) values (10, '{1}', '{a"b}')`,
			`insert into ua (id, a) values (10, '[2:1]={}')`,
			`update ua set b = '{a' where id = 1`,
			`update ua set b = '[1:1]={a}x' where id = 1`,
			`select id from ua where a = '[1]'`,
			`insert into ua (id, a) select 10, '[1,2]' where false`,
			`delete from ua where a = '{3}' returning id, a`,
			// A transaction block: the error fails it, as in PostgreSQL.
			`begin`,
			`insert into ua (id, a) values (20, '{20}')`,
			`insert into ua (id, a) values (21, '{21')`,
			`select 1`,
			`rollback`,
			`begin`,
			`insert into ua (id, a) values (20, '{20}')`,
			`update ua set a = '[20]' where id = 20`,
			`rollback`,
			// Several statements in one query form one transaction.
			`insert into ua (id, a) values (22, '{22}'); insert into ua (id, a) values (23, '[23]')`,
			`insert into ua (id, a) values (24, '{24}'); update ua set b = '{y}' where id = 24`,
			`select count(*) from ua where id between 20 and 23`,
		)
	})

	t.Run("extended", func(t *testing.T) {
		for _, p := range []struct {
			sql     string
			params  []string
			formats []int16 // result formats: text, and binary for queries
		}{
			{`insert into ua (id, a, b) values ($1, '{11,12}', $2)`, []string{"11", "{q,r}"}, []int16{0}},
			{`insert into ua (id, a, n) values (12, $1, '{1.75,NULL}')`, []string{"{13}"}, []int16{0}},
			{`update ua set d = '{1999-12-31}' where id = $1`, []string{"11"}, []int16{0}},
			{`select id, a, b, n, d from ua where a = '{11,12}' and id = $1`, []string{"11"}, []int16{0, 1}},
			{`select id from ua where id = any($1::int4[]) or id = any('{12}') order by id`, []string{"{11}"}, []int16{0, 1}},
			{`insert into ua (id, a) values ($1, '{1,2')`, []string{"13"}, []int16{0}},
			{`insert into ua (id, a) values ($1, '[1,2]')`, []string{"13"}, []int16{0}},
			{`select id, a || '{0}' from ua where id in (11, 12) order by id`, nil, []int16{0, 1}},
		} {
			for _, format := range p.formats {
				same(t, fmt.Sprint(p.sql, p.params, format), func(c *pgconn.PgConn) string {
					var vals [][]byte
					for _, v := range p.params {
						vals = append(vals, []byte(v))
					}
					return resultOutcome(c.ExecParams(ctx, p.sql, vals, nil, nil, []int16{format}).Read(), c)
				})
			}
		}
		same(t, "prepared statement", func(c *pgconn.PgConn) string {
			if _, err := c.Prepare(ctx, "ins_ua", "insert into ua (id, a, b) values ($1, '{14}', '{s}')", nil); err != nil {
				return "prepare: " + errorText(err)
			}
			if _, err := c.Prepare(ctx, "sel_ua", "select id, a, b from ua where a = '{14}' and id = any($1::int4[]) order by id", nil); err != nil {
				return "prepare: " + errorText(err)
			}
			var out []string
			for _, id := range []string{"14", "15", "16"} {
				out = append(out, resultOutcome(c.ExecPrepared(ctx, "ins_ua", [][]byte{[]byte(id)}, nil, nil).Read(), c))
			}
			for _, format := range []int16{0, 1} {
				out = append(out, resultOutcome(c.ExecPrepared(ctx, "sel_ua", [][]byte{[]byte("{14,15}")}, nil, []int16{format}).Read(), c))
			}
			return strings.Join(out, "; ")
		})
	})

	// Set operations, VALUES lists outside INSERT and the arguments of
	// the array functions: the constant takes the type of the column or
	// of the other arguments, and where PostgreSQL cannot tell one, the
	// statement fails as there.
	t.Run("contexts", func(t *testing.T) {
		simple(t,
			`create table uc (id int4, a int4[], b text[], n numeric[])`,
			`insert into uc values (1, '{1,2}', '{x,y}', '{1.5}'), (2, '{3}', '{z}', NULL), (3, NULL, NULL, '{}')`,
			// Set operations.
			`select '{1,2}'::int[] union all select '{3}'`,
			`select '{3}' union all select '{1,2}'::int[]`,
			`select a from uc union select '{4,5}' order by 1`,
			`select b from uc union all select '{"x y",NULL}' order by 1`,
			`select n from uc union all select '{-2.25,NULL}' order by 1`,
			`select a from uc intersect select '{1,2}'`,
			`select a from uc except select '{1,2}' order by 1`,
			`select id, a from uc union all select 9, '{9}' union all (select 10, '{10}' except select id, a from uc) order by 1`,
			`select '{1}', id from uc union select a, 0 from uc order by 2, 1`,
			`select * from (select a from uc union all select '{9}') s where s.a = '{9}'`,
			`select id from uc where a in (select a from uc except select '{3}') order by id`,
			`with w as (select a from uc union select '{7,8}') select * from w order by 1`,
			`select '{1}' union select '{2}' order by 1`,
			`select a from uc union select '{1,2' order by 1`,
			`select a from uc union select '[1,2]'`,
			`select '{1}'::int[] union select '{2}' union select '{3}' order by 1`,
			// VALUES lists.
			`select * from (values ('{1,2}'::int[]), ('{3}'), (NULL)) v(a)`,
			`select * from (values ('{4}'), ('{1,2}'::int[])) v(a) order by 1`,
			`select * from (values (1, '{1,2}'::int[]), (2, '{3}')) v(i, a) where a = '{3}'`,
			`select * from (values ('{a}'::text[], '{1}'::numeric[]), ('{"b c",NULL}', '{2.5,-1}')) v(x, y)`,
			`select * from (values ('{1}'::int[]), ('{2')) v(a)`,
			`select * from (values ('{1}'::int[]), ('[2]')) v(a)`,
			`select * from (values ('{1}'), ('{2}')) v(a)`,
			`insert into uc (id, a) select * from (values (4, '{4}'::int[]), (5, '{5,6}')) v`,
			`select a from uc where id >= 4 order by id`,
			// Function arguments.
			`select id, array_cat(a, '{7}'), array_cat('{7}', a), array_cat(b, '{7}'), pg_catalog.array_cat(n, '{0.5}') from uc order by id`,
			`select array_cat('{1}', '{2}'), array_cat(NULL, '{3}')`,
			`select array_append(b, '{7}'), array_prepend('{7}', b) from uc order by id`,
			`select array_prepend(7, '{8,9}'), array_append('{1}', 2), array_position('{1,2}', 2), array_append('{1}', '{2}')`,
			`select array_cat(a, '{4}'), cardinality(array_cat(a, '{5,6}')) from uc order by id`,
			`select array_append(a, '{7}') from uc`,
			`select array_prepend('{7}', a) from uc`,
			`select array_position(a, '{1}') from uc`,
			`select array_length('{1,2,3}', 1)`,
			`select cardinality('{1,2}')`,
			`select array_to_string('{1,2}', ',')`,
			`select unnest('{1,2}')`,
			`select * from unnest('{1,2}')`,
			`select array_cat(a, '[7]') from uc`,
			`select array_cat(a, '{7') from uc`,
		)
		for _, p := range []struct {
			sql    string
			params []string
		}{
			{`select a from uc union all select '{9}' order by 1`, nil},
			{`select array_cat(a, '{7}') from uc where id = $1`, []string{"1"}},
			{`select * from (values ($1::int4[]), ('{3}')) v(a)`, []string{"{1,2}"}},
			{`select cardinality('{1,2}')`, nil},
		} {
			for _, format := range []int16{0, 1} {
				same(t, fmt.Sprint(p.sql, p.params, format), func(c *pgconn.PgConn) string {
					var vals [][]byte
					for _, v := range p.params {
						vals = append(vals, []byte(v))
					}
					return resultOutcome(c.ExecParams(ctx, p.sql, vals, nil, nil, []int16{format}).Read(), c)
				})
			}
		}
	})

	// The same statement text, planned again after DDL changes the type of
	// its column, follows the new type: what quiver remembers by statement
	// text does not depend on the catalog.
	t.Run("ddl", func(t *testing.T) {
		ins, sel := `insert into ub values ('{1,2}')`, `select x from ub`
		for _, ddl := range []string{"create table ub (x int4[])", "drop table ub; create table ub (x text)",
			"drop table ub; create table ub (x int8[])", "drop table ub; create table ub (x numeric[])", "drop table ub; create table ub (x text[])"} {
			simple(t, ddl, ins, ins)
			same(t, ddl+": "+ins+" (extended)", func(c *pgconn.PgConn) string {
				return resultOutcome(c.ExecParams(ctx, ins, nil, nil, nil, nil).Read(), c)
			})
			for _, format := range []int16{0, 1} {
				same(t, fmt.Sprint(ddl, ": ", sel, " format ", format), func(c *pgconn.PgConn) string {
					return resultOutcome(c.ExecParams(ctx, sel, nil, nil, nil, []int16{format}).Read(), c)
				})
			}
		}
	})

	t.Run("contents", func(t *testing.T) {
		sql := "select id, a, b, n, d, j, t, m from ua order by id"
		simple(t, sql)
		for _, format := range []int16{0, 1} {
			same(t, fmt.Sprint(sql, " format ", format), func(c *pgconn.PgConn) string {
				return resultOutcome(c.ExecParams(ctx, sql, nil, nil, nil, []int16{format}).Read(), c)
			})
		}
	})
}

// literalOutcome runs sql in the simple protocol and renders each result
// (see resultOutcome), the error and the transaction status.
func literalOutcome(ctx context.Context, c *pgconn.PgConn, sql string) string {
	results, err := c.Exec(ctx, sql).ReadAll()
	var b strings.Builder
	for _, r := range results {
		b.WriteString(resultOutcome(r, nil))
		b.WriteString("; ")
	}
	fmt.Fprintf(&b, "%s tx %c", errorText(err), c.TxStatus())
	return b.String()
}

// resultOutcome renders a result: command tag, column types and formats,
// rows, and error; and the transaction status after it when c is set.
func resultOutcome(r *pgconn.Result, c *pgconn.PgConn) string {
	var b strings.Builder
	b.WriteString(r.CommandTag.String())
	for _, f := range r.FieldDescriptions {
		fmt.Fprintf(&b, " %s:%d:%d", f.Name, f.DataTypeOID, f.Format)
	}
	for _, row := range r.Rows {
		b.WriteString(" |")
		for _, v := range row {
			fmt.Fprintf(&b, " %q", v)
		}
	}
	if r.Err != nil {
		b.WriteString(" " + errorText(r.Err))
	}
	if c != nil {
		fmt.Fprintf(&b, " tx %c", c.TxStatus())
	}
	return b.String()
}

// errorText renders an error's SQLSTATE, position, message and DETAIL.
func errorText(err error) string {
	var pe *pgconn.PgError
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &pe):
		return fmt.Sprintf("error %s at %d: %s (%s)", pe.Code, pe.Position, pe.Message, pe.Detail)
	}
	return "error " + err.Error()
}
