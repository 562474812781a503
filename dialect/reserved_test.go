package dialect

import "testing"

func TestQuoteReserved(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"select 1", "select 1"},
		{"select created_at, byte, at2 from t", "select created_at, byte, at2 from t"},
		{"SELECT AT FROM T", `SELECT "at" FROM T`},
		{"select at, by from t order by at", `select "at", "by" from t order by "at"`},
		{"create table ev (at timestamptz, BY int, show text)", `create table ev ("at" timestamptz, "by" int, "show" text)`},
		{"select ts at time zone 'UTC' from t group by 1", "select ts at time zone 'UTC' from t group by 1"},
		{"select sum(x) over (partition by g order by x) from t", "select sum(x) over (partition by g order by x) from t"},
		{`select "at", 'at by' from t -- at`, `select "at", 'at by' from t -- at`},
		{"select t.pivot, x as qualify from t", `select t."pivot", x as "qualify" from t`},
		{"create sequence s increment by 2", "create sequence s increment by 2"},
		{"show search_path", "show search_path"},
		{"update t set at = now() where by = 1", `update t set "at" = now() where "by" = 1`},
	} {
		if got := quoteReserved(tc.in); got != tc.want {
			t.Errorf("quoteReserved(%q)\n got  %q\n want %q", tc.in, got, tc.want)
		}
	}
}
