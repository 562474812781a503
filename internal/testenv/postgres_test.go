package testenv

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestMain(m *testing.M) { Main(m) }

func TestPostgresStarts(t *testing.T) {
	pg := PG(t)
	ctx := context.Background()
	c, err := pgconn.Connect(ctx, pg.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	res, err := c.Exec(ctx, "select current_setting('server_version_num')::int / 10000").ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := string(res[0].Rows[0][0]); got != "15" {
		t.Fatalf("server major version = %s, want 15", got)
	}
}
