package flightsrv

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/rs/zerolog"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/stats"

	"github.com/quiverdb/quiver/backends"
)

// Defaults for Config fields left zero.
const (
	DefaultMaxMessageSize     = 64 << 20
	DefaultSessionIdleTimeout = 10 * time.Minute
)

// ErrServerClosed is returned by Serve after Shutdown, and by Listen once
// the server is shut down.
var ErrServerClosed = errors.New("flightsrv: Server closed")

// Config configures a Server.
type Config struct {
	// Backend runs the statements. It is required.
	Backend backends.Backend
	// Alloc allocates the Arrow memory the server builds itself: bound
	// parameters, metadata results, record batches received by DoPut. Nil
	// means memory.DefaultAllocator.
	Alloc memory.Allocator
	// Auth authenticates clients. Nil means no authentication: every
	// client is served, and credentials it sends are ignored.
	Auth Authenticator
	// MaxMessageSize is gRPC's limit on a message sent or received. Zero
	// means DefaultMaxMessageSize; gRPC's own default of 4 MiB received
	// is too small for large record batches.
	MaxMessageSize int
	// TLS, when set, makes the server speak TLS.
	TLS *tls.Config
	// SessionIdleTimeout closes a session after this long without a call.
	// Zero means DefaultSessionIdleTimeout.
	SessionIdleTimeout time.Duration
	// Version is the server version reported by GetSqlInfo. Empty means
	// "dev".
	Version string
	// Logger receives the server's log; each session logs to a sub-logger
	// with its id and user. The zero Logger writes nothing.
	Logger zerolog.Logger
	// ScanParts is the most endpoints, read in parallel on connections of
	// their own under one snapshot, that GetFlightInfo returns for a query
	// the backend can read in parts (the postgres backend, for a query
	// that scans one table; see scan.go). Zero means DefaultScanParts; 1
	// reads every query in one piece.
	ScanParts int
	// ScanPartPages is the least table size, in pages, per part: smaller
	// tables get fewer parts, or one. Zero means DefaultScanPartPages;
	// negative means any size, even empty.
	ScanPartPages int64
	// ScanTimeout is how long the snapshot of a query read in parts waits
	// for the rest of its endpoints to be redeemed while none is being
	// read; those redeemed later fail. Zero means DefaultScanTimeout.
	ScanTimeout time.Duration
}

// Server serves Flight SQL. Create it with New, then call Listen and
// Serve; Shutdown stops it.
type Server struct {
	cfg  Config
	mem  memory.Allocator
	log  zerolog.Logger
	grpc *grpc.Server
	sql  *sqlServer

	done     chan struct{} // closed at Shutdown; stops the reaper
	doneOnce sync.Once

	mu       sync.Mutex
	lis      net.Listener
	serving  bool
	shutdown bool
	byKey    map[string]*session
	byID     map[sessionID]*session
	byConn   map[connKey]*session
	lastConn atomic.Uint64
}

// connKey names the session a gRPC connection uses for a user when the
// client presents no token or cookie.
type connKey struct {
	id   uint64
	user string
}

// New returns a Server for cfg. It does not listen yet.
func New(cfg Config) (*Server, error) {
	if cfg.Backend == nil {
		return nil, errors.New("flightsrv: Config.Backend is required")
	}
	if cfg.Alloc == nil {
		cfg.Alloc = memory.DefaultAllocator
	}
	if cfg.MaxMessageSize <= 0 {
		cfg.MaxMessageSize = DefaultMaxMessageSize
	}
	if cfg.SessionIdleTimeout <= 0 {
		cfg.SessionIdleTimeout = DefaultSessionIdleTimeout
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	if cfg.ScanParts <= 0 {
		cfg.ScanParts = DefaultScanParts
	}
	if cfg.ScanPartPages == 0 {
		cfg.ScanPartPages = DefaultScanPartPages
	}
	if cfg.ScanTimeout <= 0 {
		cfg.ScanTimeout = DefaultScanTimeout
	}
	s := &Server{
		cfg:    cfg,
		mem:    cfg.Alloc,
		log:    cfg.Logger,
		done:   make(chan struct{}),
		byKey:  map[string]*session{},
		byID:   map[sessionID]*session{},
		byConn: map[connKey]*session{},
	}
	s.sql = newSQLServer(s)
	opts := []grpc.ServerOption{
		grpc.ForceServerCodecV2(newFlightCodec()), // see doget.go
		grpc.MaxRecvMsgSize(cfg.MaxMessageSize),
		grpc.MaxSendMsgSize(cfg.MaxMessageSize),
		grpc.ChainUnaryInterceptor(s.unaryInterceptor),
		grpc.ChainStreamInterceptor(s.streamInterceptor),
		grpc.StatsHandler(connTracker{s}),
		// Find dead peers, so their connections' sessions close.
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: time.Minute, Timeout: 20 * time.Second}),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
	}
	if cfg.TLS != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(cfg.TLS)))
	}
	s.grpc = grpc.NewServer(opts...)
	flight.RegisterFlightServiceServer(s.grpc, &flightService{
		FlightServer: flightsql.NewFlightServerWithAllocator(s.sql, s.mem),
		srv:          s,
	})
	return s, nil
}

