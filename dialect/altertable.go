package dialect

import (
	"slices"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/quiverdb/quiver/catalog"
	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/stmt"
)

// Statements DuckDB has no form of, which pg_dump writes for every table:
//
//   - Ownership and privileges (ALTER ... OWNER TO, GRANT, REVOKE, ALTER
//     DEFAULT PRIVILEGES) are accepted and do nothing: quiver has no
//     privilege system, every user may do everything (is_superuser is on,
//     and the has_*_privilege functions say true).
//   - ALTER TABLE ... ALTER COLUMN ... ADD GENERATED ... AS IDENTITY (how
//     pg_dump writes an identity column) becomes what CREATE TABLE makes of
//     one (declared.go): a sequence, named as the clause names it, that is
//     the column's default and is owned by the table.
//   - ALTER TABLE ... ADD PRIMARY KEY, which DuckDB refuses on a table
//     with indexes (pg_dump adds unique constraints and primary keys in the
//     order of their names), drops the table's indexes around it, which
//     DuckDB can do only outside a transaction block.
//   - A foreign key, check or unique constraint added to an existing table
//     makes the table again with it (rebuild.go): DuckDB takes them only in
//     CREATE TABLE.

// planPrivileges plans the statements that only change ownership or
// privileges; ok is false for others.
func planPrivileges(n *pg_query.Node) (p *Plan, ok bool) {
	switch n.Node.(type) {
	case *pg_query.Node_AlterOwnerStmt, *pg_query.Node_GrantStmt, *pg_query.Node_GrantRoleStmt,
		*pg_query.Node_AlterDefaultPrivilegesStmt:
		return &Plan{NoOp: true}, true
	}
	return nil, false
}

