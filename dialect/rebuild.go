package dialect

import (
	"slices"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/quiverdb/quiver/catalog"
	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/stmt"
)

// ALTER TABLE ... ADD FOREIGN KEY, ADD CHECK and ADD UNIQUE, which pg_dump
// writes for every such constraint once the data is in and pgbench -i
// --foreign-keys runs, have no DuckDB form: DuckDB takes them only in
// CREATE TABLE (a unique index would do for uniqueness, but a foreign key
// cannot reference one, and PostgreSQL shows a constraint). So the table
// is made again with them, in the statement's transaction:
//
//  1. The constraints are named as PostgreSQL names them (ChooseConstraintName:
//     table_column_fkey, table_columns_key, table_column_check or table_check,
//     numbered while a constraint of the schema has the name), and checked
//     against the rows the table holds, failing with PostgreSQL's errors
//     (23503, 23514, 23505) before anything changes.
//  2. The table, and every table whose foreign keys reference it (DuckDB
//     drops no table another references), directly or not, are copied to
//     temporary tables and dropped, children first. The sequences a table
//     owns go with it; they are seen to go, one table at a time.
//  3. The sequences are made again where they were, going on from their
//     last value; then the tables from DuckDB's own CREATE TABLE text, the
//     one altered with the constraints added, parents first, owning their
//     sequences again; then their rows, indexes and comments.
//
// A failure anywhere fails the statement, whose transaction is then rolled
// back: nothing is lost or half made. The tables made again get new OIDs
// (PostgreSQL keeps a table's OID), and DuckDB's FOREIGN KEY takes neither
// ON DELETE/UPDATE actions other than NO ACTION and RESTRICT, dropped with
// a WARNING as in CREATE TABLE (foreignKeyActions), nor DEFERRABLE, which
// is checked at once with a WARNING (deferrableWarning).

// addedConstraint is a FOREIGN KEY or CHECK that ALTER TABLE adds.
type addedConstraint struct {
	con *pg_query.Constraint
	// clause is DuckDB's text of the constraint, without its name: the
	// CREATE TABLE element.
	clause string
}

// newAddedConstraint maps con, added to an existing table, to DuckDB's
// text, with the rewrites of any other statement.
func newAddedConstraint(con *pg_query.Constraint) (addedConstraint, error) {
	c := cloneConstraint(con)
	foreignKeyActions(c) // warned by planAlterTable
	c.Conname, c.SkipValidation, c.InitiallyValid = "", false, true
	c.Deferrable, c.Initdeferred = false, false // warned by planAlterTable
	if c.Pktable != nil {
		// DuckDB's FOREIGN KEY names no database: the table's own.
		c.Pktable.Catalogname = ""
	}
	const rel = "quiver$r"
	n := &pg_query.Node{Node: &pg_query.Node_CreateStmt{CreateStmt: &pg_query.CreateStmt{
		Relation:  &pg_query.RangeVar{Relname: rel, Inh: true, Relpersistence: "p"},
		TableElts: []*pg_query.Node{{Node: &pg_query.Node_Constraint{Constraint: c}}},
	}}}
	sql, err := statementSQL("", n, true)
	if err != nil {
		return addedConstraint{}, err
	}
	head := "CREATE TABLE " + ident(rel) + " ("
	if !strings.HasPrefix(sql, head) || !strings.HasSuffix(sql, ")") {
		return addedConstraint{}, pgerror.New(pgerror.FeatureNotSupported, "cannot rewrite constraint")
	}
	return addedConstraint{con: con, clause: sql[len(head) : len(sql)-1]}, nil
}

// cloneConstraint copies a constraint, whose tree the plan must not change.
func cloneConstraint(c *pg_query.Constraint) *pg_query.Constraint {
	n := clone(&pg_query.Node{Node: &pg_query.Node_Constraint{Constraint: c}})
	return n.GetConstraint()
}

// rebuiltTable is what a table made again is made from.
type rebuiltTable struct {
	name    string // DuckDB's name
	ref     string // quoted and qualified
	sql     string // DuckDB's CREATE TABLE
	copy    string // the temporary table holding its rows
	columns string // the columns copied, "" for all
	owned   []sequenceState
	comment string
	after   []string // indexes and comments, once the rows are in
}

// sequenceState is a sequence as duckdb_sequences() shows it.
type sequenceState struct {
	schema, name               string
	temporary, cycle           bool
	start, min, max, inc, last string
	comment                    string
	hasLast                    bool
}

