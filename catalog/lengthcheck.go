package catalog

import (
	"strconv"
	"strings"
)

// Length checks.
//
// PostgreSQL refuses a value longer than n characters for a varchar(n) or
// char(n) column with SQLSTATE 22001, unless the characters beyond n are
// all spaces (it then cuts them off). DuckDB's VARCHAR has no length, so
// package dialect gives each such column of a CREATE TABLE a CHECK
// constraint, LengthCheck's expression, which raises PostgreSQL's message
// through DuckDB's error() function. DuckDB evaluates it for every row an
// INSERT (appender included, so COPY FROM) writes and for every row an
// UPDATE of the column writes, so a statement that writes a value too long
// keeps nothing; the DuckDB backend turns the failure into 22001. Values
// whose excess is all spaces pass the check and are kept whole.
//
// The constraints are quiver's, not the client's: the catalog leaves them
// out of pg_constraint (and so of information_schema and psql's \d) and of
// pg_class.relchecks. It knows them by the error() call with TooLong's
// message, which DuckDB keeps in the constraint's expression.

// TooLong starts PostgreSQL's message for a value longer than its
// varchar(n) or char(n) type allows: "value too long for type character
// varying(5)".
const TooLong = "value too long for type "

// LengthLimit returns the length a column declared d may hold, in
// characters, and PostgreSQL's name for its type ("character varying(5)",
// "character(5)"); ok is false for types without a length, arrays
// included.
func LengthLimit(d Declared) (n int32, typname string, ok bool) {
	if d.Typmod < 5 {
		return 0, "", false
	}
	n = d.Typmod - 4
	switch d.OID {
	case 1043:
		typname = "character varying"
	case 1042:
		typname = "character"
	default:
		return 0, "", false
	}
	return n, typname + "(" + strconv.Itoa(int(n)) + ")", true
}

// LengthCheck returns the CHECK expression that keeps the column named
// column, declared d, to d's length, in PostgreSQL's syntax for DuckDB, and
// false when d has no length. A NULL passes, as the CASE falls to ELSE.
func LengthCheck(column string, d Declared) (string, bool) {
	n, typname, ok := LengthLimit(d)
	if !ok {
		return "", false
	}
	return "CASE WHEN " + TooLongCondition(quoteIdent(column), n) + " THEN error(" + quote(TooLong+typname) +
		") ELSE true END", true
}

// TooLongCondition is the condition that the string expression s is too
// long for a length of n characters: more than n characters, not all of
// the excess spaces. The first comparison, alone true for few values,
// spares the second for the others.
func TooLongCondition(s string, n int32) string {
	l := strconv.Itoa(int(n))
	return "length(" + s + ") > " + l + " AND length(rtrim(" + s + ", ' ')) > " + l
}

// isLengthCheck is the condition that a CHECK constraint whose expression,
// as duckdb_constraints() gives it, is the SQL expression expr is one of
// LengthCheck's.
func isLengthCheck(expr string) string {
	return "coalesce(" + expr + " LIKE " + quote(`%"error"('`+TooLong+`%`) + ", false)"
}

// quoteIdent quotes an identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
