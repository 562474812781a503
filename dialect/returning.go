package dialect

import (
	"slices"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/quiverdb/quiver/stmt"
)

// Split is how to run one client statement as several: the statements in
// order, in PostgreSQL's SQL, to be planned and run as any other, in one
// transaction, with the rows of Statements[Result] as the client's.
type Split struct {
	Statements []*stmt.Statement
	// Params gives, for each statement, the client's parameter (0-based)
	// behind each of the statement's own $1..$n.
	Params [][]int
	// Result is the index of the statement whose rows the client gets:
	// they are read in full before the statements after it run.
	Result int
	// Change is the index of the statement that changes the table.
	Change int
}

// SplitReturning returns how to run st, an UPDATE ... RETURNING of a table
// other tables' foreign keys reference, or one with a parameter in its
// RETURNING, on DuckDB, or nil to run it as it is. DuckDB runs an UPDATE
// with RETURNING as a delete and an insert of each row, which its foreign
// keys refuse for a referenced row even where no key changes ("still
// referenced"); and it cannot bind a parameter in an UPDATE's RETURNING
// ("Unexpected prepared parameter"). The split computes the rows
// RETURNING gives first, with each assigned value cast to its column's
// type, as the UPDATE assigns it, then runs the UPDATE without RETURNING,
// which DuckDB makes in place.
//
// Left as they are: an UPDATE with FROM or WITH, one that assigns DEFAULT,
// a row or a part of a column, one whose assignments call a volatile
// function (the two statements would compute different values), and one
// of a column of a nested type. q runs catalog queries on the engine.
func SplitReturning(st *stmt.Statement, q func(string) ([][]string, error)) (*Split, error) {
	if ins := st.Node.GetInsertStmt(); ins != nil {
		return splitUpsert(ins, q)
	}
	u := st.Node.GetUpdateStmt()
	if u == nil || len(u.ReturningList) == 0 || len(u.FromClause) > 0 || u.WithClause != nil || u.Relation == nil {
		return nil, nil
	}
	set := map[string]*pg_query.Node{}
	for _, n := range u.TargetList {
		rt := n.GetResTarget()
		if rt == nil || len(rt.Indirection) > 0 || rt.Val == nil || rt.Val.GetSetToDefault() != nil ||
			rt.Val.GetMultiAssignRef() != nil || callsVolatile(rt.Val) {
			return nil, nil
		}
		set[strings.ToLower(rt.Name)] = rt.Val
	}
	cols, referenced, err := updatedColumns(q, u.Relation)
	if err != nil || cols == nil || !referenced && !slices.ContainsFunc(u.ReturningList, stmt.HasParam) {
		return nil, err
	}
	alias := u.Relation.Relname
	if u.Relation.Alias != nil {
		alias = u.Relation.Alias.Aliasname
	}
	// The rows as the UPDATE leaves them: each column, or the value
	// assigned to it cast to its type.
	var inner []*pg_query.Node
	for _, c := range cols {
		var val *pg_query.Node
		if v, ok := set[strings.ToLower(c.name)]; ok {
			tn := c.typeName()
			if tn == nil {
				return nil, nil
			}
			val = &pg_query.Node{Node: &pg_query.Node_TypeCast{TypeCast: &pg_query.TypeCast{Arg: v, TypeName: tn, Location: -1}}}
			delete(set, strings.ToLower(c.name))
		} else {
			val = columnRef(alias, c.name)
		}
		inner = append(inner, &pg_query.Node{Node: &pg_query.Node_ResTarget{ResTarget: &pg_query.ResTarget{Name: c.name, Val: val, Location: -1}}})
	}
	if len(set) > 0 {
		return nil, nil // a column the table does not have: the UPDATE's error
	}
	rows := &pg_query.SelectStmt{
		TargetList:  inner,
		FromClause:  []*pg_query.Node{{Node: &pg_query.Node_RangeVar{RangeVar: cloneMsg(u.Relation)}}},
		WhereClause: u.WhereClause,
	}
	returning := make([]*pg_query.Node, len(u.ReturningList))
	for i, n := range u.ReturningList {
		returning[i] = clone(n)
		unqualify(returning[i], alias)
	}
	sel := &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: &pg_query.SelectStmt{
		TargetList: returning,
		FromClause: []*pg_query.Node{{Node: &pg_query.Node_RangeSubselect{RangeSubselect: &pg_query.RangeSubselect{
			Subquery: &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: rows}},
			Alias:    &pg_query.Alias{Aliasname: alias},
		}}}},
	}}}
	change := cloneMsg(u)
	change.ReturningList = nil
	return newSplit(0, []*pg_query.Node{sel, {Node: &pg_query.Node_UpdateStmt{UpdateStmt: change}}})
}

