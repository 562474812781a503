//go:build duckdb_arrow

package e2e

import "testing"

// TestJSONFunctionsMatchPostgres compares SIMILAR TO, the JSON building
// and reading functions, the jsonb operators and the numeric prefix
// operators with PostgreSQL.
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
	}
	compareSteps(t, pc, qc, steps)
}
