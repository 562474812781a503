package postgres

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/quiverdb/quiver/types/pgarrow"
)

// copyOutStream returns the bytes PostgreSQL sends for a binary COPY TO
// STDOUT of rows one-column tuples whose field i is value(i): the
// CopyOutResponse, one CopyData per tuple (the signature and header in the
// first, the trailer in one of its own, as PostgreSQL sends them),
// CopyDone, CommandComplete and ReadyForQuery.
func copyOutStream(rows int, value func(i int) []byte) []byte {
	msg := func(b []byte, typ byte, body []byte) []byte {
		b = append(b, typ)
		b = binary.BigEndian.AppendUint32(b, uint32(len(body)+4))
		return append(b, body...)
	}
	b := msg(nil, 'H', []byte{1, 0, 1, 0, 1})
	var body []byte
	for i := range rows {
		body = body[:0]
		if i == 0 {
			body = append(body, "PGCOPY\n\xff\r\n\x00"...)
			body = append(body, 0, 0, 0, 0, 0, 0, 0, 0)
		}
		v := value(i)
		body = binary.BigEndian.AppendUint16(body, 1)
		if v == nil {
			body = binary.BigEndian.AppendUint32(body, 0xffffffff)
		} else {
			body = binary.BigEndian.AppendUint32(body, uint32(len(v)))
			body = append(body, v...)
		}
		b = msg(b, 'd', body)
	}
	b = msg(b, 'd', []byte{0xff, 0xff})
	b = msg(b, 'c', nil)
	b = msg(b, 'C', fmt.Appendf(nil, "COPY %d\x00", rows))
	return msg(b, 'Z', []byte{'I'})
}

// BenchmarkCopyDecode measures the client's work per row of a binary COPY
// into Arrow batches of DefaultBatchBytes, without the network: the wire
// bytes of 1M int4 rows and 200k rows of 64-character text (every 100th
// NULL in the -nulls variants), replayed from memory through readCopyOut
// and the decoder startCopy uses.
func BenchmarkCopyDecode(b *testing.B) {
	text := bytes.Repeat([]byte("0123456789abcdef"), 4)
	for _, c := range []struct {
		name  string
		oid   uint32
		rows  int
		value func(i int) []byte
	}{
		{"int4", pgtype.Int4OID, 1_000_000, func(i int) []byte { return binary.BigEndian.AppendUint32(nil, uint32(i)) }},
		{"int4-nulls", pgtype.Int4OID, 1_000_000, func(i int) []byte {
			if i%100 == 0 {
				return nil
			}
			return binary.BigEndian.AppendUint32(nil, uint32(i))
		}},
		{"text64", pgtype.TextOID, 200_000, func(int) []byte { return text }},
		{"text64-nulls", pgtype.TextOID, 200_000, func(i int) []byte {
			if i%100 == 0 {
				return nil
			}
			return text
		}},
	} {
		stream := copyOutStream(c.rows, c.value)
		cols := []pgarrow.ColumnType{pgarrow.Resolve(pgarrow.Column{Name: "v", OID: c.oid, Typmod: -1}, nil)}
		b.Run(c.name, func(b *testing.B) {
			mem := memory.NewGoAllocator()
			rd := bytes.NewReader(stream)
			br := bufio.NewReaderSize(rd, copyOutBuffer)
			b.SetBytes(int64(len(stream)))
			for b.Loop() {
				rd.Reset(stream)
				br.Reset(rd)
				dec := pgarrow.NewDecoder(mem, cols, pgarrow.DecoderOptions{})
				cd := pgarrow.NewCopyDecoder(dec)
				cd.Limit = DefaultBatchBytes
				n := int64(0)
				cd.Emit = func(rec arrow.RecordBatch) error {
					n += rec.NumRows()
					rec.Release()
					return nil
				}
				w := &copyWriter{cd: cd, cancel: func() {}}
				_, pgErr, _, err := readCopyOut(br, w)
				if err == nil && pgErr == nil {
					err = cd.Close()
				}
				dec.Release()
				if err != nil || pgErr != nil || n != int64(c.rows) {
					b.Fatalf("%d rows, %v, %v", n, err, pgErr)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*c.rows), "ns/row")
		})
	}
}
