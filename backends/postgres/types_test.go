package postgres

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/types/pgarrow"
)

// typeCase is one PostgreSQL type with values to read through the backend
// and, for comparison, through pgx.
type typeCase struct {
	typ   string   // SQL type the text literals are cast to
	vals  []string // text literals; NULL is added
	arrow string   // expected Arrow type
	text  bool     // compare with the text output pgx reads (types Arrow holds as text)
}

var typeCases = []typeCase{
	{typ: "bool", vals: []string{"t", "f"}, arrow: "bool"},
	{typ: "int2", vals: []string{"0", "-32768", "32767"}, arrow: "int16"},
	{typ: "int4", vals: []string{"-2147483648", "2147483647", "7"}, arrow: "int32"},
	{typ: "int8", vals: []string{"-9223372036854775808", "9223372036854775807", "0"}, arrow: "int64"},
	{typ: "oid", vals: []string{"0", "4294967295"}, arrow: "uint32"},
	{typ: "float4", vals: []string{"1.5", "-0", "NaN", "Infinity", "-Infinity", "3.4028235e38", "1e-45"}, arrow: "float32"},
	{typ: "float8", vals: []string{"1e308", "5e-324", "NaN", "-Infinity", "0.1"}, arrow: "float64"},
	{typ: "numeric(10,2)", vals: []string{"12345678.90", "-0.01", "0", "99999999.99", "-99999999.99"}, arrow: "decimal(10, 2)"},
	{typ: "numeric(38,0)", vals: []string{strings.Repeat("9", 38), "-" + strings.Repeat("9", 38), "1"}, arrow: "decimal(38, 0)"},
	{typ: "numeric(38,38)", vals: []string{"0." + strings.Repeat("9", 38), "-0.00000000000000000000000000000000000001"}, arrow: "decimal(38, 38)"},
	{typ: "numeric(50,10)", vals: []string{strings.Repeat("9", 40) + "." + strings.Repeat("9", 10), "-1.0000000001", "0"}, arrow: "decimal256(50, 10)"},
	{typ: "numeric(76,3)", vals: []string{"-" + strings.Repeat("9", 73) + ".999"}, arrow: "decimal256(76, 3)"},
	{typ: "numeric(5,-2)", vals: []string{"12300", "-9999900"}, arrow: "decimal(7, 0)"},
	{typ: "numeric(7,3)", vals: []string{"1.5", "0.001", "-1234.567"}, arrow: "decimal(7, 3)"},
	{typ: "numeric", vals: []string{"1.50", "-0.000001", "NaN", "Infinity", "-Infinity", "0", "0.0000",
		"123456789012345678901234567890.123456789", "1e-20", "10000", "100000000.00000001"}, arrow: "utf8", text: true},
	{typ: "text", vals: []string{"", "héllo wörld", "a\nb", "\\x41"}, arrow: "utf8"},
	{typ: "varchar(5)", vals: []string{"abc", ""}, arrow: "utf8"},
	{typ: "bpchar(5)", vals: []string{"ab"}, arrow: "utf8"},
	{typ: "name", vals: []string{"pg_class"}, arrow: "utf8"},
	{typ: "bytea", vals: []string{"\\x00ff10", ""}, arrow: "binary"},
	{typ: "date", vals: []string{"2000-01-01", "1970-01-01", "0001-01-01", "4713-01-01 BC", "5874897-12-31", "infinity", "-infinity"}, arrow: "date32"},
	{typ: "time", vals: []string{"00:00", "23:59:59.999999", "24:00:00", "12:34:56.5"}, arrow: "time64[us]"},
	{typ: "timestamp", vals: []string{"2000-01-01 00:00", "1970-01-01", "1969-12-31 23:59:59.999999", "200000-01-01", "4713-01-01 00:00 BC", "infinity", "-infinity"}, arrow: "timestamp[us]"},
	{typ: "timestamptz", vals: []string{"2024-05-06 07:08:09.123456+02", "infinity", "1900-01-01 00:00Z"}, arrow: "timestamp[us, tz=UTC]"},
	{typ: "interval", vals: []string{"1 year 2 mons 3 days 04:05:06.789", "-1 day", "178000000 years", "-00:00:00.000001"}, arrow: "month_day_nano_interval"},
	{typ: "uuid", vals: []string{"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "00000000-0000-0000-0000-000000000000"}, arrow: "extension<arrow.uuid>"},
	{typ: "json", vals: []string{`{"a": 1}`, "[1, 2]", `"s"`}, arrow: "extension<arrow.json[storage_type=utf8]>"},
	{typ: "jsonb", vals: []string{`{"b": [1, 2, {"c": null}]}`, "3.5"}, arrow: "extension<arrow.json[storage_type=utf8]>"},
	{typ: "int4[]", vals: []string{"{1,NULL,3}", "{}", "{NULL}"}, arrow: "list<item: int32, nullable>"},
	{typ: "text[]", vals: []string{`{"a b",NULL,""}`}, arrow: "list<item: utf8, nullable>"},
	{typ: "numeric(6,2)[]", vals: []string{"{1.5,NULL,-9999.99}"}, arrow: "list<item: decimal(6, 2), nullable>"},
	{typ: "date[]", vals: []string{"{2000-01-01,infinity}"}, arrow: "list<item: date32, nullable>"},
	{typ: "uuid[]", vals: []string{"{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}"}, arrow: "list<item: extension<arrow.uuid>, nullable>"},
	{typ: "timestamptz[]", vals: []string{"{2024-01-01 00:00Z,-infinity}"}, arrow: "list<item: timestamp[us, tz=UTC], nullable>"},
	{typ: "int4[]", vals: []string{"[0:1]={5,6}"}, arrow: "list<item: int32, nullable>"},
	{typ: "mood", vals: []string{"sad", "happy"}, arrow: "utf8"},
	{typ: "mood[]", vals: []string{"{sad,NULL}"}, arrow: "list<item: utf8, nullable>"},
	{typ: "money2", vals: []string{"1.25"}, arrow: "decimal(8, 2)"},
	{typ: "inet", vals: []string{"192.168.0.1/24", "::1"}, arrow: "utf8", text: true},
	{typ: "int4range", vals: []string{"[1,5)", "empty"}, arrow: "utf8", text: true},
	{typ: "timetz", vals: []string{"04:05:06+02"}, arrow: "utf8", text: true},
	{typ: "money", vals: []string{"12.34"}, arrow: "utf8", text: true},
	{typ: `"char"`, vals: []string{"a"}, arrow: "utf8", text: true},
	{typ: "inet[]", vals: []string{"{10.0.0.1,NULL}"}, arrow: "utf8", text: true},
	{typ: "pair", vals: []string{"(1,x)"}, arrow: "utf8", text: true},
}

// typeSQL selects the case's values in order; $1 is 0 when the statement
// has a parameter.
func typeSQL(c typeCase, param bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "SELECT v::%s AS v FROM (VALUES ", c.typ)
	for i, v := range c.vals {
		fmt.Fprintf(&b, "(%d, '%s'), ", i, strings.ReplaceAll(v, "'", "''"))
	}
	fmt.Fprintf(&b, "(%d, NULL)) t(n, v)", len(c.vals))
	if param {
		b.WriteString(" WHERE n >= $1")
	}
	b.WriteString(" ORDER BY n")
	return b.String()
}

func setupTypes(e *env) *pgx.Conn {
	e.exec(`CREATE TYPE mood AS ENUM ('sad', 'happy');
		CREATE DOMAIN money2 AS numeric(8,2);
		CREATE TYPE pair AS (a int, b text)`)
	conn := e.pgx()
	for _, name := range []string{"mood", "_mood"} {
		typ, err := conn.LoadType(context.Background(), name)
		if err != nil {
			e.t.Fatal(err)
		}
		conn.TypeMap().RegisterType(typ)
	}
	return conn
}

// TestTypes reads every mapped type through the backend, by COPY (Query and
// a prepared statement) and by the extended protocol (a statement with a
// parameter), and compares the values with what pgx reads.
func TestTypes(t *testing.T) {
	e := newEnv(t, Options{})
	conn := setupTypes(e)
	ctx := context.Background()
	for _, c := range typeCases {
		t.Run(c.typ, func(t *testing.T) {
			args := []any{0}
			if c.text { // compare with the type's own text output
				args = []any{pgx.QueryResultFormats{pgx.TextFormatCode}, 0}
			}
			want := pgxRows(t, conn, typeSQL(c, true), c.text, args...)
			check := func(how string, res *backends.Result, err error) {
				t.Helper()
				if err != nil {
					t.Fatalf("%s: %v", how, err)
				}
				f := res.Rows.Schema().Field(0)
				if got := f.Type.String(); got != c.arrow {
					t.Errorf("%s: Arrow type %s, want %s", how, got, c.arrow)
				}
				if oid, _ := f.Metadata.GetValue(backends.MetaPGType); oid == "" {
					t.Errorf("%s: no %s metadata", how, backends.MetaPGType)
				}
				got := readAll(t, res)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s:\n got %v\nwant %v", how, got, want)
				}
			}
			before := e.sess.Stats()
			res, err := e.sess.Query(ctx, typeSQL(c, false))
			check("query", res, err)
			// Only columns read in text format keep a query from COPY;
			// unconstrained numeric is binary, decoded to its text.
			wantCopy := !c.text || c.typ == "numeric"
			if copied := e.sess.Stats().Copy - before.Copy; (copied == 1) != wantCopy {
				t.Errorf("query used COPY %d times, want %v", copied, wantCopy)
			}
			st, err := e.sess.Prepare(ctx, typeSQL(c, false), nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err = st.Execute(ctx, nil)
			check("prepared", res, err)
			st.Close()
			res, err = executeZero(t, e, typeSQL(c, true))
			check("extended", res, err)
		})
	}
}

// executeZero prepares sql, which has one parameter, on the test's
// session and executes it with the int8 0 (by the extended protocol, as
// statements with parameters are). The statement is closed when the test
// ends.
func executeZero(t *testing.T, e *env, sql string) (*backends.Result, error) {
	t.Helper()
	st, err := e.sess.Prepare(context.Background(), sql, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	params := oneRow(t, e.mem, arrow.PrimitiveTypes.Int64, int64(0))
	defer params.Release()
	return st.Execute(context.Background(), params)
}

// pgxRows reads a query's rows with pgx, each value as Rows.Values gives
// it, normalised by norm; raw takes the values' raw text instead (with
// args asking for the text format), for types Arrow holds as text.
func pgxRows(t *testing.T, conn *pgx.Conn, sql string, raw bool, args ...any) [][]any {
	t.Helper()
	rows, err := conn.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		for i := range vals {
			if raw {
				vals[i] = nil
				if b := rows.RawValues()[i]; b != nil {
					vals[i] = string(b)
				}
			}
			vals[i] = norm(vals[i])
		}
		out = append(out, vals)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// oneRow makes a one-row, one-column batch.
func oneRow(t testing.TB, mem memory.Allocator, typ arrow.DataType, v any) arrow.RecordBatch {
	t.Helper()
	b := array.NewRecordBuilder(mem, arrow.NewSchema([]arrow.Field{{Name: "p", Type: typ, Nullable: true}}, nil))
	defer b.Release()
	switch x := v.(type) {
	case nil:
		b.Field(0).AppendNull()
	case int64:
		b.Field(0).(*array.Int64Builder).Append(x)
	case int32:
		b.Field(0).(*array.Int32Builder).Append(x)
	case string:
		b.Field(0).(*array.StringBuilder).Append(x)
	case float64:
		b.Field(0).(*array.Float64Builder).Append(x)
	default:
		t.Fatalf("oneRow: %T", v)
	}
	return b.NewRecordBatch()
}

// TestTypeErrors checks the documented failures for values Arrow cannot
// hold.
func TestTypeErrors(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	for _, c := range []struct{ sql, code string }{
		{"SELECT 'NaN'::numeric(10,2)", pgerror.NumericValueOutOfRange},
		{"SELECT '294276-12-31 23:59:59'::timestamp", pgerror.DatetimeFieldOverflow},
		{"SELECT '2562047788 hours'::interval", "22015"},
		{"SELECT ARRAY[[1,2],[3,4]]", pgerror.ArraySubscriptError},
	} {
		res, err := e.sess.Query(ctx, c.sql)
		if err == nil {
			for res.Rows.Next() {
			}
			err = res.Rows.Err()
			res.Rows.Release()
		}
		if got := pgerror.Code(err); got != c.code {
			t.Errorf("%s: got %s (%v), want %s", c.sql, got, err, c.code)
		}
		// The session is still usable.
		readAll(t, mustQuery(t, e.sess, "SELECT 1"))
	}
}

func mustQuery(t *testing.T, s *Session, sql string) *backends.Result {
	t.Helper()
	res, err := s.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return res
}

// TestMultiDimensional reads a column declared int4[][] as nested lists.
func TestMultiDimensional(t *testing.T) {
	e := newEnv(t, Options{})
	e.exec(`CREATE TABLE m (a int4[][], b text[]); INSERT INTO m VALUES ('{{1,2},{3,NULL}}', '{x}'), ('{}', NULL), (NULL, '{}')`)
	res := mustQuery(t, e.sess, "SELECT a, b FROM m ORDER BY a NULLS LAST")
	if got := res.Rows.Schema().Field(0).Type.String(); got != "list<item: list<item: int32, nullable>, nullable>" {
		t.Errorf("type %s", got)
	}
	got := readAll(t, res)
	want := [][]any{{[]any{}, nil}, {[]any{int32(1), int32(2), int32(3), nil}, []any{"x"}}, {nil, []any{}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v want %v", got, want)
	}
}

// TestColumnMetadata checks the pg.* and Flight SQL field metadata.
func TestColumnMetadata(t *testing.T) {
	e := newEnv(t, Options{})
	e.exec(`CREATE SCHEMA s; CREATE TABLE s.t (id int8, price numeric(12,3), name varchar(20))`)
	res := mustQuery(t, e.sess, "SELECT id, price, name, 1 AS one FROM s.t")
	defer res.Rows.Release()
	f := res.Rows.Schema().Fields()
	md := func(i int, k string) string { v, _ := f[i].Metadata.GetValue(k); return v }
	for _, c := range []struct {
		i       int
		key     string
		want    string
		comment string
	}{
		{0, backends.MetaPGType, "20", "oid"},
		{0, backends.MetaPGTypmod, "-1", "typmod"},
		{0, pgarrow.MetaPGTypeName, "int8", "name"},
		{0, "ARROW:FLIGHT:SQL:TABLE_NAME", "t", "table"},
		{0, "ARROW:FLIGHT:SQL:SCHEMA_NAME", "s", "schema"},
		{0, "ARROW:FLIGHT:SQL:CATALOG_NAME", e.sess.database, "catalog"},
		{0, "ARROW:FLIGHT:SQL:TYPE_NAME", "int8", "type name"},
		{1, backends.MetaPGTypmod, fmt.Sprint(12<<16 | 3 + 4), "numeric typmod"},
		{1, "ARROW:FLIGHT:SQL:PRECISION", "12", "precision"},
		{1, "ARROW:FLIGHT:SQL:SCALE", "3", "scale"},
		{2, "ARROW:FLIGHT:SQL:PRECISION", "20", "varchar length"},
		{3, "ARROW:FLIGHT:SQL:TABLE_NAME", "", "no table for an expression"},
	} {
		if got := md(c.i, c.key); got != c.want {
			t.Errorf("%s: field %d %s = %q, want %q", c.comment, c.i, c.key, got, c.want)
		}
	}
}

// TestTypesInBatches reads many rows of the types the decoder stores in
// buffers of its own (and a few it does not), with NULLs that first appear
// late in a batch, after its buffers have grown, and in columns that are
// never or always NULL, cut into small batches, by COPY and by the
// extended protocol, and compares every value with what pgx reads. Every
// batch must be a valid Arrow batch.
func TestTypesInBatches(t *testing.T) {
	e := newEnv(t, Options{BatchBytes: 24 << 10})
	conn := e.pgx()
	ctx := context.Background()
	const sql = `SELECT i,
		CASE WHEN i % 1000 > 700 THEN NULL ELSE i::int2 END AS i2,
		CASE WHEN i % 997 = 0 THEN NULL ELSE i * 1000000007::int8 END AS i8,
		i::oid AS o,
		CASE WHEN i > 2500 THEN NULL ELSE i / 7.0::float4 END AS f4,
		CASE WHEN i % 3 = 0 THEN NULL ELSE i / 3.0::float8 END AS f8,
		'2000-01-01'::date + i AS d,
		CASE WHEN i % 500 = 499 THEN NULL ELSE '1999-12-31 23:00'::timestamp + i * interval '1 minute' END AS ts,
		('00:00'::time + i * interval '1 second')::time AS tm,
		CASE WHEN i % 11 = 0 THEN NULL ELSE repeat(chr(945 + i % 20), i % 40) END AS s,
		CASE WHEN i % 5 = 0 THEN NULL ELSE decode(md5(i::text), 'hex') END AS b,
		NULL::text AS nothing,
		md5(i::text) AS h,
		CASE WHEN i % 1000 = 999 THEN NULL ELSE repeat('x', i % 100) END AS x,
		(i * 1.25)::numeric(12,2) AS n
		FROM generate_series(1, 6000) i`
	want := pgxRows(t, conn, sql, false)
	check := func(how string, res *backends.Result, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", how, err)
		}
		valid := &validRows{RecordReader: res.Rows, t: t}
		res.Rows = valid
		got := readAll(t, res)
		if valid.batches < 5 {
			t.Errorf("%s: %d batches, want several", how, valid.batches)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d rows, want %d", how, len(got), len(want))
		}
		for r := range want {
			if !reflect.DeepEqual(got[r], want[r]) {
				t.Fatalf("%s: row %d:\n got %v\nwant %v", how, r, got[r], want[r])
			}
		}
	}
	before := e.sess.Stats()
	res, err := e.sess.Query(ctx, sql)
	check("copy", res, err)
	if e.sess.Stats().Copy == before.Copy {
		t.Error("the query was not read by COPY")
	}
	res, err = executeZero(t, e, sql+" WHERE i > $1")
	check("extended", res, err)
}

// validRows checks each batch of a RecordReader with array.ValidateFull
// and counts them.
type validRows struct {
	array.RecordReader
	t       *testing.T
	batches int
}

func (v *validRows) Next() bool {
	if !v.RecordReader.Next() {
		return false
	}
	v.batches++
	rec := v.RecordBatch()
	for i, c := range rec.Columns() {
		if err := array.ValidateFull(c); err != nil {
			v.t.Errorf("batch %d column %d: %v", v.batches, i, err)
		}
	}
	return true
}