// create is the statement that makes s again, going on after its last
// value.
func (s sequenceState) create(database string) string {
	next := s.start
	if s.hasLast {
		last, _ := strconv.ParseInt(s.last, 10, 64)
		inc, _ := strconv.ParseInt(s.inc, 10, 64)
		lo, _ := strconv.ParseInt(s.min, 10, 64)
		hi, _ := strconv.ParseInt(s.max, 10, 64)
		if n := last + inc; (inc > 0 && n <= hi && n > last) || (inc < 0 && n >= lo && n < last) {
			next = strconv.FormatInt(n, 10)
		} else {
			next = s.last // exhausted: the best DuckDB can hold
		}
	}
	kind, name := "SEQUENCE ", ident(database)+"."+ident(s.schema)+"."+ident(s.name)
	if s.temporary {
		kind, name = "TEMPORARY SEQUENCE ", ident(s.name)
	}
	cycle := "NO CYCLE"
	if s.cycle {
		cycle = "CYCLE"
	}
	return "CREATE " + kind + name + " INCREMENT BY " + s.inc + " MINVALUE " + s.min + " MAXVALUE " + s.max + " START WITH " + next + " " + cycle
}

// rebuild is the Then of an ALTER TABLE that adds the constraints added
// to the table rv and drops those dropped.
func rebuild(rv *pg_query.RangeVar, added []addedConstraint, dropped []droppedConstraint) func(Engine) ([]string, error) {
	return func(eng Engine) ([]string, error) {
		q := eng.Query
		t, err := findTarget(q, rv)
		if err != nil {
			return nil, err
		}
		if t == nil {
			return nil, pgerror.New(pgerror.UndefinedTable, "relation \"%s\" does not exist", relationText(rv))
		}
		removed, out, err := resolveDrops(q, t, dropped, eng.Notice)
		if err != nil {
			return nil, err
		}
		if len(removed) == 0 && len(added) == 0 {
			return out, nil // unique indexes only, or nothing
		}
		named, err := nameConstraints(t, added, removed)
		if err != nil {
			return nil, err
		}
		for i, a := range added {
			if err := validate(q, t.db, t.schema, t.table, named[i], a); err != nil {
				return nil, err
			}
		}
		tables, err := t.withReferencing(q)
		if err != nil {
			return nil, err
		}
		for _, rt := range tables {
			if rt.sql, err = withoutConstraints(rt.sql, removed[rt.name]); err != nil {
				return nil, err
			}
		}
		if len(added) > 0 {
			var clauses []string
			for _, a := range added {
				clauses = append(clauses, a.clause)
			}
			i := strings.LastIndexByte(tables[0].sql, ')')
			tables[0].sql = tables[0].sql[:i] + ", " + strings.Join(clauses, ", ") + tables[0].sql[i:]
		}
		if err := remake(q, t.db, tables, nil); err != nil {
			return nil, err
		}
		return append(out, keptNames(t, added, named, removed)...), nil
	}
}

// findTarget finds the table rv names, as DuckDB would, with its schema's
// constraints; nil if there is none.
func findTarget(q func(string) ([][]string, error), rv *pg_query.RangeVar) (*target, error) {
	where := catalogWhere("table_name", rv.Schemaname, rv.Relname)
	if rv.Catalogname != "" {
		where += " AND database_name = " + literal(rv.Catalogname)
	}
	rows, err := q("SELECT database_name, schema_name, table_name, CAST(table_oid AS VARCHAR), CAST(temporary AS VARCHAR) FROM duckdb_tables() WHERE " +
		where + " ORDER BY database_name <> 'temp' LIMIT 1")
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	t := &target{rv: rv, db: rows[0][0], schema: rows[0][1], table: rows[0][2], oid: rows[0][3], temporary: rows[0][4] == "true"}
	t.in = "database_name = " + literal(t.db) + " AND schema_name = " + literal(t.schema)
	t.cons, err = schemaConstraints(q, t.in)
	return t, err
}

// dropOrder orders drop, two statements (the table's and its declared-types
// table's) for each table of rvs, so that a table that another of rvs
// references by foreign key is dropped after it: DuckDB drops no table
// another references.
func dropOrder(q func(string) ([][]string, error), rvs []*pg_query.RangeVar, drop []string) ([]string, error) {
	tables := make([]string, len(rvs))
	for i, rv := range rvs {
		tables[i] = rv.Relname
	}
	edges, err := foreignKeyEdges(q)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(drop))
	order, _ := childrenFirst(tables, edges) // a cycle: DuckDB's error
	for _, i := range order {
		out = append(out, drop[2*i], drop[2*i+1])
	}
	return out, nil
}

