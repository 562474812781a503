package pgarrow

import (
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/extensions"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/quiverdb/quiver/backends"
)

// MetaPGTypeName is the field metadata key holding the PostgreSQL type name
// (pg_type.typname, e.g. "int4", "_text", or a user type's name).
const MetaPGTypeName = "pg.typname"

// Kind classifies a PostgreSQL type for the mapping.
type Kind uint8

const (
	// KindOther is any type pgarrow has no binary decoder for; its values
	// are read in text format into utf8.
	KindOther Kind = iota
	// KindBase is a built-in type with a binary decoder, chosen by OID.
	KindBase
	// KindEnum is an enum type; its binary format is the label.
	KindEnum
	// KindArray is an array type whose element type is Type.Elem.
	KindArray
)

// Type is what the mapping needs to know about a PostgreSQL type: the
// pg_type row's oid and typname, and for arrays typelem.
type Type struct {
	OID  uint32
	Name string
	Kind Kind
	Elem uint32 // element type, for KindArray
}

// TypeResolver describes a type that BuiltinType does not know, usually from
// the catalog. It reports false when the type is unknown too; such columns
// are read as text.
type TypeResolver func(oid uint32) (Type, bool)

// builtins are the types pgarrow decodes in binary, and their arrays.
var builtins = func() map[uint32]Type {
	m := map[uint32]Type{}
	base := func(oid uint32, name string, arr uint32) {
		m[oid] = Type{OID: oid, Name: name, Kind: KindBase}
		if arr != 0 {
			m[arr] = Type{OID: arr, Name: "_" + name, Kind: KindArray, Elem: oid}
		}
	}
	base(pgtype.BoolOID, "bool", pgtype.BoolArrayOID)
	base(pgtype.Int2OID, "int2", pgtype.Int2ArrayOID)
	base(pgtype.Int4OID, "int4", pgtype.Int4ArrayOID)
	base(pgtype.Int8OID, "int8", pgtype.Int8ArrayOID)
	base(pgtype.OIDOID, "oid", pgtype.OIDArrayOID)
	base(pgtype.Float4OID, "float4", pgtype.Float4ArrayOID)
	base(pgtype.Float8OID, "float8", pgtype.Float8ArrayOID)
	base(pgtype.NumericOID, "numeric", pgtype.NumericArrayOID)
	base(pgtype.TextOID, "text", pgtype.TextArrayOID)
	base(pgtype.VarcharOID, "varchar", pgtype.VarcharArrayOID)
	base(pgtype.BPCharOID, "bpchar", pgtype.BPCharArrayOID)
	base(pgtype.NameOID, "name", pgtype.NameArrayOID)
	base(pgtype.ByteaOID, "bytea", pgtype.ByteaArrayOID)
	base(pgtype.DateOID, "date", pgtype.DateArrayOID)
	base(pgtype.TimeOID, "time", pgtype.TimeArrayOID)
	base(pgtype.TimestampOID, "timestamp", pgtype.TimestampArrayOID)
	base(pgtype.TimestamptzOID, "timestamptz", pgtype.TimestamptzArrayOID)
	base(pgtype.IntervalOID, "interval", pgtype.IntervalArrayOID)
	base(pgtype.UUIDOID, "uuid", pgtype.UUIDArrayOID)
	base(pgtype.JSONOID, "json", pgtype.JSONArrayOID)
	base(pgtype.JSONBOID, "jsonb", pgtype.JSONBArrayOID)
	base(pgtype.UnknownOID, "unknown", 0)
	return m
}()

// BuiltinType reports the built-in type with this OID, if pgarrow knows it
// without asking the catalog.
func BuiltinType(oid uint32) (Type, bool) {
	t, ok := builtins[oid]
	return t, ok
}

// Column is one result column as PostgreSQL's RowDescription reports it.
type Column struct {
	Name   string
	OID    uint32
	Typmod int32
	// Dims is the declared number of array dimensions
	// (pg_attribute.attndims) when the column comes from a table and
	// declares more than one; zero means one.
	Dims int
}

// ColumnType is a resolved column: its Arrow field and how to read it.
type ColumnType struct {
	// Field is the Arrow field, carrying the pg.* metadata keys.
	Field arrow.Field
	// Format is the wire format to request for the column: 1 (binary) or
	// 0 (text).
	Format int16
	// Type is the PostgreSQL type.
	Type Type
	// Typmod is the PostgreSQL type modifier.
	Typmod int32

	c *codec
}

// Binary reports whether the column is read in binary format.
func (c ColumnType) Binary() bool { return c.Format == 1 }

// ckind says how a value is decoded.
type ckind uint8

const (
	cText ckind = iota // raw bytes into utf8 (text format, or text-like binary)
	cBool
	cInt2
	cInt4
	cInt8
	cOID
	cFloat4
	cFloat8
	cNumeric128
	cNumeric256
	cNumericText
	cBytea
	cDate
	cTime
	cTimestamp
	cInterval
	cUUID
	cJSON
	cJSONB
	cList
)

// codec is the decoding plan of one column or array element.
type codec struct {
	k       ckind
	typ     arrow.DataType
	scale   int32  // numeric
	elem    *codec // cList: the element
	elemOID uint32 // cList: the element type
	dims    int    // cList: nesting depth, at least 1
}

// jsonType is the arrow.json extension over utf8.
var jsonType = func() arrow.DataType {
	t, err := extensions.NewJSONType(arrow.BinaryTypes.String)
	if err != nil {
		panic(err)
	}
	return t
}()

