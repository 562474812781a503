package types

import (
	"encoding/binary"
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
)

// Encoding many rows at once
//
// AppendRow writes a row value by value, asking each column's node what it
// holds. For the common binary-format columns (booleans, integers, floats,
// plain strings, microsecond timestamps) AppendRows instead writes a run of
// rows column by column: a first pass sizes each row, a second writes each
// column down the run at the rows' cursors. The bytes are AppendRow's.

// fastKind is how AppendRows writes a column, fastNone when it cannot.
type fastKind uint8

const (
	fastNone fastKind = iota
	fastBool
	fastInt16
	fastInt32
	fastInt64
	fastFloat32
	fastFloat64
	fastString
	fastTimestamp // microseconds
)

// width is the size of a value of a fixed-width kind.
func (k fastKind) width() int {
	switch k {
	case fastBool:
		return 1
	case fastInt16:
		return 2
	case fastInt32, fastFloat32:
		return 4
	case fastInt64, fastFloat64, fastTimestamp:
		return 8
	}
	return 0
}

// fastKindOf returns how AppendRows writes column c of the bound batch.
func (e *RowEncoder) fastKindOf(c int) fastKind {
	n := e.nodes[c]
	if e.allText || e.cols[c].Format != 1 {
		return fastNone
	}
	switch n.kind {
	case kBool:
		return fastBool
	case kInt16:
		return fastInt16
	case kInt32:
		return fastInt32
	case kInt64:
		return fastInt64
	case kFloat32:
		return fastFloat32
	case kFloat64:
		return fastFloat64
	case kString:
		if n.strMode == strRaw && n.pad == 0 && n.noNul && (n.store == sOffsets32 || n.store == sOffsets64) {
			return fastString
		}
	case kTimestamp:
		if n.unit == arrow.Microsecond {
			return fastTimestamp
		}
	}
	return fastNone
}

// AppendRows appends the DataRow messages of rows from, from+1, ... of the
// batch bound by Reset, stopping before row to or after the row that makes
// dst at least limit bytes long, whichever comes first; it returns dst and
// the row after the last one appended. On an error (as AppendRow's) dst
// holds the rows before the failing one, and next is that row.
func (e *RowEncoder) AppendRows(dst []byte, from, to, limit int) (out []byte, next int, err error) {
	if from >= to {
		return dst, from, nil
	}
	if !e.bindFast() {
		for next = from; next < to; {
			if dst, err = e.AppendRow(dst, next); err != nil {
				return dst, next, err
			}
			next++
			if len(dst) >= limit {
				break
			}
		}
		return dst, next, nil
	}

	// Pass 1: where each row starts, pos[k] for row from+k.
	base := 7 // 'D', length, column count
	for c, k := range e.fast {
		if e.nodes[c].valid == nil && k != fastString {
			base += 4 + k.width()
		}
	}
	pos := e.pos[:0]
	end := len(dst)
	next = from
	for next < to {
		size := base
		for _, c := range e.sized {
			n := e.nodes[c]
			size += 4
			if n.valid != nil && !bitSet(n.valid, n.voff+next) {
				continue
			}
			if k := e.fast[c]; k == fastString {
				if n.store == sOffsets32 {
					size += int(n.off32[next+1] - n.off32[next])
				} else {
					size += int(n.off64[next+1] - n.off64[next])
				}
			} else {
				size += k.width()
			}
		}
		pos = append(pos, end)
		end += size
		next++
		if end >= limit {
			break
		}
	}
	pos = append(pos, end)
	e.pos = pos
	rows := next - from

	// Pass 2: headers, then column by column.
	start := len(dst)
	dst = slices.Grow(dst, end-start)[:end]
	cur := slices.Grow(e.cur[:0], rows)[:rows]
	e.cur = cur
	ncols := uint16(len(e.nodes))
	for k := range rows {
		p := pos[k]
		dst[p] = 'D'
		binary.BigEndian.PutUint32(dst[p+1:], uint32(pos[k+1]-p-1))
		binary.BigEndian.PutUint16(dst[p+5:], ncols)
		cur[k] = p + 7
	}
	stop := rows // rows before a failing value
	for c, kind := range e.fast {
		if w, cerr := writeColumn(dst, cur[:stop], e.nodes[c], kind, from); cerr != nil {
			stop, err = w, cerr // later columns stop there too
		}
	}
	if err != nil {
		return dst[:pos[stop]], from + stop, err
	}
	return dst, next, nil
}

