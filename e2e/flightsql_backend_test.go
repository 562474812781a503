//go:build duckdb_arrow

package e2e

// quiver on the Flight SQL backend, end to end: the Apache Arrow example
// Flight SQL server (SQLite-backed, from arrow-go) runs in-process on
// loopback, quiver serves PostgreSQL clients in front of it, and what psql
// and pgx read through quiver is compared with what the ADBC Flight SQL
// driver reads from the server directly.

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-adbc/go/adbc"
	adbcflightsql "github.com/apache/arrow-adbc/go/adbc/driver/flightsql"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	arrowflightsql "github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql/example"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"google.golang.org/grpc/codes"

	"github.com/quiverdb/quiver/backends/flightsql"
	"github.com/quiverdb/quiver/internal/quivertest"
	"github.com/quiverdb/quiver/internal/testenv"
)

// flightEnv is quiver on the Flight SQL backend in front of the example
// server, and a direct ADBC connection to the same server.
type flightEnv struct {
	q      *quivertest.Server
	direct adbc.Connection
	mem    memory.Allocator
}

// startFlightSQLBackend starts the example server, quiver in front of it
// and a direct ADBC connection; everything stops when the test ends, and
// the checked allocators of the backend and the direct client must be
// empty by then.
func startFlightSQLBackend(t *testing.T) *flightEnv {
	t.Helper()
	db, err := example.CreateDB()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	impl, err := example.NewSQLiteFlightSQLServer(db)
	if err != nil {
		t.Fatal(err)
	}
	srv := flight.NewServerWithMiddleware(nil)
	srv.RegisterFlightService(arrowflightsql.NewFlightServer(impl))
	if err := srv.Init("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	t.Cleanup(srv.Shutdown)
	uri := "grpc://" + srv.Addr().String()

	// Cleanups run last-in first-out: quiver stops, then the backend
	// closes, then its allocator must be empty, then the server stops.
	beMem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	t.Cleanup(func() { beMem.AssertSize(t, 0) })
	be, err := flightsql.Open(uri, flightsql.Options{Allocator: beMem, ConnectTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := be.Close(); err != nil {
			t.Error(err)
		}
	})
	q := quivertest.Start(t, quivertest.Options{Backend: be})

	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	adb, err := adbcflightsql.NewDriver(mem).NewDatabase(map[string]string{adbc.OptionKeyURI: uri})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { adb.Close() })
	// The driver logs failed calls to stderr; the test checks the errors.
	adb.(adbc.DatabaseLogging).SetLogger(slog.New(slog.DiscardHandler))
	cnxn, err := adb.Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cnxn.Close() })
	return &flightEnv{q: q, direct: cnxn, mem: mem}
}

// psql runs script through the real psql against quiver, unaligned, with
// '|' between fields and NULL printed as (null).
func (e *flightEnv) psql(t *testing.T, script string) string {
	t.Helper()
	return psqlRun(t, e.q.Host, e.q.Port, "me", "quiver", script, "-A", "-F", "|", "-P", "null=(null)")
}

// directQuery reads sql from the server with the ADBC driver, binding
// params (nil for none) to a prepared statement, and returns the column
// names and the rows rendered by pgText.
func (e *flightEnv) directQuery(t *testing.T, sql string, params ...any) ([]string, [][]string) {
	t.Helper()
	names, _, rows := e.directQueryTyped(t, sql, params...)
	return names, rows
}

