package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
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

// testCerts are a CA, a server certificate it signed for 127.0.0.1 and
// localhost, and a client certificate for CN "alice", written as PEM files
// in a test directory.
type testCerts struct {
	Dir                           string
	CAFile                        string
	ServerCertFile, ServerKeyFile string
	ClientCertFile, ClientKeyFile string
	// OtherCAFile is a CA that signed nothing here, to fail verify-ca.
	OtherCAFile string
	Server      tls.Certificate
	CAPool      *x509.CertPool
}

// newTestCerts makes the certificates with crypto/x509.
func newTestCerts(t testing.TB) *testCerts {
	t.Helper()
	dir := t.TempDir()
	c := &testCerts{Dir: dir}
	caCert, caKey := makeCert(t, "quiver test CA", nil, nil, true)
	otherCA, _ := makeCert(t, "other CA", nil, nil, true)
	srvCert, srvKey := makeCert(t, "localhost", caCert, caKey, false)
	cliCert, cliKey := makeCert(t, "alice", caCert, caKey, false)
	c.CAFile = writePEM(t, dir, "ca.crt", "CERTIFICATE", caCert.Raw)
	c.OtherCAFile = writePEM(t, dir, "other.crt", "CERTIFICATE", otherCA.Raw)
	c.ServerCertFile = writePEM(t, dir, "server.crt", "CERTIFICATE", srvCert.Raw)
	c.ServerKeyFile = writeKey(t, dir, "server.key", srvKey)
	c.ClientCertFile = writePEM(t, dir, "client.crt", "CERTIFICATE", cliCert.Raw)
	c.ClientKeyFile = writeKey(t, dir, "client.key", cliKey)
	var err error
	c.Server, err = tls.LoadX509KeyPair(c.ServerCertFile, c.ServerKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	c.CAPool = x509.NewCertPool()
	c.CAPool.AddCert(caCert)
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

func makeCert(t testing.TB, cn string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, ca bool) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	if ca {
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

func writeKey(t testing.TB, dir, name string, key *ecdsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return writePEM(t, dir, name, "PRIVATE KEY", der)
}
