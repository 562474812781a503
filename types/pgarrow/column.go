package pgarrow

import (
	"encoding/binary"
	"math"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/quiverdb/quiver/pgerror"
)

// fkind says how a column's values are stored.
type fkind uint8

const (
	// fBuilder: an Arrow builder, through a valueDecoder.
	fBuilder fkind = iota
	// f2, f4, f8: fixed-width values whose binary format is the Arrow
	// value in big-endian order (integers, oid, floats, time).
	f2
	f4
	f8
	// fDate and fTimestamp: 4 and 8 bytes, moved from PostgreSQL's epoch
	// to Arrow's.
	fDate
	fTimestamp
	// fVar: the value's bytes, into utf8 or binary (text-like types,
	// bytea, columns read in text format).
	fVar
)

// minRows is the fewest rows a decoder makes room for at a time.
const minRows = 64

// column is where the values of one result column go. The common types
// (see fkind) are written straight into buffers the Decoder owns, which
// become the batch's buffers as they are: one bounds check and one store
// per value, no validity bitmap until the first NULL. The others go
// through an Arrow builder.
//
// Fixed-width buffers hold the Decoder's capacity in rows; a
// variable-width column's data grows on its own.
type column struct {
	k        fkind
	mem      memory.Allocator
	typ      arrow.DataType
	name     string // the PostgreSQL type, for errors
	width    int    // bytes per value (fixed kinds)
	validate bool   // fVar: check UTF-8

	// valid is the validity bitmap, made at the first NULL of a batch.
	valid *memory.Buffer
	vb    []byte
	nulls int
	// data holds the fixed-width values, or the variable-width bytes.
	data *memory.Buffer
	db   []byte
	size int // bytes of db in use (fVar)
	last int // size of the previous batch (fVar), reserved for the next
	// offs holds the offsets of variable-width values: rows+1 of them.
	offs *memory.Buffer
	ov   []int32

	// bld and dec take the values of fBuilder columns.
	bld array.Builder
	dec valueDecoder
}

// fixedKinds are the codecs whose values a column stores itself, fixed
// width, with the type name their errors give.
var fixedKinds = map[ckind]struct {
	k     fkind
	width int
	name  string
}{
	cInt2: {f2, 2, "int2"}, cInt4: {f4, 4, "int4"}, cOID: {f4, 4, "oid"}, cFloat4: {f4, 4, "float4"},
	cInt8: {f8, 8, "int8"}, cFloat8: {f8, 8, "float8"}, cTime: {f8, 8, "time"},
	cDate: {fDate, 4, "date"}, cTimestamp: {fTimestamp, 8, "timestamp"},
}

// newColumn returns the column for codec c.
func newColumn(mem memory.Allocator, c *codec, validateUTF8 bool) column {
	col := column{mem: mem, typ: c.typ}
	if f, ok := fixedKinds[c.k]; ok {
		col.k, col.width, col.name = f.k, f.width, f.name
		return col
	}
	switch c.k {
	case cText, cBytea:
		col.k, col.validate = fVar, validateUTF8 && c.k == cText
	default:
		col.bld = array.NewBuilder(mem, c.typ)
		col.dec = newValueDecoder(c, col.bld, validateUTF8)
	}
	return col
}

// put appends v as row r; nil is NULL. capacity is the Decoder's, in
// rows.
func (c *column) put(r int, v []byte, capacity int) error {
	if v == nil {
		return c.putNull(r, capacity)
	}
	switch c.k {
	case f4:
		if len(v) != 4 {
			return errBinary(c.name, v)
		}
		binary.NativeEndian.PutUint32(c.db[4*r:], binary.BigEndian.Uint32(v))
	case fVar:
		if c.validate && !utf8.Valid(v) {
			return errInvalidUTF8()
		}
		end := c.size + len(v)
		if end > len(c.db) {
			if err := c.growData(end); err != nil {
				return err
			}
		}
		copy(c.db[c.size:], v)
		c.size = end
		c.ov[r+1] = int32(end)
	case f8:
		if len(v) != 8 {
			return errBinary(c.name, v)
		}
		binary.NativeEndian.PutUint64(c.db[8*r:], binary.BigEndian.Uint64(v))
	case f2:
		if len(v) != 2 {
			return errBinary(c.name, v)
		}
		binary.NativeEndian.PutUint16(c.db[2*r:], binary.BigEndian.Uint16(v))
	case fDate:
		days, err := dateValue(v)
		if err != nil {
			return err
		}
		binary.NativeEndian.PutUint32(c.db[4*r:], uint32(days))
	case fTimestamp:
		us, err := timestampValue(v)
		if err != nil {
			return err
		}
		binary.NativeEndian.PutUint64(c.db[8*r:], uint64(us))
	default:
		return c.dec.decode(v)
	}
	if c.vb != nil {
		bitutil.SetBit(c.vb, r)
	}
	return nil
}

