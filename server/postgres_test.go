//go:build unix

package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/quiverdb/quiver/internal/testenv"
	"github.com/quiverdb/quiver/pgerror"
)

// TestMaxConnsMatchesPostgres fills a PostgreSQL started with
// max_connections=2 and quiver with MaxConns=2, and compares the error the
// third client gets.
func TestMaxConnsMatchesPostgres(t *testing.T) {
	pgAddr := startPostgres(t, "max_connections=2", "superuser_reserved_connections=0")
	st := start(t, func(c *Config) { c.MaxConns = 2 })
	ctx := context.Background()
	refusal := func(url string) *pgconn.PgError {
		var held []*pgconn.PgConn
		defer func() {
			for _, c := range held {
				c.Close(ctx)
			}
		}()
		// A slot is freed a moment after a client leaves: the readiness
		// probe of startPostgres may still hold one.
		for deadline := time.Now().Add(10 * time.Second); len(held) < 2; {
			c, err := pgconn.Connect(ctx, url)
			if err != nil {
				if time.Now().After(deadline) || !strings.Contains(err.Error(), "53300") {
					t.Fatalf("%s: %v", url, err)
				}
				time.Sleep(20 * time.Millisecond)
				continue
			}
			held = append(held, c)
		}
		_, err := pgconn.Connect(ctx, url)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) {
			t.Fatalf("third connection to %s: %v, want a server error", url, err)
		}
		return pe
	}
	want := refusal("postgres://postgres@" + pgAddr + "/postgres?sslmode=disable")
	got := refusal(st.url("postgres"))
	if got.Severity != want.Severity || got.Code != want.Code || got.Message != want.Message {
		t.Fatalf("quiver: %s %s %q; PostgreSQL: %s %s %q", got.Severity, got.Code, got.Message, want.Severity, want.Code, want.Message)
	}
	if want.Code != pgerror.TooManyConnections {
		t.Fatalf("PostgreSQL answered %s, the test expects 53300", want.Code)
	}
	// Closed sessions free their slots.
	waitFor(t, "the sessions to end", func() bool { return st.sessionCount() == 0 })
	c, err := pgconn.Connect(ctx, st.url("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	c.Close(ctx)
}

// startPostgres starts a second, private PostgreSQL 15 cluster with extra
// server settings, which testenv's shared cluster cannot take (it is started
// with fixed ones), and returns its address. The cluster is stopped when the
// test ends.
func startPostgres(t *testing.T, settings ...string) string {
	t.Helper()
	bin, err := testenv.BinDir()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// As root, run PostgreSQL as the postgres user, which it requires. The
	// credentials are set on the process itself rather than through
	// runuser, so that the signal that stops it reaches the postmaster.
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatal(err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		for _, d := range []string{dir, filepath.Dir(dir)} {
			if err := os.Chown(d, uid, gid); err != nil {
				t.Fatal(err)
			}
		}
	}
	run := func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command(filepath.Join(bin, name), args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		cmd.Env = append(os.Environ(), "HOME="+dir)
		return cmd
	}
	data := filepath.Join(dir, "data")
	if out, err := run("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
		"--locale=C", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	port, err := testenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"-D", data, "-p", strconv.Itoa(port), "-k", dir, "-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off", "-c", "log_min_messages=fatal"}
	for _, s := range settings {
		args = append(args, "-c", s)
	}
	cmd := run("postgres", args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		c, err := pgconn.Connect(ctx, "postgres://postgres@"+addr+"/postgres?sslmode=disable")
		cancel()
		if err == nil {
			c.Close(context.Background())
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("postgres did not start: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
