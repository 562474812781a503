package flightsrv

import (
	"context"
	"encoding/base64"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/flight"
	flightsession "github.com/apache/arrow-go/v18/arrow/flight/session"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

// Authenticator checks a client's credentials.
type Authenticator interface {
	// Authenticate checks user and password and returns the SessionInfo
	// the client's sessions are opened with. For pass-through to
	// PostgreSQL it carries the user and password, which the postgres
	// backend's Open then presents. An error fails the call with
	// Unauthenticated, or with the code of its SQLSTATE when it has one
	// outside class 28 (a backend that cannot be reached is Unavailable).
	Authenticate(ctx context.Context, user, password string) (backends.SessionInfo, error)
}

// CookieName is the session cookie, arrow-go's stateful session cookie.
const CookieName = flightsession.StatefulSessionCookieName

// call is the state of one RPC: who the client is and the sessions the
// call uses. Sessions are acquired on first use and released when the RPC
// ends.
type call struct {
	srv *Server
	// conn numbers the gRPC connection.
	conn uint64
	// key is the token or cookie the client presented, if any.
	key string
	// ident is the authenticated client when Config.Auth is set.
	ident *backends.SessionInfo
	// def is the session found by key or created for the call.
	def  *session
	held []*session
}

type callKey struct{}

func callFrom(ctx context.Context) *call {
	c, _ := ctx.Value(callKey{}).(*call)
	return c
}

func (s *Server) unaryInterceptor(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
	c, err := s.newCall(ctx, false)
	if err != nil {
		return nil, err
	}
	defer c.finish(info.FullMethod, &err)
	defer s.recoverCall(info.FullMethod, &err)
	return handler(context.WithValue(ctx, callKey{}, c), req)
}

func (s *Server) streamInterceptor(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
	c, err := s.newCall(ss.Context(), strings.HasSuffix(info.FullMethod, "/Handshake"))
	if err != nil {
		return err
	}
	defer c.finish(info.FullMethod, &err)
	defer s.recoverCall(info.FullMethod, &err)
	return handler(srv, &callStream{ServerStream: ss, ctx: context.WithValue(ss.Context(), callKey{}, c)})
}

// recoverCall turns a panic in a handler into an Internal error.
func (s *Server) recoverCall(method string, err *error) {
	if r := recover(); r != nil {
		s.log.Error().Str("method", method).Interface("panic", r).Bytes("stack", debug.Stack()).Msg("panic in Flight SQL call")
		*err = status.Errorf(codes.Internal, "internal error in %s", method)
	}
}

type callStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (c *callStream) Context() context.Context { return c.ctx }

// newCall reads the client's credentials. For Handshake it only records
// them; Handshake itself authenticates.
func (s *Server) newCall(ctx context.Context, handshake bool) (*call, error) {
	c := &call{srv: s, conn: connIDFrom(ctx)}
	md, _ := metadata.FromIncomingContext(ctx)
	scheme, cred := authHeader(md)
	if strings.EqualFold(scheme, "bearer") {
		c.key = cred
	} else if ck, err := flightsession.GetIncomingCookieByName(ctx, CookieName); err == nil {
		c.key = ck.Value
	}
	if s.cfg.Auth == nil || handshake {
		return c, nil
	}
	switch {
	case strings.EqualFold(scheme, "bearer"):
		s.mu.Lock()
		ss := s.byKey[cred]
		if ss != nil {
			ss.claimed = true
			c.use(ss)
			c.ident = &ss.info
		}
		s.mu.Unlock()
		if ss == nil {
			return nil, status.Error(codes.Unauthenticated, "invalid or expired bearer token: authenticate again")
		}
		return c, nil
	case strings.EqualFold(scheme, "basic"):
		user, password, err := decodeBasic(cred)
		if err != nil {
			return nil, err
		}
		info, err := s.authenticate(ctx, user, password)
		if err != nil {
			return nil, err
		}
		c.ident = &info
		return c, nil
	}
	return nil, status.Error(codes.Unauthenticated, "authentication required: send Basic credentials or a bearer token")
}

func authHeader(md metadata.MD) (scheme, cred string) {
	vals := md.Get("authorization")
	if len(vals) == 0 {
		return "", ""
	}
	scheme, cred, _ = strings.Cut(strings.TrimSpace(vals[0]), " ")
	return scheme, strings.TrimLeft(cred, " ")
}

func decodeBasic(cred string) (user, password string, err error) {
	raw, err := base64.StdEncoding.DecodeString(cred)
	if err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(cred)
		if err != nil {
			return "", "", status.Error(codes.Unauthenticated, "invalid Basic credentials encoding")
		}
	}
	user, password, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", "", status.Error(codes.Unauthenticated, "invalid Basic credentials")
	}
	return user, password, nil
}

