// Package catalog is PostgreSQL's system catalog for engines that lack it:
// the pg_catalog relations and functions that psql's describe commands and
// drivers query (pg_class, pg_attribute, format_type, pg_get_indexdef, ...),
// defined over embedded DuckDB's own metadata functions.
//
// The definitions are SQL in PostgreSQL's syntax. They are not created as
// objects in the database: package dialect expands every reference to a
// catalog relation into a subquery and every call of a catalog function
// into its expression, on the statement's parse tree, before the statement
// reaches DuckDB. A new session therefore costs one statement (DuckDBInit),
// not the dozens of CREATE MACRO / CREATE VIEW a per-session catalog would
// need (about 0.2 ms each in DuckDB).
package catalog

import (
	"strconv"
	"strings"
	"time"

	"github.com/quiverdb/quiver/backends"
)

// Relation returns the definition of the catalog relation pg_catalog.name
// as a SELECT statement.
func Relation(name string) (string, bool) {
	s, ok := relations[name]
	return s, ok
}

// Native reports whether DuckDB provides pg_catalog.name itself, so that a
// reference to it runs as written.
func Native(name string) bool { return nativeRelations[name] }

// Function returns the expression that stands for the catalog function
// pg_catalog.name called with nargs arguments; $1..$n in it stand for the
// arguments.
func Function(name string, nargs int) (string, bool) {
	s, ok := functions[name+"/"+strconv.Itoa(nargs)]
	return s, ok
}

// paramNames are the parameter names of catalog functions that clients
// call with named arguments (make_interval(days => 3)); the parameters
// left out are 0.
var paramNames = map[string][]string{
	"make_interval": {"years", "months", "weeks", "days", "hours", "mins", "secs"},
}

// ParamNames returns the names of the parameters of the catalog function
// name, in order, for calls with named arguments; a parameter a call
// leaves out is the constant 0. It returns nil for functions that take
// only positional arguments.
func ParamNames(name string) []string { return paramNames[name] }

// SetReturning reports whether the catalog function name returns a set in
// PostgreSQL; its expression gives the set's only row.
func SetReturning(name string) bool { return setReturning[name] }

// RelationNames returns the names of all catalog relations.
func RelationNames() []string {
	out := make([]string, 0, len(relations))
	for n := range relations {
		out = append(out, n)
	}
	return out
}

// FunctionNames returns the names of all catalog functions, each once.
func FunctionNames() []string {
	seen := make(map[string]bool)
	var out []string
	for k := range functions {
		n, _, _ := strings.Cut(k, "/")
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// OIDType is the DuckDB type of OIDs in the catalog's definitions and in
// statements that cast to oid: the type the DuckDB backend registers
// (backends/duckdb.OIDType), a BIGINT that results present as PostgreSQL's
// oid, and lists of which as oid[]. DuckDB keeps a registered type through
// expressions, subqueries, set operations and aggregates, so a catalog OID
// column is an oid whatever a query does with it. Arithmetic on it needs a
// cast to bigint, as the definitions do where they derive OIDs.
const OIDType = "quiver_oid"

// DuckDBInit returns the statements that set up a new DuckDB session for
// the catalog: the session's user and database names, which
// pg_get_userbyid, current_user, current_database and pg_database show,
// and its application name and start time, which pg_stat_activity shows.
// The third element, the backend's process ID, is left NULL: SessionInfo
// does not carry it. It is dispatch.Config.SessionInit for the DuckDB
// backend.
func DuckDBInit(info backends.SessionInfo) []string {
	return []string{"SET VARIABLE quiver_session = [" + quote(info.User) + ", " + quote(info.Database) +
		", " + quote(strconv.FormatUint(uint64(info.ProcessID), 10)) + ", " + quote(info.Application) + ", " +
		quote(time.Now().UTC().Format("2006-01-02 15:04:05.000000-07:00")) + "]"}
}

// SessionInit returns the session set-up for an engine's SQL dialect, for
// dispatch.Config.SessionInit: DuckDBInit for "duckdb", nil for engines
// that have PostgreSQL's catalog.
func SessionInit(dialect string) func(backends.SessionInfo) []string {
	if dialect == "duckdb" {
		return DuckDBInit
	}
	return nil
}
