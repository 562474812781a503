//go:build duckdb_arrow

package e2e

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// outcome is what a client sees for one Query message: each statement's
// columns, rows and tag, the error's SQLSTATE, and the transaction status.
type outcome struct {
	results []string
	errCode string
	tx      byte
}

func (o outcome) String() string {
	return fmt.Sprintf("results=%q err=%s tx=%c", o.results, o.errCode, o.tx)
}

func runSimple(t *testing.T, c *pgconn.PgConn, sql string) outcome {
	t.Helper()
	var o outcome
	mrr := c.Exec(context.Background(), sql)
	for mrr.NextResult() {
		rr := mrr.ResultReader()
		var b strings.Builder
		for _, f := range rr.FieldDescriptions() {
			b.WriteString(f.Name + ",")
		}
		b.WriteString("|")
		for rr.NextRow() {
			for _, v := range rr.Values() {
				if v == nil {
					b.WriteString("NULL;")
				} else {
					b.WriteString(string(v) + ";")
				}
			}
			b.WriteString("/")
		}
		tag, err := rr.Close()
		if err != nil {
			break
		}
		b.WriteString("|" + tag.String())
		o.results = append(o.results, b.String())
	}
	err := mrr.Close()
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		o.errCode = pe.Code
	} else if err != nil {
		t.Fatalf("%q: %v", sql, err)
	}
	o.tx = c.TxStatus()
	return o
}

// TestMultiStatementMatchesPostgres sends the same Query strings to
// PostgreSQL and to quiver and compares everything a client sees.
func TestMultiStatementMatchesPostgres(t *testing.T) {
	pc, qc := connectBoth(t)

	steps := []string{
		"create table m (i int, s text); insert into m values (1, 'a'), (2, 'b'); select * from m order by i",
		"update m set s = 'c' where i = 2; delete from m where i = 1; select count(*) from m",
		// An error in the middle stops the rest and rolls back the whole string.
		"insert into m values (3, 'x'); select * from missing_table; insert into m values (4, 'y')",
		"select count(*) from m",
		"create table e1 (i int); insert into e1 values (1); select * from missing_table",
		"select count(*) from e1",
		// Explicit transaction control inside the string.
		"begin; insert into m values (5, 'z'); commit; insert into m values (6, 'w'); select * from missing_table",
		"select i from m order by i",
		// A failed explicit block: E until ROLLBACK, 25P02 in between.
		"begin; insert into m values (7, 'q')",
		"select * from missing_table",
		"select 1",
		"rollback",
		"select i from m order by i",
		"begin; select 1; commit; begin",
		"select 1; commit",
		"commit",
		"rollback",
		"begin",
		"begin",
		"commit",
		"select 7 / 2, -7 / 2, 7 % 3, 1 / 0",
		"select i / (i - 1) from m order by i",
		"select 5 % (select count(*) - count(*) from m)",
		"drop table m; drop table if exists e1",
		"",
		" ; ",
		"-- only a comment",
		"select 1 as a; ; select 2 as b",
	}
	compareSteps(t, pc, qc, steps)
}

// compareSteps sends each Query string to PostgreSQL and to quiver in turn
// and reports every difference a client would see.
func compareSteps(t *testing.T, pc, qc *pgconn.PgConn, steps []string) {
	t.Helper()
	for _, sql := range steps {
		want := runSimple(t, pc, sql)
		got := runSimple(t, qc, sql)
		if got.String() != want.String() {
			t.Errorf("%q\n PostgreSQL: %s\n quiver:     %s", sql, want, got)
		}
	}
}

// TestBackendPID checks that pg_backend_pid() is the process id the client
// got in BackendKeyData, which clients use to find their own session (in
// pg_stat_activity, or to cancel it with another connection).
func TestBackendPID(t *testing.T) {
	_, qc := connectBoth(t)
	res, err := qc.Exec(context.Background(), "select pg_backend_pid(), (select count(*) from pg_stat_activity where pid = pg_backend_pid())").ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprint(qc.PID())
	if got := string(res[0].Rows[0][0]); got != want || string(res[0].Rows[0][1]) != "1" {
		t.Fatalf("pg_backend_pid() = %s (pg_stat_activity rows %s), BackendKeyData pid %s", got, res[0].Rows[0][1], want)
	}
}

// exchange sends frontend messages (the caller ends them with Sync) and
// renders every message the server answers with, up to ReadyForQuery, one
// per line, for comparing two servers.
func exchange(t *testing.T, c *pgconn.PgConn, msgs ...pgproto3.FrontendMessage) string {
	t.Helper()
	for _, m := range msgs {
		c.Frontend().Send(m)
	}
	if err := c.Frontend().Flush(); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for {
		msg, err := c.ReceiveMessage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		switch m := msg.(type) {
		case *pgproto3.RowDescription:
			for _, f := range m.Fields {
				fmt.Fprintf(&b, "describe %s %d %d\n", f.Name, f.DataTypeOID, f.Format)
			}
		case *pgproto3.DataRow:
			fmt.Fprintf(&b, "row %q\n", m.Values)
		case *pgproto3.CommandComplete:
			fmt.Fprintf(&b, "tag %s\n", m.CommandTag)
		case *pgproto3.ErrorResponse:
			fmt.Fprintf(&b, "error %s\n", m.Code)
		case *pgproto3.ReadyForQuery:
			fmt.Fprintf(&b, "ready %c\n", m.TxStatus)
			return b.String()
		default:
			fmt.Fprintf(&b, "%T\n", m)
		}
	}
}
