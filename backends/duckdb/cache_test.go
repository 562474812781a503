//go:build duckdb_arrow

package duckdb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/internal/testenv"
	"github.com/quiverdb/quiver/pgerror"
)

// step is one statement of a cache scenario: session 0 or 1 runs sql, by
// Query or, when prepare is set, by Prepare then Execute. A step marked
// again runs three times in a row: the first run prepares the statement,
// the second caches it, the third runs it from the cache.
type step struct {
	session int
	sql     string
	prepare bool
	again   bool
}

// parseScript reads a scenario, one step a line: "0> sql" runs sql once on
// session 0, "1q sql" three times by Query on session 1, "1p sql" three
// times by Prepare, and "1? sql" both, three times each. Blank lines and
// lines starting with # are skipped.
func parseScript(script string) []step {
	var steps []step
	for _, line := range strings.Split(script, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		st := step{session: int(line[0] - '0'), sql: strings.TrimSpace(line[2:]), again: line[1] != '>'}
		switch line[1] {
		case 'p':
			st.prepare = true
		case '?':
			steps = append(steps, st)
			st.prepare = true
		}
		steps = append(steps, st)
	}
	return steps
}

// runs returns how many times st runs.
func (st step) runs() int {
	if st.again {
		return 3
	}
	return 1
}

// runDuck runs a step on a DuckDB session and describes what it did: the
// error's SQLSTATE, or the columns (described by Prepare, returned), as
// columns puts them, and the rows. Prepared statements get params when
// they have parameters.
func runDuck(t *testing.T, s *Session, st step, params arrow.RecordBatch, columns func(*arrow.Schema) string) string {
	t.Helper()
	ctx := context.Background()
	var out strings.Builder
	var res *backends.Result
	var err error
	if st.prepare {
		ps, perr := s.Prepare(ctx, st.sql, nil)
		if perr != nil {
			return "error " + pgerror.Flatten(perr).Code
		}
		defer ps.Close()
		out.WriteString("described " + columns(ps.Schema()) + "; ")
		if len(ps.Params()) == 0 {
			params = nil
		}
		res, err = ps.Execute(ctx, params)
	} else {
		res, err = s.Query(ctx, st.sql)
	}
	if err != nil {
		return out.String() + "error " + pgerror.Flatten(err).Code
	}
	if res.Rows == nil {
		return out.String() + affected(res.RowsAffected)
	}
	out.WriteString("returned " + columns(res.Rows.Schema()) + ": ")
	rows, _ := collect(t, res.Rows)
	out.WriteString(fmtRows(rows))
	return out.String()
}

// runScenario runs steps on two sessions of a new in-memory database and
// returns what each run did. {dir} in statements is replaced by dir.
func runScenario(t *testing.T, opts Options, dir string, steps []step) []string {
	t.Helper()
	mem := checkedAlloc(t)
	opts.Allocator = mem
	b := newBackend(t, "duckdb:", opts)
	sessions := []*Session{connect(t, b), connect(t, b)}
	param := oneRow(mem, i64(mem, new(int64(5))))
	defer param.Release()
	var out []string
	for _, st := range steps {
		st.sql = strings.ReplaceAll(st.sql, "{dir}", dir)
		for range st.runs() {
			out = append(out, runDuck(t, sessions[st.session], st, param, fieldTypes))
		}
	}
	return out
}

