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
	e := pgerror.New(pgerror.InvalidTextRepresentation, "malformed array literal: \"%s\"", s)
	if detail != "" {
		e = e.WithDetail(detail)
	}
	return e
}

func errTooManyDims(n int) error {
	return pgerror.New(pgerror.ProgramLimitExceeded, "number of array dimensions (%d) exceeds the maximum allowed (%d)", n, maxDims)
}

// parseArrayText reads an array literal as PostgreSQL 15's array_in does
// (arrayfuncs.c), with the comma delimiter and with its errors and their
// DETAILs: optional [lb:ub] dimension decorations (checked against the
// contents, then dropped), then the braces, counted by arrayCount and read
// by readElements. Elements are double-quoted or bare, with backslash
// escapes; an unquoted NULL is a null element.
func parseArrayText(s string) (*pgArray, error) {
	p := 0
	var declared, lbs []int
	for {
		for p < len(s) && isSpace(s[p]) {
			p++
		}
		if p >= len(s) || s[p] != '[' {
			break
		}
		p++
		if len(declared) >= maxDims {
			return nil, errTooManyDims(len(declared) + 1)
		}
		q := boundEnd(s, p)
		if q == p {
			return nil, errMalformedArray(s, "\"[\" must introduce explicitly-specified array dimensions.")
		}
		lb := 1
		if q < len(s) && s[q] == ':' {
			lb = atoi(s[p:q])
			p = q + 1
			if q = boundEnd(s, p); q == p {
				return nil, errMalformedArray(s, "Missing array dimension value.")
			}
		}
		if q >= len(s) || s[q] != ']' {
			return nil, errMalformedArray(s, "Missing \"]\" after array dimensions.")
		}
		ub := atoi(s[p:q])
		p = q + 1
		if ub < lb {
			return nil, pgerror.New(pgerror.ArraySubscriptError, "upper bound cannot be less than lower bound")
		}
		declared = append(declared, int(int32(ub-lb+1)))
		lbs = append(lbs, lb)
	}
	var dims []int
	if len(declared) == 0 {
		if p >= len(s) || s[p] != '{' {
			return nil, errMalformedArray(s, "Array value must start with \"{\" or dimension information.")
		}
		d, err := arrayCount(s, p)
		if err != nil {
			return nil, err
		}
		dims = d
	} else {
		if p >= len(s) || s[p] != '=' {
			return nil, errMalformedArray(s, "Missing \"=\" after array dimensions.")
		}
		p++
		for p < len(s) && isSpace(s[p]) {
			p++
		}
		if p >= len(s) || s[p] != '{' {
			return nil, errMalformedArray(s, "Array contents must start with \"{\".")
		}
		d, err := arrayCount(s, p)
		if err != nil {
			return nil, err
		}
		if len(d) != len(declared) {
			return nil, errMalformedArray(s, "Specified array dimensions do not match array contents.")
		}
		for i := range d {
			if d[i] != declared[i] {
				return nil, errMalformedArray(s, "Specified array dimensions do not match array contents.")
			}
		}
		dims = d
	}
	n := 1
	for _, d := range dims {
		n *= d
		if n > maxArraySize {
			return nil, pgerror.New(pgerror.ProgramLimitExceeded, "array size exceeds the maximum allowed (%d)", maxArraySize)
		}
	}
	for i, lb := range lbs {
		// ArrayCheckBounds: the upper bound must fit an int4.
		if lb+dims[i] > 1<<31-1 {
			return nil, pgerror.New(pgerror.ProgramLimitExceeded, "array lower bound is too large: %d", lb)
		}
	}
	a := &pgArray{dims: dims}
	if len(dims) == 0 || n == 0 {
		// An empty array; array_in also makes one of braces that
		// arrayCount finds a dimension of length 0 in ('{{{1}},{2}}').
		a.dims = nil
		return a, nil
	}
	elems, err := readElements(s, p, dims, n)
	if err != nil {
		return nil, err
	}
	a.elems = elems
	return a, nil
}

// maxArraySize is PostgreSQL's MaxArraySize: the most elements an array
// may have.
const maxArraySize = 0x3fffffff / 8

// boundEnd returns the end of the run of digits and signs that array_in
// takes as a dimension bound, starting at p.
func boundEnd(s string, p int) int {
	for p < len(s) && (s[p] >= '0' && s[p] <= '9' || s[p] == '-' || s[p] == '+') {
		p++
	}
	return p
}

