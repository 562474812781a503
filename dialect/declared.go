package dialect

import (
	"slices"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/quiverdb/quiver/catalog"
	"github.com/quiverdb/quiver/stmt"
)

// Declared column types (see package catalog, DeclaredColumn): DDL that
// gives tables columns, changes their types or names, or drops them runs on
// DuckDB followed by the statements that keep the table's declared-types
// table in step. Those statements name that table as the client named the
// table (same catalog and schema, or none), so that DuckDB resolves both
// alike, and use IF [NOT] EXISTS so that a table without kept types costs
// nothing but a catalog lookup. They run in the client's transaction: a
// rollback undoes both.
//
// Only statements that change columns pay for this: CREATE TABLE, ALTER
// TABLE ADD COLUMN, ALTER COLUMN TYPE, DROP COLUMN, RENAME COLUMN, RENAME
// TO, and DROP TABLE. DROP SCHEMA ... CASCADE drops the declared-types
// tables with the others; CREATE TABLE AS keeps no declared types, its
// columns having the types of its query.

// keepsDeclaredTypes reports whether n is DDL whose plan maintains
// declared types.
func keepsDeclaredTypes(n *pg_query.Node) bool {
	switch x := n.Node.(type) {
	case *pg_query.Node_CreateStmt:
		return x.CreateStmt.Relation != nil
	case *pg_query.Node_AlterTableStmt:
		if x.AlterTableStmt.Objtype != pg_query.ObjectType_OBJECT_TABLE || x.AlterTableStmt.Relation == nil {
			return false
		}
		for _, c := range x.AlterTableStmt.Cmds {
			switch c.GetAlterTableCmd().GetSubtype() {
			case pg_query.AlterTableType_AT_AddColumn, pg_query.AlterTableType_AT_AlterColumnType,
				pg_query.AlterTableType_AT_DropColumn:
				return true
			}
		}
	case *pg_query.Node_RenameStmt:
		r := x.RenameStmt
		return r.Relation != nil && (r.RenameType == pg_query.ObjectType_OBJECT_TABLE ||
			(r.RenameType == pg_query.ObjectType_OBJECT_COLUMN && r.RelationType == pg_query.ObjectType_OBJECT_TABLE))
	case *pg_query.Node_DropStmt:
		return x.DropStmt.RemoveType == pg_query.ObjectType_OBJECT_TABLE
	}
	return false
}

// planDeclared plans DDL for which keepsDeclaredTypes holds: the statement
// (a multi-table DROP split, as DuckDB drops one table at a time), each
// followed by its declared-types statements.
func planDeclared(st *stmt.Statement) (*Plan, error) {
	if p := plans.get(st.SQL); p != nil {
		return p, nil
	}
	p := &Plan{}
	if d := st.Node.GetDropStmt(); d != nil {
		var rvs []*pg_query.RangeVar
		for _, obj := range d.Objects {
			n := clone(st.Node)
			n.GetDropStmt().Objects = []*pg_query.Node{obj}
			sql, err := statementSQL(st.SQL, n, len(d.Objects) > 1)
			if err != nil {
				return nil, err
			}
			p.SQL = append(p.SQL, sql)
			if rv := dropTarget(obj); rv != nil {
				p.SQL = append(p.SQL, "DROP TABLE IF EXISTS "+typesTable(rv))
				rvs = append(rvs, rv)
			}
		}
		if d.Behavior == pg_query.DropBehavior_DROP_CASCADE && len(rvs) > 0 {
			return &Plan{Then: dropTablesCascade(rvs, p.SQL)}, nil
		}
		if len(rvs) > 1 && len(p.SQL) == 2*len(rvs) {
			// One DROP of tables that reference each other drops them all,
			// as PostgreSQL does: children first.
			drops := p.SQL
			p = &Plan{Then: func(e Engine) ([]string, error) { return dropOrder(e.Query, rvs, drops) }}
		}
	} else {
		n := clone(st.Node)
		k := keeper{}
		k.statement(n)
		if k.err != nil {
			return nil, k.err
		}
		p.SQL = k.guards
		if a := n.GetAlterTableStmt(); a == nil || len(a.Cmds) > 0 {
			sql, err := statementSQL(st.SQL, n, k.changed)
			if err != nil {
				return nil, err
			}
			if sql == st.SQL && len(k.sql) == 0 && len(k.guards) == 0 {
				return nil, nil
			}
			p.SQL = append(p.SQL, sql)
		}
		p.SQL = append(p.SQL, k.sql...)
		p.SQL = append(p.SQL, k.owned...)
		p.Warnings = k.warnings
	}
	plans.put(st.SQL, p)
	return p, nil
}

