package flightsrv

import (
	"context"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql/schema_ref"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/quiverdb/quiver/catalog"
)

// The catalog commands run information_schema queries, which DuckDB and
// PostgreSQL both answer, with their filters as parameters. Flight SQL
// patterns are LIKE patterns; ESCAPE '\' makes the escape character the
// same on both backends.

// metaQuery builds an information_schema query: a SELECT, conditions added
// with their arguments, and an ORDER BY.
type metaQuery struct {
	sql  strings.Builder
	args []string
}

func newMetaQuery(sel string) *metaQuery {
	q := &metaQuery{}
	q.sql.WriteString(sel)
	q.sql.WriteString(" WHERE TRUE")
	return q
}

// arg adds an argument and returns its placeholder.
func (q *metaQuery) arg(v string) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// equal adds "col = value" when value is set.
func (q *metaQuery) equal(col string, value *string) {
	if value != nil {
		q.sql.WriteString(" AND " + col + " = " + q.arg(*value))
	}
}

// like adds "col LIKE pattern" when pattern is set.
func (q *metaQuery) like(col string, pattern *string) {
	if pattern != nil {
		q.sql.WriteString(" AND " + col + " LIKE " + q.arg(*pattern) + ` ESCAPE '\'`)
	}
}

// in adds "expr IN (values)" when values is not empty.
func (q *metaQuery) in(expr string, values []string) {
	if len(values) == 0 {
		return
	}
	q.sql.WriteString(" AND " + expr + " IN (")
	for i, v := range values {
		if i > 0 {
			q.sql.WriteString(", ")
		}
		q.sql.WriteString(q.arg(v))
	}
	q.sql.WriteString(")")
}

func (q *metaQuery) orderBy(cols string) string {
	q.sql.WriteString(" ORDER BY " + cols)
	return q.sql.String()
}

// runMeta runs a catalog query on the call's session and streams its rows
// as batches of schema. more, when set, adds columns to each batch.
func (h *sqlServer) runMeta(ctx context.Context, schema *arrow.Schema, sql string, args []string,
	more func(context.Context, *conn, arrow.RecordBatch) ([]arrow.Array, error)) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	ss, err := callFrom(ctx).session(ctx)
	if err != nil {
		return nil, nil, toStatus(err)
	}
	cn, err := ss.mainConn(ctx)
	if err != nil {
		return nil, nil, toStatus(err)
	}
	types := make([]arrow.DataType, len(args))
	for i := range types {
		types[i] = arrow.BinaryTypes.String
	}
	st, err := cn.prepare(ctx, sql, types)
	if err != nil {
		return nil, nil, toStatus(err)
	}
	e := &execution{ss: ss, conn: cn, stmt: st, closeStmt: true, schema: schema}
	if len(args) > 0 {
		e.params = []arrow.RecordBatch{stringRow(h.srv.mem, args)}
	}
	mem := h.srv.mem
	e.conform = func(ctx context.Context, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
		var extra []arrow.Array
		if more != nil {
			if extra, err = more(ctx, cn, rec); err != nil {
				return nil, err
			}
		}
		return conformBatch(mem, schema, rec, extra)
	}
	ss.mu.Lock()
	e.id = ss.newObj()
	ss.mu.Unlock()
	return e.stream(ctx)
}

// stringRow returns a one-row batch of string parameters.
func stringRow(mem memory.Allocator, args []string) arrow.RecordBatch {
	fields := make([]arrow.Field, len(args))
	cols := make([]arrow.Array, len(args))
	for i, a := range args {
		fields[i] = arrow.Field{Name: "$" + strconv.Itoa(i+1), Type: arrow.BinaryTypes.String}
		b := array.NewStringBuilder(mem)
		b.Append(a)
		cols[i] = b.NewArray()
		b.Release()
	}
	rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, 1)
	for _, c := range cols {
		c.Release()
	}
	return rec
}

func (h *sqlServer) infoFor(desc *flight.FlightDescriptor, schema *arrow.Schema) *flight.FlightInfo {
	return h.flightInfo(desc, schema, desc.Cmd)
}

