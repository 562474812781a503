// Package dispatch runs one PostgreSQL-protocol session: it reads frontend
// messages, runs the simple and extended query protocols against a backend
// session, and streams Arrow results back as DataRow messages.
//
// See https://www.postgresql.org/docs/current/protocol-flow.html.
package dispatch

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/rs/zerolog"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/catalog"
	"github.com/quiverdb/quiver/dialect"
	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/types"
)

// Conn is what a session needs from the server for its connection.
type Conn interface {
	NetConn() net.Conn
	Logger() zerolog.Logger
	// SetIdle marks the session idle: ReadyForQuery was sent and it waits
	// for the next message.
	SetIdle()
	// SetActive marks it active when a message arrives; false means the
	// server is closing the idle connection and the session must stop.
	SetActive() bool
	// OnCancel registers what a matching CancelRequest does.
	OnCancel(func())
}

// Info is what the client sent at startup, after authentication.
type Info struct {
	User      string
	Database  string
	Password  string
	Params    map[string]string
	ProcessID uint32
	Secret    uint32
	// Reader, when not nil, replaces NetConn for reading, so bytes the
	// handshake buffered are not lost.
	Reader io.Reader
}

// Config configures sessions.
type Config struct {
	Backend backends.Backend
	// Dialect names the backend's SQL dialect ("duckdb"), whose rewrites
	// package dialect applies; "" runs PostgreSQL SQL as written.
	Dialect string
	// SessionInit holds statements run on each new backend session before
	// the client's first statement (the catalog layer's functions and
	// views for engines that lack PostgreSQL's).
	SessionInit func(info backends.SessionInfo) []string
	// MaxMessageSize bounds a frontend message's declared length; larger
	// messages get 08P01 and the connection closes. 0 means 1 GiB, as in
	// PostgreSQL.
	MaxMessageSize int
	// IdleInTransactionSessionTimeout is the server-wide default of
	// idle_in_transaction_session_timeout: a session that waits longer
	// than this for the client's next message inside a transaction block
	// (ReadyForQuery status T or E) ends with FATAL 25P03, as in
	// PostgreSQL. Sessions may SET their own value. 0 is off; it is
	// rounded to whole milliseconds.
	IdleInTransactionSessionTimeout time.Duration
	// IdleSessionTimeout is the server-wide default of
	// idle_session_timeout: the same outside a transaction block (status
	// I), ending the session with FATAL 57P05.
	IdleSessionTimeout time.Duration
	// NoCatalogSnapshot turns catalog snapshots (snapshot.go) off: catalog
	// queries compute the catalog afresh every time.
	NoCatalogSnapshot bool
}

// Handler serves sessions over one backend.
type Handler struct {
	cfg    Config
	rw     dialect.Rewriter
	txLock txLock // nil unless the backend needs writers to take turns
	// defaults overrides settingsTable's defaults with the server's own,
	// by lower-case name, as postgresql.conf does.
	defaults map[string]string
	// ddlEpoch moves on when a transaction that ran DDL ends
	// (declared.go).
	ddlEpoch atomic.Uint64
	// snap keeps the catalog snapshot tables (snapshot.go), or is nil.
	snap *snapshots
	// setup is catalog.DatabaseSetup for the dialect, run by the first
	// session that opens; setupDone is set once it ran.
	setup     []string
	setupMu   sync.Mutex
	setupDone bool
}

// NewHandler returns a Handler.
func NewHandler(cfg Config) *Handler {
	if cfg.MaxMessageSize <= 0 {
		cfg.MaxMessageSize = 1 << 30
	}
	h := &Handler{cfg: cfg, rw: dialect.For(cfg.Dialect, backends.DatabaseOf(cfg.Backend)), defaults: map[string]string{}}
	h.snap = newSnapshots(cfg, h.rw)
	h.setup = catalog.DatabaseSetup(cfg.Dialect)
	if d := cfg.IdleInTransactionSessionTimeout; d > 0 {
		h.defaults["idle_in_transaction_session_timeout"] = formatMS(durationMS(d))
	}
	if d := cfg.IdleSessionTimeout; d > 0 {
		h.defaults["idle_session_timeout"] = formatMS(durationMS(d))
	}
	if ts, ok := cfg.Backend.(backends.TxSerializer); ok && ts.SerializeTransactions() {
		h.txLock = make(txLock, 1)
	}
	return h
}

