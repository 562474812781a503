package pgarrow

import (
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/extensions"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

// PGType is a PostgreSQL column type chosen for an Arrow type.
type PGType struct {
	// SQL spells the type for CREATE TABLE, e.g. "numeric(12,2)" or
	// "bigint[]".
	SQL    string
	Type   Type
	Typmod int32
}

// ArrowToPG chooses the PostgreSQL column type for an Arrow field:
//
//	null, utf8, large_utf8, utf8_view            text
//	bool                                         boolean
//	int8, uint8, int16                           smallint
//	uint16, int32                                integer
//	uint32, int64                                bigint
//	uint64                                       numeric(20,0)
//	float32                                      real
//	float64                                      double precision
//	decimal128/256(p,s)                          numeric(p,s)
//	binary, large_binary, binary_view, fixed     bytea
//	date32, date64                               date
//	time32, time64                               time (nanoseconds are truncated)
//	timestamp without / with time zone           timestamp / timestamptz
//	intervals, duration                          interval
//	list<T>, large_list<T>, fixed_size_list<T>   T[], one [] per level
//	dictionary<_, T>                             as T
//	arrow.uuid, arrow.json                       uuid, json
//	other extensions                             as their storage type
//
// A field that carries backends.MetaPGType naming a built-in type whose
// Arrow mapping is the field's type gets that exact type back (varchar(n),
// jsonb, numeric without a modifier, ...), so tables round-trip.
// Float16, structs, maps and unions fail with 0A000.
func ArrowToPG(f arrow.Field) (PGType, error) {
	if t, ok := fromMetadata(f); ok {
		return t, nil
	}
	t, dims, err := arrowToPG(f.Type)
	if err != nil {
		return PGType{}, err
	}
	if dims > 0 {
		arr, ok := arrayOf(t.Type.OID)
		if !ok {
			return PGType{}, pgerror.New(pgerror.FeatureNotSupported, "no PostgreSQL array type for Arrow %s", f.Type)
		}
		t.SQL += strings.Repeat("[]", dims)
		t.Type = arr
	}
	return t, nil
}

// arrayOf returns the built-in array type of element type oid.
func arrayOf(oid uint32) (Type, bool) {
	for _, t := range builtins {
		if t.Kind == KindArray && t.Elem == oid {
			return t, true
		}
	}
	return Type{}, false
}

func base(sql string, oid uint32, typmod int32) PGType {
	return PGType{SQL: sql, Type: builtins[oid], Typmod: typmod}
}

// arrowToPG maps t, returning the element type and list depth for lists.
func arrowToPG(t arrow.DataType) (PGType, int, error) {
	switch tt := t.(type) {
	case *extensions.UUIDType:
		return base("uuid", pgtype.UUIDOID, -1), 0, nil
	case *extensions.JSONType:
		return base("json", pgtype.JSONOID, -1), 0, nil
	case arrow.ExtensionType:
		return arrowToPG(tt.StorageType())
	case *arrow.DictionaryType:
		return arrowToPG(tt.ValueType)
	case *arrow.Decimal128Type:
		return numericType(tt.Precision, tt.Scale), 0, nil
	case *arrow.Decimal256Type:
		return numericType(tt.Precision, tt.Scale), 0, nil
	case *arrow.TimestampType:
		if tt.TimeZone != "" {
			return base("timestamptz", pgtype.TimestamptzOID, -1), 0, nil
		}
		return base("timestamp", pgtype.TimestampOID, -1), 0, nil
	case *arrow.MapType:
	case arrow.ListLikeType:
		if t.ID() == arrow.LIST || t.ID() == arrow.LARGE_LIST || t.ID() == arrow.FIXED_SIZE_LIST {
			e, dims, err := arrowToPG(tt.Elem())
			if err == nil && e.Type.Kind == KindArray {
				err = pgerror.New(pgerror.FeatureNotSupported, "no PostgreSQL type for Arrow %s", t)
			}
			return e, dims + 1, err
		}
	}
	switch t.ID() {
	case arrow.NULL, arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return base("text", pgtype.TextOID, -1), 0, nil
	case arrow.BOOL:
		return base("boolean", pgtype.BoolOID, -1), 0, nil
	case arrow.INT8, arrow.UINT8, arrow.INT16:
		return base("smallint", pgtype.Int2OID, -1), 0, nil
	case arrow.UINT16, arrow.INT32:
		return base("integer", pgtype.Int4OID, -1), 0, nil
	case arrow.UINT32, arrow.INT64:
		return base("bigint", pgtype.Int8OID, -1), 0, nil
	case arrow.UINT64:
		return numericType(20, 0), 0, nil
	case arrow.FLOAT32:
		return base("real", pgtype.Float4OID, -1), 0, nil
	case arrow.FLOAT64:
		return base("double precision", pgtype.Float8OID, -1), 0, nil
	case arrow.BINARY, arrow.LARGE_BINARY, arrow.BINARY_VIEW, arrow.FIXED_SIZE_BINARY:
		return base("bytea", pgtype.ByteaOID, -1), 0, nil
	case arrow.DATE32, arrow.DATE64:
		return base("date", pgtype.DateOID, -1), 0, nil
	case arrow.TIME32, arrow.TIME64:
		return base("time", pgtype.TimeOID, -1), 0, nil
	case arrow.INTERVAL_MONTHS, arrow.INTERVAL_DAY_TIME, arrow.INTERVAL_MONTH_DAY_NANO, arrow.DURATION:
		return base("interval", pgtype.IntervalOID, -1), 0, nil
	}
	return PGType{}, 0, pgerror.New(pgerror.FeatureNotSupported, "no PostgreSQL type for Arrow %s", t)
}

func numericType(p, s int32) PGType {
	t := base("numeric("+strconv.Itoa(int(p))+","+strconv.Itoa(int(s))+")", pgtype.NumericOID, 0)
	t.Typmod = (p<<16 | s&0x7ff) + 4
	return t
}

// fromMetadata returns the type named by the field's pg.oid and pg.typmod
// metadata when it is built in and maps back to the field's Arrow type.
func fromMetadata(f arrow.Field) (PGType, bool) {
	oidStr, ok := f.Metadata.GetValue(backends.MetaPGType)
	if !ok {
		return PGType{}, false
	}
	oid, err := strconv.ParseUint(oidStr, 10, 32)
	if err != nil {
		return PGType{}, false
	}
	typmod := int64(-1)
	if s, ok := f.Metadata.GetValue(backends.MetaPGTypmod); ok {
		if typmod, err = strconv.ParseInt(s, 10, 32); err != nil {
			return PGType{}, false
		}
	}
	t, ok := builtins[uint32(oid)]
	if !ok || t.OID == pgtype.UnknownOID {
		return PGType{}, false
	}
	dims := listDepth(f.Type)
	ct := Resolve(Column{OID: t.OID, Typmod: int32(typmod), Dims: dims}, nil)
	if !arrow.TypeEqual(ct.Field.Type, f.Type) {
		return PGType{}, false
	}
	name := t.Name
	if t.Kind == KindArray {
		name = builtins[t.Elem].Name
	}
	return PGType{SQL: name + typmodSQL(name, int32(typmod)) + strings.Repeat("[]", dims), Type: t, Typmod: int32(typmod)}, true
}

// typmodSQL spells a type modifier as format_type does.
func typmodSQL(name string, typmod int32) string {
	if typmod < 0 {
		return ""
	}
	switch name {
	case "varchar", "bpchar":
		if typmod >= 4 {
			return "(" + strconv.Itoa(int(typmod-4)) + ")"
		}
	case "numeric":
		if p, s, ok := NumericTypmod(typmod); ok {
			return "(" + strconv.Itoa(int(p)) + "," + strconv.Itoa(int(s)) + ")"
		}
	case "time", "timestamp", "timestamptz":
		if typmod <= 6 {
			return "(" + strconv.Itoa(int(typmod)) + ")"
		}
	}
	return ""
}