// authenticate runs the Authenticator, mapping its errors to statuses.
func (s *Server) authenticate(ctx context.Context, user, password string) (backends.SessionInfo, error) {
	info, err := s.cfg.Auth.Authenticate(ctx, user, password)
	if err != nil {
		s.log.Info().Str("user", user).Err(err).Msg("Flight SQL authentication failed")
		return info, authStatus(err)
	}
	if info.User == "" {
		info.User = user
	}
	return info, nil
}

// authStatus is the status for a failed authentication or a failed first
// connection: Unauthenticated unless the error's SQLSTATE says otherwise.
func authStatus(err error) error {
	if _, ok := status.FromError(err); ok {
		return err
	}
	pe := pgerror.Flatten(err)
	code := grpcCode(pe.Code)
	if pe.Code == pgerror.InternalError || code == codes.Unknown {
		code = codes.Unauthenticated
	}
	return sqlStatus(code, pe)
}

// finish logs a failed call at debug level and releases the sessions the
// call used.
func (c *call) finish(method string, err *error) {
	if *err != nil {
		log := c.srv.log
		if c.def != nil {
			log = c.def.log
		}
		if e := log.Debug(); e.Enabled() {
			st, _ := status.FromError(*err)
			e.Str("method", method).Str("code", st.Code().String()).Str("error", st.Message()).Msg("call failed")
		}
	}
	for _, ss := range c.held {
		c.srv.release(ss)
	}
}

// session returns the call's session: the one its token or cookie names,
// else the one of its gRPC connection, else a new one, bound to the
// connection, whose token and cookie are sent in the response headers.
func (c *call) session(ctx context.Context) (*session, error) {
	if c.def != nil {
		return c.def, nil
	}
	s := c.srv
	s.mu.Lock()
	if ss := c.existing(); ss != nil {
		if c.key != "" {
			ss.claimed = true
		}
		c.use(ss)
		s.mu.Unlock()
		if c.key == "" {
			// Repeated until the client presents the key: the headers
			// of some calls (a DoPut it stops reading) go unread.
			c.announce(ctx, ss)
		}
		return ss, nil
	}
	s.mu.Unlock()
	// A client that sent a key keeps keys: it will come back by the new
	// one, on whatever connection.
	return c.newSession(ctx, c.key == "")
}

// existing returns the session the call's key names, else the one of its
// connection when it sent no key, or nil. Server.mu must be held.
func (c *call) existing() *session {
	if c.key != "" {
		if ss := c.srv.byKey[c.key]; ss != nil && c.allowed(ss) {
			return ss
		}
		return nil
	}
	return c.srv.byConn[connKey{id: c.conn, user: c.user()}]
}

// newSession opens a session for the caller, bound to its connection when
// bind is set, and announces its key.
func (c *call) newSession(ctx context.Context, bind bool) (*session, error) {
	s := c.srv
	var info backends.SessionInfo
	if c.ident != nil {
		info = *c.ident
	}
	ss := newSession(s, newKey(), info)
	s.mu.Lock()
	if s.shutdown {
		s.mu.Unlock()
		return nil, status.Error(codes.Unavailable, "server is shutting down")
	}
	ck := connKey{id: c.conn, user: info.User}
	if bind && c.conn != 0 && s.byConn[ck] == nil {
		ss.bound = ck
		s.byConn[ck] = ss
	} else {
		ss.claimed = true
	}
	s.byID[ss.id] = ss
	s.byKey[ss.key] = ss
	c.use(ss)
	s.mu.Unlock()
	ss.log.Debug().Msg("session opened")
	c.announce(ctx, ss)
	return ss, nil
}

