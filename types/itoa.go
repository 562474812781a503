package types

import (
	"encoding/binary"
	"math/bits"
	"slices"
)

// Decimal integer formatting for the text output paths: digits are
// written eight at a time straight into dst, with no intermediate buffer.

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

// pairs16 is pairs as little-endian 16-bit words.
var pairs16 = func() (p [100]uint16) {
	for i := range p {
		p[i] = uint16(pairs[i][0]) | uint16(pairs[i][1])<<8
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
	if v < 1e8 {
		return appendDigits8(dst, uint32(v), decimalLen(v))
	}
	hi := v / 1e8
	return appendDigits8(appendUintText(dst, hi), uint32(v-hi*1e8), 8)
}

// appendDigits8 appends the last n (1 to 8) of the eight decimal digits of
// v < 1e8. The digits are assembled in one word, most significant first in
// memory, and stored with one 8-byte write into dst's spare capacity.
func appendDigits8(dst []byte, v uint32, n int) []byte {
	hi, lo := v/10000, v%10000
	w := uint64(pairs16[hi/100%100]) | uint64(pairs16[hi%100])<<16 | uint64(pairs16[lo/100])<<32 | uint64(pairs16[lo%100])<<48
	return appendWord(dst, w>>(8*uint(8-n)), n) // without the leading zeros
}

// appendWord appends the first n (up to 8) bytes of w in little-endian
// order, with one 8-byte store into dst's spare capacity.
func appendWord(dst []byte, w uint64, n int) []byte {
	dst = slices.Grow(dst, 8)
	l := len(dst)
	binary.LittleEndian.PutUint64(dst[l:l+8], w)
	return dst[:l+n]
}

// appendIntText appends v in decimal.
func appendIntText(dst []byte, v int64) []byte {
	if v < 0 {
		return appendUintText(append(dst, '-'), -uint64(v))
	}
	return appendUintText(dst, uint64(v))
}