// fkEdge is a foreign key: the referencing table (its database and schema)
// and the referenced one.
type fkEdge struct{ db, schema, child, parent string }

// foreignKeyEdges reads the foreign keys between different tables.
func foreignKeyEdges(q func(string) ([][]string, error)) ([]fkEdge, error) {
	rows, err := q("SELECT database_name, schema_name, table_name, referenced_table FROM duckdb_constraints() " +
		"WHERE constraint_type = 'FOREIGN KEY' AND table_name <> referenced_table")
	if err != nil {
		return nil, err
	}
	out := make([]fkEdge, len(rows))
	for i, r := range rows {
		out[i] = fkEdge{db: r[0], schema: r[1], child: r[2], parent: r[3]}
	}
	return out, nil
}

// childrenFirst returns the indexes of tables in an order where a table
// comes after those of tables that reference it (by edges); tables in a
// cycle come last, as written, and ok is false.
func childrenFirst(tables []string, edges []fkEdge) (order []int, ok bool) {
	index := map[string]int{}
	for i, t := range tables {
		index[t] = i
	}
	children := map[int]int{} // references from tables not yet placed
	refs := map[int][]int{}
	for _, e := range edges {
		c, okc := index[e.child]
		p, okp := index[e.parent]
		if okc && okp {
			children[p]++
			refs[c] = append(refs[c], p)
		}
	}
	out := make([]int, 0, len(tables))
	done := make([]bool, len(tables))
	ok = true
	for len(out) < len(tables) {
		progress := false
		for i := range tables {
			if done[i] || children[i] > 0 {
				continue
			}
			done[i], progress = true, true
			out = append(out, i)
			for _, p := range refs[i] {
				children[p]--
			}
		}
		if !progress {
			ok = false
			for i := range tables {
				if !done[i] {
					done[i] = true
					out = append(out, i)
				}
			}
		}
	}
	return out, ok
}

// truncateTables is the Then of TRUNCATE of the tables rvs, whose
// statements are truncate, one each: as in PostgreSQL, a table that a
// table not truncated references is refused (0A000), unless CASCADE, which
// truncates the referencing tables too with a NOTICE; the tables are
// truncated children first, each committed on its own (Engine.Alone): DuckDB
// refuses to empty a table whose keys rows that the transaction deleted
// referenced. Every table is looked at first, so that a missing one fails
// the statement before anything is emptied.
func truncateTables(rvs []*pg_query.RangeVar, truncate []string, cascade bool) func(Engine) ([]string, error) {
	return func(eng Engine) ([]string, error) {
		q := eng.Query
		edges, err := foreignKeyEdges(q)
		if err != nil {
			return nil, err
		}
		if len(edges) == 0 {
			return truncate, nil
		}
		for _, rv := range rvs {
			if _, err := q("SELECT 1 FROM " + relationRef(rv) + " LIMIT 0"); err != nil {
				return nil, err
			}
		}
		tables := make([]string, len(rvs))
		in := map[string]bool{}
		for i, rv := range rvs {
			tables[i], in[rv.Relname] = rv.Relname, true
		}
		statements := slices.Clone(truncate)
		for changed := true; changed; {
			changed = false
			for _, e := range edges {
				if !in[e.parent] || in[e.child] {
					continue
				}
				if !cascade {
					return nil, pgerror.New(pgerror.FeatureNotSupported, "cannot truncate a table referenced in a foreign key constraint").
						WithDetail("Table \"" + e.child + "\" references \"" + e.parent + "\".").
						WithHint("Truncate table \"" + e.child + "\" at the same time, or use TRUNCATE ... CASCADE.")
				}
				in[e.child], changed = true, true
				tables = append(tables, e.child)
				statements = append(statements, "TRUNCATE "+ident(e.db)+"."+ident(e.schema)+"."+ident(e.child))
				eng.Notice(Notice{Code: pgerror.SuccessfulCompletion, Message: "truncate cascades to table \"" + e.child + "\""})
			}
		}
		out := make([]string, 0, len(statements))
		order, _ := childrenFirst(tables, edges) // a cycle: DuckDB's error
		for _, i := range order {
			out = append(out, statements[i])
		}
		for _, e := range edges {
			if in[e.child] && in[e.parent] {
				eng.Alone()
				break
			}
		}
		return out, nil
	}
}

