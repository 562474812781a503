package server

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/quiverdb/quiver/handshake"
	"github.com/quiverdb/quiver/pgerror"
)

func TestPgconnConnects(t *testing.T) {
	st := start(t, nil)
	ctx := context.Background()
	a, err := pgconn.Connect(ctx, st.url("me")+"&application_name=test&timezone=Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(ctx)
	b, err := pgconn.Connect(ctx, st.url("you"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close(ctx)
	for name, want := range map[string]string{
		"server_version": "15.0", "application_name": "test", "TimeZone": "Europe/Paris",
		"session_authorization": "me", "client_encoding": "UTF8", "DateStyle": "ISO, MDY",
	} {
		if got := a.ParameterStatus(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if a.PID() == 0 || b.PID() == 0 || a.PID() == b.PID() || len(a.SecretKey()) != 4 {
		t.Errorf("process IDs %d and %d, secret %x", a.PID(), b.PID(), a.SecretKey())
	}
	if _, err := a.Exec(ctx, "").ReadAll(); err != nil {
		t.Fatal(err)
	}
	// pgx on top of pgconn, with its Ping.
	p, err := pgx.Connect(ctx, st.url("me"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(ctx)
	if err := p.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(st.log.String(), `"message":"listening"`) {
		t.Errorf("the bound address was not logged: %s", st.log)
	}
}

func TestPsqlConnects(t *testing.T) {
	st := start(t, nil)
	_, port, _ := net.SplitHostPort(st.addr)
	out, err := exec.Command("psql", "-X", "-w", "-h", "127.0.0.1", "-p", port, "-U", "me", "-c", "").CombinedOutput()
	if err != nil {
		t.Fatalf("psql: %v\n%s", err, out)
	}
	// psql's default sslmode=prefer sends an SSLRequest first.
	out, err = exec.Command("psql", "-X", "-w", "-d", "host=127.0.0.1 port="+port+" user=me sslmode=require", "-c", "").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "does not support SSL") {
		t.Fatalf("psql sslmode=require: %v\n%s", err, out)
	}
}

func TestPanicIsContained(t *testing.T) {
	st := start(t, nil)
	ctx := context.Background()
	c, err := pgconn.Connect(ctx, st.url("me"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Exec(ctx, "panic").ReadAll()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Severity != "FATAL" || pe.Code != pgerror.InternalError || !strings.Contains(pe.Message, "internal error") {
		t.Fatalf("got %v, want FATAL XX000", err)
	}
	waitFor(t, "the connection to close", func() bool { return c.IsClosed() || st.connCount() == 0 })
	logs := st.log.String()
	if !strings.Contains(logs, "session panicked") || !strings.Contains(logs, "boom") || !strings.Contains(logs, "runtime/debug.Stack") {
		t.Errorf("the panic and its stack were not logged:\n%s", logs)
	}
	// The server goes on.
	c2, err := pgconn.Connect(ctx, st.url("me"))
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close(ctx)
	if _, err := c2.Exec(ctx, "").ReadAll(); err != nil {
		t.Fatal(err)
	}
}

func cancelPacket(pid, secret uint32) []byte {
	b := binary.BigEndian.AppendUint32([]byte{0, 0, 0, 16}, 80877102)
	b = binary.BigEndian.AppendUint32(b, pid)
	return binary.BigEndian.AppendUint32(b, secret)
}

func TestCancelRequestRouting(t *testing.T) {
	st := start(t, nil)
	ctx := context.Background()
	victim, err := pgconn.Connect(ctx, st.url("me"))
	if err != nil {
		t.Fatal(err)
	}
	defer victim.Close(ctx)
	bystander, err := pgconn.Connect(ctx, st.url("me"))
	if err != nil {
		t.Fatal(err)
	}
	defer bystander.Close(ctx)

	sendCancel := func(pid, secret uint32) {
		c, err := net.Dial("tcp", st.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Write(cancelPacket(pid, secret)); err != nil {
			t.Fatal(err)
		}
		// The server closes a cancel connection without a reply.
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if n, err := c.Read(make([]byte, 1)); n != 0 || !handshake.IsDisconnect(err) {
			t.Fatalf("cancel connection answered %d bytes, %v", n, err)
		}
	}

	done := make(chan error, 2)
	go func() { _, err := victim.Exec(ctx, "sleep 20s").ReadAll(); done <- err }()
	go func() { _, err := bystander.Exec(ctx, "sleep 600ms").ReadAll(); done <- err }()
	waitFor(t, "both statements to run", func() bool { return st.handler.sleeping.Load() == 2 })

	secret := binary.BigEndian.Uint32(victim.SecretKey())
	sendCancel(victim.PID(), secret+1) // wrong secret: ignored
	sendCancel(victim.PID()+1000, secret)
	time.Sleep(50 * time.Millisecond)
	if n := st.handler.cancels.Load(); n != 0 {
		t.Fatalf("%d statements cancelled by wrong keys", n)
	}
	// The real client's own cancel path.
	if err := victim.CancelRequest(ctx); err != nil {
		t.Fatal(err)
	}
	var pe *pgconn.PgError
	if err := <-done; !errors.As(err, &pe) || pe.Code != pgerror.QueryCanceled {
		t.Fatalf("victim got %v, want 57014", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("bystander's statement: %v", err)
	}
	if n := st.handler.cancels.Load(); n != 1 {
		t.Fatalf("%d statements cancelled, want 1", n)
	}
}

// rawSession opens a session by hand and reads up to its first
// ReadyForQuery, so that the test can see every message after it.
func rawSession(t *testing.T, addr string) (net.Conn, *pgproto3.Frontend) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	f := pgproto3.NewFrontend(c, c)
	f.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "me"}})
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	for {
		m, err := f.Receive()
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := m.(*pgproto3.ReadyForQuery); ok {
			return c, f
		}
	}
}

// receiveUntilClose returns the messages received until the server closes
// the connection.
func receiveUntilClose(t *testing.T, f *pgproto3.Frontend) []pgproto3.BackendMessage {
	t.Helper()
	var msgs []pgproto3.BackendMessage
	for {
		m, err := f.Receive()
		if err != nil {
			if !handshake.IsDisconnect(err) {
				t.Fatalf("after %d messages: %v", len(msgs), err)
			}
			return msgs
		}
		switch m := m.(type) { // copy what the next Receive would overwrite
		case *pgproto3.ErrorResponse:
			e := *m
			msgs = append(msgs, &e)
		case *pgproto3.CommandComplete:
			msgs = append(msgs, &pgproto3.CommandComplete{CommandTag: slices.Clone(m.CommandTag)})
		default:
			msgs = append(msgs, m)
		}
	}
}

func isAdminShutdown(m pgproto3.BackendMessage) bool {
	e, ok := m.(*pgproto3.ErrorResponse)
	return ok && e.Severity == "FATAL" && e.Code == pgerror.AdminShutdown &&
		e.Message == "terminating connection due to administrator command"
}

func TestShutdownIdleAndActive(t *testing.T) {
	st := start(t, nil)
	_, idle := rawSession(t, st.addr)
	_, active := rawSession(t, st.addr)
	active.Send(&pgproto3.Query{String: "sleep 400ms"})
	if err := active.Flush(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the statement to start", func() bool { return st.handler.sleeping.Load() == 1 })

	shutdown := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shutdown <- st.Shutdown(ctx)
	}()
	// The idle session is told and closed at once.
	if msgs := receiveUntilClose(t, idle); len(msgs) != 1 || !isAdminShutdown(msgs[0]) {
		t.Fatalf("idle session got %#v, want only FATAL 57P01", msgs)
	}
	// New connections are refused while the active session finishes.
	if c, err := net.Dial("tcp", st.addr); err == nil {
		c.Close()
		t.Fatal("a connection was accepted during shutdown")
	}
	select {
	case err := <-shutdown:
		t.Fatalf("Shutdown returned %v before the active statement ended", err)
	default:
	}
	// The active session finishes its statement, then is closed.
	msgs := receiveUntilClose(t, active)
	if len(msgs) != 3 || string(msgs[0].(*pgproto3.CommandComplete).CommandTag) != "SLEEP" || !isAdminShutdown(msgs[2]) {
		t.Fatalf("active session got %#v, want CommandComplete, ReadyForQuery, FATAL 57P01", msgs)
	}
	if err := <-shutdown; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := <-st.served; !isServerClosed(err) {
		t.Fatalf("Serve returned %v", err)
	}
	if _, err := st.Listen(); !isServerClosed(err) {
		t.Fatalf("Listen after Shutdown: %v", err)
	}
}

func TestShutdownDeadline(t *testing.T) {
	st := start(t, nil)
	conn, active := rawSession(t, st.addr)
	active.Send(&pgproto3.Query{String: "sleep 1h"})
	if err := active.Flush(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the statement to start", func() bool { return st.handler.sleeping.Load() == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := st.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown returned %v, want the deadline", err)
	}
	cause := <-st.handler.ctxCause
	var pe *pgerror.Error
	if !errors.As(cause, &pe) || pe.Code != pgerror.AdminShutdown || !pe.IsFatal() {
		t.Fatalf("session context cause %v, want FATAL 57P01", cause)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadAll(conn); err != nil && !handshake.IsDisconnect(err) {
		t.Fatalf("the active connection was not closed: %v", err)
	}
	waitFor(t, "the session to end", func() bool { return st.connCount() == 0 })
}

func TestShutdownDuringHandshake(t *testing.T) {
	st := start(t, nil)
	c, err := net.Dial("tcp", st.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	waitFor(t, "the connection to be tracked", func() bool { return st.connCount() == 1 })
	if err := st.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	f := pgproto3.NewFrontend(c, c)
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	m, err := f.Receive()
	e, ok := m.(*pgproto3.ErrorResponse)
	if err != nil || !ok || e.Code != pgerror.CannotConnectNow || e.Severity != "FATAL" {
		t.Fatalf("got %#v, %v; want FATAL 57P03", m, err)
	}
}

func TestCloseCancelsSessions(t *testing.T) {
	st := start(t, nil)
	_, idle := rawSession(t, st.addr)
	_, active := rawSession(t, st.addr)
	active.Send(&pgproto3.Query{String: "sleep 1h"})
	if err := active.Flush(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the statement to start", func() bool { return st.handler.sleeping.Load() == 1 })
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if cause := <-st.handler.ctxCause; pgerror.Code(cause) != pgerror.AdminShutdown {
		t.Fatalf("session context cause %v", cause)
	}
	if msgs := receiveUntilClose(t, idle); len(msgs) != 1 || !isAdminShutdown(msgs[0]) {
		t.Fatalf("idle session got %#v", msgs)
	}
	receiveUntilClose(t, active)
	if err := <-st.served; !isServerClosed(err) {
		t.Fatalf("Serve returned %v", err)
	}
	waitFor(t, "the sessions to end", func() bool { return st.connCount() == 0 })
}

func TestConnStates(t *testing.T) {
	var mu sync.Mutex
	var states []ConnState
	st := start(t, func(c *Config) {
		c.ConnState = func(_ *Conn, s ConnState) {
			mu.Lock()
			defer mu.Unlock()
			states = append(states, s)
		}
	})
	ctx := context.Background()
	c, err := pgconn.Connect(ctx, st.url("me"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, "").ReadAll(); err != nil {
		t.Fatal(err)
	}
	c.Close(ctx)
	waitFor(t, "the session to end", func() bool { return st.connCount() == 0 })
	mu.Lock()
	defer mu.Unlock()
	want := []ConnState{StateNew, StateActive, StateIdle, StateActive, StateIdle, StateActive, StateClosed}
	if !slices.Equal(states, want) {
		t.Fatalf("states %v, want %v", states, want)
	}
}

func TestProcessIDs(t *testing.T) {
	s := New(Config{MaxConns: 0})
	s.lastPID = 1<<31 - 2
	s.sessions[1] = &Conn{}
	var got []uint32
	for range 3 {
		c := &Conn{}
		if err := s.admit(c); err != nil {
			t.Fatal(err)
		}
		got = append(got, c.Key().ProcessID)
	}
	if want := []uint32{1<<31 - 1, 2, 3}; !slices.Equal(got, want) {
		t.Fatalf("process IDs %v, want %v (wrapping past the int32 range, skipping 0 and used IDs)", got, want)
	}
}

// tempError is a temporary accept error, as EMFILE is.
type tempError struct{}

func (tempError) Error() string   { return "too many open files" }
func (tempError) Timeout() bool   { return false }
func (tempError) Temporary() bool { return true }

// failingListener fails every Accept with a temporary error until closed.
type failingListener struct {
	closed chan struct{}
	once   sync.Once
}

func (l *failingListener) Accept() (net.Conn, error) {
	select {
	case <-l.closed:
		return nil, net.ErrClosed
	default:
		return nil, tempError{}
	}
}

func (l *failingListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *failingListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

func TestAcceptBackoff(t *testing.T) {
	s := New(Config{})
	l := &failingListener{closed: make(chan struct{})}
	s.listener = l
	var delays []time.Duration
	s.testHookBackoff = func(d time.Duration) {
		delays = append(delays, d)
		if len(delays) == 10 {
			go s.Close()
			<-l.closed
		}
	}
	if err := s.serve(l); !isServerClosed(err) {
		t.Fatalf("serve returned %v", err)
	}
	ms := time.Millisecond
	want := []time.Duration{5 * ms, 10 * ms, 20 * ms, 40 * ms, 80 * ms, 160 * ms, 320 * ms, 640 * ms, time.Second, time.Second}
	if !slices.Equal(delays, want) {
		t.Fatalf("delays %v, want %v", delays, want)
	}
}

// TestAcceptErrorEndsServe checks that a permanent accept error is returned.
func TestAcceptErrorEndsServe(t *testing.T) {
	s := New(Config{})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	if err := s.serve(l); err == nil || isServerClosed(err) {
		t.Fatalf("serve on a closed listener returned %v", err)
	}
}
