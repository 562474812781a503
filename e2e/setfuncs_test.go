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

// TestSettingsAreTransactional compares with PostgreSQL how transactions
// keep and undo SET, SET LOCAL, RESET and set_config.
func TestSettingsAreTransactional(t *testing.T) {
	pc, qc := connectBoth(t)
	compareSteps(t, pc, qc, []string{
		"show search_path",
		"begin; set search_path = a, b; show search_path; rollback", "show search_path",
		"begin; set search_path = a; commit", "show search_path",
		"begin; set local search_path = c; show search_path; commit", "show search_path",
		"set local search_path = d", "show search_path",
		"begin; set application_name = 'x'; set local application_name = 'y'; show application_name; commit", "show application_name",
		"begin; set local application_name = 'y'; set application_name = 'z'; commit", "show application_name",
		"begin; set local TimeZone = 'Asia/Tokyo'; select timestamptz '2024-01-01 00:00:00+00' as t; rollback", "select timestamptz '2024-01-01 00:00:00+00' as t",
		"set statement_timeout = '1s'; select 1/0", "show statement_timeout",
		"set statement_timeout = '2s'; select 1", "show statement_timeout", "reset statement_timeout",
		"begin; set search_path = g; select * from missing_table", "rollback", "show search_path",
		"begin; set myapp.x = '1'; show myapp.x; rollback", "show myapp.x",
		"set myapp.y = '1'; begin; set local myapp.y = '2'; show myapp.y; commit", "show myapp.y",
		"select set_config('search_path', 'e', true)", "show search_path",
		"begin; select set_config('search_path', 'f', true); show search_path; commit", "show search_path",
		"begin; select set_config('search_path', 'h', false); rollback", "show search_path",
		"begin; reset all; show search_path; rollback", "show search_path",
		"reset search_path",
	})
}
