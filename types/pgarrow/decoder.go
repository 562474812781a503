package pgarrow

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/quiverdb/quiver/pgerror"
)

// Decoder appends rows of PostgreSQL values to Arrow builders and cuts them
// into record batches. Values arrive in the wire format each ColumnType
// asks for (DataRow values, or the fields of a binary COPY tuple).
//
// A Decoder is not safe for concurrent use. After AppendRow returns an
// error the builders may hold part of a row: the caller must stop and
// Release the Decoder.
type Decoder struct {
	schema   *arrow.Schema
	bld      *array.RecordBuilder
	decs     []valueDecoder
	binaries []*array.BinaryBuilder // variable-width builders, for reserving data
	rows     int
	bytes    int
	lastRows int
	lastData []int
}

// DecoderOptions tunes a Decoder.
type DecoderOptions struct {
	// ValidateUTF8 checks that text values are valid UTF-8. Set it when the
	// server encoding is not UTF8 (for example SQL_ASCII), where PostgreSQL
	// does not guarantee it.
	ValidateUTF8 bool
}

// NewDecoder returns a Decoder producing batches with one field per column.
func NewDecoder(mem memory.Allocator, cols []ColumnType, opts DecoderOptions) *Decoder {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = c.Field
	}
	d := &Decoder{schema: arrow.NewSchema(fields, nil)}
	d.bld = array.NewRecordBuilder(mem, d.schema)
	d.decs = make([]valueDecoder, len(cols))
	for i, c := range cols {
		d.decs[i] = newValueDecoder(c.c, d.bld.Field(i), opts.ValidateUTF8)
		switch b := d.bld.Field(i).(type) {
		case *array.StringBuilder:
			d.binaries = append(d.binaries, b.BinaryBuilder)
		case *array.BinaryBuilder:
			d.binaries = append(d.binaries, b)
		}
	}
	d.lastData = make([]int, len(d.binaries))
	return d
}

// Schema returns the schema of the batches.
func (d *Decoder) Schema() *arrow.Schema { return d.schema }

// Rows returns the number of rows buffered since the last batch.
func (d *Decoder) Rows() int { return d.rows }

// Bytes returns the wire size of the rows buffered since the last batch,
// the measure batch sizes are cut by.
func (d *Decoder) Bytes() int { return d.bytes }

// AppendRow appends one row; values[i] is column i, nil for NULL.
func (d *Decoder) AppendRow(values [][]byte) error {
	if len(values) != len(d.decs) {
		return pgerror.New(pgerror.ProtocolViolation, "row has %d values, expected %d", len(values), len(d.decs))
	}
	n := 0
	for _, v := range values {
		n += len(v) + 4
	}
	return d.appendRow(values, n)
}

// appendRow appends a row whose wire size is known to be n bytes.
func (d *Decoder) appendRow(values [][]byte, n int) error {
	if d.rows == 0 {
		d.reserve()
	}
	for i, dec := range d.decs {
		if err := dec.decode(values[i]); err != nil {
			return err
		}
	}
	d.rows++
	d.bytes += n
	return nil
}

// reserve sizes the builders for a batch like the previous one.
func (d *Decoder) reserve() {
	if d.lastRows == 0 {
		return
	}
	d.bld.Reserve(d.lastRows)
	for i, b := range d.binaries {
		b.ReserveData(d.lastData[i])
	}
}

// NewRecordBatch returns the buffered rows as a batch, which the caller
// must Release, and starts a new one.
func (d *Decoder) NewRecordBatch() arrow.RecordBatch {
	for i, b := range d.binaries {
		d.lastData[i] = b.DataLen()
	}
	d.lastRows = d.rows
	d.rows, d.bytes = 0, 0
	return d.bld.NewRecordBatch()
}

// Release frees the builders and any rows not yet cut into a batch.
func (d *Decoder) Release() {
	if d.bld != nil {
		d.bld.Release()
		d.bld = nil
	}
}
