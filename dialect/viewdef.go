package dialect

import (
	"regexp"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/quiverdb/quiver/catalog"
	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/stmt"
)

// View definitions. DuckDB keeps a view's query as the text it was given,
// and that is the rewritten statement: catalog functions expanded, array
// literals turned into constructors, DuckDB's spelling of types. So a view
// created through quiver keeps its PostgreSQL definition beside it, as the
// default of a column of its companion table (catalog.ViewDefinitionColumn
// of the table catalog.DeclaredTypesPrefix+name), which pg_get_viewdef,
// pg_views and information_schema.views read. CREATE VIEW, DROP VIEW and
// ALTER VIEW ... RENAME keep the companion in step, in the same plan as
// the client's statement.

// keepsViewDefinition reports whether n is DDL whose plan maintains a
// view's kept definition.
func keepsViewDefinition(n *pg_query.Node) bool {
	switch x := n.Node.(type) {
	case *pg_query.Node_ViewStmt:
		return x.ViewStmt.View != nil && x.ViewStmt.Query.GetSelectStmt() != nil
	case *pg_query.Node_DropStmt:
		return x.DropStmt.RemoveType == pg_query.ObjectType_OBJECT_VIEW
	case *pg_query.Node_RenameStmt:
		r := x.RenameStmt
		return r.Relation != nil && r.RenameType == pg_query.ObjectType_OBJECT_VIEW
	}
	return false
}

// planViewDefinition plans DDL for which keepsViewDefinition holds: the
// statement as rewriteTree makes it (a DROP of several views split), each
// followed by the statement that keeps the companion in step.
func planViewDefinition(st *stmt.Statement) (*Plan, error) {
	if p := plans.get(st.SQL); p != nil {
		return p, nil
	}
	p := &Plan{}
	switch x := st.Node.Node.(type) {
	case *pg_query.Node_ViewStmt:
		n := clone(st.Node)
		v := n.GetViewStmt()
		named := len(v.Aliases)
		if err := viewColumns(v); err != nil {
			return nil, err
		}
		def := viewDefinition(v)
		sql, err := statementSQL(st.SQL, n, len(v.Aliases) != named)
		if err != nil {
			return nil, err
		}
		temp := ""
		if v.View.Relpersistence == "t" {
			temp = "TEMPORARY "
		}
		cols := append([]string{ident(catalog.ViewDefinitionColumn) + " VARCHAR DEFAULT " + sqlString(def)}, viewDeclared(v)...)
		p.SQL = []string{sql, "CREATE OR REPLACE " + temp + "TABLE " + typesTable(v.View) + " (" + strings.Join(cols, ", ") + ")"}
	case *pg_query.Node_DropStmt:
		for _, obj := range x.DropStmt.Objects {
			n := clone(st.Node)
			n.GetDropStmt().Objects = []*pg_query.Node{obj}
			sql, err := statementSQL(st.SQL, n, len(x.DropStmt.Objects) > 1)
			if err != nil {
				return nil, err
			}
			p.SQL = append(p.SQL, sql)
			if rv := dropTarget(obj); rv != nil {
				p.SQL = append(p.SQL, "DROP TABLE IF EXISTS "+typesTable(rv))
			}
		}
	case *pg_query.Node_RenameStmt:
		r := x.RenameStmt
		sql, err := statementSQL(st.SQL, clone(st.Node), false)
		if err != nil {
			return nil, err
		}
		p.SQL = []string{sql, "ALTER TABLE IF EXISTS " + typesTable(r.Relation) + " RENAME TO " +
			ident(catalog.DeclaredTypesPrefix+r.Newname)}
	}
	plans.put(st.SQL, p)
	return p, nil
}

// viewDeclared returns the declared-types columns of the view v's
// companion (see catalog.DeclaredColumn): a result column that is an
// expression has PostgreSQL's type without a modifier (DuckDB's sum or
// max of a DECIMAL(12,2) is a DECIMAL(p,2), PostgreSQL's numeric has no
// typmod), or the type it is cast to at its top (x::varchar(10)). The
// catalog applies a declared type only where DuckDB's type is one it
// becomes, so numeric is declared for every expression.
func viewDeclared(v *pg_query.ViewStmt) []string {
	sel := v.Query.GetSelectStmt()
	if sel.Op > pg_query.SetOperation_SETOP_NONE {
		return nil // the columns' types are the set operation's
	}
	var cols []string
	namedTargets(v, sel, func(name string, rt *pg_query.ResTarget) {
		if rt.Val.GetColumnRef() != nil {
			return
		}
		d, keep := catalog.Declared{OID: 1700, Typmod: -1}, true
		if tc := rt.Val.GetTypeCast(); tc != nil {
			d, keep, _ = declaredType(tc.TypeName)
		}
		if keep {
			cols = append(cols, typesColumn(name, d))
		}
	})
	return cols
}

