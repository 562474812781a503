package dialect

import (
	"errors"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/stmt"
)

// DuckDB takes ADD COLUMN ... DEFAULT in one statement only when the
// default is a literal (a number, a string or NULL). Any other default,
// false and 'x'::text among them, makes it split the statement into
// several of its own, which a prepared statement cannot hold. Rails'
// add_column with default: false and Django's migrations write such
// defaults, so quiver adds the column in steps that give the existing rows
// what PostgreSQL gives them:
//
//   - A default that calls no volatile function is worked out once, as
//     PostgreSQL does for its "fast default": the column is added with the
//     value as a literal default, which fills the existing rows, and the
//     default is then set to the expression.
//   - A default that calls a volatile function (random(), nextval(),
//     gen_random_uuid(), ...) gives each row its own value: the column is
//     added bare, its default set, and the table updated to it. A NOT NULL
//     column is added with a placeholder (a zero, an empty string) and
//     updated once the statement's other commands have run: DuckDB sets
//     no NOT NULL on a table with indexes that the transaction updated.

// VolatileFuncs are the volatile functions, PostgreSQL's and DuckDB's,
// that a default or a query may call, whose result differs at each call:
// ADD COLUMN evaluates such a default for each row.
var VolatileFuncs = map[string]bool{
	"random": true, "random_normal": true, "gen_random_uuid": true, "uuid_generate_v1": true,
	"uuid_generate_v1mc": true, "uuid_generate_v4": true, "nextval": true, "clock_timestamp": true,
	"timeofday": true, "uuid": true, "uuidv4": true, "uuidv7": true,
}

// literalDefault reports whether DuckDB takes e, a column default, as a
// literal in ADD COLUMN.
func literalDefault(e *pg_query.Node) bool {
	c := e.GetAConst()
	return c != nil && c.GetBoolval() == nil
}

// columnDefault returns the default expression of the column cmd adds,
// or nil when it adds none or one DuckDB takes as it is.
func columnDefault(cmd *pg_query.AlterTableCmd) *pg_query.Node {
	def := cmd.GetDef().GetColumnDef()
	if cmd.GetSubtype() != pg_query.AlterTableType_AT_AddColumn || def == nil {
		return nil
	}
	if c := untypedArrayDefault(def); c != nil {
		// An array literal: its value as DuckDB writes it fills the
		// existing rows, and the column defaults to the literal cast.
		return arrayDefaultCast(def, c)
	}
	for _, c := range def.Constraints {
		if con := c.GetConstraint(); con.GetContype() == pg_query.ConstrType_CONSTR_DEFAULT && con.RawExpr != nil && !literalDefault(con.RawExpr) {
			return con.RawExpr
		}
	}
	return nil
}

// perRow reports whether the default e calls a volatile function.
func perRow(e *pg_query.Node) bool {
	found := false
	stmt.Walk(e.ProtoReflect(), func(m protoreflect.Message) {
		if f, ok := m.Interface().(*pg_query.FuncCall); ok && len(f.Funcname) > 0 {
			if VolatileFuncs[strings.ToLower(f.Funcname[len(f.Funcname)-1].GetString_().GetSval())] {
				found = true
			}
		}
	})
	return found
}

// withDefault returns cmd, an ADD COLUMN, adding its column with the
// default e, or with none when e is nil.
func withDefault(cmd *pg_query.AlterTableCmd, e *pg_query.Node) *pg_query.AlterTableCmd {
	c := cloneMsg(cmd)
	def := c.GetDef().GetColumnDef()
	cons := def.Constraints[:0]
	for _, cn := range def.Constraints {
		if cn.GetConstraint().GetContype() != pg_query.ConstrType_CONSTR_DEFAULT {
			cons = append(cons, cn)
		}
	}
	if e != nil {
		cons = append(cons, pg_query.MakeDefaultConstraintNode(e, -1))
	}
	def.Constraints = cons
	return c
}

// alterSQL plans the ALTER TABLE n with the one command cmd with rest.
func alterSQL(n *pg_query.Node, cmd *pg_query.AlterTableCmd, rest func(*stmt.Statement) (*Plan, error)) ([]string, error) {
	a := clone(n)
	a.GetAlterTableStmt().Cmds = []*pg_query.Node{{Node: &pg_query.Node_AlterTableCmd{AlterTableCmd: cmd}}}
	sql, err := deparse(a)
	if err != nil {
		return nil, err
	}
	return planSQL(sql, rest)
}

