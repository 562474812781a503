//go:build duckdb_arrow

package e2e

import "testing"

// TestSettingFunctionsMatchPostgres compares current_setting() and
// set_config() with PostgreSQL, for quiver's own settings and for custom
// "prefix.name" ones.
func TestSettingFunctionsMatchPostgres(t *testing.T) {
	pc, qc := connectBoth(t)
	steps := []string{
		"select current_setting('search_path'), current_setting('TimeZone'), current_setting('DateStyle')",
		"select pg_catalog.current_setting('server_version_num')::int >= 150000 as new_enough",
		"select set_config('search_path', 'public', false)",
		"show search_path",
		"select pg_catalog.set_config('application_name', 'setfuncs', false)",
		"select current_setting('application_name')",
		"set statement_timeout = '5s'; select current_setting('statement_timeout')",
		"reset statement_timeout",
		"select current_setting('myapp.user', true) is null as missing",
		"select current_setting('myapp.user')",
		"select set_config('myapp.user', '42', false)",
		"select current_setting('myapp.user')::int + 1 as next",
		"select set_config('TimeZone', 'Europe/Berlin', false)",
		"select timestamptz '2024-01-01 00:00:00+00' as t",
		"select set_config('DateStyle', 'nonsense', false)",
		"select set_config('TimeZone', 'UTC', false)",
		"select 1 where current_setting('application_name') = 'setfuncs'",
		"set myapp.tenant = 'acme'", "show myapp.tenant", "select current_setting('myapp.tenant')",
		"set myapp.tenant to 7", "show myapp.tenant", "reset myapp.tenant", "show myapp.tenant",
		"show myapp.nosuch", "begin; set local myapp.tenant = 'x'; show myapp.tenant; commit",
	}
	compareSteps(t, pc, qc, steps)
}
