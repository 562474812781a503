package clients

import "testing"

// TestPsycopg runs python/psycopg_client.py — text and binary cursors over
// every type, server-side parameter binding (text and binary), prepared
// statements (prepare=True and automatic after five executions),
// executemany and pipeline mode, transactions, savepoints, named cursors,
// COPY FROM STDIN and SQLSTATEs — against PostgreSQL and quiver.
func TestPsycopg(t *testing.T) {
	requirePython(t, "psycopg")
	compare(t, "psycopg", []string{
		"connect", "types_text", "types_binary", "types_prepared", "params_text", "params_binary",
		"params_untyped", "params_inferred", "dml", "executemany", "pipeline", "transaction", "savepoint",
		"ddl_after_prepare", "named_cursor", "copy", "err_undefined_table", "err_syntax", "err_unique",
		"err_in_transaction", "err_bad_value",
	}, pythonProgram(t, "psycopg_client.py"))
}
