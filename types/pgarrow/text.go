package pgarrow

import (
	"encoding/hex"
	"math"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/extensions"

	"github.com/quiverdb/quiver/pgerror"
)

// AppendText appends row i of arr (not null) in a text form PostgreSQL's
// input functions accept, for parameters sent in text format when no binary
// conversion to the parameter's type exists (a string bound to an integer
// parameter, an integer bound to a text one). Nested types fail with 42804.
func AppendText(dst []byte, arr arrow.Array, i int) ([]byte, error) {
	switch a := arr.(type) {
	case *array.Boolean:
		if a.Value(i) {
			return append(dst, "true"...), nil
		}
		return append(dst, "false"...), nil
	case *array.Int8:
		return strconv.AppendInt(dst, int64(a.Value(i)), 10), nil
	case *array.Int16:
		return strconv.AppendInt(dst, int64(a.Value(i)), 10), nil
	case *array.Int32:
		return strconv.AppendInt(dst, int64(a.Value(i)), 10), nil
	case *array.Int64:
		return strconv.AppendInt(dst, a.Value(i), 10), nil
	case *array.Uint8:
		return strconv.AppendUint(dst, uint64(a.Value(i)), 10), nil
	case *array.Uint16:
		return strconv.AppendUint(dst, uint64(a.Value(i)), 10), nil
	case *array.Uint32:
		return strconv.AppendUint(dst, uint64(a.Value(i)), 10), nil
	case *array.Uint64:
		return strconv.AppendUint(dst, a.Value(i), 10), nil
	case *array.Float32:
		return appendFloatText(dst, float64(a.Value(i)), 32), nil
	case *array.Float64:
		return appendFloatText(dst, a.Value(i), 64), nil
	case *array.Decimal128:
		return append(dst, a.Value(i).ToString(a.DataType().(*arrow.Decimal128Type).Scale)...), nil
	case *array.Decimal256:
		return append(dst, a.Value(i).ToString(a.DataType().(*arrow.Decimal256Type).Scale)...), nil
	case stringValues:
		return append(dst, a.Value(i)...), nil
	case *extensions.UUIDArray:
		return (&uuidTextEncoder{arr: a.Storage().(*array.FixedSizeBinary)}).append(dst, i)
	case array.ExtensionArray:
		return AppendText(dst, a.Storage(), i)
	case *array.Dictionary:
		return AppendText(dst, a.Dictionary(), a.GetValueIndex(i))
	case bytesValues:
		dst = append(dst, `\x`...)
		return hex.AppendEncode(dst, a.Value(i)), nil
	case *array.Date32:
		return appendDateText(dst, int64(a.Value(i)), a.Value(i) == math.MaxInt32, a.Value(i) == math.MinInt32), nil
	case *array.Date64:
		ms := int64(a.Value(i))
		return appendDateText(dst, floorDiv64(ms, 86400000), ms == math.MaxInt64, ms == math.MinInt64), nil
	case *array.Time32:
		us, _ := toMicros(int64(a.Value(i)), a.DataType().(*arrow.Time32Type).Unit)
		return appendClock(dst, us), nil
	case *array.Time64:
		us, _ := toMicros(int64(a.Value(i)), a.DataType().(*arrow.Time64Type).Unit)
		return appendClock(dst, us), nil
	case *array.Timestamp:
		tt := a.DataType().(*arrow.TimestampType)
		v := int64(a.Value(i))
		switch v {
		case math.MaxInt64:
			return append(dst, "infinity"...), nil
		case math.MinInt64:
			return append(dst, "-infinity"...), nil
		}
		us, ok := toMicros(v, tt.Unit)
		if !ok {
			return dst, pgerror.New(pgerror.DatetimeFieldOverflow, "timestamp out of range")
		}
		days := floorDiv64(us, 86400e6)
		dst = appendDateText(dst, days, false, false)
		bc := len(dst) >= 3 && string(dst[len(dst)-3:]) == " BC"
		if bc {
			dst = dst[:len(dst)-3]
		}
		dst = append(dst, ' ')
		dst = appendClock(dst, us-days*86400e6)
		if tt.TimeZone != "" {
			dst = append(dst, "+00"...)
		}
		if bc {
			dst = append(dst, " BC"...)
		}
		return dst, nil
	}
	return dst, pgerror.New(pgerror.DatatypeMismatch, "cannot send Arrow %s as a PostgreSQL parameter", arr.DataType())
}

func appendFloatText(dst []byte, f float64, bits int) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, bits)
}

// appendDateText writes days since 1970-01-01 as ISO 8601, with " BC" for
// years before 1 as PostgreSQL spells them.
func appendDateText(dst []byte, days int64, inf, ninf bool) []byte {
	switch {
	case inf:
		return append(dst, "infinity"...)
	case ninf:
		return append(dst, "-infinity"...)
	}
	t := time.Unix(days*86400, 0).UTC()
	y := t.Year()
	bc := y <= 0
	if bc {
		y = 1 - y
	}
	dst = appendPadded(dst, y, 4)
	dst = append(dst, '-')
	dst = appendPadded(dst, int(t.Month()), 2)
	dst = append(dst, '-')
	dst = appendPadded(dst, t.Day(), 2)
	if bc {
		dst = append(dst, " BC"...)
	}
	return dst
}

func appendPadded(dst []byte, v, width int) []byte {
	s := strconv.Itoa(v)
	for range width - len(s) {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// appendClock writes microseconds since midnight as HH:MM:SS.ffffff.
func appendClock(dst []byte, us int64) []byte {
	dst = appendPadded(dst, int(us/3600e6), 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, int(us/60e6%60), 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, int(us/1e6%60), 2)
	dst = append(dst, '.')
	return appendPadded(dst, int(us%1e6), 6)
}