// TestCacheIsInvisible runs scenarios where cached plans would go stale if
// the cache did not notice, with the cache and without it, and checks that
// every statement does the same.
func TestCacheIsInvisible(t *testing.T) {
	steps := parseScript(`
		# Catalog changes by another session, in and out of transactions.
		0> create table t(a int)
		0> insert into t values (1)
		1? select * from t
		0> begin
		0> alter table t add column b text
		1? select * from t
		0> commit
		1? select * from t
		1> begin
		1q select * from t
		0> alter table t add column c double
		1? select * from t
		1> commit
		1? select * from t
		0> drop table t
		0> create table t(a varchar)
		0> insert into t values ('x')
		1? select * from t
		0> alter table t rename column a to renamed
		1? select * from t
		0> drop table t
		1? select * from t

		# Settings the planning depends on, of this session and global.
		1> create schema s2
		1> create table main.u(a int)
		1> create table s2.u(b text)
		1> insert into s2.u values ('in s2')
		1? select * from u
		1> set schema = 's2'
		1? select * from u
		1> set search_path = 'main'
		1? select * from u
		1> set timezone = 'UTC'
		1? select '2020-01-01 00:00:00+00'::timestamptz::varchar as ts
		0> set timezone = 'Asia/Tokyo'
		1? select '2020-01-01 00:00:00+00'::timestamptz::varchar as ts
		1> set timezone = 'Asia/Tokyo'
		1? select '2020-01-01 00:00:00+00'::timestamptz::varchar as ts
		1? select current_setting('threads') as n
		0> set threads = 1
		1? select current_setting('threads') as n
		1> set variable v = 1
		1? select getvariable('v') as v
		1> set variable v = 'text'
		1? select getvariable('v') as v
		1> attach ':memory:' as m2
		1> create table m2.u(z date)
		1> use m2
		1? select * from u
		1> use memory
		1? select * from u
		0> create macro m(x) as x + 1
		1? select m(1) as m
		0> create or replace macro m(x) as x || 'a'
		1? select m('b') as m

		# Files, read again at each run, with other columns.
		0> copy (select 1 as x) to '{dir}/f.csv'
		1? select * from '{dir}/f.csv'
		0> copy (select 'a' as y, 2 as z) to '{dir}/f.csv'
		1? select * from '{dir}/f.csv'
		0> copy (select 3 as y, 4 as z) to '{dir}/f.csv'
		1? select * from '{dir}/f.csv'
		0> copy (select 3 as w) to '{dir}/g.csv'
		1? select count(*) as n from read_csv('{dir}/*.csv', union_by_name = true)

		# Values computed at each run.
		1> create sequence sq
		1? select nextval('sq') as n

		# Parameters: Query must not run with the values Execute bound.
		1p select $1::int as v
		1q select $1::int as v

		# Transactions and errors.
		1> create table w(a int primary key)
		1> begin
		1> insert into w select count(*) from w
		1> commit
		1> begin
		1> insert into w select count(*) from w
		1> commit
		1q select * from w
		1> begin
		1q insert into w values (0)
		1q select 1
		1> rollback
		1q rollback
		1q commit
		1q select 'x'::int
		1? explain select 1
	`)
	dir1, dir2 := t.TempDir(), t.TempDir()
	var cached, fresh []string
	// Subtests, so that each database is closed and checked for leaks
	// before the other is.
	t.Run("cached", func(t *testing.T) { cached = runScenario(t, Options{}, dir1, steps) })
	t.Run("fresh", func(t *testing.T) { fresh = runScenario(t, Options{StatementCache: -1}, dir2, steps) })
	if len(cached) != len(fresh) {
		t.FailNow()
	}
	i := 0
	for _, st := range steps {
		for range st.runs() {
			c := strings.ReplaceAll(cached[i], dir1, "{dir}")
			f := strings.ReplaceAll(fresh[i], dir2, "{dir}")
			if c != f {
				t.Errorf("%d: session %d %q (prepare %v):\n cached %s\n  fresh %s", i, st.session, st.sql, st.prepare, c, f)
			}
			i++
		}
	}
}

