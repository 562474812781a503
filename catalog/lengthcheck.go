package catalog

import (
	"regexp"
	"strconv"
	"strings"
)

// Length checks.
//
// PostgreSQL refuses a value longer than n characters for a varchar(n) or
// char(n) column with SQLSTATE 22001 and "value too long for type
// character varying(n)". DuckDB's VARCHAR has no length, so package
// dialect gives each such column of a CREATE TABLE a CHECK constraint,
// LengthCheck's expression. DuckDB evaluates it for every row an INSERT
// (appender included, so COPY FROM) or an UPDATE of the column writes, so
// a statement that writes a value too long keeps nothing; the DuckDB
// backend turns the failure into PostgreSQL's error (TooLongMessage).
//
// The expression is as cheap as a check can be, because DuckDB binds a
// table's CHECK constraints again for every INSERT and UPDATE it plans,
// even of other columns, and plans again each time quiver runs one: one
// call of len() (DuckDB's alias of length(), which counts characters, not
// bytes) and one comparison. The pgbench tables have a char(n) column
// each; with this check a TPC-B transaction costs quiver 7.6M instructions
// instead of 7.2M (callgrind, simple protocol; most of it the cost of
// having a check at all), pgbench -i about 1% more. A CASE that called
// error() with PostgreSQL's message and let a value through whose excess
// is all spaces, as PostgreSQL does (it cuts the spaces off), cost 8.7M:
// DuckDB's CASE and each function call are costly to bind, and without
// the CASE, trimming every row made COPY slower. So a value whose
// characters beyond n are all spaces is refused.
//
// The check tells the type by its form, which DuckDB keeps in the
// constraint's expression and its error message: len(c) <= n for
// varchar(n), n >= len(c) for char(n). PostgreSQL clients do not write
// len(), which PostgreSQL does not have, so a client's own check is not
// taken for one of these. The catalog leaves them out of pg_constraint
// (and so of information_schema and psql's \d) and of pg_class.relchecks.

// TooLong starts PostgreSQL's message for a value longer than its
// varchar(n) or char(n) type allows: "value too long for type character
// varying(5)".
const TooLong = "value too long for type "

// UpsertTwice is PostgreSQL's message for an INSERT ... ON CONFLICT DO
// UPDATE whose rows repeat a key, which package dialect has DuckDB raise
// with error() and the DuckDB backend turns into SQLSTATE 21000.
const UpsertTwice = "ON CONFLICT DO UPDATE command cannot affect row a second time"

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
// false when d has no length. A NULL passes.
func LengthCheck(column string, d Declared) (string, bool) {
	n, _, ok := LengthLimit(d)
	if !ok {
		return "", false
	}
	c, l := "len("+quoteIdent(column)+")", strconv.Itoa(int(n))
	if d.OID == 1042 {
		return l + " >= " + c, true
	}
	return c + " <= " + l, true
}

// lengthCheckPattern matches the expression of a length check as DuckDB
// prints it: the column is a bare or a double-quoted identifier. The first
// group is varchar(n)'s n, the second char(n)'s. It is RE2 syntax, for Go
// and DuckDB alike.
const lengthCheckPattern = `\((?:len\((?:[^()" ]+|"(?:[^"]|"")*")\) <= ([0-9]+)|([0-9]+) >= len\((?:[^()" ]+|"(?:[^"]|"")*")\))\)`

var lengthCheckRE = regexp.MustCompile(`^` + lengthCheckPattern + `$`)

// TooLongMessage returns PostgreSQL's message for a row that failed the
// CHECK constraint whose expression DuckDB prints as expr, if that is a
// length check: "(len(a) <= 5)" gives "value too long for type character
// varying(5)".
func TooLongMessage(expr string) (string, bool) {
	m := lengthCheckRE.FindStringSubmatch(expr)
	switch {
	case m == nil:
		return "", false
	case m[1] != "":
		return TooLong + "character varying(" + m[1] + ")", true
	default:
		return TooLong + "character(" + m[2] + ")", true
	}
}

// isLengthCheck is the condition that a CHECK constraint whose expression,
// as duckdb_constraints() gives it, is the SQL expression expr is a length
// check.
func isLengthCheck(expr string) string {
	return "coalesce(regexp_full_match(" + expr + ", " + quote(lengthCheckPattern) + "), false)"
}

// lengthChecksIn is the SQL expression that counts the length checks in
// the CREATE TABLE statement that the SQL expression sql is
// (duckdb_tables().sql, where DuckDB writes each check as CHECK(expr)).
// It spares pg_class another scan of duckdb_constraints(), which prints
// every constraint of the database.
func lengthChecksIn(sql string) string {
	return "coalesce(len(regexp_extract_all(" + sql + ", " + quote(`CHECK\(`+lengthCheckPattern+`\)`) + ")), 0)"
}

// quoteIdent quotes an identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
