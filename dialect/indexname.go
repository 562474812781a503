package dialect

import (
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/stmt"
)

// CREATE INDEX without a name gets one from PostgreSQL, which DuckDB
// requires: the table's name, the columns' names and idx, joined by
// underscores and cut to 63 bytes, with a number after idx when a relation
// of the schema has that name already (ChooseIndexName in PostgreSQL's
// indexcmds.c).

// maxNameLen is the longest name PostgreSQL keeps (NAMEDATALEN - 1).
const maxNameLen = 63

// planIndexName plans x, an index without a name: the name is chosen once
// the names taken in the table's schema are read, and the statement with
// it is then rewritten by rewrite.
// planFullIndex plans CREATE INDEX ... WHERE, a partial index, which
// DuckDB has not (Rails' and Django's indexes of the rows not deleted): a
// plain one is made on every row, which answers the same queries, with a
// WARNING; a unique one, whose WHERE says which rows must differ, is
// refused.
func planFullIndex(st *stmt.Statement, rewrite func(*stmt.Statement) (*Plan, error)) (*Plan, error) {
	if st.Node.GetIndexStmt().Unique {
		return nil, pgerror.New(pgerror.FeatureNotSupported, "partial unique indexes (CREATE UNIQUE INDEX ... WHERE) are not supported on DuckDB")
	}
	n := clone(st.Node)
	n.GetIndexStmt().WhereClause = nil
	full := probeStatement(st, n, st.Params)
	if full == nil {
		return nil, pgerror.New(pgerror.FeatureNotSupported, "partial indexes (CREATE INDEX ... WHERE) are not supported on DuckDB")
	}
	p, err := rewrite(full)
	switch {
	case err != nil:
		return nil, err
	case p == nil:
		p = &Plan{SQL: []string{full.SQL}}
	}
	p.Warnings = append(p.Warnings, "the index is made on every row, without its WHERE: DuckDB has no partial indexes")
	return p, nil
}

func planIndexName(st *stmt.Statement, x *pg_query.IndexStmt, rewrite func(*stmt.Statement) (*Plan, error)) (*Plan, error) {
	rv := x.Relation
	cols := indexColumnNames(x)
	taken := takenNamesSQL(rv)
	return &Plan{Then: func(e Engine) ([]string, error) {
		rows, err := e.Query(taken)
		if err != nil {
			return nil, err
		}
		used := make(map[string]bool, len(rows))
		for _, r := range rows {
			used[r[0]] = true
		}
		n := clone(st.Node)
		n.GetIndexStmt().Idxname = chooseName(rv.Relname, strings.Join(cols, "_"), "idx", used)
		sql, err := deparse(n)
		if err != nil {
			return nil, err
		}
		named := stmt.Split(sql)
		if len(named) != 1 {
			return []string{sql}, nil
		}
		p, err := rewrite(&named[0])
		switch {
		case err != nil:
			return nil, err
		case p == nil:
			return []string{quoteReserved(sql)}, nil
		}
		out := make([]string, len(p.SQL))
		for i, s := range p.SQL {
			out[i] = quoteReserved(s)
		}
		return out, nil
	}}, nil
}

// takenNamesSQL is a query of the names of the relations in the schema of
// the table rv names (the first on the search path when rv names none).
func takenNamesSQL(rv *pg_query.RangeVar) string {
	where := "table_name = " + literal(rv.Relname)
	if rv.Schemaname != "" {
		where += " AND schema_name = " + literal(rv.Schemaname)
	}
	if rv.Catalogname != "" {
		where += " AND database_name = " + literal(rv.Catalogname)
	}
	in := "(database_name, schema_name) IN (SELECT database_name, schema_name FROM duckdb_tables() WHERE " + where + ")"
	return "SELECT index_name FROM duckdb_indexes() WHERE " + in +
		" UNION ALL SELECT table_name FROM duckdb_tables() WHERE " + in +
		" UNION ALL SELECT view_name FROM duckdb_views() WHERE " + in +
		" UNION ALL SELECT sequence_name FROM duckdb_sequences() WHERE " + in
}

// indexColumnNames names an index's columns as PostgreSQL does for its
// name: a column's name, an expression's function's (else "expr"), each
// made unique with a number (ChooseIndexColumnNames).
func indexColumnNames(x *pg_query.IndexStmt) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range append(append([]*pg_query.Node(nil), x.IndexParams...), x.IndexIncludingParams...) {
		e := p.GetIndexElem()
		if e == nil {
			continue
		}
		name := e.Indexcolname
		switch {
		case name != "":
		case e.Name != "":
			name = e.Name
		default:
			name = exprName(e.Expr)
		}
		base := name
		for i := 1; seen[name]; i++ {
			suffix := strconv.Itoa(i)
			name = clip(base, maxNameLen-len(suffix)) + suffix
		}
		seen[name] = true
		out = append(out, name)
	}
	return out
}

// exprName is the name PostgreSQL gives an index's expression column
// (FigureIndexColname): a function's or a column's name, "expr" for others.
func exprName(n *pg_query.Node) string {
	switch {
	case n.GetFuncCall() != nil:
		if l := names(n.GetFuncCall().Funcname); len(l) > 0 {
			return l[len(l)-1]
		}
	case n.GetColumnRef() != nil:
		if f := n.GetColumnRef().Fields; len(f) > 0 && f[len(f)-1].GetString_() != nil {
			return f[len(f)-1].GetString_().Sval
		}
	case n.GetTypeCast() != nil:
		if s := exprName(n.GetTypeCast().Arg); s != "expr" {
			return s
		}
		if l := names(n.GetTypeCast().GetTypeName().GetNames()); len(l) > 0 {
			return l[len(l)-1]
		}
	}
	return "expr"
}

// chooseName is PostgreSQL's ChooseRelationName: name1_name2_label cut to
// fit, with label numbered until the name is not in used.
func chooseName(name1, name2, label string, used map[string]bool) string {
	mod := label
	for pass := 1; ; pass++ {
		if n := objectName(name1, name2, mod); !used[n] {
			return n
		}
		mod = label + strconv.Itoa(pass)
	}
}

// objectName is PostgreSQL's makeObjectName: the longer of name1 and name2
// is shortened, a character at a time, until name1_name2_label fits.
func objectName(name1, name2, label string) string {
	n1, n2 := len(name1), len(name2)
	avail := maxNameLen - len(label) - 1
	if name2 != "" {
		avail--
	}
	for n1+n2 > avail {
		if n1 > n2 {
			n1--
		} else {
			n2--
		}
	}
	out := clip(name1, n1)
	if name2 != "" {
		out += "_" + clip(name2, n2)
	}
	return out + "_" + label
}

// clip is s cut to at most n bytes, at a character's start.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
