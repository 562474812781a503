package adbcbackend

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

var errSessionClosed = pgerror.New(pgerror.ConnectionFailure, "session is closed")

// cancelTimeout bounds a background request to cancel remote work.
const cancelTimeout = 5 * time.Second

// conn is a Conn with a reference count: the session holds one reference
// while the connection is current, and each open rows holds one, so a
// connection replaced after it broke is closed only when nothing reads from
// it any more.
type conn struct {
	*Conn
	epoch  uint64
	refs   atomic.Int32
	broken atomic.Bool
}

func (c *conn) retain() { c.refs.Add(1) }

func (c *conn) release() {
	if c.refs.Add(-1) == 0 {
		c.Close()
		if c.OnClose != nil {
			c.OnClose()
		}
	}
}

// Session is one client's session: one ADBC connection at a time, its
// transaction state, and its open statements and results. See the package
// documentation of backends for the calling rules.
type Session struct {
	b    *Backend
	info backends.SessionInfo

	c     *conn
	epoch uint64 // connections opened so far
	tx    txState

	stmts   map[*Stmt]struct{}
	rows    map[*rows]struct{}
	notices []*pgerror.Error
	closed  bool

	// bg runs requests to cancel remote work; Close waits for them.
	bgMu     sync.Mutex
	bgClosed bool
	bg       sync.WaitGroup
}

var _ backends.Session = (*Session)(nil)

// conn returns the session's connection, opening a new one if there is
// none or the current one broke.
func (s *Session) conn(ctx context.Context) (*conn, error) {
	if s.closed {
		return nil, errSessionClosed
	}
	if s.c != nil && !s.c.broken.Load() {
		return s.c, nil
	}
	if s.c != nil {
		s.tx.connectionLost()
		s.c.release()
		s.c = nil
	}
	if s.stmts == nil {
		s.stmts = make(map[*Stmt]struct{})
		s.rows = make(map[*rows]struct{})
	}
	c, err := s.b.cfg.Connector.Connect(ctx, s.info)
	if err != nil {
		return nil, s.b.mapError(ctx, err)
	}
	s.epoch++
	s.c = &conn{Conn: c, epoch: s.epoch}
	s.c.refs.Store(1)
	return s.c, nil
}

// ready returns the connection for a statement, or the error that stops
// statements while a lost transaction is open.
func (s *Session) ready(ctx context.Context) (*conn, error) {
	c, err := s.conn(ctx)
	if err == nil {
		err = s.tx.usable()
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// fail maps err and, when it means the connection is gone, marks c broken
// so the next statement opens a new one. It is also called from the
// caller's goroutine while reading rows.
func (s *Session) fail(ctx context.Context, c *conn, err error) error {
	if err == nil {
		return nil
	}
	if c != nil && ctx.Err() == nil && s.b.cfg.IsBroken(err) {
		c.broken.Store(true)
	}
	return s.b.mapError(ctx, err)
}

// cancelRemote asks the engine, in the background, to stop the work behind
// parts. It may be called from any goroutine.
func (s *Session) cancelRemote(c *conn, parts [][]byte) {
	cancel := c.Cancel
	if cancel == nil || len(parts) == 0 {
		return
	}
	s.bgMu.Lock()
	defer s.bgMu.Unlock()
	if s.bgClosed {
		return
	}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		ctx, stop := context.WithTimeout(context.Background(), cancelTimeout)
		defer stop()
		cancel(ctx, parts)
	}()
}

// Query runs one statement with no parameters. BEGIN, COMMIT and ROLLBACK
// control the session's transaction (see the package documentation).
func (s *Session) Query(ctx context.Context, sql string) (*backends.Result, error) {
	text := scanSQL(sql)
	k := text.kind()
	if k.isTx() {
		return s.transaction(ctx, k)
	}
	var res *backends.Result
	err := s.attempt(ctx, k == kindQuery && text.readOnly(), func(c *conn) error {
		st, err := c.NewStatement()
		if err != nil {
			return s.fail(ctx, c, err)
		}
		if err := st.SetSqlQuery(sql); err != nil {
			st.Close()
			return s.fail(ctx, c, err)
		}
		if k == kindUpdate {
			n, err := st.ExecuteUpdate(ctx)
			st.Close()
			if err != nil {
				return s.fail(ctx, c, err)
			}
			res = &backends.Result{RowsAffected: n}
			return nil
		}
		r, err := s.execute(ctx, c, st, true)
		if err != nil {
			st.Close()
			return err
		}
		res = &backends.Result{Rows: r, RowsAffected: -1}
		return nil
	})
	return res, err
}

// attempt runs fn on the session's connection. When fn fails because the
// connection broke, and retry is set and no transaction is open, it runs
// fn once more on a new connection. That is for statements that cannot
// change anything (and for preparing): a connection found dead by the
// first call after a server restart should not fail them.
func (s *Session) attempt(ctx context.Context, retry bool, fn func(c *conn) error) error {
	for try := 0; ; try++ {
		c, err := s.ready(ctx)
		if err != nil {
			return err
		}
		err = fn(c)
		if err == nil || !retry || try > 0 || !c.broken.Load() || ctx.Err() != nil || s.tx.open {
			return err
		}
	}
}

// Prepare plans a statement. See the package documentation for where its
// parameter and result types come from.
func (s *Session) Prepare(ctx context.Context, sql string, paramTypes []arrow.DataType) (backends.Stmt, error) {
	return s.prepare(ctx, sql, paramTypes)
}

// TransactionsSupported reports whether BEGIN starts a real transaction on
// the engine. It is false when the engine said it has no transactions, or
// has not said and no BEGIN has found out yet; then BEGIN succeeds,
// statements run in autocommit mode, and ErrTransactionsNotSupported is
// queued as a notice.
func (s *Session) TransactionsSupported() bool {
	return s.c != nil && s.c.Transactions == SupportYes
}

// Notices returns, and forgets, the notices the session queued since the
// last call: warnings that belong to a statement that succeeded, such as
// ErrTransactionsNotSupported after BEGIN. Each has Severity NOTICE or
// WARNING; a frontend sends them as NoticeResponse messages before the
// statement's CommandComplete. Test with errors.Is(n,
// ErrTransactionsNotSupported).
func (s *Session) Notices() []*pgerror.Error {
	n := s.notices
	s.notices = nil
	return n
}

func (s *Session) notice(e *pgerror.Error) { s.notices = append(s.notices, e) }

// Close ends the session: it stops reading open results, releases
// prepared statements on the engine and closes the connection. Results
// still held by the caller fail with SQLSTATE 08006 and must still be
// released.
func (s *Session) Close() error {
	if s.closed {
		return nil
	}
	for r := range s.rows {
		r.gone = true
		r.abort()
	}
	for st := range s.stmts {
		st.Close()
	}
	if s.c != nil {
		s.c.release()
		s.c = nil
	}
	s.closed = true
	s.bgMu.Lock()
	s.bgClosed = true
	s.bgMu.Unlock()
	s.bg.Wait()
	s.b.sessionClosed()
	return nil
}