// statementSQL returns what DuckDB runs for the tree n of the statement
// whose text is orig: orig itself unless n was changed or needs the
// rewrites of rewriteTree.
func statementSQL(orig string, n *pg_query.Node, changed bool) (string, error) {
	if !changed && !needsTreeRewrite(n, true) {
		return orig, nil
	}
	if err := rewriteTree(n, true); err != nil {
		return "", err
	}
	return deparse(n)
}

// dropTarget returns the table a DROP TABLE object names.
func dropTarget(obj *pg_query.Node) *pg_query.RangeVar {
	l := obj.GetList()
	if l == nil {
		return nil
	}
	n := names(l.Items)
	switch len(n) {
	case 1:
		return &pg_query.RangeVar{Relname: n[0]}
	case 2:
		return &pg_query.RangeVar{Schemaname: n[0], Relname: n[1]}
	case 3:
		return &pg_query.RangeVar{Catalogname: n[0], Schemaname: n[1], Relname: n[2]}
	}
	return nil
}

// keeper collects the declared-types statements of one statement, strips
// from its column types the modifiers DuckDB rejects, and adds length
// checks (length.go).
type keeper struct {
	sql      []string
	guards   []string // statements to run before the statement
	warnings []string // Plan.Warnings
	owned    []string // OWNED BY of the sequences of serial columns, after the statement
	changed  bool     // the statement's tree was changed
	err      error
}

func (k *keeper) statement(n *pg_query.Node) {
	switch x := n.Node.(type) {
	case *pg_query.Node_CreateStmt:
		k.create(x.CreateStmt)
	case *pg_query.Node_AlterTableStmt:
		cmds := x.AlterTableStmt.Cmds[:0]
		for _, c := range x.AlterTableStmt.Cmds {
			if cmd := c.GetAlterTableCmd(); cmd != nil && !k.alter(x.AlterTableStmt, cmd) {
				k.changed = true
				continue
			}
			cmds = append(cmds, c)
		}
		x.AlterTableStmt.Cmds = cmds
	case *pg_query.Node_RenameStmt:
		k.rename(x.RenameStmt)
	}
}

// column returns the declared type of a column definition and whether to
// keep it, stripping modifiers DuckDB rejects from the definition.
func (k *keeper) column(def *pg_query.ColumnDef) (catalog.Declared, bool) {
	tn := def.GetTypeName()
	d, keep, strip := declaredType(tn)
	if strip {
		tn.Typmods = nil
		k.changed = true
	}
	return d, keep
}

// declaredType is catalog.DeclaredColumn for the type name tn.
func declaredType(tn *pg_query.TypeName) (d catalog.Declared, keep, strip bool) {
	if tn == nil || tn.PctType || tn.Setof || (len(tn.Names) != 1 && !isPgCatalog(tn.Names)) {
		return catalog.Declared{}, false, false
	}
	mods := make([]int32, 0, len(tn.Typmods))
	for _, m := range tn.Typmods {
		c := m.GetAConst()
		if c == nil || c.GetIval() == nil {
			return catalog.Declared{}, false, false
		}
		mods = append(mods, c.GetIval().Ival)
	}
	return catalog.DeclaredColumn(typeBase(tn), mods, len(tn.ArrayBounds) > 0)
}