// directQueryTyped is directQuery that also returns the columns' types.
func (e *flightEnv) directQueryTyped(t *testing.T, sql string, params ...any) ([]string, []arrow.Type, [][]string) {
	t.Helper()
	st := e.statement(t, sql, params)
	defer st.Close()
	rr, _, err := st.ExecuteQuery(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer rr.Release()
	var names []string
	var types []arrow.Type
	for _, f := range rr.Schema().Fields() {
		names, types = append(names, f.Name), append(types, f.Type.ID())
	}
	var rows [][]string
	for rr.Next() {
		rec := rr.RecordBatch()
		for i := range int(rec.NumRows()) {
			row := make([]string, rec.NumCols())
			for j, col := range rec.Columns() {
				row[j] = pgText(t, arrowValue(t, col, i))
			}
			rows = append(rows, row)
		}
	}
	if err := rr.Err(); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return names, types, rows
}

// directExec runs an update with the ADBC driver and returns the row count
// the server reports.
func (e *flightEnv) directExec(t *testing.T, sql string, params ...any) int64 {
	t.Helper()
	st := e.statement(t, sql, params)
	defer st.Close()
	n, err := st.ExecuteUpdate(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// statement is an ADBC statement of sql on the direct connection, prepared
// with params bound when there are some.
func (e *flightEnv) statement(t *testing.T, sql string, params []any) adbc.Statement {
	t.Helper()
	ctx := context.Background()
	st, err := e.direct.NewStatement()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetSqlQuery(sql); err != nil {
		t.Fatal(err)
	}
	if len(params) > 0 {
		if err := st.Prepare(ctx); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		rec := paramBatch(t, e.mem, params)
		defer rec.Release()
		if err := st.Bind(ctx, rec); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	return st
}

// paramBatch is a one-row batch of parameters: int64, float64, and
// string (nil is a NULL string).
func paramBatch(t *testing.T, mem memory.Allocator, params []any) arrow.RecordBatch {
	t.Helper()
	fields := make([]arrow.Field, len(params))
	cols := make([]arrow.Array, len(params))
	for i, p := range params {
		name := "$" + strconv.Itoa(i+1)
		switch v := p.(type) {
		case int:
			b := array.NewInt64Builder(mem)
			b.Append(int64(v))
			fields[i], cols[i] = arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Int64, Nullable: true}, b.NewArray()
			b.Release()
		case float64:
			b := array.NewFloat64Builder(mem)
			b.Append(v)
			fields[i], cols[i] = arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Float64, Nullable: true}, b.NewArray()
			b.Release()
		case string, nil:
			b := array.NewStringBuilder(mem)
			if v, ok := p.(string); ok {
				b.Append(v)
			} else {
				b.AppendNull()
			}
			fields[i], cols[i] = arrow.Field{Name: name, Type: arrow.BinaryTypes.String, Nullable: true}, b.NewArray()
			b.Release()
		default:
			t.Fatalf("parameter %T", p)
		}
	}
	rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, 1)
	for _, c := range cols {
		c.Release()
	}
	return rec
}

// arrowValue is row i of col as the Go value pgx decodes the same
// PostgreSQL type to.
func arrowValue(t *testing.T, col arrow.Array, i int) any {
	t.Helper()
	if col.IsNull(i) {
		return nil
	}
	switch c := col.(type) {
	case *array.Int64:
		return c.Value(i)
	case *array.Int32:
		return int64(c.Value(i))
	case *array.Float64:
		return c.Value(i)
	case *array.String:
		return c.Value(i)
	case *array.Binary:
		return c.Value(i)
	}
	t.Fatalf("no rendering for Arrow type %s", col.DataType())
	return nil
}

// pgText renders a value as PostgreSQL's output function prints it: int8
// in decimal, float8 as float8out does (the shortest decimal that reads
// back exactly, in exponent notation below 1e-4 and from 1e15 on), text as
// is, bytea in hex, NULL as psql's null=(null).
func pgText(t *testing.T, v any) string {
	t.Helper()
	switch v := v.(type) {
	case nil:
		return "(null)"
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return float8Text(v)
	case string:
		return v
	case []byte:
		return `\x` + hex.EncodeToString(v)
	}
	t.Fatalf("no rendering for %T", v)
	return ""
}

// float8Text is PostgreSQL's float8out with the default extra_float_digits.
func float8Text(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	// Shortest round-trip digits and decimal exponent, from Go's %e.
	e := strconv.FormatFloat(f, 'e', -1, 64)
	mant, exps, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(exps)
	if exp < -4 || exp >= 15 {
		sign := "+"
		if exp < 0 {
			sign, exp = "-", -exp
		}
		return fmt.Sprintf("%se%s%02d", mant, sign, exp)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// psqlTable is how psql -A prints a result: the header, the rows and the
// row count.
func psqlTable(names []string, rows [][]string) string {
	var b strings.Builder
	b.WriteString(strings.Join(names, "|") + "\n")
	for _, r := range rows {
		b.WriteString(strings.Join(r, "|") + "\n")
	}
	if len(rows) == 1 {
		b.WriteString("(1 row)\n")
	} else {
		fmt.Fprintf(&b, "(%d rows)\n", len(rows))
	}
	return b.String()
}

// kindsSQL creates and fills the table the test reads: every storage class
// SQLite has (integer, real, text, blob) and NULLs. Row 3's NULL blob
// reaches every client, the ADBC driver too, as an empty blob: the example
// server's batch reader tests the *[]byte it scans into for nil rather
// than the slice (sql_batch_reader.go), so it never appends a NULL.
const kindsSQL = `CREATE TABLE kinds (id INTEGER PRIMARY KEY, n INTEGER, r REAL, s TEXT, b BLOB);
INSERT INTO kinds VALUES
 (1, 42, 1.5, 'one', x'00ff10'),
 (2, -7, 0.1, 'two words', x'01'),
 (3, NULL, NULL, NULL, NULL),
 (4, 9223372036854775807, 1e300, 'üñí ✓', x'deadbeef'),
 (5, 0, -2.5e-7, '', x'02'),
 (6, -9223372036854775808, 123456789012345678, 'six', x'0607'),
 (7, 1234567, 100000, 'seven', x'07'),
 (8, 8, 0.0001, 'eight', x'08');
`

// TestFlightSQLBackend runs psql and pgx through quiver on the Flight SQL
// backend against the Apache Arrow example server, and compares every
// result, command tag and error with what the ADBC Flight SQL driver reads
// from the server directly.
//
// psql 15 has no \\bind, and SQL-level PREPARE/EXECUTE go to the server as
// they are (SQLite has neither), so prepared statements with parameters are
// exercised through pgx.
func TestFlightSQLBackend(t *testing.T) {
	t.Run("float8_rendering", testFloat8Text)
	e := startFlightSQLBackend(t)
	got := e.psql(t, "\\set QUIET off\n"+kindsSQL)
	if want := "CREATE TABLE\nINSERT 0 8\n"; got != want {
		t.Fatalf("creating the table through quiver:\n got %q\nwant %q", got, want)
	}
	t.Run("psql", func(t *testing.T) {
		for _, c := range []struct {
			sql string
			// names, when set, are the column names quiver gives: it names
			// result columns as PostgreSQL does from the parse tree
			// (FigureColname in parse_target.c), where unquoted identifiers
			// fold to lower case and an unaliased expression is
			// "?column?", while SQLite keeps the spelling and names an
			// expression by its text.
			names []string
		}{
			{sql: "SELECT id, n, r, s, b FROM kinds ORDER BY id"},
			{sql: "SELECT id, s FROM kinds WHERE id > 100"},
			{sql: "SELECT id, n, r, s, b FROM kinds WHERE n IS NULL"},
			{sql: "SELECT s, r, id FROM kinds WHERE r < 1 ORDER BY r DESC"},
			{sql: "SELECT count(*) AS c, max(r) AS m, min(s) AS x FROM kinds"},
			{sql: "SELECT n * 2 AS m, r / 4 AS q, length(s) AS l, hex(b) AS h FROM kinds WHERE id IN (1, 2, 3, 5, 7) ORDER BY id"},
			{sql: `SELECT id, "keyName", value FROM intTable ORDER BY id`},
			{sql: "SELECT id, keyName, value FROM intTable ORDER BY id", names: []string{"id", "keyname", "value"}},
			// No bare NULL column: the example server types it as Arrow null,
			// which its batch reader cannot fill, and fails the read.
			{sql: "SELECT 1, 'a' || 'b', 2.5 * 2", names: []string{"?column?", "?column?", "?column?"}},
			// Several record batches: the example server sends 1,024 rows
			// in each.
			{sql: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000) SELECT x, x * 0.5 AS h, 'r' || x AS t FROM c"},
		} {
			names, rows := e.directQuery(t, c.sql)
			if c.names != nil {
				names = c.names
			}
			want := psqlTable(names, rows)
			if got := e.psql(t, c.sql+";\n"); got != want {
				t.Errorf("%s\n--- ADBC, directly:\n%s--- psql through quiver:\n%s", c.sql, want, got)
			} else if testing.Verbose() && len(rows) < 20 {
				t.Logf("%s\n%s", c.sql, got)
			}
		}
	})
	t.Run("psql_updates", func(t *testing.T) { testPsqlUpdates(t, e) })
	t.Run("psql_errors", func(t *testing.T) { testPsqlErrors(t, e) })
	t.Run("pgx_param_types", func(t *testing.T) { testPgxParamTypes(t, e) })
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeSimpleProtocol} {
		t.Run("pgx_"+mode.String(), func(t *testing.T) { testPgx(t, e, mode) })
	}
}

// updateCases are run through psql on one table and with the ADBC driver
// on a twin table; %s is the table.
var updateCases = []string{
	"INSERT INTO %s (id, v, note) VALUES (1, 10, 'a'), (2, 20, 'b'), (3, 30, NULL), (4, 40, 'd')",
	"UPDATE %s SET v = v + 1 WHERE v >= 20",
	"UPDATE %s SET note = 'none' WHERE note IS NULL",
	"DELETE FROM %s WHERE id = 1",
	"DELETE FROM %s WHERE id = 99",
	"UPDATE %s SET v = 0 WHERE id > 100",
	"INSERT INTO %s (id, v, note) SELECT id + 10, v * 2, note FROM %[1]s WHERE v > 30",
}

// commandTag is the tag PostgreSQL sends for sql affecting n rows.
func commandTag(sql string, n int64) string {
	verb, _, _ := strings.Cut(sql, " ")
	if verb == "INSERT" {
		return fmt.Sprintf("INSERT 0 %d", n)
	}
	return fmt.Sprintf("%s %d", verb, n)
}

func testPsqlUpdates(t *testing.T, e *flightEnv) {
	const q, d = "changes_q", "changes_d"
	script := "\\set QUIET off\n"
	var want strings.Builder
	for _, tbl := range []string{q, d} {
		create := fmt.Sprintf("CREATE TABLE %s (id INTEGER PRIMARY KEY, v INTEGER, note TEXT)", tbl)
		if tbl == q {
			script += create + ";\n"
			want.WriteString("CREATE TABLE\n")
		} else {
			e.directExec(t, create)
		}
	}
	for _, c := range updateCases {
		script += fmt.Sprintf(c, q) + ";\n"
		sql := fmt.Sprintf(c, d)
		want.WriteString(commandTag(sql, e.directExec(t, sql)) + "\n")
	}
	sel := "SELECT id, v, note FROM %s ORDER BY id"
	script += fmt.Sprintf(sel, q) + ";\n"
	names, rows := e.directQuery(t, fmt.Sprintf(sel, d))
	if len(rows) != 5 {
		t.Fatalf("the twin table has %d rows, want 5: %q", len(rows), rows)
	}
	want.WriteString(psqlTable(names, rows))
	got := e.psql(t, script)
	if got != want.String() {
		t.Fatalf("updates\n--- ADBC, directly:\n%s--- psql through quiver:\n%s", want.String(), got)
	}
	if testing.Verbose() {
		t.Logf("\n%s", got)
	}
}

// errorCases fail on the example server. SQLite's errors reach Flight SQL
// clients as gRPC status Unknown with no SQLSTATE, which quiver reports
// as XX000 (internal_error); PostgreSQL itself would say 42601, 42P01 and
// 23505.
var errorCases = []string{
	"SELEC 1",
	"SELECT * FROM no_such_table",
	"SELECT nope FROM kinds",
	"INSERT INTO kinds (id) VALUES (1)",
}

// directError runs sql with the ADBC driver, which must fail, and returns
// the server's message and the SQLSTATE quiver's table gives its gRPC
// status code.
func (e *flightEnv) directError(t *testing.T, sql string) (msg, state string) {
	t.Helper()
	st := e.statement(t, sql, nil)
	defer st.Close()
	var err error
	if strings.HasPrefix(sql, "INSERT") {
		_, err = st.ExecuteUpdate(context.Background())
	} else {
		var rr array.RecordReader
		if rr, _, err = st.ExecuteQuery(context.Background()); err == nil {
			for rr.Next() {
			}
			err = rr.Err()
			rr.Release()
		}
	}
	var ae adbc.Error
	if !errors.As(err, &ae) {
		t.Fatalf("%s: error %v, want an adbc.Error", sql, err)
	}
	state, ok := flightsql.GRPCCodes[codes.Code(ae.VendorCode)]
	if !ok || ae.SqlState != [5]byte{} {
		t.Fatalf("%s: error %#v, want a gRPC status and no SQLSTATE", sql, ae)
	}
	return ae.Msg, state
}

func testPsqlErrors(t *testing.T, e *flightEnv) {
	script := "\\set VERBOSITY terse\n"
	for _, sql := range errorCases {
		script += sql + ";\n\\echo :SQLSTATE\n"
	}
	// The session continues after the errors.
	const after = "SELECT id, s FROM kinds WHERE id = 1"
	script += after + ";\n"
	got := e.psql(t, script)
	lines := strings.Split(got, "\n")
	for i, sql := range errorCases {
		if len(lines) < 2*i+2 {
			t.Fatalf("psql printed too little:\n%s", got)
		}
		msg, state := e.directError(t, sql)
		pmsg, ok := strings.CutPrefix(lines[2*i], "ERROR:  ")
		if !ok || pmsg == "" || !strings.Contains(msg, pmsg) || lines[2*i+1] != state || state != "XX000" {
			t.Errorf("%s: psql printed %q, %q; the server said %q, SQLSTATE %s", sql, lines[2*i], lines[2*i+1], msg, state)
		}
	}
	names, rows := e.directQuery(t, after)
	if rest, want := strings.Join(lines[2*len(errorCases):], "\n"), psqlTable(names, rows); rest != want {
		t.Errorf("after the errors, psql printed\n%s\nwant\n%s", rest, want)
	}
	if testing.Verbose() {
		t.Logf("\n%s", got)
	}
}

// flightPgxCases are parameterised queries, each run with several argument
// sets. The example server describes neither parameters nor results, so
// quiver learns a parameter's type only from a cast around it, as
// PostgreSQL does for a parameter nothing else types: CAST($1 AS BIGINT)
// is int8 and CAST($1 AS INTEGER) int4, while a bare $2 is text. (pgx
// cannot send a Go int as text, so int arguments need the cast; see
// testPgxParamTypes.)
var flightPgxCases = []struct {
	sql  string
	args [][]any
}{
	{"SELECT id, n, r, s, b FROM kinds WHERE id >= CAST($1 AS BIGINT) AND s <> $2 ORDER BY id",
		[][]any{{2, "six"}, {5, "x"}, {100, "x"}}},
	{"SELECT id, s FROM kinds WHERE n > CAST($1 AS INTEGER) OR s = $2 ORDER BY id",
		[][]any{{0, "two words"}, {-8, ""}, {1000, "nothing"}}},
	{"SELECT b, r, n FROM kinds WHERE id = CAST($1 AS BIGINT)",
		[][]any{{3}, {4}, {6}}},
	{"SELECT s FROM kinds WHERE s = $1", [][]any{{"üñí ✓"}, {""}}},
	{"SELECT id FROM kinds WHERE ($1 IS NULL AND s IS NULL) OR s = $1 ORDER BY id", [][]any{{nil}, {"one"}}},
	{"SELECT id, r FROM kinds WHERE r > CAST($1 AS DOUBLE PRECISION) ORDER BY r", [][]any{{0.05}, {-1.0}}},
	{`SELECT id, "keyName" FROM intTable WHERE value >= CAST($1 AS BIGINT) ORDER BY id`, [][]any{{0}, {-1}}},
}

// pgxRows runs sql through pgx and returns the column names and the rows
// rendered by pgText.
func pgxRows(t *testing.T, c *pgx.Conn, sql string, args []any) ([]string, []uint32, [][]string) {
	t.Helper()
	rows, err := c.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%s %v: %v", sql, args, err)
	}
	defer rows.Close()
	var names []string
	var oids []uint32
	for _, f := range rows.FieldDescriptions() {
		names, oids = append(names, f.Name), append(oids, f.DataTypeOID)
	}
	var out [][]string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatalf("%s %v: %v", sql, args, err)
		}
		row := make([]string, len(vals))
		for i, v := range vals {
			row[i] = pgText(t, v)
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s %v: %v", sql, args, err)
	}
	return names, oids, out
}

