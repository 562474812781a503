package flightsrv

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/quiverdb/quiver/pgerror"
)

// postgresSQLStates returns every SQLSTATE PostgreSQL defines, read from
// the errcodes.h that pg_query_go vendors from PostgreSQL's source.
func postgresSQLStates(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/pganalyze/pg_query_go/v6").Output()
	if err != nil {
		t.Fatalf("locating pg_query_go: %v", err)
	}
	f, err := os.Open(filepath.Join(strings.TrimSpace(string(out)), "parser/include/postgres/utils/errcodes.h"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	re := regexp.MustCompile(`MAKE_SQLSTATE\('(.)','(.)','(.)','(.)','(.)'\)`)
	var states []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			states = append(states, strings.Join(m[1:], ""))
		}
	}
	if len(states) < 200 {
		t.Fatalf("found only %d SQLSTATEs", len(states))
	}
	return states
}

// TestCodeTableComplete checks that every SQLSTATE class PostgreSQL
// defines has a deliberate gRPC code, and that every override names a real
// SQLSTATE.
func TestCodeTableComplete(t *testing.T) {
	states := postgresSQLStates(t)
	known := map[string]bool{}
	for _, s := range states {
		known[s] = true
		if _, ok := classCodes[s[:2]]; !ok {
			t.Errorf("SQLSTATE class %s (from %s) has no gRPC code", s[:2], s)
		}
	}
	for s := range codeOverrides {
		if !known[s] {
			t.Errorf("override for unknown SQLSTATE %s", s)
		}
	}
	classes := map[string]bool{}
	for _, s := range states {
		classes[s[:2]] = true
	}
	// Class 72 (snapshot_too_old) left PostgreSQL in 17; 15 still has it.
	classes["72"] = true
	for c := range classCodes {
		if !classes[c] {
			t.Errorf("class %s is not one of PostgreSQL's", c)
		}
	}
}

// TestCodes checks the codes Flight SQL clients rely on.
func TestCodes(t *testing.T) {
	for state, want := range map[string]codes.Code{
		"42P01": codes.NotFound,
		"42703": codes.NotFound,
		"42883": codes.NotFound,
		"42601": codes.InvalidArgument,
		"42804": codes.InvalidArgument,
		"22012": codes.InvalidArgument,
		"28P01": codes.Unauthenticated,
		"28000": codes.Unauthenticated,
		"42501": codes.PermissionDenied,
		"57014": codes.Canceled,
		"53300": codes.ResourceExhausted,
		"23505": codes.AlreadyExists,
		"23503": codes.FailedPrecondition,
		"23502": codes.FailedPrecondition,
		"42P07": codes.AlreadyExists,
		"0A000": codes.Unimplemented,
		"XX000": codes.Internal,
		"08006": codes.Unavailable,
		"08P01": codes.InvalidArgument,
		"40001": codes.Aborted,
		"25P02": codes.FailedPrecondition,
	} {
		if got := grpcCode(state); got != want {
			t.Errorf("grpcCode(%s) = %v, want %v", state, got, want)
		}
	}
}

// TestToStatus checks the message and details of a converted error.
func TestToStatus(t *testing.T) {
	pe := pgerror.New(pgerror.UndefinedTable, `relation "nope" does not exist`).WithPosition(15).WithHint("check the name")
	err := toStatus(errors.Join(errors.New("context"), pe))
	st, _ := status.FromError(err)
	if st.Code() != codes.NotFound {
		t.Errorf("code %v", st.Code())
	}
	if want := `relation "nope" does not exist (SQLSTATE 42P01)` + "\nHINT: check the name"; st.Message() != want {
		t.Errorf("message %q, want %q", st.Message(), want)
	}
	if got := SQLState(err); got != "42P01" {
		t.Errorf("SQLState = %q", got)
	}
	if toStatus(err) != err {
		t.Error("a status error should pass through")
	}
	if got := status.Code(toStatus(errors.New("plain"))); got != codes.Internal {
		t.Errorf("plain error: %v, want Internal (XX000)", got)
	}
}