// TestCacheMatchesPostgres runs statements again after the tables and
// settings they depend on changed, by Query and by Prepare (as an unnamed
// statement, parsed again), and compares the columns and rows with
// PostgreSQL's.
func TestCacheMatchesPostgres(t *testing.T) {
	steps := parseScript(`
		0> create schema s1
		0> create schema s2
		0> create table s1.t(a int)
		0> insert into s1.t values (1)
		0> create table s2.t(b text)
		0> insert into s2.t values ('two')
		1> set search_path = 's1'
		1> set timezone = 'UTC'
		1? select * from t
		0> alter table s1.t add column c int
		1? select * from t
		1> set search_path = 's2'
		1? select * from t
		0> drop table s2.t
		0> create table s2.t(d int)
		0> insert into s2.t values (3)
		1? select * from t
		1? select '2020-01-01 00:00:00+00'::timestamptz::text as ts
		1> set timezone = 'Asia/Tokyo'
		1? select '2020-01-01 00:00:00+00'::timestamptz::text as ts
	`)

	pg := testenv.PG(t)
	ctx := context.Background()
	db := pg.CreateDB(t)
	var pcs []*pgconn.PgConn
	for range 2 {
		pc, err := pgconn.Connect(ctx, pg.URL(db))
		if err != nil {
			t.Fatal(err)
		}
		defer pc.Close(ctx)
		pcs = append(pcs, pc)
	}
	s := newSession(t, Options{})
	sessions := []*Session{s, connect(t, s.b)}

	for i, st := range steps {
		for range st.runs() {
			want := runPG(t, pcs[st.session], st)
			got := runDuck(t, sessions[st.session], st, nil, fieldNames)
			if got != want {
				t.Errorf("%d: session %d %q (prepare %v):\n    DuckDB %s\nPostgreSQL %s", i, st.session, st.sql, st.prepare, got, want)
			}
		}
	}
}

// runPG runs a step on PostgreSQL and describes it as runDuckNames does.
func runPG(t *testing.T, pc *pgconn.PgConn, st step) string {
	t.Helper()
	ctx := context.Background()
	var out strings.Builder
	var rr *pgconn.ResultReader
	if st.prepare {
		sd, err := pc.Prepare(ctx, "", st.sql, nil)
		if err != nil {
			return pgErrorCode(t, err)
		}
		out.WriteString("described " + pgNames(sd.Fields) + "; ")
		rr = pc.ExecPrepared(ctx, "", nil, nil, nil)
	} else {
		results, err := pc.Exec(ctx, st.sql).ReadAll()
		if err != nil {
			return pgErrorCode(t, err)
		}
		r := results[0]
		if len(r.FieldDescriptions) == 0 {
			n := int64(-1)
			if tag := r.CommandTag; tag.Insert() || tag.Update() || tag.Delete() {
				n = tag.RowsAffected()
			}
			return out.String() + affected(n)
		}
		out.WriteString("returned " + pgNames(r.FieldDescriptions) + ": ")
		out.WriteString(fmtRows(pgRows(r.Rows)))
		return out.String()
	}
	r := rr.Read()
	if r.Err != nil {
		return out.String() + pgErrorCode(t, r.Err)
	}
	out.WriteString("returned " + pgNames(r.FieldDescriptions) + ": ")
	out.WriteString(fmtRows(pgRows(r.Rows)))
	return out.String()
}

func affected(n int64) string {
	if n < 0 {
		return "no rows"
	}
	return fmt.Sprintf("%d rows affected", n)
}

func pgErrorCode(t *testing.T, err error) string {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		t.Fatal(err)
	}
	return "error " + pe.Code
}

func pgNames(fields []pgconn.FieldDescription) string {
	var names []string
	for _, f := range fields {
		names = append(names, f.Name)
	}
	return strings.Join(names, ", ")
}

func pgRows(rows [][][]byte) [][]string {
	var out [][]string
	for _, row := range rows {
		var r []string
		for _, v := range row {
			if v == nil {
				r = append(r, "(null)")
			} else {
				r = append(r, string(v))
			}
		}
		out = append(out, r)
	}
	return out
}

func fieldNames(sc *arrow.Schema) string {
	var names []string
	for _, f := range sc.Fields() {
		names = append(names, f.Name)
	}
	return strings.Join(names, ", ")
}