// connectPgx connects pgx to quiver in mode.
func connectPgx(t *testing.T, url string, mode pgx.QueryExecMode) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DefaultQueryExecMode = mode
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(ctx) })
	return c
}

// arrowOIDs are the PostgreSQL types quiver gives the Arrow types the
// example server sends.
var arrowOIDs = map[arrow.Type]uint32{arrow.INT64: 20, arrow.FLOAT64: 701, arrow.STRING: 25, arrow.BINARY: 17}

func testPgx(t *testing.T, e *flightEnv, mode pgx.QueryExecMode) {
	c := connectPgx(t, e.q.URL(), mode)
	for _, pc := range flightPgxCases {
		for _, args := range pc.args {
			wantNames, wantTypes, wantRows := e.directQueryTyped(t, pc.sql, args...)
			// Twice: in cache_statement mode the second run reuses the
			// prepared statement.
			for range 2 {
				names, oids, rows := pgxRows(t, c, pc.sql, args)
				if got, want := fmt.Sprint(names, rows), fmt.Sprint(wantNames, wantRows); got != want {
					t.Fatalf("%s %v\n ADBC, directly: %s\n pgx:            %s", pc.sql, args, want, got)
				}
				for i, typ := range wantTypes {
					if oids[i] != arrowOIDs[typ] {
						t.Errorf("%s: column %s has type OID %d, want %d for %s", pc.sql, names[i], oids[i], arrowOIDs[typ], typ)
					}
				}
			}
		}
	}

	// Updates with parameters report the rows they changed; the twin
	// table gets the same statements through ADBC.
	ctx := context.Background()
	suffix := strings.ReplaceAll(mode.String(), " ", "_")
	tq, td := "pgx_"+suffix, "pgx_direct_"+suffix
	for _, tbl := range []string{tq, td} {
		e.directExec(t, fmt.Sprintf("CREATE TABLE %s (id INTEGER PRIMARY KEY, v INTEGER, note TEXT)", tbl))
	}
	for _, u := range []struct {
		sql  string
		args [][]any
	}{
		{"INSERT INTO %s (id, v, note) VALUES (CAST($1 AS BIGINT), CAST($2 AS BIGINT), $3)", [][]any{{1, 10, "a"}, {2, 20, "b"}, {3, 30, "c"}}},
		{"UPDATE %s SET v = v + CAST($1 AS BIGINT) WHERE v >= CAST($2 AS BIGINT)", [][]any{{5, 20}, {1, 100}}},
		{"DELETE FROM %s WHERE note = $1", [][]any{{"a"}, {"zzz"}}},
	} {
		for _, args := range u.args {
			want := commandTag(u.sql, e.directExec(t, fmt.Sprintf(u.sql, td), args...))
			tag, err := c.Exec(ctx, fmt.Sprintf(u.sql, tq), args...)
			if err != nil {
				t.Fatalf("%s %v: %v", u.sql, args, err)
			}
			if tag.String() != want {
				t.Errorf("%s %v: tag %q, want %q", u.sql, args, tag, want)
			}
		}
	}
	_, _, want := e.directQueryTyped(t, "SELECT id, v, note FROM "+td+" ORDER BY id")
	_, _, got := pgxRows(t, c, "SELECT id, v, note FROM "+tq+" ORDER BY id", nil)
	if fmt.Sprint(got) != fmt.Sprint(want) || len(got) != 2 {
		t.Errorf("after the updates\n ADBC, directly: %v\n pgx:            %v", want, got)
	}

	// Errors carry the SQLSTATE, and the connection goes on.
	for _, sql := range errorCases {
		_, err := c.Exec(ctx, sql)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "XX000" {
			t.Errorf("%s: error %v, want SQLSTATE XX000", sql, err)
		}
		if _, _, rows := pgxRows(t, c, "SELECT id FROM kinds WHERE id = CAST($1 AS BIGINT)", []any{7}); fmt.Sprint(rows) != "[[7]]" {
			t.Errorf("after %s: rows %v", sql, rows)
		}
	}
}

