package dialect

import (
	"regexp"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/quiverdb/quiver/catalog"
	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/stmt"
)

// Identity columns on DuckDB, which has none. An identity column is made
// as a serial column is (declared.go): a sequence, with the identity's
// options, that is the column's default and that the table owns. Its
// kind, GENERATED ALWAYS or BY DEFAULT, is kept in the table's
// declared-types table (catalog.IdentityKey), where the catalog reads it
// (pg_attribute.attidentity, information_schema.columns) and the session
// reads it to treat INSERT and UPDATE as PostgreSQL's rewriter does
// (ApplyIdentity):
//
//   - a value other than DEFAULT for a GENERATED ALWAYS column is refused
//     with 428C9, unless the INSERT says OVERRIDING SYSTEM VALUE; an
//     UPDATE may only set such a column to DEFAULT;
//   - OVERRIDING USER VALUE puts DEFAULT in place of the values given for
//     identity columns of either kind.
//
// COPY FROM takes the values it is given, as PostgreSQL's does.

// identitySequence returns the sequence of the identity column col of the
// table rel, declared with the identity constraint con and the type tn
// (nil when not known): its name, table_column_seq or the SEQUENCE NAME
// option's, and the statements that create it with the constraint's
// options and, as PostgreSQL's, the bounds of the column's type. With
// ifNotExists, an existing sequence of that name is kept.
func identitySequence(rel *pg_query.RangeVar, col string, con *pg_query.Constraint, tn *pg_query.TypeName, ifNotExists bool) (*pg_query.RangeVar, []string, error) {
	seq := defaultSequence(rel, col)
	opts := make([]*pg_query.Node, 0, len(con.GetOptions())+1)
	typed := false
	for _, o := range con.GetOptions() {
		d := o.GetDefElem()
		switch d.GetDefname() {
		case "sequence_name":
			n := names(d.Arg.GetList().GetItems())
			switch len(n) {
			case 1:
				seq.Relname = n[0]
			case 2:
				seq.Schemaname, seq.Relname = n[0], n[1]
			default:
				return nil, nil, pgerror.New(pgerror.SyntaxError, "improper qualified name (too many dotted names): %s", strings.Join(n, "."))
			}
			if seq.Schemaname == PublicSchema {
				seq.Schemaname = EngineSchema
			}
			continue
		case "as":
			typed = true
		}
		opts = append(opts, o)
	}
	if _, ok := sequenceBounds[typeBase(tn)]; ok && !typed {
		opts = append(opts, &pg_query.Node{Node: &pg_query.Node_DefElem{DefElem: &pg_query.DefElem{Defname: "as",
			Arg: &pg_query.Node{Node: &pg_query.Node_TypeName{TypeName: tn}}, Location: -1}}})
	}
	p, err := planCreateSequence(&pg_query.CreateSeqStmt{Sequence: seq, Options: opts, IfNotExists: ifNotExists})
	if err != nil {
		return nil, nil, err
	}
	return seq, p.SQL, nil
}

// identityKindOf is the kind of the identity constraint con, as
// pg_attribute.attidentity gives it: 'a' for ALWAYS, 'd' for BY DEFAULT.
func identityKindOf(con *pg_query.Constraint) string {
	if con.GetGeneratedWhen() == "a" {
		return "a"
	}
	return "d"
}

// identityColumn is the declared-types table column that keeps the kind
// of the identity column col.
func identityColumn(col, kind string) string {
	return ident(catalog.IdentityKey(col)) + " VARCHAR DEFAULT " + literal(kind)
}

// keepIdentitySQL keeps kind as that of the identity column col of the
// table rv, in its declared-types table, made if need be.
func keepIdentitySQL(rv *pg_query.RangeVar, col, kind string) []string {
	companion := typesTable(rv)
	return []string{"CREATE TABLE IF NOT EXISTS " + companion + " (" + placeholder + ")",
		"ALTER TABLE " + companion + " DROP COLUMN IF EXISTS " + ident(catalog.IdentityKey(col)),
		"ALTER TABLE " + companion + " ADD COLUMN " + identityColumn(col, kind)}
}