// planSQL plans the one statement sql with rest: its statements.
func planSQL(sql string, rest func(*stmt.Statement) (*Plan, error)) ([]string, error) {
	parts := stmt.Split(sql)
	if len(parts) != 1 {
		return nil, pgerror.New(pgerror.FeatureNotSupported, "cannot rewrite statement")
	}
	p, err := rest(&parts[0])
	switch {
	case err != nil:
		return nil, err
	case p == nil:
		return []string{sql}, nil
	case p.NoOp:
		return nil, nil
	case p.Then != nil:
		return nil, pgerror.New(pgerror.FeatureNotSupported, "cannot rewrite statement")
	}
	return p.SQL, nil
}

// addColumnDefault plans cmd, an ADD COLUMN of the ALTER TABLE n whose
// default e DuckDB does not take as a literal: its statements, or, when
// they depend on the default's value or on whether the column is there,
// a step that gives them. A volatile default of a column the statement
// makes NOT NULL fills the existing rows in fill, to run once the
// statement's other commands have; the column is added with a placeholder
// of its type (placeholders), or else with the default's value once.
func addColumnDefault(n *pg_query.Node, cmd *pg_query.AlterTableCmd, e *pg_query.Node, notNull bool, rest func(*stmt.Statement) (*Plan, error)) (step, fill alterStep, err error) {
	rv := n.GetAlterTableStmt().Relation
	col := cmd.GetDef().GetColumnDef()
	setDefault, err := alterSQL(n, &pg_query.AlterTableCmd{Subtype: pg_query.AlterTableType_AT_ColumnDefault, Name: col.Colname,
		Def: e, Behavior: pg_query.DropBehavior_DROP_RESTRICT}, rest)
	if err != nil {
		return alterStep{}, alterStep{}, err
	}
	exists := ""
	if cmd.MissingOk {
		exists = "SELECT 1 FROM duckdb_columns() WHERE " + catalogWhere("table_name", rv.Schemaname, rv.Relname) +
			" AND column_name = " + sqlString(col.Colname)
	}
	var static []string // the statements, when they do not depend on the value
	var value string    // the query for the value, as 'v' || value, or 'n' for NULL
	update := "UPDATE " + relationRef(rv) + " SET " + ident(col.Colname) + " = DEFAULT"
	skipped := false // the column was there
	if perRow(e) && notNull {
		fill.then = func(Engine) ([]string, error) {
			if skipped {
				return nil, nil
			}
			return []string{update}, nil
		}
	}
	placeholder, ok := placeholders[typeBase(col.TypeName)]
	if ok && len(col.TypeName.ArrayBounds) == 0 && perRow(e) && notNull {
		add, err := alterSQL(n, withDefault(cmd, pg_query.MakeAConstStrNode(placeholder, -1)), rest)
		if err != nil {
			return alterStep{}, alterStep{}, err
		}
		static = append(add, setDefault...)
		if exists == "" {
			return alterStep{sql: static}, fill, nil
		}
	} else if perRow(e) && !notNull {
		bare, err := alterSQL(n, withDefault(cmd, nil), rest)
		if err != nil {
			return alterStep{}, alterStep{}, err
		}
		static = append(append(bare, setDefault...), update)
		if exists == "" {
			return alterStep{sql: static}, fill, nil
		}
	} else {
		typed := &pg_query.Node{Node: &pg_query.Node_TypeCast{TypeCast: &pg_query.TypeCast{Arg: e, TypeName: col.TypeName, Location: -1}}}
		text := &pg_query.Node{Node: &pg_query.Node_TypeCast{TypeCast: &pg_query.TypeCast{Arg: typed,
			TypeName: &pg_query.TypeName{Names: []*pg_query.Node{pg_query.MakeStrNode("text")}, Location: -1}, Location: -1}}}
		v := &pg_query.Node{Node: &pg_query.Node_CoalesceExpr{CoalesceExpr: &pg_query.CoalesceExpr{Args: []*pg_query.Node{
			pg_query.MakeAExprNode(pg_query.A_Expr_Kind_AEXPR_OP, []*pg_query.Node{pg_query.MakeStrNode("||")}, pg_query.MakeAConstStrNode("v", -1), text, -1),
			pg_query.MakeAConstStrNode("n", -1)}, Location: -1}}}
		sql, err := stmt.Deparse(&pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: &pg_query.SelectStmt{
			TargetList: []*pg_query.Node{pg_query.MakeResTargetNodeWithVal(v, -1)}}}})
		if err != nil {
			return alterStep{}, alterStep{}, err
		}
		q, err := planSQL(sql, rest)
		if err != nil {
			return alterStep{}, alterStep{}, err
		}
		if len(q) != 1 {
			return alterStep{}, alterStep{}, pgerror.New(pgerror.FeatureNotSupported, "cannot rewrite statement")
		}
		value = q[0]
	}
	step.then = func(eng Engine) ([]string, error) {
		if exists != "" {
			rows, err := eng.Query(exists)
			if err != nil {
				return nil, err
			}
			if len(rows) > 0 {
				eng.Notice(Notice{Code: pgerror.DuplicateColumn, Message: "column \"" + col.Colname + "\" of relation \"" + rv.Relname + "\" already exists, skipping"})
				skipped = true
				return nil, nil
			}
		}
		if static != nil {
			return static, nil
		}
		rows, err := eng.Query(value)
		if pe, ok := errors.AsType[*pgerror.Error](err); ok {
			// Not a place in the client's statement: PostgreSQL
			// gives none either.
			return nil, pe.WithPosition(0)
		}
		if err != nil {
			return nil, err
		}
		if len(rows) != 1 || len(rows[0]) != 1 {
			return nil, pgerror.New(pgerror.InternalError, "the default of column %q gave no value", col.Colname)
		}
		var lit *pg_query.Node
		if v := rows[0][0]; strings.HasPrefix(v, "v") {
			lit = pg_query.MakeAConstStrNode(v[1:], -1)
		}
		add, err := alterSQL(n, withDefault(cmd, lit), rest)
		if err != nil {
			return nil, err
		}
		return append(add, setDefault...), nil
	}
	return step, fill, nil
}

