package types

import (
	"math/bits"

	"github.com/quiverdb/quiver/pgerror"
)

// Numeric sign words of PostgreSQL's binary numeric format.
const (
	numericPos  = 0x0000
	numericNeg  = 0x4000
	numericNaN  = 0xC000
	numericPInf = 0xD000
	numericNInf = 0xF000
)

// magDigits writes the decimal digits of the unsigned integer held in words
// (most significant word first) to the end of buf and returns them. Zero
// gives "0". words is clobbered.
func magDigits(buf []byte, words []uint64) []byte {
	i := len(buf)
	for {
		// Divide words by 10^19 in place, collecting the remainder.
		var rem uint64
		nonzero := false
		for k := range words {
			words[k], rem = bits.Div64(rem, words[k], 1e19)
			if words[k] != 0 {
				nonzero = true
			}
		}
		// rem holds up to 19 digits.
		for d := 0; d < 19; d++ {
			i--
			buf[i] = byte('0' + rem%10)
			rem /= 10
			if rem == 0 && !nonzero {
				break
			}
		}
		if !nonzero {
			return buf[i:]
		}
	}
}

// twosComplementAbs turns the little-endian two's complement words into
// big-endian magnitude words, reporting whether the value was negative.
func twosComplementAbs(dst []uint64, le []uint64) (neg bool) {
	n := len(le)
	neg = int64(le[n-1]) < 0
	var carry uint64 = 1
	for k := 0; k < n; k++ {
		w := le[k]
		if neg {
			w, carry = bits.Add64(^w, 0, carry)
		}
		dst[n-1-k] = w
	}
	return neg
}

