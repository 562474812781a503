package handshake

import (
	"context"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/quiverdb/quiver/pgerror"
)

// PassThrough asks the client for its password in cleartext and keeps it in
// Startup.Password without checking it: the backend checks it when the
// session opens (Flight SQL basic auth, or PostgreSQL's own authentication)
// and a wrong one fails there with 28P01. Use it over TLS: the password
// crosses the client's connection in the clear.
var PassThrough AuthMethod = passThrough{}

type passThrough struct{}

func (passThrough) Name() string { return "password" }

func (passThrough) Authenticate(_ context.Context, ex *AuthExchange) error {
	ex.Send(&pgproto3.AuthenticationCleartextPassword{})
	msg, err := ex.Receive(pgproto3.AuthTypeCleartextPassword)
	if err != nil {
		return err
	}
	pw, ok := msg.(*pgproto3.PasswordMessage)
	if !ok {
		return pgerror.Fatal(pgerror.ProtocolViolation, "expected password response, got message type %T", msg)
	}
	if pw.Password == "" {
		return pgerror.Fatal(pgerror.InvalidPassword, "password authentication failed for user \"%s\"", ex.Startup.User)
	}
	ex.Startup.Password = pw.Password
	return nil
}