// setUp runs the database set-up (Handler.setup) on s's backend session,
// unless a session did already. A failed set-up is tried again by the
// next session.
func (h *Handler) setUp(ctx context.Context, s *Session) error {
	if len(h.setup) == 0 {
		return nil
	}
	h.setupMu.Lock()
	defer h.setupMu.Unlock()
	if h.setupDone {
		return nil
	}
	for _, q := range h.setup {
		if err := s.backendExec(ctx, q); err != nil {
			return err
		}
	}
	h.setupDone = true
	return nil
}

// txState is the transaction status sent in ReadyForQuery.
type txState byte

const (
	txIdle   txState = 'I'
	txBlock  txState = 'T'
	txFailed txState = 'E'
)

// Session is one client's session.
type Session struct {
	h       *Handler
	conn    Conn
	log     zerolog.Logger
	info    Info
	be      *pgproto3.Backend
	w       writer
	backend backends.Session
	// backendTZ is the TimeZone the backend computes with, as
	// syncTimeZone last gave it; "" before.
	backendTZ string
	// backendPath is the search_path syncSearchPath last gave the
	// backend; "" before.
	backendPath string

	tx txState
	// implicit is set while quiver holds an implicit transaction block open
	// on the backend for a multi-statement Query.
	implicit bool
	// holdsTx is set while the session holds the handler's txLock.
	holdsTx bool
	// sp holds the savepoints quiver keeps for engines without them.
	sp savepoints
	// txs is what the transaction's end restores of the settings.
	txs txSettings

	vars     map[string]string // current values of known settings, by lower-case name
	settings types.Settings
	// stmtTimeout, idleInTxTimeout and idleTimeout are statement_timeout,
	// idle_in_transaction_session_timeout and idle_session_timeout, parsed
	// whenever a setting changes; 0 is off.
	stmtTimeout, idleInTxTimeout, idleTimeout time.Duration
	// idleWait is the idle timeout whose read deadline is on the
	// connection while the session waits for the next message.
	idleWait idleKind

	ext extended
	// curQuery is the Query string running, for error positions.
	curQuery string
	// terminate, once set, is the FATAL error that ends the session after
	// the current message (the protocol lost synchronisation).
	terminate *pgerror.Error

	// strcols is what the session knows of tables' declared string
	// types (declared.go); ddlRan is set once the transaction runs DDL.
	strcols stringColumns
	ddlRan  bool
	// splitCat is what the session read of the catalog to split
	// statements (returning.go).
	splitCat catalogMemo
	// identities are the identity columns read from the rows catalogRows
	// last gave for them (applyIdentity).
	identities struct {
		rows      [][]string
		ids       *dialect.Identities
		pathValue string   // the search_path path was read from
		path      []string // its schemas
	}
	// snapFP is the session's catalog fingerprint (snapshot.go).
	snapFP sessionSnapshot

	mu     sync.Mutex
	cancel context.CancelFunc // cancels the running statement, if any
}

// Serve runs the session until the client terminates or ctx is done.
func (h *Handler) Serve(ctx context.Context, c Conn, info Info) (err error) {
	s := &Session{h: h, conn: c, log: c.Logger(), info: info, tx: txIdle}
	s.w.conn = c.NetConn()
	s.w.quiet = s.quietNotice
	r := info.Reader
	if r == nil {
		r = c.NetConn()
	}
	s.be = pgproto3.NewBackend(r, nil)
	s.be.SetMaxBodyLen(h.cfg.MaxMessageSize)
	s.ext.init()
	c.OnCancel(s.cancelRunning)

	if err := s.initSettings(); err != nil {
		s.fatal(err)
		return nil
	}
	sinfo := backends.SessionInfo{
		User: info.User, Database: info.Database, Password: info.Password,
		Application: info.Params["application_name"], Params: info.Params,
		ProcessID: info.ProcessID,
	}
	bs, err := h.cfg.Backend.Open(ctx, sinfo)
	if err != nil {
		s.fatal(err)
		return nil
	}
	s.backend = bs
	if err := h.setUp(ctx, s); err != nil {
		_ = bs.Close()
		s.fatal(pgerror.Wrap(err, pgerror.InternalError))
		return nil
	}
	if h.cfg.SessionInit != nil {
		for _, q := range h.cfg.SessionInit(sinfo) {
			if err := s.backendExec(ctx, q); err != nil {
				s.fatal(pgerror.Wrap(err, pgerror.InternalError))
				return nil
			}
		}
	}
	s.syncTimeZone(ctx)
	s.syncSearchPath(ctx)
	defer func() {
		s.ext.closeAll()
		s.resetSavepoints()
		defer s.unlockTx()
		if cerr := bs.Close(); cerr != nil && err == nil {
			s.log.Debug().Err(cerr).Msg("closing backend session")
		}
	}()

	for _, st := range settingsTable {
		if st.reported {
			s.w.send(&pgproto3.ParameterStatus{Name: st.name, Value: s.vars[lower(st.name)]})
		}
	}
	s.w.send(&pgproto3.BackendKeyData{ProcessID: info.ProcessID, SecretKey: binary.BigEndian.AppendUint32(nil, info.Secret)})
	s.readyForQuery()
	if err := s.w.flush(); err != nil {
		return nil
	}
	return s.loop(ctx)
}