// appendNumericText appends a numeric with magnitude digits (no leading
// zeros, "0" for zero) and scale as numeric_out prints it: exactly scale
// fraction digits, or for a negative scale the digits followed by zeros.
func appendNumericText(dst []byte, neg bool, digits []byte, scale int32) []byte {
	zero := len(digits) == 1 && digits[0] == '0'
	if neg && !zero {
		dst = append(dst, '-')
	}
	if scale <= 0 {
		dst = append(dst, digits...)
		if !zero {
			for z := int32(0); z < -scale; z++ {
				dst = append(dst, '0')
			}
		}
		return dst
	}
	nInt := len(digits) - int(scale)
	if nInt <= 0 {
		dst = append(dst, '0', '.')
		for z := nInt; z < 0; z++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	dst = append(dst, digits[:nInt]...)
	dst = append(dst, '.')
	return append(dst, digits[nInt:]...)
}

// appendNumericBinary appends numeric_send's format for the value with
// magnitude digits and scale: ndigits, weight, sign, dscale, then base-10000
// digits, all int16 big-endian.
func appendNumericBinary(dst []byte, neg bool, digits []byte, scale int32) []byte {
	// Lay the decimal digits out aligned to base-10000 groups around the
	// decimal point: padL zeros, the integer part, the fraction, padR zeros.
	dscale := scale
	if dscale < 0 {
		dscale = 0
	}
	nInt := len(digits) - int(scale) // digits before the point (may be <= 0 or > len)
	intLen := max(nInt, 0)
	padL := (4 - intLen%4) % 4
	padR := (4 - int(dscale)%4) % 4
	total := padL + intLen + int(dscale) + padR
	// digitAt returns the decimal digit at position p of the aligned layout.
	digitAt := func(p int) int {
		p -= padL
		if p < 0 || p >= intLen+int(dscale) {
			return 0
		}
		// Position in digits: digits end at the scale-th place after the point.
		q := p - (intLen - nInt) // == p when nInt >= 0
		if q < 0 || q >= len(digits) {
			return 0
		}
		return int(digits[q] - '0')
	}
	groups := total / 4
	weight := (padL+intLen)/4 - 1
	first, last := 0, groups-1
	group := func(g int) int {
		p := g * 4
		return digitAt(p)*1000 + digitAt(p+1)*100 + digitAt(p+2)*10 + digitAt(p+3)
	}
	for first <= last && group(first) == 0 {
		first++
	}
	for last >= first && group(last) == 0 {
		last--
	}
	ndigits := last - first + 1
	sign := numericPos
	if ndigits == 0 {
		weight = 0
	} else {
		weight -= first
		if neg {
			sign = numericNeg
		}
	}
	dst = appendInt16(dst, int16(ndigits))
	dst = appendInt16(dst, int16(weight))
	dst = appendInt16(dst, int16(sign))
	dst = appendInt16(dst, int16(dscale))
	for g := first; g <= last; g++ {
		dst = appendInt16(dst, int16(group(g)))
	}
	return dst
}

// decimalValue returns the sign, magnitude digits and scale of value i of
// a decimal node, the digits written into buf. An unscaled node's value
// loses the trailing fraction zeros its storage scale gave it.
func (n *node) decimalValue(buf []byte, i int) (neg bool, digits []byte, scale int32) {
	neg, digits = n.decimalDigits(buf, i)
	scale = n.scale
	if n.unscaled {
		for scale > 0 && len(digits) > 1 && digits[len(digits)-1] == '0' {
			digits = digits[:len(digits)-1]
			scale--
		}
		if len(digits) == 1 && digits[0] == '0' {
			scale = 0
		}
	}
	return neg, digits, scale
}

// decimalDigits returns the sign and magnitude digits of value i of a
// decimal node, written into buf.
func (n *node) decimalDigits(buf []byte, i int) (bool, []byte) {
	var le, be [4]uint64
	var w int
	switch n.kind {
	case kDecimal32:
		v := int64(n.i32[i])
		le[0], le[1], w = uint64(v), uint64(v>>63), 2
	case kDecimal64:
		v := n.i64[i]
		le[0], le[1], w = uint64(v), uint64(v>>63), 2
	case kDecimal128:
		d := n.d128[i]
		le[0], le[1], w = d.LowBits(), uint64(d.HighBits()), 2
	default:
		le, w = n.d256[i].Array(), 4
	}
	neg := twosComplementAbs(be[:w], le[:w])
	return neg, magDigits(buf, be[:w])
}

// parseNumericText splits PostgreSQL numeric text (as numeric_out prints
// it: [-]digits[.digits], NaN, Infinity, -Infinity) into sign, magnitude
// digits without leading zeros, and scale. special is the sign word for
// NaN and infinities, else 0.
func parseNumericText(s []byte, buf []byte) (neg bool, digits []byte, scale int32, special uint16, err error) {
	switch string(s) {
	case "NaN":
		return false, nil, 0, numericNaN, nil
	case "Infinity":
		return false, nil, 0, numericPInf, nil
	case "-Infinity":
		return false, nil, 0, numericNInf, nil
	}
	orig := s
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	digits = buf[:0]
	seenPoint, sawDigit := false, false
scan:
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			sawDigit = true
			if seenPoint {
				scale++
			}
			if len(digits) > 0 || c != '0' {
				digits = append(digits, c)
			}
		case c == '.' && !seenPoint:
			seenPoint = true
		default:
			sawDigit = false
			break scan
		}
	}
	if !sawDigit {
		return false, nil, 0, 0, pgerror.New(pgerror.InvalidTextRepresentation, "invalid input syntax for type numeric: \"%s\"", orig)
	}
	if len(digits) == 0 {
		digits = append(digits, '0')
	}
	return neg, digits, scale, 0, nil
}

func appendInt16(dst []byte, v int16) []byte { return append(dst, byte(v>>8), byte(v)) }

func appendInt32(dst []byte, v int32) []byte {
	return append(dst, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

func appendInt64(dst []byte, v int64) []byte {
	return append(dst, byte(v>>56), byte(v>>48), byte(v>>40), byte(v>>32),
		byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}
