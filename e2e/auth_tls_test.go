//go:build duckdb_arrow

package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/quiverdb/quiver/internal/quivertest"
	"github.com/quiverdb/quiver/internal/quivertest/certs"
)

// psqlConn runs psql with a libpq connection string and password (none when
// empty), no PG* variables from the environment, and -c commands; it
// returns the output and whether psql succeeded.
func psqlConn(t *testing.T, conninfo, password string, commands ...string) (string, bool) {
	t.Helper()
	args := []string{"-X", "-A", "-t", "-d", conninfo}
	for _, c := range commands {
		args = append(args, "-c", c)
	}
	cmd := exec.Command("psql", args...)
	env := []string{"PGCONNECT_TIMEOUT=10"}
	if password != "" {
		env = append(env, "PGPASSWORD="+password)
	}
	for _, kv := range cmd.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("psql: %v", err)
		}
	}
	return out.String(), err == nil
}

// TestSCRAMOverTLSClients starts quiver with TLS required and
// scram-sha-256 authentication (quivertest's options, wired as cmd/quiver's
// flags are) and checks on the wire that the server asks for SASL with
// SCRAM-SHA-256-PLUS and SCRAM-SHA-256, then runs psql (verify-full and
// require, password from PGPASSWORD) and pgx (verify-full, channel binding
// required) against it; wrong passwords get 28P01 and plaintext 28000.
func TestSCRAMOverTLSClients(t *testing.T) {
	ca := certs.New(t)
	q := quivertest.Start(t, quivertest.Options{
		TLS:   &quivertest.TLSOptions{CertFile: ca.ServerCertFile, KeyFile: ca.ServerKeyFile, Required: true},
		Auth:  "scram-sha-256",
		Users: map[string]string{"alice": "s3cret", "bob": "other"},
	})
	t.Run("wire", func(t *testing.T) {
		got := firstAuthRequestTLS(t, q.Addr(), "alice", &tls.Config{RootCAs: ca.CAPool, ServerName: "localhost"})
		if got != "AuthenticationSASL SCRAM-SHA-256-PLUS,SCRAM-SHA-256" {
			t.Fatalf("first authentication request: %s", got)
		}
	})
	libpq := func(user, sslmode string) string {
		return fmt.Sprintf("host=localhost hostaddr=127.0.0.1 port=%d user=%s dbname=quiver sslmode=%s sslrootcert=%s",
			q.Port, user, sslmode, ca.CAFile)
	}
	t.Run("psql", func(t *testing.T) {
		for _, mode := range []string{"verify-full", "require"} {
			out, ok := psqlConn(t, libpq("alice", mode), "s3cret", "SELECT 40 + 2", "SHOW session_authorization", `\conninfo`)
			if !ok || !strings.Contains(out, "42\nalice\n") || !strings.Contains(out, "SSL connection (protocol: TLSv1.3") {
				t.Errorf("sslmode=%s: psql said:\n%s", mode, out)
			}
		}
		out, ok := psqlConn(t, libpq("alice", "verify-full"), "wrong", "SELECT 1")
		if ok || !strings.Contains(out, `FATAL:  password authentication failed for user "alice"`) {
			t.Errorf("wrong password: psql said:\n%s", out)
		}
		out, ok = psqlConn(t, fmt.Sprintf("host=127.0.0.1 port=%d user=alice dbname=quiver sslmode=disable", q.Port), "s3cret", "SELECT 1")
		if ok || !strings.Contains(out, "FATAL:  no pg_hba.conf entry for host") || !strings.Contains(out, "no encryption") {
			t.Errorf("plaintext: psql said:\n%s", out)
		}
	})
	t.Run("pgx", func(t *testing.T) {
		ctx := context.Background()
		url := fmt.Sprintf("postgres://alice:s3cret@localhost:%d/quiver?sslmode=verify-full&sslrootcert=%s&channel_binding=require",
			q.Port, ca.CAFile)
		c, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		if _, ok := c.PgConn().Conn().(*tls.Conn); !ok {
			t.Fatalf("the pgx connection is a %T, not TLS", c.PgConn().Conn())
		}
		if _, err := c.Exec(ctx, "CREATE TABLE tls_t(a int, b text)"); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 3; i++ {
			if _, err := c.Exec(ctx, "INSERT INTO tls_t VALUES ($1, $2)", i, strings.Repeat("x", i)); err != nil {
				t.Fatal(err)
			}
		}
		var n, total int
		if err := c.QueryRow(ctx, "SELECT count(*), sum(length(b)) FROM tls_t WHERE a >= $1", 1).Scan(&n, &total); err != nil {
			t.Fatal(err)
		}
		if n != 3 || total != 6 {
			t.Fatalf("got %d rows, %d characters", n, total)
		}
		// The idle timeout's read deadline and closing error work through
		// TLS too.
		if _, err := c.Exec(ctx, "SET idle_session_timeout = 200"); err != nil {
			t.Fatal(err)
		}
		nc := c.PgConn().Conn()
		_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		if msg, err := pgproto3.NewFrontend(nc, nc).Receive(); err != nil {
			t.Fatalf("waiting for the idle timeout over TLS: %v", err)
		} else if e, ok := msg.(*pgproto3.ErrorResponse); !ok || e.Code != "57P05" {
			t.Fatalf("idle over TLS: got %#v, want FATAL 57P05", msg)
		}
		for _, tc := range []struct{ url, code string }{
			{strings.Replace(url, "s3cret", "wrong", 1), "28P01"},
			{strings.Replace(url, "alice:s3cret", "carol:s3cret", 1), "28P01"},
			{fmt.Sprintf("postgres://alice:s3cret@127.0.0.1:%d/quiver?sslmode=disable", q.Port), "28000"},
		} {
			_, err := pgconn.Connect(ctx, tc.url)
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != tc.code || pe.Severity != "FATAL" {
				t.Errorf("%s: %v, want FATAL %s", tc.url, err, tc.code)
			}
		}
	})
}