// newSplit is the Split of the statements nodes, whose first is the
// result: each with its parameters numbered from $1.
func newSplit(result int, nodes []*pg_query.Node) (*Split, error) {
	out := &Split{Result: result, Change: 1 - result}
	for _, n := range nodes {
		n = clone(n) // the client's parse is cached: changed in a copy
		params := renumberParams(n)
		sql, err := deparse(n)
		if err != nil {
			return nil, err
		}
		sts := stmt.Split(sql)
		if len(sts) != 1 || sts[0].Node == nil {
			return nil, nil
		}
		out.Statements = append(out.Statements, &sts[0])
		out.Params = append(out.Params, params)
	}
	return out, nil
}

// splitUpsert is SplitReturning for an INSERT ... ON CONFLICT (key) DO
// UPDATE ... RETURNING, which DuckDB runs as UPDATE's RETURNING form for a
// row already there: the INSERT runs without RETURNING, then the rows are
// read by their keys, in the order of the VALUES that gave them, as the
// statement's RETURNING would give them.
//
// Left as they are: an INSERT of a query rather than VALUES, one without
// a column list or with WITH, ON CONFLICT ON CONSTRAINT, a key given as
// DEFAULT or by a volatile function, and a DO UPDATE whose WHERE reads
// other columns than the key's (Prisma's upsert reads the key): read after
// the change, and of the rows inserted too, it would leave out rows
// PostgreSQL returns. A row inserted with a NULL key is not found.
func splitUpsert(ins *pg_query.InsertStmt, q func(string) ([][]string, error)) (*Split, error) {
	oc := ins.OnConflictClause
	values := ins.SelectStmt.GetSelectStmt().GetValuesLists()
	if len(ins.ReturningList) == 0 || oc == nil || oc.Action != pg_query.OnConflictAction_ONCONFLICT_UPDATE ||
		oc.Infer == nil || oc.Infer.Conname != "" || len(oc.Infer.IndexElems) == 0 || oc.Infer.WhereClause != nil ||
		ins.WithClause != nil || len(ins.Cols) == 0 || len(values) == 0 || ins.Relation == nil {
		return nil, nil
	}
	colIndex := map[string]int{}
	for i, c := range ins.Cols {
		colIndex[c.GetResTarget().GetName()] = i
	}
	var keys []int
	for _, e := range oc.Infer.IndexElems {
		ie := e.GetIndexElem()
		i, ok := colIndex[ie.GetName()]
		if ie == nil || ie.Expr != nil || !ok {
			return nil, nil
		}
		keys = append(keys, i)
	}
	alias := ins.Relation.Relname
	if ins.Relation.Alias != nil {
		alias = ins.Relation.Alias.Aliasname
	}
	keyCols := map[string]bool{}
	for _, k := range keys {
		keyCols[strings.ToLower(ins.Cols[k].GetResTarget().GetName())] = true
	}
	if oc.WhereClause != nil && !readsOnly(oc.WhereClause, keyCols) {
		return nil, nil
	}
	_, referenced, err := updatedColumns(q, ins.Relation)
	if err != nil || !referenced {
		return nil, err
	}
	// The keys of the VALUES, each row with its place, named apart from
	// the table's columns, which RETURNING may name unqualified.
	const valuesName, place = "quiver_values", "quiver_row"
	valueCol := func(i int) string { return "quiver_" + strconv.Itoa(i+1) }
	colnames := []*pg_query.Node{pg_query.MakeStrNode(place)}
	for i := range keys {
		colnames = append(colnames, pg_query.MakeStrNode(valueCol(i)))
	}
	rows := make([]*pg_query.Node, len(values))
	for r, v := range values {
		items := v.GetList().GetItems()
		if len(items) != len(ins.Cols) {
			return nil, nil
		}
		row := []*pg_query.Node{pg_query.MakeAConstIntNode(int64(r+1), -1)}
		for _, k := range keys {
			if items[k].GetSetToDefault() != nil || callsVolatile(items[k]) {
				return nil, nil
			}
			row = append(row, items[k])
		}
		rows[r] = &pg_query.Node{Node: &pg_query.Node_List{List: &pg_query.List{Items: row}}}
	}
	var where *pg_query.Node
	and := func(n *pg_query.Node) {
		if where == nil {
			where = n
			return
		}
		where = pg_query.MakeBoolExprNode(pg_query.BoolExprType_AND_EXPR, []*pg_query.Node{where, n}, -1)
	}
	for i, k := range keys {
		name := ins.Cols[k].GetResTarget().GetName()
		and(pg_query.MakeAExprNode(pg_query.A_Expr_Kind_AEXPR_OP, []*pg_query.Node{pg_query.MakeStrNode("=")},
			columnRef(alias, name), columnRef(valuesName, valueCol(i)), -1))
	}
	if oc.WhereClause != nil {
		w := clone(oc.WhereClause)
		unqualify(w, alias)
		and(w)
	}
	returning := make([]*pg_query.Node, len(ins.ReturningList))
	for i, n := range ins.ReturningList {
		returning[i] = clone(n)
		unqualify(returning[i], alias)
		if cr := returning[i].GetResTarget().GetVal().GetColumnRef(); cr != nil && len(cr.Fields) == 1 && cr.Fields[0].GetAStar() != nil {
			cr.Fields = append([]*pg_query.Node{pg_query.MakeStrNode(alias)}, cr.Fields...) // the table's columns only
		}
	}
	table := cloneMsg(ins.Relation)
	if table.Alias == nil && table.Schemaname != "" {
		table.Alias = &pg_query.Alias{Aliasname: alias} // read as alias.col, not schema.alias.col
	}
	sel := &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: &pg_query.SelectStmt{
		TargetList: returning,
		FromClause: []*pg_query.Node{
			{Node: &pg_query.Node_RangeVar{RangeVar: table}},
			{Node: &pg_query.Node_RangeSubselect{RangeSubselect: &pg_query.RangeSubselect{
				Subquery: &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: &pg_query.SelectStmt{ValuesLists: rows}}},
				Alias:    &pg_query.Alias{Aliasname: valuesName, Colnames: colnames},
			}}},
		},
		WhereClause: where,
		SortClause: []*pg_query.Node{{Node: &pg_query.Node_SortBy{SortBy: &pg_query.SortBy{
			Node: columnRef(valuesName, place), Location: -1}}}},
	}}}
	change := cloneMsg(ins)
	change.ReturningList = nil
	return newSplit(1, []*pg_query.Node{{Node: &pg_query.Node_InsertStmt{InsertStmt: change}}, sel})
}

