package handshake

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/quiverdb/quiver/pgerror"
)

// ALPNProtocol is the ALPN protocol name PostgreSQL 17 defines for its wire
// protocol. A direct TLS connection must offer it; see
// https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-SSL.
const ALPNProtocol = "postgresql"

// tlsRecordHandshake is the first byte of a TLS ClientHello record: the
// first byte of a connection that starts TLS directly (libpq's
// sslnegotiation=direct) instead of sending an SSLRequest. No startup
// packet starts with it, since that would declare a length over 369 MB.
const tlsRecordHandshake = 0x16

// errDirectTLSWithoutALPN is PostgreSQL 17's reason for closing a direct
// TLS connection whose client did not negotiate ALPN "postgresql".
var errDirectTLSWithoutALPN = errors.New("received direct SSL connection request without ALPN protocol negotiation extension")

// serverTLSConfig returns cfg.TLS with ALPN "postgresql" offered, or nil
// when TLS is not configured.
func (c *Config) serverTLSConfig() *tls.Config {
	if c == nil || c.TLS == nil {
		return nil
	}
	for _, p := range c.TLS.NextProtos {
		if p == ALPNProtocol {
			return c.TLS
		}
	}
	t := c.TLS.Clone()
	t.NextProtos = append(t.NextProtos, ALPNProtocol)
	return t
}

// startTLS runs the server side of a TLS handshake on conn. A client that
// offers ALPN protocols without "postgresql" fails it, as in PostgreSQL 17;
// direct (a connection that opened with a ClientHello) additionally requires
// that the client offered it.
func startTLS(ctx context.Context, conn net.Conn, cfg *tls.Config, direct bool) (*tls.Conn, error) {
	tc := tls.Server(conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, fmt.Errorf("TLS handshake: %w", err)
	}
	if direct && tc.ConnectionState().NegotiatedProtocol != ALPNProtocol {
		lingerClose(tc)
		return nil, errDirectTLSWithoutALPN
	}
	return tc, nil
}

// lingerTime bounds how long lingerClose waits for the client to close.
const lingerTime = time.Second

// lingerClose ends the server's side of tc (a TLS close_notify and a FIN)
// and reads what the client already sent until it closes too, for at most
// lingerTime. Closing a socket with unread data makes the kernel answer with
// a reset, which the client would see instead of the clean close.
func lingerClose(tc *tls.Conn) {
	_ = tc.CloseWrite()
	_ = tc.SetReadDeadline(time.Now().Add(lingerTime))
	_, _ = io.Copy(io.Discard, io.LimitReader(tc, 1<<16))
}

// prefixConn is a connection whose first reads return bytes already read
// from it: the header of a direct TLS ClientHello, read as if it were the
// length of a startup packet.
type prefixConn struct {
	net.Conn
	prefix []byte
}

func (c *prefixConn) Read(p []byte) (int, error) {
	if len(c.prefix) > 0 {
		n := copy(p, c.prefix)
		c.prefix = c.prefix[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// tlsState returns the TLS state of conn, or nil for a plaintext connection.
func tlsState(conn net.Conn) *tls.ConnectionState {
	if tc, ok := conn.(*tls.Conn); ok {
		st := tc.ConnectionState()
		return &st
	}
	return nil
}

// serverCertificate returns the certificate the server presents, parsed,
// when cfg has exactly one and no callback choosing among several; nil
// otherwise. SCRAM-SHA-256-PLUS needs it for tls-server-end-point.
func serverCertificate(cfg *tls.Config) *x509.Certificate {
	if cfg == nil || len(cfg.Certificates) != 1 || cfg.GetCertificate != nil || cfg.GetConfigForClient != nil {
		return nil
	}
	c := cfg.Certificates[0]
	if c.Leaf != nil {
		return c.Leaf
	}
	if len(c.Certificate) == 0 {
		return nil
	}
	leaf, err := x509.ParseCertificate(c.Certificate[0])
	if err != nil {
		return nil
	}
	return leaf
}

// checkEncryption refuses a plaintext session when cfg requires TLS, with
// the error PostgreSQL gives when only hostssl lines of pg_hba.conf match.
func checkEncryption(cfg *Config, conn net.Conn, s *Startup) error {
	if cfg == nil || !cfg.RequireTLS || s.TLS != nil {
		return nil
	}
	return pgerror.Fatal(pgerror.InvalidAuthorizationSpec,
		"no pg_hba.conf entry for host \"%s\", user \"%s\", database \"%s\", no encryption",
		remoteHost(conn), s.User, s.Database)
}

// remoteHost returns the IP address of conn's peer as PostgreSQL prints it,
// or the whole address when it has no port.
func remoteHost(conn net.Conn) string {
	addr := conn.RemoteAddr()
	if addr == nil {
		return ""
	}
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	return host
}
