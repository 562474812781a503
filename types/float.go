package types

import (
	"math"
	"math/bits"
	"strconv"
)

// appendFloat appends f the way PostgreSQL's float8out (bits 64) or
// float4out (bits 32) does under extra_float_digits efd.
//
// With efd > 0 (the default) PostgreSQL 12+ prints the shortest decimal that
// reads back exactly (its Ryu port), in fixed notation when the decimal
// exponent is in [-4, 15) for float8 or [-4, 6) for float4 and in exponent
// notation (at least two exponent digits) otherwise. With efd <= 0 it uses
// printf("%.*g", DBL_DIG+efd) (FLT_DIG for float4).
func appendFloat(dst []byte, f float64, bits int, efd int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	}
	if efd <= 0 {
		digits := 15 + efd // DBL_DIG
		if bits == 32 {
			digits = 6 + efd // FLT_DIG
		}
		return strconv.AppendFloat(dst, f, 'g', max(digits, 1), 64)
	}
	maxExp, mantBits := 15, 53
	if bits == 32 {
		maxExp, mantBits = 6, 24
	}
	if out, ok := appendShortDyadic(dst, f, mantBits, maxExp); ok {
		return out
	}
	return appendShortest(dst, f, bits, maxExp)
}

// appendShortest appends finite f in PostgreSQL's shortest round-trip form,
// in exponent notation when its decimal exponent is below -4 or at least
// maxExp.
func appendShortest(dst []byte, f float64, bits int, maxExp int) []byte {
	var buf [32]byte
	d, exp, neg := shortestDigits(buf[:0], f, bits)
	if neg {
		dst = append(dst, '-')
	}
	if exp < -4 || exp >= maxExp {
		dst = append(dst, d[0])
		if len(d) > 1 {
			dst = append(dst, '.')
			dst = append(dst, d[1:]...)
		}
		dst = append(dst, 'e')
		if exp < 0 {
			dst = append(dst, '-')
			exp = -exp
		} else {
			dst = append(dst, '+')
		}
		if exp < 10 {
			dst = append(dst, '0')
		}
		return strconv.AppendInt(dst, int64(exp), 10)
	}
	switch {
	case exp < 0:
		dst = append(dst, "0.0000"[:1-exp]...)
		return append(dst, d...)
	case len(d) <= exp+1:
		dst = append(dst, d...)
		return append(dst, "00000000000000"[:exp+1-len(d)]...)
	}
	dst = append(dst, d[:exp+1]...)
	dst = append(dst, '.')
	return append(dst, d[exp+1:]...)
}

// shortestDigits returns the significant digits (no trailing zeros) and
// decimal exponent of PostgreSQL's shortest representation of f: value =
// 0.d × 10^(exp+1). PostgreSQL builds Ryu with STRICTLY_SHORTEST 0: a
// decimal exactly halfway to a neighbouring float is never chosen, where
// Go's shortest formatting may choose it; such values get more digits.
func shortestDigits(buf []byte, f float64, bits int) (digits []byte, exp int, neg bool) {
	e := strconv.AppendFloat(buf, f, 'e', -1, bits)
	digits, exp, neg = splitE(e)
	for p := len(digits); onRoundingBound(f, bits, digits, exp); p++ {
		e = strconv.AppendFloat(buf[:0], f, 'e', p, bits) // p+1 digits, correctly rounded
		digits, exp, neg = splitE(e)
		for len(digits) > 1 && digits[len(digits)-1] == '0' {
			digits = digits[:len(digits)-1]
		}
	}
	return digits, exp, neg
}

// splitE splits strconv's [-]d[.ddd]e±dd[d] in place into its digits and
// exponent.
func splitE(e []byte) (digits []byte, exp int, neg bool) {
	if e[0] == '-' {
		neg, e = true, e[1:]
	}
	// The exponent is the last two or three digits, after 'e' and a sign.
	k := len(e) - 4
	if e[k] != 'e' {
		k--
	}
	for _, c := range e[k+2:] {
		exp = exp*10 + int(c-'0')
	}
	if e[k+1] == '-' {
		exp = -exp
	}
	if k > 1 { // drop the point: d.ddd -> dddd
		copy(e[1:], e[2:k])
		k--
	}
	return e[:k], exp, neg
}

var pow5 = func() (p [28]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 5
	}
	return
}()

