package postgres

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/internal/testenv"
	"github.com/quiverdb/quiver/pgerror"
)

// TestPassThrough authenticates clients with PostgreSQL itself: the test
// cluster trusts everyone, so it is told to ask one role for a password.
func TestPassThrough(t *testing.T) {
	e := newEnv(t, Options{})
	hba := filepath.Join(testenv.PG(t).Dir, "data", "pg_hba.conf")
	old, err := os.ReadFile(hba)
	if err != nil {
		t.Fatal(err)
	}
	rule := "host all pwuser 127.0.0.1/32 scram-sha-256\n"
	if err := os.WriteFile(hba, append([]byte(rule), old...), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = os.WriteFile(hba, old, 0o600)
		e.exec("SELECT pg_reload_conf()")
	})
	e.exec(`DO $$BEGIN
		IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pwuser') THEN CREATE ROLE pwuser LOGIN; END IF;
	END$$; ALTER ROLE pwuser PASSWORD 'secret'; SELECT pg_reload_conf()`)

	pass, err := Open(e.url, Options{PassThrough: true, Allocator: e.mem})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// pg_reload_conf only signals the postmaster: wait until the new rule
	// is in force.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		s, err := pass.OpenSession(ctx, backends.SessionInfo{User: "pwuser", Password: "wrong"})
		if err != nil {
			break
		}
		s.Close()
		if time.Now().After(deadline) {
			t.Fatal("pg_hba.conf change did not take effect")
		}
	}
	s, err := pass.OpenSession(ctx, backends.SessionInfo{User: "pwuser", Password: "secret", Application: "quiver-test",
		Params: map[string]string{"search_path": "pg_catalog"}})
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, mustQuery(t, s, "SELECT current_user::text, current_setting('application_name'), current_setting('search_path')"))
	if want := [][]any{{"pwuser", "quiver-test", "pg_catalog"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	s.Close()
	if _, err := pass.OpenSession(ctx, backends.SessionInfo{User: "pwuser", Password: "wrong"}); pgerror.Code(err) != pgerror.InvalidPassword {
		t.Errorf("wrong password: %v", err)
	} else if pe := pgerror.Flatten(err); !pe.IsFatal() {
		t.Errorf("wrong password is not FATAL: %+v", pe)
	}
	// Without pass-through the URI's credentials are used.
	s = e.open(backends.SessionInfo{User: "pwuser", Password: "wrong"})
	defer s.Close()
	if got := readAll(t, mustQuery(t, s, "SELECT current_user::text")); !reflect.DeepEqual(got, [][]any{{"postgres"}}) {
		t.Errorf("without pass-through: %v", got)
	}
}
