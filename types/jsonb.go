package types

import (
	"bytes"
	"slices"
	"unicode/utf16"
	"unicode/utf8"
)

// PostgreSQL prints a jsonb value in a normal form, where an engine with
// one JSON type (DuckDB) keeps the text as it was written: an object's
// keys ordered by length and then bytes, of a key given more than once
// only the last, ", " between items and ": " after a key, numbers as
// numeric prints them (1e2 is 100, 1.50 stays 1.50), strings with their
// escapes decoded and written again as PostgreSQL writes them. A value
// that does not parse as JSON is left as it is.
//
// The writer streams the value into the row buffer: arrays, strings and
// numbers are written as they are read; an object's entries are noted
// (key decoded, value's extent), ordered, and their values written from
// the source. Its scratch space is kept by the column's node, so that a
// row costs no allocation once the buffers have grown.

// jsonbWriter writes JSON texts in jsonb's normal form.
type jsonbWriter struct {
	entries []jsonEntry // the objects being written, innermost last
	arena   []byte      // their decoded keys, and a string being decoded
}

// jsonEntry is an object's entry: its key, decoded, at arena[k0:k1], and
// its value at [v0, v1) of the source.
type jsonEntry struct{ k0, k1, v0, v1 int }

// maxJSONDepth bounds the nesting followed (PostgreSQL's own limit is the
// stack's).
const maxJSONDepth = 10000

// maxJSONExponent bounds the exponents normalized; numeric refuses far
// smaller ones.
const maxJSONExponent = 100000

// appendJSONB appends v, a JSON text, in jsonb's normal form.
func (w *jsonbWriter) appendJSONB(dst, v []byte) []byte {
	w.entries, w.arena = w.entries[:0], w.arena[:0]
	start := len(dst)
	out, i, ok := w.value(dst, v, jsonSpace(v, 0), 0)
	if !ok || jsonSpace(v, i) != len(v) {
		return append(dst[:start], v...)
	}
	return out
}

