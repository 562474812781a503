package clients

// knownDivergences lists the cases, as "driver/case", where quiver is known
// to differ from PostgreSQL today, with the reason. A listed case that
// differs is logged as a KNOWN DIVERGENCE and counted; a listed case that
// agrees fails the test, so this list shrinks as quiver is fixed. Per-column
// cases are named "case.column". Run the tests with -clients.trace to get
// the wire messages of both servers.
var knownDivergences = map[string]string{
	// A column cast to varchar is described as text (OID 25, not 1043):
	// DuckDB has one string type.
	"pgjdbc/types_prepared.vc":        "varchar column described as text",
	"pgjdbc/types_statement.vc":       "varchar column described as text",
	"asyncpg/types.vc":                "varchar column described as text",
	"node-postgres/types_simple.vc":   "varchar column described as text",
	"node-postgres/types_extended.vc": "varchar column described as text",
	"node-postgres/types_named.vc":    "varchar column described as text",
	"node-postgres/raw_text.vc":       "varchar column described as text",
	"psycopg/types_text.vc":           "varchar column described as text",
	"psycopg/types_binary.vc":         "varchar column described as text",
	"psycopg/types_prepared.vc":       "varchar column described as text",

	// getObject on an interval column makes pgjdbc look the type up in
	// pg_type with a query using current_schemas, array_upper and
	// generate_series; quiver answers 42883 (array_upper does not exist).
	"pgjdbc/types_prepared.iv":  "pgjdbc's pg_type lookup for interval fails with 42883",
	"pgjdbc/types_statement.iv": "pgjdbc's pg_type lookup for interval fails with 42883",

	// asyncpg introspects int4[], int8[], float8[] and bool[] with its
	// recursive typeinfo_tree query over pg_type, pg_range and friends;
	// quiver answers 42P01 (pg_range does not exist).
	"asyncpg/arrays":        "asyncpg's type introspection fails: pg_range does not exist",
	"asyncpg/arrays.ai":     "asyncpg's type introspection fails: pg_range does not exist",
	"asyncpg/arrays.al":     "asyncpg's type introspection fails: pg_range does not exist",
	"asyncpg/arrays.at":     "asyncpg's type introspection fails: pg_range does not exist",
	"asyncpg/arrays.af":     "asyncpg's type introspection fails: pg_range does not exist",
	"asyncpg/arrays.aempty": "asyncpg's type introspection fails: pg_range does not exist",
	"asyncpg/arrays.ab":     "asyncpg's type introspection fails: pg_range does not exist",
	"asyncpg/params_arrays": "asyncpg's type introspection fails: pg_range does not exist",

	// A parameter that is an operand of an arithmetic operator is described
	// as text, not inferred from the other operand: $1::int8 + $2 gives
	// $2 text (PostgreSQL int8), qty + $1 gives $1 text (PostgreSQL int8).
	// asyncpg encodes arguments by the described types and refuses an int.
	"asyncpg/params_inferred": "parameter of + described as text",
	"asyncpg/dml":             "parameter of + described as text",

	// A numeric parameter (OID 1700) selected without a cast is described
	// as numeric(38,10) and printed with ten decimals: 1.5 comes back as
	// 1.5000000000 (PostgreSQL: typmod -1, 1.5).
	"psycopg/params_untyped": "numeric parameter gets scale 10",

	// SAVEPOINT (psycopg's nested transaction blocks) fails with 42601.
	"psycopg/savepoint": "SAVEPOINT fails with 42601",
}
