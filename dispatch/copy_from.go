package dispatch

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/types"
)

// copyBatchRows is how many rows COPY FROM hands the backend at a time.
const copyBatchRows = 65536

// copyFrom receives COPY data from the client and loads it through the
// backend's bulk path in one statement: the rows are parsed into Arrow
// batches while the backend pulls them, so memory stays bounded, and an
// error anywhere leaves nothing behind.
func (s *Session) copyFrom(ctx context.Context, c *copyCommand) error {
	load, err := s.bulkPath(c)
	if err != nil {
		return err
	}
	sctx, done := s.statementContext(ctx)
	defer done()
	// COPY FROM writes: on engines whose writers take turns, take the turn.
	if err := s.lockTx(sctx); err != nil {
		return err
	}
	// The target columns' types, without reading any rows.
	pst, err := s.backend.Prepare(sctx, "select "+c.selectList()+" from "+c.table, nil)
	if err != nil {
		return err
	}
	schema := pst.Schema()
	_ = pst.Close()
	if schema == nil {
		return pgerror.New(pgerror.InternalError, "cannot describe table %s", c.display)
	}
	enums := s.enumColumns(sctx, c, schema)
	schema = undictionary(schema)
	ncols := schema.NumFields()
	format := byte(0)
	if c.opts.format == copyBinary {
		format = 1
	}
	colFormats := make([]uint16, ncols)
	for i := range colFormats {
		colFormats[i] = uint16(format)
	}
	s.w.send(&pgproto3.CopyInResponse{OverallFormat: format, ColumnFormatCodes: colFormats})
	if err := s.w.flush(); err != nil {
		return err
	}
	r := &copyReader{s: s, c: c, schema: schema, enums: enums, dec: types.NewValueDecoder(&s.settings), line: 0}
	r.b = array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer r.release()
	target := c.table
	if len(c.columns) > 0 {
		target += "(" + c.selectList() + ")"
	}
	n, err := load(sctx, target, r)
	if r.err != nil {
		err = r.err // the parse or protocol error, not the engine's report of it
	}
	if err == nil && !r.eof {
		err = pgerror.New(pgerror.InternalError, "COPY ended before its data")
	}
	if err != nil {
		if r.connErr {
			return err
		}
		return err
	}
	s.copyDone(n)
	return nil
}

// undictionary returns schema with its dictionary-encoded columns (DuckDB's
// enums) as their values' type: COPY reads an enum's labels as strings,
// which the engine checks against the type as it inserts them.
func undictionary(schema *arrow.Schema) *arrow.Schema {
	var fields []arrow.Field
	for i, f := range schema.Fields() {
		t := plainType(f.Type)
		if t == f.Type {
			continue
		}
		if fields == nil {
			fields = append([]arrow.Field(nil), schema.Fields()...)
		}
		fields[i].Type = t
	}
	if fields == nil {
		return schema
	}
	md := schema.Metadata()
	return arrow.NewSchema(fields, &md)
}

// enumColumn is what COPY FROM checks an enum column's values against.
type enumColumn struct {
	typ    string // the type's name, as format_type prints it
	labels map[string]bool
}

// enumColumns looks up the labels of schema's enum (dictionary) columns in
// pg_enum, so that a value that is not a label gets PostgreSQL's error with
// its line, not the engine's. Where the lookup fails, the engine's own
// check of the values stands.
func (s *Session) enumColumns(ctx context.Context, c *copyCommand, schema *arrow.Schema) []*enumColumn {
	var out []*enumColumn
	for i, f := range schema.Fields() {
		if _, ok := f.Type.(*arrow.DictionaryType); ok {
			if out == nil {
				out = make([]*enumColumn, schema.NumFields())
			}
			out[i] = &enumColumn{labels: map[string]bool{}}
		}
	}
	if out == nil {
		return nil
	}
	rows, err := s.pgQueryStrings(ctx, "SELECT a.attname, pg_catalog.format_type(a.atttypid, NULL), e.enumlabel"+
		" FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_enum e ON e.enumtypid = a.atttypid"+
		" WHERE a.attrelid = "+quoteLiteral(c.pgName)+"::pg_catalog.regclass")
	if err != nil {
		return nil
	}
	byName := map[string]*enumColumn{}
	for i, e := range out {
		if e != nil {
			byName[schema.Field(i).Name] = e
		}
	}
	for _, row := range rows {
		if e := byName[row[0]]; e != nil {
			e.typ = row[1]
			e.labels[row[2]] = true
		}
	}
	for i, e := range out {
		if e != nil && e.typ == "" {
			out[i] = nil // not found: leave the check to the engine
		}
	}
	return out
}