// IdentityColumnsSQL lists the identity columns of the tables of the
// current database and the temporary ones: database, schema, table,
// column, its position (from 1) and kind ('a' or 'd'); and, with the last
// three NULL, every other table of the same name as one that has any, so
// that a table without identity columns hides one with them as DuckDB
// resolves the name (a temporary table first, then the search path).
func IdentityColumnsSQL() string {
	n := len(catalog.DeclaredTypesPrefix) + 1
	m := len(catalog.IdentityKeyPrefix) + 1
	ids := "SELECT t.database_name, t.schema_name, t.table_name, t.column_name, t.column_index, " +
		"regexp_extract(k.column_default, '''([ad])''', 1) AS kind " +
		"FROM duckdb_columns() k JOIN duckdb_columns() t ON t.database_name = k.database_name AND t.schema_name = k.schema_name " +
		"AND lower(t.table_name) = lower(substr(k.table_name, " + strconv.Itoa(n) + ")) " +
		"AND lower(t.column_name) = lower(substr(k.column_name, " + strconv.Itoa(m) + ")) " +
		"WHERE (k.database_name = current_database() OR k.database_name = 'temp') " +
		"AND starts_with(k.table_name, " + sqlString(catalog.DeclaredTypesPrefix) + ") " +
		"AND starts_with(k.column_name, " + sqlString(catalog.IdentityKeyPrefix) + ") " +
		"AND regexp_matches(k.column_default, '''[ad]''')"
	return "WITH i AS (" + ids + ") SELECT * FROM i UNION ALL " +
		"SELECT d.database_name, d.schema_name, d.table_name, NULL, NULL, NULL FROM duckdb_tables() d " +
		"WHERE (d.database_name = current_database() OR d.database_name = 'temp') " +
		"AND lower(d.table_name) IN (SELECT lower(table_name) FROM i) " +
		"AND NOT EXISTS (SELECT 1 FROM i WHERE i.database_name = d.database_name AND i.schema_name = d.schema_name AND i.table_name = d.table_name)"
}

// IdentityColumn is an identity column of a table.
type IdentityColumn struct {
	Name     string
	Position int  // from 1
	Always   bool // GENERATED ALWAYS, not BY DEFAULT
}

// Identities are the identity columns of the tables that have any, as
// IdentityColumnsSQL lists them.
type Identities struct {
	tables map[string][]identityTable // by lower-case table name
}

type identityTable struct {
	database, schema string
	cols             []IdentityColumn
}

// NewIdentities reads IdentityColumnsSQL's rows.
func NewIdentities(rows [][]string) *Identities {
	out := &Identities{tables: map[string][]identityTable{}}
	for _, r := range rows {
		if len(r) < 6 {
			continue
		}
		pos, _ := strconv.Atoi(r[4])
		name := strings.ToLower(r[2])
		ts := out.tables[name]
		i := 0
		for i < len(ts) && (ts[i].database != r[0] || ts[i].schema != r[1]) {
			i++
		}
		if i == len(ts) {
			ts = append(ts, identityTable{database: r[0], schema: r[1]})
		}
		if r[3] != "" {
			ts[i].cols = append(ts[i].cols, IdentityColumn{Name: r[3], Position: pos, Always: r[5] == "a"})
		}
		out.tables[name] = ts
	}
	return out
}

// lookup returns the identity columns of the table rv names: of the
// temporary table first, as DuckDB resolves an unqualified name, then of
// the table in the schema named (public being DuckDB's main), or else in
// the first schema of path, the session's search path as DuckDB names its
// schemas, that has one.
func (ids *Identities) lookup(rv *pg_query.RangeVar, path []string) []IdentityColumn {
	if ids == nil || rv == nil {
		return nil
	}
	ts := ids.tables[strings.ToLower(rv.Relname)]
	if len(ts) == 0 {
		return nil
	}
	schema := rv.Schemaname
	if schema == PublicSchema {
		schema = EngineSchema
	}
	if schema == "" || rv.Relpersistence == "t" || schema == "pg_temp" {
		for _, t := range ts {
			if t.database == "temp" {
				return t.cols
			}
		}
		if rv.Relpersistence == "t" || schema == "pg_temp" {
			return nil
		}
	}
	if schema != "" {
		for _, t := range ts {
			if t.database != "temp" && strings.EqualFold(t.schema, schema) {
				return t.cols
			}
		}
		return nil
	}
	for _, s := range path {
		if s == PublicSchema {
			s = EngineSchema
		}
		for _, t := range ts {
			if t.database != "temp" && strings.EqualFold(t.schema, s) {
				return t.cols
			}
		}
	}
	return nil
}

