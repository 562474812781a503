package types

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/quiverdb/quiver/pgerror"
)

// Text input functions, mirroring PostgreSQL's *in functions: the syntax
// they accept, their SQLSTATEs and their messages.

func errSyntax(typ, s string) error {
	return pgerror.New(pgerror.InvalidTextRepresentation, "invalid input syntax for type %s: \"%s\"", typ, s)
}

func errValueRange(typ, s string) error {
	return pgerror.New(pgerror.NumericValueOutOfRange, "value \"%s\" is out of range for type %s", s, typ)
}

// isSpace is C isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func trimSpace(s string) string {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// parseBool reads a boolean as boolin does: a non-empty prefix of true,
// false, yes, no (on and off need two letters), or 1 and 0, ignoring case
// and surrounding whitespace.
func parseBool(s string) (bool, error) {
	v := strings.ToLower(trimSpace(s))
	prefix := func(word string, min int) bool {
		return len(v) >= min && len(v) <= len(word) && word[:len(v)] == v
	}
	switch {
	case v == "1", prefix("true", 1), prefix("yes", 1), prefix("on", 2):
		return true, nil
	case v == "0", prefix("false", 1), prefix("no", 1), prefix("off", 2):
		return false, nil
	}
	return false, pgerror.New(pgerror.InvalidTextRepresentation, "invalid input syntax for type boolean: \"%s\"", s)
}

// parseInt reads an integer as pg_strtoint16/32/64 do, checking it against
// [lo, hi]. typ names the PostgreSQL type in messages.
func parseInt(s string, lo, hi int64, typ string) (int64, error) {
	p := 0
	for p < len(s) && isSpace(s[p]) {
		p++
	}
	neg := false
	if p < len(s) && (s[p] == '-' || s[p] == '+') {
		neg = s[p] == '-'
		p++
	}
	if p >= len(s) || s[p] < '0' || s[p] > '9' {
		return 0, errSyntax(typ, s)
	}
	// Accumulate as a negative number so that the minimum fits.
	var v int64
	for ; p < len(s) && s[p] >= '0' && s[p] <= '9'; p++ {
		d := int64(s[p] - '0')
		if v < (math.MinInt64+d)/10 {
			return 0, errValueRange(typ, s)
		}
		v = v*10 - d
	}
	for p < len(s) && isSpace(s[p]) {
		p++
	}
	if p != len(s) {
		return 0, errSyntax(typ, s)
	}
	if !neg {
		if v == math.MinInt64 {
			return 0, errValueRange(typ, s)
		}
		v = -v
	}
	if v < lo || v > hi {
		return 0, errValueRange(typ, s)
	}
	return v, nil
}

// parseFloat reads a float as float8in (bits 64) or float4in (bits 32) do.
func parseFloat(s string, bits int) (float64, error) {
	typ := "double precision"
	if bits == 32 {
		typ = "real"
	}
	v := trimSpace(s)
	switch strings.ToLower(v) {
	case "nan":
		return math.NaN(), nil
	case "infinity", "+infinity", "inf", "+inf":
		return math.Inf(1), nil
	case "-infinity", "-inf":
		return math.Inf(-1), nil
	case "":
		return 0, errSyntax(typ, s)
	}
	if strings.ContainsAny(v, "_nNiI") { // Go-only syntax: digit separators, spelled-out specials
		return 0, errSyntax(typ, s)
	}
	f, err := strconv.ParseFloat(v, bits)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, pgerror.New(pgerror.NumericValueOutOfRange, "\"%s\" is out of range for type %s", v, typ)
		}
		return 0, errSyntax(typ, s)
	}
	if f == 0 && strings.ContainsAny(mantissa(v), "123456789") {
		// strtod underflowed to zero: PostgreSQL reports it as out of range.
		return 0, pgerror.New(pgerror.NumericValueOutOfRange, "\"%s\" is out of range for type %s", v, typ)
	}
	return f, nil
}

// mantissa returns the part of a decimal float literal before its exponent.
func mantissa(v string) string {
	if strings.HasPrefix(v, "0x") || strings.HasPrefix(v, "0X") || strings.HasPrefix(v, "-0x") || strings.HasPrefix(v, "+0x") {
		if i := strings.IndexAny(v, "pP"); i >= 0 {
			return v[:i]
		}
		return v
	}
	if i := strings.IndexAny(v, "eE"); i >= 0 {
		return v[:i]
	}
	return v
}

// numericValue is a parsed numeric: NaN or ±Infinity (special != 0), or
// the value unscaled * 10^-scale.
type numericValue struct {
	special  uint16
	unscaled *big.Int
	scale    int32
}

