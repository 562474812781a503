package types

import (
	"bytes"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
)

// kind is how a node reads its Arrow array. It is chosen once per schema;
// the per-value code switches on it.
type kind uint8

const (
	kNull kind = iota // arrow.Null: every value is NULL
	kBool
	kInt8
	kInt16
	kInt32
	kInt64
	kOID64 // int64 presented as oid: values must fit in uint32
	kUint8
	kUint16
	kUint32
	kUint64
	kFloat16
	kFloat32
	kFloat64
	kDecimal32
	kDecimal64
	kDecimal128
	kDecimal256
	kString // utf8, large_utf8, string_view (see storage)
	kBinary // binary, large_binary, binary_view, fixed_size_binary (see storage)
	kUUID   // 16-byte fixed_size_binary
	kDate32
	kDate64
	kTime32
	kTime64
	kTimestamp
	kDuration
	kMonths
	kDayTime
	kMonthDayNano
	kList // list, large_list, fixed_size_list, list_view, large_list_view, map
	kStruct
	kDict
	kRunEnd
)

// storage is the physical layout of a variable-width value.
type storage uint8

const (
	sOffsets32 storage = iota
	sOffsets64
	sView
	sFixed
)

// node renders the values of one Arrow array: a result column, or a child
// of one. Its shape (kind, OID, children) is fixed when the RowEncoder is
// built; bind points it at a new array for every batch.
type node struct {
	kind   kind
	oid    uint32 // PostgreSQL type of the values
	typmod int32
	unit   arrow.TimeUnit // temporal kinds
	scale  int32          // decimal kinds
	// unscaled: decimal kinds whose scale is the engine's, not the
	// values' own (backends.MetaNumericUnscaled): each value is written
	// with the fewest fraction digits that keep it.
	unscaled bool
	store    storage  // kString and kBinary
	width    int      // fixed_size_binary width
	tz       bool     // kTimestamp: timestamptz
	strMode  strMode  // kString: how the binary format is produced
	pad      int      // kString presented as char(n): values are padded with spaces to n characters
	elem     *node    // kList: element; kDict, kRunEnd: values
	fields   []*node  // kStruct
	names    []string // kStruct: field names
	set      *outputSettings
	ts       timestampText // kTimestamp: text around the clock, kept across values
	jw       jsonbWriter   // strJSONB: scratch space, kept across values

	// Bound per batch.
	mayNull bool   // some value may be NULL: isNull must be asked
	noNul   bool   // kString: no value holds a NUL byte (checked per batch)
	valid   []byte // validity bitmap, nil when there are no nulls
	voff    int    // bit offset into valid
	bits    []byte // kBool values bitmap
	boff    int
	i32     []int32
	i64     []int64
	u16     []uint16
	u32     []uint32
	u64     []uint64
	f32     []float32
	f64     []float64
	i8      []int8
	i16     []int16
	u8      []uint8
	d128    []decimal128.Num
	d256    []decimal256.Num
	dt      []arrow.DayTimeInterval
	mdn     []arrow.MonthDayNanoInterval
	off32   []int32
	off64   []int64
	data    []byte
	bview   *array.BinaryView
	sview   *array.StringView
	list    array.ListLike
	dict    *array.Dictionary
	ree     *array.RunEndEncoded
}

// strMode says how a kString node produces PostgreSQL's binary format for
// the OID it is presented as.
type strMode uint8

const (
	strRaw     strMode = iota // text, varchar, json, xml, ...: the bytes
	strJSONB                  // jsonb: version byte 1, then the text
	strNumeric                // numeric: parse PostgreSQL's numeric text
	strUUID                   // uuid: parse the canonical text
)