// onRoundingBound reports whether the decimal 0.digits × 10^(exp+1) is
// exactly halfway between |f| and one of its neighbouring floats (of the
// given width), using integer arithmetic only.
func onRoundingBound(f float64, width int, digits []byte, exp int) bool {
	// |f| = m × 2^e.
	var m uint64
	var e int
	var pow2 bool // m is the smallest mantissa of its binade
	if width == 32 {
		b := math.Float32bits(float32(f)) &^ (1 << 31)
		frac, ex := uint64(b&(1<<23-1)), int(b>>23)
		if ex == 0 {
			m, e = frac, -149
		} else {
			m, e, pow2 = frac|1<<23, ex-150, frac == 0 && ex > 1
		}
	} else {
		b := math.Float64bits(f) &^ (1 << 63)
		frac, ex := b&(1<<52-1), int(b>>52)
		if ex == 0 {
			m, e = frac, -1074
		} else {
			m, e, pow2 = frac|1<<52, ex-1075, frac == 0 && ex > 1
		}
	}
	if m&1 != 0 {
		return false // odd mantissas never accept a bound
	}
	// The decimal as odd × 2^t.
	var d uint64
	for _, c := range digits {
		d = d*10 + uint64(c-'0')
	}
	q := exp + 1 - len(digits) // value = d × 10^q
	var odd uint64
	var t int
	if q >= 0 {
		if q >= len(pow5) {
			return false
		}
		tz := bits.TrailingZeros64(d)
		hi, lo := bits.Mul64(d>>tz, pow5[q])
		if hi != 0 {
			return false
		}
		odd, t = lo, tz+q
	} else {
		if -q >= len(pow5) || d%pow5[-q] != 0 {
			return false // not a dyadic rational
		}
		d /= pow5[-q]
		tz := bits.TrailingZeros64(d)
		odd, t = d>>tz, tz+q
	}
	if t == e-1 && (odd == 2*m+1 || (!pow2 && odd == 2*m-1)) {
		return true
	}
	return pow2 && t == e-2 && odd == 4*m-1
}

// maxDyadicBits is the most fraction bits appendShortDyadic handles.
const maxDyadicBits = 4

// pow10f holds the thresholds of fixed notation, 1e6 (float4) and 1e15
// (float8), by exponent.
var pow10f = [...]float64{6: 1e6, 15: 1e15}

// appendShortDyadic appends f (finite) in PostgreSQL's shortest form when
// that form is f's exact decimal expansion and in fixed notation: when f is
// an integer below 10^maxExp in magnitude, or has n <= maxDyadicBits
// fraction bits (so exactly n fraction digits, the last a 5) and is small
// enough that its rounding interval holds no shorter decimal. It reports
// false, appending nothing, for any other value. mantBits is the width of
// the significand of the type printed: 53 for float8, 24 for float4.
//
// Why the exact expansion is the shortest: with n fraction digits ending in
// 5, every decimal with fewer significant digits is at least 5×10^-n away
// from f, while a neighbouring float is at most ulp ≤ 2^(p-mantBits) away
// for |f| < 2^p. With p ≤ mantBits+2-4n, half an ulp is below 5×10^-n, so
// no shorter decimal reads back as f; the exact expansion is at distance 0,
// so it is also the closest of its length (and never a rounding bound,
// which PostgreSQL's Ryu would reject). An integer below 2^mantBits has
// ulp ≤ 1 and the same argument holds with n = 0.
func appendShortDyadic(dst []byte, f float64, mantBits, maxExp int) ([]byte, bool) {
	b := math.Float64bits(f)
	neg := b>>63 != 0
	ex := int(b >> 52 & 0x7ff)
	if ex == 0 {
		if b<<1 != 0 {
			return dst, false // subnormal
		}
		if neg {
			return append(dst, '-', '0'), true
		}
		return append(dst, '0'), true
	}
	m := b&(1<<52-1) | 1<<52
	shift := 1075 - ex // |f| = m / 2^shift, 2^52 <= m < 2^53
	tz := bits.TrailingZeros64(m)
	n := shift - tz // fraction bits
	// |f| < 2^(53-shift); integers need only |f| < 10^maxExp (< 2^mantBits).
	if n > maxDyadicBits || (n > 0 && 53-shift > mantBits+2-4*n) || math.Abs(f) >= pow10f[maxExp] {
		return dst, false
	}
	if neg {
		dst = append(dst, '-')
	}
	if n <= 0 {
		if shift <= 0 {
			return appendUintText(dst, m<<-shift), true
		}
		return appendUintText(dst, m>>shift), true
	}
	dst = appendUintText(dst, m>>shift)
	frac := (m & (1<<shift - 1)) >> tz // n bits: frac / 2^n = frac×5^n / 10^n
	return appendPad(append(dst, '.'), int64(frac*pow5[n]), n), true
}