// readsOnly reports whether the columns n reads are all of the table's
// columns named in cols (lower case).
func readsOnly(n *pg_query.Node, cols map[string]bool) bool {
	ok := true
	walk(n.ProtoReflect(), func(m protoreflect.Message) {
		cr, isRef := m.Interface().(*pg_query.ColumnRef)
		if !isRef {
			return
		}
		name := names(cr.Fields)
		ok = ok && len(name) == len(cr.Fields) && len(name) > 0 && cols[strings.ToLower(name[len(name)-1])] &&
			(len(name) == 1 || name[len(name)-2] != "excluded")
	})
	return ok
}

// tableColumn is a column of the table an UPDATE changes, with its type
// as DuckDB names it, or for an enum the enum type's name.
type tableColumn struct{ name, dataType, enum string }

// updatedColumns returns the columns of the table rv names, or none when
// there is no such table, and whether other tables' foreign keys
// reference it.
func updatedColumns(q func(string) ([][]string, error), rv *pg_query.RangeVar) (cols []tableColumn, referenced bool, err error) {
	schema := rv.Schemaname
	if strings.EqualFold(schema, PublicSchema) {
		schema = EngineSchema
	}
	// The table DuckDB takes the name for: a temporary one first.
	rows, err := q(`SELECT c.column_name, c.data_type, coalesce((SELECT any_value(t.type_name) FROM duckdb_types() t
    WHERE t.logical_type = 'ENUM' AND NOT t.internal AND t.database_name = c.database_name AND t.schema_name = c.schema_name
      AND 'ENUM(' || array_to_string(list_transform(t.labels, x -> '''' || replace(x, '''', '''''') || ''''), ', ') || ')' = regexp_replace(c.data_type, '(\[\])+$', '')), ''),
    EXISTS (SELECT 1 FROM duckdb_constraints() k WHERE k.constraint_type = 'FOREIGN KEY' AND k.database_name = r.database_name
      AND k.schema_name = r.schema_name AND k.referenced_table = r.table_name)
  FROM duckdb_columns() c, (SELECT database_name, schema_name, table_name FROM duckdb_tables() WHERE ` +
		catalogWhere("table_name", schema, rv.Relname) + ` ORDER BY database_name <> 'temp' LIMIT 1) r
  WHERE c.database_name = r.database_name AND c.schema_name = r.schema_name AND c.table_name = r.table_name
  ORDER BY c.column_index`)
	if err != nil || len(rows) == 0 {
		return nil, false, err
	}
	cols = make([]tableColumn, len(rows))
	for i, r := range rows {
		cols[i] = tableColumn{name: r[0], dataType: r[1], enum: r[2]}
	}
	return cols, rows[0][3] == "true", nil
}

