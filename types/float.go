package types

import (
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
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, bits)
	// e is [-]d[.ddd]e±dd
	neg := e[0] == '-'
	if neg {
		e = e[1:]
	}
	var mant [24]byte
	m := mant[:0]
	k := 0
	for ; e[k] != 'e'; k++ {
		if e[k] != '.' {
			m = append(m, e[k])
		}
	}
	exp := 0
	for _, c := range e[k+2:] {
		exp = exp*10 + int(c-'0')
	}
	if e[k+1] == '-' {
		exp = -exp
	}
	if neg {
		dst = append(dst, '-')
	}
	if exp < -4 || exp >= maxExp {
		return append(dst, e...)
	}
	if exp < 0 {
		dst = append(dst, '0', '.')
		for z := -1; z > exp; z-- {
			dst = append(dst, '0')
		}
		return append(dst, m...)
	}
	if len(m) <= exp+1 {
		dst = append(dst, m...)
		for z := len(m); z <= exp; z++ {
			dst = append(dst, '0')
		}
		return dst
	}
	dst = append(dst, m[:exp+1]...)
	dst = append(dst, '.')
	return append(dst, m[exp+1:]...)
}