// checkEnum fails a value of column i that is not one of its enum's labels.
func (r *copyReader) checkEnum(i int, v []byte) error {
	if r.enums == nil || r.enums[i] == nil || r.enums[i].labels[string(v)] {
		return nil
	}
	return pgerror.New(pgerror.InvalidTextRepresentation, "invalid input value for enum %s: \"%s\"", r.enums[i].typ, v)
}

// plainType is t with dictionaries, at any depth of lists, as their values.
func plainType(t arrow.DataType) arrow.DataType {
	switch x := t.(type) {
	case *arrow.DictionaryType:
		return plainType(x.ValueType)
	case *arrow.ListType:
		if e := plainType(x.Elem()); e != x.Elem() {
			return arrow.ListOfField(arrow.Field{Name: x.ElemField().Name, Type: e, Nullable: x.ElemField().Nullable})
		}
	}
	return t
}

// bulkPath picks the backend's bulk load path for COPY FROM: an Append of
// an existing table (DuckDB), or an Ingester in append mode (PostgreSQL's
// binary COPY, Flight SQL bulk ingestion), which takes the bare table name.
func (s *Session) bulkPath(c *copyCommand) (func(ctx context.Context, target string, r array.RecordReader) (int64, error), error) {
	if loader, ok := s.backend.(backends.BulkLoader); ok {
		return loader.Append, nil
	}
	if ing, ok := s.backend.(backends.Ingester); ok {
		if len(c.columns) > 0 {
			return nil, pgerror.New(pgerror.FeatureNotSupported, "COPY FROM with a column list is not supported by this backend")
		}
		name := c.rawName
		return func(ctx context.Context, _ string, r array.RecordReader) (int64, error) {
			return ing.Ingest(ctx, name, backends.IngestAppend, r)
		}, nil
	}
	return nil, pgerror.New(pgerror.FeatureNotSupported, "COPY FROM STDIN is not supported by this backend")
}

// copyReader is an array.RecordReader over the client's COPY data: each
// Next reads CopyData messages until a batch is full or the data ends.
type copyReader struct {
	s       *Session
	c       *copyCommand
	schema  *arrow.Schema
	enums   []*enumColumn // per column: the enum type's labels, or nil
	dec     *types.ValueDecoder
	b       *array.RecordBuilder
	cur     arrow.RecordBatch
	err     error
	eof     bool
	connErr bool

	buf       []byte // unparsed bytes
	line      int64
	header    bool // the header line or binary header was consumed
	dataDone  bool // CopyDone (or the end marker) was seen
	fields    [][]byte
	nulls     []bool
	unescaped []byte // splitText's buffer
	scratch   []byte
}

func (r *copyReader) Retain()  {}
func (r *copyReader) Release() {}

func (r *copyReader) release() {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	r.b.Release()
}

func (r *copyReader) Schema() *arrow.Schema          { return r.schema }
func (r *copyReader) Record() arrow.RecordBatch      { return r.cur }
func (r *copyReader) RecordBatch() arrow.RecordBatch { return r.cur }
func (r *copyReader) Err() error                     { return r.err }

// Next parses the next batch.
func (r *copyReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.err != nil || r.eof {
		return false
	}
	rows := 0
	for rows < copyBatchRows {
		ok, err := r.nextRow()
		if err != nil {
			r.err = err
			return false
		}
		if !ok {
			break
		}
		rows++
	}
	if rows == 0 {
		r.eof = true
		return false
	}
	r.cur = r.b.NewRecordBatch()
	if rows < copyBatchRows {
		r.eof = true
	}
	return true
}

