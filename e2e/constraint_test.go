package e2e

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestConstraintViolationsNameTheConstraint checks unique and check
// violations against PostgreSQL: the message names the constraint, and the
// error's schema, table and constraint fields (which drivers expose, as
// pgconn's PgError does) are PostgreSQL's, in the simple and the extended
// protocol, and for a duplicate within one statement. Inside a transaction
// block quiver does not look the constraint up (DuckDB has aborted the
// transaction, README): there the SQLSTATE and the message without the
// name are PostgreSQL's.
func TestConstraintViolationsNameTheConstraint(t *testing.T) {
	pc, qc := connectBoth(t)
	ctx := context.Background()
	setup := `create table t (id int primary key, u int unique, a int, b int, k int check (k > 0),
		j int check (j < 10 and j > -10), unique (a, b));
		create schema s2;
		create table s2.w (x int unique, y int check (y <> 3));
		insert into t values (1, 1, 1, 1, 1, 1);
		create table nc (id int constraint nc_main primary key, a int constraint a_pos check (a > 0),
		b int check (b < 100), c text constraint c_uni unique, constraint ab_order check (a < b),
		constraint "Odd ""Name""" unique (b, c));
		insert into nc values (1, 1, 2, 'x')`
	for _, c := range []*pgconn.PgConn{pc, qc} {
		if _, err := c.Exec(ctx, setup).ReadAll(); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		sql      string
		extended bool // run with the extended protocol
		block    bool // inside a transaction block
	}{
		{sql: "insert into t values (2, 2, 1, 1, 1, 1)"},
		{sql: "insert into t values (1, 5, 5, 5, 1, 1)"},
		{sql: "insert into t values (3, 1, 3, 3, 1, 1)", extended: true},
		{sql: "insert into t values (3, 3, 3, 3, 1, 11)"},
		{sql: "update t set k = -1 where id = 1", extended: true},
		{sql: "insert into t values (1, 5, 5, 5, 1, 1)", block: true},
		{sql: "insert into t values (4, 4, 4, 4, 4, 40)", block: true},
		{sql: "insert into s2.w values (1, 1), (1, 2)"},
		{sql: "insert into s2.w values (2, 3)", extended: true},
		{sql: "insert into s2.w values (7, 7), (7, 8)", block: true},
		// Names CREATE TABLE gave the constraints.
		{sql: "insert into nc values (1, 1, 3, 'y')"},
		{sql: "insert into nc values (2, -1, 3, 'y')"},
		{sql: "insert into nc values (2, 5, 3, 'y')", extended: true},
		{sql: "insert into nc values (2, 1, 300, 'y')"},
		{sql: "insert into nc values (2, 1, 3, 'x')"},
	}
	// The catalog shows the names given.
	compareSteps(t, pc, qc, []string{
		"select conname, contype from pg_constraint where conrelid = 'nc'::regclass order by conname",
		"select indexrelid::regclass::text from pg_index where indrelid = 'nc'::regclass order by 1",
		"create table ak (id int not null, v int); create index ak_v on ak (v)",
		"alter table ak add constraint ak_custom primary key (id)",
		"select conname, contype from pg_constraint where conrelid = 'ak'::regclass",
		"insert into ak values (1, 1), (1, 2)",
	})
	for _, cs := range cases {
		var got, names [2]string
		for i, c := range []*pgconn.PgConn{pc, qc} {
			if cs.block {
				if _, err := c.Exec(ctx, "begin").ReadAll(); err != nil {
					t.Fatal(err)
				}
			}
			var err error
			if cs.extended {
				err = c.ExecParams(ctx, cs.sql, nil, nil, nil, nil).Read().Err
			} else {
				_, err = c.Exec(ctx, cs.sql).ReadAll()
			}
			var pe *pgconn.PgError
			if !errors.As(err, &pe) {
				t.Fatalf("%s: no error: %v", cs.sql, err)
			}
			names[i] = pe.ConstraintName
			got[i] = fmt.Sprintf("%s %s | schema %q table %q constraint %q", pe.Code, pe.Message, pe.SchemaName, pe.TableName, pe.ConstraintName)
			if pe.Code == "23505" {
				got[i] += " | " + pe.Detail // PostgreSQL's check detail shows the row, DuckDB's the expression
			}
			if cs.block {
				if _, err := c.Exec(ctx, "rollback").ReadAll(); err != nil {
					t.Fatal(err)
				}
			}
		}
		if cs.block {
			// PostgreSQL's, less the name: `23505 duplicate key value
			// violates unique constraint "t_pkey" | ...`.
			want := strings.Replace(got[0], ` "`+names[0]+`" | schema`, ` | schema`, 1)
			if !strings.HasPrefix(got[1], want[:strings.Index(want, " | schema")]+" | schema") {
				t.Errorf("%s\n PostgreSQL: %s\n quiver:     %s", cs.sql, got[0], got[1])
			}
			continue
		}
		if got[0] != got[1] {
			t.Errorf("%s\n PostgreSQL: %s\n quiver:     %s", cs.sql, got[0], got[1])
		}
	}
}
