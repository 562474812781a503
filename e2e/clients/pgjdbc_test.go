package clients

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// pgjdbcJar is where Debian's libpostgresql-jdbc-java puts the driver.
const pgjdbcJar = "/usr/share/java/postgresql.jar"

// TestPgjdbc runs java/Pgjdbc.java — every foundation type through
// PreparedStatements executed past prepareThreshold (named server-side
// statements and binary transfer from the fifth execution), setX parameters,
// executeUpdate counts, batches, fetch size and max rows, transactions and
// SQLSTATEs — against PostgreSQL and quiver.
func TestPgjdbc(t *testing.T) {
	if _, err := os.Stat(pgjdbcJar); err != nil {
		t.Fatalf("pgjdbc is not installed (%v): run scripts/install-clients.sh", err)
	}
	src, err := filepath.Abs(filepath.Join("java", "Pgjdbc.java"))
	if err != nil {
		t.Fatal(err)
	}
	compare(t, "pgjdbc", []string{
		"connect", "show_set", "types_prepared", "types_statement", "rows", "params", "params_untyped",
		"fetch_size", "max_rows", "multi_statement", "dml", "batch", "statement_batch", "transaction",
		"err_undefined_table", "err_undefined_column", "err_syntax", "err_unique",
		"err_in_transaction", "err_prepared_bad_value",
	}, func(ctx context.Context, tgt target) *exec.Cmd {
		// The JVM's zone is what pgjdbc sends as TimeZone and uses to
		// print java.sql timestamps: fix it.
		return exec.CommandContext(ctx, "java", "-Duser.timezone=UTC", "-Xshare:auto", "-XX:TieredStopAtLevel=1",
			"-cp", pgjdbcJar, src, tgt.host, strconv.Itoa(tgt.port), tgt.user, tgt.db, tgt.dialect)
	})
}