// fill reads the next message of the COPY stream into buf. It returns false
// at CopyDone.
func (r *copyReader) fill() (bool, error) {
	if r.dataDone {
		return false, nil
	}
	for {
		msg, err := r.s.be.Receive()
		if err != nil {
			r.connErr = true
			return false, err
		}
		switch m := msg.(type) {
		case *pgproto3.CopyData:
			r.buf = append(r.buf, m.Data...)
			return true, nil
		case *pgproto3.CopyDone:
			r.dataDone = true
			return false, nil
		case *pgproto3.CopyFail:
			r.dataDone = true
			return false, pgerror.New(pgerror.QueryCanceled, "COPY from stdin failed: %s", m.Message)
		case *pgproto3.Flush, *pgproto3.Sync:
			// Ignored during COPY, as PostgreSQL does.
		default:
			r.dataDone = true
			// The client left COPY without ending it: PostgreSQL reports
			// the message, then ends the session, whose protocol state it
			// can no longer trust.
			r.s.terminate = pgerror.Fatal(pgerror.ProtocolViolation, "terminating connection because protocol synchronization was lost")
			return false, pgerror.New(pgerror.ProtocolViolation, "unexpected message type 0x%02X during COPY from stdin", messageType(msg))
		}
	}
}

func messageType(msg pgproto3.FrontendMessage) byte {
	b, err := msg.Encode(nil)
	if err != nil || len(b) == 0 {
		return 0
	}
	return b[0]
}

// nextRow parses one row into the builders; false means the data ended.
func (r *copyReader) nextRow() (bool, error) {
	if r.c.opts.format == copyBinary {
		return r.nextBinaryRow()
	}
	for {
		line, ok, err := r.nextLine()
		if err != nil || !ok {
			return false, err
		}
		r.line++
		if !r.header && r.c.opts.header {
			r.header = true
			continue
		}
		if string(line) == `\.` { // the end-of-data marker, in text and CSV
			r.drain()
			return false, nil
		}
		if err := r.parseLine(line); err != nil {
			return false, err
		}
		return true, nil
	}
}

// drain reads to CopyDone after the end-of-data marker.
func (r *copyReader) drain() {
	for !r.dataDone {
		r.buf = r.buf[:0]
		if _, err := r.fill(); err != nil {
			return
		}
	}
}

// nextLine returns the next whole line, without its newline. In CSV a
// quoted field may span lines.
func (r *copyReader) nextLine() ([]byte, bool, error) {
	for {
		if end := r.lineEnd(); end >= 0 {
			line := r.buf[:end]
			next := end + 1
			if len(line) > 0 && line[len(line)-1] == '\r' {
				line = line[:len(line)-1]
			}
			r.scratch = append(r.scratch[:0], line...)
			r.buf = r.buf[next:]
			return r.scratch, true, nil
		}
		more, err := r.fill()
		if err != nil {
			return nil, false, err
		}
		if !more {
			if len(r.buf) == 0 {
				return nil, false, nil
			}
			r.scratch = append(r.scratch[:0], r.buf...)
			r.buf = r.buf[:0]
			return r.scratch, true, nil
		}
	}
}

// lineEnd finds the newline ending the next row, or -1.
func (r *copyReader) lineEnd() int {
	if r.c.opts.format != copyCSV {
		return bytes.IndexByte(r.buf, '\n')
	}
	inQuote := false
	q, e := r.c.opts.quote, r.c.opts.escape
	for i := 0; i < len(r.buf); i++ {
		ch := r.buf[i]
		if inQuote {
			if ch == e && e != q && i+1 < len(r.buf) && (r.buf[i+1] == q || r.buf[i+1] == e) {
				i++
			} else if ch == q {
				if q == e && i+1 < len(r.buf) && r.buf[i+1] == q {
					i++
				} else {
					inQuote = false
				}
			}
			continue
		}
		if ch == q {
			inQuote = true
		} else if ch == '\n' {
			return i
		}
	}
	return -1
}

