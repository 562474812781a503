// Package server accepts PostgreSQL wire-protocol connections, runs their
// handshake (package handshake) and hands each session to a Handler on its
// own goroutine. Its shape follows Go's net/http server: a Config, Serve with
// back-off on temporary accept errors, Shutdown that closes idle connections
// and waits for active ones, Close, and connection states kept in an atomic.
//
// For PostgreSQL, "idle" means ReadyForQuery was sent and the session waits
// for the client's next message. At Shutdown idle sessions get FATAL 57P01
// "terminating connection due to administrator command", as PostgreSQL's fast
// shutdown sends them; connections still in their handshake get FATAL 57P03
// "the database system is shutting down".
package server

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/quiverdb/quiver/handshake"
	"github.com/quiverdb/quiver/pgerror"
	"github.com/rs/zerolog"
)

// DefaultAddr is where a Server listens when Config.Addr is empty.
const DefaultAddr = "127.0.0.1:5433"

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown or
// Close, and by Listen once the server is closed.
var ErrServerClosed = errors.New("server: Server closed")

// Config configures a Server.
type Config struct {
	// Addr is the TCP address to listen on, "host:port"; port 0 picks a
	// free port (Listen returns it). "" means DefaultAddr.
	Addr string
	// MaxConns caps the number of sessions. A client beyond it gets FATAL
	// 53300 "sorry, too many clients already" after its startup packet, as
	// PostgreSQL answers past max_connections. 0 means no cap. Connections
	// still in their handshake and cancel requests do not count.
	MaxConns int
	// Handshake configures the handshake: TLS, authentication, limits. nil
	// means its defaults (trust, no TLS).
	Handshake *handshake.Config
	// Handler runs each session after the handshake. It is required.
	Handler Handler
	// Logger receives the server's log; each session logs to a sub-logger
	// (see Conn.Logger). The zero Logger writes nothing.
	Logger zerolog.Logger
	// ReadSpin, if positive, makes a session's reads poll the socket for
	// up to this long before they wait, for clients that send their next
	// message soon after the answer to their last (see spinConn; Linux
	// only). cmd/quiver's default is DefaultReadSpin.
	ReadSpin time.Duration
	// ConnState, if set, is called when a connection changes state, on the
	// goroutine that changes it, as net/http's ConnState is. It must not
	// block.
	ConnState func(*Conn, ConnState)
}

// DefaultReadSpin is cmd/quiver's --read-spin: long enough for a client
// on the same machine or a fast network to send its next statement, short
// enough that a client that does not costs little (spinConn stops polling
// for clients that pause).
const DefaultReadSpin = 50 * time.Microsecond

// Handler runs one session after the handshake.
//
// The contract between a Handler and the server:
//
//   - ServeConn owns the connection's reads, and its writes while the
//     connection is active. It sends ParameterStatus (see
//     handshake.ParameterStatuses), BackendKeyData (Conn.Key) and
//     ReadyForQuery, and reads the client's messages from Conn.NetConn.
//   - After flushing ReadyForQuery and before blocking to read, it calls
//     SetIdle; when a message has arrived, before acting on it, it calls
//     SetActive. While a connection is idle the server may write to it
//     (FATAL 57P01 at Shutdown or Close) and close it; SetActive then
//     returns false and ServeConn must return without writing anything.
//     Once the server has closed an idle connection, reads from it fail.
//   - ctx is cancelled at Close and at Shutdown's deadline, and the
//     connection is then closed; context.Cause(ctx) is a FATAL 57P01
//     *pgerror.Error. Statements running for the session should stop.
//   - The server closes the connection when ServeConn returns. A returned
//     error is logged (client disconnects at debug level), not sent.
//   - A panic is recovered: it is logged with its stack, the client gets
//     FATAL XX000, the connection is closed and the process goes on.
//   - A CancelRequest carrying the session's key calls the function given
//     to OnCancel, on another goroutine, at any time.
type Handler interface {
	ServeConn(ctx context.Context, c *Conn) error
}

