package types

import (
	"strings"

	"github.com/quiverdb/quiver/pgerror"
)

// pgArray is a parsed array literal: its dimensions (none for an empty
// array) and its elements in row-major order, nil for NULL.
type pgArray struct {
	dims  []int
	elems []*string
}

func errMalformedArray(s, detail string) error {
	return pgerror.New(pgerror.InvalidTextRepresentation, "malformed array literal: \"%s\"", s).WithDetail(detail)
}

// parseArrayText reads an array literal as array_in does (with the comma
// delimiter): optional [lb:ub] dimension decorations, nested braces,
// double-quoted or bare elements with backslash escapes, and unquoted NULL.
// Lower bounds are checked for consistency and then dropped.
func parseArrayText(s string) (*pgArray, error) {
	p := &arrayParser{src: s, s: s}
	var declared []int
	p.skipSpace()
	for p.peek() == '[' {
		p.pos++
		lb, ub, ok := p.bounds()
		if !ok {
			return nil, errMalformedArray(s, "\"[\" must introduce explicitly-specified array dimensions.")
		}
		declared = append(declared, ub-lb+1)
		p.skipSpace()
	}
	if len(declared) > 0 {
		if p.peek() != '=' {
			return nil, errMalformedArray(s, "Missing \"=\" after array dimensions.")
		}
		p.pos++
		p.skipSpace()
	}
	if p.peek() != '{' {
		return nil, errMalformedArray(s, "Array value must start with \"{\" or dimension information.")
	}
	a := &pgArray{}
	if err := p.level(a, 0); err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(p.s) {
		return nil, errMalformedArray(s, "Junk after closing right brace.")
	}
	if len(declared) > 0 {
		if len(declared) != len(a.dims) {
			return nil, errMalformedArray(s, "Specified array dimensions do not match array contents.")
		}
		for i := range declared {
			if declared[i] != a.dims[i] {
				return nil, errMalformedArray(s, "Specified array dimensions do not match array contents.")
			}
		}
	}
	if len(a.dims) > maxDims {
		return nil, pgerror.New(pgerror.ProgramLimitExceeded, "number of array dimensions (%d) exceeds the maximum allowed (%d)", len(a.dims), maxDims)
	}
	return a, nil
}

type arrayParser struct {
	src string // for messages
	s   string
	pos int
	// leafDepth is the depth at which elements were found, -1 until known.
	leafDepth int
	seenLeaf  bool
}

func (p *arrayParser) peek() byte {
	if p.pos < len(p.s) {
		return p.s[p.pos]
	}
	return 0
}

func (p *arrayParser) skipSpace() {
	for p.pos < len(p.s) && isSpace(p.s[p.pos]) {
		p.pos++
	}
}

func (p *arrayParser) bounds() (lb, ub int, ok bool) {
	num := func() (int, bool) {
		neg := false
		if p.peek() == '-' || p.peek() == '+' {
			neg = p.peek() == '-'
			p.pos++
		}
		v, rest, ok := scanDigits(p.s[p.pos:], 10)
		p.pos = len(p.s) - len(rest)
		if neg {
			v = -v
		}
		return v, ok
	}
	lb = 1
	v, ok := num()
	if !ok {
		return 0, 0, false
	}
	if p.peek() == ':' {
		p.pos++
		lb = v
		if v, ok = num(); !ok {
			return 0, 0, false
		}
	}
	if p.peek() != ']' || v < lb-1 {
		return 0, 0, false
	}
	p.pos++
	return lb, v, true
}

// level parses one brace-enclosed level at depth d (p.pos is at '{').
func (p *arrayParser) level(a *pgArray, d int) error {
	p.pos++ // '{'
	if d >= maxDims {
		return pgerror.New(pgerror.ProgramLimitExceeded, "number of array dimensions (%d) exceeds the maximum allowed (%d)", d+1, maxDims)
	}
	count := 0
	p.skipSpace()
	if p.peek() == '}' {
		p.pos++
		if d > 0 || p.seenLeaf {
			return errMalformedArray(p.src, "Unexpected \"}\" character.")
		}
		return nil
	}
	for {
		p.skipSpace()
		if p.peek() == '{' {
			if p.seenLeaf && p.leafDepth == d {
				return errMalformedArray(p.src, "Unexpected \"{\" character.")
			}
			if err := p.level(a, d+1); err != nil {
				return err
			}
		} else {
			if p.seenLeaf && p.leafDepth != d {
				return errMalformedArray(p.src, "Multidimensional arrays must have sub-arrays with matching dimensions.")
			}
			p.seenLeaf, p.leafDepth = true, d
			v, err := p.element()
			if err != nil {
				return err
			}
			a.elems = append(a.elems, v)
		}
		count++
		p.skipSpace()
		switch p.peek() {
		case ',':
			p.pos++
			continue
		case '}':
			p.pos++
		case 0:
			return errMalformedArray(p.src, "Unexpected end of input.")
		default:
			return errMalformedArray(p.src, "Unexpected array element.")
		}
		break
	}
	for len(a.dims) <= d {
		a.dims = append(a.dims, -1)
	}
	if a.dims[d] == -1 {
		a.dims[d] = count
	} else if a.dims[d] != count {
		return errMalformedArray(p.src, "Multidimensional arrays must have sub-arrays with matching dimensions.")
	}
	return nil
}

// element reads one element up to (not including) the next ',' or '}'.
func (p *arrayParser) element() (*string, error) {
	var b strings.Builder
	if p.peek() == '"' {
		p.pos++
		for {
			c := p.peek()
			switch {
			case c == 0:
				return nil, errMalformedArray(p.src, "Unexpected end of input.")
			case c == '\\':
				p.pos++
				if p.pos >= len(p.s) {
					return nil, errMalformedArray(p.src, "Unexpected end of input.")
				}
				b.WriteByte(p.s[p.pos])
			case c == '"':
				p.pos++
				v := b.String()
				return &v, nil
			default:
				b.WriteByte(c)
			}
			p.pos++
		}
	}
	escaped, trailing := false, 0 // trailing: unescaped whitespace at the end
	for {
		c := p.peek()
		switch {
		case c == 0:
			return nil, errMalformedArray(p.src, "Unexpected end of input.")
		case c == ',' || c == '}':
			v := b.String()
			v = v[:len(v)-trailing]
			if v == "" {
				return nil, errMalformedArray(p.src, "Unexpected \""+string(c)+"\" character.")
			}
			if !escaped && strings.EqualFold(v, "NULL") {
				return nil, nil
			}
			return &v, nil
		case c == '\\':
			p.pos++
			if p.pos >= len(p.s) {
				return nil, errMalformedArray(p.src, "Unexpected end of input.")
			}
			b.WriteByte(p.s[p.pos])
			escaped, trailing = true, 0
		case c == '"':
			return nil, errMalformedArray(p.src, "Unexpected array element.")
		case c == '{':
			return nil, errMalformedArray(p.src, "Unexpected \"{\" character.")
		case isSpace(c):
			b.WriteByte(c)
			trailing++
		default:
			b.WriteByte(c)
			trailing = 0
		}
		p.pos++
	}
}

// ParseArrayLiteral reads a PostgreSQL array literal ('{1,2}',
// '{{a,"b c"},{NULL,d}}', '[0:1]={x,y}') as array_in does, and returns
// its dimensions (none for an empty array) and its elements in row-major
// order, nil for NULL. A malformed literal gives array_in's 22P02.
func ParseArrayLiteral(s string) (dims []int, elems []*string, err error) {
	a, err := parseArrayText(s)
	if err != nil {
		return nil, nil, err
	}
	return a.dims, a.elems, nil
}
