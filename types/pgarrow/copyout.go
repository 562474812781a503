package pgarrow

import (
	"bytes"
	"encoding/binary"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/quiverdb/quiver/pgerror"
)

// copySignature starts every binary COPY stream.
// See https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4.
var copySignature = []byte("PGCOPY\n\xff\r\n\x00")

// CopyDecoder parses a binary COPY stream (COPY ... TO STDOUT (FORMAT
// binary)) into a Decoder. It is an io.Writer: write the CopyData payloads
// to it in order; they need not align with tuples.
//
// Whenever the buffered rows reach Limit bytes, the batch is cut and passed
// to Emit, which takes ownership of it.
type CopyDecoder struct {
	// Limit is the batch size in bytes (as Decoder.Bytes counts them);
	// zero means one batch for the whole stream.
	Limit int
	// Emit receives each batch. An error stops decoding and is returned by
	// Write.
	Emit func(arrow.RecordBatch) error

	dec     *Decoder
	header  bool
	done    bool
	partial []byte
}

// NewCopyDecoder returns a CopyDecoder appending to dec.
func NewCopyDecoder(dec *Decoder) *CopyDecoder {
	return &CopyDecoder{dec: dec}
}

func errCopyFormat(msg string) error {
	return pgerror.New(pgerror.BadCopyFileFormat, "binary COPY stream: %s", msg)
}

// Write consumes the next part of the stream.
func (c *CopyDecoder) Write(p []byte) (int, error) {
	n := len(p)
	if len(c.partial) > 0 {
		c.partial = append(c.partial, p...)
		rest, err := c.consume(c.partial)
		if err != nil {
			return 0, err
		}
		c.partial = append(c.partial[:0], rest...)
		return n, nil
	}
	rest, err := c.consume(p)
	if err != nil {
		return 0, err
	}
	c.partial = append(c.partial, rest...)
	return n, nil
}

// WriteMessages consumes the CopyData messages at the start of msgs, as
// PostgreSQL sends them during COPY TO STDOUT: each the byte 'd', an int32
// length that counts itself, and a payload, which is written as by Write.
// It stops at the first message that is not CopyData or not wholly in
// msgs, and returns the bytes it consumed. On an error, n counts the
// messages up to and including the one that failed.
//
// PostgreSQL sends one tuple per message: WriteMessages decodes such
// messages straight from msgs, which is much less work per row than
// calling Write with each payload.
func (c *CopyDecoder) WriteMessages(msgs []byte) (n int, err error) {
	nf := len(c.dec.cols)
	for len(msgs)-n >= 5 && msgs[n] == 'd' {
		l := int(binary.BigEndian.Uint32(msgs[n+1:]))
		end := n + 1 + l
		if l < 4 || end > len(msgs) {
			break
		}
		p := msgs[n+5 : end]
		n = end
		if c.header && !c.done && len(c.partial) == 0 && c.isTuple(p, nf) {
			if err := c.dec.appendTuple(p[2:]); err != nil {
				return n, err
			}
			if c.Limit > 0 && c.dec.bytes >= c.Limit {
				if err := c.Emit(c.dec.NewRecordBatch()); err != nil {
					return n, err
				}
			}
			continue
		}
		if _, err := c.Write(p); err != nil {
			return n, err
		}
	}
	return n, nil
}

// isTuple reports whether p is exactly one tuple of nf fields.
func (c *CopyDecoder) isTuple(p []byte, nf int) bool {
	if len(p) < 2 || int(int16(binary.BigEndian.Uint16(p))) != nf {
		return false
	}
	q := 2
	for range nf {
		if len(p) < q+4 {
			return false
		}
		l := int(int32(binary.BigEndian.Uint32(p[q:])))
		q += 4
		if l > 0 {
			q += l
		}
	}
	return q == len(p)
}

// consume decodes what it can of p and returns the incomplete tail.
func (c *CopyDecoder) consume(p []byte) ([]byte, error) {
	if !c.header {
		if len(p) < len(copySignature)+8 {
			return p, nil
		}
		if !bytes.Equal(p[:len(copySignature)], copySignature) {
			return nil, errCopyFormat("bad signature")
		}
		h := p[len(copySignature):]
		flags := binary.BigEndian.Uint32(h)
		if flags&(1<<16) != 0 {
			return nil, errCopyFormat("OIDs are not supported")
		}
		ext := int(binary.BigEndian.Uint32(h[4:]))
		if len(h) < 8+ext {
			return p, nil
		}
		p = h[8+ext:]
		c.header = true
	}
	for len(p) > 0 {
		if c.done {
			return nil, errCopyFormat("data after the trailer")
		}
		if len(p) < 2 {
			return p, nil
		}
		nf := int(int16(binary.BigEndian.Uint16(p)))
		if nf == -1 {
			c.done = true
			p = p[2:]
			continue
		}
		if nf != len(c.dec.cols) {
			return nil, errCopyFormat("tuple has the wrong number of fields")
		}
		// The whole tuple must be there before any of it is decoded.
		q := 2
		for range nf {
			if len(p) < q+4 {
				return p, nil
			}
			l := int(int32(binary.BigEndian.Uint32(p[q:])))
			q += 4
			if l > 0 {
				q += l
			}
		}
		if len(p) < q {
			return p, nil
		}
		// The tuple's field count (2 bytes) stands in for nothing in
		// Decoder.Bytes, which counts 4 bytes per value plus the value.
		if err := c.dec.appendTuple(p[2:q]); err != nil {
			return nil, err
		}
		p = p[q:]
		if c.Limit > 0 && c.dec.Bytes() >= c.Limit {
			if err := c.Emit(c.dec.NewRecordBatch()); err != nil {
				return nil, err
			}
		}
	}
	return nil, nil
}

// Close checks that the stream ended with its trailer and emits the last
// rows, if any.
func (c *CopyDecoder) Close() error {
	if !c.done || len(c.partial) > 0 {
		return errCopyFormat("stream ended early")
	}
	if c.dec.Rows() > 0 {
		return c.Emit(c.dec.NewRecordBatch())
	}
	return nil
}