// jsonSpace skips JSON whitespace from i.
func jsonSpace(s []byte, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// value writes the value at s[i:] and returns the place after it.
func (w *jsonbWriter) value(dst, s []byte, i, depth int) ([]byte, int, bool) {
	if i >= len(s) || depth > maxJSONDepth {
		return dst, i, false
	}
	switch c := s[i]; {
	case c == '{':
		return w.object(dst, s, i, depth)
	case c == '[':
		dst = append(dst, '[')
		i = jsonSpace(s, i+1)
		if i < len(s) && s[i] == ']' {
			return append(dst, ']'), i + 1, true
		}
		for first := true; ; first = false {
			if !first {
				dst = append(dst, ", "...)
			}
			var ok bool
			if dst, i, ok = w.value(dst, s, jsonSpace(s, i), depth+1); !ok {
				return dst, i, false
			}
			more, end, ok := jsonNext(s, i, ']')
			if !ok || !more {
				return append(dst, ']'), end, ok
			}
			i = end
		}
	case c == '"':
		k0 := len(w.arena)
		end, ok := w.decodeString(s, i)
		dst = appendJSONString(dst, w.arena[k0:])
		w.arena = w.arena[:k0]
		return dst, end, ok
	case c == '-' || c >= '0' && c <= '9':
		return appendJSONNumber(dst, s, i)
	}
	for _, lit := range [...]string{"true", "false", "null"} {
		if len(s)-i >= len(lit) && string(s[i:i+len(lit)]) == lit {
			return append(dst, lit...), i + len(lit), true
		}
	}
	return dst, i, false
}

// jsonNext reads what follows an item of an array or object at s[i:]: a
// comma (more, at the place after it) or close (the place after it).
func jsonNext(s []byte, i int, close byte) (more bool, end int, ok bool) {
	i = jsonSpace(s, i)
	if i >= len(s) {
		return false, i, false
	}
	switch s[i] {
	case ',':
		return true, jsonSpace(s, i+1), true
	case close:
		return false, i + 1, true
	}
	return false, i, false
}

// object writes the object at s[i:] with its keys in jsonb's order,
// keeping of a key given more than once the last value.
func (w *jsonbWriter) object(dst, s []byte, i, depth int) ([]byte, int, bool) {
	i = jsonSpace(s, i+1)
	if i < len(s) && s[i] == '}' {
		return append(dst, "{}"...), i + 1, true
	}
	base, keys := len(w.entries), len(w.arena)
	defer func() { w.entries, w.arena = w.entries[:base], w.arena[:keys] }()
	for {
		if i >= len(s) || s[i] != '"' {
			return dst, i, false
		}
		e := jsonEntry{k0: len(w.arena)}
		end, ok := w.decodeString(s, i)
		if !ok {
			return dst, end, false
		}
		e.k1 = len(w.arena)
		if i = jsonSpace(s, end); i >= len(s) || s[i] != ':' {
			return dst, i, false
		}
		e.v0 = jsonSpace(s, i+1)
		if e.v1, ok = jsonSkip(s, e.v0, depth+1); !ok {
			return dst, e.v1, false
		}
		w.entries = append(w.entries, e)
		more, end, ok := jsonNext(s, e.v1, '}')
		if !ok {
			return dst, end, false
		}
		if i = end; !more {
			break
		}
	}
	key := func(e jsonEntry) []byte { return w.arena[e.k0:e.k1] }
	slices.SortStableFunc(w.entries[base:], func(a, b jsonEntry) int {
		if d := (a.k1 - a.k0) - (b.k1 - b.k0); d != 0 {
			return d
		}
		return bytes.Compare(key(a), key(b))
	})
	dst = append(dst, '{')
	n := len(w.entries)
	for j, first := base, true; j < n; j++ {
		e := w.entries[j]
		if j+1 < n && bytes.Equal(key(e), key(w.entries[j+1])) {
			continue // a later value of the same key wins
		}
		if !first {
			dst = append(dst, ", "...)
		}
		first = false
		dst = append(appendJSONString(dst, key(e)), ": "...)
		var ok bool
		if dst, _, ok = w.value(dst, s[:e.v1], e.v0, depth+1); !ok {
			return dst, i, false
		}
	}
	return append(dst, '}'), i, true
}

// jsonSkip finds the end of the value at s[i:], checking its form.
func jsonSkip(s []byte, i, depth int) (int, bool) {
	if i >= len(s) || depth > maxJSONDepth {
		return i, false
	}
	switch c := s[i]; {
	case c == '{' || c == '[':
		close := byte('}')
		if c == '[' {
			close = ']'
		}
		i = jsonSpace(s, i+1)
		if i < len(s) && s[i] == close {
			return i + 1, true
		}
		for {
			var ok bool
			if c == '{' {
				if i, ok = jsonSkip(s, i, depth+1); !ok || s[i-1] != '"' {
					return i, false
				}
				if i = jsonSpace(s, i); i >= len(s) || s[i] != ':' {
					return i, false
				}
				i = jsonSpace(s, i+1)
			}
			if i, ok = jsonSkip(s, i, depth+1); !ok {
				return i, false
			}
			more, end, ok := jsonNext(s, i, close)
			if !ok || !more {
				return end, ok
			}
			i = end
		}
	case c == '"':
		for i++; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '"':
				return i + 1, true
			}
		}
		return i, false
	case c == '-' || c >= '0' && c <= '9':
		_, end, ok := scanJSONNumber(s, i)
		return end, ok
	}
	for _, lit := range [...]string{"true", "false", "null"} {
		if len(s)-i >= len(lit) && string(s[i:i+len(lit)]) == lit {
			return i + len(lit), true
		}
	}
	return i, false
}

