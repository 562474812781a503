//go:build duckdb_arrow

package catalog_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/quiverdb/quiver/pgerror"
)

// TestOIDTypes checks that the catalog's OID columns, and values cast to
// oid and oid[], are described as oid (26) and oid[] (1028) as PostgreSQL
// describes them, through subqueries, aggregates and recursive CTEs, and
// that their values are the same in text and in binary; and that oid[]
// parameters are described and read as PostgreSQL does.
func TestOIDTypes(t *testing.T) {
	tw := newTwin(t, `create table oidt (a integer, b text)`)
	for _, q := range []struct {
		name, sql string
		params    [][]byte // bound in binary as oid[] when paramOID is set
		paramOID  uint32
	}{
		{name: "pg_type", sql: `select oid, typelem, typarray, typbasetype from pg_type where oid in (16, 23, 25, 1007) order by oid`},
		{name: "casts", sql: `select array[1, 2]::oid[] as a, 4294967295::oid as m, null::oid as n, 0::oid as z,
  array[3, null]::oid[] as with_null, array['7', '8']::oid[] as from_text`},
		{name: "pg_attribute", sql: `select array_agg(atttypid order by attnum) as types
from pg_attribute where attrelid = 'oidt'::regclass and attnum > 0`},
		{name: "pg_namespace", sql: `select n.oid, n.nspowner from pg_namespace n where n.nspname = 'pg_catalog'`},
		{name: "recursive", sql: `with recursive r(o, d) as (
  select t.oid, 0 from pg_type t where t.oid = 1007
  union all select t.typelem, r.d + 1 from pg_type t join r on t.oid = r.o where r.d < 1)
select distinct * from r order by d`},
		{name: "subquery", sql: `select (select array_agg(t.oid order by t.oid) from pg_type t where t.oid in (16, 20)) as a,
  coalesce((select t.typelem from pg_type t where t.oid = 1000), 0) as e`},
		{name: "param text", sql: `select oid from pg_type where oid = any($1::oid[]) order by oid`,
			params: [][]byte{[]byte("{23,25}")}},
		{name: "param binary", sql: `select $1::oid[] as p, oid from pg_type where oid = any($1::oid[]) order by oid`,
			params: [][]byte{oidArray(23, 25, 4294967295)}, paramOID: 1028},
	} {
		t.Run(q.name, func(t *testing.T) {
			want, err := describeAndRun(tw.pg, q.sql, q.params, q.paramOID)
			if err != nil {
				t.Fatalf("PostgreSQL: %v\n%s", err, q.sql)
			}
			if !strings.Contains(want, " 26 ") && !strings.Contains(want, " 1028 ") {
				t.Fatalf("PostgreSQL describes no oid column, the comparison proves nothing:\n%s", want)
			}
			got, err := describeAndRun(tw.q, q.sql, q.params, q.paramOID)
			if err != nil {
				t.Fatalf("quiver: %v\n%s", err, q.sql)
			}
			if got != want {
				t.Errorf("%s\n--- PostgreSQL:\n%s--- quiver:\n%s", q.sql, want, got)
			}
		})
	}

	// An OID outside oid's range is an error, not a wrapped number; so is
	// arithmetic on oid, which PostgreSQL does not have.
	for _, sql := range []string{`select 5000000000::oid`, `select oid + 1 from pg_type where oid = 16`} {
		_, _, perr := query(tw.pg, sql)
		_, _, qerr := query(tw.q, sql)
		if perr == nil || pgerror.Code(qerr) != pgerror.Code(perr) {
			t.Errorf("%s: PostgreSQL %v, quiver %v", sql, perr, qerr)
		}
	}

	// asyncpg's introspection query, as asyncpg prepares it: its $1 and the
	// columns PostgreSQL describes as oid and oid[] must be described so,
	// or asyncpg sets out to introspect the types it got instead.
	t.Run("asyncpg", func(t *testing.T) {
		want, err := tw.pg.Prepare(context.Background(), "", asyncpgIntrospection, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := tw.q.Prepare(context.Background(), "", asyncpgIntrospection, nil)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got.ParamOIDs) != fmt.Sprint(want.ParamOIDs) {
			t.Errorf("parameters: PostgreSQL %v, quiver %v", want.ParamOIDs, got.ParamOIDs)
		}
		if len(got.Fields) != len(want.Fields) {
			t.Fatalf("PostgreSQL has %d columns, quiver %d", len(want.Fields), len(got.Fields))
		}
		oids := 0
		for i, w := range want.Fields {
			if w.DataTypeOID != 26 && w.DataTypeOID != 1028 {
				continue
			}
			oids++
			if g := got.Fields[i]; g.DataTypeOID != w.DataTypeOID || g.DataTypeSize != w.DataTypeSize {
				t.Errorf("column %s: PostgreSQL type %d (size %d), quiver %d (size %d)",
					w.Name, w.DataTypeOID, w.DataTypeSize, g.DataTypeOID, g.DataTypeSize)
			}
		}
		if oids < 5 {
			t.Errorf("PostgreSQL describes %d oid columns, expected oid, basetype, elemtype, range_subtype, attrtypoids", oids)
		}
	})
}

// describeAndRun prepares sql, then runs it with its result in text and
// then in binary, and returns the parameter and column descriptions and
// the rows of both runs, one line each. params, if any, are bound in
// binary when paramOID is set (with that type declared), else in text.
func describeAndRun(c *pgconn.PgConn, sql string, params [][]byte, paramOID uint32) (string, error) {
	ctx := context.Background()
	var oids []uint32
	var pformats []int16
	if paramOID != 0 {
		for range params {
			oids = append(oids, paramOID)
			pformats = append(pformats, 1)
		}
	}
	sd, err := c.Prepare(ctx, "", sql, oids)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "params %v\n", sd.ParamOIDs)
	for _, f := range sd.Fields {
		fmt.Fprintf(&b, "column %s %d %d %d\n", f.Name, f.DataTypeOID, f.DataTypeSize, f.TypeModifier)
	}
	for _, format := range []int16{0, 1} {
		rr := c.ExecPrepared(ctx, "", params, pformats, []int16{format}).Read()
		if rr.Err != nil {
			return "", rr.Err
		}
		for _, row := range rr.Rows {
			fmt.Fprintf(&b, "format %d:", format)
			for _, v := range row {
				if v == nil {
					b.WriteString(" NULL")
				} else {
					fmt.Fprintf(&b, " %x", v)
				}
			}
			b.WriteString("\n")
		}
	}
	return b.String(), nil
}

// oidArray is a one-dimensional oid[] in PostgreSQL's binary format.
func oidArray(vals ...uint32) []byte {
	b := binary.BigEndian.AppendUint32(nil, 1) // dimensions
	b = binary.BigEndian.AppendUint32(b, 0)    // no NULLs
	b = binary.BigEndian.AppendUint32(b, 26)   // element type
	b = binary.BigEndian.AppendUint32(b, uint32(len(vals)))
	b = binary.BigEndian.AppendUint32(b, 1) // lower bound
	for _, v := range vals {
		b = binary.BigEndian.AppendUint32(b, 4)
		b = binary.BigEndian.AppendUint32(b, v)
	}
	return b
}
