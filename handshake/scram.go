package handshake

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/xdg-go/scram"

	"github.com/quiverdb/quiver/pgerror"
)

// SASL mechanism names, as PostgreSQL advertises them.
const (
	mechSCRAM     = "SCRAM-SHA-256"
	mechSCRAMPlus = "SCRAM-SHA-256-PLUS"
)

// SCRAM returns pg_hba.conf's scram-sha-256 method: SASL authentication
// with SCRAM-SHA-256 (RFC 7677) against users' stored verifiers, through
// github.com/xdg-go/scram. Over TLS it also offers SCRAM-SHA-256-PLUS with
// tls-server-end-point channel binding (RFC 5929), first, as PostgreSQL
// does, when Config.TLS has a single certificate. An unknown user, or one
// with an MD5 hash only, goes through a mock exchange with a stable made-up
// salt and fails at the proof with 28P01, as in PostgreSQL. See
// https://www.postgresql.org/docs/current/sasl-authentication.html.
func SCRAM(users *Users) AuthMethod { return scramMethod{users} }

type scramMethod struct{ users *Users }

func (scramMethod) Name() string { return "scram-sha-256" }

func (m scramMethod) Authenticate(_ context.Context, ex *AuthExchange) error {
	return m.users.scramExchange(ex)
}

// scramExchange runs one SCRAM-SHA-256 exchange for ex.Startup.User.
func (u *Users) scramExchange(ex *AuthExchange) error {
	user := ex.Startup.User
	creds := u.mockCredentials(user)
	if s := u.lookup(user); s != nil && s.scram != nil {
		creds = s.scram
	}
	// The user name inside the SCRAM messages is ignored, as PostgreSQL
	// ignores it: libpq sends an empty one.
	srv, err := scram.SHA256.NewServer(func(string) (scram.StoredCredentials, error) { return *creds, nil })
	if err != nil {
		return err
	}
	mechs := []string{mechSCRAM}
	cb, hasCB := channelBinding(ex)
	if hasCB {
		mechs = []string{mechSCRAMPlus, mechSCRAM}
	}
	ex.Send(&pgproto3.AuthenticationSASL{AuthMechanisms: mechs})
	msg, err := ex.Receive(pgproto3.AuthTypeSASL)
	if err != nil {
		return err
	}
	first, ok := msg.(*pgproto3.SASLInitialResponse)
	if !ok {
		return pgerror.Fatal(pgerror.ProtocolViolation, "expected SASL response, got message type %T", msg)
	}
	if !slices.Contains(mechs, first.AuthMechanism) {
		return pgerror.Fatal(pgerror.ProtocolViolation, "client selected an invalid SASL authentication mechanism")
	}
	plus := first.AuthMechanism == mechSCRAMPlus
	if !plus && strings.HasPrefix(string(first.Data), "p") {
		return malformedSCRAM("The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data.")
	}
	var conv *scram.ServerConversation
	switch {
	case plus:
		conv = srv.NewConversationWithChannelBindingRequired(cb)
	case hasCB:
		conv = srv.NewConversationWithChannelBinding(cb)
	default:
		conv = srv.NewConversation()
	}
	out, err := conv.Step(string(first.Data))
	if err != nil {
		return scramError(out, err)
	}
	ex.Send(&pgproto3.AuthenticationSASLContinue{Data: []byte(out)})
	msg, err = ex.Receive(pgproto3.AuthTypeSASLContinue)
	if err != nil {
		return err
	}
	final, ok := msg.(*pgproto3.SASLResponse)
	if !ok {
		return pgerror.Fatal(pgerror.ProtocolViolation, "expected SASL response, got message type %T", msg)
	}
	out, err = conv.Step(string(final.Data))
	if err != nil {
		if out == scram.ErrInvalidProof {
			return AuthFailed(user)
		}
		return scramError(out, err)
	}
	if !conv.Valid() {
		return AuthFailed(user)
	}
	ex.Send(&pgproto3.AuthenticationSASLFinal{Data: []byte(out)})
	return nil
}

// channelBinding returns the tls-server-end-point binding of the session's
// TLS connection, when there is one and the server certificate is known.
func channelBinding(ex *AuthExchange) (scram.ChannelBinding, bool) {
	if ex.Startup.TLS == nil {
		return scram.ChannelBinding{}, false
	}
	cert := serverCertificate(ex.tls)
	if cert == nil {
		return scram.ChannelBinding{}, false
	}
	// The library hashes the peer's certificate; on the server side the
	// certificate to hash is our own.
	cb, err := scram.NewTLSServerEndpointBinding(&tls.ConnectionState{PeerCertificates: []*x509.Certificate{cert}})
	return cb, err == nil
}

// scramError maps a failed SCRAM step to PostgreSQL's errors: a channel
// binding failure or a malformed message is a protocol violation.
func scramError(serverErr string, err error) error {
	switch serverErr {
	case scram.ErrChannelBindingsDontMatch:
		return pgerror.Fatal(pgerror.ProtocolViolation, "SCRAM channel binding check failed")
	case scram.ErrServerDoesSupportChannelBinding:
		return pgerror.Fatal(pgerror.ProtocolViolation, "SCRAM channel binding negotiation error").
			WithDetail("The client supports SCRAM channel binding but thinks the server does not.  However, this server does support channel binding.")
	}
	return malformedSCRAM(err.Error())
}

func malformedSCRAM(detail string) error {
	return pgerror.Fatal(pgerror.ProtocolViolation, "malformed SCRAM message").WithDetail(detail)
}
