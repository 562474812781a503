//go:build duckdb_arrow

package duckdb

import (
	"encoding/binary"
	"math/big"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	bindings "github.com/duckdb/duckdb-go-bindings"

	"github.com/quiverdb/quiver/pgerror"
)

// isText reports whether dt holds strings.
func isText(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return true
	}
	return false
}

// bindParam binds the value at row of arr to parameter idx (1-based) as a
// typed DuckDB value; values are never spliced into SQL text. A string is
// bound as a VARCHAR when text is set (the parameter is text), otherwise
// as a string literal that DuckDB casts to whatever the parameter needs.
func bindParam(ps bindings.PreparedStatement, idx int, arr arrow.Array, row int, text bool) error {
	i := bindings.IdxT(idx)
	if arr.IsNull(row) {
		return bindState(bindings.BindNull(ps, i), idx)
	}
	var s string
	switch a := arr.(type) {
	case *array.String:
		s = a.Value(row)
	case *array.LargeString:
		s = a.Value(row)
	case *array.StringView:
		s = a.Value(row)
	case *array.Dictionary:
		return bindParam(ps, idx, a.Dictionary(), a.GetValueIndex(row), text)
	default:
		v, err := valueOf(arr, row)
		if err != nil {
			return pgerror.New(pgerror.FeatureNotSupported, "parameter $%d: %v", idx, err)
		}
		defer destroyValue(&v)
		return bindState(bindings.BindValue(ps, i, v), idx)
	}
	if !text {
		return bindState(bindings.BindVarcharLength(ps, i, s, bindings.IdxT(len(s))), idx)
	}
	v := trackValue(bindings.CreateVarcharLength(s, bindings.IdxT(len(s))))
	if v.Ptr == nil {
		return pgerror.New(pgerror.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\" in parameter $%d", idx)
	}
	defer destroyValue(&v)
	return bindState(bindings.BindValue(ps, i, v), idx)
}

func bindState(st bindings.State, idx int) error {
	if st == bindings.StateError {
		return pgerror.New(pgerror.InvalidParameterValue, "could not bind parameter $%d", idx)
	}
	return nil
}

type errUnsupported struct{ dt arrow.DataType }

func (e errUnsupported) Error() string { return "Arrow type " + e.dt.String() + " is not supported" }

