// Package clients runs real PostgreSQL drivers — pgjdbc, asyncpg,
// node-postgres and psycopg 3 — against quiver on embedded DuckDB and against
// a real PostgreSQL 15, and requires that they see the same thing.
//
// Each driver runs a small program (java/, python/, node/) that connects to
// the server it is given, runs a fixed list of cases and prints one line per
// observation, "case<TAB>text", in a canonical form: values with the type the
// driver decoded them to, command tags and row counts where the driver shows
// them, and SQLSTATEs for errors. The test runs the program against both
// servers and compares the output case by case. PostgreSQL's output is the
// oracle: nothing in this package states an expected value by hand.
//
// A case that differs fails the test and prints both outputs, unless it is on
// the knownDivergences list (known_test.go), in which case it is logged as a
// KNOWN DIVERGENCE and counted; a listed case that agrees fails the test, so
// the list only ever names real, current failures.
//
// The drivers are installed by scripts/install-clients.sh; a missing driver
// fails the test.
package clients

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/quiverdb/quiver/internal/quivertest"
	"github.com/quiverdb/quiver/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// target is a server a driver program connects to.
type target struct {
	name     string // "postgresql" or "quiver"
	host     string
	port     int
	user, db string
	// dialect tells the program which spelling to use for the few literals
	// PostgreSQL and DuckDB write differently: "postgres" or "duckdb".
	dialect string
}

// targets starts a fresh quiver and a fresh database on the shared
// PostgreSQL 15.
func targets(t *testing.T) (pg, q target) {
	t.Helper()
	p := testenv.PG(t)
	s := quivertest.Start(t)
	return target{"postgresql", p.Host, p.Port, p.User, p.CreateDB(t), "postgres"},
		target{"quiver", s.Host, s.Port, "me", "quiver", "duckdb"}
}

// programTimeout bounds one run of a driver program. The programs bound each
// statement themselves; this catches a program that hangs as a whole.
const programTimeout = 3 * time.Minute

// runProgram runs a driver program against tgt and returns its output. cmd
// builds the command line from the target. A program that exits non-zero or
// times out still returns what it printed: the comparison shows which cases
// are missing.
func runProgram(t *testing.T, tgt target, cmd func(ctx context.Context, tgt target) *exec.Cmd) (out string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), programTimeout)
	defer cancel()
	c := cmd(ctx, tgt)
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	c.WaitDelay = 5 * time.Second
	err = c.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("timed out after %v: %w", programTimeout, err)
	}
	if err != nil || stderr.Len() > 0 {
		t.Logf("%s on %s: %v\nstderr:\n%s", c.Args[0], tgt.name, err, stderr.String())
	}
	return stdout.String(), err
}

// caseOutput is what a program printed for one case, in order.
type caseOutput struct {
	name  string
	lines []string
}

// parseOutput groups a program's lines by case, in the order the cases first
// appear. A line without a tab belongs to the case "(unprefixed)".
func parseOutput(out string) []caseOutput {
	var cases []caseOutput
	index := map[string]int{}
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		name, text, ok := strings.Cut(line, "\t")
		if !ok {
			name, text = "(unprefixed)", line
		}
		i, seen := index[name]
		if !seen {
			i = len(cases)
			index[name] = i
			cases = append(cases, caseOutput{name: name})
		}
		cases[i].lines = append(cases[i].lines, text)
	}
	return cases
}

// failedMarker starts the line a program prints when a case raised an error
// it did not expect. Against PostgreSQL no case may print it.
const failedMarker = "FAILED "

// compare runs the program against PostgreSQL and quiver and compares the
// outputs case by case. driver names the driver in knownDivergences;
// required lists cases PostgreSQL's output must contain, so that a program
// that stops early cannot pass.
func compare(t *testing.T, driver string, required []string, cmd func(ctx context.Context, tgt target) *exec.Cmd) {
	t.Helper()
	pgT, qT := targets(t)
	pgT, qT = traceTarget(t, driver, pgT), traceTarget(t, driver, qT)
	pgOut, pgErr := runProgram(t, pgT, cmd)
	qOut, qErr := runProgram(t, qT, cmd)
	if testing.Verbose() {
		t.Logf("%s output on PostgreSQL:\n%s", driver, pgOut)
	}

	// PostgreSQL's run is the oracle: it must be complete and clean.
	want := parseOutput(pgOut)
	if pgErr != nil {
		t.Fatalf("%s failed against PostgreSQL (%v); the program or the driver is broken:\n%s", driver, pgErr, pgOut)
	}
	have := map[string]bool{}
	for _, c := range want {
		// A per-column case "types.col" counts for "types".
		base, _, _ := strings.Cut(c.name, ".")
		have[c.name], have[base] = true, true
		for _, l := range c.lines {
			if strings.HasPrefix(l, failedMarker) {
				t.Errorf("%s case %s failed against PostgreSQL: %s", driver, c.name, l)
			}
		}
	}
	for _, r := range required {
		if !have[r] {
			t.Errorf("%s printed nothing for case %s against PostgreSQL", driver, r)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	got := map[string][]string{}
	for _, c := range parseOutput(qOut) {
		got[c.name] = c.lines
	}
	var agree, known int
	names := make(map[string]bool, len(want))
	for _, c := range want {
		names[c.name] = true
		key := driver + "/" + c.name
		reason, listed := knownDivergences[key]
		g := got[c.name]
		same := equalLines(c.lines, g)
		switch {
		case same && listed:
			t.Errorf("%s agrees with PostgreSQL now: remove it from knownDivergences (was: %s)", key, reason)
		case same:
			agree++
		case listed:
			known++
			t.Logf("KNOWN DIVERGENCE %s (%s):\n%s", key, reason, diff(c.lines, g))
		default:
			t.Errorf("%s differs from PostgreSQL:\n%s", key, diff(c.lines, g))
		}
	}
	for _, c := range parseOutput(qOut) {
		if !names[c.name] {
			t.Errorf("%s/%s printed on quiver only:\n%s", driver, c.name, strings.Join(c.lines, "\n"))
		}
	}
	for key := range knownDivergences {
		if name, ok := strings.CutPrefix(key, driver+"/"); ok && !names[name] {
			t.Errorf("knownDivergences names %s, which the program does not print", key)
		}
	}
	if qErr != nil {
		t.Errorf("%s failed against quiver: %v", driver, qErr)
	}
	t.Logf("%s: %d cases agree with PostgreSQL, %d KNOWN DIVERGENCE(s), %d case(s) in all",
		driver, agree, known, len(want))
}

func equalLines(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// diff shows PostgreSQL's lines and quiver's side by side, marking the lines
// that differ.
func diff(want, got []string) string {
	var b strings.Builder
	n := max(len(want), len(got))
	for i := range n {
		w, g := "(none)", "(none)"
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w == g {
			fmt.Fprintf(&b, "    both:       %s\n", w)
			continue
		}
		fmt.Fprintf(&b, "  - postgresql: %s\n  + quiver:     %s\n", w, g)
	}
	return b.String()
}
