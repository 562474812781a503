//go:build duckdb_arrow

package e2e

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// missingRelationStatements name a relation that does not exist in every
// kind of statement whose message or position PostgreSQL words its own
// way: DROP names the kind of object, a qualified name stays qualified,
// queries and DML point at the name, utility statements do not.
var missingRelationStatements = []string{
	"insert into nosuch values (1)",
	"select 1; insert into nosuch values (1)",
	"insert into public.nosuch(a) values (1) returning *",
	"with x as (select 1) insert into nosuch select * from x",
	"update public.nosuch set a = 1",
	"delete from nosuch where true",
	"select * from public.nosuch",
	"drop table public.nosuch",
	"drop view nosuch",
	"drop index nosuch",
	"drop sequence public.nosuch",
	"drop table nosuch, nosuch2",
	"alter table public.nosuch rename to y",
	"comment on table nosuch is 'x'",
	"truncate nosuch",
	"copy nosuch to stdout",
	"copy (select * from nosuch) to stdout",
	"copy ( select * from nosuch) to stdout",
	"select 1; copy (select *, 1 from nosuch) to stdout",
	"create index on nosuch(a)",
}

// TestMissingRelationMatchesPostgres runs missingRelationStatements through
// psql (messages, LINE and caret) and through the extended protocol
// (message, position) on both servers.
func TestMissingRelationMatchesPostgres(t *testing.T) {
	pg, q := servers(t)
	db := pg.CreateDB(t)
	samePsql(t, pg, q, db, strings.Join(missingRelationStatements, ";\n")+";\n", len(missingRelationStatements))

	pc, qc := connectBoth(t)
	ctx := context.Background()
	describe := func(c *pgconn.PgConn, sql string) string {
		err := c.ExecParams(ctx, sql, nil, nil, nil, nil).Read().Err
		var pe *pgconn.PgError
		if !errors.As(err, &pe) {
			return "no error"
		}
		return fmt.Sprintf("%s %s at %d", pe.Code, pe.Message, pe.Position)
	}
	for _, sql := range missingRelationStatements {
		if strings.Contains(sql, ";") || strings.HasPrefix(sql, "copy") {
			continue // one statement per Parse; COPY is for the simple protocol
		}
		if got, want := describe(qc, sql), describe(pc, sql); got != want {
			t.Errorf("%s (extended):\n PostgreSQL %s\n quiver     %s", sql, want, got)
		}
	}
}