// parseNumeric reads a numeric as numeric_in does: surrounding whitespace,
// NaN and [+-]Infinity/inf in any case, [+-]digits[.digits][e[+-]digits].
func parseNumeric(s string) (numericValue, error) {
	v := trimSpace(s)
	switch strings.ToLower(v) {
	case "nan":
		return numericValue{special: numericNaN}, nil
	case "infinity", "+infinity", "inf", "+inf":
		return numericValue{special: numericPInf}, nil
	case "-infinity", "-inf":
		return numericValue{special: numericNInf}, nil
	}
	p, neg := 0, false
	if p < len(v) && (v[p] == '-' || v[p] == '+') {
		neg = v[p] == '-'
		p++
	}
	var digits []byte
	var scale int64
	sawDigit, sawPoint := false, false
	for ; p < len(v); p++ {
		c := v[p]
		if c >= '0' && c <= '9' {
			digits = append(digits, c)
			sawDigit = true
			if sawPoint {
				scale++
			}
		} else if c == '.' && !sawPoint {
			sawPoint = true
		} else {
			break
		}
	}
	if !sawDigit {
		return numericValue{}, errSyntax("numeric", s)
	}
	if p < len(v) && (v[p] == 'e' || v[p] == 'E') {
		exp, err := strconv.ParseInt(v[p+1:], 10, 32)
		if err != nil || v[p+1:] == "" || v[p+1] == ' ' {
			return numericValue{}, errSyntax("numeric", s)
		}
		if exp > 1000 || exp < -1000 { // NUMERIC_MAX_DISPLAY_SCALE bounds the exponent
			return numericValue{}, pgerror.New(pgerror.InvalidParameterValue, "invalid input syntax for type numeric: \"%s\"", s)
		}
		scale -= exp
		p = len(v)
	}
	if p != len(v) {
		return numericValue{}, errSyntax("numeric", s)
	}
	u, _ := new(big.Int).SetString(string(digits), 10)
	if neg {
		u.Neg(u)
	}
	if scale < 0 {
		u.Mul(u, new(big.Int).Exp(big.NewInt(10), big.NewInt(-scale), nil))
		scale = 0
	}
	return numericValue{unscaled: u, scale: int32(scale)}, nil
}

// rescale rounds n to scale digits after the point, half away from zero,
// as numeric's typmod coercion does.
func (n numericValue) rescale(scale int32) *big.Int {
	u := new(big.Int).Set(n.unscaled)
	switch {
	case scale > n.scale:
		return u.Mul(u, pow10(int64(scale-n.scale)))
	case scale < n.scale:
		d := pow10(int64(n.scale - scale))
		q, r := new(big.Int).QuoRem(u, d, new(big.Int))
		r.Abs(r).Lsh(r, 1)
		if r.Cmp(d) >= 0 {
			if u.Sign() < 0 {
				q.Sub(q, big.NewInt(1))
			} else {
				q.Add(q, big.NewInt(1))
			}
		}
		return q
	}
	return u
}

func pow10(n int64) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(n), nil) }

// errNumericOverflow is numeric's typmod error.
func errNumericOverflow(precision, scale int32) error {
	e := pgerror.New(pgerror.NumericValueOutOfRange, "numeric field overflow")
	if precision-scale > 0 {
		return e.WithDetail("A field with precision " + strconv.Itoa(int(precision)) + ", scale " + strconv.Itoa(int(scale)) +
			" must round to an absolute value less than 10^" + strconv.Itoa(int(precision-scale)) + ".")
	}
	return e.WithDetail("A field with precision " + strconv.Itoa(int(precision)) + ", scale " + strconv.Itoa(int(scale)) +
		" must round to an absolute value less than 1.")
}

// ParseBytea reads a bytea value written as text, as PostgreSQL's byteain
// does (the hex format \x0102 or the escape format).
func ParseBytea(s string) ([]byte, error) { return parseBytea(s) }

// parseBytea reads bytea as byteain does: \x followed by hex digit pairs
// (whitespace allowed between pairs), or the escape format.
func parseBytea(s string) ([]byte, error) {
	if strings.HasPrefix(s, `\x`) {
		out := make([]byte, 0, (len(s)-2)/2)
		for p := 2; p < len(s); {
			if isSpace(s[p]) {
				p++
				continue
			}
			hi, ok := unhex(s[p])
			if !ok {
				return nil, pgerror.New(pgerror.InvalidParameterValue, "invalid hexadecimal digit: \"%s\"", s[p:p+1])
			}
			if p+1 >= len(s) {
				return nil, pgerror.New(pgerror.InvalidParameterValue, "invalid hexadecimal data: odd number of digits")
			}
			lo, ok := unhex(s[p+1])
			if !ok {
				return nil, pgerror.New(pgerror.InvalidParameterValue, "invalid hexadecimal digit: \"%s\"", s[p+1:p+2])
			}
			out = append(out, hi<<4|lo)
			p += 2
		}
		return out, nil
	}
	out := make([]byte, 0, len(s))
	for p := 0; p < len(s); {
		c := s[p]
		if c != '\\' {
			out = append(out, c)
			p++
			continue
		}
		switch {
		case p+1 < len(s) && s[p+1] == '\\':
			out = append(out, '\\')
			p += 2
		case p+3 < len(s) && isOctal03(s[p+1]) && isOctal(s[p+2]) && isOctal(s[p+3]):
			out = append(out, (s[p+1]-'0')<<6|(s[p+2]-'0')<<3|(s[p+3]-'0'))
			p += 4
		default:
			return nil, pgerror.New(pgerror.InvalidTextRepresentation, "invalid input syntax for type bytea")
		}
	}
	return out, nil
}

func isOctal(c byte) bool   { return c >= '0' && c <= '7' }
func isOctal03(c byte) bool { return c >= '0' && c <= '3' }