// GetFlightInfoCatalogs returns a ticket for DoGetCatalogs.
func (h *sqlServer) GetFlightInfoCatalogs(_ context.Context, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return h.infoFor(desc, schema_ref.Catalogs), nil
}

// DoGetCatalogs lists the catalogs (databases).
func (h *sqlServer) DoGetCatalogs(ctx context.Context) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	return h.runMeta(ctx, schema_ref.Catalogs, `SELECT catalog_name FROM information_schema.schemata
		UNION SELECT current_database() ORDER BY catalog_name`, nil, nil)
}

// GetFlightInfoSchemas returns a ticket for DoGetDBSchemas.
func (h *sqlServer) GetFlightInfoSchemas(_ context.Context, _ flightsql.GetDBSchemas, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return h.infoFor(desc, schema_ref.DBSchemas), nil
}

// DoGetDBSchemas lists the schemas, filtered by catalog and pattern.
func (h *sqlServer) DoGetDBSchemas(ctx context.Context, cmd flightsql.GetDBSchemas) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	q := newMetaQuery(`SELECT catalog_name, schema_name AS db_schema_name FROM information_schema.schemata`)
	q.equal("catalog_name", cmd.GetCatalog())
	q.like("schema_name", cmd.GetDBSchemaFilterPattern())
	return h.runMeta(ctx, schema_ref.DBSchemas, q.orderBy("catalog_name, schema_name"), q.args, nil)
}

// tableTypeExpr names base tables TABLE, as JDBC and ODBC do.
const tableTypeExpr = `CASE table_type WHEN 'BASE TABLE' THEN 'TABLE' ELSE table_type END`

// GetFlightInfoTables returns a ticket for DoGetTables.
func (h *sqlServer) GetFlightInfoTables(_ context.Context, cmd flightsql.GetTables, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	if cmd.GetIncludeSchema() {
		return h.infoFor(desc, schema_ref.TablesWithIncludedSchema), nil
	}
	return h.infoFor(desc, schema_ref.Tables), nil
}

// DoGetTables lists tables and views. With include_schema, each table's
// Arrow schema is the one SELECT * FROM it would return, found by
// preparing that query.
func (h *sqlServer) DoGetTables(ctx context.Context, cmd flightsql.GetTables) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	q := newMetaQuery(`SELECT table_catalog AS catalog_name, table_schema AS db_schema_name, table_name, ` +
		tableTypeExpr + ` AS table_type FROM information_schema.tables`)
	q.equal("table_catalog", cmd.GetCatalog())
	q.like("table_schema", cmd.GetDBSchemaFilterPattern())
	q.like("table_name", cmd.GetTableNameFilterPattern())
	q.in(tableTypeExpr, cmd.GetTableTypes())
	// Not the tables in which the catalog layer keeps declared column types.
	q.sql.WriteString(" AND NOT starts_with(table_name, " + q.arg(catalog.DeclaredTypesPrefix) + ")")
	sql := q.orderBy("catalog_name, db_schema_name, table_name, table_type")
	if !cmd.GetIncludeSchema() {
		return h.runMeta(ctx, schema_ref.Tables, sql, q.args, nil)
	}
	mem := h.srv.mem
	return h.runMeta(ctx, schema_ref.TablesWithIncludedSchema, sql, q.args,
		func(ctx context.Context, cn *conn, rec arrow.RecordBatch) ([]arrow.Array, error) {
			b := array.NewBinaryBuilder(mem, arrow.BinaryTypes.Binary)
			defer b.Release()
			cat, sch, tab := rec.Column(0), rec.Column(1), rec.Column(2)
			for i := range int(rec.NumRows()) {
				s, err := tableSchema(ctx, cn, cat.ValueStr(i), sch.ValueStr(i), tab.ValueStr(i))
				if err != nil {
					return nil, err
				}
				b.Append(flight.SerializeSchema(s, mem))
			}
			return []arrow.Array{b.NewArray()}, nil
		})
}

