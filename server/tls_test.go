package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/quiverdb/quiver/handshake"
)

// startTLS runs a test server with TLS on certs; edit adjusts the handshake
// configuration. Its encrypted channel reports, for each session, whether
// it runs over TLS.
func startTLS(t *testing.T, certs *testCerts, edit func(*handshake.Config)) (*started, <-chan bool) {
	t.Helper()
	encrypted := make(chan bool, 64)
	st := start(t, func(c *Config) {
		c.Handshake.TLS = certs.serverTLS(true)
		if edit != nil {
			edit(c.Handshake)
		}
		c.ConnState = func(c *Conn, s ConnState) {
			if s == StateActive && c.Startup() != nil {
				select {
				case encrypted <- c.Startup().TLS != nil:
				default:
				}
			}
		}
	})
	return st, encrypted
}

func TestTLSPsql(t *testing.T) {
	certs := newTestCerts(t)
	st, encrypted := startTLS(t, certs, nil)
	_, port, _ := net.SplitHostPort(st.addr)
	base := "host=127.0.0.1 port=" + port + " user=me dbname=db "
	psql := func(conninfo string) (string, error) {
		cmd := exec.Command("psql", "-X", "-w", "-d", base+conninfo, "-c", `\conninfo`)
		cmd.Env = append(os.Environ(), "HOME="+certs.Dir) // no ~/.postgresql client certificate
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	for _, mode := range []string{
		"sslmode=require",
		"sslmode=verify-ca sslrootcert=" + certs.CAFile,
		"sslmode=verify-full sslrootcert=" + certs.CAFile,
		"sslmode=verify-full host=localhost hostaddr=127.0.0.1 sslrootcert=" + certs.CAFile,
	} {
		out, err := psql(mode)
		if err != nil || !strings.Contains(out, "SSL connection (protocol: TLSv1.3") {
			t.Fatalf("psql %s: %v\n%s", mode, err, out)
		}
		if !<-encrypted {
			t.Fatalf("psql %s: the session is not over TLS", mode)
		}
	}
	// psql's default, sslmode=prefer, takes TLS when offered.
	if out, err := psql(""); err != nil || !strings.Contains(out, "SSL connection") {
		t.Fatalf("psql sslmode=prefer: %v\n%s", err, out)
	}
	if out, err := psql("sslmode=verify-ca sslrootcert=" + certs.OtherCAFile); err == nil ||
		!strings.Contains(out, "certificate verify failed") {
		t.Fatalf("psql verify-ca against another CA: %v\n%s", err, out)
	}
	// Plaintext still works unless TLS is required.
	if out, err := psql("sslmode=disable"); err != nil || strings.Contains(out, "SSL connection") {
		t.Fatalf("psql sslmode=disable: %v\n%s", err, out)
	}
}

func TestTLSPgx(t *testing.T) {
	certs := newTestCerts(t)
	st, encrypted := startTLS(t, certs, nil)
	ctx := context.Background()
	url := "postgres://me@" + st.addr + "/db?sslrootcert=" + certs.CAFile
	for _, opts := range []string{
		"&sslmode=require",
		"&sslmode=verify-full",
		// PostgreSQL 17's direct TLS: a ClientHello with ALPN "postgresql"
		// instead of an SSLRequest.
		"&sslmode=verify-full&sslnegotiation=direct",
		// A client certificate the server's CA signed.
		"&sslmode=verify-full&sslcert=" + certs.ClientCertFile + "&sslkey=" + certs.ClientKeyFile,
	} {
		c, err := pgconn.Connect(ctx, url+opts)
		if err != nil {
			t.Fatalf("%s: %v", opts, err)
		}
		if _, ok := c.Conn().(*tls.Conn); !ok {
			t.Errorf("%s: pgx did not use TLS", opts)
		}
		if !<-encrypted {
			t.Errorf("%s: the session is not over TLS", opts)
		}
		if _, err := c.Exec(ctx, "").ReadAll(); err != nil {
			t.Fatalf("%s: %v", opts, err)
		}
		c.Close(ctx)
	}
}

// TestDirectTLSNeedsALPN checks that a direct TLS connection without ALPN
// "postgresql" is closed after the TLS handshake, as PostgreSQL 17 does, and
// that one offering another protocol fails the handshake.
func TestDirectTLSNeedsALPN(t *testing.T) {
	certs := newTestCerts(t)
	st, _ := startTLS(t, certs, nil)
	startup, _ := (&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
		Parameters: map[string]string{"user": "me"}}).Encode(nil)
	for name, protos := range map[string][]string{"no ALPN": nil, "http/1.1": {"http/1.1"}} {
		raw := dial(t, st.addr)
		c := tls.Client(raw, &tls.Config{RootCAs: certs.CAPool, ServerName: "localhost", NextProtos: protos})
		err := c.Handshake()
		if err == nil {
			_, _ = c.Write(startup)
			var b []byte
			b, err = io.ReadAll(c)
			if len(b) > 0 {
				t.Errorf("%s: the server answered %q", name, b)
			}
		}
		if err != nil && protos == nil {
			t.Errorf("%s: %v, want a clean close after the handshake", name, err)
		}
		if err == nil && protos != nil {
			t.Errorf("%s: the TLS handshake succeeded", name)
		}
	}
	// With the right ALPN the session starts.
	raw := dial(t, st.addr)
	c := tls.Client(raw, &tls.Config{RootCAs: certs.CAPool, ServerName: "localhost", NextProtos: []string{"postgresql"}})
	if _, err := c.Write(startup); err != nil {
		t.Fatal(err)
	}
	f := pgproto3.NewFrontend(c, c)
	for {
		msg, err := f.Receive()
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := msg.(*pgproto3.ReadyForQuery); ok {
			break
		}
	}
}

