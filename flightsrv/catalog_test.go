//go:build duckdb_arrow

package flightsrv

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql/schema_ref"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// catalogDDL creates the objects the catalog tests look for.
var catalogDDL = []string{
	"CREATE SCHEMA sales",
	"CREATE TABLE sales.customers (id INTEGER PRIMARY KEY, name VARCHAR NOT NULL)",
	"CREATE TABLE sales.orders (id INTEGER, line INTEGER, customer_id INTEGER REFERENCES sales.customers (id), PRIMARY KEY (id, line))",
	"CREATE VIEW sales.big_orders AS SELECT * FROM sales.orders WHERE line > 10",
}

// table returns a batch's rows as strings, NULL as "<nil>".
func table(rec arrow.RecordBatch) [][]string {
	var out [][]string
	for r := range int(rec.NumRows()) {
		row := make([]string, rec.NumCols())
		for c, col := range rec.Columns() {
			if col.IsNull(r) {
				row[c] = "<nil>"
			} else {
				row[c] = col.ValueStr(r)
			}
		}
		out = append(out, row)
	}
	return out
}

// fetch reads a metadata command's result, checking that the FlightInfo
// and the stream have the Flight SQL schema.
func fetch(t *testing.T, cl *flightsql.Client, want *arrow.Schema, info *flight.FlightInfo, err error) arrow.RecordBatch {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	s, err := flight.DeserializeSchema(info.Schema, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Equal(want) {
		t.Errorf("FlightInfo schema %v, want %v", s, want)
	}
	rec, _ := collect(t, context.Background(), cl, info)
	if !rec.Schema().Equal(want) {
		t.Errorf("stream schema %v, want %v", rec.Schema(), want)
	}
	return rec
}

// column returns one column of a batch as strings.
func column(rec arrow.RecordBatch, i int) []string {
	var out []string
	for _, r := range table(rec) {
		out = append(out, r[i])
	}
	return out
}

func wantRows(t *testing.T, what string, rec arrow.RecordBatch, want [][]string) {
	t.Helper()
	defer rec.Release()
	if got := table(rec); !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\ngot  %q\nwant %q", what, got, want)
	}
}

