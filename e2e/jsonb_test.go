package e2e

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// jsonbScript makes and reads a table with jsonb and jsonb[] columns whose
// values are written in every way jsonb's normal form changes: keys out of
// order and given twice, spacing, numbers with exponents and trailing
// zeros, escapes, nesting.
const jsonbScript = `create table jv_norm(id int, v jsonb, a jsonb[]);
insert into jv_norm values
 (1, '{"b":1,"a":2,"aa":3,"a":4}', null),
 (2, '[1, 2.50, -0, -0.0, 1e2, 1.5E1, 1e-2, 123.456e-1, 0.000, -12.30, 1E+3, 9007199254740993, 123456789012345678901234567890]', null),
 (3, '"a\"b\\c\/d\b\f\n\r\t\u0001 \u00e9 \ud83d\ude00 é"', null),
 (4, '  { "x" : [ ] , "y" : { } , "zz" : null , "z" : true , "w": false }  ', null),
 (5, '5', '{"{\"b\":1,\"a\":2}", "[1,  2]"}'),
 (6, '{"nested": {"deep": {"deeper": {"deepest": [1, {"k":"v","j":"w"}]}}}}', null),
 (7, '[]', '{}'),
 (8, null, null),
 (9, '{"é":1,"e":2,"ee":3,"":4}', null);
`

// TestJSONBMatchesPostgres checks that a jsonb column is jsonb, not json,
// in the catalog and in results, and that its values, paths into them,
// casts to jsonb, jsonb functions' results and COPY print in PostgreSQL's normal form, in text and
// in binary.
func TestJSONBMatchesPostgres(t *testing.T) {
	pg, q := servers(t)
	db := pg.CreateDB(t)
	samePsql(t, pg, q, db, jsonbScript+`select id, v from jv_norm order by id;
select id, v ? 'a', v ?| array['x', 'q'], v ?& array['a', 'b'] from jv_norm order by id;
select id, a from jv_norm order by id;
select id, v -> 'nested' -> 'deep', v #> '{nested,deep}' from jv_norm where id = 6;
select '{"b":[1,2],"a":{"d":1,"c":2}}'::jsonb;
select jsonb_build_object('b', 1, 'a', jsonb_build_array(1, 2.5)) as x, to_jsonb('x'::text) as y, jsonb_typeof('1'::jsonb), jsonb_array_length('[1]');
select jsonb_agg(id) from jv_norm where id < 4;
copy (select id, v from jv_norm order by id) to stdout;
copy (select id, v from jv_norm order by id) to stdout (format csv);
\d jv_norm
select column_name, data_type, udt_name from information_schema.columns where table_name = 'jv_norm' order by ordinal_position;
`, 0)

	ctx := context.Background()
	read := func(c *pgconn.PgConn) (oids []uint32, rows [][][]byte) {
		t.Helper()
		res := c.ExecParams(ctx, "select v, a, v -> 'nested', jsonb_build_object('b', 1, 'a', v), '[1,  2]'::jsonb from jv_norm order by id", nil, nil, nil, []int16{1}).Read()
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		for _, f := range res.FieldDescriptions {
			oids = append(oids, f.DataTypeOID)
		}
		return oids, res.Rows
	}
	pc, err := pgconn.Connect(ctx, pg.URL(db))
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close(ctx)
	qc, err := pgconn.Connect(ctx, q.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer qc.Close(ctx)
	wantOIDs, want := read(pc)
	gotOIDs, got := read(qc)
	if !slices.Equal(gotOIDs, wantOIDs) {
		t.Errorf("binary result types: got %v, want %v", gotOIDs, wantOIDs)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d", len(got), len(want))
	}
	for i := range want {
		for j := range want[i] {
			if !bytes.Equal(got[i][j], want[i][j]) {
				t.Errorf("row %d column %d in binary: got %q, want %q", i, j, got[i][j], want[i][j])
			}
		}
	}
}
