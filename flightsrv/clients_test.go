//go:build duckdb_arrow

package flightsrv

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"

	"github.com/apache/arrow-adbc/go/adbc"
	adbcflight "github.com/apache/arrow-adbc/go/adbc/driver/flightsql"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// openADBC opens an ADBC Flight SQL connection to the server.
func openADBC(t *testing.T, ts *testServer, opts map[string]string) adbc.Connection {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	all := map[string]string{adbc.OptionKeyURI: "grpc://" + ts.addr}
	for k, v := range opts {
		all[k] = v
	}
	db, err := adbcflight.NewDriver(mem).NewDatabase(all)
	if err != nil {
		t.Fatal(err)
	}
	cnxn, err := db.Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cnxn.Close()
		db.Close()
		mem.AssertSize(t, 0)
	})
	return cnxn
}

// readAll reads an ADBC result into one batch and releases the reader.
func readAll(t *testing.T, rdr array.RecordReader) arrow.RecordBatch {
	t.Helper()
	defer rdr.Release()
	var recs []arrow.RecordBatch
	for rdr.Next() {
		r := rdr.RecordBatch()
		r.Retain()
		recs = append(recs, r)
	}
	if err := rdr.Err(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	return concat(t, rdr.Schema(), recs)
}

func adbcQuery(t *testing.T, cnxn adbc.Connection, sql string) arrow.RecordBatch {
	t.Helper()
	st, err := cnxn.NewStatement()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.SetSqlQuery(sql); err != nil {
		t.Fatal(err)
	}
	rdr, _, err := st.ExecuteQuery(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return readAll(t, rdr)
}

func adbcUpdate(t *testing.T, cnxn adbc.Connection, sql string) int64 {
	t.Helper()
	st, err := cnxn.NewStatement()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.SetSqlQuery(sql); err != nil {
		t.Fatal(err)
	}
	n, err := st.ExecuteUpdate(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func TestADBC(t *testing.T) {
	ts := startDuck(t, nil)
	cnxn := openADBC(t, ts, nil)
	ctx := context.Background()

	// A query of many types returns what the backend returns.
	got := adbcQuery(t, cnxn, typesQuery)
	want := direct(t, ts.be, typesQuery)
	if !array.RecordEqual(got, want) {
		t.Errorf("types:\n%v\nwant\n%v", got, want)
	}
	got.Release()
	want.Release()

	for _, sql := range catalogDDL {
		adbcUpdate(t, cnxn, sql)
	}
	if n := adbcUpdate(t, cnxn, "INSERT INTO sales.customers VALUES (1, 'ann'), (2, 'bo')"); n != 2 {
		t.Errorf("insert: %d rows", n)
	}

	// Prepared statement with bound parameters.
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	st, err := cnxn.NewStatement()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetSqlQuery("INSERT INTO sales.orders VALUES ($1, $2, $3)"); err != nil {
		t.Fatal(err)
	}
	if err := st.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	ps, err := st.GetParameterSchema()
	if err != nil || ps.NumFields() != 3 {
		t.Fatalf("parameter schema %v, %v", ps, err)
	}
	params := batch(t, mem, ps, `[{"$1": 1, "$2": 1, "$3": 1}, {"$1": 1, "$2": 2, "$3": 2}, {"$1": 2, "$2": 11, "$3": 1}]`)
	if err := st.Bind(ctx, params); err != nil {
		t.Fatal(err)
	}
	params.Release()
	if n, err := st.ExecuteUpdate(ctx); err != nil || n != 3 {
		t.Errorf("prepared insert: %d, %v", n, err)
	}
	st.Close()

	// Transactions: autocommit off, rollback.
	if err := cnxn.(adbc.PostInitOptions).SetOption(adbc.OptionKeyAutoCommit, adbc.OptionValueDisabled); err != nil {
		t.Fatal(err)
	}
	adbcUpdate(t, cnxn, "DELETE FROM sales.orders")
	if err := cnxn.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := cnxn.(adbc.PostInitOptions).SetOption(adbc.OptionKeyAutoCommit, adbc.OptionValueEnabled); err != nil {
		t.Fatal(err)
	}
	rec := adbcQuery(t, cnxn, "SELECT count(*) FROM sales.orders")
	if n := rec.Column(0).(*array.Int64).Value(0); n != 3 {
		t.Errorf("after rollback: %d orders, want 3", n)
	}
	rec.Release()

	// Metadata.
	info, err := cnxn.GetInfo(ctx, []adbc.InfoCode{adbc.InfoVendorName})
	if err != nil {
		t.Fatal(err)
	}
	rec = readAll(t, info)
	if s := rec.Column(1).(*array.DenseUnion).Field(0).(*array.String).Value(0); s != "quiver" {
		t.Errorf("vendor name %q", s)
	}
	rec.Release()
	schema, err := cnxn.GetTableSchema(ctx, nil, ptr("sales"), "customers")
	if err != nil {
		t.Fatal(err)
	}
	if schema.NumFields() != 2 || schema.Field(0).Name != "id" || schema.Field(1).Name != "name" {
		t.Errorf("table schema %v", schema)
	}
	objs, err := cnxn.GetObjects(ctx, adbc.ObjectDepthAll, nil, ptr("sales"), nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec = readAll(t, objs)
	if !slices.ContainsFunc(column(rec, 0), func(s string) bool { return s == "memory" }) {
		t.Errorf("GetObjects catalogs %q", column(rec, 0))
	}
	rec.Release()

	// Bulk ingestion.
	st, err = cnxn.NewStatement()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.SetOption(adbc.OptionKeyIngestTargetTable, "ingested")
	st.SetOption(adbc.OptionKeyIngestMode, adbc.OptionValueIngestModeCreate)
	rows := ingestRows(t, mem, 0, 3, 1000)
	if err := st.BindStream(ctx, rows); err != nil {
		t.Fatal(err)
	}
	if n, err := st.ExecuteUpdate(ctx); err != nil || n != 3000 {
		t.Errorf("ingest: %d, %v", n, err)
	}
	rows.Release()

	// Errors carry the ADBC status of their gRPC code.
	st2, _ := cnxn.NewStatement()
	defer st2.Close()
	st2.SetSqlQuery("SELECT * FROM nope")
	_, _, err = st2.ExecuteQuery(ctx)
	var ae adbc.Error
	if !errors.As(err, &ae) || ae.Code != adbc.StatusNotFound {
		t.Errorf("undefined table: %v", err)
	}
}

func TestDatabaseSQL(t *testing.T) {
	ts := startDuck(t, nil)
	db, err := sql.Open("flightsql", "flightsql://"+ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// database/sql hands the driver int64 for every integer, and the
	// driver only binds a parameter of the Go type matching its Arrow
	// type: integer parameters must be BIGINT.
	if _, err := db.Exec("CREATE TABLE d (id BIGINT, name VARCHAR)"); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"a", "b", "c"} {
		if _, err := db.Exec("INSERT INTO d VALUES ($1, $2)", i+1, name); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := db.Query("SELECT id, name FROM d WHERE id >= $1 ORDER BY id", 2)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			t.Fatal(err)
		}
		got = append(got, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if !slices.Equal(got, []string{"b", "c"}) {
		t.Errorf("got %q", got)
	}

	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("DELETE FROM d"); err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := tx.QueryRow("SELECT count(*) FROM d").Scan(&n); err != nil || n != 0 {
		t.Errorf("inside: %d, %v", n, err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("SELECT count(*) FROM d").Scan(&n); err != nil || n != 3 {
		t.Errorf("after rollback: %d, %v", n, err)
	}
}
