//go:build duckdb_arrow

package e2e

import (
	"context"
	"fmt"
	"testing"
)

// TestParameterTypesMatchPostgres prepares statements whose parameters
// only their context types, and compares the ParameterDescription with
// PostgreSQL's.
func TestParameterTypesMatchPostgres(t *testing.T) {
	pc, qc := connectBoth(t)
	ctx := context.Background()
	for _, c := range []struct {
		sql string
		ddl bool
	}{
		{"create table ptypes (id int4, qty int8, price numeric(10,2), f float8, name text)", true},
		{"select $1::int8 + $2", false},
		{"select qty + $1 from ptypes", false},
		{"select $1 - qty as d from ptypes where id > $2", false},
		{"update ptypes set qty = qty + $1 where id > $2", false},
		{"select id from ptypes where id * $1 > 3", false},
		{"select f / $1 from ptypes", false},
		{"select p.id from ptypes p where p.qty = $1 and $2 < p.f", false},
		{"delete from ptypes where qty - $1 = 0", false},
		{"select $1 || 'x', $2", false},
		{"drop table ptypes", true},
	} {
		if c.ddl {
			if _, err := pc.Exec(ctx, c.sql).ReadAll(); err != nil {
				t.Fatal(err)
			}
			if _, err := qc.Exec(ctx, c.sql).ReadAll(); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := pc.Prepare(ctx, "", c.sql, nil)
		if err != nil {
			t.Fatalf("PostgreSQL: %s: %v", c.sql, err)
		}
		got, err := qc.Prepare(ctx, "", c.sql, nil)
		if err != nil {
			t.Errorf("quiver: %s: %v", c.sql, err)
			continue
		}
		if fmt.Sprint(got.ParamOIDs) != fmt.Sprint(want.ParamOIDs) {
			t.Errorf("%s: parameter types %v, PostgreSQL %v", c.sql, got.ParamOIDs, want.ParamOIDs)
		}
	}
	// The values bind as the inferred types.
	for _, c := range []struct {
		sql  string
		args []string
	}{
		{"select $1::int8 + $2", []string{"1", "2"}},
		{"select 10::float8 / $1", []string{"2.5"}},
		{"select 7 - $1", []string{"3"}},
	} {
		args := [][]byte{}
		for _, a := range c.args {
			args = append(args, []byte(a))
		}
		want := pc.ExecParams(ctx, c.sql, args, nil, nil, nil).Read()
		got := qc.ExecParams(ctx, c.sql, args, nil, nil, nil).Read()
		if fmt.Sprint(got.Rows, got.Err) != fmt.Sprint(want.Rows, want.Err) {
			t.Errorf("%s %v: got %s %v, PostgreSQL %s %v", c.sql, c.args, got.Rows, got.Err, want.Rows, want.Err)
		}
	}
}
