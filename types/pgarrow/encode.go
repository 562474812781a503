package pgarrow

import (
	"encoding/binary"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
	"github.com/apache/arrow-go/v18/arrow/extensions"

	"github.com/quiverdb/quiver/pgerror"
)

// Encoder writes the values of Arrow arrays of one type in the binary
// format of one PostgreSQL type, for binary COPY and Bind parameters.
// Make one with NewEncoder, bind it to each array with Reset, then append
// rows. It keeps no per-row state and does not allocate per value.
type Encoder struct {
	typ arrow.DataType
	arr arrow.Array
	v   valueEncoder
}

// valueEncoder appends the binary value of a non-null row.
type valueEncoder interface {
	reset(arr arrow.Array)
	append(dst []byte, i int) ([]byte, error)
}

func errMismatch(src arrow.DataType, target Type) error {
	return pgerror.New(pgerror.DatatypeMismatch, "cannot write Arrow %s as PostgreSQL type %s", src, target.Name)
}

// NewEncoder returns an Encoder writing Arrow arrays of type src as
// PostgreSQL type target (whose modifier is typmod). Types that BuiltinType
// does not know, such as array elements, are described by resolve. It fails
// with 42804 when there is no exact or range-checked conversion.
func NewEncoder(src arrow.DataType, target Type, typmod int32, resolve TypeResolver) (*Encoder, error) {
	c := binaryCodec(target, typmod, listDepth(src), resolve)
	if c == nil {
		return nil, errMismatch(src, target)
	}
	v, ok := newValueEncoder(src, c, resolve)
	if !ok {
		return nil, errMismatch(src, target)
	}
	return &Encoder{typ: src, v: v}, nil
}

// Type returns the Arrow type the encoder was made for.
func (e *Encoder) Type() arrow.DataType { return e.typ }

// Reset binds the encoder to arr, whose type must be the one it was made
// for.
func (e *Encoder) Reset(arr arrow.Array) error {
	if !arrow.TypeEqual(arr.DataType(), e.typ) {
		return pgerror.New(pgerror.DatatypeMismatch, "array of type %s given to an encoder for %s", arr.DataType(), e.typ)
	}
	e.arr = arr
	e.v.reset(arr)
	return nil
}

// IsNull reports whether row i is null.
func (e *Encoder) IsNull(i int) bool { return e.arr.IsNull(i) }

// AppendValue appends the binary value of row i, which must not be null.
func (e *Encoder) AppendValue(dst []byte, i int) ([]byte, error) { return e.v.append(dst, i) }

// AppendField appends row i as a length-prefixed field: int32 length and the
// value, or -1 for NULL, as in binary COPY tuples and array elements.
func (e *Encoder) AppendField(dst []byte, i int) ([]byte, error) {
	return appendField(dst, e.arr, e.v, i)
}

func appendField(dst []byte, arr arrow.Array, v valueEncoder, i int) ([]byte, error) {
	if arr.IsNull(i) {
		return binary.BigEndian.AppendUint32(dst, math.MaxUint32), nil
	}
	at := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	dst, err := v.append(dst, i)
	if err != nil {
		return dst, err
	}
	binary.BigEndian.PutUint32(dst[at:], uint32(len(dst)-at-4))
	return dst, nil
}

// listDepth counts the list levels of t.
func listDepth(t arrow.DataType) int {
	n := 0
	for {
		switch lt := storageType(t).(type) {
		case arrow.ListLikeType:
			if _, isMap := lt.(*arrow.MapType); isMap {
				return n
			}
			n++
			t = lt.Elem()
		default:
			return n
		}
	}
}

func storageType(t arrow.DataType) arrow.DataType {
	if et, ok := t.(arrow.ExtensionType); ok {
		return et.StorageType()
	}
	return t
}

// isNumeric reports whether a codec kind is one of numeric's.
func isNumeric(k ckind) bool { return k == cNumeric128 || k == cNumeric256 || k == cNumericText }