// dropTablesCascade is the Then of DROP TABLE ... CASCADE of the tables
// rvs, whose statements are drop: the foreign keys of other tables that
// reference them are dropped first (those tables made again without them),
// with PostgreSQL's NOTICE, as DuckDB drops no table that another
// references.
func dropTablesCascade(rvs []*pg_query.RangeVar, drop []string) func(Engine) ([]string, error) {
	return func(eng Engine) ([]string, error) {
		q := eng.Query
		gone := map[string]bool{}
		for _, rv := range rvs {
			gone[rv.Relname] = true
		}
		var also []string
		for _, rv := range rvs {
			t, err := findTarget(q, rv)
			if err != nil {
				return nil, err
			}
			if t == nil {
				continue // DROP's own error, or IF EXISTS
			}
			children := map[string][]droppedConstraint{}
			var order []string
			for _, c := range t.cons {
				if c.kind != "f" || c.refTable != t.table || c.table == t.table || gone[c.table] {
					continue
				}
				if children[c.table] == nil {
					order = append(order, c.table)
				}
				children[c.table] = append(children[c.table], droppedConstraint{name: c.name})
				also = append(also, "constraint "+c.name+" on table "+c.table)
			}
			for _, child := range order {
				crv := &pg_query.RangeVar{Catalogname: t.db, Schemaname: t.schema, Relname: child, Inh: true, Relpersistence: "p"}
				if t.temporary {
					crv.Catalogname = TempCatalog
				}
				more, err := rebuild(crv, nil, children[child])(eng)
				if err != nil {
					return nil, err
				}
				for _, sql := range more {
					if _, err := q(sql); err != nil {
						return nil, err
					}
				}
			}
		}
		for _, n := range cascades(also) {
			eng.Notice(n)
		}
		if len(rvs) > 1 && len(drop) == 2*len(rvs) {
			return dropOrder(q, rvs, drop)
		}
		return drop, nil
	}
}

// target is the table an ALTER TABLE that makes it again changes.
type target struct {
	rv                         *pg_query.RangeVar
	db, schema, table, oid, in string
	temporary                  bool
	cons                       []schemaConstraint // the schema's
}

// withReferencing describes t and the tables that reference it, directly
// or not, as remake makes them again: t first.
func (t *target) withReferencing(q func(string) ([][]string, error)) ([]*rebuiltTable, error) {
	set, err := referencing(t.cons, t.table)
	if err != nil {
		return nil, err
	}
	return describeTables(q, t.db, t.schema, t.temporary, set)
}

// indexes reads the indexes CREATE INDEX made on t.
func (t *target) indexes(q func(string) ([][]string, error)) ([]tableIndex, error) {
	return tableIndexes(q, "database_name = "+literal(t.db)+" AND schema_name = "+literal(t.schema)+" AND table_name = "+literal(t.table))
}

// schemaConstraint is a constraint of a schema, as the catalog shows it.
type schemaConstraint struct {
	name, kind, oid, table, text, refTable string
	ordinal                                int // a CHECK's, among its table's
	cols, refCols                          []string
}

// schemaConstraints reads the constraints of the schema in (a condition on
// database_name and schema_name), each table's in order.
func schemaConstraints(q func(string) ([][]string, error), in string) ([]schemaConstraint, error) {
	const sep = "chr(31)"
	sql, err := catalogQuery("SELECT conname, contype, CAST(table_oid AS VARCHAR), table_name, CAST(kn AS VARCHAR), sqltext, " +
		"array_to_string(cols, " + sep + "), coalesce(referenced_table, ''), coalesce(array_to_string(refcols, " + sep + "), '') " +
		"FROM pg_catalog.quiver_conbase WHERE " + in + " ORDER BY table_oid, n")
	if err != nil {
		return nil, err
	}
	rows, err := q(sql)
	if err != nil {
		return nil, err
	}
	split := func(s string) []string {
		if s == "" {
			return nil
		}
		return strings.Split(s, "\x1f")
	}
	out := make([]schemaConstraint, len(rows))
	for i, r := range rows {
		n, _ := strconv.Atoi(r[4])
		out[i] = schemaConstraint{name: r[0], kind: r[1], oid: r[2], table: r[3], ordinal: n, text: r[5],
			cols: split(r[6]), refTable: r[7], refCols: split(r[8])}
	}
	return out, nil
}

// constraintName is the name an added constraint gets, and for a CHECK
// its place among the table's (catalog.ConstraintKey).
type constraintName struct {
	name    string
	ordinal int
}

