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
	var buf [32]byte
	d, exp, neg := shortestDigits(buf[:0], f, bits)
	if neg {
		dst = append(dst, '-')
	}
	maxExp := 15
	if bits == 32 {
		maxExp = 6
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

// splitE splits strconv's [-]d[.ddd]e±dd in place into its digits and
// exponent.
func splitE(e []byte) (digits []byte, exp int, neg bool) {
	if e[0] == '-' {
		neg, e = true, e[1:]
	}
	k := 1
	for e[k] != 'e' {
		k++
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
