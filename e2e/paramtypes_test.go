//go:build duckdb_arrow

package e2e

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
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
		// An unknown parameter is text, whatever its value looks like.
		{"select $1", []string{"0123456"}},
		{"select $1, $2 || 'x'", []string{"42", "7"}},
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

// TestNumericParametersMatchPostgres binds numeric parameters (OID 1700,
// as psycopg sends a Decimal) and compares the described columns and the
// text and binary values with PostgreSQL's: a numeric parameter has no
// typmod and each value keeps its own scale ('2.50' stays 2.50), through
// simple arithmetic too, and is never rounded.
func TestNumericParametersMatchPostgres(t *testing.T) {
	pc, qc := connectBoth(t)
	ctx := context.Background()
	const numeric = 1700
	for _, sql := range []string{
		"create table nump (id int4, price numeric(10,2))",
		"insert into nump values (1, 1.50), (2, 1.56), (3, 2.00)",
	} {
		for _, c := range []*pgconn.PgConn{pc, qc} {
			if _, err := c.Exec(ctx, sql).ReadAll(); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Cleanup(func() {
		for _, c := range []*pgconn.PgConn{pc, qc} {
			_, _ = c.Exec(ctx, "drop table nump").ReadAll()
		}
	})
	for _, c := range []struct {
		sql  string
		args []string
	}{
		{"select $1 as a", []string{"2.50"}},
		{"select $1 as a", []string{"1.5"}},
		{"select $1 as a", []string{"-0.000"}},
		{"select $1 as a", []string{"2e3"}},
		{"select $1 as a", []string{"123456789.123456789012345"}},
		{"select $1 as a", []string{"0.000000000000000000001"}},
		{"select $1 as a, $2 as b", []string{"1", "0.10"}},
		{"select $1 + 1 as a, $1 * 2 as b, -$1 as c, $1 - 0.5 as d", []string{"2.50"}},
		{"select $1 * $2 as a", []string{"1.25", "2.5"}},
		{"select array[$1, $2] as a", []string{"1.25", "-2.50"}},
		{"select $1::numeric(10,3) as a", []string{"2.5"}},
		{"select price from nump order by id", nil},
		{"select price + 1 as a from nump order by id", nil},
		{"select id from nump where price = $1 order by id", []string{"1.555"}},
		{"select id from nump where price = $1 order by id", []string{"1.5000"}},
		{"select id, price + $1 as s from nump order by id", []string{"0.125"}},
	} {
		args := make([][]byte, len(c.args))
		oids := make([]uint32, len(c.args))
		for i, a := range c.args {
			args[i], oids[i] = []byte(a), numeric
		}
		for _, format := range []int16{0, 1} {
			want := pc.ExecParams(ctx, c.sql, args, oids, nil, []int16{format}).Read()
			got := qc.ExecParams(ctx, c.sql, args, oids, nil, []int16{format}).Read()
			if describe(got) != describe(want) {
				t.Errorf("%s %v format %d:\n got  %s\n want %s", c.sql, c.args, format, describe(got), describe(want))
			}
		}
	}
	// DuckDB's decimals hold 38 digits: a longer value is refused, never
	// rounded (PostgreSQL takes it).
	long := "1234567890123456789012345678901234567890.5"
	if r := qc.ExecParams(ctx, "select $1 as a", [][]byte{[]byte(long)}, []uint32{numeric}, nil, nil).Read(); r.Err == nil {
		t.Errorf("select %s: got %s, want an error", long, describe(r))
	}
	// A value bound into a numeric(10,2) column is rounded to it, as
	// PostgreSQL's assignment rounds.
	for _, c := range []*pgconn.PgConn{pc, qc} {
		if err := c.ExecParams(ctx, "insert into nump values (4, $1)", [][]byte{[]byte("1.555")}, []uint32{numeric}, nil, nil).Read().Err; err != nil {
			t.Fatal(err)
		}
	}
	want := pc.ExecParams(ctx, "select price from nump where id = 4", nil, nil, nil, nil).Read()
	got := qc.ExecParams(ctx, "select price from nump where id = 4", nil, nil, nil, nil).Read()
	if describe(got) != describe(want) {
		t.Errorf("inserted: got %s, want %s", describe(got), describe(want))
	}
}

// describe renders a result's columns (name, type OID, typmod, format),
// its rows and its error code, for comparing two servers.
func describe(r *pgconn.Result) string {
	var b strings.Builder
	for _, f := range r.FieldDescriptions {
		fmt.Fprintf(&b, "%s:%d:%d:%d ", f.Name, f.DataTypeOID, f.TypeModifier, f.Format)
	}
	for _, row := range r.Rows {
		b.WriteString("|")
		for _, v := range row {
			fmt.Fprintf(&b, " %x", v)
		}
	}
	var pe *pgconn.PgError
	if errors.As(r.Err, &pe) {
		b.WriteString(" error " + pe.Code)
	} else if r.Err != nil {
		b.WriteString(" error " + r.Err.Error())
	}
	return b.String()
}
