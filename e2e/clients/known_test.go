package clients

// knownDivergences lists the cases, as "driver/case", where quiver is known
// to differ from PostgreSQL today, with the reason. A listed case that
// differs is logged as a KNOWN DIVERGENCE and counted; a listed case that
// agrees fails the test, so this list shrinks as quiver is fixed. Per-column
// cases are named "case.column".
var knownDivergences = map[string]string{
	// A column cast to varchar comes back as text (OID 25, not 1043):
	// DuckDB has one string type.
	"pgjdbc/types_prepared.vc":  "varchar column described as text",
	"pgjdbc/types_statement.vc": "varchar column described as text",

	// Parse/Bind/Describe(portal)/Execute/Sync of SHOW: quiver answers the
	// Describe with RowDescription and then sends a second RowDescription
	// for the Execute; pgjdbc has no pending describe left for it and fails
	// with NoSuchElementException.
	"pgjdbc/show_set": "SHOW in the extended protocol sends RowDescription twice",

	// getObject on an interval column makes pgjdbc look the type up in
	// pg_type with a query using current_schemas, array_upper and
	// generate_series; quiver answers 42883 (array_upper does not exist).
	"pgjdbc/types_prepared.iv":  "pgjdbc's pg_type lookup for interval fails with 42883",
	"pgjdbc/types_statement.iv": "pgjdbc's pg_type lookup for interval fails with 42883",
}
