// Package testenv starts the real servers tests run against: a throwaway
// PostgreSQL 15 cluster, run as the postgres user on a free loopback port.
//
// A test binary shares one cluster. Call Main from TestMain so the cluster is
// stopped when the tests end:
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
package testenv

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Postgres is a running PostgreSQL cluster.
type Postgres struct {
	Dir  string
	Host string
	Port int
	User string // superuser, trusted on loopback
	cmd  *exec.Cmd
}

var (
	pgOnce sync.Once
	pgInst *Postgres
	pgErr  error
)

// Main runs the tests and then stops the shared cluster, if one was started.
func Main(m *testing.M) {
	code := m.Run()
	if pgInst != nil {
		pgInst.Stop()
	}
	os.Exit(code)
}

// PG returns the shared cluster, starting it on first use. The test fails if
// PostgreSQL cannot be started: the suite's install step must provide it.
func PG(t testing.TB) *Postgres {
	t.Helper()
	pgOnce.Do(func() { pgInst, pgErr = StartPostgres() })
	if pgErr != nil {
		t.Fatalf("starting PostgreSQL: %v", pgErr)
	}
	return pgInst
}

// BinDir finds the PostgreSQL 15 server binaries.
func BinDir() (string, error) {
	for _, d := range []string{os.Getenv("QUIVER_PG_BIN"), "/usr/lib/postgresql/15/bin"} {
		if d == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	p, err := exec.LookPath("initdb")
	if err != nil {
		return "", fmt.Errorf("initdb not found: install postgresql-15")
	}
	return filepath.Dir(p), nil
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// StartPostgres creates and starts a new cluster. It runs the server as the
// postgres user when the current user is root, as PostgreSQL requires.
func StartPostgres() (*Postgres, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "quiver-pg-")
	if err != nil {
		return nil, err
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root needs a postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	// The server runs as the postgres user directly (not through runuser),
	// so signals reach the postmaster itself and Stop is immediate.
	run := func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command(filepath.Join(bin, name), args...)
		cmd.Dir = dir
		if cred != nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		}
		return cmd
	}
	data := filepath.Join(dir, "data")
	if out, err := run("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
		"--locale=C", "--no-sync").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	cmd := run("postgres", "-D", data, "-p", strconv.Itoa(port), "-k", dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
		"-c", "full_page_writes=off", "-c", "max_connections=300", "-c", "TimeZone=UTC",
		"-c", "log_min_messages=fatal")
	logf, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	pg := &Postgres{Dir: dir, Host: "127.0.0.1", Port: port, User: "postgres", cmd: cmd}
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		c, err := pgconn.Connect(ctx, pg.URL("postgres"))
		cancel()
		if err == nil {
			c.Close(context.Background())
			return pg, nil
		}
		if time.Now().After(deadline) {
			pg.Stop()
			log, _ := os.ReadFile(filepath.Join(dir, "postgres.log"))
			return nil, fmt.Errorf("postgres did not start: %v\n%s", err, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// URL returns a connection string for database db.
func (p *Postgres) URL(db string) string {
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", p.User, p.Host, p.Port, db)
}

// CreateDB creates a fresh database and returns its name. Tests that change
// data use their own database so they do not see each other.
func (p *Postgres) CreateDB(t testing.TB) string {
	t.Helper()
	name := "t_" + strings.ToLower(strings.NewReplacer("/", "_", " ", "_", "-", "_", "#", "_").Replace(t.Name()))
	if len(name) > 60 {
		name = name[:60]
	}
	ctx := context.Background()
	c, err := pgconn.Connect(ctx, p.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, `DROP DATABASE IF EXISTS "`+name+`"; `).ReadAll(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, `CREATE DATABASE "`+name+`"`).ReadAll(); err != nil {
		t.Fatal(err)
	}
	return name
}

// Stop shuts the cluster down and removes its files.
func (p *Postgres) Stop() {
	if p.cmd != nil && p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(os.Interrupt) // fast shutdown
		done := make(chan struct{})
		go func() { _ = p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-done
		}
	}
	_ = os.RemoveAll(p.Dir)
}

// Connect opens a connection to database db for the test and closes it
// when the test ends.
func (p *Postgres) Connect(t testing.TB, db string) *pgconn.PgConn {
	t.Helper()
	c, err := pgconn.Connect(context.Background(), p.URL(db))
	if err != nil {
		t.Fatalf("connecting to PostgreSQL: %v", err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}
