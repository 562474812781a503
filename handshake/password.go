package handshake

import (
	"context"
	"crypto/rand"
	"crypto/subtle"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/quiverdb/quiver/pgerror"
)

// Password returns pg_hba.conf's password method: the client sends its
// password in cleartext (AuthenticationCleartextPassword) and it is checked
// against users' stored secret. Use it over TLS only.
func Password(users *Users) AuthMethod { return passwordMethod{users} }

// MD5 returns pg_hba.conf's md5 method: the client proves its password with
// PostgreSQL's salted MD5 challenge (AuthenticationMD5Password). As in
// PostgreSQL (with password_encryption scram-sha-256), a user whose stored
// secret is a SCRAM verifier only, or an unknown user, is asked for
// SCRAM-SHA-256 instead; the unknown user fails at the proof.
func MD5(users *Users) AuthMethod { return md5Method{users} }

type passwordMethod struct{ users *Users }

func (passwordMethod) Name() string { return "password" }

func (m passwordMethod) Authenticate(_ context.Context, ex *AuthExchange) error {
	pw, err := receivePassword(ex)
	if err != nil {
		return err
	}
	if !m.users.Check(ex.Startup.User, pw) {
		return AuthFailed(ex.Startup.User)
	}
	return nil
}

type md5Method struct{ users *Users }

func (md5Method) Name() string { return "md5" }

func (m md5Method) Authenticate(_ context.Context, ex *AuthExchange) error {
	user := ex.Startup.User
	s := m.users.lookup(user)
	if s == nil || s.md5 == "" {
		// As PostgreSQL with password_encryption scram-sha-256: a user
		// without an MD5 hash, or without any password, gets SCRAM.
		return m.users.scramExchange(ex)
	}
	var salt [4]byte
	_, _ = rand.Read(salt[:])
	stored := s.md5
	ex.Send(&pgproto3.AuthenticationMD5Password{Salt: salt})
	got, err := receivePasswordMessage(ex, pgproto3.AuthTypeMD5Password)
	if err != nil {
		return err
	}
	want := md5Response(stored, salt)
	if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return AuthFailed(user)
	}
	return nil
}

// receivePassword asks for a cleartext password and returns it. An empty
// password fails authentication.
func receivePassword(ex *AuthExchange) (string, error) {
	ex.Send(&pgproto3.AuthenticationCleartextPassword{})
	pw, err := receivePasswordMessage(ex, pgproto3.AuthTypeCleartextPassword)
	if err == nil && pw == "" {
		err = AuthFailed(ex.Startup.User)
	}
	return pw, err
}

// receivePasswordMessage reads the PasswordMessage answering authType.
func receivePasswordMessage(ex *AuthExchange, authType uint32) (string, error) {
	msg, err := ex.Receive(authType)
	if err != nil {
		return "", err
	}
	pw, ok := msg.(*pgproto3.PasswordMessage)
	if !ok {
		return "", pgerror.Fatal(pgerror.ProtocolViolation, "expected password response, got message type %T", msg)
	}
	return pw.Password, nil
}

// AuthFailed returns PostgreSQL's FATAL 28P01 error for a wrong password,
// also given for an unknown user so that the two cannot be told apart.
func AuthFailed(user string) error {
	return pgerror.Fatal(pgerror.InvalidPassword, "password authentication failed for user \"%s\"", user)
}
