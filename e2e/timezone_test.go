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

// TestTimestampLiteralsMatchPostgres inserts, assigns and compares
// timestamps written as strings without a cast in forms DuckDB's own cast
// refuses or reads otherwise (an offset of hours only, ISO's T and Z, a
// zone given to a timestamp without time zone, which PostgreSQL ignores).
func TestTimestampLiteralsMatchPostgres(t *testing.T) {
	pg, q := servers(t)
	db := pg.CreateDB(t)
	samePsql(t, pg, q, db, `set timezone = 'UTC';
create table ev (id int, at timestamptz, t timestamp, note text);
insert into ev values (1, '2024-01-01 10:00+00', '2024-01-01 10:00', '2024-01-01 10:00+00');
insert into ev values (2, '2024-01-01 10:00:00+02', '2024-01-01 10:00+02', 'x');
insert into ev values (3, '2024-01-01 10:00:00.5+05:30', '2024-01-02T10:00:00Z', 'y');
insert into ev (id, at) values (4, '2024-01-01T10:00Z'), (5, '2024-01-01 10:00 UTC');
insert into ev (id, at, t) select 6, '2024-06-01 12:00-07', '2024-06-01 12:00-07';
update ev set at = '2024-03-01 10:00+01' where id = 1;
select * from ev where at > '2024-01-01 00:00+00' order by id;
select id from ev where t = '2024-01-02 10:00+09' or at in ('2024-01-01 08:00+00', '2024-01-01T10:00Z') order by id;
select coalesce(at, '2024-01-01 10:00+03') from ev where id = 4;
`, 0)
}
