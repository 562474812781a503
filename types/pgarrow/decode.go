package pgarrow

import (
	"encoding/binary"
	"math"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/extensions"

	"github.com/quiverdb/quiver/pgerror"
)

// Epoch differences between PostgreSQL (2000-01-01) and Arrow (1970-01-01).
const (
	pgEpochDays   = 10957
	pgEpochMicros = pgEpochDays * 86400 * 1000000
)

// valueDecoder appends one value, given in PostgreSQL's wire format, to the
// builder it is bound to. A nil value is SQL NULL.
type valueDecoder interface {
	decode(v []byte) error
}

func errBinary(typ string, v []byte) error {
	return pgerror.New(pgerror.InvalidBinaryRepresentation, "invalid binary %s value of %d bytes", typ, len(v))
}

func errInvalidUTF8() error {
	return pgerror.New(pgerror.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\"")
}

// newValueDecoder binds a decoder for codec c to builder b, which must have
// been made for c.typ.
func newValueDecoder(c *codec, b array.Builder, validateUTF8 bool) valueDecoder {
	switch c.k {
	case cBool:
		return &boolDecoder{b.(*array.BooleanBuilder)}
	case cInt2:
		return &int16Decoder{b.(*array.Int16Builder)}
	case cInt4:
		return &int32Decoder{b.(*array.Int32Builder)}
	case cInt8:
		return &int64Decoder{b.(*array.Int64Builder)}
	case cOID:
		return &uint32Decoder{b.(*array.Uint32Builder)}
	case cFloat4:
		return &float32Decoder{b.(*array.Float32Builder)}
	case cFloat8:
		return &float64Decoder{b.(*array.Float64Builder)}
	case cNumeric128:
		return &decimal128Decoder{b.(*array.Decimal128Builder), c.scale}
	case cNumeric256:
		return &decimal256Decoder{b.(*array.Decimal256Builder), c.scale}
	case cNumericText:
		return &numericTextDecoder{b: b.(*array.StringBuilder).BinaryBuilder}
	case cBytea:
		return &bytesDecoder{b: b.(*array.BinaryBuilder)}
	case cDate:
		return &dateDecoder{b.(*array.Date32Builder)}
	case cTime:
		return &timeDecoder{b.(*array.Time64Builder)}
	case cTimestamp:
		return &timestampDecoder{b.(*array.TimestampBuilder)}
	case cInterval:
		return &intervalDecoder{b.(*array.MonthDayNanoIntervalBuilder)}
	case cUUID:
		return &uuidDecoder{b.(*extensions.UUIDBuilder).Builder.(*array.FixedSizeBinaryBuilder)}
	case cJSON:
		return &bytesDecoder{b: b.(*array.ExtensionBuilder).Builder.(*array.StringBuilder).BinaryBuilder, validate: validateUTF8}
	case cJSONB:
		return &jsonbDecoder{bytesDecoder{b: b.(*array.ExtensionBuilder).Builder.(*array.StringBuilder).BinaryBuilder, validate: validateUTF8}}
	case cList:
		return newListDecoder(c, b.(*array.ListBuilder), validateUTF8)
	}
	return &bytesDecoder{b: b.(*array.StringBuilder).BinaryBuilder, validate: validateUTF8}
}

type boolDecoder struct{ b *array.BooleanBuilder }

func (d *boolDecoder) decode(v []byte) error {
	if v == nil {
		d.b.AppendNull()
		return nil
	}
	if len(v) != 1 {
		return errBinary("bool", v)
	}
	d.b.Append(v[0] != 0)
	return nil
}

type int16Decoder struct{ b *array.Int16Builder }

func (d *int16Decoder) decode(v []byte) error {
	if v == nil {
		d.b.AppendNull()
		return nil
	}
	if len(v) != 2 {
		return errBinary("int2", v)
	}
	if d.b.Len() < d.b.Cap() {
		d.b.UnsafeAppend(int16(binary.BigEndian.Uint16(v)))
	} else {
		d.b.Append(int16(binary.BigEndian.Uint16(v)))
	}
	return nil
}

type int32Decoder struct{ b *array.Int32Builder }

func (d *int32Decoder) decode(v []byte) error {
	if v == nil {
		d.b.AppendNull()
		return nil
	}
	if len(v) != 4 {
		return errBinary("int4", v)
	}
	if d.b.Len() < d.b.Cap() {
		d.b.UnsafeAppend(int32(binary.BigEndian.Uint32(v)))
	} else {
		d.b.Append(int32(binary.BigEndian.Uint32(v)))
	}
	return nil
}

type int64Decoder struct{ b *array.Int64Builder }

func (d *int64Decoder) decode(v []byte) error {
	if v == nil {
		d.b.AppendNull()
		return nil
	}
	if len(v) != 8 {
		return errBinary("int8", v)
	}
	if d.b.Len() < d.b.Cap() {
		d.b.UnsafeAppend(int64(binary.BigEndian.Uint64(v)))
	} else {
		d.b.Append(int64(binary.BigEndian.Uint64(v)))
	}
	return nil
}