// decodeString appends the characters of the string at s[i:], escapes
// decoded, to the arena, and returns the place after it.
func (w *jsonbWriter) decodeString(s []byte, i int) (int, bool) {
	for i++; i < len(s); {
		c := s[i]
		i++
		switch {
		case c == '"':
			return i, true
		case c < ' ':
			return i, false
		case c != '\\':
			w.arena = append(w.arena, c)
			continue
		}
		if i >= len(s) {
			return i, false
		}
		e := s[i]
		i++
		switch e {
		case '"', '\\', '/':
			w.arena = append(w.arena, e)
		case 'b':
			w.arena = append(w.arena, '\b')
		case 'f':
			w.arena = append(w.arena, '\f')
		case 'n':
			w.arena = append(w.arena, '\n')
		case 'r':
			w.arena = append(w.arena, '\r')
		case 't':
			w.arena = append(w.arena, '\t')
		case 'u':
			r, ok := jsonHex4(s, i)
			if !ok {
				return i, false
			}
			i += 4
			if utf16.IsSurrogate(r) {
				r2, ok := jsonHex4(s, i+2)
				if !ok || s[i] != '\\' || s[i+1] != 'u' {
					return i, false
				}
				if r = utf16.DecodeRune(r, r2); r == utf8.RuneError {
					return i, false
				}
				i += 6
			}
			w.arena = utf8.AppendRune(w.arena, r)
		default:
			return i, false
		}
	}
	return i, false
}

// jsonHex4 reads the four hexadecimal digits at s[i:].
func jsonHex4(s []byte, i int) (rune, bool) {
	if i < 0 || i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range s[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// appendJSONString appends s as PostgreSQL's escape_json writes it.
func appendJSONString(dst, s []byte) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for _, c := range s {
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			if c < ' ' {
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			} else {
				dst = append(dst, c)
			}
		}
	}
	return append(dst, '"')
}

// jsonNumber is a number's parts in its text: the whole and fraction
// digits at [w0, w1) and [f0, f1), the exponent; raw when the exponent
// is too large to apply.
type jsonNumber struct {
	neg, raw       bool
	w0, w1, f0, f1 int
	exp            int
}

// scanJSONNumber reads the number at s[i:] and returns the place after it.
func scanJSONNumber(s []byte, i int) (n jsonNumber, end int, ok bool) {
	if n.neg = s[i] == '-'; n.neg {
		i++
	}
	n.w0, n.w1 = i, jsonDigits(s, i)
	if i = n.w1; n.w1 == n.w0 || n.w1-n.w0 > 1 && s[n.w0] == '0' {
		return n, i, false
	}
	n.f0, n.f1 = i, i
	if i < len(s) && s[i] == '.' {
		n.f0, n.f1 = i+1, jsonDigits(s, i+1)
		if i = n.f1; n.f1 == n.f0 {
			return n, i, false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := i < len(s) && s[i] == '-'
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		e0, e1 := i, jsonDigits(s, i)
		if i = e1; e1 == e0 {
			return n, i, false
		}
		for _, c := range s[e0:e1] {
			if n.exp = n.exp*10 + int(c-'0'); n.exp > maxJSONExponent {
				n.raw = true
			}
		}
		if eneg {
			n.exp = -n.exp
		}
	}
	return n, i, true
}

// appendJSONNumber appends the number at s[i:] as numeric prints it: the
// digits with the exponent applied, as many decimals as were written less
// the exponent, no sign on zero; it returns the place after it.
func appendJSONNumber(dst, s []byte, i int) ([]byte, int, bool) {
	n, end, ok := scanJSONNumber(s, i)
	if !ok || n.raw {
		return append(dst, s[i:end]...), end, ok
	}
	nw, nf := n.w1-n.w0, n.f1-n.f0
	digit := func(k int) byte { // k-th of the whole and fraction digits
		switch {
		case k >= 0 && k < nw:
			return s[n.w0+k]
		case k >= nw && k < nw+nf:
			return s[n.f0+k-nw]
		}
		return '0'
	}
	point, scale := nw+n.exp, max(nf-n.exp, 0)
	if n.neg && (bytes.ContainsFunc(s[n.w0:n.w1], notZero) || bytes.ContainsFunc(s[n.f0:n.f1], notZero)) {
		dst = append(dst, '-')
	}
	lead := true
	for k := 0; k < point; k++ {
		if d := digit(k); d != '0' || !lead {
			dst, lead = append(dst, d), false
		}
	}
	if lead {
		dst = append(dst, '0')
	}
	if scale > 0 {
		dst = append(dst, '.')
		for k := point; k < point+scale; k++ {
			dst = append(dst, digit(k))
		}
	}
	return dst, end, true
}

func notZero(r rune) bool { return r != '0' }

// jsonDigits skips the digits at s[i:].
func jsonDigits(s []byte, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}
