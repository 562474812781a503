package pgarrow

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"

	"github.com/quiverdb/quiver/pgerror"
)

// PostgreSQL's numeric binary format (numeric_send): int16 ndigits,
// int16 weight, uint16 sign, int16 dscale, then ndigits base-10000 digits,
// most significant first. The first digit is worth 10000^weight.
const (
	numericPos  = 0x0000
	numericNeg  = 0x4000
	numericNaN  = 0xC000
	numericPInf = 0xD000
	numericNInf = 0xF000
	nbase       = 10000
)

// wide is an unsigned integer of up to four little-endian 64-bit words.
type wide [4]uint64

// mulAdd sets w = w*m + a over n words and returns the carry out.
func (w *wide) mulAdd(n int, m, a uint64) uint64 {
	carry := a
	for i := range n {
		hi, lo := bits.Mul64(w[i], m)
		var c uint64
		lo, c = bits.Add64(lo, carry, 0)
		w[i] = lo
		carry = hi + c
	}
	return carry
}

// divSmall sets w = w/d over n words and returns the remainder.
func (w *wide) divSmall(n int, d uint64) uint64 {
	var rem uint64
	for i := n - 1; i >= 0; i-- {
		w[i], rem = bits.Div64(rem, w[i], d)
	}
	return rem
}

// negate sets w to its two's complement over n words.
func (w *wide) negate(n int) {
	carry := uint64(1)
	for i := range n {
		w[i], carry = bits.Add64(^w[i], 0, carry)
	}
}

// isZero reports whether the first n words are zero.
func (w *wide) isZero(n int) bool {
	for i := range n {
		if w[i] != 0 {
			return false
		}
	}
	return true
}

// numeric is a parsed numeric value; digits are still big-endian bytes.
type numeric struct {
	ndigits int
	weight  int
	sign    uint16
	dscale  int
	digits  []byte
}

func (n *numeric) digit(i int) uint64 {
	if i < 0 || i >= n.ndigits {
		return 0
	}
	return uint64(binary.BigEndian.Uint16(n.digits[2*i:]))
}

func parseNumeric(v []byte) (numeric, error) {
	if len(v) < 8 {
		return numeric{}, errBinary("numeric", v)
	}
	n := numeric{
		ndigits: int(int16(binary.BigEndian.Uint16(v))),
		weight:  int(int16(binary.BigEndian.Uint16(v[2:]))),
		sign:    binary.BigEndian.Uint16(v[4:]),
		dscale:  int(int16(binary.BigEndian.Uint16(v[6:]))),
		digits:  v[8:],
	}
	if n.ndigits < 0 || len(n.digits) != 2*n.ndigits {
		return numeric{}, errBinary("numeric", v)
	}
	return n, nil
}

// unscaled returns the numeric as an integer scaled by 10^scale, in n words,
// two's complement.
func (n *numeric) unscaled(scale int32, words int) (wide, error) {
	var w wide
	switch n.sign {
	case numericPos, numericNeg:
	case numericNaN:
		return w, pgerror.New(pgerror.NumericValueOutOfRange, "numeric NaN cannot be represented as an Arrow decimal")
	default:
		return w, pgerror.New(pgerror.NumericValueOutOfRange, "numeric infinity cannot be represented as an Arrow decimal")
	}
	fracGroups := (int(scale) + 3) / 4
	last := n.weight + fracGroups
	// The last group holds only scale%4 digits of the scale: its low
	// digits must be zero and are dropped rather than multiplied in.
	drop := uint64(pow10[4*fracGroups-int(scale)])
	for i := 0; i <= last; i++ {
		m, d := uint64(nbase), n.digit(i)
		if i == last && drop > 1 {
			if d%drop != 0 {
				return w, errScale(scale)
			}
			m, d = nbase/drop, d/drop
		}
		if w.mulAdd(words, m, d) != 0 {
			return w, pgerror.New(pgerror.NumericValueOutOfRange, "numeric value does not fit its declared precision")
		}
	}
	for i := max(last+1, 0); i < n.ndigits; i++ {
		if n.digit(i) != 0 {
			return w, errScale(scale)
		}
	}
	if words == 2 && w[1]>>63 != 0 || words == 4 && w[3]>>63 != 0 {
		return w, pgerror.New(pgerror.NumericValueOutOfRange, "numeric value does not fit its declared precision")
	}
	if n.sign == numericNeg {
		w.negate(words)
	}
	return w, nil
}

