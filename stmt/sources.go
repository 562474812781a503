package stmt

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// Table is a table a query reads, as its FROM clause (or the target of a
// RETURNING list) names it.
type Table struct {
	Schema, Name string
	// Alias is the name the query gives it, "" for none.
	Alias string
	// Derived is set for a subquery or a WITH query: its columns are
	// those of its own query (Column).
	Derived *Derived
}

// Derived is the query of a derived table: its Sources and its columns'
// names (those of Sources.Head then Sources.Tail).
type Derived struct {
	src   Sources
	names []string
}

// Sources returns the derived table's own Sources.
func (d *Derived) Sources() Sources { return d.src }

// derived returns the Derived of query n, or nil when its columns cannot
// be followed.
func derived(n *pg_query.Node, ctes map[string]*pg_query.Node) *Derived {
	src, ok := sources(n, ctes)
	if !ok {
		return nil
	}
	head, tail, _, ok := (&Statement{Node: n}).ColumnNames()
	if !ok || len(head) != len(src.Head) || len(tail) != len(src.Tail) {
		return nil
	}
	return &Derived{src: src, names: append(head, tail...)}
}

// Ref is a result column that is a bare column reference: its qualifier
// (a table's alias or name, or schema and table) and column name. Column
// is "" for a column that is anything else. Path marks a column that is
// a JSON path of such a reference (col -> 'a', col #> '{a,b}', chained),
// whose type is the column's json or jsonb.
type Ref struct {
	Qualifier []string
	Column    string
	Path      bool
}

// Sources says where the result columns of a query come from, for the
// same columns ColumnNames names: Head and Tail hold one Ref per column
// before and after a star. Tables are the tables the query reads directly
// (not through a subquery, a function, or a WITH query), and StarTables
// those of them whose columns the star expands to (all of them for a bare
// "*"). A column is then a table's own when its name resolves to a column
// of exactly one of Tables, as PostgreSQL resolves it.
type Sources struct {
	Head, Tail []Ref
	Star       bool
	Tables     []Table
	StarTables []Table
}

// ColumnSources returns the Sources of a plain SELECT (not a set
// operation) or of a RETURNING list; ok is false for other statements, for
// a query with no table, and where ColumnNames is not ok.
func (s *Statement) ColumnSources() (src Sources, ok bool) {
	return sources(s.Node, nil)
}

// sources is ColumnSources of the query n, in which the WITH queries ctes
// of enclosing queries are visible.
func sources(n *pg_query.Node, ctes map[string]*pg_query.Node) (src Sources, ok bool) {
	if n == nil {
		return src, false
	}
	switch x := n.Node.(type) {
	case *pg_query.Node_SelectStmt:
		sel := x.SelectStmt
		if (sel.Op != pg_query.SetOperation_SETOP_NONE && sel.Op != pg_query.SetOperation_SET_OPERATION_UNDEFINED) ||
			len(sel.ValuesLists) > 0 {
			return src, false
		}
		if w := sel.GetWithClause(); w != nil {
			inner := make(map[string]*pg_query.Node, len(ctes)+len(w.Ctes))
			for k, v := range ctes {
				inner[k] = v
			}
			for _, c := range w.Ctes {
				cte := c.GetCommonTableExpr()
				if w.Recursive || len(cte.GetAliascolnames()) > 0 {
					inner[cte.GetCtename()] = nil // not followed
				} else {
					inner[cte.GetCtename()] = cte.GetCtequery()
				}
			}
			ctes = inner
		}
		for _, f := range sel.FromClause {
			if !fromTables(f, ctes, &src.Tables) {
				return src, false
			}
		}
	case *pg_query.Node_InsertStmt:
		src.Tables = returningTable(x.InsertStmt.Relation)
	case *pg_query.Node_UpdateStmt:
		src.Tables = returningTable(x.UpdateStmt.Relation)
	case *pg_query.Node_DeleteStmt:
		src.Tables = returningTable(x.DeleteStmt.Relation)
	default:
		return src, false
	}
	if len(src.Tables) == 0 {
		return src, false
	}
	targets, ok := (&Statement{Node: n}).targetList()
	if !ok {
		return src, false
	}
	for _, rt := range targets {
		if rt.Name == "" && isStar(rt.Val) {
			if src.Star {
				return src, false
			}
			src.Star = true
			fields := rt.Val.GetColumnRef().Fields
			qual := Names(fields[:len(fields)-1])
			for _, t := range src.Tables {
				if len(qual) == 0 || t.Named(qual) {
					src.StarTables = append(src.StarTables, t)
				}
			}
			continue
		}
		var r Ref
		val, path := rt.Val, false
		for {
			x := val.GetAExpr()
			if x == nil || x.Kind != pg_query.A_Expr_Kind_AEXPR_OP || len(x.Name) != 1 || x.Lexpr == nil {
				break
			}
			if op := x.Name[0].GetString_().GetSval(); op != "->" && op != "#>" {
				break
			}
			val, path = x.Lexpr, true
		}
		if cr := val.GetColumnRef(); cr != nil && len(cr.Fields) > 0 {
			if last := cr.Fields[len(cr.Fields)-1].GetString_(); last != nil {
				r = Ref{Qualifier: Names(cr.Fields[:len(cr.Fields)-1]), Column: last.Sval, Path: path}
				if len(r.Qualifier) != len(cr.Fields)-1 {
					r = Ref{}
				}
			}
		}
		if src.Star {
			src.Tail = append(src.Tail, r)
		} else {
			src.Head = append(src.Head, r)
		}
	}
	return src, true
}

