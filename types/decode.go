package types

import (
	"encoding/json"
	"math"
	"math/big"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
	"github.com/apache/arrow-go/v18/arrow/extensions"
	"github.com/apache/arrow-go/v18/arrow/float16"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/quiverdb/quiver/pgerror"
)

// numericParamType is the Arrow type a numeric parameter is declared to
// backends as, before its value is known. PostgreSQL's numeric has no fixed
// precision or scale: each value keeps the scale it was written with
// ('2.50' stays 2.50). So a value is decoded into a decimal of its own
// scale (see numericValueType), never rounded to this type's.
var numericParamType = &arrow.Decimal128Type{Precision: 38, Scale: 10}

// numericValueType returns the Arrow type that holds nv exactly with its
// display scale: decimal128(38, scale) when it fits, else decimal256(76,
// scale). It reports false for NaN, infinities and values neither holds.
func numericValueType(nv numericValue) (arrow.DataType, bool) {
	const max128, max256 = 38, 76 // the largest precisions of decimal128 and decimal256
	if nv.special != 0 || nv.scale > max256 {
		return nil, false
	}
	digits := int32(len(new(big.Int).Abs(nv.unscaled).String()))
	switch prec := max(digits, nv.scale); {
	case prec <= max128:
		return numericTypes128[nv.scale], true
	case prec <= max256:
		return &arrow.Decimal256Type{Precision: max256, Scale: nv.scale}, true
	}
	return nil, false
}

// numericTypes128 holds decimal128(38, s) for every scale s, so decoding a
// numeric parameter allocates no type.
var numericTypes128 = func() (ts [39]arrow.DataType) {
	for s := range ts {
		ts[s] = &arrow.Decimal128Type{Precision: 38, Scale: int32(s)}
	}
	return ts
}()

// paramValueType returns the type parameter value v is decoded into, for a
// parameter declared as t: a numeric parameter (t is numericParamType, as
// ArrowType and ParamType give it) takes the precision and scale of its
// value, as PostgreSQL's numeric parameters have neither; any other type,
// including a decimal of a given precision and scale, is t. A finite value
// no Arrow decimal holds is refused rather than rounded; other values that
// do not fit or parse keep t, whose decoding reports the error.
func paramValueType(t arrow.DataType, format int16, v []byte) (arrow.DataType, error) {
	if t != arrow.DataType(numericParamType) || v == nil {
		return t, nil
	}
	var nv numericValue
	var err error
	if format == 0 {
		nv, err = parseNumeric(string(v))
	} else {
		nv, err = numericFromBinary(v)
	}
	if err != nil || nv.special != 0 {
		return t, nil
	}
	if vt, ok := numericValueType(nv); ok {
		return vt, nil
	}
	return nil, pgerror.New(pgerror.NumericValueOutOfRange, "numeric field overflow").
		WithDetail("A numeric parameter may have at most 76 digits, at most 76 of them after the decimal point.")
}

// ArrowType returns the Arrow type a parameter of PostgreSQL type oid is
// handed to backends as. It reports false for OIDs with no mapping,
// including 0 (unspecified): the backend infers those.
func ArrowType(oid uint32) (arrow.DataType, bool) {
	switch oid {
	case oidBool:
		return arrow.FixedWidthTypes.Boolean, true
	case oidInt2:
		return arrow.PrimitiveTypes.Int16, true
	case oidInt4:
		return arrow.PrimitiveTypes.Int32, true
	case oidInt8:
		return arrow.PrimitiveTypes.Int64, true
	case oidOID, oidXID, oidCID:
		return arrow.PrimitiveTypes.Uint32, true
	case oidFloat4:
		return arrow.PrimitiveTypes.Float32, true
	case oidFloat8:
		return arrow.PrimitiveTypes.Float64, true
	case oidNumeric:
		return numericParamType, true
	case oidText, oidVarchar, oidBPChar, oidName, oidXML:
		return arrow.BinaryTypes.String, true
	case oidBytea:
		return arrow.BinaryTypes.Binary, true
	case oidDate:
		return arrow.FixedWidthTypes.Date32, true
	case oidTime:
		return arrow.FixedWidthTypes.Time64us, true
	case oidTimestamp:
		return &arrow.TimestampType{Unit: arrow.Microsecond}, true
	case oidTimestamptz:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, true
	case oidInterval:
		return arrow.FixedWidthTypes.MonthDayNanoInterval, true
	case oidUUID:
		return extensions.NewUUIDType(), true
	case oidJSON, oidJSONB:
		t, _ := extensions.NewJSONType(arrow.BinaryTypes.String)
		return t, true
	}
	if e, ok := elemOIDs[oid]; ok && e != oidRecord {
		if et, ok := ArrowType(e); ok {
			return arrow.ListOf(et), true
		}
	}
	return nil, false
}