func newValueEncoder(src arrow.DataType, c *codec, resolve TypeResolver) (valueEncoder, bool) {
	k := c.k
	switch t := src.(type) {
	case *extensions.UUIDType:
		if k == cUUID {
			return &fixedEncoder{}, true
		}
		if k == cText {
			return &uuidTextEncoder{}, true
		}
		return nil, false
	case arrow.ExtensionType:
		inner, ok := newValueEncoder(t.StorageType(), c, resolve)
		return &extensionEncoder{inner: inner}, ok
	case *arrow.DictionaryType:
		inner, ok := newValueEncoder(t.ValueType, c, resolve)
		return &dictionaryEncoder{inner: inner}, ok
	}
	switch src.ID() {
	case arrow.NULL:
		return nullEncoder{}, true
	case arrow.BOOL:
		return &boolEncoder{}, k == cBool
	case arrow.INT8:
		return newIntEncoder[int8](k)
	case arrow.INT16:
		return newIntEncoder[int16](k)
	case arrow.INT32:
		return newIntEncoder[int32](k)
	case arrow.INT64:
		return newIntEncoder[int64](k)
	case arrow.UINT8:
		return newIntEncoder[uint8](k)
	case arrow.UINT16:
		return newIntEncoder[uint16](k)
	case arrow.UINT32:
		return newIntEncoder[uint32](k)
	case arrow.UINT64:
		return newIntEncoder[uint64](k)
	case arrow.FLOAT32:
		return &floatEncoder[float32]{target: k}, k == cFloat4 || k == cFloat8
	case arrow.FLOAT64:
		return &floatEncoder[float64]{target: k}, k == cFloat4 || k == cFloat8
	case arrow.DECIMAL128:
		return &decimal128Encoder{scale: src.(*arrow.Decimal128Type).Scale}, isNumeric(k)
	case arrow.DECIMAL256:
		return &decimal256Encoder{scale: src.(*arrow.Decimal256Type).Scale}, isNumeric(k)
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		switch {
		case k == cText || k == cJSON || k == cBytea:
			return &stringEncoder{}, true
		case k == cJSONB:
			return &stringEncoder{prefix: true}, true
		case k == cUUID:
			return &uuidStringEncoder{}, true
		case isNumeric(k):
			return &numericStringEncoder{}, true
		}
	case arrow.BINARY, arrow.LARGE_BINARY, arrow.BINARY_VIEW:
		return &bytesEncoder{}, k == cBytea
	case arrow.FIXED_SIZE_BINARY:
		w := src.(*arrow.FixedSizeBinaryType).ByteWidth
		return &fixedEncoder{}, k == cBytea || k == cUUID && w == 16
	case arrow.DATE32, arrow.DATE64:
		return &dateEncoder{}, k == cDate
	case arrow.TIME32, arrow.TIME64:
		return &timeEncoder{}, k == cTime
	case arrow.TIMESTAMP:
		return &timestampEncoder{}, k == cTimestamp
	case arrow.INTERVAL_MONTHS, arrow.INTERVAL_DAY_TIME, arrow.INTERVAL_MONTH_DAY_NANO, arrow.DURATION:
		return &intervalEncoder{}, k == cInterval
	case arrow.LIST, arrow.LARGE_LIST, arrow.FIXED_SIZE_LIST:
		if k != cList {
			return nil, false
		}
		return newArrayEncoder(src, c, resolve)
	}
	return nil, false
}

type nullEncoder struct{}

func (nullEncoder) reset(arrow.Array) {}
func (nullEncoder) append(dst []byte, _ int) ([]byte, error) {
	return dst, pgerror.New(pgerror.InternalError, "value of a null array")
}

type extensionEncoder struct{ inner valueEncoder }

func (e *extensionEncoder) reset(arr arrow.Array) {
	e.inner.reset(arr.(array.ExtensionArray).Storage())
}
func (e *extensionEncoder) append(dst []byte, i int) ([]byte, error) {
	return e.inner.append(dst, i)
}

type dictionaryEncoder struct {
	arr   *array.Dictionary
	inner valueEncoder
}

func (e *dictionaryEncoder) reset(arr arrow.Array) {
	e.arr = arr.(*array.Dictionary)
	e.inner.reset(e.arr.Dictionary())
}

func (e *dictionaryEncoder) append(dst []byte, i int) ([]byte, error) {
	return e.inner.append(dst, e.arr.GetValueIndex(i))
}

type boolEncoder struct{ arr *array.Boolean }

