package types

import (
	"math"
	"unicode/utf8"

	"github.com/quiverdb/quiver/pgerror"
)

// binary appends value i (not NULL) in PostgreSQL's binary format, as the
// send function of n's type produces it.
func (n *node) binary(dst []byte, i int) ([]byte, error) {
	switch n.kind {
	case kBool:
		if bitSet(n.bits, n.boff+i) {
			return append(dst, 1), nil
		}
		return append(dst, 0), nil
	case kInt8:
		return appendInt16(dst, int16(n.i8[i])), nil
	case kInt16:
		return appendInt16(dst, n.i16[i]), nil
	case kInt32:
		return appendInt32(dst, n.i32[i]), nil
	case kInt64:
		return appendInt64(dst, n.i64[i]), nil
	case kOID64:
		v := n.i64[i]
		if uint64(v) > 0xffffffff {
			return dst, errOIDRange()
		}
		return appendInt32(dst, int32(uint32(v))), nil
	case kUint8:
		return appendInt16(dst, int16(n.u8[i])), nil
	case kUint16:
		return appendInt32(dst, int32(n.u16[i])), nil
	case kUint32:
		if n.oid == oidInt8 {
			return appendInt64(dst, int64(n.u32[i])), nil
		}
		return appendInt32(dst, int32(n.u32[i])), nil // oid, xid, cid
	case kUint64:
		var buf [20]byte
		return appendNumericBinary(dst, false, uintDigits(buf[:], n.u64[i]), 0), nil
	case kFloat16:
		return appendFloat4Binary(dst, float16FromBits(n.u16[i])), nil
	case kFloat32:
		return appendFloat4Binary(dst, n.f32[i]), nil
	case kFloat64:
		f := n.f64[i]
		if f != f {
			return appendInt64(dst, 0x7ff8000000000000), nil // PostgreSQL's NaN
		}
		return appendInt64(dst, int64(math.Float64bits(f))), nil
	case kDecimal32, kDecimal64, kDecimal128, kDecimal256:
		var buf [80]byte
		neg, digits, scale := n.decimalValue(buf[:], i)
		return appendNumericBinary(dst, neg, digits, scale), nil
	case kString:
		return n.stringBinary(dst, n.bytesAt(i))
	case kBinary, kUUID:
		return append(dst, n.bytesAt(i)...), nil
	case kDate32:
		return dateBinary(dst, int64(n.i32[i]))
	case kDate64:
		return dateBinary(dst, floorDiv(n.i64[i], secPerDay*1000))
	case kTime32:
		us, err := timeMicros(int64(n.i32[i]), n.unit)
		return appendInt64(dst, us), err
	case kTime64:
		us, err := timeMicros(n.i64[i], n.unit)
		return appendInt64(dst, us), err
	case kTimestamp:
		t, err := timestampMicros(n.i64[i], n.unit)
		return appendInt64(dst, t), err
	case kDuration:
		us, err := durationMicros(n.i64[i], n.unit)
		return appendIntervalBinary(dst, 0, 0, us), err
	case kMonths:
		return appendIntervalBinary(dst, n.i32[i], 0, 0), nil
	case kDayTime:
		v := n.dt[i]
		return appendIntervalBinary(dst, 0, v.Days, int64(v.Milliseconds)*1000), nil
	case kMonthDayNano:
		v := n.mdn[i]
		return appendIntervalBinary(dst, v.Months, v.Days, nanosMicros(v.Nanoseconds)), nil
	case kList:
		return n.arrayBinary(dst, i)
	case kStruct:
		return n.recordBinary(dst, i)
	case kDict:
		return n.elem.binary(dst, n.dict.GetValueIndex(i))
	case kRunEnd:
		return n.elem.binary(dst, n.ree.GetPhysicalIndex(i))
	}
	return dst, pgerror.New(pgerror.InternalError, "no binary output for %s", typeName(n.oid))
}

// stringBinary appends a string presented as n.oid in binary format.
func (n *node) stringBinary(dst []byte, v []byte) ([]byte, error) {
	switch n.strMode {
	case strJSONB:
		if !n.noNul && bytesIndexNul(v) {
			return dst, errNulByte()
		}
		return n.jw.appendJSONB(append(dst, 1), v), nil
	case strNumeric:
		var buf [80]byte
		neg, digits, scale, special, err := parseNumericText(v, buf[:])
		if err != nil {
			return dst, err
		}
		if special != 0 {
			return appendNumericSpecial(dst, special), nil
		}
		return appendNumericBinary(dst, neg, digits, scale), nil
	case strUUID:
		u, ok := parseUUID(v)
		if !ok {
			return dst, pgerror.New(pgerror.InvalidTextRepresentation, "invalid input syntax for type uuid: \"%s\"", v)
		}
		return append(dst, u[:]...), nil
	}
	if !n.noNul && bytesIndexNul(v) {
		return dst, errNulByte()
	}
	return n.padded(append(dst, v...), v), nil
}

// padded appends to dst, which ends with the value v, the spaces that make
// v n.pad characters long, as PostgreSQL stores char(n).
func (n *node) padded(dst, v []byte) []byte {
	if n.pad == 0 || len(v) >= n.pad*utf8.UTFMax {
		return dst
	}
	for k := n.pad - utf8.RuneCount(v); k > 0; k-- {
		dst = append(dst, ' ')
	}
	return dst
}

func dateBinary(dst []byte, days int64) ([]byte, error) {
	jd, special, err := dateJulian(days)
	if err != nil {
		return dst, err
	}
	if special != 0 {
		return appendInt32(dst, special), nil
	}
	return appendInt32(dst, int32(jd-pgEpochJD)), nil
}

// appendFloat4Binary appends float4send's format. NaNs are sent as the one
// NaN PostgreSQL's input functions produce.
func appendFloat4Binary(dst []byte, f float32) []byte {
	if f != f {
		return appendInt32(dst, 0x7fc00000)
	}
	return appendInt32(dst, int32(math.Float32bits(f)))
}

// appendNumericSpecial appends numeric_send's format for NaN or an
// infinity. PostgreSQL sends a display scale of 32 for the infinities: an
// artifact of reading the scale bits out of their short header.
func appendNumericSpecial(dst []byte, sign uint16) []byte {
	dscale := byte(0)
	if sign != numericNaN {
		dscale = 0x20
	}
	return append(dst, 0, 0, 0, 0, byte(sign>>8), byte(sign), 0, dscale)
}

// appendIntervalBinary appends interval_send's format.
func appendIntervalBinary(dst []byte, months, days int32, us int64) []byte {
	dst = appendInt64(dst, us)
	dst = appendInt32(dst, days)
	return appendInt32(dst, months)
}

// uintDigits writes the decimal digits of v to the end of buf.
func uintDigits(buf []byte, v uint64) []byte {
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			return buf[i:]
		}
	}
}