// Listen binds addr ("host:port"; port 0 picks a free port) and returns
// the bound address.
func (s *Server) Listen(addr string) (net.Addr, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutdown {
		return nil, ErrServerClosed
	}
	if s.lis != nil {
		return s.lis.Addr(), nil
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s.lis = l
	s.log.Info().Str("addr", l.Addr().String()).Bool("tls", s.cfg.TLS != nil).
		Bool("auth", s.cfg.Auth != nil).Msg("Flight SQL listening")
	return l.Addr(), nil
}

// Serve accepts connections on the address Listen bound, until Shutdown.
// It returns ErrServerClosed after Shutdown.
func (s *Server) Serve() error {
	s.mu.Lock()
	l, shutdown := s.lis, s.shutdown
	if l == nil && !shutdown {
		s.mu.Unlock()
		return errors.New("flightsrv: Serve called before Listen")
	}
	s.serving = true
	s.mu.Unlock()
	if shutdown {
		return ErrServerClosed
	}
	go s.reap()
	err := s.grpc.Serve(l)
	s.mu.Lock()
	shutdown = s.shutdown
	s.mu.Unlock()
	if shutdown {
		return ErrServerClosed
	}
	return err
}

// Shutdown stops the server gracefully: it stops accepting connections and
// waits for calls in progress to finish. If ctx ends first, the remaining
// calls are cancelled and Shutdown returns ctx's error. Every session is
// then closed, which rolls back open transactions.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.shutdown = true
	s.mu.Unlock()
	s.doneOnce.Do(func() { close(s.done) })

	stopped := make(chan struct{})
	go func() {
		s.grpc.GracefulStop()
		close(stopped)
	}()
	var err error
	select {
	case <-stopped:
	case <-ctx.Done():
		err = ctx.Err()
		s.closeSessions() // cancels running statements, so streams end
		s.grpc.Stop()
		<-stopped
	}
	s.closeSessions()
	return err
}

func (s *Server) closeSessions() {
	s.mu.Lock()
	all := make([]*session, 0, len(s.byID))
	for _, ss := range s.byID {
		all = append(all, ss)
	}
	clear(s.byID)
	clear(s.byKey)
	clear(s.byConn)
	s.mu.Unlock()
	for _, ss := range all {
		ss.close()
	}
}

// reap closes sessions idle for longer than SessionIdleTimeout.
func (s *Server) reap() {
	every := min(s.cfg.SessionIdleTimeout/4, time.Minute)
	t := time.NewTicker(max(every, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case now := <-t.C:
			s.reapIdle(now)
		}
	}
}

func (s *Server) reapIdle(now time.Time) {
	var idle []*session
	s.mu.Lock()
	for _, ss := range s.byID {
		if ss.active == 0 && now.Sub(ss.lastUsed) > s.cfg.SessionIdleTimeout {
			s.forget(ss)
			idle = append(idle, ss)
		}
	}
	s.mu.Unlock()
	for _, ss := range idle {
		ss.log.Debug().Msg("session idle timeout")
		ss.close()
	}
}

// forget removes a session from the registry. s.mu must be held.
func (s *Server) forget(ss *session) {
	delete(s.byID, ss.id)
	if s.byKey[ss.key] == ss {
		delete(s.byKey, ss.key)
	}
	if s.byConn[ss.bound] == ss {
		delete(s.byConn, ss.bound)
	}
}

// release ends a call's use of a session.
func (s *Server) release(ss *session) {
	s.mu.Lock()
	ss.active--
	ss.lastUsed = time.Now()
	s.mu.Unlock()
}

// connClosed closes the sessions of a gRPC connection that ended, except
// those the client also reached by token or cookie: it may come back to
// them on another connection.
func (s *Server) connClosed(id uint64) {
	var closing []*session
	s.mu.Lock()
	for k, ss := range s.byConn {
		if k.id != id {
			continue
		}
		delete(s.byConn, k)
		ss.bound = connKey{}
		if !ss.claimed {
			s.forget(ss)
			closing = append(closing, ss)
		}
	}
	s.mu.Unlock()
	for _, ss := range closing {
		ss.log.Debug().Msg("connection closed")
		ss.close()
	}
}

// connTracker numbers gRPC connections and reports their end.
type connTracker struct{ s *Server }

type connIDKey struct{}

func connIDFrom(ctx context.Context) uint64 {
	id, _ := ctx.Value(connIDKey{}).(uint64)
	return id
}

// TagConn gives the connection a number, which its calls' contexts carry.
func (t connTracker) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context {
	return context.WithValue(ctx, connIDKey{}, t.s.lastConn.Add(1))
}

// HandleConn closes the connection's sessions when it ends.
func (t connTracker) HandleConn(ctx context.Context, st stats.ConnStats) {
	if _, ok := st.(*stats.ConnEnd); ok {
		t.s.connClosed(connIDFrom(ctx))
	}
}

// TagRPC returns ctx.
func (connTracker) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context { return ctx }

// HandleRPC does nothing.
func (connTracker) HandleRPC(context.Context, stats.RPCStats) {}

// sessionCount returns the number of open sessions.
func (s *Server) sessionCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byID)
}

// flightService is the Flight service: arrow-go's Flight SQL router, with
// Handshake and the DoGet of statements (doget.go) answered here.
type flightService struct {
	flight.FlightServer
	srv *Server
}

// Handshake authenticates a client and returns its bearer token.
func (f *flightService) Handshake(stream flight.FlightService_HandshakeServer) error {
	return f.srv.handshake(stream)
}
