package dialect

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/quiverdb/quiver/stmt"
)

// PostgreSQL's public schema is DuckDB's main: tables a client creates
// without a schema land in main, and the catalog presents main as public
// (pg_namespace, \dt, current_schema()). So a client that reads "public"
// in the catalog and names it (select * from public.t, as BI tools and
// ORMs qualify every table they read) must reach main: the statement DuckDB
// runs names main wherever the client's names the schema public, in
// relations, column references, functions, types, and the objects of
// DROP SCHEMA, DROP, COMMENT and ALTER ... SET SCHEMA. A string
// constant that names a relation (nextval('public.s'), 'public.t'::regclass)
// is left as it is: the catalog reads such names itself.

// PublicSchema and EngineSchema are the names of the schema in PostgreSQL
// and in DuckDB.
const (
	PublicSchema = "public"
	EngineSchema = "main"
)

// SchemaMapper is implemented by rewriters whose engine keeps PostgreSQL's
// schemas under other names.
type SchemaMapper interface {
	// EngineRelation returns the engine's name, quoted and qualified, of
	// the relation rel of the schema PostgreSQL calls schema ("" for a
	// relation named without one).
	EngineRelation(schema, rel string) string
}

// EngineRelation is SchemaMapper's method for DuckDB.
func (d duckdb) EngineRelation(schema, rel string) string {
	q := &pg_query.RangeVar{Schemaname: schema, Relname: rel}
	renamePublic(&pg_query.Node{Node: &pg_query.Node_RangeVar{RangeVar: q}}, d.database)
	return qualifiedName(q, rel)
}

// A temporary table hides a table of the same name in main even where the
// statement names main (DuckDB looks for main.t in the temporary catalog
// first), where PostgreSQL's public.t always means public's table. So where
// the engine's database is known a relation in public is named with it
// (memory.main.t), except in a view's definition, which must not depend on
// the database file's name.

// mappedPublic is a statement's text and tree with public written as main.
type mappedPublic struct {
	sql  string
	node *pg_query.Node // nil: the statement names no public schema
}

// publicMapped keeps mapPublic's work by statement text. The trees kept
// are never changed (the rewriters clone what they change), so sessions
// share them.
var publicMapped = textCache[mappedPublic]{m: make(map[string]mappedPublic)}

// mapPublic returns st with the public schema written as main wherever it
// names one, or st itself when it names none. A statement whose changed
// tree cannot be deparsed is returned as it is.
func mapPublic(st *stmt.Statement, database string) *stmt.Statement {
	if st.Node == nil || !containsFold(st.SQL, PublicSchema, "pg_temp") {
		return st
	}
	key := database + "\x00" + st.SQL
	m, ok := publicMapped.lookup(key)
	if !ok {
		n := clone(st.Node)
		if st.Node.GetViewStmt() != nil {
			database = ""
		}
		if renamePublic(n, database) {
			if sql, err := stmt.Deparse(n); err == nil {
				m = mappedPublic{sql: sql, node: n}
			}
		}
		publicMapped.put(key, m)
	}
	if m.node == nil {
		return st
	}
	c := *st
	c.SQL, c.Node = m.sql, m.node
	return &c
}

// containsFold reports whether s contains one of words, lower-case ASCII,
// in any case: one scan for the words' first letters, run on every
// statement.
func containsFold(s string, words ...string) bool {
	for i := range len(s) {
		for _, w := range words {
			if s[i]|0x20 == w[0] && len(s)-i >= len(w) && strings.EqualFold(s[i:i+len(w)], w) {
				return true
			}
		}
	}
	return false
}

