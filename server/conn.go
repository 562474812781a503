package server

import (
	"context"
	"fmt"
	"net"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/quiverdb/quiver/handshake"
	"github.com/quiverdb/quiver/pgerror"
	"github.com/rs/zerolog"
)

// ConnState is the state of a connection, as net/http's ConnState is.
type ConnState int32

const (
	// StateNew is a connection in its handshake.
	StateNew ConnState = iota
	// StateActive is a session working on a client's message.
	StateActive
	// StateIdle is a session that sent ReadyForQuery and waits for the
	// client's next message.
	StateIdle
	// StateClosed is a connection that is closed or being closed.
	StateClosed
)

var stateNames = [...]string{"new", "active", "idle", "closed"}

// String returns "new", "active", "idle" or "closed".
func (s ConnState) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("ConnState(%d)", int32(s))
}

// fatalWriteTimeout bounds the write of the last error a connection gets,
// so that a client that does not read cannot hold the server.
const fatalWriteTimeout = time.Second

// Conn is one client connection, given to the Handler after the handshake.
type Conn struct {
	srv *Server
	// raw is the accepted socket; the server closes it from other
	// goroutines. rwc is what the session reads and writes: raw, or a TLS
	// connection over it. It is set before the connection turns active and
	// not changed after.
	raw      net.Conn
	rwc      net.Conn
	state    atomic.Int32
	startup  *handshake.Startup
	key      handshake.CancelKey // set by Server.admit under its lock
	log      zerolog.Logger
	onCancel atomic.Pointer[func()]
	ctx      context.Context
	cancel   context.CancelFunc
}

func newConn(s *Server, rw net.Conn) *Conn {
	c := &Conn{srv: s, raw: rw, rwc: spinRead(rw, s.cfg.ReadSpin)}
	c.log = s.cfg.Logger.With().Str("remote", rw.RemoteAddr().String()).Logger()
	c.ctx, c.cancel = context.WithCancel(s.baseCtx)
	return c
}

// NetConn returns the connection the session reads and writes.
func (c *Conn) NetConn() net.Conn { return c.rwc }

// Startup returns what the client asked for in its startup packet.
func (c *Conn) Startup() *handshake.Startup { return c.startup }

// Key returns the session's cancel key, to send as BackendKeyData.
func (c *Conn) Key() handshake.CancelKey { return c.key }

// Logger returns the session's logger, which names its process ID, remote
// address, user and database. It is also carried in ServeConn's context
// (zerolog.Ctx).
func (c *Conn) Logger() zerolog.Logger { return c.log }

// State returns the connection's state.
func (c *Conn) State() ConnState { return ConnState(c.state.Load()) }

// SetIdle records that the handler flushed ReadyForQuery and will now block
// reading the next message. If the server is shutting down, the connection
// is closed at once with FATAL 57P01.
func (c *Conn) SetIdle() {
	if c.state.CompareAndSwap(int32(StateActive), int32(StateIdle)) {
		c.srv.setHook(c, StateIdle)
		if c.srv.shuttingDown() {
			c.closeIdle()
		}
	}
}

// SetActive records that a message arrived. It returns false when the
// server has closed this idle connection: the handler must then stop
// without writing.
func (c *Conn) SetActive() bool {
	if c.state.CompareAndSwap(int32(StateIdle), int32(StateActive)) {
		c.srv.setHook(c, StateActive)
		return true
	}
	return c.State() == StateActive
}

// OnCancel sets what a CancelRequest with this session's key does: f
// typically cancels the running statement's context. f is called on another
// goroutine, at any time, and must not block. A nil f forgets the previous
// one.
func (c *Conn) OnCancel(f func()) {
	if f == nil {
		c.onCancel.Store(nil)
		return
	}
	c.onCancel.Store(&f)
}

// closeIdle closes the connection with FATAL 57P01 if it is idle, and
// reports whether it did. Winning the idle-to-closed swap is what makes the
// write safe: an idle handler writes nothing.
func (c *Conn) closeIdle() bool {
	if !c.state.CompareAndSwap(int32(StateIdle), int32(StateClosed)) {
		return false
	}
	c.srv.setHook(c, StateClosed)
	c.writeFatal(adminShutdown())
	_ = c.raw.Close()
	return true
}