// TestCacheServes checks that statements run again come from the cache:
// Query and Prepare of the same text share one DuckDB statement, whose
// result schema is reused.
func TestCacheServes(t *testing.T) {
	s := newSession(t, Options{})
	ctx := context.Background()
	const sql = "select 1 as a, 'x' as b"
	for range 2 {
		mustExec(t, s, sql)
	}
	e := s.cache.get(sql)
	if e == nil {
		t.Fatal("not cached after two runs")
	}
	p := e.p
	for range 3 {
		res, err := s.Query(ctx, sql)
		if err != nil {
			t.Fatal(err)
		}
		if res.Rows.Schema() != p.shape.schema {
			t.Error("the result schema was made again")
		}
		rows, _ := collect(t, res.Rows)
		if fmtRows(rows) != "[[1 x]]" {
			t.Errorf("got %v", rows)
		}
		st, err := s.Prepare(ctx, sql, nil)
		if err != nil {
			t.Fatal(err)
		}
		if st.(*Stmt).p != p || s.cache.get(sql) != e {
			t.Error("Prepare did not use the cached statement")
		}
		st.Close()
	}
	if n := live.prepared.Load(); n != 1 {
		t.Errorf("%d DuckDB statements live, want the cached one", n)
	}
	// Statements that change settings are not cached.
	for range 3 {
		mustExec(t, s, "set threads = 2")
	}
	if s.cache.get("set threads = 2") != nil {
		t.Error("SET was cached")
	}
}

// TestCacheBounded runs more distinct statements than the cache holds.
func TestCacheBounded(t *testing.T) {
	s := newSession(t, Options{StatementCache: 8})
	for round := range 3 {
		for i := range 50 {
			got := queryRows(t, s, fmt.Sprintf("select %d + %d", i, round))
			if got[0][0] != fmt.Sprint(i+round) {
				t.Fatalf("got %v", got)
			}
			for range 2 {
				queryRows(t, s, fmt.Sprintf("select %d", i))
			}
		}
	}
	if n := len(s.cache.entries); n != 8 {
		t.Errorf("%d entries", n)
	}
	if n := live.prepared.Load(); n != 8 {
		t.Errorf("%d DuckDB statements live", n)
	}
	if n := len(s.cache.seen); n > 4*8 {
		t.Errorf("%d statements remembered", n)
	}
}

func TestCacheOff(t *testing.T) {
	s := newSession(t, Options{StatementCache: -1})
	for range 3 {
		mustExec(t, s, "select 1")
	}
	if n := live.prepared.Load(); n != 0 {
		t.Errorf("%d DuckDB statements live", n)
	}
}

func TestFirstKeyword(t *testing.T) {
	for sql, want := range map[string]string{
		"begin":                              "begin",
		"  BEGIN TRANSACTION":                "begin",
		"-- c\n/* a /* nested */ */ Commit;": "commit",
		"start transaction":                  "start",
		"end":                                "end",
		"rollback":                           "rollback",
		"ABORT":                              "abort",
		"/* unterminated":                    "",
		"(select 1)":                         "",
		"transaction_is_long_word":           "",
	} {
		if got := firstKeyword(sql); got != want {
			t.Errorf("%q: %q, want %q", sql, got, want)
		}
	}
}

// TestCacheFileSchema reads a file twice through the cache with the same
// column types but other names: the reused schema must follow.
func TestCacheFileSchema(t *testing.T) {
	s := newSession(t, Options{})
	path := filepath.Join(t.TempDir(), "f.csv")
	sql := "select * from '" + path + "'"
	for i, content := range []string{"x\n1\n", "y\n2\n", "y\n3\n", "y\nz\n"} {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			res, err := s.Query(context.Background(), sql)
			if err != nil {
				t.Fatal(err)
			}
			got := fieldTypes(res.Rows.Schema())
			rows, _ := collect(t, res.Rows)
			want := []string{"x int64", "y int64", "y int64", "y utf8"}[i]
			if got != want || !reflect.DeepEqual(rows, [][]string{{strings.Split(content, "\n")[1]}}) {
				t.Errorf("%q: %s %v, want %s", content, got, rows, want)
			}
		}
	}
}

