package types

import (
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

// maxDims is PostgreSQL's MAXDIM: the most dimensions an array may have.
const maxDims = 6

// Extension type names with a PostgreSQL counterpart.
const (
	extUUID = "arrow.uuid"
	extJSON = "arrow.json"
)

// Column is how one Arrow field is presented in a RowDescription.
type Column struct {
	Name     string
	OID      uint32 // PostgreSQL type OID
	TypeSize int16  // typlen: -1 for varlena types
	TypeMod  int32  // type modifier, -1 when there is none
	Format   int16  // 0 text, 1 binary
}

// Describe maps an Arrow field to the PostgreSQL type it is presented as,
// with Format 0. When the field's metadata carries backends.MetaPGType (and
// optionally backends.MetaPGTypmod) and quiver can produce both the text and
// the binary form of that type from the field's Arrow type, that type is
// used; otherwise the mapping in docs/types.md applies. It returns a 0A000
// error for Arrow types with no mapping.
func Describe(f arrow.Field) (Column, error) {
	n, err := planField(f, &outputSettings{})
	if err != nil {
		return Column{}, err
	}
	return Column{Name: f.Name, OID: n.oid, TypeSize: typeSize(n.oid), TypeMod: n.typmod}, nil
}

// OIDFor returns the PostgreSQL type OID an Arrow type is presented as, for
// a ParameterDescription. It reports false for types with no mapping.
func OIDFor(t arrow.DataType) (uint32, bool) {
	n, err := planType(t, arrow.Metadata{}, &outputSettings{})
	if err != nil {
		return 0, false
	}
	return n.oid, true
}

// ParamType returns the PostgreSQL type OID a backend's parameter field is
// described as, in a ParameterDescription, and the Arrow type the
// parameter's values are to be decoded into. Like Describe, it honours
// backends.MetaPGType; the values are decoded into the field's own type,
// unless the metadata names a type whose values quiver reads into another
// Arrow type (an oid parameter that DuckDB types as BIGINT is read as
// uint32, as oid's receive function reads it), and then into that one.
// A decimal field is a numeric parameter, whose values keep their own
// precision and scale as PostgreSQL's do (a parameter has no typmod): they
// are decoded as ArrowType(1700)'s are, never rounded to the field's scale.
// It reports false for types with no mapping.
func ParamType(f arrow.Field) (uint32, arrow.DataType, bool) {
	n, err := planField(f, &outputSettings{})
	if err != nil {
		return 0, nil, false
	}
	if _, ok := f.Type.(arrow.DecimalType); ok && n.oid == oidNumeric {
		return n.oid, numericParamType, true
	}
	if nat, ok := OIDFor(f.Type); ok && nat != n.oid {
		if t, ok := ArrowType(n.oid); ok {
			return n.oid, t, true
		}
	}
	return n.oid, f.Type, true
}

func planField(f arrow.Field, set *outputSettings) (*node, error) {
	return planType(f.Type, f.Metadata, set)
}

// planType builds the node that renders values of type t. md is the
// metadata of the field t belongs to.
func planType(t arrow.DataType, md arrow.Metadata, set *outputSettings) (*node, error) {
	n, err := naturalNode(t, set)
	if err != nil {
		return nil, err
	}
	if i := md.FindKey(backends.MetaPGType); i >= 0 {
		oid, err := strconv.ParseUint(md.Values()[i], 10, 32)
		if err == nil {
			typmod := int32(-1)
			if j := md.FindKey(backends.MetaPGTypmod); j >= 0 {
				if v, err := strconv.ParseInt(md.Values()[j], 10, 32); err == nil {
					typmod = int32(v)
				}
			}
			n.present(uint32(oid), typmod)
		}
	}
	if md.FindKey(backends.MetaNumericUnscaled) >= 0 {
		if l := n.leaf(); l.kind >= kDecimal32 && l.kind <= kDecimal256 {
			l.unscaled = true
		}
	}
	return n, nil
}

func unsupported(t arrow.DataType) error {
	return pgerror.New(pgerror.FeatureNotSupported, "Arrow type %s has no PostgreSQL equivalent", t)
}

// naturalNode maps t to its default PostgreSQL type.
func naturalNode(t arrow.DataType, set *outputSettings) (*node, error) {
	n := &node{typmod: -1, set: set}
	switch t := t.(type) {
	case arrow.ExtensionType:
		switch t.ExtensionName() {
		case extUUID:
			if st, ok := t.StorageType().(*arrow.FixedSizeBinaryType); ok && st.ByteWidth == 16 {
				n.kind, n.oid, n.store, n.width = kUUID, oidUUID, sFixed, 16
				return n, nil
			}
		case extJSON:
			s, err := naturalNode(t.StorageType(), set)
			if err == nil && s.kind == kString {
				s.oid = oidJSON
				return s, nil
			}
		}
		// Other extensions (arrow.opaque, arrow.bool8, unknown ones) are
		// presented as their storage type.
		return naturalNode(t.StorageType(), set)
	case *arrow.NullType:
		n.kind, n.oid = kNull, oidText
	case *arrow.BooleanType:
		n.kind, n.oid = kBool, oidBool
	case *arrow.Int8Type:
		n.kind, n.oid = kInt8, oidInt2
	case *arrow.Int16Type:
		n.kind, n.oid = kInt16, oidInt2
	case *arrow.Int32Type:
		n.kind, n.oid = kInt32, oidInt4
	case *arrow.Int64Type:
		n.kind, n.oid = kInt64, oidInt8
	case *arrow.Uint8Type:
		n.kind, n.oid = kUint8, oidInt2
	case *arrow.Uint16Type:
		n.kind, n.oid = kUint16, oidInt4
	case *arrow.Uint32Type:
		n.kind, n.oid = kUint32, oidInt8
	case *arrow.Uint64Type:
		n.kind, n.oid = kUint64, oidNumeric
	case *arrow.Float16Type:
		n.kind, n.oid = kFloat16, oidFloat4
	case *arrow.Float32Type:
		n.kind, n.oid = kFloat32, oidFloat4
	case *arrow.Float64Type:
		n.kind, n.oid = kFloat64, oidFloat8
	case arrow.DecimalType:
		switch t.BitWidth() {
		case 32:
			n.kind = kDecimal32
		case 64:
			n.kind = kDecimal64
		case 128:
			n.kind = kDecimal128
		default:
			n.kind = kDecimal256
		}
		n.oid, n.scale = oidNumeric, t.GetScale()
		n.typmod = ((t.GetPrecision() << 16) | (t.GetScale() & 0x7ff)) + 4
	case *arrow.StringType:
		n.kind, n.oid, n.store = kString, oidText, sOffsets32
	case *arrow.LargeStringType:
		n.kind, n.oid, n.store = kString, oidText, sOffsets64
	case *arrow.StringViewType:
		n.kind, n.oid, n.store = kString, oidText, sView
	case *arrow.BinaryType:
		n.kind, n.oid, n.store = kBinary, oidBytea, sOffsets32
	case *arrow.LargeBinaryType:
		n.kind, n.oid, n.store = kBinary, oidBytea, sOffsets64
	case *arrow.BinaryViewType:
		n.kind, n.oid, n.store = kBinary, oidBytea, sView
	case *arrow.FixedSizeBinaryType:
		n.kind, n.oid, n.store, n.width = kBinary, oidBytea, sFixed, t.ByteWidth
	case *arrow.Date32Type:
		n.kind, n.oid = kDate32, oidDate
	case *arrow.Date64Type:
		n.kind, n.oid = kDate64, oidDate
	case *arrow.Time32Type:
		n.kind, n.oid, n.unit = kTime32, oidTime, t.Unit
		n.typmod = unitTypmod(t.Unit)
	case *arrow.Time64Type:
		n.kind, n.oid, n.unit = kTime64, oidTime, t.Unit
	case *arrow.TimestampType:
		n.kind, n.oid, n.unit = kTimestamp, oidTimestamp, t.Unit
		if t.TimeZone != "" {
			n.oid, n.tz = oidTimestamptz, true
		}
		n.typmod = unitTypmod(t.Unit)
	case *arrow.DurationType:
		n.kind, n.oid, n.unit = kDuration, oidInterval, t.Unit
	case *arrow.MonthIntervalType:
		n.kind, n.oid = kMonths, oidInterval
	case *arrow.DayTimeIntervalType:
		n.kind, n.oid = kDayTime, oidInterval
	case *arrow.MonthDayNanoIntervalType:
		n.kind, n.oid = kMonthDayNano, oidInterval
	case arrow.ListLikeType:
		// list, large_list, fixed_size_list, list_view, large_list_view, map
		elem, err := planField(t.ElemField(), set)
		if err != nil {
			return nil, err
		}
		n.kind, n.elem = kList, elem
		if err := n.setArrayType(); err != nil {
			return nil, err
		}
	case *arrow.StructType:
		n.kind, n.oid = kStruct, oidRecord
		for _, f := range t.Fields() {
			c, err := planField(f, set)
			if err != nil {
				return nil, err
			}
			n.fields = append(n.fields, c)
			n.names = append(n.names, f.Name)
		}
	case *arrow.DictionaryType:
		v, err := naturalNode(t.ValueType, set)
		if err != nil {
			return nil, err
		}
		n.kind, n.elem, n.oid, n.typmod = kDict, v, v.oid, v.typmod
	case *arrow.RunEndEncodedType:
		v, err := planField(t.Fields()[1], set)
		if err != nil {
			return nil, err
		}
		n.kind, n.elem, n.oid, n.typmod = kRunEnd, v, v.oid, v.typmod
	default:
		return nil, unsupported(t)
	}
	return n, nil
}

// unitTypmod is the precision typmod for a time or timestamp of unit u:
// seconds and milliseconds are time(0)/time(3), finer units unconstrained.
func unitTypmod(u arrow.TimeUnit) int32 {
	switch u {
	case arrow.Second:
		return 0
	case arrow.Millisecond:
		return 3
	}
	return -1
}

// setArrayType sets a kList node's OID and typmod from its element. Nested
// lists are the dimensions of one multidimensional array type.
func (n *node) setArrayType() error {
	leaf := n.elem
	dims := 1
	for leaf.kind == kList {
		leaf = leaf.elem
		dims++
	}
	if dims > maxDims {
		return pgerror.New(pgerror.ProgramLimitExceeded, "number of array dimensions (%d) exceeds the maximum allowed (%d)", dims, maxDims)
	}
	n.oid = arrayOID(leaf.oid)
	n.typmod = leaf.typmod
	if n.oid == 0 {
		return pgerror.New(pgerror.FeatureNotSupported, "arrays of %s are not supported", typeName(leaf.oid))
	}
	return nil
}

// leaf returns the innermost element node of a (possibly nested) list.
func (n *node) leaf() *node {
	for n.kind == kList {
		n = n.elem
	}
	return n
}

// present makes n render as PostgreSQL type oid with typmod, if quiver can
// produce both the text and binary forms of oid from n's Arrow type. It
// reports whether it did; n is unchanged when it did not.
func (n *node) present(oid uint32, typmod int32) bool {
	ok := false
	switch n.kind {
	case kString:
		switch oid {
		case oidText, oidVarchar, oidBPChar, oidName, oidJSON, oidXML:
			n.strMode, ok = strRaw, true
			n.pad = 0
			if oid == oidBPChar && typmod > 4 {
				// PostgreSQL stores char(n) padded to n characters, and
				// prints it so; engines without the type keep it bare.
				n.pad = int(typmod - 4)
			}
		case oidJSONB:
			n.strMode, ok = strJSONB, true
		case oidNumeric:
			n.strMode, ok = strNumeric, true
		case oidUUID:
			n.strMode, ok = strUUID, true
		}
	case kUint32:
		ok = oid == oidInt8 || oid == oidOID || oid == oidXID || oid == oidCID
	case kInt64:
		if oid == oidOID {
			n.kind, ok = kOID64, true
		} else {
			ok = oid == oidInt8
		}
	case kBinary:
		if oid == oidUUID && n.store == sFixed && n.width == 16 {
			n.kind, ok = kUUID, true
		} else {
			ok = oid == oidBytea
		}
	case kList:
		e, isArray := elemOIDs[oid]
		if isArray && n.leaf().present(e, typmod) {
			// Nested lists share the array type.
			for l := n; l.kind == kList; l = l.elem {
				l.oid, l.typmod = oid, typmod
			}
			return true
		}
	case kDict, kRunEnd:
		if n.elem.present(oid, typmod) {
			n.oid, n.typmod = oid, typmod
			return true
		}
	default:
		ok = oid == n.oid
	}
	if ok {
		n.oid, n.typmod = oid, typmod
	}
	return ok
}
