//go:build duckdb_arrow

package duckdb

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

func TestQueryTypes(t *testing.T) {
	s := newSession(t, Options{})
	res, err := s.Query(context.Background(), `select 1 as a, 'x' as b, 1.5::decimal(10,2) as d,
		date '2020-01-02' as dt, timestamp '2020-01-02 03:04:05' as ts, [1, 2] as l, null::int as n, true as bo`)
	if err != nil {
		t.Fatal(err)
	}
	if res.RowsAffected != -1 {
		t.Errorf("RowsAffected = %d", res.RowsAffected)
	}
	got := fieldTypes(res.Rows.Schema())
	want := "a int32, b utf8, d decimal(10, 2), dt date32, ts timestamp[us], l list<l: int32, nullable>, n int32, bo bool"
	if got != want {
		t.Errorf("schema\n got %s\nwant %s", got, want)
	}
	rows, _ := collect(t, res.Rows)
	wantRows := [][]string{{"1", "x", "1.5", "2020-01-02", "2020-01-02T03:04:05", "[1,2]", "(null)", "true"}}
	if !reflect.DeepEqual(rows, wantRows) {
		t.Errorf("rows %q, want %q", rows, wantRows)
	}
}

func TestQueryStreams(t *testing.T) {
	for _, batchRows := range []int{0, 65536} {
		t.Run(strconv.Itoa(batchRows), func(t *testing.T) {
			s := newSession(t, Options{BatchRows: batchRows})
			res, err := s.Query(context.Background(), "select range::int8 as i from range(1000000)")
			if err != nil {
				t.Fatal(err)
			}
			var n, sum int64
			var sizes []int64
			for res.Rows.Next() {
				rec := res.Rows.RecordBatch()
				sizes = append(sizes, rec.NumRows())
				n += rec.NumRows()
				col := rec.Column(0)
				for i := range col.Len() {
					v, _ := strconv.ParseInt(col.ValueStr(i), 10, 64)
					sum += v
				}
			}
			if err := res.Rows.Err(); err != nil {
				t.Fatal(err)
			}
			res.Rows.Release()
			if n != 1000000 || sum != 999999*1000000/2 {
				t.Errorf("got %d rows summing to %d", n, sum)
			}
			want := int64(2048)
			if batchRows > 0 {
				want = 65536
			}
			if sizes[0] != want {
				t.Errorf("first batch has %d rows, want %d", sizes[0], want)
			}
		})
	}
}

func TestRowsAffected(t *testing.T) {
	s := newSession(t, Options{})
	ctx := context.Background()
	for _, tc := range []struct {
		sql      string
		affected int64
		rows     bool
	}{
		{"create table t(a int, b text)", -1, false},
		{"insert into t values (1, 'a'), (2, 'b'), (3, 'c')", 3, false},
		{"update t set b = 'z' where a < 3", 2, false},
		{"delete from t where a = 1", 1, false},
		{"insert into t values (4, 'd') returning a", -1, true},
		{"set threads = 2", -1, false},
		{"begin", -1, false},
		{"commit", -1, false},
		{"select * from t", -1, true},
		{"", -1, false},
		{"  -- just a comment\n", -1, false},
	} {
		res, err := s.Query(ctx, tc.sql)
		if err != nil {
			t.Fatalf("%q: %v", tc.sql, err)
		}
		if res.RowsAffected != tc.affected || (res.Rows != nil) != tc.rows {
			t.Errorf("%q: RowsAffected %d, rows %v; want %d, %v", tc.sql, res.RowsAffected, res.Rows != nil, tc.affected, tc.rows)
		}
		if res.Rows != nil {
			res.Rows.Release()
		}
	}
	_, err := s.Query(ctx, "select 1; select 2")
	if pgerror.Flatten(err).Code != pgerror.SyntaxError {
		t.Errorf("two statements: %v", err)
	}
}