func (e *boolEncoder) reset(arr arrow.Array) { e.arr = arr.(*array.Boolean) }
func (e *boolEncoder) append(dst []byte, i int) ([]byte, error) {
	if e.arr.Value(i) {
		return append(dst, 1), nil
	}
	return append(dst, 0), nil
}

// intEncoder writes any Arrow integer as int2, int4, int8, oid, float4,
// float8 or numeric, failing with 22003 when the value does not fit.
type intEncoder[T arrow.IntType | arrow.UintType] struct {
	vals    []T
	target  ckind
	scratch []byte
}

func newIntEncoder[T arrow.IntType | arrow.UintType](k ckind) (valueEncoder, bool) {
	switch k {
	case cInt2, cInt4, cInt8, cOID, cFloat4, cFloat8:
	default:
		if !isNumeric(k) {
			return nil, false
		}
	}
	return &intEncoder[T]{target: k}, true
}

func (e *intEncoder[T]) reset(arr arrow.Array) { e.vals = arrow.GetValues[T](arr.Data(), 1) }

func errRange(typ string) error {
	return pgerror.New(pgerror.NumericValueOutOfRange, "value out of range for type %s", typ)
}

func (e *intEncoder[T]) append(dst []byte, i int) ([]byte, error) {
	v := e.vals[i]
	signed := T(0)-1 < 0
	if !signed && uint64(v) > math.MaxInt64 {
		if isNumeric(e.target) {
			return appendNumeric(dst, wide{uint64(v)}, 1, false, 0, &e.scratch), nil
		}
		if e.target != cFloat4 && e.target != cFloat8 {
			return dst, errRange(e.targetName())
		}
	}
	n := int64(v)
	switch e.target {
	case cInt2:
		if n < math.MinInt16 || n > math.MaxInt16 {
			return dst, errRange("smallint")
		}
		return binary.BigEndian.AppendUint16(dst, uint16(n)), nil
	case cInt4:
		if n < math.MinInt32 || n > math.MaxInt32 {
			return dst, errRange("integer")
		}
		return binary.BigEndian.AppendUint32(dst, uint32(n)), nil
	case cInt8:
		return binary.BigEndian.AppendUint64(dst, uint64(n)), nil
	case cOID:
		if n < 0 || n > math.MaxUint32 {
			return dst, errRange("oid")
		}
		return binary.BigEndian.AppendUint32(dst, uint32(n)), nil
	case cFloat4:
		return binary.BigEndian.AppendUint32(dst, math.Float32bits(float32(v))), nil
	case cFloat8:
		return binary.BigEndian.AppendUint64(dst, math.Float64bits(float64(v))), nil
	}
	return appendNumeric(dst, wide{uint64(n)}, 1, true, 0, &e.scratch), nil
}

func (e *intEncoder[T]) targetName() string {
	switch e.target {
	case cInt2:
		return "smallint"
	case cInt4:
		return "integer"
	case cOID:
		return "oid"
	}
	return "bigint"
}

type floatEncoder[T float32 | float64] struct {
	vals   []T
	target ckind
}

func (e *floatEncoder[T]) reset(arr arrow.Array) { e.vals = arrow.GetValues[T](arr.Data(), 1) }
func (e *floatEncoder[T]) append(dst []byte, i int) ([]byte, error) {
	if e.target == cFloat4 {
		return binary.BigEndian.AppendUint32(dst, math.Float32bits(float32(e.vals[i]))), nil
	}
	return binary.BigEndian.AppendUint64(dst, math.Float64bits(float64(e.vals[i]))), nil
}

type decimal128Encoder struct {
	vals    []decimal128.Num
	scale   int32
	scratch []byte
}

func (e *decimal128Encoder) reset(arr arrow.Array) {
	e.vals = arrow.GetValues[decimal128.Num](arr.Data(), 1)
}
func (e *decimal128Encoder) append(dst []byte, i int) ([]byte, error) {
	v := e.vals[i]
	return appendNumeric(dst, wide{v.LowBits(), uint64(v.HighBits())}, 2, true, e.scale, &e.scratch), nil
}

type decimal256Encoder struct {
	vals    []decimal256.Num
	scale   int32
	scratch []byte
}