// valueOf returns the value at row of arr as a DuckDB value, which the
// caller must destroy.
func valueOf(arr arrow.Array, row int) (bindings.Value, error) {
	if arr.IsNull(row) {
		return trackValue(bindings.CreateNullValue()), nil
	}
	var v bindings.Value
	switch a := arr.(type) {
	case *array.Null:
		v = bindings.CreateNullValue()
	case *array.Boolean:
		v = bindings.CreateBool(a.Value(row))
	case *array.Int8:
		v = bindings.CreateInt8(a.Value(row))
	case *array.Int16:
		v = bindings.CreateInt16(a.Value(row))
	case *array.Int32:
		v = bindings.CreateInt32(a.Value(row))
	case *array.Int64:
		v = bindings.CreateInt64(a.Value(row))
	case *array.Uint8:
		v = bindings.CreateUInt8(a.Value(row))
	case *array.Uint16:
		v = bindings.CreateUInt16(a.Value(row))
	case *array.Uint32:
		v = bindings.CreateUInt32(a.Value(row))
	case *array.Uint64:
		v = bindings.CreateUInt64(a.Value(row))
	case *array.Float16:
		v = bindings.CreateFloat(a.Value(row).Float32())
	case *array.Float32:
		v = bindings.CreateFloat(a.Value(row))
	case *array.Float64:
		v = bindings.CreateDouble(a.Value(row))
	case *array.Decimal32:
		dt := a.DataType().(*arrow.Decimal32Type)
		v = bindings.CreateDecimal(bindings.NewDecimal(uint8(dt.Precision), uint8(dt.Scale), hugeint(int64(a.Value(row)))))
	case *array.Decimal64:
		dt := a.DataType().(*arrow.Decimal64Type)
		v = bindings.CreateDecimal(bindings.NewDecimal(uint8(dt.Precision), uint8(dt.Scale), hugeint(int64(a.Value(row)))))
	case *array.Decimal128:
		dt := a.DataType().(*arrow.Decimal128Type)
		n := a.Value(row)
		if dt.Precision > 38 {
			return v, errConvert("numeric precision above 38 is not supported")
		}
		v = bindings.CreateDecimal(bindings.NewDecimal(uint8(dt.Precision), uint8(dt.Scale), bindings.NewHugeInt(n.LowBits(), n.HighBits())))
	case *array.Decimal256:
		dt := a.DataType().(*arrow.Decimal256Type)
		h, ok := decimal256To128(a.Value(row).BigInt())
		if !ok || dt.Scale > 38 {
			return v, errConvert("numeric value does not fit DECIMAL(38)")
		}
		v = bindings.CreateDecimal(bindings.NewDecimal(38, uint8(dt.Scale), h))
	case *array.String:
		s := a.Value(row)
		v = bindings.CreateVarcharLength(s, bindings.IdxT(len(s)))
	case *array.LargeString:
		s := a.Value(row)
		v = bindings.CreateVarcharLength(s, bindings.IdxT(len(s)))
	case *array.StringView:
		s := a.Value(row)
		v = bindings.CreateVarcharLength(s, bindings.IdxT(len(s)))
	case *array.Binary:
		v = bindings.CreateBlob(a.Value(row))
	case *array.LargeBinary:
		v = bindings.CreateBlob(a.Value(row))
	case *array.BinaryView:
		v = bindings.CreateBlob(a.Value(row))
	case *array.FixedSizeBinary:
		v = bindings.CreateBlob(a.Value(row))
	case *array.Date32:
		v = bindings.CreateDate(bindings.NewDate(int32(a.Value(row))))
	case *array.Date64:
		v = bindings.CreateDate(bindings.NewDate(int32(floorDiv(int64(a.Value(row)), 86_400_000))))
	case *array.Time32:
		us := int64(a.Value(row)) * 1000
		if a.DataType().(*arrow.Time32Type).Unit == arrow.Second {
			us *= 1000
		}
		v = bindings.CreateTime(bindings.NewTime(us))
	case *array.Time64:
		t := int64(a.Value(row))
		if a.DataType().(*arrow.Time64Type).Unit == arrow.Nanosecond {
			v = bindings.CreateTimeNS(bindings.NewTimeNS(t))
		} else {
			v = bindings.CreateTime(bindings.NewTime(t))
		}
	case *array.Timestamp:
		v = timestampValue(a.DataType().(*arrow.TimestampType), int64(a.Value(row)))
	case *array.MonthDayNanoInterval:
		x := a.Value(row)
		v = bindings.CreateInterval(bindings.NewInterval(x.Months, x.Days, x.Nanoseconds/1000))
	case *array.MonthInterval:
		v = bindings.CreateInterval(bindings.NewInterval(int32(a.Value(row)), 0, 0))
	case *array.DayTimeInterval:
		x := a.Value(row)
		v = bindings.CreateInterval(bindings.NewInterval(0, x.Days, int64(x.Milliseconds)*1000))
	case *array.Duration:
		v = bindings.CreateInterval(bindings.NewInterval(0, 0, toMicros(a.DataType().(*arrow.DurationType).Unit, int64(a.Value(row)))))
	case array.ExtensionArray:
		if isUUID(a.DataType()) {
			if b, ok := a.Storage().(*array.FixedSizeBinary); ok && len(b.Value(row)) == 16 {
				u := b.Value(row)
				v = bindings.CreateUUID(bindings.NewUHugeInt(binary.BigEndian.Uint64(u[8:]), binary.BigEndian.Uint64(u[:8])))
				break
			}
		}
		return valueOf(a.Storage(), row)
	case *array.Dictionary:
		return valueOf(a.Dictionary(), a.GetValueIndex(row))
	case array.ListLike:
		return listValue(a, row)
	case *array.Struct:
		return structValue(a, row)
	default:
		return v, errUnsupported{arr.DataType()}
	}
	return trackValue(v), nil
}