// writeFatal sends err as the connection's last message.
func (c *Conn) writeFatal(err error) {
	_ = c.rwc.SetWriteDeadline(time.Now().Add(fatalWriteTimeout))
	if werr := handshake.WriteError(c.rwc, err); werr != nil {
		c.log.Debug().Err(werr).Msg("could not send the closing error")
	}
}

// serve runs the connection: handshake, then the handler. It recovers
// panics, and always closes the connection.
func (c *Conn) serve() {
	defer c.close()
	defer func() {
		if r := recover(); r != nil {
			c.log.Error().Str("panic", fmt.Sprint(r)).Bytes("stack", debug.Stack()).Msg("session panicked")
			if prev := ConnState(c.state.Swap(int32(StateClosed))); prev != StateClosed {
				c.srv.setHook(c, StateClosed)
				c.writeFatal(pgerror.Fatal(pgerror.InternalError, "terminating connection because of an internal error"))
			}
		}
	}()
	if !c.handshake() {
		return
	}
	if !c.state.CompareAndSwap(int32(StateNew), int32(StateActive)) {
		return // closed by Close meanwhile
	}
	c.srv.setHook(c, StateActive)
	c.log.Debug().Msg("session started")
	err := c.srv.cfg.Handler.ServeConn(c.log.WithContext(c.ctx), c)
	switch {
	case err == nil:
		c.log.Debug().Msg("session ended")
	case handshake.IsDisconnect(err) || c.srv.shuttingDown() && c.ctx.Err() != nil:
		c.log.Debug().Err(err).Msg("session ended")
	default:
		c.log.Warn().Err(err).Msg("session ended with an error")
	}
}

// handshake runs the handshake and reports whether a session should start.
// Cancel requests are routed here and end the connection.
func (c *Conn) handshake() bool {
	cfg := c.srv.cfg.Handshake
	ctx := c.srv.handshakeCtx
	hello, err := handshake.ReadStartup(ctx, c.rwc, cfg)
	if err != nil {
		c.handshakeFailed(err)
		return false
	}
	c.rwc = hello.Conn
	if hello.Kind == handshake.KindCancel {
		c.srv.cancel(hello.Cancel)
		return false
	}
	c.startup = hello.Startup
	if err := c.srv.admit(c); err != nil {
		c.writeFatal(err)
		c.log.Info().Err(err).Str("user", c.startup.User).Msg("connection refused")
		return false
	}
	c.log = c.log.With().Uint32("pid", c.key.ProcessID).Str("user", c.startup.User).
		Str("database", c.startup.Database).Logger()
	if err := handshake.Authenticate(ctx, c.rwc, cfg, c.startup); err != nil {
		c.handshakeFailed(err)
		return false
	}
	if c.srv.shuttingDown() {
		c.writeFatal(pgerror.Fatal(pgerror.CannotConnectNow, "the database system is shutting down"))
		return false
	}
	return true
}

// handshakeFailed logs a failed handshake. One cut short by Shutdown gets
// FATAL 57P03, as PostgreSQL answers connections during shutdown; the
// handshake itself has sent any other error the client should see.
func (c *Conn) handshakeFailed(err error) {
	if c.srv.shuttingDown() && c.srv.handshakeCtx.Err() != nil {
		c.writeFatal(pgerror.Fatal(pgerror.CannotConnectNow, "the database system is shutting down"))
		c.log.Debug().Err(err).Msg("handshake cut short by shutdown")
		return
	}
	if handshake.IsDisconnect(err) {
		c.log.Debug().Err(err).Msg("client left during the handshake")
		return
	}
	c.log.Info().Err(err).Msg("handshake failed")
}

// close ends the connection: state closed, context cancelled, socket
// closed, and the server forgets it.
func (c *Conn) close() {
	if prev := ConnState(c.state.Swap(int32(StateClosed))); prev != StateClosed {
		c.srv.setHook(c, StateClosed)
	}
	c.cancel()
	_ = c.rwc.Close()
	_ = c.raw.Close()
	c.srv.untrack(c)
}

func (s *Server) setHook(c *Conn, state ConnState) {
	if s.cfg.ConnState != nil {
		s.cfg.ConnState(c, state)
	}
}
