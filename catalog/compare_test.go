//go:build duckdb_arrow

package catalog_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/quiverdb/quiver/internal/quivertest"
	"github.com/quiverdb/quiver/internal/testenv"
)

// twin is one database made by the same DDL on PostgreSQL and on quiver
// (DuckDB), reached as the same user and database name, so that catalog
// queries can be run on both and their answers compared.
type twin struct {
	pg, q *pgconn.PgConn
	db    string
	// The servers' addresses and the user both are reached as, for psql
	// and further connections.
	pgHost, qHost string
	pgPort, qPort int
	user          string
}

// newTwin creates a database on a live PostgreSQL 15 and on a new quiver
// and runs ddl on both. Both connections have the application name
// catalog_test.
func newTwin(t *testing.T, ddl string) *twin {
	t.Helper()
	pg := testenv.PG(t)
	db := pg.CreateDB(t)
	q := quivertest.Start(t)
	tw := &twin{db: db, pgHost: pg.Host, pgPort: pg.Port, qHost: q.Host, qPort: q.Port, user: pg.User}
	pc, err := pgconn.Connect(context.Background(), pg.URL(db)+"&application_name=catalog_test")
	if err != nil {
		t.Fatalf("connecting to PostgreSQL: %v", err)
	}
	t.Cleanup(func() { pc.Close(context.Background()) })
	tw.pg = pc
	tw.q = tw.connectQuiver(t)
	for _, c := range []*pgconn.PgConn{tw.pg, tw.q} {
		if _, err := c.Exec(context.Background(), ddl).ReadAll(); err != nil {
			t.Fatalf("DDL on %s: %v", engine(c, tw), err)
		}
	}
	return tw
}

// connectQuiver opens another session on the twin's quiver.
func (tw *twin) connectQuiver(t *testing.T) *pgconn.PgConn {
	t.Helper()
	c, err := pgconn.Connect(context.Background(), fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable&application_name=catalog_test",
		tw.user, tw.qHost, tw.qPort, tw.db))
	if err != nil {
		t.Fatalf("connecting to quiver: %v", err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func engine(c *pgconn.PgConn, tw *twin) string {
	if c == tw.pg {
		return "PostgreSQL"
	}
	return "quiver"
}

// query runs one statement in the simple protocol and returns its column
// names and its rows as text, NULL as "<NULL>".
func query(c *pgconn.PgConn, sql string) (cols []string, rows [][]string, err error) {
	res, err := c.Exec(context.Background(), sql).ReadAll()
	if err != nil {
		return nil, nil, err
	}
	r := res[len(res)-1]
	for _, f := range r.FieldDescriptions {
		cols = append(cols, f.Name)
	}
	for _, row := range r.Rows {
		out := make([]string, len(row))
		for i, v := range row {
			if v == nil {
				out[i] = "<NULL>"
			} else {
				out[i] = string(v)
			}
		}
		rows = append(rows, out)
	}
	return cols, rows, nil
}

// compare runs sql on both engines and requires the same column names and
// rows. norm, if given, rewrites each row of both answers first, for the
// differences between the engines (not between the catalogs) the caller
// names.
func (tw *twin) compare(t *testing.T, sql string, norm func(row []string) []string) {
	t.Helper()
	tw.compareOn(t, tw.q, sql, norm)
}

// compareOn is compare with the quiver session q.
func (tw *twin) compareOn(t *testing.T, q *pgconn.PgConn, sql string, norm func(row []string) []string) {
	t.Helper()
	wantCols, want, err := query(tw.pg, sql)
	if err != nil {
		t.Fatalf("PostgreSQL: %v\n%s", err, sql)
	}
	gotCols, got, err := query(q, sql)
	if err != nil {
		t.Fatalf("quiver: %v\n%s", err, sql)
	}
	if len(want) == 0 {
		t.Fatalf("PostgreSQL returned no rows, the comparison proves nothing:\n%s", sql)
	}
	if norm != nil {
		for _, rows := range [][][]string{want, got} {
			for i := range rows {
				rows[i] = norm(rows[i])
			}
		}
	}
	w, g := table(wantCols, want), table(gotCols, got)
	if w != g {
		t.Errorf("%s\n--- PostgreSQL:\n%s--- quiver:\n%s", sql, w, g)
	}
}

func table(cols []string, rows [][]string) string {
	var b strings.Builder
	b.WriteString(strings.Join(cols, "|") + "\n")
	for _, r := range rows {
		b.WriteString(strings.Join(r, "|") + "\n")
	}
	return b.String()
}