// hugeint sign-extends n to DuckDB's 128-bit integer.
func hugeint(n int64) bindings.HugeInt {
	return bindings.NewHugeInt(uint64(n), n>>63)
}

var (
	minInt128 = new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), 127))
	maxInt128 = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 127), big.NewInt(1))
	maxDec38  = new(big.Int).Sub(new(big.Int).Exp(big.NewInt(10), big.NewInt(38), nil), big.NewInt(1))
)

// decimal256To128 narrows an unscaled decimal to DuckDB's DECIMAL(38).
func decimal256To128(n *big.Int) (bindings.HugeInt, bool) {
	if n.Cmp(minInt128) < 0 || n.Cmp(maxInt128) > 0 || new(big.Int).Abs(n).Cmp(maxDec38) > 0 {
		return bindings.HugeInt{}, false
	}
	var buf [16]byte
	m := new(big.Int).Set(n)
	if m.Sign() < 0 {
		m.Add(m, new(big.Int).Lsh(big.NewInt(1), 128)) // two's complement
	}
	m.FillBytes(buf[:])
	return bindings.NewHugeInt(binary.BigEndian.Uint64(buf[8:]), int64(binary.BigEndian.Uint64(buf[:8]))), true
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func toMicros(unit arrow.TimeUnit, v int64) int64 {
	switch unit {
	case arrow.Second:
		return v * 1_000_000
	case arrow.Millisecond:
		return v * 1000
	case arrow.Nanosecond:
		return floorDiv(v, 1000)
	}
	return v
}

// timestampValue makes a TIMESTAMP, or TIMESTAMP WITH TIME ZONE when the
// Arrow type has a zone. Nanoseconds without a zone keep their precision as
// TIMESTAMP_NS; DuckDB has no nanosecond type with a zone.
func timestampValue(dt *arrow.TimestampType, v int64) bindings.Value {
	if dt.TimeZone != "" {
		return bindings.CreateTimestampTZ(bindings.NewTimestamp(toMicros(dt.Unit, v)))
	}
	if dt.Unit == arrow.Nanosecond {
		return bindings.CreateTimestampNS(bindings.NewTimestampNS(v))
	}
	return bindings.CreateTimestamp(bindings.NewTimestamp(toMicros(dt.Unit, v)))
}

func isUUID(dt arrow.DataType) bool {
	ext, ok := dt.(arrow.ExtensionType)
	return ok && ext.ExtensionName() == "arrow.uuid"
}

func listValue(a array.ListLike, row int) (bindings.Value, error) {
	child := a.ListValues()
	lt, err := logicalTypeOf(child.DataType())
	if err != nil {
		return bindings.Value{}, err
	}
	defer bindings.DestroyLogicalType(&lt)
	start, end := a.ValueOffsets(row)
	vals := make([]bindings.Value, 0, end-start)
	defer func() {
		for i := range vals {
			destroyValue(&vals[i])
		}
	}()
	for j := start; j < end; j++ {
		v, err := valueOf(child, int(j))
		if err != nil {
			return bindings.Value{}, err
		}
		vals = append(vals, v)
	}
	return trackValue(bindings.CreateListValue(lt, vals)), nil
}

func structValue(a *array.Struct, row int) (bindings.Value, error) {
	lt, err := logicalTypeOf(a.DataType())
	if err != nil {
		return bindings.Value{}, err
	}
	defer bindings.DestroyLogicalType(&lt)
	vals := make([]bindings.Value, 0, a.NumField())
	defer func() {
		for i := range vals {
			destroyValue(&vals[i])
		}
	}()
	for f := range a.NumField() {
		v, err := valueOf(a.Field(f), row)
		if err != nil {
			return bindings.Value{}, err
		}
		vals = append(vals, v)
	}
	v := trackValue(bindings.CreateStructValue(lt, vals))
	if v.Ptr == nil {
		return v, errConvert("DuckDB could not build the struct value")
	}
	return v, nil
}

// simpleTypes maps Arrow types to the DuckDB types of the same values.
var simpleTypes = map[arrow.Type]bindings.Type{
	arrow.NULL: bindings.TypeSQLNull, arrow.BOOL: bindings.TypeBoolean,
	arrow.INT8: bindings.TypeTinyInt, arrow.INT16: bindings.TypeSmallInt,
	arrow.INT32: bindings.TypeInteger, arrow.INT64: bindings.TypeBigInt,
	arrow.UINT8: bindings.TypeUTinyInt, arrow.UINT16: bindings.TypeUSmallInt,
	arrow.UINT32: bindings.TypeUInteger, arrow.UINT64: bindings.TypeUBigInt,
	arrow.FLOAT16: bindings.TypeFloat, arrow.FLOAT32: bindings.TypeFloat, arrow.FLOAT64: bindings.TypeDouble,
	arrow.STRING: bindings.TypeVarchar, arrow.LARGE_STRING: bindings.TypeVarchar, arrow.STRING_VIEW: bindings.TypeVarchar,
	arrow.BINARY: bindings.TypeBlob, arrow.LARGE_BINARY: bindings.TypeBlob, arrow.BINARY_VIEW: bindings.TypeBlob,
	arrow.FIXED_SIZE_BINARY: bindings.TypeBlob, arrow.DATE32: bindings.TypeDate, arrow.DATE64: bindings.TypeDate,
	arrow.TIME32: bindings.TypeTime, arrow.INTERVAL_MONTHS: bindings.TypeInterval,
	arrow.INTERVAL_DAY_TIME: bindings.TypeInterval, arrow.INTERVAL_MONTH_DAY_NANO: bindings.TypeInterval,
	arrow.DURATION: bindings.TypeInterval,
}

// logicalTypeOf returns the DuckDB type valueOf makes for values of dt. The
// caller must destroy it.
func logicalTypeOf(dt arrow.DataType) (bindings.LogicalType, error) {
	if t, ok := simpleTypes[dt.ID()]; ok {
		return bindings.CreateLogicalType(t), nil
	}
	switch t := dt.(type) {
	case *arrow.Time64Type:
		if t.Unit == arrow.Nanosecond {
			return bindings.CreateLogicalType(bindings.TypeTimeNS), nil
		}
		return bindings.CreateLogicalType(bindings.TypeTime), nil
	case *arrow.TimestampType:
		switch {
		case t.TimeZone != "":
			return bindings.CreateLogicalType(bindings.TypeTimestampTZ), nil
		case t.Unit == arrow.Nanosecond:
			return bindings.CreateLogicalType(bindings.TypeTimestampNS), nil
		}
		return bindings.CreateLogicalType(bindings.TypeTimestamp), nil
	case arrow.DecimalType:
		p := min(t.GetPrecision(), 38)
		return bindings.CreateDecimalType(uint8(p), uint8(t.GetScale())), nil
	case arrow.ListLikeType:
		child, err := logicalTypeOf(t.Elem())
		if err != nil {
			return child, err
		}
		defer bindings.DestroyLogicalType(&child)
		return bindings.CreateListType(child), nil
	case *arrow.StructType:
		types := make([]bindings.LogicalType, 0, t.NumFields())
		names := make([]string, 0, t.NumFields())
		defer func() {
			for i := range types {
				bindings.DestroyLogicalType(&types[i])
			}
		}()
		for _, f := range t.Fields() {
			ft, err := logicalTypeOf(f.Type)
			if err != nil {
				return ft, err
			}
			types = append(types, ft)
			names = append(names, f.Name)
		}
		return bindings.CreateStructType(types, names), nil
	case *arrow.DictionaryType:
		return logicalTypeOf(t.ValueType)
	case arrow.ExtensionType:
		if isUUID(t) {
			return bindings.CreateLogicalType(bindings.TypeUUID), nil
		}
		return logicalTypeOf(t.StorageType())
	}
	return bindings.LogicalType{}, errUnsupported{dt}
}
