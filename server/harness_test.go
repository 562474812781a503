package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/quiverdb/quiver/handshake"
	"github.com/quiverdb/quiver/internal/testenv"
	"github.com/quiverdb/quiver/pgerror"
	"github.com/rs/zerolog"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// fakeHandler is a minimal session: it greets the client as the session
// layer will, answers every Query with EmptyQueryResponse, and knows a few
// test queries:
//
//	panic       panics
//	sleep D     waits for duration D, a cancel request (57014), or ctx
type fakeHandler struct {
	cancels  atomic.Int32 // statements ended by a cancel request
	sleeping atomic.Int32 // sleep statements running, their OnCancel set
	ctxCause chan error   // receives context.Cause when ctx ends a sleep
}

func newFakeHandler() *fakeHandler { return &fakeHandler{ctxCause: make(chan error, 16)} }

func (h *fakeHandler) ServeConn(ctx context.Context, c *Conn) error {
	nc := c.NetConn()
	be := pgproto3.NewBackend(nc, nc)
	for _, p := range handshake.ParameterStatuses(c.Startup(), handshake.DefaultServerVersion) {
		be.Send(&pgproto3.ParameterStatus{Name: p[0], Value: p[1]})
	}
	be.Send(c.Key().BackendKeyData())
	for {
		be.Send(&pgproto3.ReadyForQuery{TxStatus: 'I'})
		if err := be.Flush(); err != nil {
			return err
		}
		c.SetIdle()
		msg, err := be.Receive()
		if err != nil {
			return err
		}
		if !c.SetActive() {
			return nil
		}
		switch m := msg.(type) {
		case *pgproto3.Terminate:
			return nil
		case *pgproto3.Query:
			if err := h.query(ctx, c, be, m.String); err != nil {
				return err
			}
		default:
			return fmt.Errorf("fake handler got %T", msg)
		}
	}
}

func (h *fakeHandler) query(ctx context.Context, c *Conn, be *pgproto3.Backend, q string) error {
	switch {
	case q == "panic":
		panic("boom: the fake handler was told to panic")
	case strings.HasPrefix(q, "sleep "):
		d, err := time.ParseDuration(strings.TrimPrefix(q, "sleep "))
		if err != nil {
			return err
		}
		stmt, cancel := context.WithCancel(ctx)
		defer cancel()
		c.OnCancel(cancel)
		defer c.OnCancel(nil)
		h.sleeping.Add(1)
		defer h.sleeping.Add(-1)
		select {
		case <-time.After(d):
			be.Send(&pgproto3.CommandComplete{CommandTag: []byte("SLEEP")})
		case <-stmt.Done(): // ctx's end ends stmt too
			if ctx.Err() != nil {
				h.ctxCause <- context.Cause(ctx)
				return context.Cause(ctx)
			}
			h.cancels.Add(1)
			be.Send(handshake.ErrorResponse(pgerror.New(pgerror.QueryCanceled, "canceling statement due to user request")))
		}
	default:
		be.Send(&pgproto3.EmptyQueryResponse{})
	}
	return nil
}

// logBuffer collects a server's log for assertions.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// started is a running test server.
type started struct {
	*Server
	addr    string
	handler *fakeHandler
	log     *logBuffer
	served  chan error // Serve's result
}

// start runs a server with a fakeHandler on a free loopback port; edit
// adjusts its Config. The server is closed when the test ends.
func start(t *testing.T, edit func(*Config)) *started {
	t.Helper()
	h := newFakeHandler()
	logs := &logBuffer{}
	cfg := Config{
		Addr:      "127.0.0.1:0",
		Handler:   h,
		Handshake: &handshake.Config{StartupTimeout: 10 * time.Second},
		Logger:    zerolog.New(logs).Level(zerolog.DebugLevel),
	}
	if edit != nil {
		edit(&cfg)
	}
	s := New(cfg)
	addr, err := s.Listen()
	if err != nil {
		t.Fatal(err)
	}
	st := &started{Server: s, addr: addr.String(), handler: h, log: logs, served: make(chan error, 1)}
	go func() { st.served <- s.Serve() }()
	t.Cleanup(func() { s.Close() })
	return st
}

func (st *started) url(user string) string {
	return "postgres://" + user + "@" + st.addr + "/db?sslmode=disable"
}

// waitFor polls cond for up to 10 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (s *Server) sessionCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

func (s *Server) connCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

func isServerClosed(err error) bool { return errors.Is(err, ErrServerClosed) }
