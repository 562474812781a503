//go:build duckdb_arrow

package catalog_test

import (
	"strings"
	"testing"
)

// TestSettings compares pg_settings with PostgreSQL's for every setting
// quiver lists, and requires each value to be the one SHOW gives in a new
// session.
func TestSettings(t *testing.T) {
	tw := newTwin(t, `select 1`)
	_, rows, err := query(tw.q, `select name, setting, unit from pg_settings order by name`)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 30 {
		t.Fatalf("pg_settings has %d rows", len(rows))
	}
	var names []string
	for _, r := range rows {
		names = append(names, "'"+r[0]+"'")
	}
	t.Run("descriptions", func(t *testing.T) {
		// quiver reports version 15.0, whatever minor version the
		// PostgreSQL compared is.
		norm := func(row []string) []string {
			if row[0] == "server_version_num" {
				row[6], row[7] = "<version>", "<version>"
			}
			return row
		}
		tw.compare(t, `select name, unit, category, short_desc, context, vartype, min_val, max_val, enumvals
from pg_settings where name in (`+strings.Join(names, ", ")+`) order by name`, norm)
	})
	t.Run("values", func(t *testing.T) {
		for _, r := range rows {
			name, setting, unit := r[0], r[1], r[2]
			if unit != "<NULL>" {
				continue // SHOW prints 4MB where pg_settings has 4096 kB
			}
			_, show, err := query(tw.q, "show "+name)
			if err != nil {
				t.Errorf("show %s: %v", name, err)
				continue
			}
			if len(show) != 1 || show[0][0] != setting {
				t.Errorf("pg_settings has %s = %q, SHOW has %q", name, setting, show)
			}
		}
	})
}

// TestStatActivity compares the session's own row of pg_stat_activity
// with PostgreSQL's.
func TestStatActivity(t *testing.T) {
	tw := newTwin(t, `select 1`)
	tw.compare(t, `select datname, usename, application_name, state, backend_type, backend_start <= query_start,
  xact_start is not null, client_port is null or client_port > 0
from pg_stat_activity where pid = pg_backend_pid()`, nil)
}