// ApplyIdentity returns st, an INSERT or UPDATE, as PostgreSQL's rewriter
// makes it for the identity columns of its table (see above): st itself
// when nothing changes, st with DEFAULT in place of the values OVERRIDING
// USER VALUE discards, or 428C9 for a value other than DEFAULT given to a
// GENERATED ALWAYS column. path is the session's search path, as DuckDB
// names its schemas.
func ApplyIdentity(st *stmt.Statement, ids *Identities, path []string) (*stmt.Statement, error) {
	if ids == nil || len(ids.tables) == 0 {
		return st, nil
	}
	switch {
	case st.Node.GetInsertStmt() != nil:
		ins := st.Node.GetInsertStmt()
		cols := ids.lookup(ins.Relation, path)
		if len(cols) == 0 {
			return st, nil
		}
		return applyInsertIdentity(st, cols)
	case st.Node.GetUpdateStmt() != nil:
		upd := st.Node.GetUpdateStmt()
		return st, checkSetIdentity(upd.TargetList, ids.lookup(upd.Relation, path))
	}
	return st, nil
}

// identityTargets returns, for each identity column among the target
// columns of ins, its place among them; a column list names them, else
// the table's columns are taken in order.
func identityTargets(ins *pg_query.InsertStmt, cols []IdentityColumn) map[int]IdentityColumn {
	out := map[int]IdentityColumn{}
	if len(ins.Cols) == 0 {
		for _, c := range cols {
			out[c.Position-1] = c
		}
		return out
	}
	for i, n := range ins.Cols {
		name := n.GetResTarget().GetName()
		for _, c := range cols {
			if strings.EqualFold(c.Name, name) {
				out[i] = c
			}
		}
	}
	return out
}

// applyInsertIdentity is ApplyIdentity for an INSERT into a table with
// the identity columns cols.
func applyInsertIdentity(st *stmt.Statement, cols []IdentityColumn) (*stmt.Statement, error) {
	ins := st.Node.GetInsertStmt()
	if oc := ins.GetOnConflictClause(); oc != nil {
		if err := checkSetIdentity(oc.TargetList, cols); err != nil {
			return nil, err
		}
	}
	targets := identityTargets(ins, cols)
	sel := ins.GetSelectStmt().GetSelectStmt()
	if len(targets) == 0 || sel == nil {
		return st, nil // DEFAULT VALUES, or no identity column given
	}
	// Rows of VALUES, whose items may be DEFAULT; a query's may not
	// (PostgreSQL refuses "INSERT ... SELECT 9" for a GENERATED ALWAYS
	// column even when the query has no rows).
	values := sel.ValuesLists
	switch ins.Override {
	case pg_query.OverridingKind_OVERRIDING_USER_VALUE:
		if values == nil && len(ins.Cols) == 0 {
			return nil, pgerror.New(pgerror.FeatureNotSupported, "OVERRIDING USER VALUE with a query and no column list is not supported on DuckDB: name the columns")
		}
		n := clone(st.Node)
		c := n.GetInsertStmt()
		c.Override = pg_query.OverridingKind_OVERRIDING_NOT_SET
		if values == nil {
			dropQueryColumns(c, targets)
		}
		for _, row := range c.GetSelectStmt().GetSelectStmt().ValuesLists {
			items := row.GetList().GetItems()
			for i := range items {
				if _, ok := targets[i]; ok {
					if stmt.HasParam(items[i]) {
						// Leaving the parameter out would renumber the
						// others.
						return nil, pgerror.New(pgerror.FeatureNotSupported, "OVERRIDING USER VALUE with a parameter for an identity column is not supported on DuckDB")
					}
					items[i] = &pg_query.Node{Node: &pg_query.Node_SetToDefault{SetToDefault: &pg_query.SetToDefault{Location: -1}}}
				}
			}
		}
		return withTree(st, n)
	case pg_query.OverridingKind_OVERRIDING_SYSTEM_VALUE:
		return st, nil
	}
	for i, c := range targets {
		if !c.Always {
			continue
		}
		if values == nil {
			return nil, insertAlwaysError(c.Name)
		}
		for _, row := range values {
			items := row.GetList().GetItems()
			if i < len(items) && items[i].GetSetToDefault() == nil {
				return nil, insertAlwaysError(c.Name)
			}
		}
	}
	return st, nil
}

