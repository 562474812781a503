package e2e

import (
	"strings"
	"testing"
)

// TestExtensionStatements runs the extension statements pg_dump scripts
// and migrations send through psql on PostgreSQL and on quiver: plpgsql
// exists (CREATE ... IF NOT EXISTS skips it with PostgreSQL's NOTICE,
// COMMENT ON it works), DROP ... IF EXISTS of a missing extension skips it,
// and the errors' SQLSTATEs and messages are PostgreSQL's. An extension
// DuckDB does not have is refused with 0A000 naming it, where PostgreSQL
// has it installed.
func TestExtensionStatements(t *testing.T) {
	pg, q := servers(t)
	db := pg.CreateDB(t)
	script := `\set VERBOSITY sqlstate
create extension if not exists plpgsql;
create extension plpgsql;
comment on extension plpgsql is 'PL/pgSQL procedural language';
comment on extension nosuch is 'x';
drop extension if exists nosuch, other;
drop extension nosuch;
select 1 as still_here;
`
	want := psqlRun(t, pg.Host, pg.Port, pg.User, db, script)
	got := psqlRun(t, q.Host, q.Port, "me", "quiver", script)
	if got != want {
		t.Errorf("quiver:\n%s\nPostgreSQL:\n%s", got, want)
	}
	got = psqlRun(t, q.Host, q.Port, "me", "quiver", `\set VERBOSITY verbose
create extension if not exists "uuid-ossp" with schema public;`)
	if !strings.Contains(got, `ERROR:  0A000: extension "uuid-ossp" is not available on this backend`) {
		t.Errorf("create extension uuid-ossp: %s", got)
	}
}