// renamePublic writes main for public where n names the schema, a relation
// in it qualified with database where that is not "", and reports whether
// it changed anything.
func renamePublic(n *pg_query.Node, database string) bool {
	changed := false
	str := func(s *string) {
		if *s == PublicSchema {
			*s, changed = EngineSchema, true
		}
	}
	// qualifier renames the schema of a qualified name list whose last
	// parts name the object: the part before the last parts.
	qualifier := func(list []*pg_query.Node, parts int) {
		if i := len(list) - parts - 1; i >= 0 {
			if s := list[i].GetString_(); s != nil {
				str(&s.Sval)
			}
		}
	}
	// relation renames the schema of a relation's qualified name list
	// and names the database before it: the list with parts after the
	// relation's name (a column's) written anew.
	relation := func(list *[]*pg_query.Node, parts int) {
		l := *list
		if i := len(l) - parts - 2; i == 0 {
			switch s := l[0].GetString_(); {
			case s == nil:
			case s.Sval == PublicSchema && database != "":
				*list = append([]*pg_query.Node{pg_query.MakeStrNode(database)}, l...)
			case tempSchema(s.Sval):
				s.Sval, changed = EngineSchema, true
				*list = append([]*pg_query.Node{pg_query.MakeStrNode(TempCatalog)}, l...)
			}
		}
		qualifier(l, parts+1)
	}
	stmt.Walk(n.ProtoReflect(), func(m protoreflect.Message) {
		switch x := m.Interface().(type) {
		case *pg_query.RangeVar:
			if x.Catalogname == "" {
				switch {
				case x.Schemaname == PublicSchema:
					x.Catalogname = database
				case tempSchema(x.Schemaname):
					// DuckDB creates in temp only what is declared
					// temporary.
					x.Catalogname, x.Schemaname, x.Relpersistence, changed = TempCatalog, EngineSchema, "t", true
				}
			}
			str(&x.Schemaname)
		case *pg_query.ColumnRef:
			qualifier(x.Fields, 2) // schema.table.column, schema.table.*
		case *pg_query.FuncCall:
			qualifier(x.Funcname, 1)
			if sequenceFunc(x) {
				if c := sequenceName(x.Args[0]); c != nil && strings.HasPrefix(c.Sval, PublicSchema+".") {
					c.Sval, changed = EngineSchema+c.Sval[len(PublicSchema):], true
				}
			}
		case *pg_query.TypeName:
			qualifier(x.Names, 1)
		case *pg_query.ObjectWithArgs:
			qualifier(x.Objname, 1)
		case *pg_query.CreateEnumStmt:
			qualifier(x.TypeName, 1)
		case *pg_query.AlterObjectSchemaStmt:
			str(&x.Newschema)
		case *pg_query.RenameStmt:
			if x.RenameType == pg_query.ObjectType_OBJECT_SCHEMA {
				str(&x.Subname)
			}
		case *pg_query.DropStmt:
			for _, o := range x.Objects {
				if x.RemoveType == pg_query.ObjectType_OBJECT_SCHEMA {
					if s := o.GetString_(); s != nil {
						str(&s.Sval)
					}
				} else if l := o.GetList(); l != nil {
					if relationObject(x.RemoveType) {
						relation(&l.Items, 0)
					} else {
						qualifier(l.Items, 1)
					}
				}
			}
		case *pg_query.CommentStmt:
			switch x.Objtype {
			case pg_query.ObjectType_OBJECT_SCHEMA:
				if s := x.Object.GetString_(); s != nil {
					str(&s.Sval)
				}
			case pg_query.ObjectType_OBJECT_COLUMN:
				if l := x.Object.GetList(); l != nil {
					relation(&l.Items, 1)
				}
			default:
				if l := x.Object.GetList(); l != nil {
					if relationObject(x.Objtype) {
						relation(&l.Items, 0)
					} else {
						qualifier(l.Items, 1)
					}
				}
			}
		}
	})
	return changed
}

// TempCatalog is DuckDB's database of temporary objects, whose main schema
// is PostgreSQL's pg_temp.
const TempCatalog = "temp"

