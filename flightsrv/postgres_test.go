package flightsrv

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql/schema_ref"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc/codes"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/backends/postgres"
	"github.com/quiverdb/quiver/internal/testenv"
)

// startPG serves a fresh database of the test PostgreSQL cluster through
// the postgres backend.
func startPG(t *testing.T, opts postgres.Options, edit func(*Config)) *testServer {
	t.Helper()
	pg := testenv.PG(t)
	be, err := postgres.Open(pg.URL(pg.CreateDB(t)), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { be.Close() })
	return startServer(t, be, edit)
}

const pgTypesQuery = `SELECT 1::int2 AS i2, 2::int4 AS i4, 3::int8 AS i8, 1.5::float4 AS f4, 2.25::float8 AS f8,
	12.345::numeric(10,3) AS dec, 'text'::text AS t, 'vc'::varchar(5) AS vc, '\x0102'::bytea AS b, true AS bool,
	DATE '2024-02-29' AS d, TIME '12:34:56.789' AS tm, TIMESTAMP '2024-02-29 12:34:56.789' AS ts,
	TIMESTAMPTZ '2024-02-29 12:34:56+00' AS tstz, INTERVAL '1 day 2 hours' AS iv, ARRAY[1, 2, 3] AS arr,
	'6a7c1e2a-1d5e-4c6e-9b1f-3c2d1e0f9a8b'::uuid AS u, '{"a": 1}'::jsonb AS j
	UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL`