func TestPrepareDescribes(t *testing.T) {
	s := newSession(t, Options{})
	ctx := context.Background()
	mustExec(t, s, "create table t(a int, b text)")
	for _, tc := range []struct {
		sql      string
		declared string // Go-syntax list of declared types, for the test name
		params   string
		schema   string
	}{
		{sql: "select a, b from t where a = $1", params: "$1 int32", schema: "a int32, b utf8"},
		{sql: "insert into t values ($1, $2)", params: "$1 int32, $2 utf8", schema: "<nil>"},
		{sql: "insert into t values ($1, $2) returning a", params: "$1 int32, $2 utf8", schema: "a int32"},
		{sql: "update t set b = $2 where a = $1", params: "$1 int32, $2 utf8", schema: "<nil>"},
		{sql: "insert into t select $1, $2", params: "$1 null, $2 null", schema: "<nil>"},
		{sql: "select $1 as x", params: "$1 null", schema: "x utf8"},
		{sql: "select $1 || 'x' as x, $2::int as y", params: "$1 null, $2 null", schema: "x utf8, y int32"},
		{sql: "create table u(a int)", schema: "<nil>"},
		{sql: "begin", schema: "<nil>"},
		{sql: "explain select 1", schema: "explain_key utf8, explain_value utf8"},
		{sql: "", schema: "<nil>"},
	} {
		st, err := s.Prepare(ctx, tc.sql, nil)
		if err != nil {
			t.Fatalf("%q: %v", tc.sql, err)
		}
		params := "<nil>"
		if p := st.Params(); len(p) > 0 {
			params = ""
			for i, f := range p {
				if i > 0 {
					params += ", "
				}
				params += f.Name + " " + f.Type.String()
			}
		}
		if tc.params == "" {
			tc.params = "<nil>"
		}
		if params != tc.params || fieldTypes(st.Schema()) != tc.schema {
			t.Errorf("%q: params %s, schema %s; want %s, %s", tc.sql, params, fieldTypes(st.Schema()), tc.params, tc.schema)
		}
		st.Close()
	}
	// DuckDB cannot choose between +(INTEGER, INTEGER) and +(DATE, INTEGER)
	// for an untyped parameter.
	_, err := s.Prepare(ctx, "select $1 + 1", nil)
	if code := pgerror.Flatten(err).Code; code != pgerror.AmbiguousFunction {
		t.Errorf("select $1 + 1: %v", err)
	}
}

func TestFileDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	b := newBackend(t, "duckdb:"+path, Options{})
	s1, s2 := connect(t, b), connect(t, b)
	mustExec(t, s1, "create table t(a int)")
	mustExec(t, s2, "insert into t values (7)")
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	s2.Close()
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b2 := newBackend(t, "duckdb:"+path+"?threads=1", Options{})
	s3 := connect(t, b2)
	if got := queryRows(t, s3, "select a, current_setting('threads') from t"); fmt.Sprint(got) != "[[7 1]]" {
		t.Errorf("reopened database has %v", got)
	}
}

func TestInMemoryIsPerBackend(t *testing.T) {
	b1 := newBackend(t, "duckdb:", Options{})
	b2 := newBackend(t, "duckdb:", Options{})
	mustExec(t, connect(t, b1), "create table t(a int)")
	mustExec(t, connect(t, b1), "insert into t values (1)")
	if _, err := connect(t, b2).Query(context.Background(), "select * from t"); pgerror.Flatten(err).Code != pgerror.UndefinedTable {
		t.Errorf("second backend sees the first one's table: %v", err)
	}
}

func TestTransactions(t *testing.T) {
	s := newSession(t, Options{})
	ctx := context.Background()
	mustExec(t, s, "create table t(a int primary key)")
	code := func(sql string) string {
		_, err := s.Query(ctx, sql)
		if err == nil {
			return pgerror.SuccessfulCompletion
		}
		return pgerror.Flatten(err).Code
	}
	for _, step := range []struct{ sql, code string }{
		{"begin", pgerror.SuccessfulCompletion},
		{"insert into t values (1)", pgerror.SuccessfulCompletion},
		{"insert into t values (1)", pgerror.UniqueViolation},
		{"select 1", pgerror.InFailedSQLTransaction},
		{"rollback", pgerror.SuccessfulCompletion},
		{"select count(*) from t", pgerror.SuccessfulCompletion},
		// COMMIT of an aborted transaction rolls it back, as in PostgreSQL.
		{"begin", pgerror.SuccessfulCompletion},
		{"insert into t values (2)", pgerror.SuccessfulCompletion},
		{"select 'x'::int", pgerror.InvalidTextRepresentation},
		{"commit", pgerror.SuccessfulCompletion},
	} {
		if got := code(step.sql); got != step.code {
			t.Fatalf("%s: %s, want %s", step.sql, got, step.code)
		}
	}
	if got := queryRows(t, s, "select count(*) from t"); got[0][0] != "0" {
		t.Errorf("aborted transactions left %s rows", got[0][0])
	}
}

