package types

import "math/bits"

// Decimal integer formatting for the text output paths: digits are
// written two at a time straight into dst, with no intermediate buffer.

// digitPairs holds "00" to "99"; pair v is digitPairs[2v:2v+2].
const digitPairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"

// pairs is digitPairs indexed by value: an index below 100 (v % 100, for
// instance) needs no bounds check, and a pair is copied as one unit.
var pairs = func() (p [100][2]byte) {
	for i := range p {
		p[i] = [2]byte{digitPairs[2*i], digitPairs[2*i+1]}
	}
	return
}()

// pow10u holds 10^0 to 10^19.
var pow10u = func() (p [20]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return
}()

// decimalLen returns the number of decimal digits of v (1 for 0).
func decimalLen(v uint64) int {
	// bits.Len64(v)*1233>>12 is floor(log10(2^len)), at most one short.
	n := bits.Len64(v) * 1233 >> 12
	if v >= pow10u[n] {
		n++
	}
	return max(n, 1)
}

// appendUintText appends v in decimal.
func appendUintText(dst []byte, v uint64) []byte {
	if v < 10 {
		return append(dst, byte('0'+v))
	}
	n := decimalLen(v)
	l := len(dst)
	if cap(dst)-l < n {
		dst = append(dst, make([]byte, n)...)
	} else {
		dst = dst[:l+n]
	}
	out := dst[l:]
	i := len(out)
	for v >= 100 && i >= 2 {
		i -= 2
		*(*[2]byte)(out[i:]) = pairs[v%100]
		v /= 100
	}
	if v >= 10 {
		*(*[2]byte)(out) = pairs[v%100]
	} else {
		out[0] = byte('0' + v)
	}
	return dst
}

// appendIntText appends v in decimal.
func appendIntText(dst []byte, v int64) []byte {
	if v < 0 {
		return appendUintText(append(dst, '-'), -uint64(v))
	}
	return appendUintText(dst, uint64(v))
}