// checkSetIdentity returns 428C9 when the SET list targets of an UPDATE
// or ON CONFLICT DO UPDATE set a GENERATED ALWAYS column among cols to
// anything but DEFAULT.
func checkSetIdentity(targets []*pg_query.Node, cols []IdentityColumn) error {
	for _, n := range targets {
		rt := n.GetResTarget()
		for _, c := range cols {
			if !c.Always || !strings.EqualFold(c.Name, rt.GetName()) {
				continue
			}
			val := rt.GetVal()
			if m := val.GetMultiAssignRef(); m != nil {
				row := m.GetSource().GetRowExpr()
				if row == nil || int(m.Colno) > len(row.Args) {
					return updateAlwaysError(c.Name)
				}
				val = row.Args[m.Colno-1]
			}
			if val.GetSetToDefault() == nil {
				return updateAlwaysError(c.Name)
			}
		}
	}
	return nil
}

func insertAlwaysError(col string) error {
	e := pgerror.New(pgerror.GeneratedAlways, "cannot insert a non-DEFAULT value into column \"%s\"", col)
	e.Detail = "Column \"" + col + "\" is an identity column defined as GENERATED ALWAYS."
	e.Hint = "Use OVERRIDING SYSTEM VALUE to override."
	return e
}

func updateAlwaysError(col string) error {
	e := pgerror.New(pgerror.GeneratedAlways, "column \"%s\" can only be updated to DEFAULT", col)
	e.Detail = "Column \"" + col + "\" is an identity column defined as GENERATED ALWAYS."
	return e
}

// addIdentityStep makes cmd's column of the table rv an identity column
// when it runs: a sequence (SEQUENCE NAME, or table_column_seq) with the
// clause's options and the bounds of the column's type, the column's
// default, owned by the table, and the identity's kind kept in the
// table's declared-types table.
func addIdentityStep(rv *pg_query.RangeVar, cmd *pg_query.AlterTableCmd) alterStep {
	q := "SELECT data_type FROM duckdb_columns() WHERE " + catalogWhere("table_name", rv.Schemaname, rv.Relname) +
		" AND lower(column_name) = lower(" + sqlString(cmd.Name) + ") ORDER BY database_name = 'temp' DESC LIMIT 1"
	return alterStep{then: func(e Engine) ([]string, error) {
		rows, err := e.Query(q)
		if err != nil {
			return nil, err
		}
		var tn *pg_query.TypeName
		if len(rows) == 1 {
			if t, ok := map[string]string{"SMALLINT": "int2", "INTEGER": "int4", "BIGINT": "int8"}[rows[0][0]]; ok {
				tn = &pg_query.TypeName{Names: []*pg_query.Node{pg_query.MakeStrNode("pg_catalog"), pg_query.MakeStrNode(t)}, Typemod: -1, Location: -1}
			}
		}
		con := cmd.GetDef().GetConstraint()
		seq, create, err := identitySequence(rv, cmd.Name, con, tn, false)
		if err != nil {
			return nil, err
		}
		return append(append(create,
			"ALTER TABLE "+relationRef(rv)+" ALTER COLUMN "+ident(cmd.Name)+" SET DEFAULT nextval("+sqlString(relationText(seq))+")",
			"ALTER SEQUENCE "+relationRef(seq)+" OWNED BY "+ownerRef(rv)),
			keepIdentitySQL(rv, cmd.Name, identityKindOf(con))...), nil
	}}
}

