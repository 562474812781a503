package pgarrow

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5/pgtype"
)

// messages records each CopyData payload pgconn hands over (one per row).
type messages [][]byte

func (m *messages) Write(p []byte) (int, error) {
	*m = append(*m, append([]byte(nil), p...))
	return len(p), nil
}

// BenchmarkDecode measures decoding alone, without the network: a real
// COPY stream replayed message by message into Arrow batches of 4 MiB, and
// the same values decoded by pgtype's scan plans (what pgx binary rows do
// per value).
func BenchmarkDecode(b *testing.B) {
	c := connect(b)
	for _, q := range []struct {
		name, sql string
		oid       uint32
	}{
		{"int4_1M", "SELECT i::int4 FROM generate_series(1, 1000000) i", pgtype.Int4OID},
		{"text64_200k", "SELECT repeat(md5(i::text), 2) FROM generate_series(1, 200000) i", pgtype.TextOID},
	} {
		var msgs messages
		if _, err := c.CopyTo(context.Background(), &msgs, "COPY ("+q.sql+") TO STDOUT (FORMAT binary)"); err != nil {
			b.Fatal(err)
		}
		cols := columns(b, c, q.sql)
		b.Run(q.name+"/pgarrow", func(b *testing.B) {
			mem := memory.NewGoAllocator()
			for b.Loop() {
				dec := NewDecoder(mem, cols, DecoderOptions{})
				cd := NewCopyDecoder(dec)
				cd.Limit = 4 << 20
				rows := int64(0)
				cd.Emit = func(rec arrow.RecordBatch) error { rows += rec.NumRows(); rec.Release(); return nil }
				for _, m := range msgs {
					if _, err := cd.Write(m); err != nil {
						b.Fatal(err)
					}
				}
				if err := cd.Close(); err != nil {
					b.Fatal(err)
				}
				dec.Release()
			}
		})
		b.Run(q.name+"/pgtype_scan", func(b *testing.B) {
			m := pgtype.NewMap()
			var i32 int32
			var s string
			target := any(&i32)
			if q.oid == pgtype.TextOID {
				target = &s
			}
			plan := m.PlanScan(q.oid, pgtype.BinaryFormatCode, target)
			for b.Loop() {
				for _, msg := range msgs[1 : len(msgs)-1] { // header and trailer share messages with rows
					v := msg[6:]
					if len(msg) > 19 && string(msg[:11]) == string(copySignature) {
						v = msg[19+6:]
					}
					_ = binary.BigEndian.Uint32(msg[2:])
					if err := plan.Scan(v, target); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
