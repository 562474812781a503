package handshake

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"net"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/quiverdb/quiver/pgerror"
)

// Defaults for the zero fields of Config.
const (
	// DefaultServerVersion is the server_version reported to clients: a
	// PostgreSQL version that libpq (which reads the leading numbers), pgjdbc
	// and psql parse. quiver's own identity belongs in version(), not here.
	DefaultServerVersion = "15.0"
	// DefaultStartupTimeout is PostgreSQL's authentication_timeout.
	DefaultStartupTimeout = time.Minute
	// DefaultMaxMessageSize is PostgreSQL's PQ_LARGE_MESSAGE_LIMIT, the
	// largest message body a session accepts.
	DefaultMaxMessageSize = 1<<30 - 1
)

// Config configures the handshake. A zero Config is usable: trust
// authentication and the defaults above.
type Config struct {
	// Auth authenticates clients; nil means Trust.
	Auth AuthMethod
	// ServerVersion is reported as server_version; "" means
	// DefaultServerVersion.
	ServerVersion string
	// StartupTimeout bounds the whole handshake, as PostgreSQL's
	// authentication_timeout does; 0 means DefaultStartupTimeout. A client
	// that has not finished by then is disconnected without a message.
	StartupTimeout time.Duration
	// MaxMessageSize is the largest message body the session layer should
	// accept after the handshake (see MaxMessage). The startup packet has its
	// own fixed limit of 10000 bytes, as in PostgreSQL.
	MaxMessageSize int
	// TLS, when set, enables TLS: SSLRequest is answered 'S' and the
	// handshake goes on over TLS, and a connection that opens with a TLS
	// ClientHello offering ALPN "postgresql" (PostgreSQL 17's direct TLS,
	// libpq's sslnegotiation=direct) is accepted. ALPN "postgresql" is added
	// to NextProtos if missing. ClientAuth and ClientCAs verify client
	// certificates, which the Cert method then maps to users. nil answers
	// SSLRequest 'N'.
	TLS *tls.Config
	// RequireTLS refuses sessions that did not start TLS with FATAL 28000,
	// as a pg_hba.conf with only hostssl lines does.
	RequireTLS bool
	// Limiter, when set, slows down authentication after failures from the
	// same IP address (see AuthLimiter).
	Limiter *AuthLimiter
}

// Version returns the server_version to report.
func (c *Config) Version() string {
	if c == nil || c.ServerVersion == "" {
		return DefaultServerVersion
	}
	return c.ServerVersion
}

// MaxMessage returns the largest message body a session accepts.
func (c *Config) MaxMessage() int {
	if c == nil || c.MaxMessageSize <= 0 {
		return DefaultMaxMessageSize
	}
	return c.MaxMessageSize
}

func (c *Config) auth() AuthMethod {
	if c == nil || c.Auth == nil {
		return Trust
	}
	return c.Auth
}

func (c *Config) startupTimeout() time.Duration {
	if c == nil || c.StartupTimeout <= 0 {
		return DefaultStartupTimeout
	}
	return c.StartupTimeout
}

// Kind tells what a connection's first packets asked for.
type Kind int

const (
	// KindStartup is a session: Hello.Startup is set.
	KindStartup Kind = iota + 1
	// KindCancel is a CancelRequest: Hello.Cancel is set. The caller cancels
	// the matching session, if any, and closes the connection without a
	// reply, as PostgreSQL does.
	KindCancel
)

// String returns "startup" or "cancel".
func (k Kind) String() string {
	switch k {
	case KindStartup:
		return "startup"
	case KindCancel:
		return "cancel"
	}
	return "unknown"
}

// Hello is the outcome of a connection's first packets.
type Hello struct {
	Kind Kind
	// Conn is the connection the session continues on: the one passed in,
	// or a *tls.Conn over it once TLS was started.
	Conn    net.Conn
	Startup *Startup  // for KindStartup
	Cancel  CancelKey // for KindCancel
}