// alterIdentityStep plans cmd, an ALTER COLUMN of the table rv that
// changes an identity column, when it runs, from the column's default
// (the sequence, named when it was made) and kind: SET GENERATED ALWAYS
// or BY DEFAULT changes the kind kept for it, RESTART [WITH n] moves its
// sequence as ALTER SEQUENCE does, and DROP IDENTITY drops the column's
// default and its kind (not the sequence, see below). A column that is not an identity
// column gets PostgreSQL's 55000, or for DROP IDENTITY IF EXISTS its
// NOTICE.
func alterIdentityStep(rv *pg_query.RangeVar, cmd *pg_query.AlterTableCmd) alterStep {
	companion := typesTable(rv)
	key := ident(catalog.IdentityKey(cmd.Name))
	q := "SELECT c.column_default, (SELECT k.column_default FROM duckdb_columns() k WHERE k.database_name = c.database_name " +
		"AND k.schema_name = c.schema_name AND k.table_name = " + sqlString(catalog.DeclaredTypesPrefix) + " || c.table_name " +
		"AND k.column_name = " + sqlString(catalog.IdentityKeyPrefix) + " || c.column_name) " +
		"FROM duckdb_columns() c WHERE " + catalogWhere("c.table_name", rv.Schemaname, rv.Relname) +
		" AND lower(c.column_name) = lower(" + sqlString(cmd.Name) + ") ORDER BY c.database_name = 'temp' DESC LIMIT 1"
	return alterStep{then: func(e Engine) ([]string, error) {
		rows, err := e.Query(q)
		if err != nil {
			return nil, err
		}
		if len(rows) == 0 {
			return nil, pgerror.New(pgerror.UndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", cmd.Name, rv.Relname)
		}
		m := sequenceDefault.FindStringSubmatch(rows[0][0])
		if m == nil || !identityKind.MatchString(rows[0][1]) {
			if cmd.Subtype == pg_query.AlterTableType_AT_DropIdentity && cmd.MissingOk {
				e.Notice(Notice{Code: "00000", Message: "column \"" + cmd.Name + "\" of relation \"" + rv.Relname + "\" is not an identity column, skipping"})
				return nil, nil
			}
			return nil, pgerror.New(objectNotInPrerequisiteState, "column \"%s\" of relation \"%s\" is not an identity column", cmd.Name, rv.Relname)
		}
		seq := m[1]
		if cmd.Subtype == pg_query.AlterTableType_AT_DropIdentity {
			// The sequence stays, as a serial column's does when the
			// column is dropped: DuckDB refuses to drop a sequence the
			// table owns, and has no OWNED BY NONE.
			return []string{"ALTER TABLE " + relationRef(rv) + " ALTER COLUMN " + ident(cmd.Name) + " DROP DEFAULT",
				"ALTER TABLE IF EXISTS " + companion + " DROP COLUMN IF EXISTS " + key}, nil
		}
		var out []string
		for _, o := range cmd.GetDef().GetList().GetItems() {
			d := o.GetDefElem()
			switch d.GetDefname() {
			case "generated":
				kind := "d"
				if d.Arg.GetInteger().GetIval() == 'a' {
					kind = "a"
				}
				out = append(out, keepIdentitySQL(rv, cmd.Name, kind)...)
			case "restart":
				parts, ok := qualifiedNameList(seq)
				if !ok || len(parts) == 0 || len(parts) > 2 {
					return nil, pgerror.New(pgerror.FeatureNotSupported, "cannot restart the sequence %s", seq)
				}
				rel := &pg_query.RangeVar{Relname: parts[len(parts)-1]}
				if len(parts) == 2 {
					rel.Schemaname = parts[0]
				}
				p, err := planAlterSequence(&pg_query.AlterSeqStmt{Sequence: rel, Options: []*pg_query.Node{o}})
				if err != nil {
					return nil, err
				}
				out = append(out, p.SQL...)
			default:
				return nil, pgerror.New(pgerror.FeatureNotSupported, "ALTER TABLE ... ALTER COLUMN ... SET %s is not supported on DuckDB", strings.ToUpper(d.GetDefname()))
			}
		}
		return out, nil
	}}
}

// sequenceDefault matches the default DuckDB shows for a column drawing
// from a sequence, giving the sequence's name as written.
var sequenceDefault = regexp.MustCompile(`^nextval\('((?:[^']|'')+)'\)$`)

// identityKind matches the default of a declared-types table's column
// that keeps an identity column's kind.
var identityKind = regexp.MustCompile(`'[ad]'`)

// objectNotInPrerequisiteState is PostgreSQL's object_not_in_prerequisite_state.
const objectNotInPrerequisiteState = "55000"

// dropQueryColumns leaves the target columns at the places drop out of
// ins, an INSERT of a query with a column list: the query becomes a
// subquery whose other columns are selected.
func dropQueryColumns(ins *pg_query.InsertStmt, drop map[int]IdentityColumn) {
	names := make([]*pg_query.Node, len(ins.Cols))
	var cols, list []*pg_query.Node
	for i, c := range ins.Cols {
		name := "quiver$" + strconv.Itoa(i+1)
		names[i] = pg_query.MakeStrNode(name)
		if _, ok := drop[i]; ok {
			continue
		}
		cols = append(cols, c)
		list = append(list, pg_query.MakeResTargetNodeWithVal(pg_query.MakeColumnRefNode([]*pg_query.Node{pg_query.MakeStrNode(name)}, -1), -1))
	}
	sub := &pg_query.RangeSubselect{Subquery: ins.SelectStmt, Alias: &pg_query.Alias{Aliasname: "quiver$q", Colnames: names}}
	ins.Cols = cols
	ins.SelectStmt = &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: &pg_query.SelectStmt{TargetList: list,
		FromClause: []*pg_query.Node{{Node: &pg_query.Node_RangeSubselect{RangeSubselect: sub}}}}}}
}
