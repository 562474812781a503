// Package certs makes TLS certificates for tests: a CA, a server
// certificate for loopback, and client certificates, as PEM files. It
// depends on nothing in quiver, so any package's tests can use it.
package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Certs are test certificates written as PEM files in a test directory: a
// CA, and a server certificate it signed for localhost and 127.0.0.1.
type Certs struct {
	Dir                           string
	CAFile                        string
	ServerCertFile, ServerKeyFile string
	// CAPool trusts CAFile, for Go clients.
	CAPool *x509.CertPool

	ca    *x509.Certificate
	caKey *ecdsa.PrivateKey
}

// New makes a CA and a server certificate with crypto/x509. They are valid
// for a day and deleted when the test ends.
func New(t testing.TB) *Certs {
	t.Helper()
	c := &Certs{Dir: t.TempDir(), CAPool: x509.NewCertPool()}
	c.ca, c.caKey = makeCert(t, "quiver test CA", nil, nil)
	c.CAPool.AddCert(c.ca)
	c.CAFile = writePEM(t, c.Dir, "ca.crt", "CERTIFICATE", c.ca.Raw)
	c.ServerCertFile, c.ServerKeyFile = c.issue(t, "localhost", "server")
	return c
}

// Client issues a client certificate with common name cn, signed by the
// CA, and returns its certificate and key files.
func (c *Certs) Client(t testing.TB, cn string) (certFile, keyFile string) {
	t.Helper()
	return c.issue(t, cn, "client-"+cn)
}

func (c *Certs) issue(t testing.TB, cn, file string) (certFile, keyFile string) {
	cert, key := makeCert(t, cn, c.ca, c.caKey)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return writePEM(t, c.Dir, file+".crt", "CERTIFICATE", cert.Raw), writePEM(t, c.Dir, file+".key", "PRIVATE KEY", der)
}

// makeCert makes a certificate for cn signed by parent, or a self-signed CA
// when parent is nil. "localhost" gets the SANs a server on loopback needs.
func makeCert(t testing.TB, cn string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	if parent == nil {
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		tmpl.KeyUsage |= x509.KeyUsageCertSign
		parent, parentKey = tmpl, key
	} else if cn == "localhost" {
		tmpl.DNSNames = []string{"localhost"}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func writePEM(t testing.TB, dir, name, typ string, der []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
