package clients

// knownDivergences lists the cases, as "driver/case", where quiver is known
// to differ from PostgreSQL today, with the reason. A listed case that
// differs is logged as a KNOWN DIVERGENCE and counted; a listed case that
// agrees fails the test, so this list shrinks as quiver is fixed. Per-column
// cases are named "case.column". Run the tests with -clients.trace to get
// the wire messages of both servers.
var knownDivergences = map[string]string{}
