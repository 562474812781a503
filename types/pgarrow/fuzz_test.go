package pgarrow

import (
	"encoding/binary"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5/pgtype"
)

// fuzzColumns covers every decoder.
var fuzzColumns = func() []ColumnType {
	var cols []ColumnType
	for _, c := range []Column{
		{OID: pgtype.BoolOID}, {OID: pgtype.Int2OID}, {OID: pgtype.Int4OID}, {OID: pgtype.Int8OID},
		{OID: pgtype.OIDOID}, {OID: pgtype.Float4OID}, {OID: pgtype.Float8OID},
		{OID: pgtype.NumericOID, Typmod: 10<<16 | 2 + 4}, {OID: pgtype.NumericOID, Typmod: 60<<16 | 5 + 4},
		{OID: pgtype.NumericOID, Typmod: -1}, {OID: pgtype.TextOID}, {OID: pgtype.ByteaOID},
		{OID: pgtype.DateOID}, {OID: pgtype.TimeOID}, {OID: pgtype.TimestampOID}, {OID: pgtype.IntervalOID},
		{OID: pgtype.UUIDOID}, {OID: pgtype.JSONBOID}, {OID: pgtype.Int4ArrayOID, Dims: 2},
		{OID: pgtype.TextArrayOID}, {OID: pgtype.NumericArrayOID, Typmod: 6<<16 | 2 + 4},
	} {
		cols = append(cols, Resolve(c, nil))
	}
	return cols
}()

// FuzzDecodeValue feeds arbitrary bytes to every decoder: errors are fine,
// panics and runaway allocation are not.
func FuzzDecodeValue(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 23, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 7, 255, 255, 255, 255})
	f.Add([]byte{0, 1, 0, 0, 0, 0, 0, 2, 0, 12})
	f.Add([]byte{1, '{', '}'})
	f.Fuzz(func(t *testing.T, v []byte) {
		mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
		defer mem.AssertSize(t, 0)
		for _, c := range fuzzColumns {
			dec := NewDecoder(mem, []ColumnType{c}, DecoderOptions{ValidateUTF8: true})
			if err := dec.AppendRow([][]byte{v}); err == nil {
				rec := dec.NewRecordBatch()
				if err := array.ValidateFull(rec.Column(0)); err != nil {
					t.Errorf("%s: invalid array: %v", c.Field.Type, err)
				}
				rec.Release()
			}
			dec.Release()
		}
	})
}

// FuzzCopyDecoder feeds arbitrary streams to the COPY parser.
func FuzzCopyDecoder(f *testing.F) {
	f.Add(append(append([]byte(nil), copySignature...), 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 9, 255, 255))
	f.Fuzz(func(t *testing.T, stream []byte) {
		mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
		defer mem.AssertSize(t, 0)
		dec := NewDecoder(mem, []ColumnType{fuzzColumns[2]}, DecoderOptions{})
		defer dec.Release()
		cd := NewCopyDecoder(dec)
		cd.Limit = 64
		cd.Emit = func(rec arrow.RecordBatch) error { rec.Release(); return nil }
		if _, err := cd.Write(stream); err == nil {
			_ = cd.Close()
		}
		// The same bytes as CopyData messages, and as one.
		for _, wire := range [][]byte{stream, append(binary.BigEndian.AppendUint32([]byte{'d'}, uint32(len(stream)+4)), stream...)} {
			dec := NewDecoder(mem, []ColumnType{fuzzColumns[2], fuzzColumns[10]}, DecoderOptions{ValidateUTF8: true})
			cd := NewCopyDecoder(dec)
			cd.Limit = 64
			cd.Emit = func(rec arrow.RecordBatch) error { rec.Release(); return nil }
			if n, err := cd.WriteMessages(wire); err == nil && n == len(wire) {
				_ = cd.Close()
			}
			dec.Release()
		}
	})
}