// atoi is C's atoi as glibc has it: (int)strtol(s, NULL, 10), which reads
// an optional sign and the digits after it, clamps to the range of a long
// and keeps the low 32 bits.
func atoi(s string) int {
	neg := false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var v uint64
	overflow := false
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		v = v*10 + uint64(s[i]-'0')
		if v > 1<<63 {
			overflow = true
			break
		}
	}
	var l int64
	switch {
	case neg && (overflow || v >= 1<<63):
		l = -1 << 63
	case overflow || v >= 1<<63:
		l = 1<<63 - 1
	case neg:
		l = -int64(v)
	default:
		l = int64(v)
	}
	return int(int32(l))
}

// The states of arrayCount, as ArrayParseState in arrayfuncs.c.
const (
	arrayNoLevel = iota
	arrayLevelStarted
	arrayElemStarted
	arrayElemCompleted
	arrayQuotedElemStarted
	arrayQuotedElemCompleted
	arrayElemDelimited
	arrayLevelCompleted
	arrayLevelDelimited
)

// arrayCount checks the braces of an array literal from s[start], a '{',
// and returns its dimensions, none for an empty array: ArrayCount in
// PostgreSQL 15's arrayfuncs.c, whose checks give the DETAIL of each
// "malformed array literal". Its messages quote the literal from the
// brace on, without the dimension decorations, as ArrayCount's do.
func arrayCount(s string, start int) ([]int, error) {
	var temp, nelems, nelemsLast [maxDims]int
	for i := range nelems {
		nelems[i] = 1
	}
	nest, ndim := 0, 1
	inQuotes, empty := false, true
	state := arrayNoLevel
	p := start
	str := s[start:] // what array_in's messages quote: ArrayCount's own argument
	for eoArray := false; !eoArray; {
		for itemDone := false; !itemDone; {
			if state == arrayElemStarted || state == arrayQuotedElemStarted {
				empty = false
			}
			if p >= len(s) {
				return nil, errMalformedArray(str, "Unexpected end of input.")
			}
			switch c := s[p]; c {
			case '\\':
				if state != arrayLevelStarted && state != arrayElemStarted &&
					state != arrayQuotedElemStarted && state != arrayElemDelimited {
					return nil, errMalformedArray(str, "Unexpected \"\\\" character.")
				}
				if state != arrayQuotedElemStarted {
					state = arrayElemStarted
				}
				if p+1 >= len(s) {
					return nil, errMalformedArray(str, "Unexpected end of input.")
				}
				p++
			case '"':
				if state != arrayLevelStarted && state != arrayQuotedElemStarted && state != arrayElemDelimited {
					return nil, errMalformedArray(str, "Unexpected array element.")
				}
				inQuotes = !inQuotes
				if inQuotes {
					state = arrayQuotedElemStarted
				} else {
					state = arrayQuotedElemCompleted
				}
			case '{':
				if inQuotes {
					break
				}
				if state != arrayNoLevel && state != arrayLevelStarted && state != arrayLevelDelimited {
					return nil, errMalformedArray(str, "Unexpected \"{\" character.")
				}
				state = arrayLevelStarted
				if nest >= maxDims {
					return nil, errTooManyDims(nest + 1)
				}
				temp[nest] = 0
				nest++
				ndim = max(ndim, nest)
			case '}':
				if inQuotes {
					break
				}
				if state != arrayElemStarted && state != arrayElemCompleted && state != arrayQuotedElemCompleted &&
					state != arrayLevelCompleted && !(nest == 1 && state == arrayLevelStarted) {
					return nil, errMalformedArray(str, "Unexpected \"}\" character.")
				}
				state = arrayLevelCompleted
				if nest == 0 {
					return nil, errMalformedArray(str, "Unmatched \"}\" character.")
				}
				nest--
				if nelemsLast[nest] != 0 && nelems[nest] != nelemsLast[nest] {
					return nil, errMalformedArray(str, "Multidimensional arrays must have sub-arrays with matching dimensions.")
				}
				nelemsLast[nest] = nelems[nest]
				nelems[nest] = 1
				if nest == 0 {
					eoArray, itemDone = true, true
				} else {
					temp[nest-1]++
				}
			default:
				if inQuotes {
					break
				}
				if c == ',' {
					if state != arrayElemStarted && state != arrayElemCompleted &&
						state != arrayQuotedElemCompleted && state != arrayLevelCompleted {
						return nil, errMalformedArray(str, "Unexpected \",\" character.")
					}
					if state == arrayLevelCompleted {
						state = arrayLevelDelimited
					} else {
						state = arrayElemDelimited
					}
					itemDone = true
					nelems[nest-1]++
				} else if !isSpace(c) {
					if state != arrayLevelStarted && state != arrayElemStarted && state != arrayElemDelimited {
						return nil, errMalformedArray(str, "Unexpected array element.")
					}
					state = arrayElemStarted
				}
			}
			if !itemDone {
				p++
			}
		}
		temp[ndim-1]++
		p++
	}
	for ; p < len(s); p++ {
		if !isSpace(s[p]) {
			return nil, errMalformedArray(str, "Junk after closing right brace.")
		}
	}
	if empty {
		return nil, nil
	}
	return append([]int(nil), temp[:ndim]...), nil
}

