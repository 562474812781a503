// Package flightsql is quiver's Arrow Flight SQL backend: with
// --backend grpc://HOST:PORT or grpc+tls://HOST:PORT, quiver runs its
// clients' statements on any Flight SQL server and streams the server's
// Arrow record batches back to them.
//
// It is the generic ADBC core (package adbcbackend) on the ADBC Flight SQL
// driver, plus what only Flight SQL knows: TLS and call options, the
// credentials modes, gRPC status codes as SQLSTATEs, the FlightInfo's
// "ordered" flag, CancelFlightInfo, and the server's SqlInfo. See
// adbcbackend for how statements, prepared statements, transactions,
// failures and cancellation behave.
//
// # Flight SQL specifics
//
//   - Each session is one ADBC connection, which is one gRPC connection. A
//     result whose FlightInfo lists several endpoints is read with up to
//     Options.MaxConcurrency DoGet streams at once, following each
//     endpoint's locations with the session's credentials (the ADBC
//     driver's location cache); batches keep the endpoints' order when the
//     FlightInfo is "ordered" and arrive as they come otherwise. The ADBC
//     driver's own ExecuteQuery reader also reads endpoints in parallel and
//     in order, but opens all of them at once, so it is not used.
//   - Credentials: none; a fixed bearer token; or pass-through, where each
//     session logs in with the client's user name and password (the Flight
//     basic-auth handshake) and keeps the bearer token the server returns.
//     A refused login is SQLSTATE 28P01. The session keeps the password,
//     to log in again when it reconnects.
//   - Transactions are used when the server's SqlInfo
//     FLIGHT_SQL_SERVER_TRANSACTION says it has them.
//   - The server is asked once per session, at open, for its SqlInfo; a
//     server that cannot be reached then fails the session with 08001. A
//     server that goes away later fails the statement running (08006); the
//     next statement connects again.
//   - Cancelling a statement's context cancels its gRPC calls and sends
//     CancelFlightInfo for its FlightInfo, unless the server answered
//     Unimplemented once before.
package flightsql

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/apache/arrow-adbc/go/adbc"
	adbcflightsql "github.com/apache/arrow-adbc/go/adbc/driver/flightsql"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/backends/flightsql/adbcbackend"
	"github.com/quiverdb/quiver/pgerror"
)

// Credentials selects how sessions authenticate to the server.
type Credentials uint8

// Values of Credentials.
const (
	// CredentialsNone sends no credentials.
	CredentialsNone Credentials = iota
	// CredentialsPassThrough logs each session in with the user name and
	// password its client gave (backends.SessionInfo), by the Flight
	// basic-auth handshake, and sends the bearer token the server returns
	// with the session's calls. The frontend must ask clients for a
	// cleartext password.
	CredentialsPassThrough
	// CredentialsToken sends Options.Token as a bearer token.
	CredentialsToken
)

// Defaults for Options.
const (
	DefaultMaxMessageSize = 64 << 20
	DefaultConnectTimeout = 10 * time.Second
)

// Options configures a Backend. The zero value is usable.
type Options struct {
	// CAFile is a PEM file of the certificate authorities trusted for
	// grpc+tls. Empty means the system's.
	CAFile string
	// SkipVerify accepts any server certificate (grpc+tls). For tests.
	SkipVerify bool
	// Headers are sent with every call, e.g. a tenant or routing header.
	Headers map[string]string
	// ConnectTimeout bounds establishing a connection. Zero means
	// DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// CallTimeout bounds each call that starts or changes work: planning a
	// query (GetFlightInfo), updates and parameter binding (DoPut),
	// actions such as preparing a statement or ending a transaction
	// (DoAction). It does not bound reading a result, which the statement's
	// context governs. Zero means no limit.
	CallTimeout time.Duration
	// MaxMessageSize is the largest gRPC message sent or received. Zero
	// means DefaultMaxMessageSize (gRPC's own 4 MiB, or the ADBC driver's
	// 16 MiB, is too small for large record batches).
	MaxMessageSize int
	// Credentials selects how sessions authenticate.
	Credentials Credentials
	// Token is the bearer token for CredentialsToken.
	Token string
	// MaxConcurrency is how many endpoints of one result are read at once.
	// Zero means 4.
	MaxConcurrency int
	// QueueSize is how many record batches each endpoint being read may
	// buffer ahead of the caller. Zero means 4.
	QueueSize int
	// Allocator allocates the record batches read from the server. Nil
	// means memory.DefaultAllocator.
	Allocator memory.Allocator
}

// Session is a Flight SQL session. Besides backends.Session it has
// Tables, TransactionsSupported and Notices.
type Session = adbcbackend.Session

// Table is a table the server lists, with its Arrow schema.
type Table = adbcbackend.Table

