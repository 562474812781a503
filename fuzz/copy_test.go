//go:build duckdb_arrow

package fuzz

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// copyFormats are the COPY FROM STDIN statements FuzzCopyFrom picks from.
var copyFormats = []string{
	"COPY fz FROM STDIN",
	"COPY fz FROM STDIN (FORMAT csv, HEADER true)",
	"COPY fz FROM STDIN (FORMAT csv, DELIMITER ';', NULL 'x', QUOTE '''')",
	"COPY fz FROM STDIN (FORMAT binary)",
	"COPY fz (b, a) FROM STDIN",
}

// FuzzCopyFrom sends arbitrary COPY data, split in two CopyData messages,
// to COPY FROM STDIN in each format, then queries the table: no input may
// panic or hang the session, and a bad row must leave the session usable.
func FuzzCopyFrom(f *testing.F) {
	f.Add(uint8(0), []byte("1\tone\t1.5\t2024-01-02\n2\t\\N\t\\N\t\\N\n"), uint8(3))
	f.Add(uint8(0), []byte("1\tone\n"), uint8(1))
	f.Add(uint8(0), []byte("x\ty\tz\tw\n\\.\n"), uint8(0))
	f.Add(uint8(1), []byte("a,b,c,d\n1,\"q,\"\"x\",2.5,2024-02-29\n"), uint8(9))
	f.Add(uint8(2), []byte("1;x;'3';2020-01-01\n"), uint8(4))
	f.Add(uint8(3), []byte("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\x00\x00\x00\x04\x00\x00\x00\x07\x00\x00\x00\x01z\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"), uint8(19))
	f.Add(uint8(4), []byte("one\t1\n\\x\t2"), uint8(5))
	f.Fuzz(func(t *testing.T, format uint8, data []byte, split uint8) {
		stmt := copyFormats[int(format)%len(copyFormats)]
		cut := int(split)
		if cut > len(data) {
			cut = len(data)
		}
		in := encode(
			&pgproto3.Query{String: "CREATE TEMP TABLE IF NOT EXISTS fz(a int, b text, c double, d date)"},
			&pgproto3.Query{String: stmt},
			&pgproto3.CopyData{Data: data[:cut]},
			&pgproto3.CopyData{Data: data[cut:]},
			&pgproto3.CopyDone{},
			&pgproto3.Query{String: "SELECT count(*) FROM fz"},
			&pgproto3.Terminate{},
		)
		serveBytes(t, in, 5*time.Second)
	})
}
