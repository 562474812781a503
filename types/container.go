package types

import "github.com/quiverdb/quiver/pgerror"

// Arrays and records: array_out/array_send and record_out/record_send.
//
// Nested Arrow lists are the dimensions of one multidimensional PostgreSQL
// array, which must be rectangular. Like PostgreSQL's ARRAY[...]
// constructor, a NULL or empty sub-list counts as an empty sub-array, and
// when every sub-array is empty the whole value is the empty array.

func errArrayDims() error {
	return pgerror.New(pgerror.ArraySubscriptError, "multidimensional arrays must have array expressions with matching dimensions")
}

// shape computes the dimensions of the array value i of a kList node. It
// returns 0 dimensions for an empty array.
func (n *node) shape(i int, dims *[maxDims]int) (int, error) {
	start, end := n.list.ValueOffsets(i)
	count := int(end - start)
	if count == 0 {
		return 0, nil
	}
	if n.elem.kind != kList {
		dims[0] = count
		return 1, nil
	}
	var sub, d [maxDims]int
	subN := -1
	for j := int(start); j < int(end); j++ {
		k := 0
		d = [maxDims]int{}
		if !n.elem.isNull(j) {
			var err error
			if k, err = n.elem.shape(j, &d); err != nil {
				return 0, err
			}
		}
		if subN < 0 {
			subN, sub = k, d
		} else if k != subN || d != sub {
			return 0, errArrayDims()
		}
	}
	if subN == 0 {
		return 0, nil
	}
	dims[0] = count
	copy(dims[1:], sub[:subN])
	return subN + 1, nil
}

// arrayText appends array value i as array_out does.
func (n *node) arrayText(dst []byte, i int) ([]byte, error) {
	if n.elem.kind == kList {
		var dims [maxDims]int
		ndim, err := n.shape(i, &dims)
		if err != nil {
			return dst, err
		}
		if ndim == 0 {
			return append(dst, '{', '}'), nil
		}
	}
	return n.arrayTextBody(dst, i)
}

func (n *node) arrayTextBody(dst []byte, i int) ([]byte, error) {
	start, end := n.list.ValueOffsets(i)
	dst = append(dst, '{')
	var err error
	for j := int(start); j < int(end); j++ {
		if j > int(start) {
			dst = append(dst, ',')
		}
		e := n.elem
		switch {
		case e.kind == kList:
			dst, err = e.arrayTextBody(dst, j)
		case e.isNull(j):
			dst = append(dst, "NULL"...)
		default:
			p := len(dst)
			dst, err = e.text(dst, j)
			dst = quoteElement(dst, p, false)
		}
		if err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// recordText appends struct value i as record_out does.
func (n *node) recordText(dst []byte, i int) ([]byte, error) {
	dst = append(dst, '(')
	for k, f := range n.fields {
		if k > 0 {
			dst = append(dst, ',')
		}
		if f.isNull(i) {
			continue
		}
		p := len(dst)
		var err error
		if dst, err = f.text(dst, i); err != nil {
			return dst, err
		}
		dst = quoteElement(dst, p, true)
	}
	return append(dst, ')'), nil
}

// quoteElement quotes dst[p:], an element just rendered, if array_out
// (record false) or record_out (record true) would. Arrays escape '"' and
// '\' with a backslash; records double them.
func quoteElement(dst []byte, p int, record bool) []byte {
	v := dst[p:]
	need := len(v) == 0
	esc := 0
	for _, c := range v {
		switch c {
		case '"', '\\':
			need = true
			esc++
		case ' ', '\t', '\n', '\r', '\v', '\f':
			need = true
		case ',':
			need = true
		case '{', '}':
			need = need || !record
		case '(', ')':
			need = need || record
		}
	}
	if !need && !record && len(v) == 4 &&
		v[0]|0x20 == 'n' && v[1]|0x20 == 'u' && v[2]|0x20 == 'l' && v[3]|0x20 == 'l' {
		need = true
	}
	if !need {
		return dst
	}
	r := len(dst) - 1
	for k := 0; k < esc+2; k++ {
		dst = append(dst, 0)
	}
	w := len(dst) - 1
	dst[w] = '"'
	w--
	for ; r >= p; r-- {
		c := dst[r]
		dst[w] = c
		w--
		if c == '"' || c == '\\' {
			if record {
				dst[w] = c
			} else {
				dst[w] = '\\'
			}
			w--
		}
	}
	dst[w] = '"'
	return dst
}

// arrayBinary appends array value i as array_send does.
func (n *node) arrayBinary(dst []byte, i int) ([]byte, error) {
	var dims [maxDims]int
	ndim, err := n.shape(i, &dims)
	if err != nil {
		return dst, err
	}
	dst = appendInt32(dst, int32(ndim))
	flag := len(dst)
	dst = appendInt32(dst, 0)
	dst = appendInt32(dst, int32(n.leaf().oid))
	for d := 0; d < ndim; d++ {
		dst = appendInt32(dst, int32(dims[d]))
		dst = appendInt32(dst, 1)
	}
	if ndim == 0 {
		return dst, nil
	}
	hasNull := false
	if dst, err = n.arrayBinaryElems(dst, i, &hasNull); err != nil {
		return dst, err
	}
	if hasNull {
		dst[flag+3] = 1
	}
	return dst, nil
}

func (n *node) arrayBinaryElems(dst []byte, i int, hasNull *bool) ([]byte, error) {
	start, end := n.list.ValueOffsets(i)
	var err error
	for j := int(start); j < int(end); j++ {
		e := n.elem
		switch {
		case e.kind == kList:
			dst, err = e.arrayBinaryElems(dst, j, hasNull)
		case e.isNull(j):
			dst = appendInt32(dst, -1)
			*hasNull = true
		default:
			dst, err = e.binaryField(dst, j)
		}
		if err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// recordBinary appends struct value i as record_send does.
func (n *node) recordBinary(dst []byte, i int) ([]byte, error) {
	dst = appendInt32(dst, int32(len(n.fields)))
	var err error
	for _, f := range n.fields {
		dst = appendInt32(dst, int32(f.oid))
		if f.isNull(i) {
			dst = appendInt32(dst, -1)
			continue
		}
		if dst, err = f.binaryField(dst, i); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// binaryField appends value i (not NULL) in binary format preceded by its
// int32 length.
func (n *node) binaryField(dst []byte, i int) ([]byte, error) {
	p := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	dst, err := n.binary(dst, i)
	if err != nil {
		return dst, err
	}
	putLength(dst, p)
	return dst, nil
}