// Accept runs the handshake of a new connection: ReadStartup, then, for a
// StartupMessage, Authenticate. It returns after AuthenticationOk, or with a
// CancelRequest for the caller to route. On error the client has been sent
// the FATAL error PostgreSQL would send, if any, and the caller closes conn.
func Accept(ctx context.Context, conn net.Conn, cfg *Config) (*Hello, error) {
	h, err := ReadStartup(ctx, conn, cfg)
	if err != nil || h.Kind != KindStartup {
		return h, err
	}
	if err := Authenticate(ctx, h.Conn, cfg, h.Startup); err != nil {
		return nil, err
	}
	return h, nil
}

// ReadStartup reads the packets that open a connection, as PostgreSQL's
// ProcessStartupPacket does:
//
//   - SSLRequest is answered 'S' when Config.TLS is set, and the TLS
//     handshake follows; without TLS it is answered 'N'. GSSENCRequest is
//     answered 'N'. Each may come at most once in a row, as PostgreSQL
//     allows; the next packet is read;
//   - a connection whose first byte starts a TLS record goes straight to
//     the TLS handshake when Config.TLS is set (PostgreSQL 17's direct
//     TLS); the client must negotiate ALPN "postgresql";
//   - a CancelRequest is returned as KindCancel;
//   - a StartupMessage for protocol 3.x is returned as KindStartup. A minor
//     version above 0, or "_pq_." options, are first answered with
//     NegotiateProtocolVersion (protocol 3.0 and the unrecognised options);
//     the session goes on in 3.0;
//   - any other protocol version gets FATAL 0A000 "unsupported frontend
//     protocol", in the pre-3.0 format for a pre-3.0 client;
//   - a StartupMessage without a user gets FATAL 28000.
//
// A packet whose length is out of range, an EOF and a timeout close the
// connection without a reply; the returned error says which.
func ReadStartup(ctx context.Context, conn net.Conn, cfg *Config) (*Hello, error) {
	defer watch(ctx, conn, cfg.startupTimeout())()
	tlsCfg := cfg.serverTLSConfig()
	sslDone, gssDone := false, false
	for first := true; ; first = false {
		hdr, err := readStartupHeader(conn)
		if err != nil {
			return nil, err
		}
		if first && hdr[0] == tlsRecordHandshake && tlsCfg != nil {
			tc, err := startTLS(ctx, &prefixConn{Conn: conn, prefix: hdr[:]}, tlsCfg, true)
			if err != nil {
				return nil, err
			}
			conn, sslDone, gssDone = tc, true, true
			continue
		}
		body, err := readStartupBody(conn, hdr)
		if err != nil {
			return nil, err
		}
		code := binary.BigEndian.Uint32(body)
		switch {
		case code == cancelRequestCode:
			key, ok := parseCancel(body)
			if !ok {
				return nil, errInvalidStartupLength
			}
			return &Hello{Kind: KindCancel, Conn: conn, Cancel: key}, nil
		case code == sslRequestCode && !sslDone && tlsCfg != nil:
			if _, err := conn.Write([]byte{'S'}); err != nil {
				return nil, err
			}
			tc, err := startTLS(ctx, conn, tlsCfg, false)
			if err != nil {
				return nil, err
			}
			// As PostgreSQL: no second SSLRequest nor a GSSENCRequest
			// inside TLS.
			conn, sslDone, gssDone = tc, true, true
			continue
		case code == sslRequestCode && !sslDone:
			if _, err := conn.Write([]byte{'N'}); err != nil {
				return nil, err
			}
			// PostgreSQL goes on with ssl_done set and gss_done reset (it
			// is set only when SSL was accepted): a GSSENCRequest may follow.
			sslDone, gssDone = true, false
			continue
		case code == gssEncRequestCode && !gssDone:
			if _, err := conn.Write([]byte{'N'}); err != nil {
				return nil, err
			}
			sslDone, gssDone = false, true
			continue
		}
		major, minor := code>>16, code&0xffff
		if major != 3 {
			e := pgerror.Fatal(pgerror.FeatureNotSupported,
				"unsupported frontend protocol %d.%d: server supports 3.0 to 3.0", major, minor)
			if major < 3 {
				_ = writeV2Error(conn, e)
			} else {
				_ = WriteError(conn, e)
			}
			return nil, e
		}
		s, unrecognized, err := parseStartup(body)
		if err != nil {
			_ = WriteError(conn, err)
			return nil, err
		}
		s.ProtocolMajor, s.ProtocolMinor, s.RequestedMinor = 3, 0, uint16(minor)
		s.TLS = tlsState(conn)
		w := writer{w: conn}
		if minor > 0 || len(unrecognized) > 0 {
			// PostgreSQL sends its whole newest version number here,
			// 196608 for 3.0; libpq 18 and pgx read it that way.
			w.send(&pgproto3.NegotiateProtocolVersion{
				NewestMinorProtocol: pgproto3.ProtocolVersion30,
				UnrecognizedOptions: unrecognized,
			})
		}
		if err := s.checkNames(); err != nil {
			w.send(ErrorResponse(err))
			_ = w.flush()
			return nil, err
		}
		if len(w.buf) > 0 {
			if err := w.flush(); err != nil {
				return nil, err
			}
		}
		return &Hello{Kind: KindStartup, Conn: conn, Startup: s}, nil
	}
}