// parseLine splits a text or CSV line into fields and appends them.
func (r *copyReader) parseLine(line []byte) error {
	ncols := r.schema.NumFields()
	var err error
	if r.c.opts.format == copyCSV {
		r.fields, r.nulls, err = splitCSV(r.fields[:0], line, &r.c.opts)
		if err != nil {
			return r.lineError(err, line)
		}
	} else {
		r.fields, r.nulls, r.unescaped = splitText(r.fields[:0], r.nulls[:0], r.unescaped, line, &r.c.opts)
	}
	nulls := r.nulls
	if len(r.fields) > ncols {
		return r.lineError(pgerror.New(pgerror.BadCopyFileFormat, "extra data after last expected column"), line)
	}
	if len(r.fields) < ncols {
		return r.lineError(pgerror.New(pgerror.BadCopyFileFormat, "missing data for column \"%s\"", r.schema.Field(len(r.fields)).Name), line)
	}
	for i, f := range r.fields {
		name := r.schema.Field(i).Name
		null := nulls[i]
		if r.c.opts.format == copyCSV {
			if null && r.c.opts.forceNotNull[name] {
				null = false
			} else if !null && r.c.opts.forceNull[name] && string(f) == r.c.opts.null {
				null = true
			}
		}
		if null {
			r.b.Field(i).AppendNull()
			continue
		}
		// The decoder does not keep the string: no copy of the bytes.
		if err := r.dec.AppendText(r.b.Field(i), unsafe.String(unsafe.SliceData(f), len(f))); err != nil {
			return r.columnError(err, i, string(f))
		}
		if err := r.checkEnum(i, f); err != nil {
			return r.columnError(err, i, string(f))
		}
	}
	return nil
}

// splitText splits a COPY text line and undoes its backslash escapes.
// Fields without escapes are slices of line itself; unescaped ones are
// written to buf, which is reused from line to line.
func splitText(fields [][]byte, nulls []bool, buf, line []byte, o *copyOptions) ([][]byte, []bool, []byte) {
	if bytes.IndexByte(line, '\\') < 0 {
		for {
			i := bytes.IndexByte(line, o.delimiter)
			f := line
			if i >= 0 {
				f = line[:i]
			}
			fields = append(fields, f)
			nulls = append(nulls, len(f) == len(o.null) && string(f) == o.null)
			if i < 0 {
				return fields, nulls, buf
			}
			line = line[i+1:]
		}
	}
	if cap(buf) < len(line) {
		buf = make([]byte, 0, 2*len(line))
	}
	buf = buf[:0]
	start, raw := 0, 0 // where the field starts in buf, and in line
	for i := 0; i < len(line); i++ {
		ch := line[i]
		if ch == o.delimiter {
			fields = append(fields, buf[start:len(buf):len(buf)])
			nulls = append(nulls, string(line[raw:i]) == o.null)
			start, raw = len(buf), i+1
			continue
		}
		if ch != '\\' || i+1 >= len(line) {
			buf = append(buf, ch)
			continue
		}
		i++
		switch c := line[i]; c {
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'v':
			buf = append(buf, '\v')
		case 'x':
			v, n := 0, 0
			for n < 2 && i+1 < len(line) && isHex(line[i+1]) {
				i++
				v = v*16 + hexVal(line[i])
				n++
			}
			if n == 0 {
				buf = append(buf, 'x')
			} else {
				buf = append(buf, byte(v))
			}
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v := int(c - '0')
			for n := 1; n < 3 && i+1 < len(line) && line[i+1] >= '0' && line[i+1] <= '7'; n++ {
				i++
				v = v*8 + int(line[i]-'0')
			}
			buf = append(buf, byte(v))
		default:
			buf = append(buf, c)
		}
	}
	fields = append(fields, buf[start:len(buf):len(buf)])
	nulls = append(nulls, string(line[raw:]) == o.null)
	return fields, nulls, buf
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return int(c-'A') + 10
}

// splitCSV splits a CSV row. An unquoted field equal to the NULL string is
// NULL; a quoted one never is.
func splitCSV(fields [][]byte, line []byte, o *copyOptions) ([][]byte, []bool, error) {
	var nulls []bool
	field := make([]byte, 0, len(line))
	quoted, inQuote := false, false
	start := 0
	for i := 0; i <= len(line); i++ {
		if i == len(line) || (!inQuote && line[i] == o.delimiter) {
			if inQuote {
				return nil, nil, pgerror.New(pgerror.BadCopyFileFormat, "unterminated CSV quoted field")
			}
			fields = append(fields, field)
			nulls = append(nulls, !quoted && string(line[start:i]) == o.null)
			field = field[len(field):]
			quoted = false
			start = i + 1
			continue
		}
		ch := line[i]
		switch {
		case inQuote && ch == o.escape && i+1 < len(line) && (line[i+1] == o.quote || line[i+1] == o.escape) && !(o.escape == o.quote && line[i+1] != o.quote):
			i++
			field = append(field, line[i])
		case inQuote && ch == o.quote:
			inQuote = false
		case !inQuote && ch == o.quote:
			inQuote, quoted = true, true
		default:
			field = append(field, ch)
		}
	}
	return fields, nulls, nil
}