// create keeps the declared types of a new table's columns, in a new
// declared-types table. A table without any drops one left over by a
// table of the same name dropped behind quiver's back; CREATE TABLE IF NOT
// EXISTS leaves an existing one as it is, as it does the table.
func (k *keeper) create(c *pg_query.CreateStmt) {
	cols := constraintNames(c) // before checkLength adds checks
	for _, e := range c.TableElts {
		if con := e.GetConstraint(); con != nil && (con.Deferrable || con.Initdeferred) {
			con.Deferrable, con.Initdeferred, k.changed = false, false, true
			k.warnDeferrable()
		}
		k.noActions(e.GetConstraint())
		def := e.GetColumnDef()
		if def == nil {
			continue
		}
		k.immediate(def)
		if id := k.serial(c, def); id != "" {
			cols = append(cols, id)
		}
		if d, ok := k.column(def); ok {
			cols = append(cols, typesColumn(def.Colname, d))
			k.checkLength(def, d)
		}
	}
	name := typesTable(c.Relation)
	temp := ""
	if c.Relation.Relpersistence == "t" {
		temp = "TEMP "
	}
	switch {
	case len(cols) == 0 && c.IfNotExists:
	case len(cols) == 0:
		k.sql = append(k.sql, "DROP TABLE IF EXISTS "+name)
	case c.IfNotExists:
		k.sql = append(k.sql, "CREATE "+temp+"TABLE IF NOT EXISTS "+name+" ("+placeholder+", "+strings.Join(cols, ", ")+")")
	default:
		k.sql = append(k.sql, "CREATE OR REPLACE "+temp+"TABLE "+name+" ("+placeholder+", "+strings.Join(cols, ", ")+")")
	}
}

// deferrableWarning says that DuckDB checks a DEFERRABLE constraint at
// once: Django, for one, makes every foreign key DEFERRABLE INITIALLY
// DEFERRED, where refusing the constraint would refuse the table.
const deferrableWarning = "DEFERRABLE is ignored on DuckDB: the constraint is checked at once, not at the end of the transaction"

func (k *keeper) warnDeferrable() {
	if !slices.Contains(k.warnings, deferrableWarning) {
		k.warnings = append(k.warnings, deferrableWarning)
	}
}

// noActions makes a foreign key's referential actions NO ACTION, with a
// WARNING for each it drops (foreignKeyActions).
func (k *keeper) noActions(con *pg_query.Constraint) {
	for _, w := range foreignKeyActions(con) {
		k.changed = true
		if !slices.Contains(k.warnings, w) {
			k.warnings = append(k.warnings, w)
		}
	}
}

