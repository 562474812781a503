package dialect

import (
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/stmt"
)

// TestProbeLiterals checks which constants ProbeLiterals probes, and how:
// the probe statements it makes of a statement.
func TestProbeLiterals(t *testing.T) {
	for _, c := range []struct {
		in     string
		probe  string // "" for none
		insert string // "" for none
	}{
		{in: "select 1"},
		{in: "select '{1,2}'"},               // text, as in PostgreSQL
		{in: "select '{1,2}'::int[] from t"}, // cast: arraylit.go
		{in: "insert into t values ('{\"a\": 1}')"},
		{in: "select * from t where x = '{\"a\": 1}'"},
		{in: "select * from t where a[1] = 2"},
		{in: "select f('{1,2}') from t"},
		{in: "select '{1}' = '{1}'"},
		{in: "select * from t order by '{1}'"},
		{in: "insert into t values ('{1,2}', ' [1,2]', 'x', '{\"a\": 1}')",
			probe: "INSERT INTO t VALUES ($1, $2, 'x', $3)"},
		{in: "insert into t (a) values ($1), ('{3}')", probe: "INSERT INTO t (a) VALUES ($1), ($2)"},
		{in: "update t set a = '{3}', b = '{x}' where c = '{}' and d <> 'x'",
			probe: "UPDATE t SET a = $1, b = $2 WHERE c = COALESCE($3, c) AND d <> 'x'"},
		{in: "update t set (a, b) = ('{3}', '{x}')", probe: "UPDATE t SET (a, b) = ($1, $2)"},
		{in: "insert into t (id, a) values (1, '{1}') on conflict (id) do update set a = '{2}'",
			probe: "INSERT INTO t (id, a) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET a = $2"},
		{in: "select a || '{3}', '{2}' <@ a, a is distinct from '{1}', nullif(a, '{}') from t",
			probe: "SELECT a || COALESCE($1, a), COALESCE($2, a) <@ a, a IS DISTINCT FROM COALESCE($3, a), NULLIF(a, COALESCE($4, a)) FROM t"},
		{in: "select * from t where x = any('{1,2}') and y <> all('[1]')",
			probe: "SELECT * FROM t WHERE x = COALESCE($1, x) AND y <> COALESCE($2, y)"},
		{in: "select * from t where 1 = any('{1,2}') and a in ('{1}', '{2}')",
			probe: "SELECT * FROM t WHERE 1 = COALESCE($1, 1) AND a IN ($2, $3)"},
		{in: "select coalesce(a, '{0}'), greatest(a, '{1}'), least('{2}', '{3}'), case when x then a else '{4}' end, case a when '{5}' then 1 end from t",
			probe: "SELECT COALESCE(a, $1), GREATEST(a, $2), LEAST('{2}', '{3}'), CASE WHEN x THEN a ELSE $3 END, CASE a WHEN $4 THEN 1 END FROM t"},
		// A constant in an operand is replaced in the other operand's copy too.
		{in: "select * from t where (a || '{1}') = '{1,2}'",
			probe: "SELECT * FROM t WHERE (a || COALESCE($2, a)) = COALESCE($1, a || COALESCE($2, a))"},
		{in: "insert into s.t (a, b) select '{4}', '{x}' from u where u.c = '{1}'",
			probe:  "INSERT INTO s.t (a, b) SELECT '{4}', '{x}' FROM u WHERE u.c = COALESCE($1, u.c)",
			insert: "INSERT INTO s.t (a, b) VALUES ($1, $2)"},
		{in: "insert into t select '{4}', 1", insert: "INSERT INTO t VALUES ($1, $2)"},
		{in: "insert into t select *, '{4}' from u"},
		{in: "insert into t select '{4}' union select '{5}'"},
		// Malformed '{...}' constants are probed only with others.
		{in: "insert into t values ('{1,2')"},
		{in: "insert into t values ('{1,2', '{3}')", probe: "INSERT INTO t VALUES ($1, $2)"},
		{in: "select * from t where a = $1 and b = '{1}'", probe: "SELECT * FROM t WHERE a = $1 AND b = COALESCE($2, b)"},
		// Timestamps DuckDB reads otherwise are probed; pg_dump's form
		// and plain dates are not.
		{in: "insert into t values (1, '2024-01-01 10:00:00+00', '2024-01-01', '2024-01-01T10:00:00.5Z', '2024-01-01 10:00:00-03:30')"},
		{in: "insert into t values (1, '2024-01-01 10:00+00', '2024-01-01 10:00:00 UTC', '2024-01-01 10:00:00+0530')",
			probe: "INSERT INTO t VALUES (1, $1, $2, $3)"},
		{in: "select * from t where at > '2024-01-01 10:00+01'", probe: "SELECT * FROM t WHERE at > COALESCE($1, at)"},
		// A column of a set operation takes its type from the branches
		// whose item has one, each a scalar subquery of a copy of its
		// branch (untypedctx.go).
		{in: "select '{1,2}'::int[] union all select '{3}'",
			probe: "SELECT '{1,2}'::int[] UNION ALL SELECT COALESCE($1, (SELECT _q._1 FROM (SELECT '{1,2}'::int[]) _q(_1)))"},
		{in: "select a, '{1}' from t union select '{2}', b from u intersect select '{3}', c from v order by 1",
			probe: "SELECT a, COALESCE($1, COALESCE((SELECT _q._2 FROM (SELECT NULL, b FROM u) _q(_1, _2)), (SELECT _q._2 FROM (SELECT NULL, c FROM v) _q(_1, _2)))) FROM t " +
				"UNION (SELECT COALESCE($2, (SELECT _q._1 FROM (SELECT a, NULL FROM t) _q(_1))), b FROM u " +
				"INTERSECT SELECT COALESCE($3, (SELECT _q._1 FROM (SELECT a, NULL FROM t) _q(_1))), c FROM v) ORDER BY 1"},
		{in: "select * from t where x in (select a from t except select '{4}')",
			probe: "SELECT * FROM t WHERE x IN (SELECT a FROM t EXCEPT SELECT COALESCE($1, (SELECT _q._1 FROM (SELECT a FROM t) _q(_1))))"},
		{in: "select *, '{1}' from t union select 1, '{2}'"},
		{in: "select '{1}' union select '{2}'"},
		// A column of a VALUES list outside INSERT takes its type from the
		// items that have one.
		{in: "select * from (values ('{1,2}'::int[], 1), ('{3}', 2), ('{4}', 3)) v(a, b)",
			probe: "SELECT * FROM (VALUES ('{1,2}'::int[], 1), (COALESCE($1, '{1,2}'::int[]), 2), (COALESCE($2, '{1,2}'::int[]), 3)) v(a, b)"},
		{in: "values ('{1}'), ($1), ('{2}'::int[])", probe: "VALUES (COALESCE($2, COALESCE($1, '{2}'::int[]))), ($1), ('{2}'::int[])"},
		{in: "values ('{1}'), ('{2}')"},
		// The arguments of PostgreSQL's polymorphic array functions.
		{in: "select array_cat(a, '{4}'), array_cat('{5}', a), array_append(a, '{6}'), pg_catalog.array_prepend(7, '{8}') from t",
			probe: "SELECT array_cat(a, COALESCE($1, a)), array_cat(COALESCE($2, a), a), array_append(a, COALESCE($3, a[1])), pg_catalog.array_prepend(7, COALESCE($4, ARRAY[7])) FROM t"},
		{in: "select array_length(a, 1), f(a, '{1}'), array_cat(a, '{1}', '{2}') from t"},
		// With no argument of a type, anycompatible arrays are text[].
		{in: "select array_position('{1,2}', 2), array_append('{1}', '{2}')",
			probe: "SELECT array_position(COALESCE($1, ARRAY[2]), 2), array_append(NULL::varchar[], '{2}')"},
		// The jsonb operators on operands of types the statement does not
		// show: || with a JSON-like constant (malformed as an array or
		// not), and - with a string constant, which is probed in place
		// of the whole expression.
		{in: "select data || '{\"x\":1}', '[1]' || f(data), data - 'a', (data - 'a') - 'b' from t",
			probe: "SELECT data || COALESCE($1, data), COALESCE($2, f(data)) || f(data), COALESCE($3, data), COALESCE($4, COALESCE($5, data)) FROM t"},
		{in: "select (data || '[1]') - 'a' || '{}' from t",
			probe: "SELECT COALESCE($2, data || COALESCE($3, data)) || COALESCE($1, COALESCE($2, data || COALESCE($3, data))) FROM t"},
		{in: "update t set data = data || '{\"y\":2}' where id = 1",
			probe: "UPDATE t SET data = data || COALESCE($1, data) WHERE id = 1"},
		{in: "update t set data = data - 'a' where b - 'c' > 0",
			probe: "UPDATE t SET data = COALESCE($1, data) WHERE COALESCE($2, b) > 0"},
		// Plainly typed operands, and ordinary arithmetic and text, are not.
		{in: "select x - 1, a - b, a || b, a || 'x', 'x' || '{y}', $1 - 'a', '1'::int - '2', now() - '1 day'::interval, '{\"a\":1}'::jsonb - 'a', data - '{a}'::text[] from t"},
		{in: "select x - 'a' from t where y = '{1}'", probe: "SELECT COALESCE($1, x) FROM t WHERE y = COALESCE($2, y)"},
	} {
		st := stmt.Split(c.in)[0]
		p := ProbeLiterals(&st)
		probe, insert := "", ""
		if p != nil && p.Probe != nil {
			probe = p.Probe.SQL
			if n := strings.Count(probe, "$"); p.Probe.Params > n || !strings.Contains(probe, "$"+strconv.Itoa(p.Probe.Params)) {
				t.Errorf("%q: probe has %d parameters", c.in, p.Probe.Params)
			}
		}
		if p != nil && p.Insert != nil {
			insert = p.Insert.SQL
		}
		if probe != c.probe || insert != c.insert {
			t.Errorf("%q:\n got  %q, %q\n want %q, %q", c.in, probe, insert, c.probe, c.insert)
		}
		if p != nil && p.Params != st.Params {
			t.Errorf("%q: Params %d, want %d", c.in, p.Params, st.Params)
		}
	}
}