// typeName is the column's type as PostgreSQL's parser reads it, or nil
// for a type it cannot name (DuckDB's nested types).
func (c tableColumn) typeName() *pg_query.TypeName {
	base, dims := c.dataType, ""
	for strings.HasSuffix(base, "[]") {
		base, dims = base[:len(base)-2], dims+"[]"
	}
	switch {
	case c.enum != "":
		base = ident(c.enum)
	case base == "FLOAT":
		base = "real" // PostgreSQL reads float as double precision
	case base == "DOUBLE":
		base = "double precision"
	case strings.ContainsAny(base, "(") && !strings.HasPrefix(base, "DECIMAL("):
		return nil // STRUCT(...), MAP(...), UNION(...), an enum without a name
	}
	sts := stmt.Split("SELECT CAST(NULL AS " + base + dims + ")")
	if len(sts) != 1 || sts[0].Node == nil {
		return nil
	}
	return sts[0].Node.GetSelectStmt().GetTargetList()[0].GetResTarget().GetVal().GetTypeCast().GetTypeName()
}

// columnRef is a reference to the column name of the relation rel.
func columnRef(rel, name string) *pg_query.Node {
	return pg_query.MakeColumnRefNode([]*pg_query.Node{pg_query.MakeStrNode(rel), pg_query.MakeStrNode(name)}, -1)
}

// unqualify drops the schema (and database) from the column references
// below n that name the relation rel with them (schema.rel.col), which
// read the derived table SplitReturning names rel.
func unqualify(n *pg_query.Node, rel string) {
	walk(n.ProtoReflect(), func(m protoreflect.Message) {
		cr, ok := m.Interface().(*pg_query.ColumnRef)
		if !ok || len(cr.Fields) < 3 {
			return
		}
		k := len(cr.Fields) - 2
		if s := cr.Fields[k].GetString_(); s == nil || s.Sval != rel {
			return
		}
		cr.Fields = cr.Fields[k:]
	})
}

// renumberParams numbers the parameters below n $1..$k in the order of
// their numbers and returns the 0-based number each had.
func renumberParams(n *pg_query.Node) []int {
	var refs []*pg_query.ParamRef
	var nums []int
	walk(n.ProtoReflect(), func(m protoreflect.Message) {
		if p, ok := m.Interface().(*pg_query.ParamRef); ok {
			refs = append(refs, p)
			nums = append(nums, int(p.Number)-1)
		}
	})
	slices.Sort(nums)
	nums = slices.Compact(nums)
	for _, p := range refs {
		p.Number = int32(slices.Index(nums, int(p.Number)-1) + 1)
	}
	return nums
}

// volatile are functions that give another value each call, in
// PostgreSQL or DuckDB.
var volatile = map[string]bool{
	"random": true, "gen_random_uuid": true, "uuid": true, "uuidv4": true, "uuidv7": true,
	"nextval": true, "clock_timestamp": true, "timeofday": true, "setseed": true, "statement_timestamp": true,
}

// callsVolatile reports whether n calls a volatile function.
func callsVolatile(n *pg_query.Node) bool {
	found := false
	walk(n.ProtoReflect(), func(m protoreflect.Message) {
		if f, ok := m.Interface().(*pg_query.FuncCall); ok {
			if name := names(f.Funcname); len(name) > 0 && volatile[strings.ToLower(name[len(name)-1])] {
				found = true
			}
		}
	})
	return found
}