// alterStep is one command of an ALTER TABLE: its statements, or a step
// that gives them from what the backend holds.
type alterStep struct {
	sql  []string
	then func(Engine) ([]string, error)
}

// alterSteps makes the steps of an ALTER TABLE one plan: the statements up
// to the first step that needs the backend as the plan's SQL, the rest, and
// then the plan's Then, as its Then.
func alterSteps(p *Plan, steps []alterStep) {
	first := len(steps)
	for i, s := range steps {
		if s.then != nil {
			first = i
			break
		}
		p.SQL = append(p.SQL, s.sql...)
	}
	if first == len(steps) {
		return
	}
	tail, next := steps[first:], p.Then
	p.Then = func(e Engine) ([]string, error) {
		// The steps run here, in order: a step's statements may depend on
		// those before having run.
		for _, s := range tail {
			sql := s.sql
			if s.then != nil {
				var err error
				if sql, err = s.then(e); err != nil {
					return nil, err
				}
			}
			for _, q := range sql {
				if _, err := e.Query(q); err != nil {
					return nil, err
				}
			}
		}
		if next == nil {
			return nil, nil
		}
		return next(e)
	}
}

// setsNotNull reports whether one of cmds sets the column col NOT NULL.
func setsNotNull(cmds []*pg_query.Node, col string) bool {
	for _, c := range cmds {
		if cmd := c.GetAlterTableCmd(); cmd.GetSubtype() == pg_query.AlterTableType_AT_SetNotNull && cmd.Name == col {
			return true
		}
	}
	return false
}

