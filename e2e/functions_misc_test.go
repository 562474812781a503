//go:build duckdb_arrow

package e2e

import "testing"

// TestMiscFunctionsMatchPostgres compares the string, array and
// miscellaneous functions package catalog maps for DuckDB
// (catalog/functions_misc.go) with PostgreSQL: to_hex, format, pg_typeof,
// octet_length, bit_length, the array functions, num_nulls, initcap,
// btrim, quoting, regexp_match, div, every, encode and decode, with NULL,
// empty and multi-byte arguments.
func TestMiscFunctionsMatchPostgres(t *testing.T) {
	pc, qc := connectBoth(t)
	steps := []string{
		"select to_hex(255), to_hex(0), to_hex(-1), to_hex(-1::bigint), to_hex((-2147483648)::int), to_hex(4294967296), to_hex(null::int)",
		"select octet_length('héllo'), bit_length('héllo'), octet_length(''), octet_length(null::text), octet_length(decode('00ff', 'hex'))",

		"select format('%s is %s', 'x', 42), format('a%%b'), format('%s|%s|', null, ''), format(null, 1), format('%5s|%-5s|', 'ab', 'cd')",
		"select format('%I.%I', 'A b', 'ok'), format('%L %L', null, 'x''y'), format('%L|%I', true, 7), format('%s', 'héllo')",
		"select format('%s %s %s', true, 1.50, 2.5::float8), format('%s|%s|%s', 1e15::float8, -1e16::float8, 1234567::real)",
		"select format('%s %s', 'inf'::float8, -0.0::float8), format('%s', date '2024-02-29'), format('%s', 12.5::numeric)",
		"select format('%s %s', 'x')",
		"select format('%s-%s-%s-%s-%s-%s-%s-%s-%s-%s', 1, 2, 3, 4, 5, 6, 7, 8, 9, 10), format('%s%s%s%s%s', 'a', null, 'é', 1.5, 'z')",
		"select num_nulls(1, null, 3, null, 5, null, 7, 8, 9), num_nonnulls(1, null, 3, null, 5, null, 7, 8, 9, 10, 11, 12)",
		"select format('%d', 1)",
		"select format('%L', E'a\\\\b')",

		"select pg_typeof(1), pg_typeof('a'::text), pg_typeof(1.5), pg_typeof(2::bigint), pg_typeof(2::smallint), pg_typeof(1.5::float8), pg_typeof(1.5::real)",
		"select pg_typeof(true), pg_typeof(date '2024-01-01'), pg_typeof(timestamp '2024-01-01'), pg_typeof(now()), pg_typeof(interval '1 day'), pg_typeof(time '12:00')",
		"select pg_typeof(decode('00', 'hex')), pg_typeof(gen_random_uuid()), pg_typeof('{}'::json), pg_typeof(array[1]), pg_typeof(array['a'::text]), pg_typeof(array[[1.5]]), pg_typeof(row(1, 2)), pg_typeof(null::int)",

		"select cardinality(array[1, 2]), cardinality('{}'::int[]), cardinality(null::int[]), cardinality(array[null::int])",
		"select array_length(array[1, 2, 3], 1), pg_typeof(array_length(array[1], 1)), array_length('{}'::int[], 1), array_length(array[1, 2], 2), array_length(null::int[], 1)",
		"select array_upper(array[1, 2, 3], 1), array_lower(array[1, 2, 3], 1), array_upper('{}'::int[], 1), array_lower(array[1], 2), pg_typeof(array_upper(array[1], 1)), pg_typeof(array_lower(array[1], 1))",
		"select array_length(a, 1), array_upper(a, 1) from (values (array['x', 'y']), (array[]::text[]), (null)) v(a)",
		// LIKE escapes with a backslash unless ESCAPE says otherwise.
		`select 'a_c' like 'a#_c' escape '#', 'abc' like 'a#_c' escape '#', 'a_c' like 'a\_c', 'abc' like 'a\_c', 'a%' ilike 'A\%', 'x\y' like 'x\\y', 'ab' not like 'a\_', 'AB' not ilike 'a\_'`,
		`select s like p, s like p escape '', s ilike p escape '!' from (values ('a_c', 'a\_c'), ('abc', 'a\_c'), ('a!c', 'a!!c')) v(s, p)`,
		// regexp_matches returns rows: none without a match, one per match
		// with g.
		"select regexp_matches('abc', '(b)(c)')",
		"select regexp_matches('abcbc', 'b', 'g')",
		"select regexp_matches('abcbc', '(b)(c)', 'g')",
		"select regexp_matches('xyz', 'b')",
		"select 1, regexp_matches('aBcb', 'b', 'gi')",
		"select regexp_matches(s, '[0-9]+', 'g') from (values ('a1b22'), ('none'), (null)) v(s)",
		// An explicit cast to varchar(n) or char(n) cuts the value.
		"select 'abc'::varchar(2), 'abc'::char(2), cast('abcdef' as varchar(3)), 'ab'::varchar(5), 'héllo'::varchar(2), 12345::varchar(3), 'abc'::char, upper('abc')::varchar(1), null::varchar(2)",
		"create table vct (v varchar(3))",
		"insert into vct values ('abcdef'::varchar(3))",
		"insert into vct values ('abcdef')",
		"select * from vct",
		// An array and an element.
		"select array[1, 2] || 3, 0 || array[1], array['a'] || 'b'::text, array[1] || array[2], array[1] || '{2,3}', 'x' || 'y'",
		// substr and substring count from the start; substring(s from
		// pattern) is a regular expression's match.
		"select substr('abc', 0, 2), substr('abc', -1, 3), substr('abc', -5, 2), substr('abc', 2), substr('abc', -1), substring('hello' from 2 for 3), substring('hello' from 0 for 2), substr('abc', 2, 0), substr(null, 1, 2)",
		"select substr('abc', 1, -1)",
		"select substring('hello' from 'l+'), substring('hello', 2), substring('hello' from 'e(l+)o'), substring('hello' from 'z'), substring('hello', 0), substring(x from '[0-9]+') from (values ('ab12c')) v(x)",
		"select lpad('x', 5), rpad('x', 5) || '|', lpad('hello', 3), rpad('hello', 2), lpad('x', 3, 'ab'), lpad('x', 0), lpad(null, 2)",
		// BETWEEN SYMMETRIC.
		"select 'b' between symmetric 'c' and 'a', 5 not between symmetric 10 and 1, 5 between symmetric 1 and 10, 0 between symmetric 1 and 10",
		// Timestamps written as PostgreSQL reads them.
		"select timestamptz '2024-06-01 12:00+02', '2024-06-01 12:00 +02:00'::timestamptz, '2024-06-01T12:00Z'::timestamptz, '2024-06-01 12:00:00.5 Europe/Paris'::timestamptz, '2024-06-01 12:00+02'::timestamp, timestamp 'epoch'",
		// NULL sorts last ascending and first descending.
		"select x from (values (1), (null), (2)) v(x) order by x desc",
		"select x from (values (1), (null), (2)) v(x) order by x",
		"select x from (values (1), (null), (2)) v(x) order by x desc nulls last",
		"select array_agg(x order by x desc), string_agg(y, ',' order by y desc) from (values (1, 'a'), (null, null), (2, 'b')) v(x, y)",
		"select x, rank() over (order by x desc) from (values (1), (null)) v(x) order by 2",
		// generate_series in the select list makes rows.
		"select generate_series(1, 3)",
		"select generate_series(1, 3) * 2 as d, 'x' as c",
		"select generate_series(date '2024-01-01', date '2024-01-03', interval '1 day')::date",
		"select (select max(g) from generate_series(1, 4) g), generate_series(1, 2)",
		"select count(*) from (select generate_series(1, 10)) s",
		"select overlay('hello' placing 'XX' from 2), overlay('hello' placing '' from 2 for 3), overlay('hello' placing 'abc' from 9), overlay('héllo' placing 'É' from 2 for 1), overlay(null placing 'x' from 1)",
		"select array_dims(array[1, 2]), array_dims('{}'::int[]), array_dims(null::int[]), array_ndims(array[1, 2]), array_ndims(array[[1], [2]]), array_ndims('{}'::int[])",
		"select array_to_string(array[1, null, 3], ',', '*'), array_to_string(array[1, null, 3], ',', null), array_to_string(array[true, null], '-', 'n')",
		"select array_to_string(null::int[], ',', '*'), array_to_string('{}'::text[], ',', '*'), array_to_string(array['é', null], ', ', '∅'), array_to_string(array[1], null, 'x')",
		"select array_to_string(array[true, false], ','), array_to_string(array[1.0::float8, 2.5], ','), array_to_string(array[1.50], ','), array_to_string(array['a', null, 'b'], ','), array_to_string(null::int[], ','), array_to_string(array[1], null)",
		"select array_replace(array[1, 2, 1], 1, 9), array_replace(array[1, null], null, 3), array_replace('{}'::int[], 1, 2), array_replace(null::int[], 1, 2)",
		"select array_positions(array[1, 2, 1], 1), array_positions(array[1, null], null), array_positions('{}'::int[], 1), array_positions(null::int[], 1), array_positions(array['a', 'b'], 'c')",
		"select num_nulls(1, null, 3), num_nonnulls(1, null), num_nulls(null), num_nonnulls(1, 2, 3, 4), num_nulls(1, 'a'), num_nonnulls(null, null)",

		"select initcap('hello wORLD héllo-x 2nd'), initcap(null), initcap(''), initcap('ÉCOLE élève')",
		"select btrim('  x  '), btrim('xxaxx', 'x'), btrim(''), btrim(null), btrim('éaé', 'é'), btrim('abc', '')",
		"select quote_literal('a''b'), quote_literal(42), quote_literal(E'a\\\\b'), quote_literal(true), quote_literal(null), quote_literal('')",
		"select quote_nullable(null), quote_nullable(1.5), quote_nullable('it''s'), quote_nullable(true)",

		"select regexp_match('foobar', 'o(b)'), regexp_match('foo', 'x'), regexp_match('foo', 'o+'), regexp_match('abc', '(a)(b)(c)')",
		"select regexp_match('a(b', 'a\\(b'), regexp_match(null, 'a'), regexp_match('a', null), regexp_match('x[y', '[[]'), regexp_match('héllo', 'h(.)l')",
		"select regexp_match('abc', '(?:a)(b)'), regexp_match('', '^$')",
		"select regexp_match('aBc', 'b', 'i'), regexp_match('aBc', 'b', 'c'), regexp_match('aBc', 'b', 'ic'), regexp_match('aBc', '(b)(c)', 'ci'), regexp_match('aBc', 'b', null)",
		"select regexp_match('abc', 'b', 'g')",
		"select regexp_match('ab', '(a)(x*)b')", "select regexp_match('ab', 'a()b'), regexp_match('ab', '(a|c)(b)?')",

		"select div(7, 2), div(-7, 2), div(7.5, 2), div(null, 2), div(9223372036854775807, 2)",
		"select div(1, 0)",
		"select div(x, y) from (values (1, 0)) v(x, y)",
		"select format('%I', null)",
		"select decode(x, 'escape') from (values ('a\\b')) v(x)",
		"select every(x), bool_and(x) from (values (true), (false), (null)) v(x)",
		"select every(x) from (values (true), (null)) v(x)",
		"select every(x) from (values (true)) v(x) where false",

		"select encode(decode('0102ff', 'hex'), 'hex'), encode(decode('YWJj', 'base64'), 'base64'), decode('0A0b', 'hex'), decode('YW Jj', 'base64')",
		"select encode(decode(repeat('61', 60), 'hex'), 'base64'), encode(decode(repeat('61', 57), 'hex'), 'base64'), encode(decode('', 'hex'), 'hex')",
		"select encode(null::bytea, 'hex'), decode(null, 'hex'), encode(null::bytea, 'escape'), decode(null, 'escape')",
		"select encode(decode('615c6200c3a97f80ff', 'hex'), 'escape'), decode('a\\\\b\\001é\\377', 'escape'), encode(decode('', 'hex'), 'escape'), decode('', 'escape')",
		"select encode(decode('héllo', 'escape'), 'base64'), encode(decode('x\\\\y', 'escape'), 'hex'), decode('\\\\\\\\', 'escape')",
		"select encode(decode('00', 'hex'), 'foo')",
	}
	compareSteps(t, pc, qc, steps)
}
