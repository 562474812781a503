//go:build duckdb_arrow

package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/quiverdb/quiver/internal/quivertest"
	"github.com/quiverdb/quiver/internal/testenv"
)

// idleTimeout is the timeout the idle tests set: long enough that the
// exchanges before it never trip it on a loaded machine, short enough to
// wait for.
const idleTimeout = 300 * time.Millisecond

// wireClient is a raw protocol client, for watching what a server sends on
// its own while the client is silent.
type wireClient struct {
	t    *testing.T
	conn net.Conn
	f    *pgproto3.Frontend
}

// dialWire connects and runs the startup exchange (trust authentication),
// with params added to the startup packet.
func dialWire(t *testing.T, addr, user, db string, params map[string]string) *wireClient {
	t.Helper()
	conn := dialRaw(t, addr)
	w := &wireClient{t: t, conn: conn, f: pgproto3.NewFrontend(conn, conn)}
	p := map[string]string{"user": user, "database": db}
	for k, v := range params {
		p[k] = v
	}
	w.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: p})
	if status, errs := w.untilReady(); len(errs) > 0 || status != 'I' {
		t.Fatalf("startup: status %c, errors %v", status, errs)
	}
	return w
}

// dialRaw connects to addr; the connection closes when the test ends.
func dialRaw(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(time.Minute))
	return conn
}

func (w *wireClient) send(msgs ...pgproto3.FrontendMessage) {
	w.t.Helper()
	for _, m := range msgs {
		w.f.Send(m)
	}
	if err := w.f.Flush(); err != nil {
		w.t.Fatal(err)
	}
}

// untilReady reads up to ReadyForQuery and returns its status and the
// errors before it.
func (w *wireClient) untilReady() (byte, []pgproto3.ErrorResponse) {
	w.t.Helper()
	var errs []pgproto3.ErrorResponse
	_ = w.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		msg, err := w.f.Receive()
		if err != nil {
			w.t.Fatalf("waiting for ReadyForQuery: %v (errors so far %v)", err, errs)
		}
		switch m := msg.(type) {
		case *pgproto3.ErrorResponse:
			errs = append(errs, *m)
		case *pgproto3.ReadyForQuery:
			return m.TxStatus, errs
		}
	}
}

// query runs sql with the simple protocol and returns the status.
func (w *wireClient) query(sql string) (byte, []pgproto3.ErrorResponse) {
	w.t.Helper()
	w.send(&pgproto3.Query{String: sql})
	return w.untilReady()
}

// waitClosed waits up to limit for the server to end the session on its
// own. It returns the last ErrorResponse sent, whether the connection was
// then closed, and how long it took; a nil error and false mean nothing
// came within limit.
func (w *wireClient) waitClosed(limit time.Duration) (*pgproto3.ErrorResponse, bool, time.Duration) {
	w.t.Helper()
	start := time.Now()
	_ = w.conn.SetReadDeadline(start.Add(limit))
	var last *pgproto3.ErrorResponse
	for {
		msg, err := w.f.Receive()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return last, false, time.Since(start)
			}
			return last, true, time.Since(start)
		}
		switch m := msg.(type) {
		case *pgproto3.ErrorResponse:
			e := *m
			last = &e
		default:
			w.t.Fatalf("unexpected %T while idle", msg)
		}
	}
}

// errorLine is an ErrorResponse as the tests compare it.
func errorLine(e *pgproto3.ErrorResponse) string {
	if e == nil {
		return "no error"
	}
	return fmt.Sprintf("%s/%s %s: %s", e.Severity, e.SeverityUnlocalized, e.Code, e.Message)
}

// idleCase is one way of leaving a session idle.
type idleCase struct {
	name   string
	params map[string]string // startup packet settings
	setup  []string          // run first, each with the simple protocol
	status byte              // the ReadyForQuery status the session idles in
	fires  bool              // whether the session must end
}

var idleCases = []idleCase{
	{name: "idle_session_timeout by SET", setup: []string{"SET idle_session_timeout = 300"}, status: 'I', fires: true},
	{name: "idle_session_timeout as a startup parameter", params: map[string]string{"idle_session_timeout": "300ms"}, status: 'I', fires: true},
	{name: "idle_in_transaction_session_timeout in a block",
		setup: []string{"BEGIN", "SET idle_in_transaction_session_timeout = '300ms'"}, status: 'T', fires: true},
	{name: "idle_in_transaction_session_timeout in a failed block by -c",
		params: map[string]string{"options": "-c idle_in_transaction_session_timeout=0.3s"},
		setup:  []string{"BEGIN", "SELECT * FROM no_such_table"}, status: 'E', fires: true},
	{name: "idle_in_transaction_session_timeout does not apply outside a block",
		setup: []string{"SET idle_in_transaction_session_timeout = 300"}, status: 'I'},
	{name: "idle_session_timeout does not apply inside a block",
		setup: []string{"SET idle_session_timeout = 300", "BEGIN"}, status: 'T'},
	{name: "idle_session_timeout after COMMIT",
		setup: []string{"BEGIN", "SET idle_session_timeout = 300", "SET idle_in_transaction_session_timeout = 0", "COMMIT"}, status: 'I', fires: true},
	{name: "timeouts off again", setup: []string{"SET idle_session_timeout = 300", "SET idle_session_timeout = 0"}, status: 'I'},
}