// readElements reads the n elements of an array literal that arrayCount
// accepted, from s[start], into their places in row-major order:
// ReadArrayStr in PostgreSQL 15's arrayfuncs.c. Places no element fills
// stay NULL, as there.
func readElements(s string, start int, dims []int, n int) ([]*string, error) {
	ndim := len(dims)
	var indx, prod [maxDims]int
	prod[ndim-1] = 1
	for i := ndim - 2; i >= 0; i-- {
		prod[i] = prod[i+1] * dims[i+1]
	}
	offset := func() int {
		o := 0
		for i := range ndim {
			o += indx[i] * prod[i]
		}
		return o
	}
	elems := make([]*string, n)
	nest := 0
	inQuotes := false
	var b strings.Builder
	p := start
	for eoArray := false; !eoArray; {
		i := -1
		leading, quoted := true, false
		b.Reset()
		end := 0 // length of b without trailing unquoted whitespace
		for itemDone := false; !itemDone; {
			if p >= len(s) {
				return nil, errMalformedArray(s, "")
			}
			switch c := s[p]; {
			case c == '\\':
				p++
				if p >= len(s) {
					return nil, errMalformedArray(s, "")
				}
				b.WriteByte(s[p])
				p++
				leading, quoted = false, true
				end = b.Len()
			case c == '"':
				inQuotes = !inQuotes
				if inQuotes {
					leading = false
				} else {
					end = b.Len()
				}
				quoted = true
				p++
			case c == '{' && !inQuotes:
				if nest >= ndim {
					return nil, errMalformedArray(s, "")
				}
				nest++
				indx[nest-1] = 0
				p++
			case c == '}' && !inQuotes:
				if nest == 0 {
					return nil, errMalformedArray(s, "")
				}
				if i == -1 {
					i = offset()
				}
				indx[nest-1] = 0
				nest--
				if nest == 0 {
					eoArray, itemDone = true, true
				} else {
					indx[nest-1]++
				}
				p++
			case inQuotes:
				b.WriteByte(c)
				p++
			case c == ',':
				if i == -1 {
					i = offset()
				}
				itemDone = true
				indx[ndim-1]++
				p++
			case isSpace(c):
				if !leading {
					b.WriteByte(c)
				}
				p++
			default:
				b.WriteByte(c)
				p++
				leading = false
				end = b.Len()
			}
		}
		if i < 0 || i >= n {
			return nil, errMalformedArray(s, "")
		}
		v := b.String()[:end]
		if !quoted && strings.EqualFold(v, "NULL") {
			elems[i] = nil
		} else {
			elems[i] = &v
		}
	}
	return elems, nil
}

// ParseArrayLiteral reads a PostgreSQL array literal ('{1,2}',
// '{{a,"b c"},{NULL,d}}', '[0:1]={x,y}') as array_in does, and returns
// its dimensions (none for an empty array) and its elements in row-major
// order, nil for NULL. A malformed literal gives array_in's error: 22P02
// with the same DETAIL, or 2202E for bounds in the wrong order.
func ParseArrayLiteral(s string) (dims []int, elems []*string, err error) {
	a, err := parseArrayText(s)
	if err != nil {
		return nil, nil, err
	}
	return a.dims, a.elems, nil
}