// nameConstraints names the constraints added to the table t, as
// PostgreSQL does, refusing a name the table's constraints have (but
// those removed).
func nameConstraints(t *target, added []addedConstraint, removed map[string][]schemaConstraint) ([]constraintName, error) {
	used := map[string]bool{}
	own := map[string]bool{}
	gone := map[string]bool{}
	for _, c := range removed[t.table] {
		gone[c.name] = true
	}
	checks := 0
	for _, c := range t.cons {
		if gone[c.name] && c.oid == t.oid {
			continue
		}
		used[c.name] = true
		if c.oid == t.oid {
			own[c.name] = true
			if c.kind == "c" {
				checks++
			}
		}
	}
	out := make([]constraintName, len(added))
	for i, a := range added {
		name := a.con.Conname
		switch {
		case name != "" && own[name]:
			return nil, pgerror.New(pgerror.DuplicateObject, "constraint \"%s\" for relation \"%s\" already exists", name, t.table)
		case name != "":
		case a.con.GetContype() == pg_query.ConstrType_CONSTR_FOREIGN:
			name = chooseName(t.table, strings.Join(names(a.con.FkAttrs), "_"), "fkey", used)
		case a.con.GetContype() == pg_query.ConstrType_CONSTR_UNIQUE:
			name = chooseName(t.table, strings.Join(names(a.con.Keys), "_"), "key", used)
		default:
			name = chooseName(t.table, checkColumn(a.con.RawExpr), "check", used)
		}
		used[name], own[name] = true, true
		out[i].name = name
		if a.con.GetContype() == pg_query.ConstrType_CONSTR_CHECK {
			checks++
			out[i].ordinal = checks
		}
	}
	return out, nil
}

// keptNames are the statements that keep, in the declared-types tables
// (catalog.ConstraintKey), the names of the constraints added and forget
// those of the constraints removed; a CHECK's name is kept by its place
// among the table's, so when one goes the others' are written again.
func keptNames(t *target, added []addedConstraint, named []constraintName, removed map[string][]schemaConstraint) []string {
	var out []string
	set := func(rv *pg_query.RangeVar, key, name string) { out = append(out, keepNameSQL(rv, key, name)...) }
	forget := func(rv *pg_query.RangeVar, key string) {
		out = append(out, "ALTER TABLE IF EXISTS "+typesTable(rv)+" DROP COLUMN IF EXISTS "+ident(key))
	}
	checksGone := false
	for table, list := range removed {
		rv := &pg_query.RangeVar{Catalogname: t.rv.Catalogname, Schemaname: t.rv.Schemaname, Relname: table}
		for _, c := range list {
			if c.kind == "c" {
				checksGone = true
				continue
			}
			forget(rv, catalog.ConstraintKey(c.kind, c.cols))
		}
	}
	if checksGone {
		gone := map[string]bool{}
		for _, c := range removed[t.table] {
			gone[c.name] = true
		}
		n, before := 0, 0
		for _, c := range t.cons {
			if c.oid != t.oid || c.kind != "c" {
				continue
			}
			before++
			if !gone[c.name] {
				n++
				set(t.rv, catalog.ConstraintKey("c", []string{strconv.Itoa(n)}), c.name)
			}
		}
		for i := n + 1; i <= before; i++ {
			forget(t.rv, catalog.ConstraintKey("c", []string{strconv.Itoa(i)}))
		}
	}
	for i, a := range added {
		kind, key := "f", names(a.con.FkAttrs)
		switch a.con.GetContype() {
		case pg_query.ConstrType_CONSTR_CHECK:
			kind, key = "c", []string{strconv.Itoa(named[i].ordinal)}
		case pg_query.ConstrType_CONSTR_UNIQUE:
			kind, key = "u", names(a.con.Keys)
		}
		set(t.rv, catalog.ConstraintKey(kind, key), named[i].name)
	}
	return out
}

// keepNameSQL keeps name as the name of the constraint of the table rv
// that key (catalog.ConstraintKey) stands for, in its declared-types table.
func keepNameSQL(rv *pg_query.RangeVar, key, name string) []string {
	companion, col := typesTable(rv), ident(key)
	return []string{"CREATE TABLE IF NOT EXISTS " + companion + " (" + placeholder + ")",
		"ALTER TABLE " + companion + " DROP COLUMN IF EXISTS " + col,
		"ALTER TABLE " + companion + " ADD COLUMN " + col + " VARCHAR DEFAULT " + literal(name)}
}

// catalogQuery is what DuckDB runs for sql, a query of the catalog's
// relations.
func catalogQuery(sql string) (string, error) {
	parts := stmt.Split(sql)
	if len(parts) != 1 || parts[0].Node == nil {
		return "", pgerror.New(pgerror.InternalError, "cannot parse catalog query")
	}
	return statementSQL(sql, clone(parts[0].Node), true)
}