func (e *decimal256Encoder) reset(arr arrow.Array) {
	e.vals = arrow.GetValues[decimal256.Num](arr.Data(), 1)
}
func (e *decimal256Encoder) append(dst []byte, i int) ([]byte, error) {
	return appendNumeric(dst, wide(e.vals[i].Array()), 4, true, e.scale, &e.scratch), nil
}

// stringValues is implemented by String, LargeString and StringView arrays.
type stringValues interface{ Value(int) string }

// stringEncoder writes strings as text-like types, json, and bytea; with
// prefix, as jsonb (version byte 1 first).
type stringEncoder struct {
	arr    stringValues
	prefix bool
}

func (e *stringEncoder) reset(arr arrow.Array) { e.arr = arr.(stringValues) }
func (e *stringEncoder) append(dst []byte, i int) ([]byte, error) {
	if e.prefix {
		dst = append(dst, 1)
	}
	return append(dst, e.arr.Value(i)...), nil
}

// bytesValues is implemented by Binary, LargeBinary, BinaryView and
// FixedSizeBinary arrays.
type bytesValues interface{ Value(int) []byte }

type bytesEncoder struct{ arr bytesValues }

func (e *bytesEncoder) reset(arr arrow.Array) { e.arr = arr.(bytesValues) }
func (e *bytesEncoder) append(dst []byte, i int) ([]byte, error) {
	return append(dst, e.arr.Value(i)...), nil
}

type fixedEncoder struct{ arr *array.FixedSizeBinary }

func (e *fixedEncoder) reset(arr arrow.Array) {
	if ea, ok := arr.(array.ExtensionArray); ok {
		arr = ea.Storage()
	}
	e.arr = arr.(*array.FixedSizeBinary)
}
func (e *fixedEncoder) append(dst []byte, i int) ([]byte, error) {
	return append(dst, e.arr.Value(i)...), nil
}

// uuidStringEncoder parses the text form of a UUID.
type uuidStringEncoder struct{ arr stringValues }

func (e *uuidStringEncoder) reset(arr arrow.Array) { e.arr = arr.(stringValues) }
func (e *uuidStringEncoder) append(dst []byte, i int) ([]byte, error) {
	s := e.arr.Value(i)
	var u [16]byte
	n := 0
	hi := true
	for j := 0; j < len(s); j++ {
		c := s[j]
		if c == '-' || c == '{' || c == '}' {
			continue
		}
		h := unhex(c)
		if h < 0 || n == 16 {
			return dst, pgerror.New(pgerror.InvalidTextRepresentation, "invalid input syntax for type uuid: %q", s)
		}
		if hi {
			u[n] = byte(h) << 4
		} else {
			u[n] |= byte(h)
			n++
		}
		hi = !hi
	}
	if n != 16 || !hi {
		return dst, pgerror.New(pgerror.InvalidTextRepresentation, "invalid input syntax for type uuid: %q", s)
	}
	return append(dst, u[:]...), nil
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// uuidTextEncoder writes a UUID in its text form, for text-like targets.
type uuidTextEncoder struct{ arr *array.FixedSizeBinary }

func (e *uuidTextEncoder) reset(arr arrow.Array) {
	e.arr = arr.(array.ExtensionArray).Storage().(*array.FixedSizeBinary)
}
func (e *uuidTextEncoder) append(dst []byte, i int) ([]byte, error) {
	const digits = "0123456789abcdef"
	for j, b := range e.arr.Value(i) {
		if j == 4 || j == 6 || j == 8 || j == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, digits[b>>4], digits[b&15])
	}
	return dst, nil
}

// numericStringEncoder parses decimal text (as numeric_in does, without
// exponents) into binary numeric.
type numericStringEncoder struct {
	arr     stringValues
	scratch []byte
}

func (e *numericStringEncoder) reset(arr arrow.Array) { e.arr = arr.(stringValues) }
func (e *numericStringEncoder) append(dst []byte, i int) ([]byte, error) {
	return appendNumericFromText(dst, e.arr.Value(i), &e.scratch)
}

type dateEncoder struct{ arr arrow.Array }