func TestPGQuery(t *testing.T) {
	ts := startPG(t, postgres.Options{BatchBytes: 64 << 10}, nil)
	cl := ts.client(t)
	ctx := context.Background()

	sameAsBackend(t, ts, cl, pgTypesQuery)

	// Many batches, streamed.
	info, err := cl.Execute(ctx, "SELECT i, md5(i::text) AS h FROM generate_series(1, 300000) i")
	if err != nil {
		t.Fatal(err)
	}
	rec, batches := collect(t, ctx, cl, info)
	defer rec.Release()
	if rec.NumRows() != 300000 || batches < 10 {
		t.Errorf("%d rows in %d batches", rec.NumRows(), batches)
	}
	for i, v := range rec.Column(0).(*array.Int32).Int32Values() {
		if v != int32(i+1) {
			t.Fatalf("row %d: %d", i, v)
		}
	}

	// Updates and prepared statements with parameters.
	for _, q := range []string{"CREATE TABLE p (id int PRIMARY KEY, name text)", "INSERT INTO p VALUES (1, 'a'), (2, 'b')"} {
		if _, err := cl.ExecuteUpdate(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	ps, err := cl.Prepare(ctx, "UPDATE p SET name = $2 WHERE id = $1")
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	params := batch(t, mem, ps.ParameterSchema(), `[{"$1": 1, "$2": "x"}, {"$1": 2, "$2": "y"}, {"$1": 3, "$2": "z"}]`)
	ps.SetParameters(params)
	params.Release()
	if n, err := ps.ExecuteUpdate(ctx); err != nil || n != 2 {
		t.Errorf("prepared update: %d, %v", n, err)
	}
	ps.Close(ctx)
	got2 := query(t, cl, "SELECT id, name FROM p ORDER BY id")
	defer got2.Release()
	if rows := table(got2); !reflect.DeepEqual(rows, [][]string{{"1", "x"}, {"2", "y"}}) {
		t.Errorf("after update: %q", rows)
	}
}

func TestPGErrors(t *testing.T) {
	ts := startPG(t, postgres.Options{}, nil)
	cl := ts.client(t)
	ctx := context.Background()
	_, err := cl.Execute(ctx, "SELECT * FROM nope")
	wantSQLError(t, "undefined table", err, codes.NotFound, "42P01")
	_, err = cl.Execute(ctx, "SELEC 1")
	wantSQLError(t, "syntax error", err, codes.InvalidArgument, "42601")
	info, err := cl.Execute(ctx, "SELECT 1 / 0")
	if err == nil {
		err = drainErr(cl, ctx, info.Endpoint[0].Ticket)
	}
	wantSQLError(t, "division by zero", err, codes.InvalidArgument, "22012")
	if _, err := cl.ExecuteUpdate(ctx, "CREATE TABLE u (id int PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	_, err = cl.ExecuteUpdate(ctx, "INSERT INTO u VALUES (1), (1)")
	wantSQLError(t, "unique violation", err, codes.AlreadyExists, "23505")
}

func TestPGTransactions(t *testing.T) {
	ts := startPG(t, postgres.Options{}, nil)
	cl := ts.client(t)
	ctx := context.Background()
	if _, err := cl.ExecuteUpdate(ctx, "CREATE TABLE tx (id int)"); err != nil {
		t.Fatal(err)
	}
	outside := func() int64 { return count(t, cl, cl.Execute, "SELECT count(*) FROM tx") }

	tx, err := cl.BeginTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecuteUpdate(ctx, "INSERT INTO tx VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	sp, err := tx.BeginSavepoint(ctx, "before two")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecuteUpdate(ctx, "INSERT INTO tx VALUES (2)"); err != nil {
		t.Fatal(err)
	}
	if err := tx.RollbackSavepoint(ctx, sp); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecuteUpdate(ctx, "INSERT INTO tx VALUES (3)"); err != nil {
		t.Fatal(err)
	}
	if err := tx.ReleaseSavepoint(ctx, sp); err != nil {
		t.Fatal(err)
	}
	if n := outside(); n != 0 {
		t.Errorf("outside before commit: %d", n)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	got := query(t, cl, "SELECT id FROM tx ORDER BY id")
	if rows := table(got); !reflect.DeepEqual(rows, [][]string{{"1"}, {"3"}}) {
		t.Errorf("after commit: %q", rows)
	}
	got.Release()

	// PostgreSQL's COMMIT of an aborted transaction rolls back quietly;
	// Flight SQL's says so.
	tx, err = cl.BeginTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecuteUpdate(ctx, "INSERT INTO tx VALUES (4)"); err != nil {
		t.Fatal(err)
	}
	_, err = tx.ExecuteUpdate(ctx, "INSERT INTO nope VALUES (1)")
	wantSQLError(t, "failing statement", err, codes.NotFound, "42P01")
	_, err = tx.ExecuteUpdate(ctx, "INSERT INTO tx VALUES (5)")
	wantSQLError(t, "after the failure", err, codes.FailedPrecondition, "25P02")
	wantSQLError(t, "commit", tx.Commit(ctx), codes.Aborted, "40000")
	if n := outside(); n != 2 {
		t.Errorf("after the failed commit: %d rows, want 2", n)
	}
}

// pgCatalogDDL has a two-column foreign key with actions.
var pgCatalogDDL = []string{
	"CREATE SCHEMA sales",
	"CREATE TABLE sales.customers (id int, region text, name text NOT NULL, PRIMARY KEY (region, id))",
	`CREATE TABLE sales.orders (id int PRIMARY KEY, customer int, region text,
		FOREIGN KEY (region, customer) REFERENCES sales.customers (region, id) ON DELETE CASCADE ON UPDATE SET NULL)`,
	"CREATE VIEW sales.big_orders AS SELECT * FROM sales.orders WHERE id > 10",
}

// TestPGCatalog compares the catalog commands with what pg_catalog says.
func TestPGCatalog(t *testing.T) {
	ts := startPG(t, postgres.Options{}, nil)
	cl := ts.client(t)
	ctx := context.Background()
	for _, q := range pgCatalogDDL {
		if _, err := cl.ExecuteUpdate(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	truth := func(sql string) [][]string {
		rec := direct(t, ts.be, sql)
		defer rec.Release()
		return table(rec)
	}
	check := func(what string, rec arrow.RecordBatch, sql string) {
		t.Helper()
		want := truth(sql)
		if len(want) == 0 {
			t.Fatalf("%s: the pg_catalog query found nothing", what)
		}
		wantRows(t, what, rec, want)
	}
	sales := ptr("sales")

	info, err := cl.GetTables(ctx, &flightsql.GetTablesOpts{DbSchemaFilterPattern: sales})
	check("tables", fetch(t, cl, schema_ref.Tables, info, err), `SELECT current_database(), n.nspname, c.relname,
		CASE c.relkind WHEN 'v' THEN 'VIEW' ELSE 'TABLE' END
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'sales' AND c.relkind IN ('r', 'p', 'v') ORDER BY 1, 2, 3`)

	info, err = cl.GetDBSchemas(ctx, &flightsql.GetDBSchemasOpts{DbSchemaFilterPattern: ptr("s_les")})
	check("schemas", fetch(t, cl, schema_ref.DBSchemas, info, err),
		`SELECT current_database(), nspname FROM pg_namespace WHERE nspname LIKE 's_les' ORDER BY 2`)

	info, err = cl.GetPrimaryKeys(ctx, flightsql.TableRef{DBSchema: sales, Table: "customers"})
	check("primary keys", fetch(t, cl, schema_ref.PrimaryKeys, info, err), `SELECT current_database(), n.nspname, c.relname,
		a.attname, k.ord, con.conname
		FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
		WHERE con.contype = 'p' AND n.nspname = 'sales' AND c.relname = 'customers' ORDER BY k.ord`)

	fks := `SELECT current_database(), pn.nspname, pc.relname, pa.attname,
		current_database(), fn.nspname, fc.relname, fa.attname, k.ord, con.conname, pk.conname,
		strpos('crnad', con.confupdtype) - 1, strpos('crnad', con.confdeltype) - 1
		FROM pg_constraint con
		JOIN pg_class fc ON fc.oid = con.conrelid JOIN pg_namespace fn ON fn.oid = fc.relnamespace
		JOIN pg_class pc ON pc.oid = con.confrelid JOIN pg_namespace pn ON pn.oid = pc.relnamespace
		CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY k(fk, pk, ord)
		JOIN pg_attribute fa ON fa.attrelid = fc.oid AND fa.attnum = k.fk
		JOIN pg_attribute pa ON pa.attrelid = pc.oid AND pa.attnum = k.pk
		JOIN pg_constraint pk ON pk.conindid = con.conindid AND pk.conrelid = con.confrelid AND pk.contype IN ('p', 'u')
		WHERE con.contype = 'f' ORDER BY k.ord`
	info, err = cl.GetImportedKeys(ctx, flightsql.TableRef{DBSchema: sales, Table: "orders"})
	check("imported keys", fetch(t, cl, schema_ref.ImportedKeys, info, err), fks)
	info, err = cl.GetExportedKeys(ctx, flightsql.TableRef{DBSchema: sales, Table: "customers"})
	check("exported keys", fetch(t, cl, schema_ref.ExportedKeys, info, err), fks)
	info, err = cl.GetCrossReference(ctx, flightsql.TableRef{DBSchema: sales, Table: "customers"}, flightsql.TableRef{DBSchema: sales, Table: "orders"})
	check("cross reference", fetch(t, cl, schema_ref.CrossReference, info, err), fks)

	// include_schema: the schema a query of the table returns.
	info, err = cl.GetTables(ctx, &flightsql.GetTablesOpts{DbSchemaFilterPattern: sales, TableNameFilterPattern: ptr("customers"), IncludeSchema: true})
	rec := fetch(t, cl, schema_ref.TablesWithIncludedSchema, info, err)
	s, err := flight.DeserializeSchema(rec.Column(4).(*array.Binary).Value(0), memory.DefaultAllocator)
	rec.Release()
	if err != nil {
		t.Fatal(err)
	}
	want := direct(t, ts.be, "SELECT * FROM sales.customers")
	defer want.Release()
	if s.NumFields() != 3 {
		t.Fatalf("table schema %v", s)
	}
	for i, f := range want.Schema().Fields() {
		if s.Field(i).Name != f.Name || !arrow.TypeEqual(s.Field(i).Type, f.Type) {
			t.Errorf("field %d: %v, want %v", i, s.Field(i), f)
		}
	}
}

func TestPGSqlInfo(t *testing.T) {
	ts := startPG(t, postgres.Options{}, nil)
	cl := ts.client(t)
	info, err := cl.GetSqlInfo(context.Background(), nil)
	rec := fetch(t, cl, schema_ref.SqlInfo, info, err)
	got := sqlInfoValues(rec)
	rec.Release()
	for id, want := range map[flightsql.SqlInfo]string{
		flightsql.SqlInfoFlightSqlServerTransaction:  "2", // savepoints
		flightsql.SqlInfoSavePointsSupported:         "true",
		flightsql.SqlInfoNullOrdering:                "0", // sorted high
		flightsql.SqlInfoIdentifierCase:              "3", // lower case
		flightsql.SqlInfoDefaultTransactionIsolation: "2", // read committed
	} {
		if got[id] != want {
			t.Errorf("SqlInfo %v = %q, want %q", id, got[id], want)
		}
	}
	kw := direct(t, ts.be, "SELECT count(*) FROM pg_get_keywords()")
	defer kw.Release()
	if n := kw.Column(0).(*array.Int64).Value(0); n < 400 {
		t.Errorf("PostgreSQL has only %d keywords?", n)
	}
}

// TestPGIngest exercises ingestion through a prepared INSERT, the path for
// a backend session that is neither an Ingester nor an appender.
func TestPGIngest(t *testing.T) {
	ts := startPG(t, postgres.Options{}, nil)
	cl := ts.client(t)
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	ingest := ingester(t, cl, mem)
	if n, err := ingest(ingestOpts("people", create, failEx), 0, 2, 50); err != nil || n != 100 {
		t.Fatalf("create: %d, %v", n, err)
	}
	got := query(t, cl, "SELECT * FROM people ORDER BY id")
	defer got.Release()
	rdr := ingestRows(t, mem, 0, 1, 100)
	rdr.Next()
	sent := rdr.RecordBatch()
	for i := range sent.NumCols() {
		if !array.Equal(got.Column(int(i)), sent.Column(int(i))) {
			t.Errorf("column %d differs:\n%v\n%v", i, got.Column(int(i)), sent.Column(int(i)))
		}
	}
	rdr.Release()
	if _, err := cl.ExecuteUpdate(ctx, "ALTER TABLE people ADD PRIMARY KEY (id)"); err != nil {
		t.Fatal(err)
	}
	_, err := ingest(ingestOpts("people", failNE, appendE), 90, 1, 20)
	wantSQLError(t, "duplicate key", err, codes.AlreadyExists, "23505")
	if n := count(t, cl, cl.Execute, "SELECT count(*) FROM people"); n != 100 {
		t.Errorf("after the failed ingest: %d rows", n)
	}
}

// passThrough hands the client's credentials to the backend, which
// PostgreSQL checks.
type passThrough struct{}

func (passThrough) Authenticate(_ context.Context, user, password string) (backends.SessionInfo, error) {
	return backends.SessionInfo{User: user, Password: password}, nil
}

// TestPGPassThrough authenticates Flight SQL clients with PostgreSQL: the
// test cluster trusts everyone, so it is told to ask one role for a
// password.
func TestPGPassThrough(t *testing.T) {
	pg := testenv.PG(t)
	hba := filepath.Join(pg.Dir, "data", "pg_hba.conf")
	old, err := os.ReadFile(hba)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hba, append([]byte("host all flightpw 127.0.0.1/32 scram-sha-256\n"), old...), 0o600); err != nil {
		t.Fatal(err)
	}
	ts := startPG(t, postgres.Options{PassThrough: true}, func(c *Config) { c.Auth = passThrough{} })
	t.Cleanup(func() {
		_ = os.WriteFile(hba, old, 0o600)
		rec := direct(t, ts.be, "SELECT pg_reload_conf()")
		rec.Release()
	})
	rec := direct(t, ts.be, `SELECT pg_reload_conf()`)
	rec.Release()
	setup, err := ts.be.Open(context.Background(), backends.SessionInfo{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := setup.Query(context.Background(), `DO $$BEGIN
		IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'flightpw') THEN CREATE ROLE flightpw LOGIN; END IF;
	END$$`); err != nil {
		t.Fatal(err)
	}
	if _, err := setup.Query(context.Background(), `ALTER ROLE flightpw PASSWORD 'secret'`); err != nil {
		t.Fatal(err)
	}
	setup.Close()

	cl := ts.client(t)
	ctx := context.Background()
	_, err = cl.Client.AuthenticateBasicToken(ctx, "flightpw", "wrong")
	wantSQLError(t, "wrong password", err, codes.Unauthenticated, "28P01")
	authed, err := cl.Client.AuthenticateBasicToken(ctx, "flightpw", "secret")
	if err != nil {
		t.Fatal(err)
	}
	got := queryCtx(t, authed, cl, "SELECT current_user::text")
	if rows := table(got); !reflect.DeepEqual(rows, [][]string{{"flightpw"}}) {
		t.Errorf("current_user %q", rows)
	}
	got.Release()

	db, err := sql.Open("flightsql", fmt.Sprintf("flightsql://flightpw:wrong@%s", ts.addr))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var one int32
	err = db.QueryRow("SELECT 1").Scan(&one)
	wantCode(t, "database/sql with a wrong password", err, codes.Unauthenticated)
}

func TestPGSessionOptions(t *testing.T) {
	ts := startPG(t, postgres.Options{}, nil)
	cl := ts.client(t)
	ctx := context.Background()
	for _, q := range pgCatalogDDL {
		if _, err := cl.ExecuteUpdate(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	opts, _ := flight.NewSessionOptionValues(map[string]any{"schema": "sales"})
	res, err := cl.SetSessionOptions(ctx, &flight.SetSessionOptionsRequest{SessionOptions: opts})
	if err != nil || len(res.Errors) != 0 {
		t.Fatalf("set schema: %v, %v", res, err)
	}
	rec := query(t, cl, "SELECT count(*) FROM customers")
	rec.Release()
	got, err := cl.GetSessionOptions(ctx, &flight.GetSessionOptionsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if got.SessionOptions["schema"].GetStringValue() != "sales" {
		t.Errorf("options %v", got.SessionOptions)
	}
	opts, _ = flight.NewSessionOptionValues(map[string]any{"catalog": "postgres"})
	res, err = cl.SetSessionOptions(ctx, &flight.SetSessionOptionsRequest{SessionOptions: opts})
	if err != nil || res.Errors["catalog"].GetValue() != flight.SetSessionOptionsResultErrorInvalidValue {
		t.Errorf("switching database: %v, %v", res, err)
	}
	opts, _ = flight.NewSessionOptionValues(map[string]any{"catalog": got.SessionOptions["catalog"].GetStringValue()})
	res, err = cl.SetSessionOptions(ctx, &flight.SetSessionOptionsRequest{SessionOptions: opts})
	if err != nil || len(res.Errors) != 0 {
		t.Errorf("the current database: %v, %v", res, err)
	}
}

// TestPGLargeBatches reads results whose batches are larger than a
// message (so they go out in slices, with NULLs and strings whose bitmaps
// and offsets the IPC writer rewrites) and whose buffers go to gRPC
// without a copy (doget.go): the rows are the backend's, and every batch
// is released, read to the end or abandoned part-way.
func TestPGLargeBatches(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	ts := startPG(t, postgres.Options{Allocator: mem}, nil)
	cl := ts.client(t)
	const sql = `SELECT i, CASE WHEN i % 7 = 0 THEN NULL ELSE repeat(md5(i::text), 3) END AS s,
		CASE WHEN i % 3 = 0 THEN NULL ELSE i END AS n FROM generate_series(1, 120000) i`
	sameAsBackend(t, ts, cl, sql)

	ctx := context.Background()
	info, err := cl.Execute(ctx, sql)
	if err != nil {
		t.Fatal(err)
	}
	abandon(t, ctx, cl, info, 1)
}