// tableSchema returns the schema of SELECT * FROM a table, its fields
// marked with the table they come from. A table the session cannot read
// has an empty schema.
func tableSchema(ctx context.Context, cn *conn, catalog, schema, table string) (*arrow.Schema, error) {
	st, err := cn.prepare(ctx, "SELECT * FROM "+quoteIdent(catalog)+"."+quoteIdent(schema)+"."+quoteIdent(table), nil)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return emptySchema, nil
	}
	defer cn.closeStmt(st)
	s := st.Schema()
	if s == nil {
		return emptySchema, nil
	}
	fields := s.Fields()
	for i, f := range fields {
		md := flightsql.NewColumnMetadataBuilder().CatalogName(catalog).SchemaName(schema).TableName(table).Metadata()
		keys, vals := md.Keys(), md.Values()
		for j, k := range f.Metadata.Keys() {
			if md.FindKey(k) < 0 {
				keys = append(keys, k)
				vals = append(vals, f.Metadata.Values()[j])
			}
		}
		fields[i].Metadata = arrow.NewMetadata(keys, vals)
	}
	return arrow.NewSchema(fields, nil), nil
}

// GetFlightInfoTableTypes returns a ticket for DoGetTableTypes.
func (h *sqlServer) GetFlightInfoTableTypes(_ context.Context, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return h.infoFor(desc, schema_ref.TableTypes), nil
}

// DoGetTableTypes lists the table types: TABLE, VIEW, LOCAL TEMPORARY and
// any other the backend reports.
func (h *sqlServer) DoGetTableTypes(ctx context.Context) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	return h.runMeta(ctx, schema_ref.TableTypes, `SELECT table_type FROM (
		SELECT `+tableTypeExpr+` AS table_type FROM information_schema.tables
		UNION SELECT 'TABLE' UNION SELECT 'VIEW' UNION SELECT 'LOCAL TEMPORARY') t ORDER BY table_type`, nil, nil)
}

// GetFlightInfoPrimaryKeys returns a ticket for DoGetPrimaryKeys.
func (h *sqlServer) GetFlightInfoPrimaryKeys(_ context.Context, _ flightsql.TableRef, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return h.infoFor(desc, schema_ref.PrimaryKeys), nil
}

// DoGetPrimaryKeys lists the columns of a table's primary key.
func (h *sqlServer) DoGetPrimaryKeys(ctx context.Context, ref flightsql.TableRef) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	q := newMetaQuery(`SELECT tc.table_catalog AS catalog_name, tc.table_schema AS db_schema_name,
		tc.table_name, k.column_name, CAST(k.ordinal_position AS INTEGER) AS key_sequence, tc.constraint_name AS key_name
		FROM information_schema.table_constraints tc
		JOIN information_schema.key_column_usage k
		  ON k.constraint_catalog = tc.constraint_catalog AND k.constraint_schema = tc.constraint_schema
		 AND k.constraint_name = tc.constraint_name AND k.table_schema = tc.table_schema AND k.table_name = tc.table_name`)
	q.sql.WriteString(" AND tc.constraint_type = 'PRIMARY KEY'")
	q.equal("tc.table_name", &ref.Table)
	q.equal("tc.table_catalog", ref.Catalog)
	q.equal("tc.table_schema", ref.DBSchema)
	return h.runMeta(ctx, schema_ref.PrimaryKeys, q.orderBy("catalog_name, db_schema_name, table_name, key_name, key_sequence"), q.args, nil)
}