// Server accepts connections and runs their sessions. Create it with New.
type Server struct {
	cfg Config

	inShutdown atomic.Bool
	done       chan struct{} // closed when shutting down; wakes Serve's back-off
	closeDone  sync.Once

	// baseCtx is the parent of every session's context, cancelled at Close
	// and at Shutdown's deadline. handshakeCtx, its child, is cancelled as
	// soon as shutting down starts.
	baseCtx         context.Context
	cancelBase      context.CancelCauseFunc
	handshakeCtx    context.Context
	cancelHandshake context.CancelFunc

	mu       sync.Mutex
	listener net.Listener
	serving  bool
	conns    map[*Conn]struct{}
	sessions map[uint32]*Conn // by process ID, for cancel requests and MaxConns
	lastPID  uint32

	// testHookBackoff replaces the sleep between failed accepts in tests.
	testHookBackoff func(time.Duration)
}

// New returns a Server for cfg. It does not listen yet.
func New(cfg Config) *Server {
	s := &Server{
		cfg:      cfg,
		done:     make(chan struct{}),
		conns:    make(map[*Conn]struct{}),
		sessions: make(map[uint32]*Conn),
	}
	s.baseCtx, s.cancelBase = context.WithCancelCause(context.Background())
	s.handshakeCtx, s.cancelHandshake = context.WithCancel(s.baseCtx)
	return s
}

// Listen binds the configured address and logs it. It returns the bound
// address, which tells the port when Config.Addr asked for port 0. Calling
// it again returns the same address.
func (s *Server) Listen() (net.Addr, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shuttingDown() {
		return nil, ErrServerClosed
	}
	if s.listener != nil {
		return s.listener.Addr(), nil
	}
	addr := s.cfg.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s.listener = l
	s.cfg.Logger.Info().Str("addr", l.Addr().String()).Msg("listening")
	return l.Addr(), nil
}

// Serve accepts connections on the listener Listen bound (calling Listen
// first if needed) and serves each on its own goroutine. It backs off on
// temporary accept errors, from 5ms doubling to 1s, as net/http does. It
// always returns a non-nil error: ErrServerClosed after Shutdown or Close.
func (s *Server) Serve() error {
	if _, err := s.Listen(); err != nil {
		return err
	}
	s.mu.Lock()
	if s.serving {
		s.mu.Unlock()
		return errors.New("server: Serve called twice")
	}
	s.serving = true
	l := s.listener
	s.mu.Unlock()
	return s.serve(l)
}

// ListenAndServe is Listen followed by Serve.
func (s *Server) ListenAndServe() error {
	if _, err := s.Listen(); err != nil {
		return err
	}
	return s.Serve()
}

func (s *Server) serve(l net.Listener) error {
	var delay time.Duration
	for {
		rw, err := l.Accept()
		if err != nil {
			if s.shuttingDown() {
				return ErrServerClosed
			}
			// Temporary is deprecated in general but is what marks
			// EMFILE, ENFILE and ECONNABORTED; net/http uses it too.
			if ne, ok := err.(net.Error); ok && ne.Temporary() { //nolint:staticcheck
				if delay == 0 {
					delay = 5 * time.Millisecond
				} else {
					delay *= 2
				}
				delay = min(delay, time.Second)
				s.cfg.Logger.Warn().Err(err).Dur("retry_in", delay).Msg("accept failed")
				s.backoff(delay)
				continue
			}
			return err
		}
		delay = 0
		if tc, ok := rw.(*net.TCPConn); ok {
			_ = tc.SetNoDelay(true)
		}
		if c := s.track(rw); c != nil {
			s.setHook(c, StateNew) // before Serve can return, as in net/http
			go c.serve()
		}
	}
}

// backoff sleeps for d, or less if the server shuts down.
func (s *Server) backoff(d time.Duration) {
	if s.testHookBackoff != nil {
		s.testHookBackoff(d)
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.done:
	}
}

func (s *Server) shuttingDown() bool { return s.inShutdown.Load() }

