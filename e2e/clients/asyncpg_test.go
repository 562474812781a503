package clients

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// systemPython is Debian's interpreter, which has python3-asyncpg and
// python3-psycopg; a python3 earlier on PATH may be another one.
const systemPython = "/usr/bin/python3"

// pythonProgram runs one of the programs in python/ against a target.
func pythonProgram(t *testing.T, file string) func(ctx context.Context, tgt target) *exec.Cmd {
	t.Helper()
	src, err := filepath.Abs(filepath.Join("python", file))
	if err != nil {
		t.Fatal(err)
	}
	return func(ctx context.Context, tgt target) *exec.Cmd {
		cmd := exec.CommandContext(ctx, systemPython, src, tgt.host, strconv.Itoa(tgt.port), tgt.user, tgt.db, tgt.dialect)
		// No __pycache__ in the source tree.
		cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
		return cmd
	}
}

// requirePython fails the test unless the system Python can import module.
func requirePython(t *testing.T, module string) {
	t.Helper()
	if out, err := exec.Command(systemPython, "-c", "import "+module).CombinedOutput(); err != nil {
		t.Fatalf("%s cannot import %s (%v): run scripts/install-clients.sh\n%s", systemPython, module, err, out)
	}
}

// TestAsyncpg runs python/asyncpg_client.py — every type fetched in binary
// through named prepared statements, arguments encoded by the parameter types
// the server describes, executemany, cursors, transactions, COPY of records
// and SQLSTATEs — against PostgreSQL and quiver.
func TestAsyncpg(t *testing.T) {
	requirePython(t, "asyncpg")
	compare(t, "asyncpg", []string{
		"connect", "types", "arrays", "params", "params_arrays", "params_inferred", "fetch_args", "dml", "executemany", "cursor",
		"transaction", "copy_records", "err_undefined_table", "err_undefined_column", "err_syntax",
		"err_unique", "err_in_transaction", "err_bad_value",
	}, pythonProgram(t, "asyncpg_client.py"))
}
