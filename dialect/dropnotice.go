package dialect

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/quiverdb/quiver/stmt"
)

// DROP ... IF EXISTS of an object that is not there sends PostgreSQL's
// NOTICE (table "t" does not exist, skipping), which pgbench -i and psql
// scripts show; DuckDB sends none. The plan first looks for each object.

// dropLookups are, by the kind of object DROP names, the word PostgreSQL's
// NOTICE uses, the DuckDB catalog function listing such objects, and its
// column of their names.
var dropLookups = map[pg_query.ObjectType]struct{ word, function, column string }{
	pg_query.ObjectType_OBJECT_TABLE:    {"table", "duckdb_tables()", "table_name"},
	pg_query.ObjectType_OBJECT_VIEW:     {"view", "duckdb_views()", "view_name"},
	pg_query.ObjectType_OBJECT_INDEX:    {"index", "duckdb_indexes()", "index_name"},
	pg_query.ObjectType_OBJECT_SEQUENCE: {"sequence", "duckdb_sequences()", "sequence_name"},
	pg_query.ObjectType_OBJECT_SCHEMA:   {"schema", "duckdb_schemas()", "schema_name"},
}

// missingNotices returns p, the plan of st, looking first for the objects
// a DROP ... IF EXISTS names and sending the NOTICE for each that is not
// there. p nil means st as written.
func missingNotices(st *stmt.Statement, p *Plan) *Plan {
	d := st.Node.GetDropStmt()
	look, ok := dropLookups[d.GetRemoveType()]
	if d == nil || !d.MissingOk || !ok || (p != nil && (p.NoOp || p.Separately)) {
		return p
	}
	// schema, when the name has one, looks for the schema, whose
	// absence PostgreSQL's NOTICE names instead.
	type object struct{ name, query, schema, schemaQuery string }
	var objects []object
	for _, o := range d.Objects {
		var parts []string
		if s := o.GetString_(); s != nil {
			parts = []string{s.Sval}
		} else {
			parts = names(o.GetList().GetItems())
		}
		if len(parts) == 0 {
			return p
		}
		name, schema := parts[len(parts)-1], ""
		if len(parts) > 1 {
			schema = parts[len(parts)-2]
		}
		where := catalogWhere(look.column, schema, name)
		if look.column == "schema_name" {
			where = "lower(schema_name) = lower(" + sqlString(name) + ")"
		}
		o := object{name: name, query: "SELECT 1 FROM " + look.function + " WHERE " + where + " LIMIT 1"}
		if schema != "" && look.column != "schema_name" {
			o.schema, o.schemaQuery = schema, "SELECT 1 FROM duckdb_schemas() WHERE lower(schema_name) = lower("+sqlString(schema)+") LIMIT 1"
		}
		objects = append(objects, o)
	}
	out := &Plan{SQL: []string{st.SQL}}
	if p != nil {
		c := *p
		out = &c
	}
	sql, then := out.SQL, out.Then
	out.SQL = nil
	out.Then = func(e Engine) ([]string, error) {
		for _, o := range objects {
			rows, err := e.Query(o.query)
			if err != nil {
				return nil, err
			}
			if len(rows) > 0 {
				continue
			}
			msg := look.word + " \"" + o.name + "\" does not exist, skipping"
			if o.schemaQuery != "" {
				if rows, err = e.Query(o.schemaQuery); err != nil {
					return nil, err
				}
				if len(rows) == 0 {
					msg = "schema \"" + o.schema + "\" does not exist, skipping"
				}
			}
			e.Notice(Notice{Code: "00000", Message: msg})
		}
		if then == nil {
			return sql, nil
		}
		for _, q := range sql {
			if _, err := e.Query(q); err != nil {
				return nil, err
			}
		}
		return then(e)
	}
	return out
}
