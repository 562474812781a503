//go:build duckdb_arrow

package e2e

import "testing"

// TestByteaLiteralsMatchPostgres writes bytea values as string constants,
// cast and uncast, in the hex format ('\x0102') and the escape format
// ('a\\b\001'), into and out of a table, on PostgreSQL and on quiver:
// DuckDB's own cast from text to BLOB would read '\x0102' as the three
// bytes 01 '0' '2'. Malformed input fails with byteain's SQLSTATE, and
// text with backslashes that is not bytea stays text.
func TestByteaLiteralsMatchPostgres(t *testing.T) {
	pc, qc := connectBoth(t)
	compareSteps(t, pc, qc, []string{
		`select '\x0102'::bytea, octet_length('\x0102'::bytea), '\xDEADbeef'::bytea, 'abc'::bytea, bytea '\x41', cast('\x' as bytea), '\x 01 02'::bytea`,
		`select E'a\\\\b\\001'::bytea, 'a\\b\001\377'::bytea, ''::bytea`,
		`select '\x0'::bytea`,
		`select '\xzz'::bytea`,
		`select 'a\q'::bytea`,
		`create table bl (id int4, b bytea, t text)`,
		`insert into bl values (1, '\x0102', '\x0102'), (2, '\xDEADBEEF', 'x')`,
		`insert into bl (id, b) values (3, 'a\\b'), (4, 'plain')`,
		`insert into bl (id, b) values (5, '\x1')`,
		`insert into bl (id, t) values (6, 'C:\temp\new'), (7, '\\server\x')`,
		`insert into bl (id, b) values (8, 'C:\temp')`,
		`update bl set b = '\x0a' where id = 3`,
		`select id, b, t from bl order by id`,
		`select id from bl where b = '\xdeadbeef'`,
		`select id from bl where b in ('\x0102', '\x0a') order by id`,
		`select id, coalesce(b, '\x0102') from bl order by id`,
		`select regexp_replace('a1b22', '\d+', '#', 'g'), 'C:\temp' as path, length('a\b')`,
		`drop table bl`,
	})
}