// tempSchema reports whether PostgreSQL's name s is the session's schema
// of temporary objects: pg_temp, or pg_temp_N as the catalog presents it.
func tempSchema(s string) bool {
	if s == "pg_temp" {
		return true
	}
	n, ok := strings.CutPrefix(s, "pg_temp_")
	if !ok || n == "" {
		return false
	}
	for _, c := range []byte(n) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// relationObject reports whether objects of type t are relations, which a
// temporary table can hide.
func relationObject(t pg_query.ObjectType) bool {
	switch t {
	case pg_query.ObjectType_OBJECT_TABLE, pg_query.ObjectType_OBJECT_VIEW, pg_query.ObjectType_OBJECT_MATVIEW,
		pg_query.ObjectType_OBJECT_SEQUENCE, pg_query.ObjectType_OBJECT_INDEX, pg_query.ObjectType_OBJECT_FOREIGN_TABLE:
		return true
	}
	return false
}

// sequenceFunc reports whether fc calls one of PostgreSQL's sequence
// functions, whose first argument names a sequence in a string.
func sequenceFunc(fc *pg_query.FuncCall) bool {
	n := names(fc.Funcname)
	if len(n) == 0 || len(fc.Args) == 0 || (len(n) == 2 && n[0] != "pg_catalog") || len(n) > 2 {
		return false
	}
	switch n[len(n)-1] {
	case "nextval", "currval", "setval":
		return true
	}
	return false
}

// sequenceName returns the string constant that names the sequence in a
// sequence function's argument n, written alone or cast (to regclass or
// text), or nil.
func sequenceName(n *pg_query.Node) *pg_query.String {
	if tc := n.GetTypeCast(); tc != nil {
		n = tc.Arg
	}
	return n.GetAConst().GetSval()
}

// noDefaultMethod leaves out an index's access method where it is btree,
// PostgreSQL's default, which DuckDB does not know by that name: its own
// default index serves the same statements.
func noDefaultMethod(x *pg_query.IndexStmt) {
	if x.AccessMethod == "btree" {
		x.AccessMethod = ""
	}
}

// dropOpclasses leaves out the operator classes of an index's keys
// (text_pattern_ops, varchar_pattern_ops, ..., which Django gives every
// indexed string column's _like index): DuckDB takes none, and its index
// answers the same equality lookups; a LIKE prefix search scans instead.
func dropOpclasses(x *pg_query.IndexStmt) {
	for _, p := range x.IndexParams {
		if e := p.GetIndexElem(); e != nil {
			e.Opclass, e.Opclassopts = nil, nil
		}
	}
}

// hasOpclasses reports whether an index names operator classes.
func hasOpclasses(x *pg_query.IndexStmt) bool {
	for _, p := range x.IndexParams {
		if e := p.GetIndexElem(); e != nil && (len(e.Opclass) > 0 || len(e.Opclassopts) > 0) {
			return true
		}
	}
	return false
}

// sequenceRegclass returns the string constant of a sequence function's
// first argument written as a regclass ('s'::regclass, as pg_dump and
// serial columns' defaults write it), or nil: DuckDB's sequence functions
// take the name itself.
func sequenceRegclass(fc *pg_query.FuncCall) *pg_query.Node {
	if !sequenceFunc(fc) {
		return nil
	}
	tc := fc.Args[0].GetTypeCast()
	if tc == nil || tc.Arg.GetAConst().GetSval() == nil {
		return nil
	}
	if n := names(tc.TypeName.GetNames()); len(n) == 0 || n[len(n)-1] != "regclass" {
		return nil
	}
	return tc.Arg
}

// toRegclass returns to_regclass(name) as the cast name::regclass, which
// the catalog reads as to_regclass does (no relation: NULL), or nil.
func toRegclass(fc *pg_query.FuncCall) *pg_query.TypeCast {
	if fc == nil || len(fc.Args) != 1 || fc.AggStar || fc.Over != nil {
		return nil
	}
	n := names(fc.Funcname)
	if len(n) == 0 || n[len(n)-1] != "to_regclass" || (len(n) == 2 && n[0] != "pg_catalog") || len(n) > 2 {
		return nil
	}
	return &pg_query.TypeCast{Arg: fc.Args[0], TypeName: &pg_query.TypeName{Names: []*pg_query.Node{pg_query.MakeStrNode("regclass")}, Typemod: -1}, Location: fc.Location}
}