// namedTargets calls f with each result column of sel that the view v's
// column list names, up to the first "*".
func namedTargets(v *pg_query.ViewStmt, sel *pg_query.SelectStmt, f func(name string, rt *pg_query.ResTarget)) {
	for i, a := range v.Aliases {
		if i >= len(sel.TargetList) {
			return
		}
		rt := sel.TargetList[i].GetResTarget()
		if rt == nil || isStar(rt.Val) {
			return
		}
		f(a.GetString_().GetSval(), rt)
	}
}

// sqlString quotes s as an SQL string constant.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// viewColumns gives the view v the column names PostgreSQL gives it
// where the client named none (DuckDB names count(*) "count_star()" where
// PostgreSQL says "count"), as its column list, and refuses a name twice
// as PostgreSQL does. With a "*" in the query, only the columns before it
// can be named.
func viewColumns(v *pg_query.ViewStmt) error {
	head, _, star, ok := (&stmt.Statement{Node: v.Query}).ColumnNames()
	if !ok {
		return nil
	}
	names := make([]string, 0, len(head))
	for i, n := range head {
		if i < len(v.Aliases) {
			n = v.Aliases[i].GetString_().GetSval()
		}
		names = append(names, n)
	}
	if !star {
		seen := make(map[string]bool, len(names))
		for _, n := range names {
			if seen[n] {
				return pgerror.New(pgerror.DuplicateColumn, "column %q specified more than once", n)
			}
			seen[n] = true
		}
	}
	if len(names) <= len(v.Aliases) {
		return nil
	}
	v.Aliases = v.Aliases[:0]
	for _, n := range names {
		v.Aliases = append(v.Aliases, &pg_query.Node{Node: &pg_query.Node_String_{String_: &pg_query.String{Sval: n}}})
	}
	return nil
}

// viewDefinition is the definition of the view v as pg_get_viewdef shows
// it, laid out as PostgreSQL lays it out: one line per result column and
// clause, a result column named with AS unless it is a column of that
// name, and the columns of a query of one relation qualified with its
// name. PostgreSQL also qualifies columns in joins and writes the types
// of constants ('x'::text), which need types the statement does not
// give. A query that is not a plain SELECT (set operations, WITH, VALUES)
// is written on one line. v's column names are those viewColumns gave.
func viewDefinition(v *pg_query.ViewStmt) string {
	sel := cloneMsg(v.Query.GetSelectStmt())
	unqualifyPublic(sel)
	qualifyColumns(sel)
	namedTargets(v, sel, func(name string, rt *pg_query.ResTarget) {
		if f := rt.Val.GetColumnRef().GetFields(); len(f) > 0 && f[len(f)-1].GetString_().GetSval() == name {
			name = ""
		}
		rt.Name = name
	})
	out, ok := layoutSelect(sel)
	if !ok {
		s, err := stmt.Deparse(&pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: sel}})
		if err != nil {
			return ""
		}
		out = " " + s + ";"
	}
	// The deparser writes extract's unit as the string the parser made
	// of it.
	return extractCall.ReplaceAllString(out, "EXTRACT($1 FROM ")
}

// extractCall is the start of the deparser's extract(unit FROM x).
var extractCall = regexp.MustCompile(`\bextract \('([a-z_]+)' FROM `)

// qualifyColumns qualifies the unqualified column references of a plain
// SELECT from one table or view with the relation's name or alias, as
// PostgreSQL writes them, but not in subqueries (which have relations of
// their own) nor a GROUP BY or ORDER BY name that may be a result
// column's.
func qualifyColumns(sel *pg_query.SelectStmt) {
	if sel.Op > pg_query.SetOperation_SETOP_NONE || len(sel.FromClause) != 1 || sel.WithClause != nil {
		return
	}
	rv := sel.FromClause[0].GetRangeVar()
	if rv == nil {
		return
	}
	q := rv.Relname
	if rv.Alias != nil {
		q = rv.Alias.Aliasname
	}
	outputs := make(map[string]bool)
	for _, t := range sel.TargetList {
		if rt := t.GetResTarget(); rt != nil && rt.Name != "" {
			outputs[rt.Name] = true
		}
	}
	var qualify func(m protoreflect.Message, byName bool)
	qualify = func(m protoreflect.Message, byName bool) {
		switch x := m.Interface().(type) {
		case *pg_query.SubLink:
			return
		case *pg_query.ColumnRef:
			if len(x.Fields) == 1 && x.Fields[0].GetString_() != nil && !(byName && outputs[x.Fields[0].GetString_().Sval]) {
				x.Fields = append([]*pg_query.Node{{Node: &pg_query.Node_String_{String_: &pg_query.String{Sval: q}}}}, x.Fields...)
			}
			return
		}
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.Message() == nil || fd.IsMap():
			case fd.IsList():
				for i := 0; i < v.List().Len(); i++ {
					qualify(v.List().Get(i).Message(), byName)
				}
			default:
				qualify(v.Message(), byName)
			}
			return true
		})
	}
	for _, t := range sel.TargetList {
		qualify(t.ProtoReflect(), false)
	}
	for _, n := range []*pg_query.Node{sel.WhereClause, sel.HavingClause} {
		if n != nil {
			qualify(n.ProtoReflect(), false)
		}
	}
	for _, n := range append(append([]*pg_query.Node{}, sel.GroupClause...), sel.SortClause...) {
		qualify(n.ProtoReflect(), true)
	}
}