// testPgxParamTypes checks the ParameterDescription and RowDescription
// quiver gives a statement the example server prepares without describing
// it: parameter types come from casts (PostgreSQL's names for the types
// SQLite's CAST understands), other parameters are text, and result types
// come from the Arrow schema quiver reads from the server.
func testPgxParamTypes(t *testing.T, e *flightEnv) {
	c := connectPgx(t, e.q.URL(), pgx.QueryExecModeCacheStatement)
	ctx := context.Background()
	for _, tc := range []struct {
		sql          string
		params, cols []uint32
	}{
		{"SELECT id, n, r, s, b FROM kinds WHERE id >= CAST($1 AS BIGINT) AND s <> $2", []uint32{20, 25}, []uint32{20, 20, 701, 25, 17}},
		{"SELECT s FROM kinds WHERE n > CAST($1 AS INTEGER)", []uint32{23}, []uint32{25}},
		{"SELECT id FROM kinds WHERE id = $1", []uint32{25}, []uint32{20}},
		{"UPDATE kinds SET s = $2 WHERE id = CAST($1 AS BIGINT)", []uint32{20, 25}, nil},
	} {
		sd, err := c.PgConn().Prepare(ctx, "", tc.sql, nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.sql, err)
		}
		var cols []uint32
		for _, f := range sd.Fields {
			cols = append(cols, f.DataTypeOID)
		}
		if fmt.Sprint(sd.ParamOIDs) != fmt.Sprint(tc.params) || fmt.Sprint(cols) != fmt.Sprint(tc.cols) {
			t.Errorf("%s: parameters %v, columns %v; want %v, %v", tc.sql, sd.ParamOIDs, cols, tc.params, tc.cols)
		}
	}
	// A Go int for a text parameter is refused by pgx itself, before
	// anything is sent; the connection goes on.
	if _, err := c.Exec(ctx, "SELECT id FROM kinds WHERE id = $1", 1); err == nil || !strings.Contains(err.Error(), "unable to encode 1 into text format for text (OID 25)") {
		t.Errorf("an int for a text parameter: error %v", err)
	}
	if _, _, rows := pgxRows(t, c, "SELECT id FROM kinds WHERE id = $1", []any{"1"}); fmt.Sprint(rows) != "[[1]]" {
		t.Errorf("a text argument for an integer column: rows %v, want [[1]]", rows)
	}
}

// testFloat8Text checks float8Text, which renders what the ADBC driver
// reads as psql prints float8, against a live PostgreSQL's float8out.
func testFloat8Text(t *testing.T) {
	pg := testenv.PG(t)
	c := pg.Connect(t, "postgres")
	for _, f := range []float64{1.5, 0.1, 1e300, -2.5e-7, 123456789012345678, 100000, 0.0001, 0.375, 0.025, -6.25e-8, 25000,
		1e15, 999999999999999, 123456789012345.6, 1e-5, 0.00012345, math.Copysign(0, -1), 5e-324, math.MaxFloat64, 1.0 / 3} {
		in := strconv.FormatFloat(f, 'g', -1, 64)
		res := c.ExecParams(context.Background(), "SELECT $1::float8", [][]byte{[]byte(in)}, nil, nil, nil).Read()
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		if got, want := float8Text(f), string(res.Rows[0][0]); got != want {
			t.Errorf("float8Text(%s) = %s, PostgreSQL prints %s", in, got, want)
		}
	}
}