func (s *Session) loop(ctx context.Context) error {
	for {
		if s.ext.readyPending {
			s.conn.SetIdle()
			s.ext.readyPending = false
			s.armIdleTimeout()
		}
		msg, err := s.be.Receive()
		if s.idleWait != idleNone {
			if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
				return s.idleTimedOut()
			}
			s.disarmIdleTimeout()
		}
		if err != nil {
			if isQueryDecodeError(err) {
				// The message was read whole, so the stream is still in
				// step: PostgreSQL reports the bad string and goes on.
				s.w.sendError(pgerror.New(pgerror.ProtocolViolation, "invalid string in message"))
				if s.tx == txBlock {
					s.tx = txFailed
				}
				s.readyForQuery()
				if err := s.w.flush(); err != nil {
					return s.clientGone(err)
				}
				continue
			}
			return s.receiveError(err)
		}
		if !s.conn.SetActive() {
			return nil
		}
		if ctx.Err() != nil {
			s.fatal(pgerror.Fatal(pgerror.AdminShutdown, "terminating connection due to administrator command"))
			return nil
		}
		switch m := msg.(type) {
		case *pgproto3.Query:
			s.ext.ignoreTillSync = false
			s.ext.dropUnnamed()
			s.simpleQuery(ctx, m.String)
			if s.terminate != nil {
				s.w.sendError(s.terminate)
				_ = s.w.flush()
				return nil
			}
			s.readyForQuery()
			err = s.w.flush()
		case *pgproto3.Terminate:
			return nil
		case *pgproto3.Parse, *pgproto3.Bind, *pgproto3.Describe, *pgproto3.Execute,
			*pgproto3.Close, *pgproto3.Sync, *pgproto3.Flush:
			err = s.extendedMessage(ctx, msg)
		case *pgproto3.CopyData, *pgproto3.CopyDone, *pgproto3.CopyFail:
			// Outside COPY these are ignored, as PostgreSQL does.
		case *pgproto3.FunctionCall:
			s.w.sendError(pgerror.New(pgerror.FeatureNotSupported, "function call protocol is not supported"))
			s.readyForQuery()
			err = s.w.flush()
		default:
			s.fatal(pgerror.Fatal(pgerror.ProtocolViolation, "invalid frontend message type %T", msg))
			return nil
		}
		if err != nil {
			return s.clientGone(err)
		}
	}
}

// receiveError handles a failed Receive: a client that went away is not an
// error; a malformed message gets 08P01 and the connection closes.
func (s *Session) receiveError(err error) error {
	if isDisconnect(err) {
		return nil
	}
	var tooBig *pgproto3.ExceededMaxBodyLenErr
	if errors.As(err, &tooBig) {
		s.fatal(pgerror.Fatal(pgerror.ProtocolViolation, "invalid message length"))
		return nil
	}
	s.fatal(pgerror.Fatal(pgerror.ProtocolViolation, "%s", invalidMessageText(err.Error())))
	return nil
}

// isQueryDecodeError reports whether err is pgproto3's complaint about a
// Query message's body, which it rejects when the string lacks its NUL
// terminator or has a NUL before the end. pgproto3 has then consumed the
// whole message.
func isQueryDecodeError(err error) bool {
	return strings.HasPrefix(err.Error(), "Query body is invalid")
}