// foreignKeyActions makes the ON DELETE and ON UPDATE actions of con, when
// it is a foreign key, NO ACTION, and returns a WARNING for each action it
// dropped. DuckDB's foreign keys have no actions (it refuses CASCADE, SET
// NULL and SET DEFAULT), and it cannot carry one out either: a transaction
// that deletes referencing rows cannot then delete the key they referred
// to. Dropping the action is stricter than carrying it out, never looser:
// a DELETE or UPDATE that would cascade fails with 23503 instead. Schemas
// from Rails, pg_dump and the like declare cascades freely, and refusing
// the constraint would refuse the table.
func foreignKeyActions(con *pg_query.Constraint) []string {
	if con.GetContype() != pg_query.ConstrType_CONSTR_FOREIGN {
		return nil
	}
	var out []string
	for _, a := range []struct {
		event  string
		action *string
	}{{"DELETE", &con.FkDelAction}, {"UPDATE", &con.FkUpdAction}} {
		name, ok := map[string]string{"c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}[*a.action]
		if !ok {
			continue
		}
		*a.action = "a"
		out = append(out, "ON "+a.event+" "+name+" is ignored on DuckDB: a referenced key cannot be "+
			strings.ToLower(a.event)+"d while rows refer to it (NO ACTION)")
	}
	if len(out) > 0 {
		con.FkDelSetCols = nil
	}
	return out
}

// immediate drops the DEFERRABLE, NOT DEFERRABLE, INITIALLY DEFERRED and
// INITIALLY IMMEDIATE clauses of a column's constraints, which DuckDB
// does not take.
func (k *keeper) immediate(def *pg_query.ColumnDef) {
	keep := def.Constraints[:0]
	for _, n := range def.Constraints {
		k.noActions(n.GetConstraint())
		switch n.GetConstraint().GetContype() {
		case pg_query.ConstrType_CONSTR_ATTR_DEFERRABLE, pg_query.ConstrType_CONSTR_ATTR_DEFERRED:
			k.warnDeferrable()
			k.changed = true
			continue
		case pg_query.ConstrType_CONSTR_ATTR_NOT_DEFERRABLE, pg_query.ConstrType_CONSTR_ATTR_IMMEDIATE:
			k.changed = true
			continue
		}
		keep = append(keep, n)
	}
	def.Constraints = keep
}

// constraintNames returns the declared-types table columns that keep the
// names CREATE TABLE c gives its constraints (catalog.ConstraintKey), which
// DuckDB does not keep. A check is known by its place among the table's
// checks, in the order DuckDB lists them: that of the statement's text.
func constraintNames(c *pg_query.CreateStmt) []string {
	var out []string
	checks := 0
	add := func(con *pg_query.Constraint, cols []string) {
		var kind string
		switch con.Contype {
		case pg_query.ConstrType_CONSTR_PRIMARY:
			kind = "p"
		case pg_query.ConstrType_CONSTR_UNIQUE:
			kind = "u"
		case pg_query.ConstrType_CONSTR_FOREIGN:
			kind = "f"
		case pg_query.ConstrType_CONSTR_CHECK:
			checks++
			kind, cols = "c", []string{strconv.Itoa(checks)}
		default:
			return
		}
		if con.Conname != "" && len(cols) > 0 {
			out = append(out, ident(catalog.ConstraintKey(kind, cols))+" VARCHAR DEFAULT "+literal(con.Conname))
		}
	}
	for _, e := range c.TableElts {
		if def := e.GetColumnDef(); def != nil {
			for _, n := range def.Constraints {
				if con := n.GetConstraint(); con != nil {
					add(con, []string{def.Colname})
				}
			}
		} else if con := e.GetConstraint(); con != nil {
			keys := con.Keys
			if con.Contype == pg_query.ConstrType_CONSTR_FOREIGN {
				keys = con.FkAttrs
			}
			add(con, names(keys))
		}
	}
	return out
}

// serialTypes are the serial types, by the integer type each stands for.
var serialTypes = map[string]string{
	"serial": "int4", "serial4": "int4", "bigserial": "int8", "serial8": "int8", "smallserial": "int2", "serial2": "int2",
}

// serial makes def, a column of the new table c, draw its values from a
// sequence when it is a serial column or an identity column, as
// PostgreSQL does: the column gets the integer type, NOT NULL and
// DEFAULT nextval of a sequence named table_column_seq in the table's
// schema (or as the identity's SEQUENCE NAME says), which a statement
// before the CREATE TABLE creates unless it exists, with the identity's
// options. DuckDB has neither serial types nor identity columns. The
// sequence is owned by the table, so that DROP TABLE drops it. For an
// identity column, serial returns the declared-types table column that
// keeps its kind (catalog.IdentityKey), else "".
func (k *keeper) serial(c *pg_query.CreateStmt, def *pg_query.ColumnDef) string {
	tn := def.GetTypeName()
	identity := -1
	for i, con := range def.Constraints {
		if con.GetConstraint().GetContype() == pg_query.ConstrType_CONSTR_IDENTITY {
			identity = i
		}
	}
	base := ""
	if tn != nil && len(tn.Names) == 1 && len(tn.ArrayBounds) == 0 {
		base = serialTypes[typeBase(tn)]
	}
	if base == "" && identity < 0 {
		return ""
	}
	if base != "" {
		tn.Names = []*pg_query.Node{pg_query.MakeStrNode("pg_catalog"), pg_query.MakeStrNode(base)}
	}
	k.changed = true
	if identity >= 0 {
		con := def.Constraints[identity].GetConstraint()
		def.Constraints = append(def.Constraints[:identity], def.Constraints[identity+1:]...)
		seq, create, err := identitySequence(c.Relation, def.Colname, con, tn, true)
		if err != nil {
			k.err = err
			return ""
		}
		k.guards = append(k.guards, create...)
		k.owned = append(k.owned, "ALTER SEQUENCE "+relationRef(seq)+" OWNED BY "+ownerRef(c.Relation))
		def.Constraints = append(def.Constraints, sequenceConstraints(seq)...)
		return identityColumn(def.Colname, identityKindOf(con))
	}
	create, own, cons := serialSequence(c.Relation, def.Colname)
	// Not CREATE OR REPLACE: DuckDB refuses to replace the sequence of an
	// existing table before CREATE TABLE could say that it exists.
	k.guards = append(k.guards, create)
	// Owned by the table, the sequence is dropped with it.
	k.owned = append(k.owned, own)
	def.Constraints = append(def.Constraints, cons...)
	return ""
}

// serialSequence returns what makes the column col of the table rel a
// serial column: the statement creating its sequence (table_column_seq,
// in the table's schema) unless it exists, the one that has the table own
// it, and the column's NOT NULL and DEFAULT nextval constraints.
func serialSequence(rel *pg_query.RangeVar, col string) (create, own string, cons []*pg_query.Node) {
	seq := defaultSequence(rel, col)
	temp := ""
	if rel.Relpersistence == "t" {
		temp = "TEMPORARY "
	}
	return "CREATE " + temp + "SEQUENCE IF NOT EXISTS " + relationRef(seq),
		"ALTER SEQUENCE " + relationRef(seq) + " OWNED BY " + ownerRef(rel), sequenceConstraints(seq)
}

// defaultSequence names the sequence of the serial or identity column col
// of the table rel: table_column_seq, in the table's schema.
func defaultSequence(rel *pg_query.RangeVar, col string) *pg_query.RangeVar {
	seq := col
	if rel.Relname != "" {
		seq = rel.Relname + "_" + col
	}
	return &pg_query.RangeVar{Catalogname: rel.Catalogname, Schemaname: rel.Schemaname, Relname: seq + "_seq",
		Relpersistence: rel.Relpersistence, Inh: true}
}

// sequenceConstraints are the NOT NULL and DEFAULT nextval constraints of
// a column drawing from the sequence seq.
func sequenceConstraints(seq *pg_query.RangeVar) []*pg_query.Node {
	ref := relationText(&pg_query.RangeVar{Schemaname: seq.Schemaname, Relname: seq.Relname})
	return []*pg_query.Node{
		{Node: &pg_query.Node_Constraint{Constraint: &pg_query.Constraint{Contype: pg_query.ConstrType_CONSTR_NOTNULL, Location: -1}}},
		{Node: &pg_query.Node_Constraint{Constraint: &pg_query.Constraint{Contype: pg_query.ConstrType_CONSTR_DEFAULT, Location: -1,
			RawExpr: funcCall([]string{"nextval"}, pg_query.MakeAConstStrNode(ref, -1))}}},
	}
}

// alter keeps the declared type of a column added or changed, and forgets
// that of a column dropped or changed to a type DuckDB keeps. ADD COLUMN
// IF NOT EXISTS keeps an existing column's declared type. It reports
// whether DuckDB runs cmd: not when only the declared type changes
// (retypesInPlace).
func (k *keeper) alter(stmt *pg_query.AlterTableStmt, cmd *pg_query.AlterTableCmd) bool {
	name := typesTable(stmt.Relation)
	run := true
	var col string
	var d catalog.Declared
	var keep bool
	switch cmd.Subtype {
	case pg_query.AlterTableType_AT_AddColumn:
		def := cmd.GetDef().GetColumnDef()
		if def == nil {
			return true
		}
		col = def.Colname
		d, keep = k.column(def)
		k.unchecked(col, d)
	case pg_query.AlterTableType_AT_AlterColumnType:
		def := cmd.GetDef().GetColumnDef()
		if def == nil {
			return true
		}
		col = cmd.Name
		d, keep = k.column(def)
		run = !k.retypesInPlace(stmt, col, def, d)
	case pg_query.AlterTableType_AT_DropColumn:
		col = cmd.Name
	default:
		return true
	}
	ifNew := cmd.Subtype == pg_query.AlterTableType_AT_AddColumn && cmd.MissingOk
	switch {
	case keep && ifNew:
		k.sql = append(k.sql, "CREATE TABLE IF NOT EXISTS "+name+" ("+placeholder+")",
			"ALTER TABLE "+name+" ADD COLUMN IF NOT EXISTS "+typesColumn(col, d))
	case keep:
		k.sql = append(k.sql, "CREATE TABLE IF NOT EXISTS "+name+" ("+placeholder+")",
			"ALTER TABLE "+name+" DROP COLUMN IF EXISTS "+ident(col),
			"ALTER TABLE "+name+" ADD COLUMN "+typesColumn(col, d))
	case !ifNew:
		k.sql = append(k.sql, "ALTER TABLE IF EXISTS "+name+" DROP COLUMN IF EXISTS "+ident(col))
	}
	if cmd.Subtype == pg_query.AlterTableType_AT_DropColumn {
		k.sql = append(k.sql, "ALTER TABLE IF EXISTS "+name+" DROP COLUMN IF EXISTS "+ident(catalog.IdentityKey(col)))
	}
	return run
}

// rename renames a table's declared-types table with it, or a column's
// entry in it. The column is added first, without a declared type, if the
// declared-types table does not have it, so that the rename cannot fail.
func (k *keeper) rename(r *pg_query.RenameStmt) {
	name := typesTable(r.Relation)
	if r.RenameType == pg_query.ObjectType_OBJECT_TABLE {
		to := &pg_query.RangeVar{Catalogname: r.Relation.Catalogname, Schemaname: r.Relation.Schemaname, Relname: r.Newname}
		k.sql = append(k.sql, "DROP TABLE IF EXISTS "+typesTable(to),
			"ALTER TABLE IF EXISTS "+name+" RENAME TO "+ident(catalog.DeclaredTypesPrefix+r.Newname))
		return
	}
	for _, key := range []func(string) string{func(c string) string { return c }, catalog.IdentityKey} {
		k.sql = append(k.sql, "ALTER TABLE IF EXISTS "+name+" DROP COLUMN IF EXISTS "+ident(key(r.Newname)),
			"ALTER TABLE IF EXISTS "+name+" ADD COLUMN IF NOT EXISTS "+ident(key(r.Subname))+" VARCHAR",
			"ALTER TABLE IF EXISTS "+name+" RENAME COLUMN "+ident(key(r.Subname))+" TO "+ident(key(r.Newname)))
	}
}

// placeholder is the column every declared-types table has.
var placeholder = ident(catalog.DeclaredPlaceholder) + " BOOLEAN"

// typesTable names the declared-types table of the table rv names,
// qualified as rv is.
func typesTable(rv *pg_query.RangeVar) string {
	return qualifiedName(rv, catalog.DeclaredTypesPrefix+rv.Relname)
}

// relationRef names the table rv names, qualified as rv is.
func relationRef(rv *pg_query.RangeVar) string { return qualifiedName(rv, rv.Relname) }

// ownerRef names the table rv names for ALTER SEQUENCE ... OWNED BY,
// which DuckDB takes without the database.
func ownerRef(rv *pg_query.RangeVar) string {
	return qualifiedName(&pg_query.RangeVar{Schemaname: rv.Schemaname}, rv.Relname)
}

// qualifiedName is name qualified as rv is.
func qualifiedName(rv *pg_query.RangeVar, name string) string {
	var b strings.Builder
	for _, q := range []string{rv.Catalogname, rv.Schemaname} {
		if q != "" {
			b.WriteString(ident(q) + ".")
		}
	}
	b.WriteString(ident(name))
	return b.String()
}

// typesColumn is the definition of a declared-types table's column for a
// column declared d.
func typesColumn(name string, d catalog.Declared) string {
	return ident(name) + " VARCHAR DEFAULT " + d.Default()
}

// ident quotes an identifier for DuckDB.
func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