var pow10 = [...]int{1, 10, 100, 1000}

func errScale(scale int32) error {
	return pgerror.New(pgerror.NumericValueOutOfRange, "numeric value has more digits than its declared scale %d", scale)
}

func decodeDecimal128(v []byte, scale int32) (decimal128.Num, error) {
	n, err := parseNumeric(v)
	if err != nil {
		return decimal128.Num{}, err
	}
	w, err := n.unscaled(scale, 2)
	return decimal128.New(int64(w[1]), w[0]), err
}

func decodeDecimal256(v []byte, scale int32) (decimal256.Num, error) {
	n, err := parseNumeric(v)
	if err != nil {
		return decimal256.Num{}, err
	}
	w, err := n.unscaled(scale, 4)
	return decimal256.New(w[3], w[2], w[1], w[0]), err
}

// appendNumericText appends PostgreSQL's text output of a binary numeric
// (numeric_out): the exact digits, dscale of them after the point.
func appendNumericText(dst, v []byte) ([]byte, error) {
	n, err := parseNumeric(v)
	if err != nil {
		return dst, err
	}
	switch n.sign {
	case numericNaN:
		return append(dst, "NaN"...), nil
	case numericPInf:
		return append(dst, "Infinity"...), nil
	case numericNInf:
		return append(dst, "-Infinity"...), nil
	case numericNeg:
		dst = append(dst, '-')
	}
	if n.weight < 0 {
		dst = append(dst, '0')
	} else {
		for i := 0; i <= n.weight; i++ {
			d := n.digit(i)
			if i == 0 {
				dst = appendUint(dst, d)
			} else {
				dst = append4(dst, d)
			}
		}
	}
	if n.dscale > 0 {
		dst = append(dst, '.')
		end := len(dst) + n.dscale
		for i := n.weight + 1; len(dst) < end; i++ {
			dst = append4(dst, n.digit(i))
		}
		dst = dst[:end]
	}
	return dst, nil
}

func appendUint(dst []byte, d uint64) []byte {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + d%10)
		d /= 10
		if d == 0 {
			break
		}
	}
	return append(dst, b[i:]...)
}

func append4(dst []byte, d uint64) []byte {
	return append(dst, byte('0'+d/1000), byte('0'+d/100%10), byte('0'+d/10%10), byte('0'+d%10))
}

// appendNumeric appends the binary numeric of the integer w (n words,
// two's complement when signed is true) scaled down by 10^scale. scratch is
// reused between calls.
func appendNumeric(dst []byte, w wide, n int, signed bool, scale int32, scratch *[]byte) []byte {
	neg := signed && w[n-1]>>63 != 0
	if neg {
		w.negate(n)
	}
	// Decimal digits of |w|, least significant first.
	ds := (*scratch)[:0]
	for !w.isZero(n) {
		r := w.divSmall(n, 1e18)
		for range 18 {
			ds = append(ds, byte(r%10))
			r /= 10
		}
	}
	*scratch = ds
	return appendNumericDigits(dst, ds, neg, scale)
}