// foreignKeys is the query behind the foreign key commands.
var foreignKeys = `SELECT pk.table_catalog AS pk_catalog_name, pk.table_schema AS pk_db_schema_name,
	pk.table_name AS pk_table_name, pk.column_name AS pk_column_name,
	fk.table_catalog AS fk_catalog_name, fk.table_schema AS fk_db_schema_name,
	fk.table_name AS fk_table_name, fk.column_name AS fk_column_name,
	CAST(fk.ordinal_position AS INTEGER) AS key_sequence,
	rc.constraint_name AS fk_key_name, rc.unique_constraint_name AS pk_key_name,
	` + ruleNumber("rc.update_rule") + ` AS update_rule, ` + ruleNumber("rc.delete_rule") + ` AS delete_rule
	FROM information_schema.referential_constraints rc
	JOIN information_schema.key_column_usage fk
	  ON fk.constraint_catalog = rc.constraint_catalog AND fk.constraint_schema = rc.constraint_schema
	 AND fk.constraint_name = rc.constraint_name
	JOIN information_schema.key_column_usage pk
	  ON pk.constraint_catalog = rc.unique_constraint_catalog AND pk.constraint_schema = rc.unique_constraint_schema
	 AND pk.constraint_name = rc.unique_constraint_name AND pk.ordinal_position = fk.position_in_unique_constraint`

// ruleNumber numbers a referential action as Flight SQL's
// UpdateDeleteRules does.
func ruleNumber(col string) string {
	return `CAST(CASE ` + col + ` WHEN 'CASCADE' THEN 0 WHEN 'RESTRICT' THEN 1 WHEN 'SET NULL' THEN 2
		WHEN 'NO ACTION' THEN 3 WHEN 'SET DEFAULT' THEN 4 END AS INTEGER)`
}

// Orders of the foreign key commands' results, as Flight SQL specifies.
const (
	byFK = "fk_catalog_name, fk_db_schema_name, fk_table_name, fk_key_name, key_sequence"
	byPK = "pk_catalog_name, pk_db_schema_name, pk_table_name, pk_key_name, key_sequence"
)

func (h *sqlServer) keys(ctx context.Context, filter func(*metaQuery), order string) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	q := newMetaQuery("SELECT * FROM (" + foreignKeys + ") k")
	filter(q)
	return h.runMeta(ctx, schema_ref.ImportedExportedKeysAndCrossReference, q.orderBy(order), q.args, nil)
}

// refFilter filters the keys on one side's table.
func refFilter(side string, ref flightsql.TableRef) func(*metaQuery) {
	return func(q *metaQuery) {
		q.equal(side+"_table_name", &ref.Table)
		q.equal(side+"_catalog_name", ref.Catalog)
		q.equal(side+"_db_schema_name", ref.DBSchema)
	}
}

// GetFlightInfoExportedKeys returns a ticket for DoGetExportedKeys.
func (h *sqlServer) GetFlightInfoExportedKeys(_ context.Context, _ flightsql.TableRef, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return h.infoFor(desc, schema_ref.ExportedKeys), nil
}

// DoGetExportedKeys lists the foreign keys that refer to a table.
func (h *sqlServer) DoGetExportedKeys(ctx context.Context, ref flightsql.TableRef) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	return h.keys(ctx, refFilter("pk", ref), byFK)
}

// GetFlightInfoImportedKeys returns a ticket for DoGetImportedKeys.
func (h *sqlServer) GetFlightInfoImportedKeys(_ context.Context, _ flightsql.TableRef, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return h.infoFor(desc, schema_ref.ImportedKeys), nil
}

// DoGetImportedKeys lists a table's foreign keys.
func (h *sqlServer) DoGetImportedKeys(ctx context.Context, ref flightsql.TableRef) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	return h.keys(ctx, refFilter("fk", ref), byPK)
}

// GetFlightInfoCrossReference returns a ticket for DoGetCrossReference.
func (h *sqlServer) GetFlightInfoCrossReference(_ context.Context, _ flightsql.CrossTableRef, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return h.infoFor(desc, schema_ref.CrossReference), nil
}

// DoGetCrossReference lists the foreign keys of one table that refer to
// another.
func (h *sqlServer) DoGetCrossReference(ctx context.Context, ref flightsql.CrossTableRef) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	pk, fk := refFilter("pk", ref.PKRef), refFilter("fk", ref.FKRef)
	return h.keys(ctx, func(q *metaQuery) { pk(q); fk(q) }, byPK)
}
