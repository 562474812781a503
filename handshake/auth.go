package handshake

import (
	"context"
	"crypto/tls"
	"net"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/quiverdb/quiver/pgerror"
)

// AuthMethod authenticates a client after its StartupMessage, as a pg_hba.conf
// method does. See
// https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-START-UP
// and https://www.postgresql.org/docs/current/auth-methods.html.
//
// Authenticate runs the method's exchange through ex: it sends the
// Authentication request messages (AuthenticationCleartextPassword,
// AuthenticationMD5Password, AuthenticationSASL and its continuations) and
// reads the client's answers with ex.Receive. It must not send
// AuthenticationOk: Authenticate sends it when the method returns nil. A
// method that learns the password stores it in ex.Startup.Password. An error
// is sent to the client as a FATAL ErrorResponse (PostgreSQL uses 28P01,
// `password authentication failed for user "name"`, for a wrong password)
// and ends the connection. The connection's deadline is already set from
// Config.StartupTimeout; ctx is cancelled when the server closes.
type AuthMethod interface {
	// Name is the method's name as pg_hba.conf spells it: "trust",
	// "password", "md5", "scram-sha-256", "cert".
	Name() string
	Authenticate(ctx context.Context, ex *AuthExchange) error
}

// Trust accepts every client without asking for a password, as pg_hba.conf's
// trust method does.
var Trust AuthMethod = trust{}

type trust struct{}

func (trust) Name() string                                      { return "trust" }
func (trust) Authenticate(context.Context, *AuthExchange) error { return nil }

// AuthExchange is an AuthMethod's view of the connection during
// authentication.
type AuthExchange struct {
	// Startup is what the client asked for; the method may set Password.
	Startup *Startup
	conn    net.Conn
	w       writer
	tls     *tls.Config // the server's, for channel binding
}

// Send queues msg, an Authentication request, for the client.
func (ex *AuthExchange) Send(msg pgproto3.BackendMessage) { ex.w.send(msg) }

// Flush writes the queued messages.
func (ex *AuthExchange) Flush() error { return ex.w.flush() }

// Receive flushes the queued messages and reads the client's next
// authentication message ('p'), decoded for authType (one of pgproto3's
// AuthType constants, naming the request it answers): a PasswordMessage, a
// SASLInitialResponse, a SASLResponse or a GSSResponse. It reads exactly one
// message, so nothing the client sent after it is consumed.
func (ex *AuthExchange) Receive(authType uint32) (pgproto3.FrontendMessage, error) {
	if err := ex.Flush(); err != nil {
		return nil, err
	}
	typ, body, err := readMessage(ex.conn, maxAuthMessageLen)
	if err != nil {
		return nil, err
	}
	if typ != 'p' {
		return nil, pgerror.Fatal(pgerror.ProtocolViolation, "expected password response, got message type %d", typ)
	}
	var msg pgproto3.FrontendMessage
	switch authType {
	case pgproto3.AuthTypeSASL:
		msg = &pgproto3.SASLInitialResponse{}
	case pgproto3.AuthTypeSASLContinue, pgproto3.AuthTypeSASLFinal:
		msg = &pgproto3.SASLResponse{}
	case pgproto3.AuthTypeGSS, pgproto3.AuthTypeGSSCont:
		msg = &pgproto3.GSSResponse{}
	default:
		msg = &pgproto3.PasswordMessage{}
	}
	if err := msg.Decode(body); err != nil {
		return nil, pgerror.Fatal(pgerror.ProtocolViolation, "invalid password packet: %v", err)
	}
	return msg, nil
}