// TestCastLiterals checks the statements Cast makes for the types probes
// report, and that the statement's own tree is left alone.
func TestCastLiterals(t *testing.T) {
	list := func(t arrow.DataType) arrow.Field { return arrow.Field{Type: arrow.ListOf(t)} }
	str := arrow.Field{Type: arrow.BinaryTypes.String}
	i32 := arrow.Field{Type: arrow.PrimitiveTypes.Int32}
	json := arrow.Field{Type: arrow.BinaryTypes.String, Metadata: arrow.NewMetadata([]string{backends.MetaPGType}, []string{"114"})}
	date := arrow.Field{Type: arrow.FixedWidthTypes.Date32}
	jsonList := arrow.Field{Type: arrow.ListOf(arrow.BinaryTypes.String), Metadata: arrow.NewMetadata([]string{backends.MetaPGType}, []string{"199"})}
	for _, c := range []struct {
		in            string
		probe, insert []arrow.Field
		want          string // "" for the statement itself
		code          string
		pos           int32
	}{
		{in: "insert into t values ('{1,2}', '{a,\"b c\",NULL}', '{}')",
			probe: []arrow.Field{list(arrow.PrimitiveTypes.Int32), list(arrow.BinaryTypes.String), str},
			want:  "INSERT INTO t VALUES ('{1,2}'::int[], '{a,\"b c\",NULL}'::varchar[], '{}')"},
		{in: "insert into t values ('{1,2}')", probe: []arrow.Field{str}},
		{in: "insert into t values ('2024-01-01 10:00+02', '2024-01-01 10:00+02', '2024-01-01 10:00+02', 'Jan 2 2024')",
			probe: []arrow.Field{{Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
				{Type: &arrow.TimestampType{Unit: arrow.Microsecond}}, str},
			want: "INSERT INTO t VALUES ('2024-01-01 08:00:00+00'::timestamptz, '2024-01-01 10:00:00'::timestamp, '2024-01-01 10:00+02', 'Jan 2 2024')"},
		{in: "insert into t values ('{1,2}')", probe: nil}, // the probe failed
		{in: "insert into t values ('{{1,2}}', '{x}', '{1.5}', '{}')",
			probe: []arrow.Field{list(arrow.ListOf(arrow.PrimitiveTypes.Int64)), jsonList, list(&arrow.Decimal128Type{Precision: 38, Scale: 10}),
				list(&arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"})},
			want: "INSERT INTO t VALUES ('{{1,2}}'::bigint[][], '{x}'::pg_catalog.json[], '{1.5}'::numeric(38, 10)[], '{}'::timestamptz[])"},
		{in: "select * from t where x = any('{1,2}') and a = any('{3}')",
			probe: []arrow.Field{i32, list(arrow.PrimitiveTypes.Int32)},
			want:  "SELECT * FROM t WHERE x = ANY('{1,2}'::int[]) AND a = ANY('{3}')"},
		{in: "insert into t (a, b) select '{4}', '{x}' from u",
			insert: []arrow.Field{list(arrow.FixedWidthTypes.Date32), str},
			want:   "INSERT INTO t (a, b) SELECT '{4}'::date[], '{x}' FROM u"},
		{in: "select * from t where $1 = 2 and a = '{1}'", probe: []arrow.Field{i32, list(arrow.PrimitiveTypes.Int16)},
			want: "SELECT * FROM t WHERE $1 = 2 AND a = '{1}'::smallint[]"},
		// A constant that is an array in its context must be one.
		{in: "select * from t where a = '[1,2]'", probe: []arrow.Field{list(arrow.PrimitiveTypes.Int32)},
			code: pgerror.InvalidTextRepresentation, pos: 27},
		{in: "insert into t values ('é', '{1', '{2}')", probe: []arrow.Field{list(arrow.PrimitiveTypes.Int32), list(arrow.PrimitiveTypes.Int32)},
			code: pgerror.InvalidTextRepresentation, pos: 28},
		{in: "insert into t values ('{1', '{2}')", probe: []arrow.Field{str, list(arrow.PrimitiveTypes.Int32)},
			want: "INSERT INTO t VALUES ('{1', '{2}'::int[])"},
		// The jsonb operators are rewritten where the operand is JSON,
		// left as written where it is not, and a constant an array is
		// concatenated with is cast as any other.
		{in: "select data || '{\"x\":1}', data - 'a', (data - 'a') - 'b', name || '{x}', d - '1 day', a || '{1}' from t",
			probe: []arrow.Field{json, json, json, json, str, date, list(arrow.PrimitiveTypes.Int32)},
			want: "SELECT pg_catalog.quiver_jsonb_concat(data, '{\"x\":1}'), pg_catalog.quiver_jsonb_delete(data, 'a'), " +
				"pg_catalog.quiver_jsonb_delete(pg_catalog.quiver_jsonb_delete(data, 'a'), 'b'), name || '{x}', d - '1 day', a || '{1}'::int[] FROM t"},
		{in: "select name || '{x}', d - '1 day' from t", probe: []arrow.Field{str, date}},
		// An operator on one of these is jsonb when the innermost operand is.
		{in: "select (data || '[1]') - 'a' || '{}', (a || '{1}') || '{2}' from t",
			probe: []arrow.Field{str, str, json, list(arrow.PrimitiveTypes.Int32), list(arrow.PrimitiveTypes.Int32)},
			want: "SELECT pg_catalog.quiver_jsonb_concat(pg_catalog.quiver_jsonb_delete(pg_catalog.quiver_jsonb_concat(data, '[1]'), 'a'), '{}'), " +
				"(a || '{1}'::int[]) || '{2}'::int[] FROM t"},
		{in: "select a || '{\"x\":1}' from t", probe: []arrow.Field{list(arrow.PrimitiveTypes.Int32)},
			code: pgerror.InvalidTextRepresentation, pos: 13},
	} {
		st := stmt.Split(c.in)[0]
		p := ProbeLiterals(&st)
		if p == nil {
			t.Fatalf("%q: nothing to probe", c.in)
		}
		before := st.Node.String()
		out, err := p.Cast(&st, c.probe, c.insert)
		if st.Node.String() != before {
			t.Fatalf("%q: Cast changed the statement's own tree", c.in)
		}
		if c.code != "" {
			if e := pgerror.Flatten(err); err == nil || e.Code != c.code || e.Position != c.pos {
				t.Errorf("%q: got %v, want %s at %d", c.in, err, c.code, c.pos)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		switch {
		case c.want == "" && out != &st:
			t.Errorf("%q: got %q, want the statement itself", c.in, out.SQL)
		case c.want != "" && out.SQL != c.want:
			t.Errorf("%q:\n got  %q\n want %q", c.in, out.SQL, c.want)
		}
		// The same types again give the same statement, remembered.
		if again, _ := p.Cast(&st, c.probe, c.insert); again.SQL != out.SQL {
			t.Errorf("%q: second Cast gave %q", c.in, again.SQL)
		}
	}
	// What Cast makes is rewritten as casts are.
	st := stmt.Split("insert into t values ('{1,2}')")[0]
	out, err := ProbeLiterals(&st).Cast(&st, []arrow.Field{list(arrow.PrimitiveTypes.Int32)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkRewrites(t, []rewriteCase{{in: out.SQL, want: []string{"INSERT INTO t VALUES (ARRAY['1', '2']::int[])"}}})
}

// TestArrayLiteralCastPosition checks that a malformed literal in a cast
// fails at the literal, as in PostgreSQL.
func TestArrayLiteralCastPosition(t *testing.T) {
	sts := stmt.Split("select 1; select 'é', '{1,2'::int[]")
	_, err := For("duckdb", "").Rewrite(&sts[1])
	e := pgerror.Flatten(err)
	if e.Code != pgerror.InvalidTextRepresentation || e.Position != 13 || e.Detail != "Unexpected end of input." {
		t.Errorf("got %+v, want 22P02 at 13", e)
	}
}

// TestMayHaveArrayLiteral checks the scan of a statement's text that spares
// most statements a walk of their tree.
func TestMayHaveArrayLiteral(t *testing.T) {
	for sql, want := range map[string]bool{
		"select 1":                            false,
		"select a[1], b[2:3] from t":          false,
		"select '{1,2}'":                      true,
		"select ' \n [1]'":                    true,
		"select E'{a}'":                       true,
		"select $${1}$$, $q$[1]$q$":           true,
		"select 'x{1}', f(a) from t where {}": false,
		"select x - 1, a - b, a || b from t":  false,
		"select data -\n 'a' from t":          true,
		"select data - E'a' from t":           false,
		// Timestamps: only those DuckDB reads otherwise.
		"insert into t values (1, '2024-01-01 10:00:00+00', '2024-01-02')": false,
		"insert into t values (1, '2024-01-01 10:00+00')":                  true,
		"insert into t values ('2024-01-01', '2024-01-01 10:00 UTC')":      true,
	} {
		if got := mayHaveArrayLiteral(sql); got != want {
			t.Errorf("%q: %v, want %v", sql, got, want)
		}
	}
}

// BenchmarkProbeLiteralsTimestamp is the cost ProbeLiterals adds to an
// INSERT of pg_dump's timestamps, each statement a text of its own (as
// its values make it), which no cache holds.
func BenchmarkProbeLiteralsTimestamp(b *testing.B) {
	st := stmt.Split("insert into t values (1, '2024-01-01 10:00:00+00', 'x')")[0]
	text := st.SQL
	for i := 0; b.Loop(); i++ {
		st.SQL = text + " -- " + strconv.Itoa(i)
		if ProbeLiterals(&st) != nil {
			b.Fatal("probed")
		}
	}
}