// planLock plans LOCK TABLE: a look at each relation, which fails as
// PostgreSQL's LOCK does where one does not exist.
func planLock(l *pg_query.LockStmt) *Plan {
	var rels []string
	for _, r := range l.Relations {
		if rv := r.GetRangeVar(); rv != nil {
			rels = append(rels, relationRef(rv))
		}
	}
	return &Plan{Then: func(e Engine) ([]string, error) {
		for _, r := range rels {
			if _, err := e.Query("SELECT 1 FROM " + r + " LIMIT 0"); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}}
}

// mapsAlterTable reports whether a is an ALTER TABLE with a command
// planAlterTable maps.
func mapsAlterTable(a *pg_query.AlterTableStmt) bool {
	if len(a.Cmds) > 1 {
		return true // DuckDB takes one command per ALTER TABLE
	}
	for _, c := range a.Cmds {
		cmd := c.GetAlterTableCmd()
		if s, _, _ := serialColumn(a.Relation, cmd); s != cmd || len(splitAddColumn(cmd)) > 1 || columnDefault(cmd) != nil || refusedOnDependents(cmd) || setsLiteralDefault(cmd) {
			return true
		}
		switch cmd.GetSubtype() {
		case pg_query.AlterTableType_AT_ChangeOwner, pg_query.AlterTableType_AT_AddIdentity, pg_query.AlterTableType_AT_DropConstraint,
			pg_query.AlterTableType_AT_SetIdentity, pg_query.AlterTableType_AT_DropIdentity:
			return true
		case pg_query.AlterTableType_AT_AddConstraint:
			switch cmd.GetDef().GetConstraint().GetContype() {
			case pg_query.ConstrType_CONSTR_UNIQUE, pg_query.ConstrType_CONSTR_FOREIGN, pg_query.ConstrType_CONSTR_CHECK,
				pg_query.ConstrType_CONSTR_PRIMARY:
				return true
			}
		}
	}
	return false
}

// splitAddColumn returns cmd, and when it adds a column with constraints
// DuckDB does not take in ADD COLUMN (it takes none but DEFAULT and NULL),
// the commands that add them after it: SET NOT NULL, and ADD CONSTRAINT
// for a CHECK, UNIQUE, PRIMARY KEY or REFERENCES, with the attributes
// (DEFERRABLE, ...) that follow it. ADD COLUMN IF NOT EXISTS is left as
// it is: the constraints must not be added to a column that was there.
func splitAddColumn(cmd *pg_query.AlterTableCmd) []*pg_query.Node {
	one := []*pg_query.Node{{Node: &pg_query.Node_AlterTableCmd{AlterTableCmd: cmd}}}
	def := cmd.GetDef().GetColumnDef()
	if cmd.GetSubtype() != pg_query.AlterTableType_AT_AddColumn || def == nil || cmd.MissingOk {
		return one
	}
	var keepCons []*pg_query.Node
	var more []*pg_query.Node
	var last *pg_query.Constraint // the constraint attributes apply to
	col := []*pg_query.Node{pg_query.MakeStrNode(def.Colname)}
	for _, cn := range def.Constraints {
		con := cn.GetConstraint()
		switch con.GetContype() {
		case pg_query.ConstrType_CONSTR_NOTNULL:
			more = append(more, &pg_query.Node{Node: &pg_query.Node_AlterTableCmd{AlterTableCmd: &pg_query.AlterTableCmd{
				Subtype: pg_query.AlterTableType_AT_SetNotNull, Name: def.Colname, Behavior: pg_query.DropBehavior_DROP_RESTRICT}}})
		case pg_query.ConstrType_CONSTR_CHECK, pg_query.ConstrType_CONSTR_UNIQUE, pg_query.ConstrType_CONSTR_PRIMARY,
			pg_query.ConstrType_CONSTR_FOREIGN:
			c := cloneConstraint(con)
			switch c.Contype {
			case pg_query.ConstrType_CONSTR_UNIQUE, pg_query.ConstrType_CONSTR_PRIMARY:
				c.Keys = col
			case pg_query.ConstrType_CONSTR_FOREIGN:
				c.FkAttrs = col
			}
			if c.Contype == pg_query.ConstrType_CONSTR_CHECK || c.Contype == pg_query.ConstrType_CONSTR_FOREIGN {
				c.InitiallyValid = true
			}
			last = c
			more = append(more, &pg_query.Node{Node: &pg_query.Node_AlterTableCmd{AlterTableCmd: &pg_query.AlterTableCmd{
				Subtype: pg_query.AlterTableType_AT_AddConstraint, Behavior: pg_query.DropBehavior_DROP_RESTRICT,
				Def: &pg_query.Node{Node: &pg_query.Node_Constraint{Constraint: c}}}}})
		case pg_query.ConstrType_CONSTR_ATTR_DEFERRABLE, pg_query.ConstrType_CONSTR_ATTR_DEFERRED,
			pg_query.ConstrType_CONSTR_ATTR_NOT_DEFERRABLE, pg_query.ConstrType_CONSTR_ATTR_IMMEDIATE:
			if last == nil {
				keepCons = append(keepCons, cn)
				continue
			}
			switch con.GetContype() {
			case pg_query.ConstrType_CONSTR_ATTR_DEFERRABLE:
				last.Deferrable = true
			case pg_query.ConstrType_CONSTR_ATTR_DEFERRED:
				last.Initdeferred = true
			}
		default:
			keepCons = append(keepCons, cn)
		}
	}
	if len(more) == 0 {
		return one
	}
	c := cloneMsg(cmd)
	c.GetDef().GetColumnDef().Constraints = keepCons
	return append([]*pg_query.Node{{Node: &pg_query.Node_AlterTableCmd{AlterTableCmd: c}}}, more...)
}

// planAlterTable plans an ALTER TABLE for which mapsAlterTable holds: the
// mapped commands' statements, and the others as one ALTER TABLE planned
// by rest.
func planAlterTable(st *stmt.Statement, rest func(*stmt.Statement) (*Plan, error)) (*Plan, error) {
	n := clone(st.Node)
	a := n.GetAlterTableStmt()
	p := &Plan{}
	var after []string
	var added []addedConstraint
	var dropped []droppedConstraint
	var cmds []*pg_query.Node
	var before []string
	var identities []alterStep
	for _, c := range a.Cmds {
		cmd, b, af := serialColumn(a.Relation, c.GetAlterTableCmd())
		before, after = append(before, b...), append(after, af...)
		cmds = append(cmds, splitAddColumn(cmd)...)
	}
	keep := cmds[:0]
	for _, c := range cmds {
		cmd := c.GetAlterTableCmd()
		switch cmd.GetSubtype() {
		case pg_query.AlterTableType_AT_ChangeOwner:
			continue
		case pg_query.AlterTableType_AT_DropConstraint:
			dropped = append(dropped, droppedConstraint{name: cmd.Name, missingOK: cmd.MissingOk, cascade: cmd.Behavior == pg_query.DropBehavior_DROP_CASCADE})
			continue
		case pg_query.AlterTableType_AT_AddIdentity:
			identities = append(identities, addIdentityStep(a.Relation, cmd))
			continue
		case pg_query.AlterTableType_AT_SetIdentity, pg_query.AlterTableType_AT_DropIdentity:
			identities = append(identities, alterIdentityStep(a.Relation, cmd))
			continue
		case pg_query.AlterTableType_AT_AddConstraint:
			con := cmd.GetDef().GetConstraint()
			switch con.GetContype() {
			case pg_query.ConstrType_CONSTR_UNIQUE:
				if con.Indexname != "" || len(con.Including) > 0 || con.WhereClause != nil || con.Exclusions != nil {
					return nil, pgerror.New(pgerror.FeatureNotSupported, "this form of UNIQUE constraint is not supported on DuckDB")
				}
				u, err := newAddedConstraint(con)
				if err != nil {
					return nil, err
				}
				added = append(added, u)
				continue
			case pg_query.ConstrType_CONSTR_PRIMARY:
				if p.Then != nil {
					return nil, pgerror.New("42P16", "multiple primary keys for table \"%s\" are not allowed", a.Relation.Relname)
				}
				pk := clone(n)
				pk.GetAlterTableStmt().Cmds = []*pg_query.Node{c}
				sql, err := statementSQL("", pk, true)
				if err != nil {
					return nil, err
				}
				p.Then = primaryKey(a.Relation, append([]string{sql}, constraintNameSQL(a.Relation, "p", names(con.Keys), con.Conname)...))
				p.Separately = true
				continue
			case pg_query.ConstrType_CONSTR_FOREIGN, pg_query.ConstrType_CONSTR_CHECK:
				a, err := newAddedConstraint(con)
				if err != nil {
					return nil, err
				}
				warnings := foreignKeyActions(cloneConstraint(con))
				if con.Deferrable || con.Initdeferred {
					warnings = append(warnings, deferrableWarning)
				}
				for _, w := range warnings {
					if !slices.Contains(p.Warnings, w) {
						p.Warnings = append(p.Warnings, w)
					}
				}
				added = append(added, a)
				continue
			}
		}
		keep = append(keep, c)
	}
	// The other commands one ALTER TABLE each, in order: DuckDB takes
	// one command per statement.
	var steps, fills []alterStep
	for _, c := range keep {
		if s, ok := arraySetDefault(n, c.GetAlterTableCmd(), rest); ok {
			steps = append(steps, s)
			continue
		}
		if e := columnDefault(c.GetAlterTableCmd()); e != nil {
			s, fill, err := addColumnDefault(n, c.GetAlterTableCmd(), e, setsNotNull(keep, c.GetAlterTableCmd().GetDef().GetColumnDef().Colname), rest)
			if err != nil {
				return nil, err
			}
			steps = append(steps, s)
			if fill.then != nil {
				fills = append(fills, fill)
			}
			continue
		}
		a.Cmds = []*pg_query.Node{c}
		sql, err := deparse(n)
		if err != nil {
			return nil, err
		}
		parts := stmt.Split(sql)
		if len(parts) != 1 {
			return nil, pgerror.New(pgerror.FeatureNotSupported, "cannot rewrite statement")
		}
		rp, err := rest(&parts[0])
		if err != nil {
			return nil, err
		}
		var step alterStep
		if rp == nil {
			step.sql = []string{sql}
		} else if !rp.NoOp {
			step.sql = rp.SQL
			p.Warnings = append(p.Warnings, rp.Warnings...)
			p.Notices = append(p.Notices, rp.Notices...)
		}
		if refusedOnDependents(c.GetAlterTableCmd()) && step.sql != nil {
			step = aroundDependents(a.Relation, step.sql, commandChange(c.GetAlterTableCmd()))
		}
		steps = append(steps, step)
	}
	steps = append(append(append(append([]alterStep{{sql: before}}, steps...), fills...), identities...), alterStep{sql: after})
	if len(added) > 0 || len(dropped) > 0 {
		if p.Then != nil {
			return nil, pgerror.New(pgerror.FeatureNotSupported, "ALTER TABLE adding a primary key and adding or dropping another constraint at once is not supported on DuckDB: use separate statements")
		}
		p.Then = rebuild(a.Relation, added, dropped)
	}
	alterSteps(p, steps)
	p.NoOp = len(p.SQL) == 0 && p.Then == nil
	return p, nil
}

// primaryKey adds a primary key to the table rv with the statement sql.
// DuckDB adds one only to a table without indexes: the table's indexes
// are dropped first and made again after, also when sql fails. DuckDB
// cannot make an index again in the transaction that dropped it, so the
// plan runs its statements separately.
func primaryKey(rv *pg_query.RangeVar, sql []string) func(Engine) ([]string, error) {
	query := "SELECT schema_name, index_name, table_name, CASE WHEN is_unique THEN 'UNIQUE ' ELSE '' END, " +
		"array_to_string(expressions, ', ') FROM duckdb_indexes() WHERE " + catalogWhere("table_name", rv.Schemaname, rv.Relname)
	return func(e Engine) ([]string, error) {
		rows, err := e.Query(query)
		if err != nil {
			return nil, err
		}
		out := make([]string, 0, 2*len(rows)+1)
		for _, r := range rows {
			out = append(out, "DROP INDEX "+ident(r[0])+"."+ident(r[1]))
		}
		out = append(out, sql...)
		for _, r := range rows {
			out = append(out, "CREATE "+r[3]+"INDEX "+ident(r[1])+" ON "+ident(r[0])+"."+ident(r[2])+" ("+r[4]+")")
		}
		return out, nil
	}
}

// constraintNameSQL keeps name, given to a constraint added to the table
// rv, in the table's declared-types table (catalog.ConstraintKey), unless
// it is PostgreSQL's default name.
func constraintNameSQL(rv *pg_query.RangeVar, kind string, cols []string, name string) []string {
	if name == "" || name == rv.Relname+"_pkey" || len(cols) == 0 {
		return nil
	}
	companion := typesTable(rv)
	return []string{"CREATE TABLE IF NOT EXISTS " + companion + " (" + placeholder + ")",
		"ALTER TABLE " + companion + " ADD COLUMN IF NOT EXISTS " + ident(catalog.ConstraintKey(kind, cols)) + " VARCHAR DEFAULT " + literal(name)}
}
