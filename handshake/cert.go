package handshake

import (
	"context"

	"github.com/quiverdb/quiver/pgerror"
)

// Cert is pg_hba.conf's cert method: the client must present a certificate
// that Config.TLS verified (ClientAuth VerifyClientCertIfGiven or stricter,
// with ClientCAs set), and its subject's common name must be the user name.
// No password is asked for. See
// https://www.postgresql.org/docs/current/auth-cert.html.
var Cert AuthMethod = certMethod{}

type certMethod struct{}

func (certMethod) Name() string { return "cert" }

func (certMethod) Authenticate(_ context.Context, ex *AuthExchange) error {
	st := ex.Startup.TLS
	if st == nil || len(st.VerifiedChains) == 0 || len(st.VerifiedChains[0]) == 0 {
		return pgerror.Fatal(pgerror.InvalidAuthorizationSpec, "connection requires a valid client certificate")
	}
	if cn := st.VerifiedChains[0][0].Subject.CommonName; cn != ex.Startup.User {
		return pgerror.Fatal(pgerror.InvalidAuthorizationSpec, "certificate authentication failed for user \"%s\"", ex.Startup.User)
	}
	return nil
}
