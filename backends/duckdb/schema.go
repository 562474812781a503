//go:build duckdb_arrow

package duckdb

import (
	"github.com/apache/arrow-go/v18/arrow"
	bindings "github.com/duckdb/duckdb-go-bindings"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

// PostgreSQL type OIDs the backend names in field metadata.
const (
	oidOID          = "26"
	oidOIDArray     = "1028"
	oidJSON         = "114"
	oidJSONArray    = "199"
	oidUUID         = "2950"
	oidUUIDArray    = "2951"
	oidNumeric      = "1700"
	oidNumericArray = "1231"
)

// arrowSchema converts DuckDB column types to an Arrow schema, and destroys
// the types. DuckDB exports UUID and JSON columns as plain strings, and
// OIDType columns as int64; their fields carry the PostgreSQL type in
// backends.MetaPGType so that they are presented as uuid, json and oid.
func arrowSchema(opts bindings.ArrowOptions, types []bindings.LogicalType, names []string) (*arrow.Schema, error) {
	defer func() {
		for i := range types {
			bindings.DestroyLogicalType(&types[i])
		}
	}()
	sc, ed := bindings.NewArrowSchema(opts, types, names)
	defer bindings.DestroyErrorData(&ed)
	if bindings.ErrorDataHasError(ed) {
		return nil, pgerror.New(pgerror.FeatureNotSupported, "duckdb: result type has no Arrow equivalent: %s", bindings.ErrorDataMessage(ed))
	}
	var fields []arrow.Field
	for i, lt := range types {
		oid := pgTypeOf(lt)
		unscaled := oid == "" && isUnscaledNumeric(sc.Field(i).Type)
		if oid == "" && !unscaled {
			continue
		}
		if fields == nil {
			fields = sc.Fields()
		}
		f := &fields[i]
		switch id := f.Type.ID(); {
		case unscaled:
			oid = oidNumeric
			if arrow.IsListLike(id) {
				oid = oidNumericArray
			}
			f.Metadata = arrow.NewMetadata(
				[]string{backends.MetaPGType, backends.MetaPGTypmod, backends.MetaNumericUnscaled},
				[]string{oid, "-1", "1"})
		case id == arrow.STRING || id == arrow.INT64 || arrow.IsListLike(id):
			f.Metadata = arrow.NewMetadata([]string{backends.MetaPGType}, []string{oid})
		}
	}
	if fields != nil {
		md := sc.Metadata()
		sc = arrow.NewSchema(fields, &md)
	}
	return sc, nil
}

// isUnscaledNumeric reports whether t is the DECIMAL that stands for
// numeric without a typmod (NumericPrecision, NumericScale), or a list of
// it.
func isUnscaledNumeric(t arrow.DataType) bool {
	if l, ok := t.(arrow.ListLikeType); ok {
		t = l.Elem()
	}
	d, ok := t.(*arrow.Decimal128Type)
	return ok && d.Precision == NumericPrecision && d.Scale == NumericScale
}

// pgTypeOf returns the OID of the PostgreSQL type a DuckDB type stands for
// when Arrow cannot say it, or "".
func pgTypeOf(lt bindings.LogicalType) string {
	switch bindings.GetTypeId(lt) {
	case bindings.TypeUUID:
		return oidUUID
	case bindings.TypeVarchar:
		if bindings.LogicalTypeGetAlias(lt) == "JSON" {
			return oidJSON
		}
	case bindings.TypeBigInt:
		if bindings.LogicalTypeGetAlias(lt) == OIDType {
			return oidOID
		}
	case bindings.TypeList:
		child := bindings.ListTypeChildType(lt)
		defer bindings.DestroyLogicalType(&child)
		switch pgTypeOf(child) {
		case oidUUID:
			return oidUUIDArray
		case oidJSON:
			return oidJSONArray
		case oidOID:
			return oidOIDArray
		}
	}
	return ""
}

func sameTypes(a, b *arrow.Schema) bool {
	if a.NumFields() != b.NumFields() {
		return false
	}
	for i := range a.NumFields() {
		if !arrow.TypeEqual(a.Field(i).Type, b.Field(i).Type) {
			return false
		}
	}
	return true
}

// shape is the Arrow schema of a prepared statement's last result, kept to
// be reused for its next results while they have the same columns.
type shape struct {
	gen    uint64 // the Backend's generation, which settings of the Arrow export follow
	names  []string
	types  []bindings.Type
	schema *arrow.Schema
}

// resultSchema returns the Arrow schema of res, a result of p, reusing the
// one of p's previous result when the columns have the same names and types.
// DuckDB can replan a statement between runs (after a catalog change, or
// because it reads files), so the columns are compared every time; only
// types that their id fully describes are reused, and VARCHAR and BIGINT
// only without an alias (JSON, OIDType).
func (p *prepared) resultSchema(res *bindings.Result, opts bindings.ArrowOptions, gen uint64) (*arrow.Schema, error) {
	n := int(bindings.ColumnCount(res))
	if sh := p.shape; sh != nil && sh.gen == gen && len(sh.types) == n && sh.matches(res) {
		return sh.schema, nil
	}
	p.shape = nil
	names := make([]string, n)
	types := make([]bindings.LogicalType, n)
	ids := make([]bindings.Type, n)
	reusable := true
	for i := range n {
		c := bindings.IdxT(i)
		names[i] = bindings.ColumnName(res, c)
		types[i] = bindings.ColumnLogicalType(res, c)
		ids[i] = bindings.GetTypeId(types[i])
		reusable = reusable && plainType(ids[i]) && bindings.LogicalTypeGetAlias(types[i]) == ""
	}
	sc, err := arrowSchema(opts, types, names)
	if err == nil && reusable {
		p.shape = &shape{gen: gen, names: names, types: ids, schema: sc}
	}
	return sc, err
}

// matches reports whether res has the columns sh was made for.
func (sh *shape) matches(res *bindings.Result) bool {
	for i, id := range sh.types {
		c := bindings.IdxT(i)
		if bindings.ColumnType(res, c) != id || bindings.ColumnName(res, c) != sh.names[i] {
			return false
		}
		if (id == bindings.TypeVarchar || id == bindings.TypeBigInt) && hasAlias(res, c) {
			return false
		}
	}
	return true
}

func hasAlias(res *bindings.Result, col bindings.IdxT) bool {
	lt := bindings.ColumnLogicalType(res, col)
	defer bindings.DestroyLogicalType(&lt)
	return bindings.LogicalTypeGetAlias(lt) != ""
}

// plainType reports whether DuckDB type id has no parameters, so that the
// id alone decides its Arrow type.
func plainType(id bindings.Type) bool {
	switch id {
	case bindings.TypeBoolean, bindings.TypeTinyInt, bindings.TypeSmallInt, bindings.TypeInteger, bindings.TypeBigInt,
		bindings.TypeUTinyInt, bindings.TypeUSmallInt, bindings.TypeUInteger, bindings.TypeUBigInt,
		bindings.TypeHugeInt, bindings.TypeUHugeInt, bindings.TypeFloat, bindings.TypeDouble,
		bindings.TypeDate, bindings.TypeTime, bindings.TypeTimeTZ, bindings.TypeInterval,
		bindings.TypeTimestamp, bindings.TypeTimestampS, bindings.TypeTimestampMS, bindings.TypeTimestampNS,
		bindings.TypeTimestampTZ, bindings.TypeVarchar, bindings.TypeBlob, bindings.TypeUUID, bindings.TypeSQLNull:
		return true
	}
	return false
}
