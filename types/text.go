package types

import (
	"bytes"

	"github.com/apache/arrow-go/v18/arrow/float16"
	"github.com/quiverdb/quiver/pgerror"
)

const hexDigits = "0123456789abcdef"

// text appends value i (not NULL) in PostgreSQL's text format, as the
// output function of n's type prints it.
func (n *node) text(dst []byte, i int) ([]byte, error) {
	switch n.kind {
	case kBool:
		if bitSet(n.bits, n.boff+i) {
			return append(dst, 't'), nil
		}
		return append(dst, 'f'), nil
	case kInt8:
		return appendIntText(dst, int64(n.i8[i])), nil
	case kInt16:
		return appendIntText(dst, int64(n.i16[i])), nil
	case kInt32:
		return appendIntText(dst, int64(n.i32[i])), nil
	case kInt64:
		return appendIntText(dst, n.i64[i]), nil
	case kOID64:
		v := n.i64[i]
		if uint64(v) > 0xffffffff {
			return dst, errOIDRange()
		}
		return appendIntText(dst, v), nil
	case kUint8:
		return appendUintText(dst, uint64(n.u8[i])), nil
	case kUint16:
		return appendUintText(dst, uint64(n.u16[i])), nil
	case kUint32:
		return appendUintText(dst, uint64(n.u32[i])), nil
	case kUint64:
		return appendUintText(dst, n.u64[i]), nil
	case kFloat16:
		return appendFloat(dst, float64(float16.FromBits(n.u16[i]).Float32()), 32, n.set.efd), nil
	case kFloat32:
		return appendFloat(dst, float64(n.f32[i]), 32, n.set.efd), nil
	case kFloat64:
		return appendFloat(dst, n.f64[i], 64, n.set.efd), nil
	case kDecimal32, kDecimal64, kDecimal128, kDecimal256:
		var buf [80]byte
		neg, digits, scale := n.decimalValue(buf[:], i)
		return appendNumericText(dst, neg, digits, scale), nil
	case kString:
		v := n.bytesAt(i)
		if !n.noNul && bytes.IndexByte(v, 0) >= 0 {
			return dst, errNulByte()
		}
		if n.strMode == strJSONB {
			return n.jw.appendJSONB(dst, v), nil
		}
		return n.padded(append(dst, v...), v), nil
	case kBinary:
		return n.byteaText(dst, n.bytesAt(i)), nil
	case kUUID:
		return appendUUID(dst, n.bytesAt(i)), nil
	case kDate32:
		return n.set.dateText(dst, int64(n.i32[i]))
	case kDate64:
		return n.set.dateText(dst, floorDiv(n.i64[i], secPerDay*1000))
	case kTime32:
		us, err := timeMicros(int64(n.i32[i]), n.unit)
		if err != nil {
			return dst, err
		}
		return appendClock(dst, us), nil
	case kTime64:
		us, err := timeMicros(n.i64[i], n.unit)
		if err != nil {
			return dst, err
		}
		return appendClock(dst, us), nil
	case kTimestamp:
		t, err := timestampMicros(n.i64[i], n.unit)
		if err != nil {
			return dst, err
		}
		switch t {
		case pgTimestampNoEnd:
			return append(dst, "infinity"...), nil
		case pgTimestampNoBegin:
			return append(dst, "-infinity"...), nil
		}
		if !n.tz {
			return n.ts.appendTimestamp(n.set, dst, t, false, 0, ""), nil
		}
		off, abbrev := n.set.zone.zone(n.set.loc, t)
		return n.ts.appendTimestamp(n.set, dst, t+int64(off)*usPerSec, true, off, abbrev), nil
	case kDuration:
		us, err := durationMicros(n.i64[i], n.unit)
		if err != nil {
			return dst, err
		}
		return n.set.appendInterval(dst, 0, 0, us), nil
	case kMonths:
		return n.set.appendInterval(dst, n.i32[i], 0, 0), nil
	case kDayTime:
		v := n.dt[i]
		return n.set.appendInterval(dst, 0, v.Days, int64(v.Milliseconds)*1000), nil
	case kMonthDayNano:
		v := n.mdn[i]
		return n.set.appendInterval(dst, v.Months, v.Days, nanosMicros(v.Nanoseconds)), nil
	case kList:
		return n.arrayText(dst, i)
	case kStruct:
		return n.recordText(dst, i)
	case kDict:
		return n.elem.text(dst, n.dict.GetValueIndex(i))
	case kRunEnd:
		return n.elem.text(dst, n.ree.GetPhysicalIndex(i))
	}
	return dst, pgerror.New(pgerror.InternalError, "no text output for %s", typeName(n.oid))
}

// errOIDRange reports an int64 presented as oid that is not a uint32, as
// PostgreSQL's int8-to-oid cast does.
func errOIDRange() error { return pgerror.New(pgerror.NumericValueOutOfRange, "OID out of range") }

func errNulByte() error {
	return pgerror.New(pgerror.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\": 0x00")
}

// dateText appends days since 1970-01-01 as date_out does.
func (o *outputSettings) dateText(dst []byte, days int64) ([]byte, error) {
	jd, special, err := dateJulian(days)
	switch {
	case err != nil:
		return dst, err
	case special == pgDateNoEnd:
		return append(dst, "infinity"...), nil
	case special == pgDateNoBegin:
		return append(dst, "-infinity"...), nil
	}
	return o.appendDate(dst, jd), nil
}

// byteaText appends v as byteaout does under bytea_output.
func (n *node) byteaText(dst []byte, v []byte) []byte {
	if !n.set.byteaEscape {
		dst = append(dst, '\\', 'x')
		for _, c := range v {
			dst = append(dst, hexDigits[c>>4], hexDigits[c&15])
		}
		return dst
	}
	for _, c := range v {
		switch {
		case c == '\\':
			dst = append(dst, '\\', '\\')
		case c < 0x20 || c > 0x7e:
			dst = append(dst, '\\', '0'+c>>6, '0'+(c>>3)&7, '0'+c&7)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