// TestCacheDeclaredTypes prepares statements again with other declared
// parameter types, after executions with values of other types, and checks
// that they are described as a fresh session describes them.
func TestCacheDeclaredTypes(t *testing.T) {
	mem := checkedAlloc(t)
	b := newBackend(t, "duckdb:", Options{Allocator: mem})
	bFresh := newBackend(t, "duckdb:", Options{Allocator: mem, StatementCache: -1})
	cached, fresh := connect(t, b), connect(t, bFresh)
	ctx := context.Background()
	i32 := arrow.PrimitiveTypes.Int32
	i64 := arrow.PrimitiveTypes.Int64
	text := arrow.BinaryTypes.String
	values := map[arrow.DataType]func() arrow.RecordBatch{
		i64:  func() arrow.RecordBatch { return oneRow(mem, i64Value(mem, 7)) },
		text: func() arrow.RecordBatch { return oneRow(mem, str(mem, "8")) },
	}
	run := func(s *Session, sql string, declared []arrow.DataType, value arrow.DataType) string {
		st, err := s.Prepare(ctx, sql, declared)
		if err != nil {
			return "error " + pgerror.Flatten(err).Code
		}
		defer st.Close()
		var params []string
		for _, f := range st.Params() {
			params = append(params, f.Type.String())
		}
		out := fmt.Sprintf("params %v schema %s", params, fieldTypes(st.Schema()))
		rec := values[value]()
		defer rec.Release()
		res, err := st.Execute(ctx, rec)
		if err != nil {
			return out + " error " + pgerror.Flatten(err).Code
		}
		defer res.Rows.Release()
		for res.Rows.Next() {
			rec := res.Rows.RecordBatch()
			out += " row " + rec.Column(0).ValueStr(0)
		}
		if err := res.Rows.Err(); err != nil {
			out += " error " + pgerror.Flatten(err).Code
		}
		return out
	}
	for _, sql := range []string{"select $1 as x", "select $1 || 'a' as x", "select coalesce($1, 0) as x", "select $1::int + 1 as x"} {
		for _, declared := range [][]arrow.DataType{nil, {i64}, {nil}, {text}, {i32}, nil} {
			for _, value := range []arrow.DataType{text, i64} {
				want := run(fresh, sql, declared, value)
				for range 3 {
					if got := run(cached, sql, declared, value); got != want {
						t.Errorf("%s declared %v, %s value:\n cached %s\n  fresh %s", sql, declared, value, got, want)
					}
				}
			}
		}
	}
}

func i64Value(mem memory.Allocator, v int64) arrow.Array { return i64(mem, &v) }

// TestCacheKeepsTransactionPlans prepares a statement inside transactions,
// as pgbench's TPC-B does with each of its statements: with no catalog
// change since the first transaction began, the plan made inside it serves
// the later ones; a change committed by another session during a
// transaction makes the plans made inside it stale.
func TestCacheKeepsTransactionPlans(t *testing.T) {
	b := newBackend(t, "duckdb:", Options{Allocator: checkedAlloc(t)})
	s, other := connect(t, b), connect(t, b)
	ctx := context.Background()
	mustExec(t, s, "create table k(a int)")
	const sql = "select * from k where a = $1"
	prepare := func() (*prepared, string) {
		st, err := s.Prepare(ctx, sql, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		return st.(*Stmt).p, fieldTypes(st.Schema())
	}
	var first *prepared
	for i := range 3 {
		mustExec(t, s, "begin")
		p, _ := prepare()
		if i == 1 {
			first = p
		}
		if i == 2 && p != first {
			t.Error("a statement planned inside the previous transaction was planned again")
		}
		mustExec(t, s, "commit")
	}
	mustExec(t, s, "begin")
	mustExec(t, s, "select count(*) from k") // DuckDB takes the snapshot here
	mustExec(t, other, "alter table k add column b text")
	p, cols := prepare()
	if strings.Contains(cols, "b ") {
		t.Errorf("inside the transaction the description shows the new column: %s", cols)
	}
	mustExec(t, s, "commit")
	p2, cols := prepare()
	if p2 == p {
		t.Error("a plan made inside a transaction that began before a catalog change was used after it")
	}
	if !strings.Contains(cols, "b ") {
		t.Errorf("after the transaction the description lacks the new column: %s", cols)
	}
}
