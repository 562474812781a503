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

// appendJSONB appends v, a JSON text, in jsonb's normal form. A value
// already in it (as PostgreSQL sends jsonb) is copied without allocating.
func appendJSONB(dst, v []byte) []byte {
	if c := (normalChecker{s: v}); c.value(0) && c.i == len(v) {
		return append(dst, v...)
	}
	p := jsonParser{s: v}
	p.space()
	val, ok := p.value(0)
	p.space()
	if !ok || p.i != len(p.s) {
		return append(dst, v...)
	}
	return val.append(dst)
}

// jsonValue is a parsed JSON value: text is a string's characters, a
// number's or a literal's normal text.
type jsonValue struct {
	kind  byte // '{', '[', '"', '0' (number), 'l' (true, false, null)
	text  []byte
	keys  [][]byte
	items []jsonValue
}

func (v *jsonValue) append(dst []byte) []byte {
	switch v.kind {
	case '{':
		dst = append(dst, '{')
		for i := range v.items {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = appendJSONString(dst, v.keys[i])
			dst = append(dst, ": "...)
			dst = v.items[i].append(dst)
		}
		return append(dst, '}')
	case '[':
		dst = append(dst, '[')
		for i := range v.items {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = v.items[i].append(dst)
		}
		return append(dst, ']')
	case '"':
		return appendJSONString(dst, v.text)
	}
	return append(dst, v.text...)
}

// appendJSONString appends s as PostgreSQL's escape_json writes it.
func appendJSONString(dst, s []byte) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for _, c := range s {
		switch c {
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
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

// maxJSONDepth bounds the nesting the parser follows (PostgreSQL's own
// limit is the stack's).
const maxJSONDepth = 10000

type jsonParser struct {
	s []byte
	i int
}

func (p *jsonParser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (jsonValue, bool) {
	if p.i >= len(p.s) || depth > maxJSONDepth {
		return jsonValue{}, false
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		p.i++
		v := jsonValue{kind: '['}
		p.space()
		if p.i < len(p.s) && p.s[p.i] == ']' {
			p.i++
			return v, true
		}
		for {
			p.space()
			item, ok := p.value(depth + 1)
			if !ok {
				return v, false
			}
			v.items = append(v.items, item)
			p.space()
			if p.i >= len(p.s) {
				return v, false
			}
			p.i++
			switch p.s[p.i-1] {
			case ',':
			case ']':
				return v, true
			default:
				return v, false
			}
		}
	case c == '"':
		s, ok := p.str()
		return jsonValue{kind: '"', text: s}, ok
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	}
	for _, lit := range []string{"true", "false", "null"} {
		if bytes.HasPrefix(p.s[p.i:], []byte(lit)) {
			p.i += len(lit)
			return jsonValue{kind: 'l', text: []byte(lit)}, true
		}
	}
	return jsonValue{}, false
}

// object parses an object and puts its keys in jsonb's order, keeping of
// a key given more than once the last value.
func (p *jsonParser) object(depth int) (jsonValue, bool) {
	p.i++
	v := jsonValue{kind: '{'}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return v, true
	}
	for {
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return v, false
		}
		k, ok := p.str()
		if !ok {
			return v, false
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return v, false
		}
		p.i++
		p.space()
		item, ok := p.value(depth + 1)
		if !ok {
			return v, false
		}
		v.keys, v.items = append(v.keys, k), append(v.items, item)
		p.space()
		if p.i >= len(p.s) {
			return v, false
		}
		p.i++
		switch p.s[p.i-1] {
		case ',':
			continue
		case '}':
		default:
			return v, false
		}
		break
	}
	order := make([]int, len(v.keys))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		ka, kb := v.keys[a], v.keys[b]
		if len(ka) != len(kb) {
			return len(ka) - len(kb)
		}
		return bytes.Compare(ka, kb)
	})
	keys, items := make([][]byte, 0, len(order)), make([]jsonValue, 0, len(order))
	for j, i := range order {
		if j+1 < len(order) && bytes.Equal(v.keys[i], v.keys[order[j+1]]) {
			continue // a later value of the same key wins
		}
		keys, items = append(keys, v.keys[i]), append(items, v.items[i])
	}
	v.keys, v.items = keys, items
	return v, true
}