// invalidMessageText words pgproto3's decoding errors as PostgreSQL does.
func invalidMessageText(msg string) string {
	const p = "unknown message type: "
	if strings.HasPrefix(msg, p) {
		r, _ := utf8.DecodeRuneInString(msg[len(p):])
		return "invalid frontend message type " + itoa(int64(r))
	}
	return "invalid frontend message: " + msg
}

// clientGone logs a write failure at debug level: a client that hangs up is
// not a server error.
func (s *Session) clientGone(err error) error {
	s.log.Debug().Err(err).Msg("client connection lost")
	return nil
}

func isDisconnect(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// fatal sends a FATAL error and flushes; the caller then closes.
func (s *Session) fatal(err error) {
	e := pgerror.Flatten(err)
	if e.Severity == "ERROR" {
		e.Severity = "FATAL"
	}
	s.w.sendError(e)
	_ = s.w.flush()
}

// readyForQuery queues ReadyForQuery with the current transaction status.
func (s *Session) readyForQuery() {
	s.w.send(&pgproto3.ReadyForQuery{TxStatus: byte(s.txStatus())})
	s.ext.readyPending = true
}

// txStatus is the transaction status ReadyForQuery reports.
func (s *Session) txStatus() txState {
	if s.implicit {
		return txIdle
	}
	return s.tx
}

// statementContext returns the context one statement runs under: cancelled
// by a CancelRequest, by statement_timeout, or when the session ends.
func (s *Session) statementContext(parent context.Context) (context.Context, func()) {
	var ctx context.Context
	var cancel context.CancelFunc
	if d := s.statementTimeout(); d > 0 {
		ctx, cancel = context.WithTimeout(parent, d)
	} else {
		ctx, cancel = context.WithCancel(parent)
	}
	s.mu.Lock()
	s.cancel = cancel
	s.mu.Unlock()
	return ctx, func() {
		s.mu.Lock()
		s.cancel = nil
		s.mu.Unlock()
		cancel()
	}
}

func (s *Session) statementTimeout() time.Duration { return s.stmtTimeout }

// cancelRunning is called by the server for a matching CancelRequest. Like
// PostgreSQL, a cancel that arrives while nothing runs does nothing.
func (s *Session) cancelRunning() {
	s.mu.Lock()
	if s.cancel != nil {
		s.cancel()
	}
	s.mu.Unlock()
}

func itoa(n int64) string { return string(appendInt(nil, n)) }

func appendInt(b []byte, n int64) []byte {
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}

// idleKind names the idle timeout that applies while a session waits for
// the client's next message after ReadyForQuery.
type idleKind uint8

const (
	idleNone idleKind = iota
	idleSession
	idleInTransaction
)

// armIdleTimeout puts a read deadline on the connection when the timeout
// for the status just reported in ReadyForQuery is on, as PostgreSQL starts
// its idle timers when it sends ReadyForQuery. A deadline rather than a
// timer keeps waiting cheap: no goroutine, and nothing at all when both
// timeouts are off.
func (s *Session) armIdleTimeout() {
	d, kind := s.idleTimeout, idleSession
	if s.txStatus() != txIdle {
		d, kind = s.idleInTxTimeout, idleInTransaction
	}
	if d <= 0 {
		return
	}
	if s.conn.NetConn().SetReadDeadline(time.Now().Add(d)) == nil {
		s.idleWait = kind
	}
}

// disarmIdleTimeout removes the deadline once a message has arrived: the
// rest of the exchange (COPY data, say) is not idle time.
func (s *Session) disarmIdleTimeout() {
	s.idleWait = idleNone
	_ = s.conn.NetConn().SetReadDeadline(time.Time{})
}

// idleTimedOut ends a session whose idle timeout passed, with PostgreSQL's
// FATAL error, unless the server closed the idle connection meanwhile.
func (s *Session) idleTimedOut() error {
	kind := s.idleWait
	s.idleWait = idleNone
	if !s.conn.SetActive() {
		return nil
	}
	_ = s.conn.NetConn().SetReadDeadline(time.Time{})
	e, name := pgerror.Fatal(pgerror.IdleSessionTimeout, "terminating connection due to idle-session timeout"), "idle_session_timeout"
	if kind == idleInTransaction {
		e, name = pgerror.Fatal(pgerror.IdleInTransactionTimeout, "terminating connection due to idle-in-transaction timeout"), "idle_in_transaction_session_timeout"
	}
	s.fatal(e)
	s.log.Info().Str("timeout", name).Msg("session ended by its idle timeout")
	return nil
}
