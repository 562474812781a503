package dispatch

import (
	"strings"
	"testing"
)

// TestAnalyzeReplay checks which statements a ROLLBACK TO SAVEPOINT may
// run again, decided from their parse trees.
func TestAnalyzeReplay(t *testing.T) {
	for _, tc := range []struct {
		sql     string
		refuse  string // "" when replayable, else a word of the reason
		targets string
	}{
		{sql: "insert into t values (1, 'a')", targets: "t"},
		{sql: "insert into s.t (a) select a from u where a > 2", targets: "s.t"},
		{sql: "update t set a = a + 1 where b = lower('X')"},
		{sql: "update t set a = default", targets: "t"},
		{sql: "delete from t using u where t.a = u.a"},
		{sql: "create table t (a int default nextval('q'), b timestamptz default now() check (b > now()))"},
		{sql: "alter table t alter column a set default random()"},
		{sql: "create view v as select random()"},
		{sql: "create function f() returns float8 language sql as 'select random()'"},
		{sql: "select date_trunc('day', timestamp '2024-01-02 03:04:05')"},
		{sql: "insert into t values (random())", refuse: "random()"},
		{sql: "insert into t select gen_random_uuid()", refuse: "gen_random_uuid()"},
		{sql: "update t set a = nextval('s')", refuse: "nextval()"},
		{sql: "insert into t values (pg_catalog.now())", refuse: "now()"},
		{sql: "insert into t values (current_timestamp)", refuse: "current date or time"},
		{sql: "delete from t where d < current_date", refuse: "current date or time"},
		{sql: "insert into t values ('now'::timestamptz)", refuse: "current date or time"},
		{sql: "insert into t values (age(timestamp '2020-01-01'))", refuse: "age()"},
		{sql: "insert into t values (age(timestamp '2021-01-01', timestamp '2020-01-01'))", targets: "t"},
		{sql: "insert into t select * from u tablesample bernoulli (10)", refuse: "TABLESAMPLE"},
		{sql: "with x as (select clock_timestamp() c) insert into t select c from x", refuse: "clock_timestamp()"},
		{sql: "create table t2 as select random() r", refuse: "random()"},
		{sql: "alter table t add column c float8 default random()", refuse: "random()"},
		{sql: "merge into t using u on t.a = u.a when not matched then insert values (u.a)", targets: "t"},
		{sql: "insert into t values (uuid())", refuse: "uuid()"},
		{sql: "create macro m(a) as a + 1", refuse: "parse"},
	} {
		info := analyzeText(tc.sql)
		if tc.refuse == "" && info.refuse != "" {
			t.Errorf("%q: refused: %s", tc.sql, info.refuse)
		}
		if tc.refuse != "" && !strings.Contains(info.refuse, tc.refuse) {
			t.Errorf("%q: refusal %q, want one naming %q", tc.sql, info.refuse, tc.refuse)
		}
		if tc.refuse != "" {
			continue
		}
		var names []string
		for _, r := range info.targets {
			if r.schema != "" {
				names = append(names, r.schema+"."+r.name)
			} else {
				names = append(names, r.name)
			}
		}
		if got := strings.Join(names, ","); got != tc.targets {
			t.Errorf("%q: targets %q, want %q", tc.sql, got, tc.targets)
		}
	}
}

// TestConstantDefault checks the column defaults, as DuckDB's catalog
// shows them, that a replayed INSERT reproduces.
func TestConstantDefault(t *testing.T) {
	for def, want := range map[string]bool{
		"1": true, "'x''y'": true, "1.5": true, "-3": true, "true": true, "NULL": true,
		"CAST('2024-01-02' AS DATE)": true,
		"now()":                      false, "current_timestamp": false, "current_date": false, "nextval('sq')": false,
		"gen_random_uuid()": false, "lower('X')": false, "CAST('now' AS TIMESTAMP)": false,
		"[1, 2]": false, "(SELECT 1)": false,
	} {
		if got := constantDefault(def); got != want {
			t.Errorf("constantDefault(%q) = %v, want %v", def, got, want)
		}
	}
}