// ErrTransactionsNotSupported is the notice queued by BEGIN on a server
// without transactions; see Session.Notices.
var ErrTransactionsNotSupported = adbcbackend.ErrTransactionsNotSupported

// Backend is a Flight SQL server. It is safe for concurrent use.
type Backend struct {
	core   *adbcbackend.Backend
	opts   Options
	target string

	driver   adbcflightsql.Driver
	dbOpts   map[string]string
	dialOpts []grpc.DialOption
	shared   adbc.Database // the ADBC database of every session, unless pass-through
	aux      *aux
	md       metadata.MD // Options.Headers, and the token
}

var _ backends.Backend = (*Backend)(nil)

// Open returns a Backend for the Flight SQL server at uri,
// grpc://HOST:PORT or grpc+tls://HOST:PORT (grpc+tcp:// is grpc://). It
// does not connect: sessions do, and Ping checks the server answers.
func Open(uri string, opts Options) (*Backend, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return nil, fmt.Errorf("flightsql: backend URI: %w", err)
	}
	useTLS := false
	switch u.Scheme {
	case "grpc", "grpc+tcp":
		if opts.CAFile != "" || opts.SkipVerify {
			return nil, fmt.Errorf("flightsql: a CA file or skipping verification needs grpc+tls://, not %s://", u.Scheme)
		}
	case "grpc+tls":
		useTLS = true
	default:
		return nil, fmt.Errorf("flightsql: backend URI %q: the scheme must be grpc or grpc+tls", uri)
	}
	if u.Host == "" || u.Port() == "" || (u.Path != "" && u.Path != "/") {
		return nil, fmt.Errorf("flightsql: backend URI %q: want %s://HOST:PORT", uri, u.Scheme)
	}
	if opts.Credentials == CredentialsToken && opts.Token == "" {
		return nil, errors.New("flightsql: token credentials without a token")
	}
	if opts.MaxMessageSize <= 0 {
		opts.MaxMessageSize = DefaultMaxMessageSize
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = DefaultConnectTimeout
	}
	if opts.Allocator == nil {
		opts.Allocator = memory.DefaultAllocator
	}

	b := &Backend{opts: opts, target: u.Host, driver: adbcflightsql.NewDriver(opts.Allocator), md: metadata.MD{}}
	seconds := func(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) }
	b.dbOpts = map[string]string{
		adbc.OptionKeyURI:                  u.Scheme + "://" + u.Host,
		adbcflightsql.OptionWithMaxMsgSize: strconv.Itoa(opts.MaxMessageSize),
		adbcflightsql.OptionTimeoutConnect: seconds(opts.ConnectTimeout),
	}
	if opts.CallTimeout > 0 {
		b.dbOpts[adbcflightsql.OptionTimeoutQuery] = seconds(opts.CallTimeout)
		b.dbOpts[adbcflightsql.OptionTimeoutUpdate] = seconds(opts.CallTimeout)
	}
	for k, v := range opts.Headers {
		b.dbOpts[adbcflightsql.OptionRPCCallHeaderPrefix+k] = v
		b.md.Append(k, v)
	}
	creds := insecure.NewCredentials()
	if useTLS {
		cfg := &tls.Config{InsecureSkipVerify: opts.SkipVerify}
		if opts.SkipVerify {
			b.dbOpts[adbcflightsql.OptionSSLSkipVerify] = adbc.OptionValueEnabled
		}
		if opts.CAFile != "" {
			pem, err := os.ReadFile(opts.CAFile)
			if err != nil {
				return nil, fmt.Errorf("flightsql: CA file: %w", err)
			}
			cfg.RootCAs = x509.NewCertPool()
			if !cfg.RootCAs.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("flightsql: CA file %s holds no PEM certificate", opts.CAFile)
			}
			b.dbOpts[adbcflightsql.OptionSSLRootCerts] = string(pem)
		}
		creds = credentials.NewTLS(cfg)
	}
	if opts.Credentials == CredentialsToken {
		b.dbOpts[adbcflightsql.OptionAuthorizationHeader] = "Bearer " + opts.Token
		b.md.Set("authorization", "Bearer "+opts.Token)
	}
	b.dialOpts = []grpc.DialOption{
		grpc.WithConnectParams(grpc.ConnectParams{Backoff: reconnectBackoff, MinConnectTimeout: opts.ConnectTimeout}),
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(flightDataCodec{})),
	}
	if b.aux, err = newAux(u.Host, creds, opts.MaxMessageSize, opts.ConnectTimeout, opts.Allocator); err != nil {
		return nil, fmt.Errorf("flightsql: %w", err)
	}
	if opts.Credentials != CredentialsPassThrough {
		if b.shared, err = b.driver.NewDatabaseWithOptions(b.dbOpts, b.dialOpts...); err != nil {
			b.aux.close()
			return nil, fmt.Errorf("flightsql: %w", err)
		}
	}
	b.core, err = adbcbackend.New(adbcbackend.Config{
		Name:           "flightsql",
		Connector:      connector{b},
		MapError:       mapError,
		IsBroken:       isBroken,
		MaxConcurrency: opts.MaxConcurrency,
		QueueSize:      opts.QueueSize,
		Allocator:      opts.Allocator,
	})
	if err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// Open starts a session. It implements backends.Backend.