// serialColumn returns cmd, when it adds a serial column (ADD COLUMN
// IF NOT EXISTS aside), as the command adding an integer column that is
// NOT NULL and defaults to nextval of a sequence named table_column_seq,
// as CREATE TABLE makes one (keeper.serial), with the statements that
// create the sequence before and own it by the table after.
func serialColumn(rv *pg_query.RangeVar, cmd *pg_query.AlterTableCmd) (out *pg_query.AlterTableCmd, before, after []string) {
	def := cmd.GetDef().GetColumnDef()
	if cmd.GetSubtype() != pg_query.AlterTableType_AT_AddColumn || def == nil || cmd.MissingOk {
		return cmd, nil, nil
	}
	tn := def.GetTypeName()
	for i, c := range def.Constraints {
		if con := c.GetConstraint(); con.GetContype() == pg_query.ConstrType_CONSTR_IDENTITY {
			out = cloneMsg(cmd)
			def = out.GetDef().GetColumnDef()
			def.Constraints = append(def.Constraints[:i:i], def.Constraints[i+1:]...)
			seq, create, err := identitySequence(rv, def.Colname, con, tn, true)
			if err != nil {
				return cmd, nil, nil // DuckDB's own error
			}
			def.Constraints = append(def.Constraints, sequenceConstraints(seq)...)
			return out, create, append([]string{"ALTER SEQUENCE " + relationRef(seq) + " OWNED BY " + ownerRef(rv)},
				keepIdentitySQL(rv, def.Colname, identityKindOf(con))...)
		}
	}
	if tn == nil || len(tn.Names) != 1 || len(tn.ArrayBounds) != 0 || serialTypes[typeBase(tn)] == "" {
		return cmd, nil, nil
	}
	out = cloneMsg(cmd)
	def = out.GetDef().GetColumnDef()
	def.TypeName.Names = []*pg_query.Node{pg_query.MakeStrNode("pg_catalog"), pg_query.MakeStrNode(serialTypes[typeBase(tn)])}
	create, own, cons := serialSequence(rv, def.Colname)
	def.Constraints = append(def.Constraints, cons...)
	return out, []string{create}, []string{own}
}

// placeholders are values of the types an ADD COLUMN with a volatile
// default of a NOT NULL column is first added with, by the type's name,
// before each row gets its own: values that calling the default for
// would waste (a sequence's next number).
var placeholders = map[string]string{
	"int2": "0", "int4": "0", "int8": "0", "smallint": "0", "integer": "0", "int": "0", "bigint": "0",
	"numeric": "0", "decimal": "0", "float4": "0", "float8": "0", "real": "0",
	"text": "", "varchar": "", "uuid": "00000000-0000-0000-0000-000000000000",
}

// arraySetDefault plans cmd, an ALTER COLUMN ... SET DEFAULT of a string
// constant that could be an array literal ('{a,b}'), of the ALTER TABLE n:
// when the column is of an array type, the constant is cast to it, as
// PostgreSQL reads it, where DuckDB would keep the string and fail each
// insert that takes it (untypedArrayDefault). The column's type is read
// when the statement runs. ok is false for any other command.
func arraySetDefault(n *pg_query.Node, cmd *pg_query.AlterTableCmd, rest func(*stmt.Statement) (*Plan, error)) (step alterStep, ok bool) {
	if !setsLiteralDefault(cmd) {
		return alterStep{}, false
	}
	rv := n.GetAlterTableStmt().Relation
	query := "SELECT data_type FROM duckdb_columns() WHERE " + catalogWhere("table_name", rv.Schemaname, rv.Relname) +
		" AND column_name = " + sqlString(cmd.Name) + " ORDER BY database_name <> 'temp' LIMIT 1"
	step.then = func(e Engine) ([]string, error) {
		rows, err := e.Query(query)
		if err != nil {
			return nil, err
		}
		out := cmd
		if len(rows) == 1 && strings.HasSuffix(rows[0][0], "[]") {
			parts := stmt.Split("SELECT CAST(NULL AS " + rows[0][0] + ")")
			tc := (*pg_query.TypeCast)(nil)
			if len(parts) == 1 && parts[0].Node != nil {
				tc = parts[0].Node.GetSelectStmt().GetTargetList()[0].GetResTarget().GetVal().GetTypeCast()
			}
			if tc != nil {
				out = cloneMsg(cmd)
				out.Def = &pg_query.Node{Node: &pg_query.Node_TypeCast{TypeCast: &pg_query.TypeCast{Arg: cmd.Def, TypeName: tc.TypeName, Location: -1}}}
			}
		}
		return alterSQL(n, out, rest)
	}
	return step, true
}

// setsLiteralDefault reports whether cmd is an ALTER COLUMN ... SET
// DEFAULT of a string constant that could be an array literal.
func setsLiteralDefault(cmd *pg_query.AlterTableCmd) bool {
	c := cmd.GetDef().GetAConst().GetSval()
	return cmd.GetSubtype() == pg_query.AlterTableType_AT_ColumnDefault && c != nil && strings.HasPrefix(strings.TrimSpace(c.Sval), "{")
}
