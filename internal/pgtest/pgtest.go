// Package pgtest replays wire-protocol transcripts against a PostgreSQL
// server, in the manner of CockroachDB's pkg/testutils/pgtest: a transcript
// sends frontend messages written as pgproto3 JSON and lists the backend
// messages it expects back. testdata/pgtest/README.md describes the format.
//
// The same transcript runs against real PostgreSQL, which proves it, and
// against quiver, which it tests. Flags on the test binary:
//
//	-pgtest.addr host:port  replay against this server instead of the test's own
//	-pgtest.user name       user for -pgtest.addr (default postgres)
//	-pgtest.db name         database for -pgtest.addr (default postgres)
//	-pgtest.rewrite         write what the server sent as the expected output
//	-pgtest.trace           print every message sent and received to stderr
//
// Expected output is only ever rewritten from real PostgreSQL:
//
//	go test ./internal/pgtest -pgtest.rewrite
//
// replays the files against a throwaway PostgreSQL 15 (testenv.PG) and
// rewrites them. Run refuses -pgtest.rewrite unless -pgtest.addr names the
// server, so a test of quiver cannot rewrite the files from quiver's output.
package pgtest

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

var (
	flagAddr    = flag.String("pgtest.addr", "", "replay pgtest transcripts against this PostgreSQL-compatible server (host:port)")
	flagUser    = flag.String("pgtest.user", "postgres", "user for -pgtest.addr")
	flagDB      = flag.String("pgtest.db", "postgres", "database for -pgtest.addr")
	flagRewrite = flag.Bool("pgtest.rewrite", false, "rewrite pgtest expected output from what the server sent")
	flagTrace   = flag.Bool("pgtest.trace", false, "print pgtest wire traffic to stderr")
)

// timeout bounds every read and write of a transcript.
const timeout = 20 * time.Second

// target is the server a transcript runs against.
type target struct {
	addr, user, db string
}

// Run replays every file in dir against the server at addr (host:port),
// connecting as user to database db with trust authentication, one fresh
// connection per file, each file as a subtest. A file stops at its first
// block whose output differs from the expected output.
//
// With -pgtest.addr, the files run against that server instead (with
// -pgtest.user and -pgtest.db). -pgtest.rewrite needs -pgtest.addr.
func Run(t *testing.T, dir string, addr, user, db string) {
	t.Helper()
	if *flagRewrite && *flagAddr == "" {
		t.Fatal("-pgtest.rewrite rewrites expected output from real PostgreSQL only: " +
			"run go test ./internal/pgtest -pgtest.rewrite, or give -pgtest.addr")
	}
	run(t, dir, target{addr, user, db})
}

// run replays the files of dir against tgt, or against -pgtest.addr when it
// is set, and rewrites them when -pgtest.rewrite is set.
func run(t *testing.T, dir string, tgt target) {
	t.Helper()
	if *flagAddr != "" {
		tgt = target{*flagAddr, *flagUser, *flagDB}
	}
	files, err := transcripts(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no transcripts in %s", dir)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			runFile(t, path, tgt, *flagRewrite)
		})
	}
}

// transcripts lists the files of dir that are transcripts: every regular
// file except dot files and Markdown.
func transcripts(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".md") {
			continue
		}
		files = append(files, filepath.Join(dir, name))
	}
	sort.Strings(files)
	return files, nil
}

// runFile replays one transcript on a new connection and, with rewrite,
// writes what the server sent as its expected output.
func runFile(t *testing.T, path string, tgt target, rewrite bool) {
	s, err := readScript(path)
	if err != nil {
		t.Fatal(err)
	}
	actual, err := replay(s, tgt, rewrite)
	if err != nil {
		t.Fatal(err)
	}
	if rewrite {
		if err := os.WriteFile(path, []byte(s.rewrite(actual)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// replay runs the blocks of s on a new connection to tgt and returns what
// each printed. Unless rewrite is set, it stops at the first block whose
// output differs from the expected output.
func replay(s *script, tgt target, rewrite bool) ([][]string, error) {
	c, err := dial(tgt.addr, tgt.user, tgt.db, timeout, *flagTrace)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s as %s to %s: %w", tgt.addr, tgt.user, tgt.db, err)
	}
	defer c.close()
	actual := make([][]string, len(s.blocks))
	for i, b := range s.blocks {
		out, err := runBlock(c, b)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w\nreceived so far:\n%s", s.pos(b), b.cmd, err, strings.Join(out, "\n"))
		}
		actual[i] = out
		if !rewrite && !equalLines(out, b.expected) {
			return nil, fmt.Errorf("%s: %s: output differs\nexpected:\n%s\nactual:\n%s", s.pos(b), b.cmd,
				strings.Join(b.expected, "\n"), strings.Join(out, "\n"))
		}
	}
	return actual, nil
}

func equalLines(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != strings.TrimSpace(b[i]) {
			return false
		}
	}
	return true
}
