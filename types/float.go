package types

import (
	"bytes"
	"math"
	"strconv"
)

// appendFloat appends f the way PostgreSQL's float8out (bits 64) or
// float4out (bits 32) does under extra_float_digits efd.
//
// With efd > 0 (the default) PostgreSQL 12+ prints the shortest decimal that
// reads back exactly, in fixed notation when the decimal exponent is in
// [-4, 15) for float8 or [-4, 6) for float4 and in exponent notation (at
// least two exponent digits) otherwise. With efd <= 0 it uses
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
	digits, maxExp := 15, 15 // DBL_DIG
	if bits == 32 {
		digits, maxExp = 6, 6 // FLT_DIG
	}
	if efd <= 0 {
		digits += efd
		if digits < 1 {
			digits = 1
		}
		return strconv.AppendFloat(dst, f, 'g', digits, 64)
	}
	// Integral values below the exponent threshold print as integers.
	if f == math.Trunc(f) && math.Abs(f) < 1e15 && (f != 0 || !math.Signbit(f)) {
		if bits == 64 || math.Abs(f) < 1e6 {
			return strconv.AppendInt(dst, int64(f), 10)
		}
	}
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, bits)
	// e is [-]d[.ddd]e±dd
	if e[0] == '-' {
		dst = append(dst, '-')
		e = e[1:]
	}
	k := bytes.IndexByte(e, 'e')
	exp := 0
	for _, c := range e[k+2:] {
		exp = exp*10 + int(c-'0')
	}
	if e[k+1] == '-' {
		exp = -exp
	}
	if exp < -4 || exp >= maxExp {
		return append(dst, e...)
	}
	// The significant digits are e[0] and e[2:k].
	lead, rest := e[:1], e[min(2, k):k]
	nd := 1 + len(rest)
	switch {
	case exp < 0:
		dst = append(dst, "0.0000"[:1-exp]...)
		dst = append(dst, lead...)
		return append(dst, rest...)
	case nd <= exp+1:
		dst = append(dst, lead...)
		dst = append(dst, rest...)
		return append(dst, "00000000000000"[:exp+1-nd]...)
	}
	dst = append(dst, lead...)
	dst = append(dst, rest[:exp]...)
	dst = append(dst, '.')
	return append(dst, rest[exp:]...)
}
