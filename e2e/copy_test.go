//go:build duckdb_arrow

package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/quiverdb/quiver/internal/quivertest"
)

const copyTable = `create table ct (
	i int4, b int8, s smallint, f float8, r float4, n numeric(12,3), t text, v varchar(20),
	ok bool, d date, ts timestamp, tz timestamptz, tm time, bt bytea, ch char(6))`

// copyRows is COPY text input exercising escapes, NULLs and edge values.
const copyRows = "1\t-9223372036854775808\t-32768\t0.1\t1.5\t-123456789.125\thello\tv\tt\t2024-02-29\t2024-01-02 03:04:05.123456\t2024-01-02 03:04:05+00\t04:05:06.789\t\\\\xdeadbeef\tab\n" +
	"2\t9223372036854775807\t32767\t1e+300\t-Infinity\t0.000\ttab\\there\\nnewline\t\tf\t1970-01-01\t1969-12-31 23:59:59.5\t1999-06-30 12:00:00-07\t00:00:00\t\\\\x\t\n" +
	"3\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n" +
	"4\t0\t0\tNaN\t0\t1.100\tback\\\\slash \"quoted\", comma\tx\tt\t0001-01-01\t2000-01-01 00:00:00\t2038-01-19 03:14:07+00\t23:59:59.999999\t\\\\x00ff10\té\n"

func copyIn(t *testing.T, c *pgconn.PgConn, sql, data string) (string, error) {
	t.Helper()
	tag, err := c.CopyFrom(context.Background(), strings.NewReader(data), sql)
	return tag.String(), err
}

func copyOut(t *testing.T, c *pgconn.PgConn, sql string) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	tag, err := c.CopyTo(context.Background(), &buf, sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return buf.String(), tag.String()
}

