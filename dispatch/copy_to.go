package dispatch

import (
	"context"
	"encoding/binary"
	"errors"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/stmt"
	"github.com/quiverdb/quiver/types"
)

// binaryCopySignature starts every binary COPY stream.
var binaryCopySignature = []byte("PGCOPY\n\377\r\n\000")

// copyTo streams a table or query to the client as CopyData messages, one
// row each, as PostgreSQL sends them; batches are encoded as they arrive.
func (s *Session) copyTo(ctx context.Context, c *copyCommand) error {
	q := c.query
	var src *stmt.Statement // the query, for the declared types of its columns
	if q == "" {
		q = "select " + c.selectList() + " from " + c.table
		if sts := stmt.Split(q); len(sts) == 1 && sts[0].Node != nil {
			src = &sts[0]
		}
	} else if sts := stmt.Split(q); len(sts) == 1 && sts[0].Node != nil {
		src = &sts[0]
		sql, one, err := s.engineSQL(src)
		if err != nil {
			return err
		}
		if !one {
			return pgerror.New(pgerror.FeatureNotSupported, "this COPY query cannot run on this backend")
		}
		q = sql
	}
	sctx, done := s.statementContext(ctx)
	defer done()
	if err := s.loadDeclared(sctx, src); err != nil {
		return err
	}
	res, err := s.backend.Query(sctx, q)
	if err != nil {
		if c.query == "" {
			return err
		}
		// At the client's query, in its statement.
		var e *pgerror.Error
		if err = atClientText(err, q, c.query); errors.As(err, &e) && e.Position > 0 {
			err = e.WithPosition(e.Position + int32(c.queryAt))
		}
		return err
	}
	if res.Rows == nil {
		return pgerror.New(pgerror.FeatureNotSupported, "COPY query must have a RETURNING clause")
	}
	rr := res.Rows
	defer rr.Release()
	format := int16(0)
	if c.opts.format == copyBinary {
		format = 1
	}
	enc, err := types.NewRowEncoder(s.presentDeclared(rr.Schema(), src), []int16{format}, &s.settings)
	if err != nil {
		return err
	}
	ncols := rr.Schema().NumFields()
	colFormats := make([]uint16, ncols)
	for i := range colFormats {
		colFormats[i] = uint16(format)
	}
	s.w.send(&pgproto3.CopyOutResponse{OverallFormat: byte(format), ColumnFormatCodes: colFormats})

	names := make([]string, ncols)
	for i, f := range rr.Schema().Fields() {
		names[i] = f.Name
	}
	if c.opts.format == copyBinary {
		hdr := append(append([]byte(nil), binaryCopySignature...), 0, 0, 0, 0, 0, 0, 0, 0)
		s.w.send(&pgproto3.CopyData{Data: hdr})
	} else if c.opts.header {
		line := make([]byte, 0, 64)
		for i, n := range names {
			if i > 0 {
				line = append(line, c.opts.delimiter)
			}
			line = c.appendField(line, []byte(n), names[i], false)
		}
		s.w.send(&pgproto3.CopyData{Data: append(line, '\n')})
	}

	var scratch []byte
	var n int64
	for rr.Next() {
		rec := rr.RecordBatch()
		if err := enc.Reset(rec); err != nil {
			return err
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			scratch, err = enc.AppendRow(scratch[:0], i)
			if err != nil {
				return err
			}
			body := scratch[5:] // a DataRow body is int16 count, then int32 length + bytes per column
			start := len(s.w.buf)
			s.w.buf = append(s.w.buf, 'd', 0, 0, 0, 0)
			if c.opts.format == copyBinary {
				s.w.buf = append(s.w.buf, body...) // the same layout as a binary COPY tuple
			} else {
				s.w.buf = c.appendTextRow(s.w.buf, body, names)
			}
			binary.BigEndian.PutUint32(s.w.buf[start+1:], uint32(len(s.w.buf)-start-1))
			n++
			if len(s.w.buf) >= flushThreshold {
				if err := s.w.flush(); err != nil {
					return err
				}
			}
		}
	}
	if err := rr.Err(); err != nil {
		return err
	}
	if c.opts.format == copyBinary {
		s.w.send(&pgproto3.CopyData{Data: []byte{0xff, 0xff}})
	}
	s.w.send(&pgproto3.CopyDone{})
	s.copyDone(n)
	return nil
}

// appendTextRow turns a text-format DataRow body into a COPY text or CSV
// line.
func (c *copyCommand) appendTextRow(dst, body []byte, names []string) []byte {
	ncols := int(binary.BigEndian.Uint16(body))
	p := 2
	for i := 0; i < ncols; i++ {
		if i > 0 {
			dst = append(dst, c.opts.delimiter)
		}
		l := int32(binary.BigEndian.Uint32(body[p:]))
		p += 4
		if l < 0 {
			dst = append(dst, c.opts.null...)
			continue
		}
		dst = c.appendField(dst, body[p:p+int(l)], names[i], true)
		p += int(l)
	}
	return append(dst, '\n')
}

// appendField escapes one value: backslash escapes in text format
// (CopyAttributeOutText), quoting where needed in CSV (CopyAttributeOutCSV).
func (c *copyCommand) appendField(dst, v []byte, name string, isValue bool) []byte {
	o := &c.opts
	if o.format == copyCSV {
		quote := (isValue && (o.forceQuoteAll || o.forceQuote[name])) || (isValue && len(v) == 0 && o.null == "")
		if !quote {
			if string(v) == o.null && isValue {
				quote = true
			} else if len(v) > 0 && v[0] == '\\' && len(v) == 2 && v[1] == '.' {
				quote = true
			} else {
				for _, ch := range v {
					if ch == o.delimiter || ch == o.quote || ch == '\n' || ch == '\r' {
						quote = true
						break
					}
				}
			}
		}
		if !quote {
			return append(dst, v...)
		}
		dst = append(dst, o.quote)
		for _, ch := range v {
			if ch == o.quote || ch == o.escape {
				dst = append(dst, o.escape)
			}
			dst = append(dst, ch)
		}
		return append(dst, o.quote)
	}
	for _, ch := range v {
		switch ch {
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\v':
			dst = append(dst, '\\', 'v')
		default:
			if ch == o.delimiter {
				dst = append(dst, '\\')
			}
			dst = append(dst, ch)
		}
	}
	return dst
}