// checkColumn is the column a CHECK's name has: the one column its
// expression reads, or "" when it reads none or several.
func checkColumn(expr *pg_query.Node) string {
	cols := map[string]bool{}
	var last string
	if expr == nil {
		return ""
	}
	stmt.Walk(expr.ProtoReflect(), func(m protoreflect.Message) {
		if c, ok := m.Interface().(*pg_query.ColumnRef); ok && len(c.Fields) > 0 {
			if s := c.Fields[len(c.Fields)-1].GetString_(); s != nil {
				cols[s.Sval], last = true, s.Sval
			}
		}
	})
	if len(cols) == 1 {
		return last
	}
	return ""
}

// validate fails as PostgreSQL does when a row of the table db.schema.table
// breaks the added constraint a, named n.
func validate(q func(string) ([][]string, error), db, schema, table string, n constraintName, a addedConstraint) error {
	target := ident(db) + "." + ident(schema) + "." + ident(table)
	if a.con.GetContype() == pg_query.ConstrType_CONSTR_UNIQUE {
		keys := names(a.con.Keys)
		var sel, notNull []string
		for _, c := range keys {
			sel = append(sel, "CAST("+ident(c)+" AS VARCHAR)")
			notNull = append(notNull, ident(c)+" IS NOT NULL")
		}
		rows, err := q("SELECT " + strings.Join(sel, ", ") + " FROM " + target + " WHERE " + strings.Join(notNull, " AND ") +
			" GROUP BY ALL HAVING count(*) > 1 LIMIT 1")
		if err != nil {
			return err
		}
		if len(rows) > 0 {
			return pgerror.New(pgerror.UniqueViolation, "could not create unique index \"%s\"", n.name).
				WithDetail("Key (" + strings.Join(keys, ", ") + ")=(" + strings.Join(rows[0], ", ") + ") is duplicated.")
		}
		return nil
	}
	if a.con.GetContype() == pg_query.ConstrType_CONSTR_CHECK {
		rows, err := q("SELECT 'x' FROM " + target + " WHERE NOT " + strings.TrimPrefix(a.clause, "CHECK ") + " LIMIT 1")
		if err != nil {
			return err
		}
		if len(rows) > 0 {
			return pgerror.New(pgerror.CheckViolation, "check constraint \"%s\" of relation \"%s\" is violated by some row", n.name, table)
		}
		return nil
	}
	parent := a.con.Pktable.Relname
	pkRows, err := q("SELECT CAST(t.table_oid AS VARCHAR), array_to_string(list_transform(c.constraint_column_names, x -> '\"' || replace(x, '\"', '\"\"') || '\"'), ',') " +
		"FROM duckdb_tables() t LEFT JOIN duckdb_constraints() c ON c.table_oid = t.table_oid AND c.constraint_type = 'PRIMARY KEY' " +
		"WHERE t.database_name = " + literal(db) + " AND t.schema_name = " + literal(schema) + " AND t.table_name = " + literal(parent))
	if err != nil {
		return err
	}
	if len(pkRows) == 0 {
		return pgerror.New(pgerror.UndefinedTable, "relation \"%s\" does not exist", relationText(a.con.Pktable))
	}
	fk := names(a.con.FkAttrs)
	var pk []string
	if len(a.con.PkAttrs) > 0 {
		for _, c := range names(a.con.PkAttrs) {
			pk = append(pk, ident(c))
		}
		if err := uniqueKey(q, pkRows[0][0], parent, names(a.con.PkAttrs)); err != nil {
			return err
		}
	} else if pkRows[0][1] != "" {
		pk = strings.Split(pkRows[0][1], ",")
	} else {
		return pgerror.New("42830", "there is no primary key for referenced table \"%s\"", parent)
	}
	if len(pk) != len(fk) {
		return pgerror.New("42830", "number of referencing and referenced columns for foreign key disagree")
	}
	pref := ident(db) + "." + ident(schema) + "." + ident(parent)
	var sel, notNull, match []string
	for i, c := range fk {
		sel = append(sel, "CAST(c."+ident(c)+" AS VARCHAR)")
		notNull = append(notNull, "c."+ident(c)+" IS NOT NULL")
		match = append(match, "p."+pk[i]+" = c."+ident(c))
	}
	rows, err := q("SELECT " + strings.Join(sel, ", ") + " FROM " + target + " c WHERE " + strings.Join(notNull, " AND ") +
		" AND NOT EXISTS (SELECT 1 FROM " + pref + " p WHERE " + strings.Join(match, " AND ") + ") LIMIT 1")
	if err != nil {
		return err
	}
	if len(rows) > 0 {
		return pgerror.New(pgerror.ForeignKeyViolation, "insert or update on table \"%s\" violates foreign key constraint \"%s\"", table, n.name).
			WithDetail("Key (" + strings.Join(fk, ", ") + ")=(" + strings.Join(rows[0], ", ") + ") is not present in table \"" + parent + "\".")
	}
	return nil
}

