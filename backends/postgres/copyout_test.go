package postgres

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// rowsWriter collects copyOut's payloads, one per row.
type rowsWriter struct{ rows [][]byte }

func (w *rowsWriter) Write(p []byte) (int, error) {
	w.rows = append(w.rows, bytes.Clone(p))
	return len(p), nil
}

// TestCopyOutMatchesCopyTo reads COPYs with copyOut and with pgconn's
// CopyTo, on the same connection one after the other: the same rows and
// tags, rows larger than copyOut's buffer included, and the connection is
// left in step (the next statement runs).
func TestCopyOutMatchesCopyTo(t *testing.T) {
	e := newEnv(t, Options{})
	s := e.sess
	ctx := context.Background()
	for _, sql := range []string{
		"copy (select i, 'row ' || i from generate_series(1, 5000) i) to stdout (format binary)",
		"copy (select repeat('x', 1000000) || i from generate_series(1, 3) i) to stdout",
		"copy (select 1 where false) to stdout",
	} {
		var got rowsWriter
		tag, err := copyOut(ctx, s.conn, s.cancel, sql, &got)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		var want bytes.Buffer
		wantTag, err := s.conn.CopyTo(ctx, &want, sql)
		if err != nil {
			t.Fatal(err)
		}
		if tag.String() != wantTag.String() || !bytes.Equal(bytes.Join(got.rows, nil), want.Bytes()) {
			t.Errorf("%s: tag %q, %d bytes; CopyTo: %q, %d bytes", sql, tag, len(bytes.Join(got.rows, nil)), wantTag, want.Len())
		}
	}
	wantUsable(t, s)
}

// TestCopyOutError reads a COPY that fails part-way, outside and inside a
// transaction block: the server's error comes back, the connection stays
// in step, and inside the block pgconn sees the failed transaction.
func TestCopyOutError(t *testing.T) {
	e := newEnv(t, Options{})
	s := e.sess
	ctx := context.Background()
	const sql = "copy (select 10 / (1000 - i) from generate_series(1, 2000) i) to stdout"
	var w rowsWriter
	_, err := copyOut(ctx, s.conn, s.cancel, sql, &w)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "22012" {
		t.Fatalf("got %v, want 22012", err)
	}
	if len(w.rows) == 0 {
		t.Error("no rows before the error")
	}
	wantUsable(t, s)

	if _, err := s.conn.Exec(ctx, "begin").ReadAll(); err != nil {
		t.Fatal(err)
	}
	if _, err := copyOut(ctx, s.conn, s.cancel, sql, &w); !errors.As(err, &pe) {
		t.Fatalf("in a transaction: got %v, want 22012", err)
	}
	if st := s.conn.TxStatus(); st != 'E' {
		t.Errorf("transaction status %q after the failed COPY, want 'E'", st)
	}
	_, err = s.conn.Exec(ctx, "select 1").ReadAll()
	if !errors.As(err, &pe) || pe.Code != "25P02" || !strings.Contains(pe.Message, "aborted") {
		t.Errorf("next statement: got %v, want 25P02", err)
	}
	if _, err := s.conn.Exec(ctx, "rollback").ReadAll(); err != nil {
		t.Fatal(err)
	}
	wantUsable(t, s)
}
