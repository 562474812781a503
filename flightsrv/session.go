package flightsrv

import (
	"context"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/rs/zerolog"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

// maxPending caps the statement tickets a session keeps prepared before
// DoGet redeems them; past it the oldest is closed (its ticket still works:
// the statement is prepared again).
const maxPending = 64

var (
	errConnClosed    = pgerror.New(pgerror.ConnectionException, "flightsrv: session is closed")
	errSessionClosed = pgerror.New(pgerror.ConnectionException, "flightsrv: session is closed")
)

// session is one Flight client's state. See the package documentation.
//
// Lock order: Server.mu before session.mu. Neither is held during a backend
// call; conn.mu is, and is never held while taking the other two.
type session struct {
	srv  *Server
	id   sessionID
	key  string // bearer token and cookie value
	info backends.SessionInfo
	log  zerolog.Logger

	// openMu serialises opening the autocommit connection.
	openMu sync.Mutex

	mu        sync.Mutex
	main      *conn // autocommit connection, opened on first use
	spare     *conn // a connection a transaction freed
	txns      map[uint64]*txn
	stmts     map[uint64]*prepared
	pending   map[uint64]*pendingQuery
	order     []uint64 // pending ids, oldest first
	running   map[runKey]context.CancelCauseFunc
	nextRun   uint64
	cancelled map[uint64]bool // pending queries cancelled before DoGet
	options   sessionOptions
	nextObj   uint64
	closed    bool
	scans     map[uint64]*scan // queries read in parts (scan.go)
	readers   []*conn          // idle connections for reading parts
	readerGen uint64           // bumped when options change: older readers close

	// Guarded by Server.mu.
	active   int       // calls in progress
	lastUsed time.Time // end of the last call
	bound    connKey   // the connection using it without a key, if any
	claimed  bool      // reached by token or cookie: outlives its connection
}

// pendingQuery is a statement prepared by GetFlightInfo for DoGet.
type pendingQuery struct {
	conn *conn
	stmt backends.Stmt
}

// txn is a Flight SQL transaction: a connection running BEGIN.
type txn struct {
	conn       *conn
	savepoints map[uint64]string
}

func newSession(srv *Server, key string, info backends.SessionInfo) *session {
	s := &session{
		srv:       srv,
		id:        newSessionID(),
		key:       key,
		info:      info,
		txns:      map[uint64]*txn{},
		stmts:     map[uint64]*prepared{},
		pending:   map[uint64]*pendingQuery{},
		running:   map[runKey]context.CancelCauseFunc{},
		cancelled: map[uint64]bool{},
		scans:     map[uint64]*scan{},
		lastUsed:  time.Now(),
	}
	lc := srv.log.With().Str("session", s.id.String())
	if info.User != "" {
		lc = lc.Str("user", info.User)
	}
	s.log = lc.Logger()
	return s
}

// newObj returns a fresh object number. s.mu must be held.
func (s *session) newObj() uint64 {
	s.nextObj++
	return s.nextObj
}

// open opens a backend connection with the session's settings applied.
func (s *session) open(ctx context.Context) (*conn, error) {
	be, err := s.srv.cfg.Backend.Open(ctx, s.info)
	if err != nil {
		return nil, err
	}
	c := &conn{be: be}
	s.mu.Lock()
	opts := s.options
	s.mu.Unlock()
	if err := opts.apply(ctx, c); err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

// mainConn returns the autocommit connection, opening it if needed. One
// the backend reports lost (conn.usable) is closed and replaced, so that a
// statement that broke it fails alone.
func (s *session) mainConn(ctx context.Context) (*conn, error) {
	s.mu.Lock()
	c, closed := s.main, s.closed
	s.mu.Unlock()
	if closed {
		return nil, errSessionClosed
	}
	if c != nil && c.usable() {
		return c, nil
	}
	s.openMu.Lock()
	defer s.openMu.Unlock()
	s.mu.Lock()
	c = s.main
	if c != nil && !c.usable() {
		s.main = nil
		go c.close()
		c = nil
	}
	s.mu.Unlock()
	if c != nil {
		return c, nil
	}
	c, err := s.open(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		go c.close()
		return nil, errSessionClosed
	}
	s.main = c
	return c, nil
}

// connFor returns the connection for a request's transaction id: the
// transaction's, or the autocommit connection when txnID is empty. It also
// returns the transaction's object number (0 for none).
func (s *session) connFor(ctx context.Context, txnID []byte) (*conn, uint64, error) {
	if len(txnID) == 0 {
		c, err := s.mainConn(ctx)
		return c, 0, err
	}
	h, _, err := parseHandle(txnID, kindTxn)
	if err != nil {
		return nil, 0, err
	}
	c, err := s.txnConn(h)
	return c, h.obj, err
}

// txnConn returns the connection of an open transaction.
func (s *session) txnConn(h handle) (*conn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h.sess != s.id {
		return nil, errNoTxn
	}
	t := s.txns[h.obj]
	if t == nil {
		return nil, errNoTxn
	}
	return t.conn, nil
}

// connByTxn returns the connection of transaction number obj, or the
// autocommit connection for 0.
func (s *session) connByTxn(ctx context.Context, obj uint64) (*conn, error) {
	if obj == 0 {
		return s.mainConn(ctx)
	}
	return s.txnConn(handle{kind: kindTxn, sess: s.id, obj: obj})
}

var errNoTxn = pgerror.New(pgerror.InvalidTransactionState, "transaction not found: it has ended or its session expired")

// addPending keeps a statement prepared for a ticket and returns its number.
func (s *session) addPending(c *conn, st backends.Stmt) (uint64, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.closeStmt(st)
		return 0, errSessionClosed
	}
	id := s.newObj()
	s.pending[id] = &pendingQuery{conn: c, stmt: st}
	s.order = append(s.order, id)
	var evict *pendingQuery
	for len(s.pending) > maxPending {
		old := s.order[0]
		s.order = s.order[1:]
		if p := s.pending[old]; p != nil {
			delete(s.pending, old)
			evict = p
			break
		}
	}
	s.mu.Unlock()
	if evict != nil {
		evict.conn.closeStmt(evict.stmt)
	}
	return id, nil
}

// takePending removes and returns a pending statement, or nil. cancelled
// reports whether CancelFlightInfo cancelled it.
func (s *session) takePending(id uint64) (p *pendingQuery, cancelled bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p = s.dropPending(id)
	cancelled = s.cancelled[id]
	delete(s.cancelled, id)
	return p, cancelled
}

// runKey names one execution: the statement's number (a prepared statement
// may run several times at once) and the execution's.
type runKey struct{ obj, seq uint64 }

// dropPending removes a pending statement and returns it, or nil. s.mu
// must be held.
func (s *session) dropPending(id uint64) *pendingQuery {
	p := s.pending[id]
	if p == nil {
		return nil
	}
	delete(s.pending, id)
	for i, o := range s.order {
		if o == id {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
	return p
}

// startRunning registers the cancel function of a running statement. It
// fails if the session is closed.
func (s *session) startRunning(id uint64, cancel context.CancelCauseFunc) (runKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return runKey{}, errSessionClosed
	}
	s.nextRun++
	k := runKey{obj: id, seq: s.nextRun}
	s.running[k] = cancel
	return k, nil
}

func (s *session) stopRunning(k runKey) {
	s.mu.Lock()
	delete(s.running, k)
	s.mu.Unlock()
}

// cancel cancels the running and pending executions of statement number
// id and reports whether there were any.
func (s *session) cancel(id uint64) bool {
	s.mu.Lock()
	var cancels []context.CancelCauseFunc
	for k, c := range s.running {
		if k.obj == id {
			cancels = append(cancels, c)
		}
	}
	p := s.dropPending(id)
	if p != nil {
		s.cancelled[id] = true
	}
	coord, scanned := s.cancelScan(id)
	s.mu.Unlock()
	for _, c := range cancels {
		c(errUserCancel)
	}
	if p != nil {
		p.conn.closeStmt(p.stmt)
	}
	if coord != nil {
		endScan(s, coord)
	}
	return len(cancels) > 0 || p != nil || scanned
}

var errUserCancel = pgerror.New(pgerror.QueryCanceled, "canceling statement due to user request")

// close ends the session: running statements are cancelled, and every
// connection is closed, which rolls back open transactions.
func (s *session) close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	conns := []*conn{s.main, s.spare}
	for _, t := range s.txns {
		conns = append(conns, t.conn)
	}
	cancels := make([]context.CancelCauseFunc, 0, len(s.running))
	for _, c := range s.running {
		cancels = append(cancels, c)
	}
	for _, sc := range s.scans {
		sc.timer.Stop()
		if c := s.endSnapshot(sc, errSessionClosed); c != nil {
			conns = append(conns, c)
		}
	}
	conns = append(conns, s.readers...)
	stmts := s.stmts
	s.main, s.spare, s.txns, s.stmts, s.pending, s.scans, s.readers = nil, nil, nil, nil, nil, nil, nil
	s.mu.Unlock()

	for _, c := range cancels {
		c(errSessionClosed)
	}
	for _, p := range stmts {
		p.release()
	}
	for _, c := range conns {
		if c != nil {
			c.close()
		}
	}
	s.log.Debug().Msg("session closed")
}

// sessionOptions are the settings SetSessionOptions made.
type sessionOptions struct {
	catalog, schema string
}

func (o sessionOptions) set() bool { return o.catalog != "" || o.schema != "" }

// apply runs the statements that give a new connection the session's
// settings.
func (o sessionOptions) apply(ctx context.Context, c *conn) error {
	if o.catalog != "" {
		if err := useCatalog(ctx, c, o.catalog); err != nil {
			return err
		}
	}
	if o.schema != "" {
		if _, err := c.exec(ctx, "SET search_path TO "+quoteLiteral(o.schema)); err != nil {
			return err
		}
	}
	return nil
}

// emptySchema is the schema of statements that return no rows.
var emptySchema = arrow.NewSchema(nil, nil)