// TestIdleTimeouts leaves sessions idle on PostgreSQL 15 and on quiver in
// each way of idleCases: where PostgreSQL ends the session, quiver must send
// the same FATAL error (severity, SQLSTATE, message) after the timeout and
// close; where it does not, the session must still work.
func TestIdleTimeouts(t *testing.T) {
	pg, q := servers(t)
	pgDB := pg.CreateDB(t)
	pgAddr := fmt.Sprintf("%s:%d", pg.Host, pg.Port)
	for _, tc := range idleCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			want := idleOutcome(t, dialWire(t, pgAddr, "postgres", pgDB, tc.params), tc)
			got := idleOutcome(t, dialWire(t, q.Addr(), "me", "quiver", tc.params), tc)
			if got != want {
				t.Errorf("quiver: %s\nPostgreSQL: %s", got, want)
			}
		})
	}
}

// idleOutcome runs tc's setup on w, waits idle, and describes what
// happened; it checks the timing itself.
func idleOutcome(t *testing.T, w *wireClient, tc idleCase) string {
	t.Helper()
	var status byte = 'I'
	for _, sql := range tc.setup {
		status, _ = w.query(sql)
	}
	if status != tc.status {
		t.Fatalf("status %c after the setup, want %c", status, tc.status)
	}
	limit := idleTimeout + 3*time.Second
	if !tc.fires {
		limit = 3 * idleTimeout
	}
	e, closed, took := w.waitClosed(limit)
	if !tc.fires {
		if e != nil || closed {
			return fmt.Sprintf("ended unexpectedly: %s, closed %v", errorLine(e), closed)
		}
		if st, errs := w.query("SELECT 1"); len(errs) > 0 || st != tc.status {
			return fmt.Sprintf("unusable after idling: %c %v", st, errs)
		}
		return "still open and usable"
	}
	if took < idleTimeout-50*time.Millisecond {
		t.Errorf("the session ended after %v, before its %v timeout", took, idleTimeout)
	}
	return fmt.Sprintf("%s, closed %v", errorLine(e), closed)
}

// TestIdleTimeoutNotWhileBusy: neither timeout counts time that is not
// idle. A client that keeps sending queries, one that pauses within COPY
// FROM, and one that pauses within an extended-protocol batch before Sync
// all outlast the timeout on PostgreSQL, and must on quiver.
func TestIdleTimeoutNotWhileBusy(t *testing.T) {
	pg, q := servers(t)
	pgDB := pg.CreateDB(t)
	pgAddr := fmt.Sprintf("%s:%d", pg.Host, pg.Port)
	pause := 2 * idleTimeout
	set := map[string]string{"options": "-c idle_session_timeout=300 -c idle_in_transaction_session_timeout=300"}
	for _, side := range []struct{ name, addr, user, db string }{
		{"PostgreSQL", pgAddr, "postgres", pgDB},
		{"quiver", q.Addr(), "me", "quiver"},
	} {
		t.Run(side.name, func(t *testing.T) {
			w := dialWire(t, side.addr, side.user, side.db, set)
			for i := 0; i < 6; i++ {
				time.Sleep(idleTimeout / 2)
				if st, errs := w.query("SELECT 1"); len(errs) > 0 || st != 'I' {
					t.Fatalf("query %d: %c %v", i, st, errs)
				}
			}
			w.query("DROP TABLE IF EXISTS idle_copy")
			w.query("CREATE TABLE idle_copy(a int, b text)")
			w.send(&pgproto3.Query{String: "COPY idle_copy FROM STDIN"})
			readUntil[*pgproto3.CopyInResponse](t, w)
			w.send(&pgproto3.CopyData{Data: []byte("1\tone\n")})
			time.Sleep(pause)
			w.send(&pgproto3.CopyData{Data: []byte("2\ttwo\n")}, &pgproto3.CopyDone{})
			if cc := readUntil[*pgproto3.CommandComplete](t, w); string(cc.CommandTag) != "COPY 2" {
				t.Fatalf("COPY: %s", cc.CommandTag)
			}
			if st, errs := w.untilReady(); st != 'I' || len(errs) > 0 {
				t.Fatalf("after COPY: %c %v", st, errs)
			}
			w.send(&pgproto3.Parse{Query: "SELECT count(*) FROM idle_copy"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Flush{})
			if cc := readUntil[*pgproto3.CommandComplete](t, w); string(cc.CommandTag) != "SELECT 1" {
				t.Fatalf("Execute: %s", cc.CommandTag)
			}
			time.Sleep(pause)
			w.send(&pgproto3.Sync{})
			if st, errs := w.untilReady(); st != 'I' || len(errs) > 0 {
				t.Fatalf("after Sync: %c %v", st, errs)
			}
			// And now, idle, it does end.
			if e, closed, _ := w.waitClosed(idleTimeout + 3*time.Second); e == nil || e.Code != "57P05" || !closed {
				t.Fatalf("idle after all that: %s, closed %v", errorLine(e), closed)
			}
		})
	}
}

// readUntil reads messages until one of type M, failing on an error.
func readUntil[M pgproto3.BackendMessage](t *testing.T, w *wireClient) M {
	t.Helper()
	_ = w.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		msg, err := w.f.Receive()
		if err != nil {
			t.Fatal(err)
		}
		switch m := msg.(type) {
		case M:
			return m
		case *pgproto3.ErrorResponse:
			t.Fatalf("%s: %s", m.Code, m.Message)
		}
	}
}