type uint32Decoder struct{ b *array.Uint32Builder }

func (d *uint32Decoder) decode(v []byte) error {
	if v == nil {
		d.b.AppendNull()
		return nil
	}
	if len(v) != 4 {
		return errBinary("oid", v)
	}
	if d.b.Len() < d.b.Cap() {
		d.b.UnsafeAppend(binary.BigEndian.Uint32(v))
	} else {
		d.b.Append(binary.BigEndian.Uint32(v))
	}
	return nil
}

type float32Decoder struct{ b *array.Float32Builder }

func (d *float32Decoder) decode(v []byte) error {
	if v == nil {
		d.b.AppendNull()
		return nil
	}
	if len(v) != 4 {
		return errBinary("float4", v)
	}
	if d.b.Len() < d.b.Cap() {
		d.b.UnsafeAppend(math.Float32frombits(binary.BigEndian.Uint32(v)))
	} else {
		d.b.Append(math.Float32frombits(binary.BigEndian.Uint32(v)))
	}
	return nil
}

type float64Decoder struct{ b *array.Float64Builder }

func (d *float64Decoder) decode(v []byte) error {
	if v == nil {
		d.b.AppendNull()
		return nil
	}
	if len(v) != 8 {
		return errBinary("float8", v)
	}
	if d.b.Len() < d.b.Cap() {
		d.b.UnsafeAppend(math.Float64frombits(binary.BigEndian.Uint64(v)))
	} else {
		d.b.Append(math.Float64frombits(binary.BigEndian.Uint64(v)))
	}
	return nil
}

type decimal128Decoder struct {
	b     *array.Decimal128Builder
	scale int32
}

func (d *decimal128Decoder) decode(v []byte) error {
	if v == nil {
		d.b.AppendNull()
		return nil
	}
	n, err := decodeDecimal128(v, d.scale)
	if err != nil {
		return err
	}
	d.b.Append(n)
	return nil
}

type decimal256Decoder struct {
	b     *array.Decimal256Builder
	scale int32
}

func (d *decimal256Decoder) decode(v []byte) error {
	if v == nil {
		d.b.AppendNull()
		return nil
	}
	n, err := decodeDecimal256(v, d.scale)
	if err != nil {
		return err
	}
	d.b.Append(n)
	return nil
}

type numericTextDecoder struct {
	b       *array.BinaryBuilder
	scratch []byte
}

func (d *numericTextDecoder) decode(v []byte) error {
	if v == nil {
		d.b.AppendNull()
		return nil
	}
	var err error
	d.scratch, err = appendNumericText(d.scratch[:0], v)
	if err != nil {
		return err
	}
	d.b.Append(d.scratch)
	return nil
}

// bytesDecoder appends the value's bytes: text-like types, bytea, json,
// and any column read in text format.
type bytesDecoder struct {
	b        *array.BinaryBuilder
	validate bool
}

func (d *bytesDecoder) decode(v []byte) error {
	if v == nil {
		d.b.AppendNull()
		return nil
	}
	if d.validate && !utf8.Valid(v) {
		return errInvalidUTF8()
	}
	d.b.Append(v)
	return nil
}

type jsonbDecoder struct{ bytesDecoder }

func (d *jsonbDecoder) decode(v []byte) error {
	if v == nil {
		d.b.AppendNull()
		return nil
	}
	if len(v) < 1 || v[0] != 1 {
		return errBinary("jsonb", v)
	}
	return d.bytesDecoder.decode(v[1:])
}

// dateValue converts a binary date to Arrow's date32: days since 1970,
// ±infinity kept as PostgreSQL's sentinels.
func dateValue(v []byte) (int32, error) {
	if len(v) != 4 {
		return 0, errBinary("date", v)
	}
	days := int32(binary.BigEndian.Uint32(v))
	switch {
	case days == math.MaxInt32 || days == math.MinInt32: // ±infinity
	case days > math.MaxInt32-pgEpochDays:
		return 0, pgerror.New(pgerror.DatetimeFieldOverflow, "date out of range for Arrow date32")
	default:
		days += pgEpochDays
	}
	return days, nil
}

// timestampValue converts a binary timestamp or timestamptz to Arrow's
// microseconds since 1970, ±infinity kept as PostgreSQL's sentinels.
func timestampValue(v []byte) (int64, error) {
	if len(v) != 8 {
		return 0, errBinary("timestamp", v)
	}
	us := int64(binary.BigEndian.Uint64(v))
	switch {
	case us == math.MaxInt64 || us == math.MinInt64: // ±infinity
	case us > math.MaxInt64-pgEpochMicros:
		return 0, pgerror.New(pgerror.DatetimeFieldOverflow, "timestamp out of range for Arrow timestamp[us]")
	default:
		us += pgEpochMicros
	}
	return us, nil
}

type dateDecoder struct{ b *array.Date32Builder }