// str parses a string and returns its characters, escapes decoded.
func (p *jsonParser) str() ([]byte, bool) {
	p.i++
	start := p.i
	for p.i < len(p.s) && p.s[p.i] != '"' && p.s[p.i] != '\\' {
		p.i++
	}
	if p.i < len(p.s) && p.s[p.i] == '"' {
		p.i++
		return p.s[start : p.i-1], true
	}
	out := append([]byte(nil), p.s[start:p.i]...)
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		switch {
		case c == '"':
			return out, true
		case c != '\\':
			out = append(out, c)
			continue
		}
		if p.i >= len(p.s) {
			return nil, false
		}
		e := p.s[p.i]
		p.i++
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return nil, false
			}
			if utf16.IsSurrogate(r) {
				if p.i+1 >= len(p.s) || p.s[p.i] != '\\' || p.s[p.i+1] != 'u' {
					return nil, false
				}
				p.i += 2
				r2, ok := p.hex4()
				if !ok {
					return nil, false
				}
				if r = utf16.DecodeRune(r, r2); r == utf8.RuneError {
					return nil, false
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return nil, false
		}
	}
	return nil, false
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.i+4 > len(p.s) {
		return 0, false
	}
	var r rune
	for _, c := range p.s[p.i : p.i+4] {
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
	p.i += 4
	return r, true
}

// maxJSONExponent bounds the exponents normalized; numeric refuses far
// smaller ones.
const maxJSONExponent = 100000

// number parses a number and gives it numeric's text: the digits with the
// exponent applied, as many decimals as were written less the exponent,
// no sign on zero.
func (p *jsonParser) number() (jsonValue, bool) {
	s, start := p.s, p.i
	neg := s[p.i] == '-'
	if neg {
		p.i++
	}
	digits := func() []byte {
		b := p.i
		for p.i < len(s) && s[p.i] >= '0' && s[p.i] <= '9' {
			p.i++
		}
		return s[b:p.i]
	}
	whole := digits()
	if len(whole) == 0 || len(whole) > 1 && whole[0] == '0' {
		return jsonValue{}, false
	}
	var frac []byte
	if p.i < len(s) && s[p.i] == '.' {
		p.i++
		if frac = digits(); len(frac) == 0 {
			return jsonValue{}, false
		}
	}
	exp := 0
	if p.i < len(s) && (s[p.i] == 'e' || s[p.i] == 'E') {
		p.i++
		eneg := false
		if p.i < len(s) && (s[p.i] == '+' || s[p.i] == '-') {
			eneg = s[p.i] == '-'
			p.i++
		}
		e := digits()
		if len(e) == 0 {
			return jsonValue{}, false
		}
		for _, c := range e {
			if exp = exp*10 + int(c-'0'); exp > maxJSONExponent {
				return jsonValue{kind: '0', text: s[start:p.i]}, true
			}
		}
		if eneg {
			exp = -exp
		}
	}
	all := append(append([]byte(nil), whole...), frac...)
	point := len(whole) + exp
	scale := max(len(frac)-exp, 0)
	digit := func(i int) byte {
		if i < 0 || i >= len(all) {
			return '0'
		}
		return all[i]
	}
	var out []byte
	if neg && bytes.ContainsFunc(all, func(r rune) bool { return r != '0' }) {
		out = append(out, '-')
	}
	lead := true
	for i := 0; i < point; i++ {
		if d := digit(i); d != '0' || !lead {
			out, lead = append(out, d), false
		}
	}
	if lead {
		out = append(out, '0')
	}
	if scale > 0 {
		out = append(out, '.')
		for i := point; i < point+scale; i++ {
			out = append(out, digit(i))
		}
	}
	return jsonValue{kind: '0', text: out}, true
}