// use acquires ss for the call. Server.mu must be held.
func (c *call) use(ss *session) {
	ss.active++
	c.held = append(c.held, ss)
	if c.def == nil {
		c.def = ss
	}
}

// user is the authenticated user, or "".
func (c *call) user() string {
	if c.ident == nil {
		return ""
	}
	return c.ident.User
}

// announce sends a new session's key in the response headers, as a cookie
// and as a bearer token, so that clients keeping either come back to it.
func (c *call) announce(ctx context.Context, ss *session) {
	_ = grpc.SetHeader(ctx, metadata.Pairs(
		"set-cookie", (&http.Cookie{Name: CookieName, Value: ss.key}).String(),
		"authorization", "Bearer "+ss.key))
}

// allowed reports whether the caller may use ss: always without
// authentication, else only as the user the session is for.
func (c *call) allowed(ss *session) bool {
	return c.srv.cfg.Auth == nil || (c.ident != nil && c.ident.User == ss.info.User)
}

// sessionByID returns the session a handle names, acquired for the call.
func (c *call) sessionByID(id sessionID) (*session, error) {
	if c.def != nil && c.def.id == id {
		return c.def, nil
	}
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.byID[id]
	if ss == nil || !c.allowed(ss) {
		return nil, errNoSession
	}
	ss.active++
	c.held = append(c.held, ss)
	return ss, nil
}

var errNoSession = pgerror.New(pgerror.InvalidParameterValue, "the session this handle belongs to has expired or was closed")

// sessionForTxn returns the session of a request: the transaction's when
// txnID is set, else the call's.
func (c *call) sessionForTxn(ctx context.Context, txnID []byte) (*session, error) {
	if len(txnID) == 0 {
		return c.session(ctx)
	}
	h, _, err := parseHandle(txnID, kindTxn)
	if err != nil {
		return nil, err
	}
	ss, err := c.sessionByID(h.sess)
	if err != nil {
		return nil, errNoTxn
	}
	return ss, nil
}

// handshake authenticates with the Basic credentials in the headers (or
// with none, when authentication is off), opens a session and returns its
// bearer token in the "authorization" response header, as arrow-go's and
// the JDBC driver's Basic authentication expect. Opening the backend
// connection here makes pass-through credentials fail at the handshake.
func (s *Server) handshake(stream flight.FlightService_HandshakeServer) error {
	ctx := stream.Context()
	c := callFrom(ctx)
	md, _ := metadata.FromIncomingContext(ctx)
	scheme, cred := authHeader(md)
	var info backends.SessionInfo
	if s.cfg.Auth != nil {
		if !strings.EqualFold(scheme, "basic") {
			return status.Error(codes.Unauthenticated, "Handshake needs Basic credentials")
		}
		user, password, err := decodeBasic(cred)
		if err != nil {
			return err
		}
		if info, err = s.authenticate(ctx, user, password); err != nil {
			return err
		}
	}
	c.ident = &info
	ss, err := c.newSession(ctx, false)
	if err != nil {
		return err
	}
	if _, err := ss.mainConn(ctx); err != nil {
		s.mu.Lock()
		s.forget(ss)
		s.mu.Unlock()
		go ss.close()
		return authStatus(err)
	}
	// The token is in the headers announce set.
	return stream.Send(&flight.HandshakeResponse{})
}

// connForTxn returns the session and connection of a request's
// transaction id (the autocommit connection when it is empty), with the
// transaction's object number.
func (c *call) connForTxn(ctx context.Context, txnID []byte) (*session, *conn, uint64, error) {
	ss, err := c.sessionForTxn(ctx, txnID)
	if err != nil {
		return nil, nil, 0, err
	}
	cn, obj, err := ss.connFor(ctx, txnID)
	if err != nil {
		return nil, nil, 0, err
	}
	return ss, cn, obj, nil
}
