//go:build duckdb_arrow

package flightsrv

import (
	"context"
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
	// The kind of table the catalog layer keeps declared column types in,
	// which is not listed.
	`CREATE TABLE sales."quiver_types$customers" (name VARCHAR DEFAULT '1043 14')`,
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
		// DuckDB: transactions without savepoints, nulls sorted high (as
		// quiver configures it, PostgreSQL's order), identifiers
		// case-insensitive.
		flightsql.SqlInfoFlightSqlServerTransaction: "1",
		flightsql.SqlInfoSavePointsSupported:        "false",
		flightsql.SqlInfoNullOrdering:               "0",
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
