package pgarrow

import (
	"encoding/binary"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/quiverdb/quiver/pgerror"
)

// Decoder appends rows of PostgreSQL values to Arrow arrays and cuts them
// into record batches. Values arrive in the wire format each ColumnType
// asks for (DataRow values, or the fields of a binary COPY tuple).
//
// A Decoder is not safe for concurrent use. After AppendRow returns an
// error the columns may hold part of a row: the caller must stop and
// Release the Decoder.
type Decoder struct {
	schema   *arrow.Schema
	cols     []column
	rows     int // rows buffered
	capacity int // rows the columns have room for
	bytes    int
	lastRows int
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
	d := &Decoder{cols: make([]column, len(cols))}
	for i, c := range cols {
		fields[i] = c.Field
		d.cols[i] = newColumn(mem, c.c, opts.ValidateUTF8)
	}
	d.schema = arrow.NewSchema(fields, nil)
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
	if len(values) != len(d.cols) {
		return pgerror.New(pgerror.ProtocolViolation, "row has %d values, expected %d", len(values), len(d.cols))
	}
	r := d.rows
	if r == d.capacity {
		d.grow()
	}
	n := 0
	for i, v := range values {
		n += len(v) + 4
		if err := d.cols[i].put(r, v, d.capacity); err != nil {
			return err
		}
	}
	d.rows++
	d.bytes += n
	return nil
}

// appendTuple appends the fields of a binary COPY tuple (each an int32
// length, -1 for NULL, and that many bytes), which the caller has checked
// are all there.
func (d *Decoder) appendTuple(t []byte) error {
	r := d.rows
	if r == d.capacity {
		d.grow()
	}
	q := 0
	cols := d.cols
	for i := range cols {
		c := &cols[i]
		l := int(int32(binary.BigEndian.Uint32(t[q:])))
		q += 4
		// The commonest values, inline: no NULL in the batch so far.
		if c.vb == nil {
			switch {
			case l == 4 && c.k == f4:
				binary.NativeEndian.PutUint32(c.db[4*r:], binary.BigEndian.Uint32(t[q:]))
				q += 4
				continue
			case l == 8 && c.k == f8:
				binary.NativeEndian.PutUint64(c.db[8*r:], binary.BigEndian.Uint64(t[q:]))
				q += 8
				continue
			case l >= 0 && c.k == fVar && !c.validate && c.size+l <= len(c.db):
				c.size += copy(c.db[c.size:], t[q:q+l])
				c.ov[r+1] = int32(c.size)
				q += l
				continue
			}
		}
		var v []byte // NULL
		if l >= 0 {
			v = t[q : q+l : q+l]
			q += l
		}
		if err := c.put(r, v, d.capacity); err != nil {
			return err
		}
	}
	d.rows++
	d.bytes += len(t)
	return nil
}

// grow makes room for more rows: as many as the previous batch had at the
// start of a batch, else twice as many.
func (d *Decoder) grow() {
	n := max(2*d.capacity, minRows)
	if d.rows == 0 {
		n = max(d.lastRows, minRows)
	}
	for i := range d.cols {
		d.cols[i].reserve(d.rows, n)
	}
	d.capacity = n
}

// NewRecordBatch returns the buffered rows as a batch, which the caller
// must Release, and starts a new one.
func (d *Decoder) NewRecordBatch() arrow.RecordBatch {
	if d.capacity == 0 {
		d.grow() // a batch of no rows still has its buffers
	}
	arrs := make([]arrow.Array, len(d.cols))
	for i := range d.cols {
		arrs[i] = d.cols[i].finish(d.rows)
	}
	rec := array.NewRecordBatch(d.schema, arrs, int64(d.rows))
	for _, a := range arrs {
		a.Release()
	}
	d.lastRows = d.rows
	d.rows, d.bytes, d.capacity = 0, 0, 0
	return rec
}

// Release frees the columns and any rows not yet cut into a batch.
func (d *Decoder) Release() {
	for i := range d.cols {
		d.cols[i].release()
	}
	d.cols = nil
}
