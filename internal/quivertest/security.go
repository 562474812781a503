//go:build duckdb_arrow

package quivertest

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/quiverdb/quiver/handshake"
)

// TLSOptions are cmd/quiver's TLS flags.
type TLSOptions struct {
	// CertFile and KeyFile are --tls-cert and --tls-key.
	CertFile, KeyFile string
	// ClientCAFile is --tls-client-ca: client certificates it signed are
	// verified, for Auth "cert". Optional.
	ClientCAFile string
	// Required is --tls-required: plaintext sessions get FATAL 28000.
	Required bool
}

// handshakeConfig builds the handshake configuration from the options as
// cmd/quiver's securityConfig builds it from its flags.
func (o *Options) handshakeConfig() (*handshake.Config, error) {
	hs := &handshake.Config{}
	if o.TLS != nil {
		cfg, err := o.TLS.config()
		if err != nil {
			return nil, err
		}
		hs.TLS, hs.RequireTLS = cfg, o.TLS.Required
	}
	var users *handshake.Users
	if o.Users != nil {
		names := make([]string, 0, len(o.Users))
		for name := range o.Users {
			names = append(names, name)
		}
		sort.Strings(names)
		var lines strings.Builder
		for _, name := range names {
			fmt.Fprintf(&lines, "%s:%s\n", name, o.Users[name])
		}
		var err error
		if users, err = handshake.ReadUsers(strings.NewReader(lines.String())); err != nil {
			return nil, err
		}
	}
	needUsers := users == nil
	switch o.Auth {
	case "", "trust":
		hs.Auth, needUsers = handshake.Trust, false
	case "passthrough":
		hs.Auth, needUsers = handshake.PassThrough, false
	case "password":
		hs.Auth = handshake.Password(users)
	case "md5":
		hs.Auth = handshake.MD5(users)
	case "scram-sha-256":
		hs.Auth = handshake.SCRAM(users)
	case "cert":
		hs.Auth, needUsers = handshake.Cert, false
		if o.TLS == nil || o.TLS.ClientCAFile == "" {
			return nil, fmt.Errorf("auth cert needs TLS.ClientCAFile")
		}
	default:
		return nil, fmt.Errorf("unknown auth method %q", o.Auth)
	}
	if needUsers {
		return nil, fmt.Errorf("auth %s needs Users", o.Auth)
	}
	switch o.Auth {
	case "password", "md5", "scram-sha-256", "cert":
		hs.Limiter = &handshake.AuthLimiter{}
	default:
		if users != nil {
			return nil, fmt.Errorf("Users do not apply to auth %q", o.Auth)
		}
	}
	return hs, nil
}

// config loads the files as cmd/quiver's tlsConfig does.
func (o *TLSOptions) config() (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12,
		NextProtos: []string{handshake.ALPNProtocol}}
	if o.ClientCAFile != "" {
		pem, err := os.ReadFile(o.ClientCAFile)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("no PEM certificate in %s", o.ClientCAFile)
		}
		cfg.ClientCAs, cfg.ClientAuth = pool, tls.VerifyClientCertIfGiven
	}
	return cfg, nil
}
