package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/flightsrv"
	"github.com/quiverdb/quiver/handshake"
)

// securityOptions are the flags for TLS, client authentication and protocol
// limits. --auth itself is in options.auth.
type securityOptions struct {
	tlsCert, tlsKey, tlsClientCA string
	tlsRequired                  bool
	users                        string
	maxFrontendMessage           int
	authTimeout                  time.Duration
	idleInTxTimeout, idleTimeout time.Duration
}

func (s *securityOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&s.tlsCert, "tls-cert", "", "PEM certificate `file` (chain) for TLS on the PostgreSQL and Flight SQL listeners")
	fs.StringVar(&s.tlsKey, "tls-key", "", "PEM private key `file` for --tls-cert")
	fs.StringVar(&s.tlsClientCA, "tls-client-ca", "", "PEM `file` of CAs whose client certificates are verified (for --auth cert)")
	fs.BoolVar(&s.tlsRequired, "tls-required", false, "refuse PostgreSQL sessions that do not use TLS (FATAL 28000)")
	fs.StringVar(&s.users, "users", "", "`file` of name:password lines for --auth password, md5 or scram-sha-256; a password may be a SCRAM-SHA-256 verifier or an md5 hash as pg_authid stores them")
	fs.IntVar(&s.maxFrontendMessage, "max-frontend-message", handshake.DefaultMaxMessageSize, "largest PostgreSQL frontend message, in `bytes`; a larger one gets 08P01 and the connection closes")
	fs.DurationVar(&s.authTimeout, "authentication-timeout", handshake.DefaultStartupTimeout, "how long a client may take to start up and authenticate")
	fs.DurationVar(&s.idleInTxTimeout, "idle-in-transaction-session-timeout", 0, "default idle_in_transaction_session_timeout: end sessions idle this long inside a transaction (FATAL 25P03); 0 is off")
	fs.DurationVar(&s.idleTimeout, "idle-session-timeout", 0, "default idle_session_timeout: end sessions idle this long outside a transaction (FATAL 57P05); 0 is off")
}

// security is what the flags configure.
type security struct {
	// handshake is the PostgreSQL listener's handshake configuration, less
	// the server version.
	handshake *handshake.Config
	// flightTLS is the Flight SQL listener's TLS configuration, nil without
	// --tls-cert.
	flightTLS *tls.Config
	// flightAuth checks Flight SQL basic credentials against --users; nil
	// without --users.
	flightAuth flightsrv.Authenticator
	// maxFrontendMessage bounds each frontend message after the handshake.
	maxFrontendMessage int
}

// securityConfig builds the TLS configuration and the authentication method
// from the flags, reading the certificate, key, CA and users files.
func securityConfig(o *options) (*security, error) {
	s := &o.security
	if s.maxFrontendMessage <= 0 {
		return nil, fmt.Errorf("--max-frontend-message must be positive")
	}
	if s.authTimeout <= 0 {
		return nil, fmt.Errorf("--authentication-timeout must be positive")
	}
	if s.idleInTxTimeout < 0 || s.idleTimeout < 0 {
		return nil, fmt.Errorf("--idle-in-transaction-session-timeout and --idle-session-timeout must not be negative")
	}
	hs := &handshake.Config{StartupTimeout: s.authTimeout, MaxMessageSize: s.maxFrontendMessage, RequireTLS: s.tlsRequired}
	sec := &security{handshake: hs, maxFrontendMessage: s.maxFrontendMessage}
	var err error
	if hs.TLS, err = s.tlsConfig(); err != nil {
		return nil, err
	}
	if hs.TLS != nil {
		sec.flightTLS = hs.TLS.Clone()
		sec.flightTLS.NextProtos = nil // gRPC adds h2
		hs.TLS.NextProtos = []string{handshake.ALPNProtocol}
	} else if s.tlsRequired {
		return nil, errors.New("--tls-required needs --tls-cert and --tls-key")
	}
	var users *handshake.Users
	if s.users != "" {
		if users, err = handshake.LoadUsers(s.users); err != nil {
			return nil, fmt.Errorf("--users: %w", err)
		}
		sec.flightAuth = usersAuthenticator{users}
	}
	needUsers := func() error {
		if users == nil {
			return fmt.Errorf("--auth %s needs --users", o.auth)
		}
		return nil
	}
	switch o.auth {
	case "trust":
		hs.Auth = handshake.Trust
	case "passthrough":
		hs.Auth = handshake.PassThrough
	case "password":
		hs.Auth = handshake.Password(users)
		err = needUsers()
	case "md5":
		hs.Auth = handshake.MD5(users)
		err = needUsers()
	case "scram-sha-256":
		hs.Auth = handshake.SCRAM(users)
		err = needUsers()
	case "cert":
		hs.Auth = handshake.Cert
		if s.tlsClientCA == "" {
			err = errors.New("--auth cert needs --tls-client-ca")
		}
	default:
		err = fmt.Errorf("invalid --auth %q (want trust, password, md5, scram-sha-256, cert or passthrough)", o.auth)
	}
	if err != nil {
		return nil, err
	}
	switch o.auth {
	case "password", "md5", "scram-sha-256", "cert":
		hs.Limiter = &handshake.AuthLimiter{}
	default:
		if users != nil {
			return nil, fmt.Errorf("--users does not apply to --auth %s", o.auth)
		}
	}
	return sec, nil
}

// tlsConfig loads --tls-cert, --tls-key and --tls-client-ca; nil without
// --tls-cert.
func (s *securityOptions) tlsConfig() (*tls.Config, error) {
	if s.tlsCert == "" && s.tlsKey == "" {
		if s.tlsClientCA != "" {
			return nil, errors.New("--tls-client-ca needs --tls-cert and --tls-key")
		}
		return nil, nil
	}
	if s.tlsCert == "" || s.tlsKey == "" {
		return nil, errors.New("--tls-cert and --tls-key go together")
	}
	cert, err := tls.LoadX509KeyPair(s.tlsCert, s.tlsKey)
	if err != nil {
		return nil, fmt.Errorf("--tls-cert/--tls-key: %w", err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if s.tlsClientCA != "" {
		pem, err := os.ReadFile(s.tlsClientCA)
		if err != nil {
			return nil, fmt.Errorf("--tls-client-ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--tls-client-ca: no PEM certificate in %s", s.tlsClientCA)
		}
		cfg.ClientCAs, cfg.ClientAuth = pool, tls.VerifyClientCertIfGiven
	}
	return cfg, nil
}

// usersAuthenticator checks Flight SQL basic credentials against --users.
type usersAuthenticator struct{ users *handshake.Users }

func (a usersAuthenticator) Authenticate(_ context.Context, user, password string) (backends.SessionInfo, error) {
	if !a.users.Check(user, password) {
		return backends.SessionInfo{}, handshake.AuthFailed(user)
	}
	return backends.SessionInfo{User: user}, nil
}
