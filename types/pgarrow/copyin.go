package pgarrow

import (
	"encoding/binary"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/quiverdb/quiver/pgerror"
)

// CopyReader is an io.Reader producing a binary COPY stream (for COPY ...
// FROM STDIN (FORMAT binary)) from the batches of a RecordReader, one
// Encoder per column. It encodes a chunk of rows at a time into a buffer it
// reuses, so memory stays bounded however many rows there are.
//
// It reads from rows only inside Read; it neither retains nor releases rows.
type CopyReader struct {
	rows  array.RecordReader
	encs  []*Encoder
	buf   []byte
	off   int
	rec   arrow.RecordBatch
	next  int // next row of rec to encode
	count int64
	state int // 0 header due, 1 rows, 2 trailer written
	err   error
}

// copyChunk is how many bytes Read encodes before handing them out.
const copyChunk = 256 << 10

// NewCopyReader returns a CopyReader encoding column i of every batch of
// rows with encs[i].
func NewCopyReader(rows array.RecordReader, encs []*Encoder) *CopyReader {
	return &CopyReader{rows: rows, encs: encs}
}

// Rows returns the number of rows encoded so far.
func (r *CopyReader) Rows() int64 { return r.count }

// Err returns the error that stopped the stream before its end, if any.
// It is also returned by Read.
func (r *CopyReader) Err() error {
	if r.err == io.EOF {
		return nil
	}
	return r.err
}

// Read implements io.Reader.
func (r *CopyReader) Read(p []byte) (int, error) {
	for r.off == len(r.buf) {
		if r.err != nil {
			return 0, r.err
		}
		r.buf, r.off = r.buf[:0], 0
		r.err = r.fill()
		if len(r.buf) == 0 && r.err == nil {
			r.err = io.EOF
		}
	}
	n := copy(p, r.buf[r.off:])
	r.off += n
	return n, nil
}

// fill encodes the next chunk into r.buf.
func (r *CopyReader) fill() error {
	if r.state == 0 {
		r.buf = append(r.buf, copySignature...)
		r.buf = binary.BigEndian.AppendUint32(r.buf, 0) // flags
		r.buf = binary.BigEndian.AppendUint32(r.buf, 0) // header extension length
		r.state = 1
	}
	for r.state == 1 && len(r.buf) < copyChunk {
		if r.rec == nil || r.next == int(r.rec.NumRows()) {
			if !r.rows.Next() {
				if err := r.rows.Err(); err != nil {
					return err
				}
				r.buf = binary.BigEndian.AppendUint16(r.buf, 0xffff) // trailer
				r.state = 2
				r.rec = nil
				return nil
			}
			r.rec, r.next = r.rows.RecordBatch(), 0
			if int(r.rec.NumCols()) != len(r.encs) {
				return pgerror.New(pgerror.DatatypeMismatch, "batch has %d columns, expected %d", r.rec.NumCols(), len(r.encs))
			}
			for i, e := range r.encs {
				if err := e.Reset(r.rec.Column(i)); err != nil {
					return err
				}
			}
		}
		n := int(r.rec.NumRows())
		var err error
		for ; r.next < n && len(r.buf) < copyChunk; r.next++ {
			r.buf = binary.BigEndian.AppendUint16(r.buf, uint16(len(r.encs)))
			for _, e := range r.encs {
				if r.buf, err = e.AppendField(r.buf, r.next); err != nil {
					return err
				}
			}
			r.count++
		}
	}
	return nil
}