// layoutSelect lays out a plain SELECT as PostgreSQL's pg_get_viewdef
// does, or reports false.
func layoutSelect(sel *pg_query.SelectStmt) (string, bool) {
	if sel.Op > pg_query.SetOperation_SETOP_NONE || sel.WithClause != nil || len(sel.ValuesLists) > 0 ||
		sel.IntoClause != nil || len(sel.LockingClause) > 0 || len(sel.WindowClause) > 0 || len(sel.TargetList) == 0 {
		return "", false
	}
	var b strings.Builder
	b.WriteString(" SELECT")
	if sel.DistinctClause != nil {
		if len(sel.DistinctClause) == 1 && sel.DistinctClause[0].Node == nil {
			b.WriteString(" DISTINCT")
		} else {
			return "", false // DISTINCT ON
		}
	}
	for i, t := range sel.TargetList {
		s, ok := deparseTarget(t)
		if !ok {
			return "", false
		}
		if i > 0 {
			b.WriteString(",\n   ")
		}
		b.WriteString(" " + s)
	}
	if sel.LimitCount != nil && sel.LimitOption != pg_query.LimitOption_LIMIT_OPTION_COUNT {
		return "", false // FETCH FIRST ... WITH TIES
	}
	// The clauses in PostgreSQL's order, each under its keyword; a clause
	// is deparsed alone, in a SELECT * that has only it.
	clause := func(part *pg_query.SelectStmt, kw string) func() (string, bool) {
		part.TargetList = starList()
		return func() (string, bool) { return deparseClause(part, "SELECT * "+kw+" ") }
	}
	expr := func(e *pg_query.Node) func() (string, bool) { return func() (string, bool) { return deparseExpr(e) } }
	for _, c := range []struct {
		present bool
		kw      string // laid out as PostgreSQL does, right-aligned
		text    func() (string, bool)
	}{
		{len(sel.FromClause) > 0, "   FROM", clause(&pg_query.SelectStmt{FromClause: sel.FromClause}, "FROM")},
		{sel.WhereClause != nil, "  WHERE", expr(sel.WhereClause)},
		{len(sel.GroupClause) > 0, "  GROUP BY", clause(&pg_query.SelectStmt{GroupClause: sel.GroupClause, GroupDistinct: sel.GroupDistinct}, "GROUP BY")},
		{sel.HavingClause != nil, " HAVING", expr(sel.HavingClause)},
		{len(sel.SortClause) > 0, "  ORDER BY", clause(&pg_query.SelectStmt{SortClause: sel.SortClause}, "ORDER BY")},
		{sel.LimitOffset != nil, " OFFSET", expr(sel.LimitOffset)},
		{sel.LimitCount != nil, " LIMIT", expr(sel.LimitCount)},
	} {
		if !c.present {
			continue
		}
		s, ok := c.text()
		if !ok {
			return "", false
		}
		b.WriteString("\n" + c.kw + " " + s)
	}
	b.WriteString(";")
	return b.String(), true
}

// starList is the target list "*".
func starList() []*pg_query.Node {
	return []*pg_query.Node{{Node: &pg_query.Node_ResTarget{ResTarget: &pg_query.ResTarget{
		Val: &pg_query.Node{Node: &pg_query.Node_ColumnRef{ColumnRef: &pg_query.ColumnRef{
			Fields: []*pg_query.Node{{Node: &pg_query.Node_AStar{AStar: &pg_query.A_Star{}}}}}}}}}}}
}

// deparseClause deparses sel and returns what follows prefix.
func deparseClause(sel *pg_query.SelectStmt, prefix string) (string, bool) {
	out, err := stmt.Deparse(&pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: sel}})
	if err != nil || !strings.HasPrefix(out, prefix) {
		return "", false
	}
	return out[len(prefix):], true
}

// deparseTarget deparses one result column.
func deparseTarget(t *pg_query.Node) (string, bool) {
	return deparseClause(&pg_query.SelectStmt{TargetList: []*pg_query.Node{t}}, "SELECT ")
}

// deparseExpr deparses an expression.
func deparseExpr(e *pg_query.Node) (string, bool) {
	return deparseTarget(&pg_query.Node{Node: &pg_query.Node_ResTarget{ResTarget: &pg_query.ResTarget{Val: e}}})
}

// unqualifyPublic writes the relations of DuckDB's main schema, which the
// client named as public's (public.go), without their schema, as
// pg_get_viewdef writes the relations of a schema on the search path.
func unqualifyPublic(sel *pg_query.SelectStmt) {
	stmt.Walk(sel.ProtoReflect(), func(m protoreflect.Message) {
		switch x := m.Interface().(type) {
		case *pg_query.RangeVar:
			if x.Schemaname == EngineSchema && x.Catalogname == "" {
				x.Schemaname = ""
			}
		case *pg_query.ColumnRef:
			if f := x.Fields; len(f) == 3 && f[0].GetString_().GetSval() == EngineSchema {
				x.Fields = f[1:]
			}
		}
	})
}
