package dialect

import (
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/quiverdb/quiver/catalog"
	"github.com/quiverdb/quiver/pgerror"
)

// Lengths of varchar(n) and char(n) columns (see catalog.LengthCheck).
//
// CREATE TABLE gives each varchar(n) and char(n) column a CHECK constraint
// that limits its length as PostgreSQL does, but for values whose excess
// is all spaces, which PostgreSQL cuts to the length and the check
// refuses (see package catalog for why). DuckDB 1.5 cannot add a
// column with a constraint, add or drop a constraint later, nor change the
// type of a column that a CHECK constraint uses. So:
//
//   - ALTER TABLE ADD COLUMN adds a varchar(n) or char(n) column without a
//     check: its length is shown but not enforced, and the client gets a
//     WARNING saying so.
//   - ALTER COLUMN TYPE to a string type (varchar, varchar(n), text,
//     char(n), bpchar) without USING, COLLATE or IF EXISTS does not run
//     DuckDB's ALTER, which a checked column would refuse: the column is a
//     VARCHAR before and after, and only its declared type changes. A guard
//     statement first refuses the change (0A000) when the column is not a
//     VARCHAR in DuckDB, where DuckDB's ALTER would have had to convert it
//     (with USING it does), and checks the values the column holds against
//     the new length, as PostgreSQL does (22001; here too a value whose
//     excess is all spaces is refused). The length checked for new values
//     stays the one CREATE TABLE gave, and the client gets a WARNING
//     saying so.

// checkLength adds the length check of a column declared d to its
// definition in a CREATE TABLE, if d has a length.
func (k *keeper) checkLength(def *pg_query.ColumnDef, d catalog.Declared) {
	expr, ok := catalog.LengthCheck(def.Colname, d)
	if !ok {
		return
	}
	e, err := parseExpr(expr)
	if err != nil {
		k.err = err
		return
	}
	def.Constraints = append(def.Constraints, &pg_query.Node{Node: &pg_query.Node_Constraint{Constraint: &pg_query.Constraint{
		Contype: pg_query.ConstrType_CONSTR_CHECK, RawExpr: e, InitiallyValid: true, Location: -1,
	}}})
	k.changed = true
}

// unchecked warns that a column ALTER TABLE ADD COLUMN adds with the
// declared type d, if d has a length, is added without a length check.
func (k *keeper) unchecked(col string, d catalog.Declared) {
	if _, typ, ok := catalog.LengthLimit(d); ok {
		k.warnings = append(k.warnings, "the length of column \""+col+"\" ("+typ+
			") is not checked when ALTER TABLE adds the column: DuckDB cannot add a column with a constraint")
	}
}

// parseExpr parses one SQL expression.
func parseExpr(expr string) (*pg_query.Node, error) {
	tree, err := pg_query.Parse("SELECT " + expr)
	if err != nil {
		return nil, pgerror.New(pgerror.InternalError, "cannot parse %q: %v", expr, err)
	}
	return tree.Stmts[0].Stmt.GetSelectStmt().TargetList[0].GetResTarget().Val, nil
}

// stringTypes names the types, by their pg_catalog names, that DuckDB
// stores as VARCHAR whatever their length, as PostgreSQL's format_type
// prints them without a length.
var stringTypes = map[string]string{"varchar": "character varying", "bpchar": "bpchar", "text": "text"}

// retypesInPlace reports whether an ALTER COLUMN TYPE of the table that
// stmt alters, to the type of def, changes only the column's declared
// type, and if so adds its guard (see above) to k.guards.
func (k *keeper) retypesInPlace(stmt *pg_query.AlterTableStmt, col string, def *pg_query.ColumnDef, d catalog.Declared) bool {
	tn := def.GetTypeName()
	if stmt.MissingOk || def.RawDefault != nil || def.CollClause != nil || tn == nil || tn.PctType || tn.Setof ||
		len(tn.ArrayBounds) > 0 || (len(tn.Names) != 1 && !isPgCatalog(tn.Names)) {
		return false
	}
	typname, ok := stringTypes[typeBase(tn)]
	if !ok {
		return false
	}
	n, limited, hasLimit := catalog.LengthLimit(d)
	if hasLimit {
		typname = limited
	}
	c := "x." + ident(col)
	guard := "SELECT CASE WHEN typeof(" + c + ") <> 'VARCHAR' THEN error(" +
		literal(`changing the type of column "`+col+`" to `+typname+" needs USING on DuckDB") + ")"
	source := "(SELECT " + ident(col) + " FROM " + relationRef(stmt.Relation) + " LIMIT 0)"
	if hasLimit {
		guard += " WHEN length(CAST(" + c + " AS VARCHAR)) > " + strconv.Itoa(int(n)) + " THEN error(" + literal(catalog.TooLong+limited) + ")"
		source = "(SELECT " + ident(col) + " FROM " + relationRef(stmt.Relation) + ")"
	}
	k.guards = append(k.guards, guard+" END FROM (SELECT 1) AS o LEFT JOIN "+source+" AS x ON true")
	k.warnings = append(k.warnings, "the length checked for new values of column \""+col+"\" stays the one CREATE TABLE gave it, "+
		"if any, not that of "+typname+": DuckDB cannot add, drop or change a constraint")
	return true
}

// literal quotes a string literal for DuckDB.
func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
