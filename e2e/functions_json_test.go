//go:build duckdb_arrow

package e2e

import "testing"

// TestJSONFunctionsMatchPostgres compares SIMILAR TO, the JSON building
// and reading functions, the jsonb operators (containment, deletion,
// concatenation) and functions that change a value, and the numeric
// prefix operators with PostgreSQL.
func TestJSONFunctionsMatchPostgres(t *testing.T) {
	pc, qc := connectBoth(t)
	steps := []string{
		// SIMILAR TO: % and _ are wildcards, regular expression characters
		// that SQL's patterns do not have are literal.
		`select 'abc' similar to '(a|z)%' a, 'abc' not similar to '(a|z)%' b, 'a.c' similar to 'a\.c' c,
		  'abc' similar to 'a.c' d, 'a$' similar to 'a$' e, 'b' similar to '[^a]' f, '5' similar to '\d' g,
		  'ab' similar to 'a|b' h, 'ab' similar to '(a|b)+' i, 'abc' similar to 'ab' j`,
		`select 'a%' similar to 'a!%' escape '!' a, 'ab' similar to 'a!%' escape '!' b,
		  'a\b' similar to 'a\b' escape '' c, 'a_' not similar to 'a#_' escape '#' d`,
		`select 'é€x' similar to '_€%' a, '' similar to '' b, '' similar to '_' c, E'a\nb' similar to 'a_b' d,
		  null similar to 'a' e, 'a' similar to null f`,
		`select s, s similar to '%(b|d)%' m from (values ('abc'), ('xyz'), ('d'), (null)) v(s) order by s`,

		// Building JSON, printed as PostgreSQL prints json and jsonb.
		`select json_build_object('a', 1, 'b', 'x') a, json_build_object() b,
		  json_build_object('a', json_build_object('b', null), 'c', 'é€') c, json_build_object(1, true) d`,
		`select jsonb_build_object('b', 1, 'aa', 'x', 'a', true) a, jsonb_build_object() b, jsonb_build_object('k', null) c`,
		`select json_build_object('a', null::text)`,
		`select json_build_object(null, 1)`,
		`select json_build_array(1, 'x', null) a, json_build_array() b, jsonb_build_array('a', 2.5) c`,
		`select to_jsonb('x'::text) a, to_jsonb(3) b, jsonb_array_length('[1,2,[3]]') c, jsonb_array_length('[]') d`,
		`select jsonb_typeof('{"a":1}') a, jsonb_typeof('[1]') b, json_typeof('"s"') c, jsonb_typeof('1.5') d,
		  jsonb_typeof('true') e, jsonb_typeof('null') f, jsonb_typeof(null) g`,
		`select json_agg(x) a, jsonb_agg(x * 2) b from (values (1), (2), (null)) v(x)`,
		`select json_agg(x) a from (values ('x'), ('é')) v(x) where false`,
		`select json_agg(x order by x desc) a, jsonb_agg(x order by -x) b, json_agg(x) filter (where x > 1) c
		  from (values (1), (3), (2), (3)) v(x)`,
		`select x, json_agg(x) over (order by x) a from (values (1), (2)) v(x) order by x`,
		`select json_object_keys('{"a":1,"b":{"c":2}}') k`,
		`select k from jsonb_object_keys('{"a":1,"b":2}') k`,
		`select jsonb_pretty('{"a":[1,2],"b":"x"}') p`,

		// Operators.
		`select '{"a":{"b":[1,2]}}'::jsonb #> '{a,b,1}' a, '{"a":{"b":[1,"x"]}}'::jsonb #>> '{a,b,1}' b,
		  '{"a":1}'::json #> '{}' c, '{"a":1}'::jsonb #> '{z}' d, '{"0":{"a/b":5}}'::jsonb #>> '{0,a/b}' e,
		  '{"a":1}'::jsonb #> null f`,
		`select '{"a":1}'::jsonb ? 'a' a, '["a",1]'::jsonb ? 'a' b, '{"a":1}'::jsonb ? 'b' c,
		  '{"a":1}'::jsonb ?| array['a','c'] d, '{"a":1}'::jsonb ?& array['a','c'] e, '{"a":1}'::jsonb ?& '{}' f,
		  '{"a":1,"c":2}'::jsonb ?& '{a,c}' g`,
		`select |/ 16.0 a, @ -5 b, ||/ 27.0 c, @ 2.5 d, |/ null::float8 e`,

		// The json_each family in FROM.
		`select * from jsonb_each('{"a":1,"b":"x","c":null}')`,
		`select * from json_each_text('{"a":1,"b":"x","c":null,"d":true}') e order by key`,
		`select t.id, e.key, e.value from (values (1, '{"a":1}'), (2, '{"b":"é"}')) t(id, j), jsonb_each(t.j::jsonb) e order by 1`,
		`select e.v from jsonb_array_elements('[1,"x",null]') e(v)`,
		`select * from json_array_elements('[]')`,
		`select * from jsonb_each(null)`,

		// Containment: objects contain sub-objects at every level, arrays
		// elements in any order, a top-level array a bare scalar; arrays
		// of other types keep array containment, where NULL matches
		// nothing.
		`select '{"a":1,"b":{"c":2,"d":[1,2]}}'::jsonb @> '{"b":{"d":[2]}}' a, '[1,[2]]'::jsonb @> '[2]' b,
		  '["a"]'::jsonb @> '"a"' c, '"a"'::jsonb @> '["a"]' d, '{"a":1}'::jsonb <@ '{"a":1,"b":2}' e,
		  '[[1,2]]'::jsonb @> '[[1]]' f, '1'::jsonb @> '1.0' g, '[1,1,2]'::jsonb @> '[2,2,1]' h,
		  '{"a":[1]}'::jsonb @> '{"a":1}' i, '[{"a":1,"b":2}]'::jsonb @> '[{"a":1},{"b":2}]' j,
		  '[{"a":1},{"b":2}]'::jsonb @> '[{"a":1,"b":2}]' k, '{"a":"x"}'::jsonb @> '{"a":"\u0078"}' l,
		  '[null]'::jsonb @> 'null' m, '{}'::jsonb @> '{}' n, null::jsonb @> '{}' o`,
		`select '{"a":1}'::jsonb @> '{"a":1}'`,
		`select id, j @> '{"a":1}' x, j <@ '{"a":1,"b":[2,1,3]}' y, a @> '{1}' z, a <@ array[1,2,3] w, a @> a v,
		  j @> j u, '[1]' <@ j t
		  from (values (1, '{"a":1,"b":[1,2]}'::jsonb, array[1,2]), (2, '[1,"x",{"c":null}]', array[3,null]),
		    (3, null, null)) t(id, j, a) order by id`,
		`select array[1,2,3] @> array[2,1] a, array[1,null] @> array[null::int] b, array['x'] <@ '{x,y}'::text[] c`,

		// Deleting keys, elements and paths; the results are printed as
		// PostgreSQL prints jsonb.
		`select '["a","b",1]'::jsonb - 'a' a, '["a","b","c"]'::jsonb - '{a,c}'::text[] b,
		  '{"a":1,"b":2}'::jsonb - '{a,z}'::text[] c, '[1,2,3]'::jsonb - -1 d, '[1,2,3]'::jsonb - 5 e,
		  '[1,2,3]'::jsonb - -5 f, '{"a":1,"b":{"c":2}}'::jsonb - 'a' g, '{"a":1}'::jsonb - array['a'] h,
		  '{"a":1}'::jsonb - null::text i, ('{"a":{"b":1,"c":2}}'::jsonb -> 'a') - 'b' j`,
		`select '1'::jsonb - 'a'`,
		`select '{"a":1}'::jsonb - 1`,
		`select '{"a":{"b":[1,2]}}'::jsonb #- '{a,b,0}' a, '{"a":1}'::jsonb #- '{z,y}' b, '{"a":1}'::jsonb #- '{a,y}' c,
		  '[1,[2,3]]'::jsonb #- '{1,-1}' d, '[1]'::jsonb #- '{}' e, '{"a":{"b":1,"c":[]}}'::jsonb #- '{a,b}' f`,
		`select '1'::jsonb #- '{x}'`,
		`select '[1]'::jsonb #- '{x}'`,
		`select '{"a":1}'::jsonb #- '{null}'`,
		`select jsonb_set('{"a":[1]}', '{a,null}', '3')`,
		`select jsonb_set('{"a":[1]}', '{a,-x}', '3')`,

		// jsonb_set, jsonb_insert, jsonb_strip_nulls and ||.
		`select jsonb_set('[1,2]', '{5}', '3') a, jsonb_set('[1,2]', '{-5}', '3') b, jsonb_set('[1,2]', '{-1}', '3') c,
		  jsonb_set('{"a":1}', '{b,c}', '3') d, jsonb_set('{"a":1}', '{b}', '3', false) e,
		  jsonb_set('{"a":{"b":1}}', '{a,c}', '[3]') f, jsonb_set('{"a":1}', '{a,b}', '3') g, jsonb_set('{"a":1}', '{a}', null) h,
		  jsonb_set('{"a":1}', '{}', '3') i, jsonb_set('{"bb":1,"a":2}', '{c}', '{"y":[1,"é"]}') j`,
		`select jsonb_set('1', '{a}', '3')`,
		`select jsonb_insert('[1,2]', '{0}', '0') a, jsonb_insert('[1,2]', '{0}', '0', true) b, jsonb_insert('[1,2]', '{9}', '0') c,
		  jsonb_insert('[1,2]', '{-9}', '0') d, jsonb_insert('[1,2]', '{-1}', '0') e, jsonb_insert('{"a":1}', '{b}', '0') f,
		  jsonb_insert('{"a":1}', '{b,c}', '0') g, jsonb_insert('{"a":[1]}', '{a,1}', '"x"', true) h`,
		`select jsonb_insert('{"a":1}', '{a}', '0')`,
		`select jsonb_strip_nulls('{"a":null,"b":[null,{"c":null}],"d":1}') a, jsonb_strip_nulls('null') b, jsonb_strip_nulls(null) c`,
		`select '[1]'::jsonb || '{"a":1}'::jsonb a, '{"a":1}'::jsonb || '[1]'::jsonb b, '1'::jsonb || '2'::jsonb c,
		  '{"a":1}'::jsonb || '"x"'::jsonb d, '{"a":{"b":1}}'::jsonb || '{"a":{"c":1}}' e, '[]'::jsonb || '[[1]]' f,
		  '{}'::jsonb || '{}' g, 'a' || 'b' h, '{"a":1}'::jsonb || null i, '{"b":1}'::jsonb || '{"a":2}' || '{"b":3}' j`,
		`select id, jsonb_set(j, '{a}', '5') s, jsonb_insert(j, '{z}', '[]') i, j #- '{b,0}' d
		  from (values (1, '{"a":1,"b":[1,2]}'::jsonb), (2, '{"b":[]}'), (3, null)) t(id, j) order by id`,
		// -> and ->> under IS NULL and comparisons (DuckDB reads -> as a
		// lambda's arrow), array indexes, keys DuckDB would read as paths.
		`select '{"a":1}'::json -> 'a' is null, '{"a":1}'::json -> 'b' is null, ('{"a":1}'::jsonb ->> 'a') = '1', '{"a":1}'::jsonb ->> 'a' = '1'`,
		`select '[1,2,3]'::jsonb -> 0, '[1,2,3]'::jsonb -> -1, '[1,2,3]'::jsonb ->> 2, '[1,2,3]'::jsonb -> 5, '{"1":5}'::jsonb -> '1'`,
		`select '{"a":{"b":[10,"x",null,true]}}'::jsonb -> 'a' -> 'b' ->> 1, '{"a":{"b":[10,"x",null,true]}}'::jsonb -> 'a' -> 'b' ->> 2`,
		`select '{"$x":1, "a.b":2, "/c":3, "$q\"x":4}'::jsonb ->> '$x', '{"$x":1, "a.b":2, "/c":3}'::jsonb ->> 'a.b', '{"/c":3}'::jsonb ->> '/c', '{"$q\"x":4}'::jsonb ->> '$q"x'`,
		`select x ->> 'k' from (values ('{"k":"v"}'::jsonb), (null), ('{}')) v(x) where x ->> 'k' is not null`,

		// || and - on a jsonb column, whose type only DuckDB knows: the
		// probe learns it (dialect/untypedctx.go). On text, numbers,
		// dates and arrays they stay the operators they are.
		`create table jop (id int4, data jsonb, name text, n int4, a int4[])`,
		`insert into jop values (1, '{"a":1,"b":2}', 'x', 5, '{1}'), (2, '["a","b"]', 'y', 7, null), (3, null, null, null, null)`,
		`select id, data || '{"x":1}' a, data - 'a' b, data - '{a,b}'::text[] c, name || '{x}' d, '[9]' || data e,
		  data - 'a' - 'b' f, data || '[1]' || '{"z":[]}' g, data - array['b'] h from jop order by id`,
		`select id from jop where data - 'a' = '{"b":2}'::jsonb or (data || '{"q":1}') ? 'q' order by id`,
		`update jop set data = data || '{"y":2}' where id < 3`,
		`select id, data from jop order by id`,
		`update jop set data = data - 'y' where data is not null`,
		`select id, data from jop order by id`,
		`select id, n - 1 a, n - n b, name || name c, name || 'z' d, '{z}' || name f, name || '[1]' g from jop order by id`,
		`select id, a || '{2}' a, '{0}' || a b from jop where a is not null order by id`,
		`select id, (data || '[1]') - 'a' - 'b' || '{"c":3}' a from jop order by id`,
		`drop table jop`,
	}
	compareSteps(t, pc, qc, steps)
}
