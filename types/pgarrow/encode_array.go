package pgarrow

import (
	"encoding/binary"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/quiverdb/quiver/pgerror"
)

// arrayEncoder writes nested Arrow lists as a PostgreSQL array of as many
// dimensions as there are list levels. The lists of each value must be
// rectangular, as PostgreSQL arrays are.
type arrayEncoder struct {
	levels  []array.ListLike // outermost first
	elemArr arrow.Array
	elem    valueEncoder
	elemOID uint32
	dims    []int
	hasNull bool
}

func newArrayEncoder(src arrow.DataType, c *codec, resolve TypeResolver) (valueEncoder, bool) {
	inner := src
	for range c.dims {
		inner = storageType(inner).(arrow.ListLikeType).Elem()
	}
	elem, ok := newValueEncoder(inner, c.elem, resolve)
	if !ok {
		return nil, false
	}
	return &arrayEncoder{
		levels:  make([]array.ListLike, c.dims),
		elem:    elem,
		elemOID: c.elemOID,
		dims:    make([]int, c.dims),
	}, true
}

func (e *arrayEncoder) reset(arr arrow.Array) {
	for l := range e.levels {
		if ea, ok := arr.(array.ExtensionArray); ok {
			arr = ea.Storage()
		}
		e.levels[l] = arr.(array.ListLike)
		arr = e.levels[l].ListValues()
	}
	e.elemArr = arr
	e.elem.reset(arr)
}

func errNotRectangular() error {
	return pgerror.New(pgerror.ArraySubscriptError,
		"multidimensional arrays must have sub-arrays with matching dimensions")
}

// shape records the length of level l from the list at index j and checks
// that every list below it agrees with the lengths seen so far.
func (e *arrayEncoder) shape(l, j int, first bool) error {
	if e.levels[l].IsNull(j) {
		return errNotRectangular()
	}
	s, end := e.levels[l].ValueOffsets(j)
	n := int(end - s)
	if first {
		e.dims[l] = n
	} else if n != e.dims[l] {
		return errNotRectangular()
	}
	if l+1 < len(e.levels) {
		for k := int(s); k < int(end); k++ {
			if err := e.shape(l+1, k, first && k == int(s)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (e *arrayEncoder) append(dst []byte, i int) ([]byte, error) {
	for l := range e.dims {
		e.dims[l] = 0
	}
	if err := e.shape(0, i, true); err != nil {
		return dst, err
	}
	empty := false
	for _, n := range e.dims {
		empty = empty || n == 0
	}
	if empty {
		dst = binary.BigEndian.AppendUint32(dst, 0)
		dst = binary.BigEndian.AppendUint32(dst, 0)
		return binary.BigEndian.AppendUint32(dst, e.elemOID), nil
	}
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(e.dims)))
	flagAt := len(dst)
	dst = binary.BigEndian.AppendUint32(dst, 0)
	dst = binary.BigEndian.AppendUint32(dst, e.elemOID)
	for _, n := range e.dims {
		dst = binary.BigEndian.AppendUint32(dst, uint32(n))
		dst = binary.BigEndian.AppendUint32(dst, 1)
	}
	e.hasNull = false
	dst, err := e.appendLevel(dst, 0, i)
	if e.hasNull {
		binary.BigEndian.PutUint32(dst[flagAt:], 1)
	}
	return dst, err
}

func (e *arrayEncoder) appendLevel(dst []byte, l, j int) ([]byte, error) {
	s, end := e.levels[l].ValueOffsets(j)
	var err error
	for k := int(s); k < int(end); k++ {
		if l+1 < len(e.levels) {
			dst, err = e.appendLevel(dst, l+1, k)
		} else {
			e.hasNull = e.hasNull || e.elemArr.IsNull(k)
			dst, err = appendField(dst, e.elemArr, e.elem, k)
		}
		if err != nil {
			return dst, err
		}
	}
	return dst, nil
}