// bindFast fills e.fast and e.sized for the bound batch and reports
// whether every column can be written by AppendRows.
func (e *RowEncoder) bindFast() bool {
	if e.fastBound {
		return e.fastOK
	}
	e.fastBound = true
	e.fast = slices.Grow(e.fast[:0], len(e.nodes))[:len(e.nodes)]
	e.sized = e.sized[:0]
	e.fastOK = true
	for c := range e.nodes {
		k := e.fastKindOf(c)
		if k == fastNone {
			e.fastOK = false
			return false
		}
		e.fast[c] = k
		if k == fastString || e.nodes[c].valid != nil {
			e.sized = append(e.sized, c)
		}
	}
	return true
}

// writeColumn writes the values of rows from, from+1, ... of n, a column
// of kind, at the cursors cur (one per row), advancing them. It returns
// how many rows it wrote: all of them, or those before a value it cannot
// write, with that value's error.
func writeColumn(dst []byte, cur []int, n *node, kind fastKind, from int) (int, error) {
	valid, voff := n.valid, n.voff+from
	null := func(k int) bool {
		if valid != nil && !bitSet(valid, voff+k) {
			binary.BigEndian.PutUint32(dst[cur[k]:], 0xffffffff)
			cur[k] += 4
			return true
		}
		return false
	}
	switch kind {
	case fastBool:
		bits, boff := n.bits, n.boff+from
		for k := range cur {
			if null(k) {
				continue
			}
			p := cur[k]
			binary.BigEndian.PutUint32(dst[p:], 1)
			dst[p+4] = 0
			if bitSet(bits, boff+k) {
				dst[p+4] = 1
			}
			cur[k] = p + 5
		}
	case fastInt16:
		vals := n.i16[from : from+len(cur)]
		for k, v := range vals {
			if null(k) {
				continue
			}
			p := cur[k]
			binary.BigEndian.PutUint32(dst[p:], 2)
			binary.BigEndian.PutUint16(dst[p+4:], uint16(v))
			cur[k] = p + 6
		}
	case fastInt32:
		vals := n.i32[from : from+len(cur)]
		for k, v := range vals {
			if null(k) {
				continue
			}
			p := cur[k]
			binary.BigEndian.PutUint32(dst[p:], 4)
			binary.BigEndian.PutUint32(dst[p+4:], uint32(v))
			cur[k] = p + 8
		}
	case fastInt64:
		vals := n.i64[from : from+len(cur)]
		for k, v := range vals {
			if null(k) {
				continue
			}
			p := cur[k]
			binary.BigEndian.PutUint32(dst[p:], 8)
			binary.BigEndian.PutUint64(dst[p+4:], uint64(v))
			cur[k] = p + 12
		}
	case fastFloat32:
		vals := n.f32[from : from+len(cur)]
		for k, f := range vals {
			if null(k) {
				continue
			}
			bits := math.Float32bits(f)
			if f != f {
				bits = 0x7fc00000 // appendFloat4Binary's NaN
			}
			p := cur[k]
			binary.BigEndian.PutUint32(dst[p:], 4)
			binary.BigEndian.PutUint32(dst[p+4:], bits)
			cur[k] = p + 8
		}
	case fastFloat64:
		vals := n.f64[from : from+len(cur)]
		for k, f := range vals {
			if null(k) {
				continue
			}
			bits := math.Float64bits(f)
			if f != f {
				bits = 0x7ff8000000000000 // binary's NaN
			}
			p := cur[k]
			binary.BigEndian.PutUint32(dst[p:], 8)
			binary.BigEndian.PutUint64(dst[p+4:], bits)
			cur[k] = p + 12
		}
	case fastTimestamp:
		vals := n.i64[from : from+len(cur)]
		for k, v := range vals {
			if null(k) {
				continue
			}
			t, err := timestampMicros(v, arrow.Microsecond)
			if err != nil {
				return k, err
			}
			p := cur[k]
			binary.BigEndian.PutUint32(dst[p:], 8)
			binary.BigEndian.PutUint64(dst[p+4:], uint64(t))
			cur[k] = p + 12
		}
	case fastString:
		data := n.data
		if n.store == sOffsets32 {
			offs := n.off32[from : from+len(cur)+1]
			for k := range cur {
				if null(k) {
					continue
				}
				v := data[offs[k]:offs[k+1]]
				p := cur[k]
				binary.BigEndian.PutUint32(dst[p:], uint32(len(v)))
				cur[k] = p + 4 + copy(dst[p+4:], v)
			}
		} else {
			offs := n.off64[from : from+len(cur)+1]
			for k := range cur {
				if null(k) {
					continue
				}
				v := data[offs[k]:offs[k+1]]
				p := cur[k]
				binary.BigEndian.PutUint32(dst[p:], uint32(len(v)))
				cur[k] = p + 4 + copy(dst[p+4:], v)
			}
		}
	}
	return len(cur), nil
}