// uniqueKey fails as PostgreSQL does unless the table parent, with OID oid,
// has a primary key or unique constraint of the columns cols.
func uniqueKey(q func(string) ([][]string, error), oid, parent string, cols []string) error {
	rows, err := q("SELECT array_to_string(list_sort(constraint_column_names), ',') FROM duckdb_constraints() WHERE table_oid = " +
		oid + " AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')")
	if err != nil {
		return err
	}
	want := slices.Clone(cols)
	slices.Sort(want)
	for _, r := range rows {
		if r[0] == strings.Join(want, ",") {
			return nil
		}
	}
	return pgerror.New("42830", "there is no unique constraint matching given keys for referenced table \"%s\"", parent)
}

// referencing returns table and the tables of its schema whose foreign
// keys (of cons, the schema's constraints) reference it, directly or
// through others: table first, then parents before children.
func referencing(cons []schemaConstraint, table string) ([]string, error) {
	var edges []fkEdge
	for _, c := range cons {
		if c.kind == "f" && c.table != c.refTable {
			edges = append(edges, fkEdge{child: c.table, parent: c.refTable})
		}
	}
	set := []string{table}
	in := map[string]bool{table: true}
	for i := 0; i < len(set); i++ {
		for _, e := range edges {
			if e.parent == set[i] && !in[e.child] {
				in[e.child] = true
				set = append(set, e.child)
			}
		}
	}
	order, ok := childrenFirst(set, edges)
	if !ok {
		return nil, pgerror.New(pgerror.FeatureNotSupported, "cannot change table %s on DuckDB: its foreign keys form a cycle", table)
	}
	out := make([]string, len(order))
	for i, j := range order {
		out[len(order)-1-i] = set[j]
	}
	return out, nil
}

// describeTables reads what remaking the tables named needs.
func describeTables(q func(string) ([][]string, error), db, schema string, temporary bool, set []string) ([]*rebuiltTable, error) {
	in := "database_name = " + literal(db) + " AND schema_name = " + literal(schema)
	var quoted []string
	byName := map[string]*rebuiltTable{}
	out := make([]*rebuiltTable, len(set))
	for i, t := range set {
		quoted = append(quoted, literal(t))
		ref := ident(db) + "." + ident(schema) + "." + ident(t)
		if temporary {
			ref = ident(TempCatalog) + "." + ident(schema) + "." + ident(t)
		}
		out[i] = &rebuiltTable{name: t, ref: ref, copy: ident("quiver$rebuild$" + strconv.Itoa(i))}
		byName[t] = out[i]
	}
	tin := in + " AND table_name IN (" + strings.Join(quoted, ", ") + ")"
	rows, err := q("SELECT table_name, sql, comment FROM duckdb_tables() WHERE " + tin)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		t := byName[r[0]]
		body, ok := tableBody(r[1])
		if !ok {
			return nil, pgerror.New(pgerror.FeatureNotSupported, "cannot rewrite table %s", r[0])
		}
		kind := "CREATE TABLE " + t.ref
		if temporary {
			kind = "CREATE TEMPORARY TABLE " + ident(t.name)
		}
		t.sql = kind + body
		if r[2] != "" {
			t.after = append(t.after, "COMMENT ON TABLE "+t.ref+" IS "+literal(r[2]))
		}
	}
	rows, err = q("SELECT table_name, sql, index_name, comment FROM duckdb_indexes() WHERE " + tin + " AND sql IS NOT NULL")
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		t := byName[r[0]]
		t.after = append(t.after, r[1])
		if r[3] != "" {
			t.after = append(t.after, "COMMENT ON INDEX "+ident(db)+"."+ident(schema)+"."+ident(r[2])+" IS "+literal(r[3]))
		}
	}
	rows, err = q("SELECT table_name, column_name, comment FROM duckdb_columns() WHERE " + tin + " AND comment IS NOT NULL AND comment <> ''")
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		t := byName[r[0]]
		t.after = append(t.after, "COMMENT ON COLUMN "+t.ref+"."+ident(r[1])+" IS "+literal(r[2]))
	}
	for _, t := range out {
		if t.sql == "" {
			return nil, pgerror.New(pgerror.UndefinedTable, "relation \"%s\" does not exist", t.name)
		}
	}
	return out, nil
}