func (b *Backend) Open(ctx context.Context, info backends.SessionInfo) (backends.Session, error) {
	return b.core.Open(ctx, info)
}

// Connect is Open with the concrete type, for callers that use Tables,
// TransactionsSupported or Notices.
func (b *Backend) Connect(ctx context.Context, info backends.SessionInfo) (*Session, error) {
	return b.core.Connect(ctx, info)
}

// Ping reports whether the server answers, waiting at most
// Options.ConnectTimeout for it. With pass-through credentials a server
// that asks for credentials has answered.
func (b *Backend) Ping(ctx context.Context) error {
	_, err := b.aux.transactions(ctx, b.md)
	if err == nil || (b.opts.Credentials == CredentialsPassThrough && grpcCodeIs(err, codes.Unauthenticated)) {
		return nil
	}
	return b.connectError(ctx, err)
}

// Close releases the backend. Sessions must be closed first; Close
// reports an error if some are still open.
func (b *Backend) Close() error {
	var errs []error
	if b.core != nil {
		errs = append(errs, b.core.Close())
	}
	if b.shared != nil {
		errs = append(errs, b.shared.Close())
	}
	errs = append(errs, b.aux.close())
	return errors.Join(errs...)
}

// connector opens the ADBC connections of sessions.
type connector struct{ b *Backend }

// Connect implements adbcbackend.Connector.
func (cn connector) Connect(ctx context.Context, info backends.SessionInfo) (*adbcbackend.Conn, error) {
	b := cn.b
	md := b.md.Copy()
	db := b.shared
	var onClose func() error
	if b.opts.Credentials == CredentialsPassThrough {
		token, err := b.aux.login(ctx, b.md, info.User, info.Password)
		if err != nil {
			if ctx.Err() == nil && (grpcCodeIs(err, codes.Unauthenticated) || grpcCodeIs(err, codes.PermissionDenied)) {
				return nil, wrapf(err, pgerror.InvalidPassword, "password authentication failed for user %q", info.User)
			}
			return nil, b.connectError(ctx, err)
		}
		md.Set("authorization", token)
		opts := maps.Clone(b.dbOpts)
		opts[adbcflightsql.OptionAuthorizationHeader] = token
		if db, err = b.driver.NewDatabaseWithOptions(opts, b.dialOpts...); err != nil {
			return nil, err
		}
		onClose = db.Close
	}
	fail := func(err error) (*adbcbackend.Conn, error) {
		if onClose != nil {
			onClose()
		}
		return nil, b.connectError(ctx, err)
	}
	tx, err := b.aux.transactions(ctx, md)
	if err != nil {
		return fail(err)
	}
	c, err := db.Open(ctx)
	if err != nil {
		return fail(err)
	}
	return &adbcbackend.Conn{
		Connection:   c,
		Transactions: tx,
		Ordered:      ordered,
		Cancel:       func(ctx context.Context, parts [][]byte) error { return b.aux.cancel(ctx, md, parts) },
		OnClose:      onClose,
	}, nil
}

// connectError maps a failure to open a session.
func (b *Backend) connectError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return err
	}
	switch code, _ := grpcCode(err); code {
	case codes.Unavailable, codes.DeadlineExceeded:
		return wrapf(err, pgerror.SQLClientUnableToEstablishConnection, "could not connect to the Flight SQL server at %s", b.target)
	case codes.Unauthenticated:
		return wrapf(err, pgerror.InvalidAuthorizationSpec, "the Flight SQL server refused the credentials")
	}
	if e := mapError(err); e != nil {
		return e
	}
	return err
}

func grpcCodeIs(err error, code codes.Code) bool {
	c, ok := grpcCode(err)
	return ok && c == code
}

// wrapf gives err a SQLSTATE and a message of its own, keeping what the
// server said as the detail.
func wrapf(err error, code, format string, args ...any) *pgerror.Error {
	e := pgerror.Wrap(err, code)
	e.Message = fmt.Sprintf(format, args...)
	if m := mapError(err); m != nil {
		e.Detail = m.Message
	} else {
		e.Detail = err.Error()
	}
	return e
}