// TestCopyMatchesPostgres loads the same rows into PostgreSQL and quiver
// with COPY FROM STDIN and compares COPY TO STDOUT byte for byte in every
// format, then feeds each format back in.
func TestCopyMatchesPostgres(t *testing.T) {
	pc, qc := connectBoth(t)
	ctx := context.Background()
	for _, c := range []*pgconn.PgConn{pc, qc} {
		if _, err := c.Exec(ctx, copyTable+"; set timezone = 'UTC'").ReadAll(); err != nil {
			t.Fatal(err)
		}
		if tag, err := copyIn(t, c, "copy ct from stdin", copyRows); err != nil || tag != "COPY 4" {
			t.Fatalf("copy in: %q %v", tag, err)
		}
	}
	outs := []string{
		"copy ct to stdout",
		"copy ct to stdout (format csv)",
		"copy ct to stdout (format csv, header, delimiter ';', null 'NULL', force_quote (t, v))",
		"copy ct to stdout (format text, delimiter '|', null '')",
		"copy ct to stdout (format binary)",
		"copy (select i, t from ct where i > 1 order by i) to stdout",
		"copy (select ch, i from ct order by i) to stdout (format binary)",
		"copy (select c.ch from ct c order by i) to stdout (format csv, force_quote *)",
		"copy ct (t, i) to stdout with csv",
	}
	for _, sql := range outs {
		want, wantTag := copyOut(t, pc, sql)
		got, gotTag := copyOut(t, qc, sql)
		if got != want || gotTag != wantTag {
			t.Errorf("%s\n PostgreSQL (%s): %q\n quiver     (%s): %q", sql, wantTag, want, gotTag, got)
		}
	}
	// Each format read back: the round trip keeps every value.
	for _, f := range []string{"text", "csv", "binary"} {
		data, _ := copyOut(t, pc, "copy ct to stdout (format "+f+")")
		for _, c := range []*pgconn.PgConn{pc, qc} {
			if _, err := c.Exec(ctx, "create table ct2 as select * from ct where false").ReadAll(); err != nil {
				t.Fatal(err)
			}
			if tag, err := copyIn(t, c, "copy ct2 from stdin (format "+f+")", data); err != nil || tag != "COPY 4" {
				t.Fatalf("%s round trip: %q %v", f, tag, err)
			}
		}
		want, _ := copyOut(t, pc, "copy ct2 to stdout")
		got, _ := copyOut(t, qc, "copy ct2 to stdout")
		if got != want {
			t.Errorf("%s round trip\n PostgreSQL: %q\n quiver:     %q", f, want, got)
		}
		for _, c := range []*pgconn.PgConn{pc, qc} {
			if _, err := c.Exec(ctx, "drop table ct2").ReadAll(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestCopyRejectsBadInput sends malformed COPY data: the error's SQLSTATE,
// message and context (the line and column) match PostgreSQL's, nothing
// from that COPY is kept, and the session goes on.
func TestCopyRejectsBadInput(t *testing.T) {
	pc, qc := connectBoth(t)
	ctx := context.Background()
	for _, c := range []*pgconn.PgConn{pc, qc} {
		if _, err := c.Exec(ctx, "create table bad (i int4, d date, s text); create type mood as enum ('ok', 'sad'); create table bade (i int4, m mood)").ReadAll(); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct{ sql, data string }{
		{"copy bad from stdin", "1\t2024-01-01\tok\nx\t2024-01-01\tbad int\n"},
		{"copy bade from stdin", "1\tok\n2\tsad\n3\tglad\n"},
		{"copy bade from stdin (format csv)", "1,ok\n2,Ok\n"},
		{"copy bad from stdin", "1\t2024-01-01\tok\n2\tnot a date\tbad\n"},
		{"copy bad from stdin", "1\t2024-01-01\n"},
		{"copy bad from stdin", "1\t2024-01-01\tok\textra\n"},
		{"copy bad from stdin (format csv)", "1,2024-01-01,\"unterminated\n"},
		{"copy bad from stdin (format binary)", "not a binary copy header"},
		{"copy bad from stdin", "99999999999\t2024-01-01\tout of range\n"},
	}
	for _, cs := range cases {
		var codes, msgs [2]string
		table := strings.Fields(cs.sql)[1]
		for i, c := range []*pgconn.PgConn{pc, qc} {
			_, err := copyIn(t, c, cs.sql, cs.data)
			var pe *pgconn.PgError
			if !errors.As(err, &pe) {
				t.Fatalf("%q: no error: %v", cs.data, err)
			}
			codes[i] = pe.Code
			msgs[i] = pe.Message + " / " + pe.Where
			res, err := c.Exec(ctx, "select count(*) from "+table).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if n := string(res[0].Rows[0][0]); n != "0" {
				t.Fatalf("%q: %s rows kept after a failed COPY", cs.data, n)
			}
		}
		if codes[0] != codes[1] {
			t.Errorf("%q: PostgreSQL %s, quiver %s", cs.data, codes[0], codes[1])
		}
		if msgs[0] != msgs[1] {
			t.Errorf("%q: PostgreSQL %q, quiver %q", cs.data, msgs[0], msgs[1])
		}
	}
}

// TestConcurrentCopy runs COPY FROM STDIN from several sessions at once.
// DuckDB's Arrow-scan views are shared by all sessions, so a name clash
// once made one session scan another's released stream and crash quiver.
func TestConcurrentCopy(t *testing.T) {
	q := quivertest.Start(t)
	ctx := context.Background()
	setup, err := pgconn.Connect(ctx, q.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer setup.Close(ctx)
	if _, err := setup.Exec(ctx, "create table cc (id int8, s text)").ReadAll(); err != nil {
		t.Fatal(err)
	}
	const sessions, copies, rows = 8, 20, 100
	errs := make(chan error, sessions)
	for i := 0; i < sessions; i++ {
		go func(i int) {
			c, err := pgconn.Connect(ctx, q.URL())
			if err != nil {
				errs <- err
				return
			}
			defer c.Close(ctx)
			var data strings.Builder
			for r := 0; r < rows; r++ {
				fmt.Fprintf(&data, "%d\tsession %d\n", i*rows+r, i)
			}
			for range copies {
				if _, err := c.CopyFrom(ctx, strings.NewReader(data.String()), "copy cc from stdin"); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}(i)
	}
	for i := 0; i < sessions; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	res, err := setup.Exec(ctx, "select count(*) from cc").ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(res[0].Rows[0][0]), fmt.Sprint(sessions*copies*rows); got != want {
		t.Fatalf("%s rows, want %s", got, want)
	}
}