// Column returns where column col of a derived table (a subquery or WITH
// query) comes from: a column of one of its tables (refs, with ok), or,
// for a name its star gives, any of its StarTables' columns (star).
func (t Table) Column(col string) (ref Ref, star, ok bool) {
	d := t.Derived
	if d == nil {
		return ref, false, false
	}
	found := 0
	for i, name := range d.names {
		if strings.EqualFold(name, col) {
			found++
			if i < len(d.src.Head) {
				ref = d.src.Head[i]
			} else {
				ref = d.src.Tail[i-len(d.src.Head)]
			}
		}
	}
	switch {
	case found == 1:
		return ref, false, ref.Column != ""
	case found == 0 && d.src.Star:
		return Ref{Column: col}, true, true
	}
	return ref, false, false
}

// Named reports whether a column qualifier (a name, or schema and name)
// names t.
func (t Table) Named(qual []string) bool {
	switch len(qual) {
	case 1:
		if t.Alias != "" {
			return qual[0] == t.Alias
		}
		return qual[0] == t.Name
	case 2:
		return t.Alias == "" && qual[0] == t.Schema && qual[1] == t.Name
	}
	return false
}

// fromTables adds the tables of one FROM item to tables. It returns false
// for an item whose tables cannot be told apart: a join with an alias,
// which hides its tables' names.
func fromTables(n *pg_query.Node, ctes map[string]*pg_query.Node, tables *[]Table) bool {
	switch x := n.Node.(type) {
	case *pg_query.Node_RangeVar:
		rv := x.RangeVar
		if rv.Catalogname != "" || len(rv.GetAlias().GetColnames()) > 0 {
			return true // not a table of this database, or its columns renamed
		}
		if q, isCTE := ctes[rv.Relname]; isCTE && rv.Schemaname == "" {
			// The WITH query sees the others, not itself.
			others := make(map[string]*pg_query.Node, len(ctes))
			for k, v := range ctes {
				if k != rv.Relname {
					others[k] = v
				}
			}
			if d := derived(q, others); d != nil {
				*tables = append(*tables, Table{Name: rv.Relname, Alias: rv.GetAlias().GetAliasname(), Derived: d})
			}
			return true
		}
		*tables = append(*tables, Table{Schema: rv.Schemaname, Name: rv.Relname, Alias: rv.GetAlias().GetAliasname()})
	case *pg_query.Node_RangeSubselect:
		r := x.RangeSubselect
		if a := r.GetAlias(); a != nil && len(a.Colnames) == 0 && !r.Lateral {
			if d := derived(r.Subquery, ctes); d != nil {
				*tables = append(*tables, Table{Alias: a.Aliasname, Derived: d})
			}
		}
	case *pg_query.Node_JoinExpr:
		j := x.JoinExpr
		if j.Alias != nil {
			return false
		}
		return fromTables(j.Larg, ctes, tables) && fromTables(j.Rarg, ctes, tables)
	}
	return true
}

func returningTable(rv *pg_query.RangeVar) []Table {
	if rv == nil || rv.Catalogname != "" {
		return nil
	}
	return []Table{{Schema: rv.Schemaname, Name: rv.Relname, Alias: rv.GetAlias().GetAliasname()}}
}