// TestCertAuthClients: with a client CA and the cert method, psql and pgx
// log in with a client certificate whose common name is the user, and no
// password; a certificate for another user gets 28000.
func TestCertAuthClients(t *testing.T) {
	ca := certs.New(t)
	q := quivertest.Start(t, quivertest.Options{
		TLS:  &quivertest.TLSOptions{CertFile: ca.ServerCertFile, KeyFile: ca.ServerKeyFile, ClientCAFile: ca.CAFile},
		Auth: "cert",
	})
	aliceCert, aliceKey := ca.Client(t, "alice")
	conninfo := fmt.Sprintf("host=localhost hostaddr=127.0.0.1 port=%d user=alice dbname=quiver sslmode=verify-full sslrootcert=%s sslcert=%s sslkey=%s",
		q.Port, ca.CAFile, aliceCert, aliceKey)
	out, ok := psqlConn(t, conninfo, "", "SHOW session_authorization")
	if !ok || strings.TrimSpace(out) != "alice" {
		t.Errorf("psql with alice's certificate said:\n%s", out)
	}
	out, ok = psqlConn(t, strings.Replace(conninfo, "user=alice", "user=bob", 1), "", "SELECT 1")
	if ok || !strings.Contains(out, `FATAL:  certificate authentication failed for user "bob"`) {
		t.Errorf("psql as bob with alice's certificate said:\n%s", out)
	}

	ctx := context.Background()
	url := fmt.Sprintf("postgres://alice@localhost:%d/quiver?sslmode=verify-full&sslrootcert=%s&sslcert=%s&sslkey=%s",
		q.Port, ca.CAFile, aliceCert, aliceKey)
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var user string
	if err := c.QueryRow(ctx, "SHOW session_authorization").Scan(&user); err != nil || user != "alice" {
		t.Fatalf("session_authorization %q, %v", user, err)
	}
	_, err = pgconn.Connect(ctx, strings.Replace(url, "alice@", "bob@", 1))
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "28000" {
		t.Errorf("bob with alice's certificate: %v, want 28000", err)
	}
}

// firstAuthRequestTLS sends SSLRequest, starts TLS with config, sends a
// startup packet for user and describes the authentication request that
// comes back.
func firstAuthRequestTLS(t *testing.T, addr, user string, config *tls.Config) string {
	t.Helper()
	w := &wireClient{t: t}
	conn := dialRaw(t, addr)
	if _, err := conn.Write([]byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f}); err != nil {
		t.Fatal(err)
	}
	var b [1]byte
	if _, err := conn.Read(b[:]); err != nil || b[0] != 'S' {
		t.Fatalf("SSLRequest answered %q, %v", b[:], err)
	}
	w.conn = tls.Client(conn, config)
	w.f = pgproto3.NewFrontend(w.conn, w.conn)
	w.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
		Parameters: map[string]string{"user": user, "database": "quiver"}})
	msg, err := w.f.Receive()
	if err != nil {
		t.Fatal(err)
	}
	switch m := msg.(type) {
	case *pgproto3.AuthenticationSASL:
		return "AuthenticationSASL " + strings.Join(m.AuthMechanisms, ",")
	case *pgproto3.AuthenticationCleartextPassword:
		return "AuthenticationCleartextPassword"
	}
	return fmt.Sprintf("%T", msg)
}