// DecodeParams builds a one-row record of bound parameter values, one
// column per parameter typed types[i], except that a numeric parameter's
// column (typed as ArrowType(1700) gives) takes the precision and scale
// that hold its value exactly (see numericValueType); values[i] == nil is
// NULL. formats
// follows Bind's parameter-format codes (empty: all text, one: applies to
// all, else one per parameter). Text is read as PostgreSQL's input
// functions read it and binary as its receive functions do, for the
// PostgreSQL type OIDFor(types[i]). timestamptz text without a zone is
// read in UTC; see DecodeParamsWith.
//
// Errors carry PostgreSQL's SQLSTATEs: 22P02 for bad text, 22P03 for bad
// binary, 22003/22008/22015 for values out of range, 08P01 for count or
// format-code mismatches, 0A000 for types that cannot be parameters.
func DecodeParams(mem memory.Allocator, types []arrow.DataType, formats []int16, values [][]byte) (arrow.RecordBatch, error) {
	return DecodeParamsWith(mem, types, formats, values, nil)
}

// DecodeParamsWith is DecodeParams under session settings: timestamptz
// text without a zone is read in s.TimeZone, as PostgreSQL reads it.
func DecodeParamsWith(mem memory.Allocator, types []arrow.DataType, formats []int16, values [][]byte, s *Settings) (arrow.RecordBatch, error) {
	if len(values) != len(types) {
		return nil, pgerror.New(pgerror.ProtocolViolation, "bind message supplies %d parameters, but prepared statement requires %d", len(values), len(types))
	}
	if len(formats) > 1 && len(formats) != len(values) {
		return nil, pgerror.New(pgerror.ProtocolViolation, "bind message has %d parameter formats but %d parameters", len(formats), len(values))
	}
	for _, f := range formats {
		if f != 0 && f != 1 {
			return nil, pgerror.New(pgerror.InvalidParameterValue, "unsupported format code: %d", f)
		}
	}
	fields := make([]arrow.Field, len(types))
	for i, t := range types {
		if t == nil {
			return nil, pgerror.New(pgerror.IndeterminateDatatype, "could not determine data type of parameter $%d", i+1)
		}
		t, err := paramValueType(t, formatAt(formats, i), values[i])
		if err != nil {
			return nil, err
		}
		fields[i] = arrow.Field{Name: "$" + strconv.Itoa(i+1), Type: t, Nullable: true}
	}
	d := &paramDecoder{loc: time.UTC}
	if s != nil && s.TimeZone != nil {
		d.loc = s.TimeZone
	}
	b := array.NewRecordBuilder(mem, arrow.NewSchema(fields, nil))
	defer b.Release()
	for i, v := range values {
		fb := b.Field(i)
		var err error
		switch {
		case v == nil:
			fb.AppendNull()
		case formatAt(formats, i) == 0:
			err = d.text(fb, string(v))
		default:
			err = d.binary(fb, v)
			if err == errShortBinary {
				err = pgerror.New(pgerror.InvalidBinaryRepresentation, "incorrect binary data format in bind parameter %d", i+1)
			} else if err == errInsufficientBinary {
				err = pgerror.New(pgerror.ProtocolViolation, "insufficient data left in message")
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return b.NewRecordBatch(), nil
}

// paramDecoder appends decoded parameter values to builders.
type paramDecoder struct {
	loc *time.Location
}

func errUnsupportedParam(t arrow.DataType) error {
	return pgerror.New(pgerror.FeatureNotSupported, "parameters of Arrow type %s are not supported", t)
}

// text appends the value of text-format s to b.
func (d *paramDecoder) text(b array.Builder, s string) error {
	t := b.Type()
	if ext, ok := t.(arrow.ExtensionType); ok {
		switch ext.ExtensionName() {
		case extUUID:
			u, ok := parseUUID([]byte(s))
			if !ok {
				return errSyntax("uuid", s)
			}
			return appendUUIDValue(b, u)
		case extJSON:
			if !json.Valid([]byte(s)) {
				return errSyntax("json", s)
			}
		}
		return d.text(b.(*array.ExtensionBuilder).StorageBuilder(), s)
	}
	switch t.ID() {
	case arrow.BOOL:
		v, err := parseBool(s)
		if err == nil {
			b.(*array.BooleanBuilder).Append(v)
		}
		return err
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32:
		lo, hi, name := intRange(t)
		v, err := parseInt(s, lo, hi, name)
		if err != nil {
			return err
		}
		return appendInt(b, v)
	case arrow.UINT64:
		nv, err := parseNumeric(s)
		if err != nil {
			return err
		}
		return appendUint64(b, nv, s)
	case arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64:
		bits := 64
		if t.ID() != arrow.FLOAT64 {
			bits = 32
		}
		f, err := parseFloat(s, bits)
		if err != nil {
			return err
		}
		appendFloatValue(b, f)
		return nil
	case arrow.DECIMAL32, arrow.DECIMAL64, arrow.DECIMAL128, arrow.DECIMAL256:
		nv, err := parseNumeric(s)
		if err != nil {
			return err
		}
		return appendDecimal(b, nv)
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		if err := checkText([]byte(s)); err != nil {
			return err
		}
		appendString(b, s)
		return nil
	case arrow.BINARY, arrow.LARGE_BINARY, arrow.BINARY_VIEW, arrow.FIXED_SIZE_BINARY:
		v, err := parseBytea(s)
		if fb, ok := b.(*array.FixedSizeBinaryBuilder); ok && fb.Type().(*arrow.FixedSizeBinaryType).ByteWidth == 16 && len(v) != 16 {
			// A 16-byte fixed_size_binary also takes uuid text.
			if u, ok := parseUUID([]byte(s)); ok {
				v, err = u[:], nil
			}
		}
		if err != nil {
			return err
		}
		return appendBytes(b, v)
	case arrow.DATE32, arrow.DATE64:
		jd, special, err := dateFromText(s)
		if err != nil {
			return err
		}
		return appendDateValue(b, jd, special)
	case arrow.TIME32, arrow.TIME64:
		us, err := timeFromText(s)
		if err != nil {
			return err
		}
		appendTimeValue(b, us)
		return nil
	case arrow.TIMESTAMP:
		ts, err := timestampFromText(s, t.(*arrow.TimestampType).TimeZone != "", d.loc)
		if err != nil {
			return err
		}
		return appendTimestampValue(b, ts)
	case arrow.INTERVAL_MONTHS, arrow.INTERVAL_DAY_TIME, arrow.INTERVAL_MONTH_DAY_NANO, arrow.DURATION:
		m, days, us, err := parseInterval(s)
		if err != nil {
			return err
		}
		return appendIntervalValue(b, m, days, us, s)
	case arrow.LIST, arrow.LARGE_LIST, arrow.FIXED_SIZE_LIST, arrow.LIST_VIEW, arrow.LARGE_LIST_VIEW:
		a, err := parseArrayText(s)
		if err != nil {
			return err
		}
		return fillList(b, a.dims, func(vb array.Builder, k int) error {
			if a.elems[k] == nil {
				vb.AppendNull()
				return nil
			}
			return d.text(vb, *a.elems[k])
		})
	}
	return errUnsupportedParam(t)
}

// intRange returns the range of an Arrow integer type and the name of the
// PostgreSQL type it is presented as.
func intRange(t arrow.DataType) (lo, hi int64, name string) {
	switch t.ID() {
	case arrow.INT8:
		return math.MinInt8, math.MaxInt8, "smallint"
	case arrow.INT16:
		return math.MinInt16, math.MaxInt16, "smallint"
	case arrow.INT32:
		return math.MinInt32, math.MaxInt32, "integer"
	case arrow.UINT8:
		return 0, math.MaxUint8, "smallint"
	case arrow.UINT16:
		return 0, math.MaxUint16, "integer"
	case arrow.UINT32:
		return 0, math.MaxUint32, "bigint"
	}
	return math.MinInt64, math.MaxInt64, "bigint"
}

func appendInt(b array.Builder, v int64) error {
	lo, hi, name := intRange(b.Type())
	if v < lo || v > hi {
		return pgerror.New(pgerror.NumericValueOutOfRange, "%s out of range", name)
	}
	switch b := b.(type) {
	case *array.Int8Builder:
		b.Append(int8(v))
	case *array.Int16Builder:
		b.Append(int16(v))
	case *array.Int32Builder:
		b.Append(int32(v))
	case *array.Int64Builder:
		b.Append(v)
	case *array.Uint8Builder:
		b.Append(uint8(v))
	case *array.Uint16Builder:
		b.Append(uint16(v))
	case *array.Uint32Builder:
		b.Append(uint32(v))
	}
	return nil
}

func appendUint64(b array.Builder, nv numericValue, s string) error {
	if nv.special != 0 {
		return pgerror.New(pgerror.NumericValueOutOfRange, "cannot convert %s to numeric(20,0)", specialName(nv.special))
	}
	u := nv.rescale(0)
	if u.Sign() < 0 || u.BitLen() > 64 {
		return errValueRange("numeric", s)
	}
	b.(*array.Uint64Builder).Append(u.Uint64())
	return nil
}

func specialName(sign uint16) string {
	switch sign {
	case numericNaN:
		return "NaN"
	case numericPInf:
		return "infinity"
	}
	return "-infinity"
}

func appendFloatValue(b array.Builder, f float64) {
	switch b := b.(type) {
	case *array.Float16Builder:
		b.Append(float16.New(float32(f)))
	case *array.Float32Builder:
		b.Append(float32(f))
	case *array.Float64Builder:
		b.Append(f)
	}
}

// appendDecimal rounds nv to the decimal type's scale and appends it,
// failing like numeric's typmod coercion when it does not fit.
func appendDecimal(b array.Builder, nv numericValue) error {
	dt := b.Type().(arrow.DecimalType)
	prec, scale := dt.GetPrecision(), dt.GetScale()
	if nv.special != 0 {
		e := pgerror.New(pgerror.NumericValueOutOfRange, "numeric field overflow")
		if nv.special == numericNaN {
			return e.WithDetail("Arrow decimals cannot hold NaN.")
		}
		return e.WithDetail("A field with precision " + strconv.Itoa(int(prec)) + ", scale " + strconv.Itoa(int(scale)) + " cannot hold an infinite value.")
	}
	u := nv.rescale(scale)
	if dt == arrow.DecimalType(numericParamType) && scale < nv.scale && new(big.Int).Mul(u, pow10(int64(nv.scale-scale))).Cmp(nv.unscaled) != 0 {
		// An element of a numeric array, whose values share one scale: a
		// numeric value is never rounded.
		return errNumericOverflow(prec, scale)
	}
	if new(big.Int).Abs(u).Cmp(pow10(int64(prec))) >= 0 {
		return errNumericOverflow(prec, scale)
	}
	switch b := b.(type) {
	case *array.Decimal32Builder:
		b.Append(decimal.Decimal32(u.Int64()))
	case *array.Decimal64Builder:
		b.Append(decimal.Decimal64(u.Int64()))
	case *array.Decimal128Builder:
		b.Append(decimal128.FromBigInt(u))
	case *array.Decimal256Builder:
		b.Append(decimal256.FromBigInt(u))
	}
	return nil
}

// checkText rejects what PostgreSQL's UTF8 database encoding rejects.
func checkText(v []byte) error {
	if bytesIndexNul(v) {
		return errNulByte()
	}
	if !utf8.Valid(v) {
		for i := 0; i < len(v); {
			r, n := utf8.DecodeRune(v[i:])
			if r == utf8.RuneError && n <= 1 {
				return pgerror.New(pgerror.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\": 0x%02x", v[i])
			}
			i += n
		}
	}
	return nil
}

func appendString(b array.Builder, s string) {
	switch b := b.(type) {
	case *array.StringBuilder:
		b.Append(s)
	case *array.LargeStringBuilder:
		b.Append(s)
	case *array.StringViewBuilder:
		b.Append(s)
	}
}

func appendBytes(b array.Builder, v []byte) error {
	switch b := b.(type) {
	case *array.BinaryBuilder:
		b.Append(v)
	case *array.BinaryViewBuilder:
		b.Append(v)
	case *array.FixedSizeBinaryBuilder:
		if w := b.Type().(*arrow.FixedSizeBinaryType).ByteWidth; len(v) != w {
			return pgerror.New(pgerror.StringDataRightTruncation, "bytea value of %d bytes does not fit fixed_size_binary(%d)", len(v), w)
		}
		b.Append(v)
	}
	return nil
}

func appendUUIDValue(b array.Builder, u [16]byte) error {
	if ub, ok := b.(*extensions.UUIDBuilder); ok {
		ub.AppendBytes(u)
		return nil
	}
	return appendBytes(b.(*array.ExtensionBuilder).StorageBuilder(), u[:])
}

func appendDateValue(b array.Builder, jd int, special int32) error {
	switch b := b.(type) {
	case *array.Date32Builder:
		switch special {
		case pgDateNoEnd:
			b.Append(math.MaxInt32)
		case pgDateNoBegin:
			b.Append(math.MinInt32)
		default:
			b.Append(arrow.Date32(jd - unixEpochJD))
		}
	case *array.Date64Builder:
		if special != 0 {
			return errDateRange()
		}
		b.Append(arrow.Date64(int64(jd-unixEpochJD) * secPerDay * 1000))
	}
	return nil
}

// roundDiv divides by d rounding half away from zero, as PostgreSQL's
// typmod coercions of times and timestamps do.
func roundDiv(v, d int64) int64 {
	if v >= 0 {
		return (v + d/2) / d
	}
	return -((-v + d/2) / d)
}

func appendTimeValue(b array.Builder, us int64) {
	switch b := b.(type) {
	case *array.Time32Builder:
		if b.Type().(*arrow.Time32Type).Unit == arrow.Second {
			b.Append(arrow.Time32(roundDiv(us, usPerSec)))
		} else {
			b.Append(arrow.Time32(roundDiv(us, 1000)))
		}
	case *array.Time64Builder:
		if b.Type().(*arrow.Time64Type).Unit == arrow.Nanosecond {
			b.Append(arrow.Time64(us * 1000))
		} else {
			b.Append(arrow.Time64(us))
		}
	}
}

// appendTimestampValue appends ts, microseconds since 2000-01-01 (or
// PostgreSQL's infinities), in the builder's unit.
func appendTimestampValue(b array.Builder, ts int64) error {
	tb := b.(*array.TimestampBuilder)
	switch ts {
	case pgTimestampNoEnd:
		tb.Append(math.MaxInt64)
		return nil
	case pgTimestampNoBegin:
		tb.Append(math.MinInt64)
		return nil
	}
	const shift = pgEpochUnixSec * usPerSec
	var v int64
	switch tb.Type().(*arrow.TimestampType).Unit {
	case arrow.Second:
		v = roundDiv(ts, usPerSec) + pgEpochUnixSec
	case arrow.Millisecond:
		v = roundDiv(ts, 1000) + pgEpochUnixSec*1000
	case arrow.Microsecond:
		if ts > math.MaxInt64-shift {
			return pgerror.New(pgerror.DatetimeFieldOverflow, "timestamp out of range for Arrow timestamp[us]")
		}
		v = ts + shift
	default:
		if ts > math.MaxInt64/1000-shift || ts < math.MinInt64/1000-shift {
			return pgerror.New(pgerror.DatetimeFieldOverflow, "timestamp out of range for Arrow timestamp[ns]")
		}
		v = (ts + shift) * 1000
	}
	tb.Append(arrow.Timestamp(v))
	return nil
}

// appendIntervalValue appends an interval to an Arrow interval or duration
// builder, failing with 22015 when the Arrow type cannot hold it.
func appendIntervalValue(b array.Builder, months, days int32, us int64, s string) error {
	bad := func() error {
		return pgerror.New(intervalFieldOverflow, "interval \"%s\" cannot be represented as Arrow %s", s, b.Type())
	}
	switch b := b.(type) {
	case *array.MonthDayNanoIntervalBuilder:
		if us > math.MaxInt64/1000 || us < math.MinInt64/1000 {
			return bad()
		}
		b.Append(arrow.MonthDayNanoInterval{Months: months, Days: days, Nanoseconds: us * 1000})
	case *array.DayTimeIntervalBuilder:
		ms := roundDiv(us, 1000)
		if months != 0 || ms > math.MaxInt32 || ms < math.MinInt32 {
			return bad()
		}
		b.Append(arrow.DayTimeInterval{Days: days, Milliseconds: int32(ms)})
	case *array.MonthIntervalBuilder:
		if days != 0 || us != 0 {
			return bad()
		}
		b.Append(arrow.MonthInterval(months))
	case *array.DurationBuilder:
		if months != 0 {
			return bad()
		}
		total := int64(days)*usPerDay + us
		if (us > 0 && total < int64(days)*usPerDay) || (us < 0 && total > int64(days)*usPerDay) {
			return bad()
		}
		var v int64
		switch b.Type().(*arrow.DurationType).Unit {
		case arrow.Second:
			v = roundDiv(total, usPerSec)
		case arrow.Millisecond:
			v = roundDiv(total, 1000)
		case arrow.Microsecond:
			v = total
		default:
			if total > math.MaxInt64/1000 || total < math.MinInt64/1000 {
				return bad()
			}
			v = total * 1000
		}
		b.Append(arrow.Duration(v))
	}
	return nil
}

// fillList appends one array value with the given dimensions to the list
// builder b, calling leaf for each element in row-major order. Nested
// Arrow lists take the dimensions in turn; an empty array (no dimensions)
// is an empty list at any depth.
func fillList(b array.Builder, dims []int, leaf func(vb array.Builder, k int) error) error {
	depth := 0
	for t := b.Type(); ; depth++ {
		lt, ok := t.(arrow.ListLikeType)
		if !ok || t.ID() == arrow.MAP {
			break
		}
		t = lt.Elem()
	}
	if len(dims) == 0 {
		return startList(b, 0)
	}
	if len(dims) != depth {
		return pgerror.New(pgerror.ArraySubscriptError, "array has %d dimensions, the parameter's Arrow type %s has %d", len(dims), b.Type(), depth)
	}
	k := 0
	var rec func(b array.Builder, level int) error
	rec = func(b array.Builder, level int) error {
		if err := startList(b, dims[level]); err != nil {
			return err
		}
		vb := b.(array.ListLikeBuilder).ValueBuilder()
		for j := 0; j < dims[level]; j++ {
			var err error
			if level+1 < len(dims) {
				err = rec(vb, level+1)
			} else {
				err = leaf(vb, k)
				k++
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	return rec(b, 0)
}

func startList(b array.Builder, n int) error {
	switch lb := b.(type) {
	case *array.FixedSizeListBuilder:
		if size := int(lb.Type().(*arrow.FixedSizeListType).Len()); n != size {
			return pgerror.New(pgerror.ArraySubscriptError, "array of %d elements does not fit %s", n, lb.Type())
		}
		lb.Append(true)
	case array.VarLenListLikeBuilder:
		lb.AppendWithSize(true, n)
	default:
		return errUnsupportedParam(b.Type())
	}
	return nil
}