// NumericTypmod splits a numeric type modifier into precision and scale.
// ok is false when the modifier is absent (-1) or malformed.
func NumericTypmod(typmod int32) (precision, scale int32, ok bool) {
	if typmod < 4 {
		return 0, 0, false
	}
	t := typmod - 4
	precision = (t >> 16) & 0xffff
	// PostgreSQL 15 stores the scale as an 11-bit two's-complement number.
	scale = ((t & 0x7ff) ^ 1024) - 1024
	return precision, scale, precision > 0
}

// baseCodec returns the codec of a built-in base type.
func baseCodec(oid uint32, typmod int32) *codec {
	switch oid {
	case pgtype.BoolOID:
		return &codec{k: cBool, typ: arrow.FixedWidthTypes.Boolean}
	case pgtype.Int2OID:
		return &codec{k: cInt2, typ: arrow.PrimitiveTypes.Int16}
	case pgtype.Int4OID:
		return &codec{k: cInt4, typ: arrow.PrimitiveTypes.Int32}
	case pgtype.Int8OID:
		return &codec{k: cInt8, typ: arrow.PrimitiveTypes.Int64}
	case pgtype.OIDOID:
		return &codec{k: cOID, typ: arrow.PrimitiveTypes.Uint32}
	case pgtype.Float4OID:
		return &codec{k: cFloat4, typ: arrow.PrimitiveTypes.Float32}
	case pgtype.Float8OID:
		return &codec{k: cFloat8, typ: arrow.PrimitiveTypes.Float64}
	case pgtype.NumericOID:
		p, s, ok := NumericTypmod(typmod)
		if !ok || p-min(s, 0) > 76 {
			return &codec{k: cNumericText, typ: arrow.BinaryTypes.String}
		}
		if s < 0 {
			p, s = p-s, 0
		}
		if p <= 38 {
			return &codec{k: cNumeric128, typ: &arrow.Decimal128Type{Precision: p, Scale: s}, scale: s}
		}
		return &codec{k: cNumeric256, typ: &arrow.Decimal256Type{Precision: p, Scale: s}, scale: s}
	case pgtype.ByteaOID:
		return &codec{k: cBytea, typ: arrow.BinaryTypes.Binary}
	case pgtype.DateOID:
		return &codec{k: cDate, typ: arrow.FixedWidthTypes.Date32}
	case pgtype.TimeOID:
		return &codec{k: cTime, typ: arrow.FixedWidthTypes.Time64us}
	case pgtype.TimestampOID:
		return &codec{k: cTimestamp, typ: &arrow.TimestampType{Unit: arrow.Microsecond}}
	case pgtype.TimestamptzOID:
		return &codec{k: cTimestamp, typ: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}}
	case pgtype.IntervalOID:
		return &codec{k: cInterval, typ: arrow.FixedWidthTypes.MonthDayNanoInterval}
	case pgtype.UUIDOID:
		return &codec{k: cUUID, typ: extensions.NewUUIDType()}
	case pgtype.JSONOID:
		return &codec{k: cJSON, typ: jsonType}
	case pgtype.JSONBOID:
		return &codec{k: cJSONB, typ: jsonType}
	}
	// text, varchar, bpchar, name, unknown: the binary format is the text.
	return &codec{k: cText, typ: arrow.BinaryTypes.String}
}

// lookup finds a type among the built-ins, then through resolve.
func lookup(oid uint32, resolve TypeResolver) (Type, bool) {
	if t, ok := builtins[oid]; ok {
		return t, true
	}
	if resolve != nil {
		return resolve(oid)
	}
	return Type{}, false
}

// binaryCodec returns the binary codec of a type, or nil when the type (or
// an array's element type) must be read as text.
func binaryCodec(t Type, typmod int32, dims int, resolve TypeResolver) *codec {
	switch t.Kind {
	case KindBase:
		if _, ok := builtins[t.OID]; ok {
			return baseCodec(t.OID, typmod)
		}
	case KindEnum:
		return &codec{k: cText, typ: arrow.BinaryTypes.String}
	case KindArray:
		et, ok := lookup(t.Elem, resolve)
		if !ok || et.Kind == KindArray {
			return nil
		}
		ec := binaryCodec(et, typmod, 1, resolve)
		if ec == nil {
			return nil
		}
		dims = max(dims, 1)
		typ := ec.typ
		for range dims {
			typ = arrow.ListOfField(arrow.Field{Name: "item", Type: typ, Nullable: true})
		}
		return &codec{k: cList, typ: typ, elem: ec, elemOID: t.Elem, dims: dims}
	}
	return nil
}

// Resolve maps a result column to Arrow. Types that BuiltinType does not
// know are described by resolve (which may be nil); anything without a
// binary decoder is read in text format into utf8.
func Resolve(col Column, resolve TypeResolver) ColumnType {
	t, ok := lookup(col.OID, resolve)
	if !ok {
		t = Type{OID: col.OID, Name: strconv.FormatUint(uint64(col.OID), 10), Kind: KindOther}
	}
	ct := ColumnType{Type: t, Typmod: col.Typmod, Format: 1}
	ct.c = binaryCodec(t, col.Typmod, col.Dims, resolve)
	if ct.c == nil {
		ct.Format = 0
		ct.c = &codec{k: cText, typ: arrow.BinaryTypes.String}
	}
	ct.Field = arrow.Field{
		Name:     col.Name,
		Type:     ct.c.typ,
		Nullable: true,
		Metadata: arrow.NewMetadata(
			[]string{backends.MetaPGType, backends.MetaPGTypmod, MetaPGTypeName},
			[]string{strconv.FormatUint(uint64(col.OID), 10), strconv.FormatInt(int64(col.Typmod), 10), t.Name},
		),
	}
	return ct
}