// normalChecker reports whether a JSON text is in jsonb's normal form, as
// far as it can tell without decoding: an object key with an escape in
// it, whose order needs the decoded characters, counts as not.
type normalChecker struct {
	s []byte
	i int
}

func (c *normalChecker) eat(lit string) bool {
	if len(c.s)-c.i < len(lit) || string(c.s[c.i:c.i+len(lit)]) != lit {
		return false
	}
	c.i += len(lit)
	return true
}

func (c *normalChecker) value(depth int) bool {
	if c.i >= len(c.s) || depth > maxJSONDepth {
		return false
	}
	switch ch := c.s[c.i]; {
	case ch == '{':
		c.i++
		if c.eat("}") {
			return true
		}
		var prev []byte
		for first := true; ; first = false {
			start := c.i
			if !c.str() || bytes.IndexByte(c.s[start:c.i], '\\') >= 0 {
				return false
			}
			key := c.s[start+1 : c.i-1]
			if !first && (len(key) < len(prev) || len(key) == len(prev) && bytes.Compare(key, prev) <= 0) {
				return false
			}
			prev = key
			if !c.eat(": ") || !c.value(depth+1) {
				return false
			}
			if c.eat("}") {
				return true
			}
			if !c.eat(", ") {
				return false
			}
		}
	case ch == '[':
		c.i++
		if c.eat("]") {
			return true
		}
		for {
			if !c.value(depth + 1) {
				return false
			}
			if c.eat("]") {
				return true
			}
			if !c.eat(", ") {
				return false
			}
		}
	case ch == '"':
		return c.str()
	case ch == '-' || ch >= '0' && ch <= '9':
		return c.number()
	}
	return c.eat("true") || c.eat("false") || c.eat("null")
}

// str checks a string written as escape_json writes it.
func (c *normalChecker) str() bool {
	c.i++
	for c.i < len(c.s) {
		ch := c.s[c.i]
		c.i++
		switch {
		case ch == '"':
			return true
		case ch < ' ':
			return false
		case ch != '\\':
			continue
		}
		if c.i >= len(c.s) {
			return false
		}
		e := c.s[c.i]
		c.i++
		switch e {
		case '"', '\\', 'b', 'f', 'n', 'r', 't':
		case 'u':
			// Only a control character without a short escape.
			if len(c.s)-c.i < 4 || c.s[c.i] != '0' || c.s[c.i+1] != '0' || c.s[c.i+2] > '1' || c.s[c.i+2] < '0' {
				return false
			}
			h := c.s[c.i+3]
			if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f') {
				return false
			}
			switch r := (c.s[c.i+2]-'0')<<4 | hexValue(h); r {
			case '\b', '\f', '\n', '\r', '\t':
				return false
			}
			c.i += 4
		default:
			return false
		}
	}
	return false
}

func hexValue(h byte) byte {
	if h <= '9' {
		return h - '0'
	}
	return h - 'a' + 10
}

// number checks a number written as numeric prints it: no exponent, no
// leading zeros, no sign on zero.
func (c *normalChecker) number() bool {
	neg := c.eat("-")
	start, nonzero := c.i, false
	for c.i < len(c.s) && c.s[c.i] >= '0' && c.s[c.i] <= '9' {
		nonzero = nonzero || c.s[c.i] != '0'
		c.i++
	}
	if n := c.i - start; n == 0 || n > 1 && c.s[start] == '0' {
		return false
	}
	if c.eat(".") {
		f := c.i
		for c.i < len(c.s) && c.s[c.i] >= '0' && c.s[c.i] <= '9' {
			nonzero = nonzero || c.s[c.i] != '0'
			c.i++
		}
		if c.i == f {
			return false
		}
	}
	if c.i < len(c.s) && (c.s[c.i] == 'e' || c.s[c.i] == 'E') {
		return false
	}
	return !neg || nonzero
}