// TestPgjdbcTLS connects with pgjdbc over TLS.
func TestPgjdbcTLS(t *testing.T) {
	const jar = "/usr/share/java/postgresql.jar"
	if _, err := os.Stat(jar); err != nil {
		t.Skip("pgjdbc is not installed: ", err)
	}
	certs := newTestCerts(t)
	st, encrypted := startTLS(t, certs, nil)
	src := filepath.Join(t.TempDir(), "Connect.java")
	if err := os.WriteFile(src, []byte(`import java.sql.*;
public class Connect {
	public static void main(String[] args) throws Exception {
		try (Connection c = DriverManager.getConnection(args[0])) {
			System.out.println("connected to " + c.getMetaData().getDatabaseProductVersion());
		}
	}
}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	// assumeMinServerVersion puts the settings pgjdbc would SET into the
	// startup packet: the test server's handler answers no real queries.
	url := "jdbc:postgresql://" + st.addr + "/db?user=me&ssl=true&sslfactory=org.postgresql.ssl.NonValidatingFactory&assumeMinServerVersion=9.0"
	out, err := exec.Command("java", "-cp", jar, src, url).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "connected to 15.0") {
		t.Fatalf("pgjdbc: %v\n%s", err, out)
	}
	if !<-encrypted {
		t.Fatal("the pgjdbc session is not over TLS")
	}
}

// TestTLSRefusalsMatchPostgres compares, with a PostgreSQL that has TLS on
// and hostssl lines only, the errors for a plaintext startup and for
// certificate authentication that fails.
func TestTLSRefusalsMatchPostgres(t *testing.T) {
	certs := newTestCerts(t)
	hba := writeFile(t, certs.Dir, "pg_hba.conf", `host postgres postgres 127.0.0.1/32 trust
hostssl all alice,bob 127.0.0.1/32 cert
hostssl all all 127.0.0.1/32 trust
`)
	chownPostgres(t, certs.Dir, hba, certs.ServerCertFile, certs.ServerKeyFile, certs.CAFile)
	pgAddr := startPostgres(t, "ssl=on", "ssl_cert_file="+certs.ServerCertFile, "ssl_key_file="+certs.ServerKeyFile,
		"ssl_ca_file="+certs.CAFile, "hba_file="+hba)
	ctx := context.Background()
	admin, err := pgconn.Connect(ctx, "postgres://postgres@"+pgAddr+"/postgres?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, "CREATE ROLE alice LOGIN; CREATE ROLE bob LOGIN; CREATE ROLE carol LOGIN").ReadAll(); err != nil {
		t.Fatal(err)
	}
	admin.Close(ctx)

	plain, _ := startTLS(t, certs, func(c *handshake.Config) { c.RequireTLS = true })
	cert, _ := startTLS(t, certs, func(c *handshake.Config) { c.RequireTLS, c.Auth = true, handshake.Cert })
	clientCert := "&sslcert=" + certs.ClientCertFile + "&sslkey=" + certs.ClientKeyFile
	cases := []struct {
		name, user, opts string
		quiver           *started
	}{
		{"plaintext", "carol", "sslmode=disable", plain},
		{"cert of another user", "bob", "sslmode=require" + clientCert, cert},
		{"no client certificate", "alice", "sslmode=require", cert},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := connectError(t, "postgres://"+tc.user+"@"+pgAddr+"/postgres?"+tc.opts)
			got := connectError(t, "postgres://"+tc.user+"@"+tc.quiver.addr+"/postgres?"+tc.opts)
			if got != want {
				t.Errorf("quiver: %s\nPostgreSQL: %s", got, want)
			}
		})
	}
	// The successes.
	for _, url := range []string{
		"postgres://alice@" + cert.addr + "/postgres?sslmode=require" + clientCert,
		"postgres://carol@" + plain.addr + "/postgres?sslmode=require",
	} {
		c, err := pgconn.Connect(ctx, url)
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		c.Close(ctx)
	}
}

// connectError connects to url and returns the server's refusal as
// "SEVERITY CODE message".
func connectError(t *testing.T, url string) string {
	t.Helper()
	c, err := pgconn.Connect(context.Background(), url)
	if err == nil {
		c.Close(context.Background())
		t.Fatalf("%s: connected", url)
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		t.Fatalf("%s: %v, want a server error", url, err)
	}
	return fmt.Sprintf("%s %s %s", pe.Severity, pe.Code, pe.Message)
}

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// chownPostgres gives paths to the postgres user when running as root, so
// that a PostgreSQL started by startPostgres can read them.
func chownPostgres(t *testing.T, paths ...string) {
	t.Helper()
	if os.Geteuid() != 0 {
		return
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	for _, p := range append(paths, filepath.Dir(paths[0])) {
		if err := os.Chown(p, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
}

// dial connects to addr for one test exchange of at most 10 seconds.
func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	return c
}
