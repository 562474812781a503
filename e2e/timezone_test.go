//go:build duckdb_arrow

package e2e

import "testing"

// TestTimeZoneComputationsMatchPostgres changes TimeZone (SET, in a block
// that rolls back, SET LOCAL, RESET) and computes with timestamptz values
// after each change, on PostgreSQL and on quiver: DuckDB takes parts,
// casts and truncations of a timestamptz in a time zone of its own, which
// must follow the session's. The same statement text runs before and
// after a change, so that a plan DuckDB bound for the old zone would show.
func TestTimeZoneComputationsMatchPostgres(t *testing.T) {
	pc, qc := connectBoth(t)
	q := `select extract(hour from to_timestamp(1719835200)), to_timestamp(1719835200)::timestamp, date_trunc('day', to_timestamp(1719835200)), to_char(to_timestamp(1719835200), 'HH24:MI')`
	compareSteps(t, pc, qc, []string{
		q,
		`set timezone = 'America/New_York'`,
		q,
		`select to_timestamp(1719835200), timestamptz '2024-07-01 12:00:00+00', extract(timezone from to_timestamp(0))`,
		`begin`,
		`set timezone = 'Asia/Tokyo'`,
		q,
		`rollback`,
		q + `, current_setting('TimeZone')`,
		`begin`,
		`set local timezone = 'Europe/Berlin'`,
		q,
		`commit`,
		q,
		`reset timezone`,
		q,
	})
}
