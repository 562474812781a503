package catalog

import (
	"strconv"
	"strings"
)

// Functions whose result type follows their argument's type differently
// in DuckDB and PostgreSQL.
//
// The dialect, working on the parse tree, does not know an argument's
// type; a DuckDB macro with typed overloads does, choosing by the
// argument's type when the statement is bound. The macros live in the
// database the catalog snapshots live in (SnapshotDatabase), made once per
// DuckDB instance by DatabaseSetup, so a session costs nothing more and
// they are not among the client's functions (pg_proc lists only the
// client's database's).
//
// Where a macro has typed overloads, it has one for each type that DuckDB
// would otherwise cast to a typed overload rather than take the untyped
// one, which is left for the rest: their results, and errors, are
// DuckDB's own function's. A typed DECIMAL parameter would cast every
// decimal to DuckDB's default DECIMAL(18,3); decimals take the untyped
// overload.

// typedMacros are the macros: the PostgreSQL function each stands for, its
// number of arguments, and the macro's name and overloads.
var typedMacros = []struct {
	fn              string
	nargs           int
	name, overloads string
}{
	// sum: PostgreSQL's sum of smallint and integer is bigint, which
	// DuckDB makes a 128-bit integer (presented as numeric), and drivers
	// map the two to different host types (psycopg2's int against
	// Decimal, JDBC's Long against BigDecimal). DuckDB takes neither
	// DISTINCT nor OVER on a macro: those sums stay DuckDB's. A FILTER
	// becomes a CASE in the argument (dialect).
	{"sum", 1, "quiver_sum", "(x SMALLINT) AS CAST(sum(x) AS BIGINT), (x INTEGER) AS CAST(sum(x) AS BIGINT), " +
		"(x BIGINT) AS sum(x), (x HUGEINT) AS sum(x), (x) AS sum(x)"},
	// avg: PostgreSQL's average of integers is numeric, the sum divided
	// by the count, where DuckDB's is double precision (2.3333333333333335
	// against 2.3333333333333333, and a float for drivers where PostgreSQL
	// gives a decimal). The macro divides exactly: the whole part, then
	// the remainder's 16 decimal places, rounded half away from zero as
	// PostgreSQL rounds. PostgreSQL's scale varies with the values (16
	// digits, or more when the average is below the first digit of the
	// count); DuckDB's decimals have one scale per column, numeric(38,16).
	// Decimals and floats keep DuckDB's avg.
	{"avg", 1, "quiver_avg", "(x SMALLINT) AS " + avgInt + ", (x INTEGER) AS " + avgInt + ", (x BIGINT) AS " + avgInt + ", (x) AS avg(x)"},
	// date_trunc of a date: PostgreSQL casts the date to timestamptz,
	// at midnight in the session's time zone, and truncates that, where
	// DuckDB returns a timestamp.
	{"date_trunc", 2, "quiver_date_trunc", "(u, x DATE) AS date_trunc(u, CAST(x AS TIMESTAMPTZ)), (u, x TIMESTAMP) AS date_trunc(u, x), " +
		"(u, x TIMESTAMPTZ) AS date_trunc(u, x), (u, x INTERVAL) AS date_trunc(u, x), (u, x) AS date_trunc(u, x)"},
}

// avgInt is the exact average of integers, as numeric(38,16) (see avg).
const avgInt = "CAST(sum(x) // count(x) AS DECIMAL(38,16)) + " +
	"CAST((sum(x) % count(x) * 20000000000000000 + sign(sum(x)) * count(x)) // (2 * count(x)) AS DECIMAL(38,0)) * " +
	"CAST('0.0000000000000001' AS DECIMAL(17,16))"

// macroName qualifies a typed macro's name with its database.
func macroName(name string) string { return `"` + SnapshotDatabase + `".main.` + name }

// DatabaseSetup returns the statements that prepare a database of the
// engine's dialect for the catalog, run once per database before its
// first session's set-up (SessionInit); nil when there are none.
func DatabaseSetup(dialect string) []string {
	if dialect != "duckdb" {
		return nil
	}
	out := []string{AttachSnapshot}
	for _, m := range typedMacros {
		out = append(out, "CREATE MACRO IF NOT EXISTS "+macroName(m.name)+m.overloads)
	}
	return out
}

// typedFunctions are the catalog functions that call a typed macro.
var typedFunctions = map[string]bool{}

// TypedMacro reports whether the catalog function name calls a macro of
// quiver's in-memory database (DatabaseSetup), which DDL that DuckDB keeps
// (a view's query, a default) must not call: a database file whose views
// named it would need quiver to read them.
func TypedMacro(name string) bool { return typedFunctions[name] }

func init() {
	for _, m := range typedMacros {
		args := make([]string, m.nargs)
		for i := range args {
			args[i] = "$" + strconv.Itoa(i+1)
		}
		functions[m.fn+"/"+strconv.Itoa(m.nargs)] = macroName(m.name) + "(" + strings.Join(args, ", ") + ")"
		typedFunctions[m.fn] = true
	}
}