// Authenticate runs cfg's AuthMethod for s, sends AuthenticationOk, and then
// checks the run-time settings the client asked for, as PostgreSQL does
// after authentication: s.Settings is filled in, and a value quiver cannot
// honour gets FATAL (22023 for a bad value, 55P02 for a read-only parameter,
// 42601 for a bad options switch). On error the client has been sent the
// error and the caller closes conn.
func Authenticate(ctx context.Context, conn net.Conn, cfg *Config, s *Startup) error {
	defer watch(ctx, conn, cfg.startupTimeout())()
	ex := &AuthExchange{Startup: s, conn: conn, w: writer{w: conn}}
	if cfg != nil {
		ex.tls = cfg.TLS
	}
	if err := cfg.authenticate(ctx, ex); err != nil {
		if ctx.Err() == nil && !IsDisconnect(err) && !isTimeout(err) {
			ex.w.buf = ex.w.buf[:0]
			ex.w.err = nil
			ex.w.send(ErrorResponse(fatal(err)))
			_ = ex.w.flush()
		}
		return err
	}
	ex.w.send(&pgproto3.AuthenticationOk{})
	settings, err := s.settings()
	if err == nil {
		err = checkSettings(settings)
	}
	if err != nil {
		ex.w.send(ErrorResponse(err))
		_ = ex.w.flush()
		return err
	}
	s.Settings = settings
	return ex.w.flush()
}

// authenticate checks encryption, waits out the limiter, and runs the
// method, recording its failure.
func (c *Config) authenticate(ctx context.Context, ex *AuthExchange) error {
	if err := checkEncryption(c, ex.conn, ex.Startup); err != nil {
		return err
	}
	var limiter *AuthLimiter
	if c != nil {
		limiter = c.Limiter
	}
	ip := remoteHost(ex.conn)
	if err := limiter.wait(ctx, ip); err != nil {
		return err
	}
	err := c.auth().Authenticate(ctx, ex)
	if err != nil && isAuthFailure(err) {
		limiter.failed(ip)
	}
	return err
}

// fatal makes err's severity FATAL: every error during the handshake ends
// the connection.
func fatal(err error) *pgerror.Error {
	e := pgerror.Flatten(err)
	e.Severity = "FATAL"
	return e
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// watch bounds conn's reads and writes by timeout and by ctx, and returns the
// function that lifts both bounds.
func watch(ctx context.Context, conn net.Conn, timeout time.Duration) func() {
	_ = conn.SetDeadline(time.Now().Add(timeout))
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		_ = conn.SetDeadline(time.Unix(1, 0))
		close(fired)
	})
	return func() {
		if stop() {
			_ = conn.SetDeadline(time.Time{})
		} else {
			<-fired // so that a caller's later deadline is not overwritten
		}
	}
}