func (d *dateDecoder) decode(v []byte) error {
	if v == nil {
		d.b.AppendNull()
		return nil
	}
	days, err := dateValue(v)
	if err != nil {
		return err
	}
	d.b.Append(arrow.Date32(days))
	return nil
}

type timeDecoder struct{ b *array.Time64Builder }

func (d *timeDecoder) decode(v []byte) error {
	if v == nil {
		d.b.AppendNull()
		return nil
	}
	if len(v) != 8 {
		return errBinary("time", v)
	}
	d.b.Append(arrow.Time64(binary.BigEndian.Uint64(v)))
	return nil
}

type timestampDecoder struct{ b *array.TimestampBuilder }

func (d *timestampDecoder) decode(v []byte) error {
	if v == nil {
		d.b.AppendNull()
		return nil
	}
	us, err := timestampValue(v)
	if err != nil {
		return err
	}
	d.b.Append(arrow.Timestamp(us))
	return nil
}

type intervalDecoder struct {
	b *array.MonthDayNanoIntervalBuilder
}

func (d *intervalDecoder) decode(v []byte) error {
	if v == nil {
		d.b.AppendNull()
		return nil
	}
	if len(v) != 16 {
		return errBinary("interval", v)
	}
	us := int64(binary.BigEndian.Uint64(v))
	if us > math.MaxInt64/1000 || us < math.MinInt64/1000 {
		return pgerror.New("22015", "interval out of range for Arrow month_day_nano")
	}
	d.b.Append(arrow.MonthDayNanoInterval{
		Months:      int32(binary.BigEndian.Uint32(v[12:])),
		Days:        int32(binary.BigEndian.Uint32(v[8:])),
		Nanoseconds: us * 1000,
	})
	return nil
}

type uuidDecoder struct{ b *array.FixedSizeBinaryBuilder }

func (d *uuidDecoder) decode(v []byte) error {
	if v == nil {
		d.b.AppendNull()
		return nil
	}
	if len(v) != 16 {
		return errBinary("uuid", v)
	}
	d.b.Append(v)
	return nil
}

// listDecoder decodes PostgreSQL's binary array format (array_send):
// int32 ndim, int32 has-nulls flag, uint32 element type, ndim pairs of
// int32 (length, lower bound), then each element as int32 length (-1 for
// NULL) and bytes, in row-major order.
type listDecoder struct {
	levels []*array.ListBuilder // outermost first
	elem   valueDecoder
	dimLen []int
}

func newListDecoder(c *codec, b *array.ListBuilder, validateUTF8 bool) *listDecoder {
	d := &listDecoder{dimLen: make([]int, c.dims)}
	var inner array.Builder = b
	for range c.dims {
		lb := inner.(*array.ListBuilder)
		d.levels = append(d.levels, lb)
		inner = lb.ValueBuilder()
	}
	d.elem = newValueDecoder(c.elem, inner, validateUTF8)
	return d
}

func (d *listDecoder) decode(v []byte) error {
	if v == nil {
		d.levels[0].AppendNull()
		return nil
	}
	if len(v) < 12 {
		return errBinary("array", v)
	}
	ndim := int(int32(binary.BigEndian.Uint32(v)))
	if ndim == 0 {
		d.levels[0].Append(true)
		return nil
	}
	if ndim != len(d.levels) {
		return pgerror.New(pgerror.ArraySubscriptError,
			"array value has %d dimensions but the column is read as %d-level Arrow lists", ndim, len(d.levels))
	}
	p := 12
	if len(v) < p+8*ndim {
		return errBinary("array", v)
	}
	// Every element takes at least 4 bytes: bound the element count by the
	// value's size before building anything.
	total := 1
	for i := range ndim {
		n := int(int32(binary.BigEndian.Uint32(v[p:])))
		if n <= 0 || n > len(v)/4 || total*n > len(v)/4 {
			return errBinary("array", v)
		}
		total *= n
		d.dimLen[i] = n
		p += 8
	}
	rest, err := d.decodeLevel(0, v[p:])
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return errBinary("array", v)
	}
	return nil
}

// decodeLevel appends one list at level i, consuming its elements from v.
func (d *listDecoder) decodeLevel(i int, v []byte) ([]byte, error) {
	d.levels[i].Append(true)
	n := d.dimLen[i]
	if i+1 < len(d.levels) {
		var err error
		for range n {
			if v, err = d.decodeLevel(i+1, v); err != nil {
				return nil, err
			}
		}
		return v, nil
	}
	for range n {
		if len(v) < 4 {
			return nil, errBinary("array element", v)
		}
		l := int(int32(binary.BigEndian.Uint32(v)))
		v = v[4:]
		var e []byte
		if l >= 0 {
			if len(v) < l {
				return nil, errBinary("array element", v)
			}
			e, v = v[:l:l], v[l:]
		}
		if err := d.elem.decode(e); err != nil {
			return nil, err
		}
	}
	return v, nil
}
