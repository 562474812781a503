package server

import (
	"crypto/tls"
	"testing"

	"github.com/quiverdb/quiver/internal/quivertest/certs"
)

// testCerts are internal/quivertest/certs' CA and server certificate, a
// client certificate for CN "alice", and a second CA that signed nothing,
// to fail verify-ca.
type testCerts struct {
	*certs.Certs
	ClientCertFile, ClientKeyFile string
	OtherCAFile                   string
	Server                        tls.Certificate
}

func newTestCerts(t testing.TB) *testCerts {
	t.Helper()
	c := &testCerts{Certs: certs.New(t), OtherCAFile: certs.New(t).CAFile}
	c.ClientCertFile, c.ClientKeyFile = c.Client(t, "alice")
	var err error
	c.Server, err = tls.LoadX509KeyPair(c.ServerCertFile, c.ServerKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// serverTLS returns the server's TLS configuration; with clientCA it
// verifies client certificates that are given.
func (c *testCerts) serverTLS(clientCA bool) *tls.Config {
	cfg := &tls.Config{Certificates: []tls.Certificate{c.Server}, MinVersion: tls.VersionTLS12}
	if clientCA {
		cfg.ClientCAs = c.CAPool
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
	}
	return cfg
}
