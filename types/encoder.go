package types

import (
	"encoding/binary"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

// RowEncoder turns the rows of Arrow record batches with one schema into
// PostgreSQL RowDescription and DataRow messages.
//
// Build one per result (NewRowEncoder), call Reset for every batch, then
// AppendRow for each row. A RowEncoder is not safe for concurrent use. It
// does not retain the batches it is given beyond the next Reset.
//
// See https://www.postgresql.org/docs/current/protocol-message-formats.html
// (RowDescription, DataRow).
type RowEncoder struct {
	types   []arrow.DataType
	meta    []arrow.Metadata
	cols    []Column
	nodes   []*node
	set     outputSettings
	allText bool // every column is in text format

	// AppendRows's plan for the bound batch (rows.go).
	fastBound, fastOK bool
	fast              []fastKind
	sized             []int // columns whose size varies by row
	pos, cur          []int
}

// NewRowEncoder resolves an encoder for every column of schema.
//
// formats follows Bind's result-format codes: empty means every column is
// text, a single code applies to every column, otherwise there is one code
// per column. It returns 08P01 for a bad format count or code, 0A000 for an
// Arrow type with no PostgreSQL mapping, and 22023 for an invalid setting.
func NewRowEncoder(schema *arrow.Schema, formats []int16, s *Settings) (*RowEncoder, error) {
	fields := schema.Fields()
	if err := checkFormats(formats, len(fields), "result formats", "columns"); err != nil {
		return nil, err
	}
	set, err := resolveSettings(s)
	if err != nil {
		return nil, err
	}
	e := &RowEncoder{set: set, cols: make([]Column, len(fields)), nodes: make([]*node, len(fields)),
		types: make([]arrow.DataType, len(fields)), meta: make([]arrow.Metadata, len(fields))}
	for c, f := range fields {
		e.types[c], e.meta[c] = f.Type, f.Metadata
		n, err := planField(f, &e.set)
		if err != nil {
			return nil, err
		}
		e.nodes[c] = n
		e.cols[c] = Column{Name: f.Name, OID: n.oid, TypeSize: typeSize(n.oid), TypeMod: n.typmod, Format: formatAt(formats, c)}
	}
	e.allText = len(formats) == 0 || (len(formats) == 1 && formats[0] == 0)
	return e, nil
}

// checkFormats validates a Bind format-code list for count items.
func checkFormats(formats []int16, count int, what, items string) error {
	if len(formats) > 1 && len(formats) != count {
		return pgerror.New(pgerror.ProtocolViolation, "bind message has %d %s but query has %d %s", len(formats), what, count, items)
	}
	for _, f := range formats {
		if f != 0 && f != 1 {
			return pgerror.New(pgerror.InvalidParameterValue, "unsupported format code: %d", f)
		}
	}
	return nil
}

func formatAt(formats []int16, i int) int16 {
	switch len(formats) {
	case 0:
		return 0
	case 1:
		return formats[0]
	}
	return formats[i]
}

// Columns describes the result columns, in order.
func (e *RowEncoder) Columns() []Column { return e.cols }

// AppendRowDescription appends a complete RowDescription ('T') message.
func (e *RowEncoder) AppendRowDescription(dst []byte) []byte {
	start := len(dst)
	dst = append(dst, 'T', 0, 0, 0, 0)
	dst = appendInt16(dst, int16(len(e.cols)))
	for _, c := range e.cols {
		dst = append(dst, c.Name...)
		dst = append(dst, 0)
		dst = appendInt32(dst, 0) // table OID
		dst = appendInt16(dst, 0) // column attribute number
		dst = appendInt32(dst, int32(c.OID))
		dst = appendInt16(dst, c.TypeSize)
		dst = appendInt32(dst, c.TypeMod)
		dst = appendInt16(dst, c.Format)
	}
	return finishMessage(dst, start)
}

// finishMessage patches the length of the message that starts at start;
// a message's length counts its own four bytes.
func finishMessage(dst []byte, start int) []byte {
	putInt32At(dst, start+1, len(dst)-start-1)
	return dst
}

// putLength writes at dst[p:p+4] the number of bytes that follow them, as
// a value's length in a DataRow, array or record.
func putLength(dst []byte, p int) { putInt32At(dst, p, len(dst)-p-4) }

func putInt32At(dst []byte, p, v int) { binary.BigEndian.PutUint32(dst[p:], uint32(v)) }

// Reset binds the encoder to rec, whose column types must be those of the
// schema the encoder was built for (XX000 otherwise). Rows are then
// addressed 0..rec.NumRows()-1.
func (e *RowEncoder) Reset(rec arrow.RecordBatch) error {
	e.fastBound = false
	if int(rec.NumCols()) != len(e.nodes) {
		return pgerror.New(pgerror.InternalError, "record batch has %d columns, RowEncoder expects %d", rec.NumCols(), len(e.nodes))
	}
	for c, n := range e.nodes {
		col := rec.Column(c)
		if !arrow.TypeEqual(col.DataType(), e.types[c]) {
			var err error
			if n, err = e.rescale(c, col.DataType()); err != nil {
				return err
			}
		}
		n.bind(col)
	}
	return nil
}

// rescale takes a decimal column (or a list of decimals) whose batch has another precision or scale
// than the schema said: a numeric's values each keep their own scale in
// PostgreSQL, and an engine that types them by value (DuckDB types a
// parameter by the value bound) returns a decimal of the scale of the
// values. The column is described as before; its values are written with
// the batch's scale, so none is rounded.
func (e *RowEncoder) rescale(c int, t arrow.DataType) (*node, error) {
	if !DecimalsOnlyDiffer(e.types[c], t) {
		return nil, pgerror.New(pgerror.InternalError, "record batch column %d has type %s, RowEncoder expects %s", c, t, e.types[c])
	}
	// The batch's decimals have their values' own scale: they are not the
	// engine's fixed scale that backends.MetaNumericUnscaled speaks of.
	md := e.meta[c]
	if i := md.FindKey(backends.MetaNumericUnscaled); i >= 0 {
		keys, vals := slices.Delete(slices.Clone(md.Keys()), i, i+1), slices.Delete(slices.Clone(md.Values()), i, i+1)
		md = arrow.NewMetadata(keys, vals)
	}
	n, err := planType(t, md, &e.set)
	if err != nil {
		return nil, err
	}
	e.types[c], e.nodes[c] = t, n
	return n, nil
}

// AppendRow appends a complete DataRow ('D') message for row i of the
// current batch. On error dst is returned unchanged (the partial message
// is dropped) along with the error, which carries a SQLSTATE.
func (e *RowEncoder) AppendRow(dst []byte, i int) ([]byte, error) {
	start := len(dst)
	dst = append(dst, 'D', 0, 0, 0, 0)
	dst = appendInt16(dst, int16(len(e.nodes)))
	var err error
	for c, n := range e.nodes {
		if n.isNull(i) {
			dst = append(dst, 0xff, 0xff, 0xff, 0xff)
			continue
		}
		p := len(dst)
		dst = append(dst, 0, 0, 0, 0)
		if e.allText || e.cols[c].Format == 0 {
			dst, err = n.text(dst, i)
		} else {
			dst, err = n.binary(dst, i)
		}
		if err != nil {
			return dst[:start], err
		}
		putLength(dst, p)
	}
	return finishMessage(dst, start), nil
}

// DecimalsOnlyDiffer reports whether a and b are the same type but for the
// precision and scale of decimals, at any depth (a list of numeric values):
// a numeric value keeps its own scale, so an engine that types numeric
// values by their scale may return such a type for a described one.
func DecimalsOnlyDiffer(a, b arrow.DataType) bool {
	if arrow.TypeEqual(a, b) {
		return true
	}
	_, ad := a.(arrow.DecimalType)
	_, bd := b.(arrow.DecimalType)
	if ad || bd || a.ID() != b.ID() {
		return ad && bd
	}
	switch a := a.(type) {
	case *arrow.FixedSizeListType:
		bl := b.(*arrow.FixedSizeListType)
		return a.Len() == bl.Len() && DecimalsOnlyDiffer(a.Elem(), bl.Elem())
	case arrow.ListLikeType:
		return DecimalsOnlyDiffer(a.Elem(), b.(arrow.ListLikeType).Elem())
	case *arrow.StructType:
		bs := b.(*arrow.StructType)
		if a.NumFields() != bs.NumFields() {
			return false
		}
		for i := range a.NumFields() {
			if a.Field(i).Name != bs.Field(i).Name || !DecimalsOnlyDiffer(a.Field(i).Type, bs.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return false
}
