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
	oidJSON      = "114"
	oidJSONArray = "199"
	oidUUID      = "2950"
	oidUUIDArray = "2951"
)

// arrowSchema converts DuckDB column types to an Arrow schema, and destroys
// the types. DuckDB exports UUID and JSON columns as plain strings; their
// fields carry the PostgreSQL type in backends.MetaPGType so that they are
// presented as uuid and json.
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
		if oid == "" {
			continue
		}
		if fields == nil {
			fields = sc.Fields()
		}
		f := &fields[i]
		if _, ok := f.Type.(*arrow.StringType); ok || arrow.IsListLike(f.Type.ID()) {
			f.Metadata = arrow.NewMetadata([]string{backends.MetaPGType}, []string{oid})
		}
	}
	if fields != nil {
		md := sc.Metadata()
		sc = arrow.NewSchema(fields, &md)
	}
	return sc, nil
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
	case bindings.TypeList:
		child := bindings.ListTypeChildType(lt)
		defer bindings.DestroyLogicalType(&child)
		switch pgTypeOf(child) {
		case oidUUID:
			return oidUUIDArray
		case oidJSON:
			return oidJSONArray
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