// tableBody is DuckDB's CREATE TABLE text from the column list on: what
// follows the table's name.
func tableBody(sql string) (string, bool) {
	s := sql
	for _, p := range []string{"CREATE TEMPORARY TABLE ", "CREATE TEMP TABLE ", "CREATE TABLE "} {
		if strings.HasPrefix(s, p) {
			s = s[len(p):]
			break
		}
	}
	if len(s) == len(sql) {
		return "", false
	}
	for {
		if strings.HasPrefix(s, `"`) {
			i := 1
			for ; i < len(s); i++ {
				if s[i] == '"' {
					if i+1 < len(s) && s[i+1] == '"' {
						i++
						continue
					}
					break
				}
			}
			if i >= len(s) {
				return "", false
			}
			s = s[i+1:]
		} else {
			i := strings.IndexAny(s, ".(")
			if i < 0 {
				return "", false
			}
			s = s[i:]
		}
		switch {
		case strings.HasPrefix(s, "."):
			s = s[1:]
		case strings.HasPrefix(s, "("):
			return strings.TrimSuffix(s, ";"), true
		default:
			return "", false
		}
	}
}

// remake copies the tables (target first, parents before children) aside,
// drops them, and makes them again with their sequences, rows, indexes and
// comments. With alter, the target stays: alter's statements change it
// once the others, which reference it, are dropped.
func remake(q func(string) ([][]string, error), db string, tables []*rebuiltTable, alter []string) error {
	run := func(sql string) error {
		_, err := q(sql)
		return err
	}
	seqDB := db
	sequences := func() (map[string]sequenceState, error) {
		rows, err := q("SELECT schema_name, sequence_name, CAST(temporary AS VARCHAR), CAST(cycle AS VARCHAR), CAST(start_value AS VARCHAR), " +
			"CAST(min_value AS VARCHAR), CAST(max_value AS VARCHAR), CAST(increment_by AS VARCHAR), coalesce(CAST(last_value AS VARCHAR), ''), " +
			"coalesce(comment, '') FROM duckdb_sequences() WHERE database_name = " + literal(seqDB))
		if err != nil {
			return nil, err
		}
		m := make(map[string]sequenceState, len(rows))
		for _, r := range rows {
			m[r[0]+"."+r[1]] = sequenceState{schema: r[0], name: r[1], temporary: r[2] == "true", cycle: r[3] == "true",
				start: r[4], min: r[5], max: r[6], inc: r[7], last: r[8], hasLast: r[8] != "", comment: r[9]}
		}
		return m, nil
	}
	if strings.HasPrefix(tables[0].sql, "CREATE TEMPORARY") {
		seqDB = TempCatalog
	}
	before, err := sequences()
	if err != nil {
		return err
	}
	if alter != nil {
		tables = tables[1:]
	}
	for _, t := range tables {
		cols := t.columns
		if cols == "" {
			cols = "*"
		}
		if err := run("CREATE TEMPORARY TABLE " + t.copy + " AS SELECT " + cols + " FROM " + t.ref); err != nil {
			return err
		}
	}
	for i := len(tables) - 1; i >= 0; i-- {
		t := tables[i]
		if err := run("DROP TABLE " + t.ref); err != nil {
			return err
		}
		if len(before) == 0 {
			continue
		}
		after, err := sequences()
		if err != nil {
			return err
		}
		for k, s := range before {
			if _, ok := after[k]; !ok {
				t.owned = append(t.owned, s)
				delete(before, k)
			}
		}
	}
	for _, sql := range alter {
		if err := run(sql); err != nil {
			return err
		}
	}
	for _, t := range tables {
		for _, s := range t.owned {
			if err := run(s.create(db)); err != nil {
				return err
			}
			if s.comment != "" {
				if err := run("COMMENT ON SEQUENCE " + ident(seqDB) + "." + ident(s.schema) + "." + ident(s.name) + " IS " + literal(s.comment)); err != nil {
					return err
				}
			}
		}
	}
	for _, t := range tables {
		if err := run(t.sql); err != nil {
			return err
		}
		for _, s := range t.owned {
			if err := run("ALTER SEQUENCE " + ident(s.schema) + "." + ident(s.name) + " OWNED BY " + ident(s.schema) + "." + ident(t.name)); err != nil {
				return err
			}
		}
	}
	for _, t := range tables {
		if err := run("INSERT INTO " + t.ref + " SELECT * FROM " + t.copy); err != nil {
			return err
		}
	}
	for _, t := range tables {
		for _, sql := range t.after {
			if err := run(sql); err != nil {
				return err
			}
		}
		if err := run("DROP TABLE " + t.copy); err != nil {
			return err
		}
	}
	return nil
}