// nextBinaryRow parses one tuple of binary COPY data.
func (r *copyReader) nextBinaryRow() (bool, error) {
	if !r.header {
		if err := r.need(len(binaryCopySignature) + 8); err != nil {
			return false, r.rowError(pgerror.New(pgerror.BadCopyFileFormat, "COPY file signature not recognized"))
		}
		if !bytes.Equal(r.buf[:len(binaryCopySignature)], binaryCopySignature) {
			return false, r.rowError(pgerror.New(pgerror.BadCopyFileFormat, "COPY file signature not recognized"))
		}
		extLen := int(binary.BigEndian.Uint32(r.buf[len(binaryCopySignature)+4:]))
		r.buf = r.buf[len(binaryCopySignature)+8:]
		if err := r.need(extLen); err != nil {
			return false, r.rowError(pgerror.New(pgerror.BadCopyFileFormat, "invalid COPY file header (missing extension)"))
		}
		r.buf = r.buf[extLen:]
		r.header = true
	}
	if err := r.need(2); err != nil {
		if errors.Is(err, errCopyEnd) && len(r.buf) == 0 {
			return false, nil
		}
		return false, r.rowError(pgerror.New(pgerror.BadCopyFileFormat, "unexpected EOF in COPY data"))
	}
	r.line++
	count := int16(binary.BigEndian.Uint16(r.buf))
	r.buf = r.buf[2:]
	if count == -1 {
		r.drain()
		return false, nil
	}
	if int(count) != r.schema.NumFields() {
		return false, r.rowError(pgerror.New(pgerror.BadCopyFileFormat, "row field count is %d, expected %d", count, r.schema.NumFields()))
	}
	for i := 0; i < int(count); i++ {
		if err := r.need(4); err != nil {
			return false, r.rowError(pgerror.New(pgerror.BadCopyFileFormat, "unexpected EOF in COPY data"))
		}
		l := int32(binary.BigEndian.Uint32(r.buf))
		r.buf = r.buf[4:]
		if l < 0 {
			r.b.Field(i).AppendNull()
			continue
		}
		if err := r.need(int(l)); err != nil {
			return false, r.rowError(pgerror.New(pgerror.BadCopyFileFormat, "unexpected EOF in COPY data"))
		}
		if err := r.dec.AppendBinary(r.b.Field(i), r.buf[:l]); err != nil {
			return false, r.columnError(err, i, "")
		}
		if err := r.checkEnum(i, r.buf[:l]); err != nil {
			return false, r.columnError(err, i, "")
		}
		r.buf = r.buf[l:]
	}
	return true, nil
}

var errCopyEnd = errors.New("end of COPY data")

// need makes sure n bytes are buffered.
func (r *copyReader) need(n int) error {
	for len(r.buf) < n {
		more, err := r.fill()
		if err != nil {
			return err
		}
		if !more {
			return errCopyEnd
		}
	}
	return nil
}

// rowError adds the COPY context PostgreSQL reports.
func (r *copyReader) rowError(err error) error {
	e := pgerror.Flatten(err)
	if e.Where == "" && r.line > 0 {
		e.Where = fmt.Sprintf("COPY %s, line %d", r.c.display, r.line)
	}
	return e
}

// lineError adds the COPY context PostgreSQL reports for an error in a text
// or CSV line as a whole: the line itself.
func (r *copyReader) lineError(err error, line []byte) error {
	e := pgerror.Flatten(err)
	e.Where = fmt.Sprintf("COPY %s, line %d: \"%s\"", r.c.display, r.line, truncateForContext(string(line)))
	return e
}

// columnError adds the column and value to a value's error.
func (r *copyReader) columnError(err error, col int, val string) error {
	e := pgerror.Flatten(err)
	name := r.schema.Field(col).Name
	if val != "" {
		e.Where = fmt.Sprintf("COPY %s, line %d, column %s: \"%s\"", r.c.display, r.line, name, truncateForContext(val))
	} else {
		e.Where = fmt.Sprintf("COPY %s, line %d, column %s", r.c.display, r.line, name)
	}
	return e
}

func truncateForContext(s string) string {
	if len(s) > 100 {
		return strings.ToValidUTF8(s[:100], "") + "..."
	}
	return s
}