// bind points n (and its children) at arr for the current batch.
func (n *node) bind(arr arrow.Array) {
	if ext, ok := arr.(array.ExtensionArray); ok {
		arr = ext.Storage()
	}
	data := arr.Data()
	n.valid = nil
	if n.kind != kNull && arr.NullN() > 0 {
		if b := data.Buffers()[0]; b != nil {
			n.valid, n.voff = b.Bytes(), data.Offset()
		}
	}
	n.mayNull = n.valid != nil || n.kind == kNull || n.kind == kDict || n.kind == kRunEnd
	switch n.kind {
	case kBool:
		n.bits, n.boff = bufBytes(data, 1), data.Offset()
	case kInt8:
		n.i8 = arrow.GetValues[int8](data, 1)
	case kInt16:
		n.i16 = arrow.GetValues[int16](data, 1)
	case kInt32, kDate32, kTime32, kMonths, kDecimal32:
		n.i32 = arrow.GetValues[int32](data, 1)
	case kInt64, kOID64, kDate64, kTime64, kTimestamp, kDuration, kDecimal64:
		n.i64 = arrow.GetValues[int64](data, 1)
	case kUint8:
		n.u8 = arrow.GetValues[uint8](data, 1)
	case kUint16, kFloat16:
		n.u16 = arrow.GetValues[uint16](data, 1)
	case kUint32:
		n.u32 = arrow.GetValues[uint32](data, 1)
	case kUint64:
		n.u64 = arrow.GetValues[uint64](data, 1)
	case kFloat32:
		n.f32 = arrow.GetValues[float32](data, 1)
	case kFloat64:
		n.f64 = arrow.GetValues[float64](data, 1)
	case kDecimal128:
		n.d128 = arrow.GetValues[decimal128.Num](data, 1)
	case kDecimal256:
		n.d256 = arrow.GetValues[decimal256.Num](data, 1)
	case kDayTime:
		n.dt = arrow.GetValues[arrow.DayTimeInterval](data, 1)
	case kMonthDayNano:
		n.mdn = arrow.GetValues[arrow.MonthDayNanoInterval](data, 1)
	case kString, kBinary, kUUID:
		n.bindBytes(arr, data)
	case kList:
		n.list = arr.(array.ListLike)
		n.elem.bind(n.list.ListValues())
	case kStruct:
		s := arr.(*array.Struct)
		for j, f := range n.fields {
			f.bind(s.Field(j))
		}
	case kDict:
		n.dict = arr.(*array.Dictionary)
		n.elem.bind(n.dict.Dictionary())
	case kRunEnd:
		n.ree = arr.(*array.RunEndEncoded)
		n.elem.bind(n.ree.Values())
	}
}

func (n *node) bindBytes(arr arrow.Array, data arrow.ArrayData) {
	n.noNul = false
	switch n.store {
	case sOffsets32:
		n.data = bufBytes(data, 2)
		if data.Len() > 0 {
			n.off32 = arrow.GetOffsets[int32](data, 1)
			n.noNul = n.kind == kString && bytes.IndexByte(n.data[n.off32[0]:n.off32[data.Len()]], 0) < 0
		}
	case sOffsets64:
		n.data = bufBytes(data, 2)
		if data.Len() > 0 {
			n.off64 = arrow.GetOffsets[int64](data, 1)
			n.noNul = n.kind == kString && bytes.IndexByte(n.data[n.off64[0]:n.off64[data.Len()]], 0) < 0
		}
	case sView:
		n.bview, _ = arr.(*array.BinaryView)
		n.sview, _ = arr.(*array.StringView)
	case sFixed:
		n.data = bufBytes(data, 1)
		if n.data != nil {
			n.data = n.data[data.Offset()*n.width:]
		}
	}
}

func bufBytes(data arrow.ArrayData, i int) []byte {
	if b := data.Buffers()[i]; b != nil {
		return b.Bytes()
	}
	return nil
}

// isNull reports whether value i is NULL.
func (n *node) isNull(i int) bool { return n.mayNull && n.nullAt(i) }

// nullAt is isNull for a node that may hold NULLs.
func (n *node) nullAt(i int) bool {
	switch n.kind {
	case kNull:
		return true
	case kDict:
		if n.valid != nil && !bitSet(n.valid, n.voff+i) {
			return true
		}
		return n.elem.isNull(n.dict.GetValueIndex(i))
	case kRunEnd:
		return n.elem.isNull(n.ree.GetPhysicalIndex(i))
	}
	return n.valid != nil && !bitSet(n.valid, n.voff+i)
}

func bitSet(b []byte, i int) bool { return b[i>>3]&(1<<(uint(i)&7)) != 0 }

// bytesAt returns value i of a kString, kBinary or kUUID node. The result
// aliases Arrow memory and must not be modified.
func (n *node) bytesAt(i int) []byte {
	switch n.store {
	case sOffsets32:
		return n.data[n.off32[i]:n.off32[i+1]]
	case sOffsets64:
		return n.data[n.off64[i]:n.off64[i+1]]
	case sView:
		if n.bview != nil {
			return n.bview.Value(i)
		}
		s := n.sview.Value(i)
		return unsafe.Slice(unsafe.StringData(s), len(s))
	default:
		return n.data[i*n.width : (i+1)*n.width]
	}
}
