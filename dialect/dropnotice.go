package dialect

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/quiverdb/quiver/stmt"
)

// DROP ... IF EXISTS of an object that is not there sends PostgreSQL's
// NOTICE (table "t" does not exist, skipping), which pgbench -i and psql
// scripts show, and CREATE ... IF NOT EXISTS of one that is there another
// (relation "t" already exists, skipping); DuckDB sends neither. The plan
// first looks for each object.

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
	return lookFirst(st, p, func(e Engine) error {
		for _, o := range objects {
			rows, err := e.Query(o.query)
			if err != nil {
				return err
			}
			if len(rows) > 0 {
				continue
			}
			msg := look.word + " \"" + o.name + "\" does not exist, skipping"
			if o.schemaQuery != "" {
				if rows, err = e.Query(o.schemaQuery); err != nil {
					return err
				}
				if len(rows) == 0 {
					msg = "schema \"" + o.schema + "\" does not exist, skipping"
				}
			}
			e.Notice(Notice{Code: "00000", Message: msg})
		}
		return nil
	})
}

// lookFirst returns p, the plan of st (nil for st as written), running
// look before its statements.
func lookFirst(st *stmt.Statement, p *Plan, look func(Engine) error) *Plan {
	out := &Plan{SQL: []string{st.SQL}}
	if p != nil {
		c := *p
		out = &c
	}
	sql, then := out.SQL, out.Then
	out.SQL = nil
	out.Then = func(e Engine) ([]string, error) {
		if err := look(e); err != nil {
			return nil, err
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

// existingNotices returns p, the plan of st, looking first for the
// relation a CREATE TABLE, INDEX or SEQUENCE ... IF NOT EXISTS makes and
// sending PostgreSQL's NOTICE (relation "t" already exists, skipping) when
// it is there. p nil means st as written.
func existingNotices(st *stmt.Statement, p *Plan) *Plan {
	var rv *pg_query.RangeVar
	name := ""
	switch x := st.Node.GetNode().(type) {
	case *pg_query.Node_CreateStmt:
		if x.CreateStmt.IfNotExists {
			rv = x.CreateStmt.Relation
		}
	case *pg_query.Node_CreateSeqStmt:
		if x.CreateSeqStmt.IfNotExists {
			rv = x.CreateSeqStmt.Sequence
		}
	case *pg_query.Node_IndexStmt:
		if x.IndexStmt.IfNotExists && x.IndexStmt.Idxname != "" {
			rv = &pg_query.RangeVar{Schemaname: x.IndexStmt.GetRelation().GetSchemaname(), Relname: x.IndexStmt.Idxname}
		}
	}
	if rv == nil || (p != nil && (p.NoOp || p.Separately)) {
		return p
	}
	name = rv.Relname
	query := "SELECT 1 FROM (SELECT database_name, schema_name, table_name AS n FROM duckdb_tables() " +
		"UNION ALL SELECT database_name, schema_name, view_name FROM duckdb_views() WHERE NOT internal " +
		"UNION ALL SELECT database_name, schema_name, index_name FROM duckdb_indexes() " +
		"UNION ALL SELECT database_name, schema_name, sequence_name FROM duckdb_sequences()) WHERE " +
		catalogWhere("n", rv.Schemaname, name) + " LIMIT 1"
	return lookFirst(st, p, func(e Engine) error {
		rows, err := e.Query(query)
		if err != nil {
			return err
		}
		if len(rows) > 0 {
			e.Notice(Notice{Code: "42P07", Message: "relation \"" + name + "\" already exists, skipping"})
		}
		return nil
	})
}
