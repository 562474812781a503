//go:build duckdb_arrow

package catalog_test

import (
	"regexp"
	"testing"
)

// infoSchemaDDL has tables in two schemas, a view, primary keys, a
// single-column and a composite foreign key, unique constraints, a check
// constraint, NOT NULL columns, defaults and an enum column. Declared
// types DuckDB does not keep (varchar(n), ...) are TestDeclaredTypes's.
const infoSchemaDDL = `
create schema app;
create type mood as enum ('sad', 'ok', 'happy');
create table customers (
  id integer primary key,
  name text not null,
  email text unique,
  created_at timestamp default current_timestamp,
  active boolean default true,
  feeling mood,
  age integer check (age > 0),
  score double precision,
  small smallint
);
create table orders (
  order_id bigint primary key,
  customer_id integer not null references customers(id),
  amount numeric(12,2) not null default 0,
  placed date,
  unique (customer_id, placed)
);
create view big_orders as select order_id, amount from orders where amount > 100;
create table app.parent (x integer, y integer, z text, primary key (x, y));
create table app.child (id integer primary key, a integer, b integer, foreign key (a, b) references app.parent (x, y));
`

// userSchemas limits a query to the schemas of infoSchemaDDL: quiver's
// pg_catalog has fewer relations than PostgreSQL's.
const userSchemas = ` in ('public', 'app')`

// TestInformationSchema compares quiver's information_schema views with
// PostgreSQL's for the same DDL: the catalog is the database's name, the
// schemas are public and app (not DuckDB's main), and the constraints have
// PostgreSQL's names.
func TestInformationSchema(t *testing.T) {
	tw := newTwin(t, infoSchemaDDL)
	cases := []struct {
		view, where, order string
		norm               func([]string) []string
	}{
		{view: "schemata", where: "schema_name" + userSchemas, order: "2"},
		{view: "tables", where: "table_schema" + userSchemas, order: "2, 3", norm: viewsReadOnly(3, 9)},
		{view: "columns", where: "table_schema" + userSchemas, order: "2, 3, 5", norm: viewColumnsReadOnly},
		{view: "views", where: "table_schema" + userSchemas, order: "2, 3", norm: viewRow},
		{view: "table_constraints", where: "table_schema" + userSchemas, order: "2, 6, 3", norm: notNullNames},
		{view: "key_column_usage", where: "table_schema" + userSchemas, order: "2, 3, 8"},
		{view: "referential_constraints", where: "constraint_schema" + userSchemas, order: "2, 3"},
		{view: "constraint_column_usage", where: "table_schema" + userSchemas, order: "6, 7, 4"},
		{view: "check_constraints", where: "constraint_schema" + userSchemas, order: "2, 4", norm: notNullNames},
	}
	for _, c := range cases {
		t.Run(c.view, func(t *testing.T) {
			tw.compare(t, "select * from information_schema."+c.view+" where "+c.where+" order by "+c.order, c.norm)
		})
	}
	// Qualified columns, an alias and a join, as tools write them. (The
	// last ORDER BY key orders rows the popular form of this query leaves
	// in no particular order.)
	t.Run("join", func(t *testing.T) {
		tw.compare(t, `select tc.table_name, kcu.column_name, ccu.table_name as foreign_table, ccu.column_name as foreign_column
from information_schema.table_constraints as tc
  join information_schema.key_column_usage as kcu
    on tc.constraint_name = kcu.constraint_name and tc.table_schema = kcu.table_schema
  join information_schema.constraint_column_usage as ccu
    on ccu.constraint_name = tc.constraint_name and ccu.constraint_schema = tc.table_schema
where tc.constraint_type = 'FOREIGN KEY' order by 1, 2, 4`, nil)
	})
	t.Run("current_catalog", func(t *testing.T) {
		tw.compare(t, `select count(*) from information_schema.tables where table_catalog = current_database()
  and table_schema = current_schema()`, nil)
	})
}

// notNullName is PostgreSQL 15's name for a NOT NULL "constraint":
// schema OID, table OID, column number. The OIDs differ between the
// engines.
var notNullName = regexp.MustCompile(`^\d+_\d+_(\d+_not_null)$`)

func notNullNames(row []string) []string {
	for i, v := range row {
		row[i] = notNullName.ReplaceAllString(v, "<nsp>_<rel>_$1")
	}
	return row
}

// viewsReadOnly returns a normalisation of the tables view: DuckDB's views
// cannot be written to, PostgreSQL's simple views can (is_insertable_into).
func viewsReadOnly(typeCol, insertableCol int) func([]string) []string {
	return func(row []string) []string {
		if row[typeCol] == "VIEW" {
			row[insertableCol] = "<view>"
		}
		return row
	}
}

// viewColumnsReadOnly normalises is_updatable of the view's columns.
func viewColumnsReadOnly(row []string) []string {
	if row[2] == "big_orders" {
		row[len(row)-1] = "<view>"
	}
	return row
}

// viewRow normalises a row of the views view: the definition, which
// PostgreSQL prints from its rewritten query tree (qualified columns,
// implicit casts made explicit) and quiver from DuckDB's, and the view's
// updatability.
func viewRow(row []string) []string {
	row[3] = "<definition>"
	row[5], row[6] = "<view>", "<view>"
	return row
}