// TestIdleTimeoutServerDefault: a server-wide default (quiver's
// --idle-session-timeout, here through quivertest; on PostgreSQL a
// database-level setting) is what SHOW reports and RESET restores, and it
// ends idle sessions.
func TestIdleTimeoutServerDefault(t *testing.T) {
	pg := testenv.PG(t)
	pgDB := pg.CreateDB(t)
	pc := pg.Connect(t, pgDB)
	ctx := context.Background()
	if _, err := pc.Exec(ctx, "ALTER DATABASE "+pgDB+" SET idle_session_timeout = '300ms'; ALTER DATABASE "+pgDB+" SET idle_in_transaction_session_timeout = '1min'").ReadAll(); err != nil {
		t.Fatal(err)
	}
	q := quivertest.Start(t, quivertest.Options{IdleSessionTimeout: idleTimeout, IdleInTransactionSessionTimeout: time.Minute})
	const script = "SHOW idle_session_timeout; SHOW idle_in_transaction_session_timeout; " +
		"SET idle_session_timeout = 0; SHOW idle_session_timeout; RESET idle_session_timeout; SHOW idle_session_timeout; " +
		"SET idle_in_transaction_session_timeout = 5; RESET ALL; SHOW idle_in_transaction_session_timeout"
	outcome := func(addr, user, db string) string {
		w := dialWire(t, addr, user, db, nil)
		w.send(&pgproto3.Query{String: script})
		var shown []string
		_ = w.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	read:
		for {
			msg, err := w.f.Receive()
			if err != nil {
				t.Fatal(err)
			}
			switch m := msg.(type) {
			case *pgproto3.DataRow:
				shown = append(shown, string(m.Values[0]))
			case *pgproto3.ErrorResponse:
				t.Fatalf("%s: %s", m.Code, m.Message)
			case *pgproto3.ReadyForQuery:
				break read
			}
		}
		e, closed, _ := w.waitClosed(idleTimeout + 3*time.Second)
		return fmt.Sprintf("SHOW %v; %s, closed %v", shown, errorLine(e), closed)
	}
	want := outcome(fmt.Sprintf("%s:%d", pg.Host, pg.Port), "postgres", pgDB)
	got := outcome(q.Addr(), "me", "quiver")
	if got != want {
		t.Errorf("quiver: %s\nPostgreSQL: %s", got, want)
	}
}

// TestTimeoutSettingValues sets the millisecond settings to values in every
// syntax PostgreSQL accepts or rejects, and requires quiver to store and
// SHOW the same value, or give the same error, as PostgreSQL 15.
func TestTimeoutSettingValues(t *testing.T) {
	pc, qc := connectBoth(t)
	ctx := context.Background()
	values := []string{
		"0", "1500", "1.5", "-1", "'1500'", "'2s'", "'1.5s'", "'1min'", "'90s'", "'3600000'", "'1 h'",
		"' 5 s '", "'100us'", "'1500us'", "'2500us'", "'1.5'", "'0x10'", "'010'", "'08'", "'abc'", "'5 parsecs'",
		"'1 s x'", "'1e3'", "'2.5e1s'", "'2147483647'", "'2147483648'", "'1d'", "'25d'", "'.5s'", "'5S'",
		"'-5s'", "''", "'+7ms'", "'0.4'", "'0.5'", "'1.5min'", "default",
	}
	for _, name := range []string{"statement_timeout", "idle_session_timeout", "idle_in_transaction_session_timeout", "lock_timeout"} {
		for _, v := range values {
			// One Query, so that a tiny idle timeout cannot end the
			// session before RESET.
			sql := fmt.Sprintf("SET %s = %s; SHOW %s; RESET %s", name, v, name, name)
			run := func(c *pgconn.PgConn) string {
				res, err := c.Exec(ctx, sql).ReadAll()
				if err != nil {
					var pe *pgconn.PgError
					if !errors.As(err, &pe) {
						t.Fatalf("%s: %v", sql, err)
					}
					return fmt.Sprintf("%s %s: %s (hint %q)", pe.Severity, pe.Code, pe.Message, pe.Hint)
				}
				return string(res[1].Rows[0][0])
			}
			if want, got := run(pc), run(qc); got != want {
				t.Errorf("%s: quiver %s, PostgreSQL %s", sql, got, want)
			}
		}
	}
}
