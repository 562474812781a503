//go:build duckdb_arrow

package e2e

import "testing"

// TestSearchPathMatchesPostgres sets search_path on PostgreSQL and on
// quiver and compares where unqualified names are created and found,
// current_schema(s), SHOW, and what psql's visibility test sees.
func TestSearchPathMatchesPostgres(t *testing.T) {
	pc, qc := connectBoth(t)
	compareSteps(t, pc, qc, []string{
		"select current_schema(), current_schemas(false), current_schemas(true)",
		"create schema s8",
		"set search_path = s8, public",
		"show search_path",
		"select current_schema(), current_schemas(false)",
		"create table in_s8 (x int)",
		"create table pub (y int)",
		"select table_schema, table_name from information_schema.tables where table_name in ('in_s8', 'pub') order by 2",
		"insert into in_s8 values (1)",
		"select * from in_s8",
		"set search_path to public",
		"select count(*) from pg_tables where tablename = 'in_s8'",
		"select * from in_s8",
		"select * from s8.in_s8",
		"select c.relname, pg_table_is_visible(c.oid) from pg_class c where c.relname in ('in_s8', 'pub') order by 1",
		// Names that need quotes, a schema that does not exist yet, and
		// one created after the path named it.
		`set search_path to nosuch, "S9", "$user"`,
		"show search_path",
		`create schema "S9"`,
		"create table in_s9 (y int)",
		"select table_schema from information_schema.tables where table_name = 'in_s9'",
		"reset search_path",
		"select current_schema()",
		// SET LOCAL ends with the transaction.
		"begin",
		"set local search_path = s8",
		"select * from in_s8",
		"commit",
		"select current_schema()",
		"select set_config('search_path', 's8', false)",
		"select current_schema(), count(*) from in_s8 group by 1",
	})
}
