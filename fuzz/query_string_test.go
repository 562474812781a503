//go:build duckdb_arrow

package fuzz

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/quiverdb/quiver/internal/quivertest"
	"github.com/quiverdb/quiver/internal/testenv"
)

// TestMalformedQueryString sends Query messages whose string is broken
// (no NUL terminator, an empty body, a NUL before the end) inside and
// outside transaction blocks, and requires quiver to answer as PostgreSQL
// 15 does, message by message: ERROR 08P01, ReadyForQuery with the right
// transaction status, and a session that goes on.
func TestMalformedQueryString(t *testing.T) {
	pg := testenv.PG(t)
	qs := quivertest.Start(t)
	pgDB := pg.CreateDB(t)
	q := func(sql string) []byte { return encode(&pgproto3.Query{String: sql}) }
	cases := []struct {
		name  string
		steps [][]byte
		// codesOnly compares severities and SQLSTATEs but not messages.
		codesOnly bool
	}{
		{name: "no terminator", steps: [][]byte{raw('Q', []byte("SELECT 1")), q("SELECT 2")}},
		{name: "empty body", steps: [][]byte{raw('Q', nil), q("SELECT 2")}},
		{name: "no terminator in a transaction block",
			steps: [][]byte{q("BEGIN"), raw('Q', []byte("SELECT 1")), q("SELECT 2"), q("ROLLBACK"), q("SELECT 3")}},
		{name: "no terminator in a failed block",
			steps: [][]byte{q("BEGIN"), q("SELECT * FROM no_such_table"), raw('Q', []byte("SELECT 1")), q("ROLLBACK")}},
		// PostgreSQL reads the string up to the first NUL and then finds
		// bytes left over: "invalid message format". pgproto3 rejects the
		// message without saying why, and quiver cannot tell the two
		// apart, so it says "invalid string in message" for both.
		{name: "NUL inside", codesOnly: true,
			steps: [][]byte{q("BEGIN"), raw('Q', []byte("SELECT 1\x00SELECT 2\x00")), q("ROLLBACK"), q("SELECT 3")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := transcript(t, fmt.Sprintf("%s:%d", pg.Host, pg.Port), "postgres", pgDB, tc.steps, tc.codesOnly)
			got := transcript(t, qs.Addr(), "me", "quiver", tc.steps, tc.codesOnly)
			if got != want {
				t.Errorf("quiver:\n%s\nPostgreSQL:\n%s", got, want)
			}
		})
	}
}

// transcript sends each step and reads up to its ReadyForQuery, and
// returns one line per error, command tag and ReadyForQuery.
func transcript(t *testing.T, addr, user, db string, steps [][]byte, codesOnly bool) string {
	t.Helper()
	c, f := dialStartup(t, addr, user, db, nil)
	defer c.Close()
	var lines []string
	for i := 0; i <= len(steps); i++ {
		if i > 0 {
			if _, err := c.Write(steps[i-1]); err != nil {
				t.Fatal(err)
			}
		}
		for {
			msg, err := f.Receive()
			if err != nil {
				lines = append(lines, fmt.Sprintf("closed after step %d: %v", i, err))
				return strings.Join(lines, "\n")
			}
			switch m := msg.(type) {
			case *pgproto3.ErrorResponse:
				line := m.Severity + " " + m.Code
				if !codesOnly {
					line += " " + m.Message
				}
				lines = append(lines, line)
			case *pgproto3.CommandComplete:
				lines = append(lines, string(m.CommandTag))
			case *pgproto3.ReadyForQuery:
				lines = append(lines, "ready "+string(m.TxStatus))
			default:
				continue
			}
			if _, ok := msg.(*pgproto3.ReadyForQuery); ok {
				break
			}
		}
	}
	return strings.Join(lines, "\n")
}
