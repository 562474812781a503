//go:build duckdb_arrow

package fuzz

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// FuzzServeConn drives a whole session on a real DuckDB with arbitrary
// client bytes after a valid startup packet: whatever they are, the session
// must not panic, must not hang, and must end when the bytes run out.
func FuzzServeConn(f *testing.F) {
	for _, seed := range serveConnSeeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		serveBytes(t, data, 5*time.Second)
	})
}

func serveConnSeeds() [][]byte {
	q := func(sql string) *pgproto3.Query { return &pgproto3.Query{String: sql} }
	return [][]byte{
		encode(q("SELECT 1, 'a'::text, NULL"), &pgproto3.Terminate{}),
		encode(q("CREATE TABLE IF NOT EXISTS f(a int, b text); INSERT INTO f VALUES (1, 'x'); SELECT * FROM f")),
		encode(q("BEGIN"), q("SELECT 1/0"), q("ROLLBACK")),
		encode(&pgproto3.Parse{Name: "s", Query: "SELECT $1::int + 1", ParameterOIDs: []uint32{23}},
			&pgproto3.Bind{PreparedStatement: "s", ParameterFormatCodes: []int16{1}, Parameters: [][]byte{{0, 0, 0, 7}},
				ResultFormatCodes: []int16{1}},
			&pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{}, &pgproto3.Sync{}),
		encode(&pgproto3.Parse{Query: "SELECT $1::text"}, &pgproto3.Bind{Parameters: [][]byte{[]byte("hi")}},
			&pgproto3.Execute{MaxRows: 1}, &pgproto3.Close{ObjectType: 'S'}, &pgproto3.Flush{}, &pgproto3.Sync{}),
		encode(q("CREATE TABLE IF NOT EXISTS c(a int, b text)"), q("COPY c FROM STDIN"),
			&pgproto3.CopyData{Data: []byte("1\tone\n2\t\\N\n")}, &pgproto3.CopyDone{}, q("SELECT count(*) FROM c")),
		encode(q("COPY c FROM STDIN (FORMAT csv)"), &pgproto3.CopyData{Data: []byte("3,\"th,ree\"\n")}, &pgproto3.CopyFail{Message: "no"}),
		encode(q("COPY (SELECT * FROM range(3)) TO STDOUT (FORMAT binary)")),
		encode(q("SET TimeZone = 'Europe/Paris'"), q("SHOW TimeZone"), q("SELECT now()::text")),
		encode(&pgproto3.FunctionCall{Function: 1}, q("SELECT 2")),
		raw('Q', []byte("SELECT '\xff\xfe'\x00")),
		raw('z', nil),
		{'Q', 0x7f, 0xff, 0xff, 0xff},
	}
}