func (e *dateEncoder) reset(arr arrow.Array) { e.arr = arr }
func (e *dateEncoder) append(dst []byte, i int) ([]byte, error) {
	var days int64
	switch a := e.arr.(type) {
	case *array.Date32:
		d := a.Value(i)
		if d == math.MaxInt32 || d == math.MinInt32 {
			return binary.BigEndian.AppendUint32(dst, uint32(d)), nil
		}
		days = int64(d)
	case *array.Date64:
		ms := int64(a.Value(i))
		if ms == math.MaxInt64 || ms == math.MinInt64 {
			return binary.BigEndian.AppendUint32(dst, uint32(int32(ms>>32))), nil
		}
		days = floorDiv64(ms, 86400000)
	}
	days -= pgEpochDays
	if days <= math.MinInt32 || days >= math.MaxInt32 {
		return dst, pgerror.New(pgerror.DatetimeFieldOverflow, "date out of range")
	}
	return binary.BigEndian.AppendUint32(dst, uint32(int32(days))), nil
}

func floorDiv64(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// toMicros converts a count of unit to microseconds, flooring, and reports
// overflow.
func toMicros(v int64, unit arrow.TimeUnit) (int64, bool) {
	switch unit {
	case arrow.Second:
		if v > math.MaxInt64/1000000 || v < math.MinInt64/1000000 {
			return 0, false
		}
		return v * 1000000, true
	case arrow.Millisecond:
		if v > math.MaxInt64/1000 || v < math.MinInt64/1000 {
			return 0, false
		}
		return v * 1000, true
	case arrow.Nanosecond:
		return floorDiv64(v, 1e3), true
	}
	return v, true
}

type timeEncoder struct{ arr arrow.Array }

func (e *timeEncoder) reset(arr arrow.Array) { e.arr = arr }
func (e *timeEncoder) append(dst []byte, i int) ([]byte, error) {
	var us int64
	switch a := e.arr.(type) {
	case *array.Time32:
		us, _ = toMicros(int64(a.Value(i)), a.DataType().(*arrow.Time32Type).Unit)
	case *array.Time64:
		us, _ = toMicros(int64(a.Value(i)), a.DataType().(*arrow.Time64Type).Unit)
	}
	return binary.BigEndian.AppendUint64(dst, uint64(us)), nil
}

type timestampEncoder struct {
	vals []arrow.Timestamp
	unit arrow.TimeUnit
}

func (e *timestampEncoder) reset(arr arrow.Array) {
	e.vals = arrow.GetValues[arrow.Timestamp](arr.Data(), 1)
	e.unit = arr.DataType().(*arrow.TimestampType).Unit
}
func (e *timestampEncoder) append(dst []byte, i int) ([]byte, error) {
	v := int64(e.vals[i])
	if v == math.MaxInt64 || v == math.MinInt64 { // ±infinity
		return binary.BigEndian.AppendUint64(dst, uint64(v)), nil
	}
	us, ok := toMicros(v, e.unit)
	if !ok || us < math.MinInt64+pgEpochMicros {
		return dst, pgerror.New(pgerror.DatetimeFieldOverflow, "timestamp out of range")
	}
	return binary.BigEndian.AppendUint64(dst, uint64(us-pgEpochMicros)), nil
}

type intervalEncoder struct{ arr arrow.Array }

func (e *intervalEncoder) reset(arr arrow.Array) { e.arr = arr }
func (e *intervalEncoder) append(dst []byte, i int) ([]byte, error) {
	var us int64
	var days, months int32
	switch a := e.arr.(type) {
	case *array.MonthDayNanoInterval:
		v := a.Value(i)
		us, days, months = floorDiv64(v.Nanoseconds, 1e3), v.Days, v.Months
	case *array.MonthInterval:
		months = int32(a.Value(i))
	case *array.DayTimeInterval:
		v := a.Value(i)
		us, days = int64(v.Milliseconds)*1e3, v.Days
	case *array.Duration:
		var ok bool
		if us, ok = toMicros(int64(a.Value(i)), a.DataType().(*arrow.DurationType).Unit); !ok {
			return dst, pgerror.New("22015", "interval out of range")
		}
	}
	dst = binary.BigEndian.AppendUint64(dst, uint64(us))
	dst = binary.BigEndian.AppendUint32(dst, uint32(days))
	return binary.BigEndian.AppendUint32(dst, uint32(months)), nil
}