// putNull appends a NULL as row r; capacity is the Decoder's in rows.
func (c *column) putNull(r, capacity int) error {
	if c.k == fBuilder {
		return c.dec.decode(nil)
	}
	if c.vb == nil {
		c.valid = memory.NewResizableBuffer(c.mem)
		c.reserveValid(capacity)
		bitutil.SetBitsTo(c.vb, 0, int64(r), true)
	}
	bitutil.ClearBit(c.vb, r)
	c.nulls++
	if c.k == fVar {
		c.ov[r+1] = int32(c.size)
	} else {
		clear(c.db[c.width*r : c.width*(r+1)])
	}
	return nil
}

// errTooLarge reports a batch whose variable-width data would pass the
// 2 GiB that Arrow's 32-bit offsets reach.
var errTooLarge = pgerror.New(pgerror.ProgramLimitExceeded, "values too large for one Arrow batch")

// growData makes room for end bytes of variable-width data.
func (c *column) growData(end int) error {
	if end > math.MaxInt32 {
		return errTooLarge
	}
	c.data.Reserve(min(max(2*len(c.db), end, 1024), math.MaxInt32))
	c.db = c.data.Buf()
	return nil
}

// reserve makes room for rows rows, r of them already there, starting a
// batch's buffers if need be.
func (c *column) reserve(r, rows int) {
	mem := c.mem
	switch c.k {
	case fBuilder:
		c.bld.Reserve(rows - r)
		return
	case fVar:
		if c.offs == nil {
			c.offs = memory.NewResizableBuffer(mem)
			c.data = memory.NewResizableBuffer(mem)
			c.data.Reserve(c.last)
			c.db = c.data.Buf()
		}
		c.offs.Reserve(4 * (rows + 1))
		c.ov = arrow.Int32Traits.CastFromBytes(c.offs.Buf())
		if r == 0 {
			c.ov[0] = 0
		}
	default:
		if c.data == nil {
			c.data = memory.NewResizableBuffer(mem)
		}
		c.data.Reserve(c.width * rows)
		c.db = c.data.Buf()
	}
	if c.valid != nil {
		c.reserveValid(rows)
	}
}

func (c *column) reserveValid(rows int) {
	c.valid.Reserve(int(bitutil.BytesForBits(int64(rows))))
	c.vb = c.valid.Buf()
}

// finish returns the column's rows rows as an array and starts the next
// batch.
func (c *column) finish(rows int) arrow.Array {
	if c.k == fBuilder {
		return c.bld.NewArray()
	}
	var valid *memory.Buffer
	if c.nulls > 0 {
		n := int(bitutil.BytesForBits(int64(rows)))
		c.valid.ResizeNoShrink(n)
		bitutil.SetBitsTo(c.vb, int64(rows), int64(8*n-rows), false)
		valid = c.valid
	}
	var bufs []*memory.Buffer
	if c.k == fVar {
		c.offs.ResizeNoShrink(4 * (rows + 1))
		c.data.ResizeNoShrink(c.size)
		bufs = []*memory.Buffer{valid, c.offs, c.data}
	} else {
		c.data.ResizeNoShrink(c.width * rows)
		bufs = []*memory.Buffer{valid, c.data}
	}
	d := array.NewData(c.typ, rows, bufs, nil, c.nulls, 0)
	a := array.MakeFromData(d)
	d.Release()
	c.last = c.size
	c.drop()
	return a
}

// release frees the column's buffers and builder.
func (c *column) release() {
	c.drop()
	if c.bld != nil {
		c.bld.Release()
		c.bld = nil
	}
}

// drop lets go of the column's buffers.
func (c *column) drop() {
	for _, b := range []**memory.Buffer{&c.valid, &c.data, &c.offs} {
		if *b != nil {
			(*b).Release()
			*b = nil
		}
	}
	c.vb, c.db, c.ov = nil, nil, nil
	c.nulls, c.size = 0, 0
}