func TestCatalog(t *testing.T) {
	ts := startDuck(t, nil)
	cl := ts.client(t)
	ctx := context.Background()
	for _, sql := range catalogDDL {
		if _, err := cl.ExecuteUpdate(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	str := func(s string) *string { return &s }

	info, err := cl.GetCatalogs(ctx)
	rec := fetch(t, cl, schema_ref.Catalogs, info, err)
	if got := column(rec, 0); !slices.Contains(got, "memory") {
		t.Errorf("catalogs %q lack memory", got)
	}
	rec.Release()

	info, err = cl.GetDBSchemas(ctx, &flightsql.GetDBSchemasOpts{Catalog: str("memory"), DbSchemaFilterPattern: str("sal%")})
	wantRows(t, "schemas", fetch(t, cl, schema_ref.DBSchemas, info, err), [][]string{{"memory", "sales"}})

	info, err = cl.GetTables(ctx, &flightsql.GetTablesOpts{DbSchemaFilterPattern: str("sales")})
	wantRows(t, "tables", fetch(t, cl, schema_ref.Tables, info, err), [][]string{
		{"memory", "sales", "big_orders", "VIEW"},
		{"memory", "sales", "customers", "TABLE"},
		{"memory", "sales", "orders", "TABLE"},
	})
	info, err = cl.GetTables(ctx, &flightsql.GetTablesOpts{TableNameFilterPattern: str("%order_"), TableTypes: []string{"VIEW"}})
	wantRows(t, "views", fetch(t, cl, schema_ref.Tables, info, err), [][]string{{"memory", "sales", "big_orders", "VIEW"}})

	info, err = cl.GetTables(ctx, &flightsql.GetTablesOpts{TableNameFilterPattern: str("customers"), IncludeSchema: true})
	rec = fetch(t, cl, schema_ref.TablesWithIncludedSchema, info, err)
	if rec.NumRows() != 1 {
		t.Fatalf("include_schema: %d rows", rec.NumRows())
	}
	s, err := flight.DeserializeSchema(rec.Column(4).(*array.Binary).Value(0), memory.DefaultAllocator)
	rec.Release()
	if err != nil {
		t.Fatal(err)
	}
	if s.NumFields() != 2 || s.Field(0).Name != "id" || !arrow.TypeEqual(s.Field(0).Type, arrow.PrimitiveTypes.Int32) ||
		s.Field(1).Name != "name" || !arrow.TypeEqual(s.Field(1).Type, arrow.BinaryTypes.String) {
		t.Errorf("table schema %v", s)
	}
	fmd := s.Field(0).Metadata
	md := flightsql.ColumnMetadata{Data: &fmd}
	if tn, _ := md.TableName(); tn != "customers" {
		t.Errorf("column metadata %v", s.Field(0).Metadata)
	}
	if sn, _ := md.SchemaName(); sn != "sales" {
		t.Errorf("column metadata %v", s.Field(0).Metadata)
	}

	info, err = cl.GetTableTypes(ctx)
	rec = fetch(t, cl, schema_ref.TableTypes, info, err)
	for _, tt := range []string{"LOCAL TEMPORARY", "TABLE", "VIEW"} {
		if !slices.Contains(column(rec, 0), tt) {
			t.Errorf("table types %q lack %s", column(rec, 0), tt)
		}
	}
	rec.Release()

	sales := str("sales")
	info, err = cl.GetPrimaryKeys(ctx, flightsql.TableRef{DBSchema: sales, Table: "orders"})
	wantRows(t, "primary keys", fetch(t, cl, schema_ref.PrimaryKeys, info, err), [][]string{
		{"memory", "sales", "orders", "id", "1", "orders_id_line_pkey"},
		{"memory", "sales", "orders", "line", "2", "orders_id_line_pkey"},
	})

	fk := [][]string{{"memory", "sales", "customers", "id", "memory", "sales", "orders", "customer_id", "1",
		"orders_customer_id_id_fkey", "customers_id_pkey", "3", "3"}}
	info, err = cl.GetImportedKeys(ctx, flightsql.TableRef{DBSchema: sales, Table: "orders"})
	wantRows(t, "imported keys", fetch(t, cl, schema_ref.ImportedKeys, info, err), fk)
	info, err = cl.GetExportedKeys(ctx, flightsql.TableRef{DBSchema: sales, Table: "customers"})
	wantRows(t, "exported keys", fetch(t, cl, schema_ref.ExportedKeys, info, err), fk)
	info, err = cl.GetCrossReference(ctx, flightsql.TableRef{Table: "customers"}, flightsql.TableRef{Table: "orders"})
	wantRows(t, "cross reference", fetch(t, cl, schema_ref.CrossReference, info, err), fk)
	info, err = cl.GetCrossReference(ctx, flightsql.TableRef{Table: "orders"}, flightsql.TableRef{Table: "customers"})
	wantRows(t, "reverse cross reference", fetch(t, cl, schema_ref.CrossReference, info, err), nil)
}

// sqlInfoValues reads a GetSqlInfo result as strings by id.
func sqlInfoValues(rec arrow.RecordBatch) map[flightsql.SqlInfo]string {
	out := map[flightsql.SqlInfo]string{}
	ids := rec.Column(0).(*array.Uint32)
	u := rec.Column(1).(*array.DenseUnion)
	for i := range ids.Len() {
		out[flightsql.SqlInfo(ids.Value(i))] = u.Field(u.ChildID(i)).ValueStr(int(u.ValueOffset(i)))
	}
	return out
}

func TestSqlInfo(t *testing.T) {
	ts := startDuck(t, nil)
	cl := ts.client(t)
	ctx := context.Background()
	info, err := cl.GetSqlInfo(ctx, nil)
	rec := fetch(t, cl, schema_ref.SqlInfo, info, err)
	got := sqlInfoValues(rec)
	rec.Release()
	for id, want := range map[flightsql.SqlInfo]string{
		flightsql.SqlInfoFlightSqlServerName:         "quiver",
		flightsql.SqlInfoFlightSqlServerVersion:      "test",
		flightsql.SqlInfoFlightSqlServerArrowVersion: arrow.PkgVersion,
		flightsql.SqlInfoFlightSqlServerReadOnly:     "false",
		flightsql.SqlInfoFlightSqlServerCancel:       "true",
		flightsql.SqlInfoTransactionsSupported:       "true",
		// DuckDB: transactions without savepoints, nulls last, identifiers
		// case-insensitive.
		flightsql.SqlInfoFlightSqlServerTransaction: "1",
		flightsql.SqlInfoSavePointsSupported:        "false",
		flightsql.SqlInfoNullOrdering:               "3",
		flightsql.SqlInfoIdentifierCase:             "1",
		flightsql.SqlInfoIdentifierQuoteChar:        `"`,
	} {
		if got[id] != want {
			t.Errorf("SqlInfo %v = %q, want %q", id, got[id], want)
		}
	}
	if kw := got[flightsql.SqlInfoKeywords]; len(kw) < 100 {
		t.Errorf("keywords %q", kw)
	}

	// Asking for some ids returns those.
	info, err = cl.GetSqlInfo(ctx, []flightsql.SqlInfo{flightsql.SqlInfoFlightSqlServerName, flightsql.SqlInfoDDLTable})
	rec = fetch(t, cl, schema_ref.SqlInfo, info, err)
	if rec.NumRows() != 2 {
		t.Errorf("%d rows, want 2", rec.NumRows())
	}
	rec.Release()
}

func TestXdbcTypeInfo(t *testing.T) {
	ts := startDuck(t, nil)
	cl := ts.client(t)
	ctx := context.Background()
	info, err := cl.GetXdbcTypeInfo(ctx, nil)
	rec := fetch(t, cl, schema_ref.XdbcTypeInfo, info, err)
	names := column(rec, 0)
	rec.Release()
	for _, n := range []string{"bigint", "boolean", "integer", "varchar", "timestamp", "tinyint", "numeric"} {
		if !slices.Contains(names, n) {
			t.Errorf("types %q lack %s", names, n)
		}
	}
	four := int32(4)
	info, err = cl.GetXdbcTypeInfo(ctx, &four)
	rec = fetch(t, cl, schema_ref.XdbcTypeInfo, info, err)
	if got := table(rec); len(got) != 1 || got[0][0] != "integer" {
		t.Errorf("type 4: %q", got)
	}
	rec.Release()
}
