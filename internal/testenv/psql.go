package testenv

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// Psql runs the real psql against host:port with script on stdin, with
// extra arguments (such as "-A" or "-c", SQL), and returns what it printed,
// stdout and stderr interleaved as a user sees them. psql runs with -X and
// ON_ERROR_STOP off, and with no PG* variables from the environment. A psql
// that exits non-zero after running is not a failure: errors are output.
func Psql(t testing.TB, host string, port int, user, db, script string, args ...string) string {
	t.Helper()
	base := []string{"-X", "-q", "-h", host, "-p", fmt.Sprint(port), "-U", user, "-d", db, "-v", "ON_ERROR_STOP=0"}
	cmd := exec.Command("psql", append(base, args...)...)
	cmd.Stdin = strings.NewReader(script)
	env := []string{"PGCONNECT_TIMEOUT=10", "PGSSLMODE=disable"}
	for _, kv := range cmd.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("psql: %v", err)
		}
	}
	return out.String()
}