// appendNumericDigits appends the binary numeric of the decimal digits ds
// (least significant first, one digit per byte) scaled down by 10^scale.
func appendNumericDigits(dst, ds []byte, neg bool, scale int32) []byte {
	for len(ds) > 0 && ds[len(ds)-1] == 0 {
		ds = ds[:len(ds)-1]
	}
	if scale < 0 { // shift left: prepend -scale zero digits at the low end
		z := int(-scale)
		ds = append(ds[:len(ds):len(ds)], make([]byte, z)...)
		copy(ds[z:], ds[:len(ds)-z])
		clear(ds[:z])
		scale = 0
	}
	// Digit k (k from the low end) has decimal exponent k-scale. Group it
	// into base-10000 digits aligned on the decimal point.
	dig := func(k int) uint64 {
		if k < 0 || k >= len(ds) {
			return 0
		}
		return uint64(ds[k])
	}
	lowExp := -int(scale) // exponent of ds[0]
	lowGroup := floorDiv(lowExp, 4)
	highGroup := floorDiv(lowExp+len(ds)-1, 4)
	if len(ds) == 0 {
		lowGroup, highGroup = 0, -1
	}
	// Trim zero groups at both ends.
	group := func(g int) uint64 {
		base := 4*g - lowExp
		return dig(base) + 10*dig(base+1) + 100*dig(base+2) + 1000*dig(base+3)
	}
	for highGroup >= lowGroup && group(highGroup) == 0 {
		highGroup--
	}
	for lowGroup <= highGroup && group(lowGroup) == 0 {
		lowGroup++
	}
	ndigits := highGroup - lowGroup + 1
	weight := highGroup
	sign := uint16(numericPos)
	if ndigits == 0 {
		weight = 0
	} else if neg {
		sign = numericNeg
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(ndigits))
	dst = binary.BigEndian.AppendUint16(dst, uint16(int16(weight)))
	dst = binary.BigEndian.AppendUint16(dst, sign)
	dst = binary.BigEndian.AppendUint16(dst, uint16(scale))
	for g := highGroup; g >= lowGroup; g-- {
		dst = binary.BigEndian.AppendUint16(dst, uint16(group(g)))
	}
	return dst
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// appendNumericFromText parses decimal text as numeric_in does (sign,
// digits, point, exponent, NaN, Infinity) and appends its binary numeric.
func appendNumericFromText(dst []byte, s string, scratch *[]byte) ([]byte, error) {
	bad := func() ([]byte, error) {
		return dst, pgerror.New(pgerror.InvalidTextRepresentation, "invalid input syntax for type numeric: %q", s)
	}
	t := strings.TrimSpace(s)
	neg := false
	if t != "" && (t[0] == '-' || t[0] == '+') {
		neg, t = t[0] == '-', t[1:]
	}
	switch strings.ToLower(t) {
	case "nan":
		if t != s && strings.TrimSpace(s) != t {
			return bad()
		}
		return appendNumericSpecial(dst, numericNaN), nil
	case "infinity", "inf":
		if neg {
			return appendNumericSpecial(dst, numericNInf), nil
		}
		return appendNumericSpecial(dst, numericPInf), nil
	}
	ds := (*scratch)[:0]
	var scale int64
	seenDigit, seenPoint := false, false
	i := 0
	for ; i < len(t); i++ {
		c := t[i]
		switch {
		case c >= '0' && c <= '9':
			ds = append(ds, c-'0')
			seenDigit = true
			if seenPoint {
				scale++
			}
		case c == '.' && !seenPoint:
			seenPoint = true
		default:
			goto exponent
		}
	}
exponent:
	if !seenDigit {
		return bad()
	}
	if i < len(t) {
		if t[i] != 'e' && t[i] != 'E' {
			return bad()
		}
		exp, err := strconv.ParseInt(t[i+1:], 10, 32)
		if err != nil || exp > 1000 || exp < -1000 {
			return bad()
		}
		scale -= exp
	}
	slices.Reverse(ds)
	*scratch = ds
	dscale := int32(max(scale, 0))
	if scale < 0 {
		return appendNumericDigits(dst, ds, neg, int32(scale)), nil
	}
	// Keep the display scale: appendNumericDigits writes dscale = scale.
	return appendNumericDigits(dst, ds, neg, dscale), nil
}

func appendNumericSpecial(dst []byte, sign uint16) []byte {
	dst = binary.BigEndian.AppendUint16(dst, 0)
	dst = binary.BigEndian.AppendUint16(dst, 0)
	dst = binary.BigEndian.AppendUint16(dst, sign)
	return binary.BigEndian.AppendUint16(dst, 0)
}