// Shutdown stops the server gracefully: it closes the listener, sends FATAL
// 57P01 to every idle session and closes it, ends connections still in
// their handshake with FATAL 57P03, and waits for active sessions to finish
// their work and go idle, closing each as it does. If ctx ends first, every
// session's context is cancelled and its connection closed, and Shutdown
// returns ctx's error; otherwise it returns the listener's close error.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.beginShutdown()
	wait := time.Millisecond
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		if s.closeIdleConns() {
			return err
		}
		select {
		case <-ctx.Done():
			s.closeAll()
			return ctx.Err()
		case <-timer.C:
			wait = min(2*wait, 100*time.Millisecond)
			timer.Reset(wait)
		}
	}
}

// Close stops the server at once: it closes the listener, cancels every
// session's context, sends FATAL 57P01 to idle sessions and closes all
// connections. It does not wait for handlers to return.
func (s *Server) Close() error {
	err := s.beginShutdown()
	s.closeAll()
	return err
}

func (s *Server) beginShutdown() error {
	s.inShutdown.Store(true)
	s.closeDone.Do(func() { close(s.done) })
	s.cancelHandshake()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener == nil {
		return nil
	}
	err := s.listener.Close()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

// closeIdleConns closes the idle sessions and reports whether no
// connection is left.
func (s *Server) closeIdleConns() bool {
	for _, c := range s.snapshot() {
		c.closeIdle()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns) == 0
}

// closeAll cancels every session's context and closes every connection,
// idle ones after FATAL 57P01.
func (s *Server) closeAll() {
	s.cancelBase(adminShutdown())
	for _, c := range s.snapshot() {
		if !c.closeIdle() {
			_ = c.raw.Close()
		}
	}
}

func (s *Server) snapshot() []*Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Conn, 0, len(s.conns))
	for c := range s.conns {
		out = append(out, c)
	}
	return out
}

// track registers a new connection, or closes it and returns nil when the
// server is shutting down.
func (s *Server) track(rw net.Conn) *Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shuttingDown() {
		_ = rw.Close()
		return nil
	}
	c := newConn(s, rw)
	s.conns[c] = struct{}{}
	return c
}

func (s *Server) untrack(c *Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
	if c.key.ProcessID != 0 && s.sessions[c.key.ProcessID] == c {
		delete(s.sessions, c.key.ProcessID)
	}
}

// admit makes c a session: it refuses it when the server is shutting down
// or MaxConns sessions are open, and otherwise gives it a process ID, unique
// among the server's sessions and never 0, and its cancel key.
func (s *Server) admit(c *Conn) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shuttingDown() {
		return pgerror.Fatal(pgerror.CannotConnectNow, "the database system is shutting down")
	}
	if s.cfg.MaxConns > 0 && len(s.sessions) >= s.cfg.MaxConns {
		return pgerror.Fatal(pgerror.TooManyConnections, "sorry, too many clients already")
	}
	pid := s.lastPID
	for {
		pid++
		if pid > 1<<31-1 { // clients read the process ID as a signed int32
			pid = 1
		}
		if _, used := s.sessions[pid]; !used {
			break
		}
	}
	s.lastPID = pid
	c.key = handshake.NewCancelKey(pid)
	s.sessions[pid] = c
	return nil
}

// cancel routes a CancelRequest: the session whose process ID and secret
// match gets its OnCancel function called; anything else is ignored, as
// PostgreSQL does, without telling the client.
func (s *Server) cancel(key handshake.CancelKey) {
	s.mu.Lock()
	c := s.sessions[key.ProcessID]
	matched := c != nil && c.key.Matches(key)
	s.mu.Unlock()
	if !matched {
		s.cfg.Logger.Debug().Uint32("pid", key.ProcessID).Msg("cancel request matches no session")
		return
	}
	if f := c.onCancel.Load(); f != nil {
		(*f)()
	}
}

func adminShutdown() *pgerror.Error {
	return pgerror.Fatal(pgerror.AdminShutdown, "terminating connection due to administrator command")
}