func TestPGTypeMetadata(t *testing.T) {
	s := newSession(t, Options{})
	sql := `select '01234567-89ab-cdef-0123-456789abcdef'::uuid as u, '{"a": 1}'::json as j, ['01234567-89ab-cdef-0123-456789abcdef'::uuid] as ul, 'x' as s`
	st, err := s.Prepare(context.Background(), sql, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	res, err := s.Query(context.Background(), sql)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Rows.Release()
	for _, sc := range []*arrow.Schema{st.Schema(), res.Rows.Schema()} {
		var got []string
		for _, f := range sc.Fields() {
			oid, _ := f.Metadata.GetValue(backends.MetaPGType)
			got = append(got, f.Name+"="+oid)
		}
		if want := "[u=2950 j=114 ul=2951 s=]"; fmt.Sprint(got) != want {
			t.Errorf("pg types %v, want %s", got, want)
		}
	}
}

// TestOIDTypeMetadata checks that values of OIDType, and lists of them,
// are marked oid and oid[] through expressions and subqueries, in results
// and in inferred parameters, while plain BIGINT columns are not, also
// when a cached statement's shape is reused.
func TestOIDTypeMetadata(t *testing.T) {
	s := newSession(t, Options{})
	ctx := context.Background()
	sql := `select o, [o] as l, coalesce(o, 0) as c, (select array_agg(o) from (select 2::quiver_oid as o)) as a, 3::bigint as b
from (select 1::quiver_oid as o union all select 2::bigint)`
	st, err := s.Prepare(ctx, sql, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pst, err := s.Prepare(ctx, "select 1 where 2 = any($1::quiver_oid[]) and $2::quiver_oid = 2", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pst.Close()
	types := func(fields []arrow.Field) string {
		var got []string
		for _, f := range fields {
			oid, _ := f.Metadata.GetValue(backends.MetaPGType)
			got = append(got, f.Name+"="+oid)
		}
		return fmt.Sprint(got)
	}
	if got, want := types(pst.Params()), "[$1=1028 $2=26]"; got != want {
		t.Errorf("parameters %s, want %s", got, want)
	}
	const want = "[o=26 l=1028 c=26 a=1028 b=]"
	if got := types(st.Schema().Fields()); got != want {
		t.Errorf("described %s, want %s", got, want)
	}
	// Twice: the second result reuses the first one's shape, or must not.
	for range 2 {
		for _, q := range []string{sql, "select 3::bigint as o"} {
			res, err := s.Query(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			got := types(res.Rows.Schema().Fields())
			res.Rows.Release()
			if exp := map[bool]string{true: want, false: "[o=]"}[q == sql]; got != exp {
				t.Errorf("%s: %s, want %s", q, got, exp)
			}
		}
	}
	// PostgreSQL has no arithmetic on oid; DuckDB has none on OIDType.
	if _, err := s.Query(ctx, "select 1::quiver_oid + 1"); err == nil {
		t.Error("arithmetic on quiver_oid works")
	}
}

// TestPrepareSchemaMatchesResult checks that the schema a statement
// describes without running is the one its rows have, and that it is nil
// exactly when the statement returns no rows.
func TestPrepareSchemaMatchesResult(t *testing.T) {
	s := newSession(t, Options{})
	ctx := context.Background()
	for _, q := range []string{
		"create table t(a int, b text)",
		"create type mood as enum ('a', 'b')",
		"insert into t values (1, 'x')",
		"insert into t values (2, 'y') returning *",
		"update t set b = 'z' where a = 1",
		"delete from t where a = 2 returning a",
		"select null as n", "select 'a'::mood as m", "select 1 where false", "pragma version", "show tables",
		"values (1)", "select union_value(k := 1) u", "select map {'a': 1} m", "select 12::hugeint h",
		"select '101'::bit b", "select '12:00:00+01'::timetz t", "select [1,2]::int[2] a", "select {'a': [1]} s",
		"select * from t", "explain select 1", "checkpoint", "describe t", "set threads = 2",
		"begin", "commit", "copy t to '" + t.TempDir() + "/t.csv'", "drop table t",
	} {
		st, err := s.Prepare(ctx, q, nil)
		if err != nil {
			t.Fatalf("%s: prepare: %v", q, err)
		}
		res, err := st.Execute(ctx, nil)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		got := "<nil>"
		if res.Rows != nil {
			got = fieldTypes(res.Rows.Schema())
			res.Rows.Release()
		}
		if want := fieldTypes(st.Schema()); got != want {
			t.Errorf("%s: described %s, returned %s", q, want, got)
		}
		st.Close()
	}
}

func TestPreparedAfterSchemaChange(t *testing.T) {
	s := newSession(t, Options{})
	ctx := context.Background()
	mustExec(t, s, "create table t(a int)")
	st, err := s.Prepare(ctx, "select * from t", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	mustExec(t, s, "alter table t add column b text")
	_, err = st.Execute(ctx, nil)
	if e := pgerror.Flatten(err); e.Code != pgerror.FeatureNotSupported || e.Message != "cached plan must not change result type" {
		t.Errorf("got %v", err)
	}
}

func TestPreparedAfterColumnTypeChange(t *testing.T) {
	s := newSession(t, Options{})
	ctx := context.Background()
	mustExec(t, s, "create table t(a bigint)")
	st, err := s.Prepare(ctx, "select a from t", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	mustExec(t, s, "alter table t alter a type int")
	_, err = st.Execute(ctx, nil)
	if e := pgerror.Flatten(err); e.Code != pgerror.FeatureNotSupported {
		t.Errorf("got %v", err)
	}
}
