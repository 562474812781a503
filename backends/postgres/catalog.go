package postgres

import (
	"context"
	"slices"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/quiverdb/quiver/types/pgarrow"
)

// catalog caches what the session learnt from pg_type and pg_class: types
// pgarrow does not know built in, and the names of tables that result
// columns come from. It is cleared after statements that change the
// catalog.
type catalog struct {
	types  map[uint32]pgarrow.Type
	tables map[uint32]*tableInfo
}

// tableInfo describes a table result columns come from.
type tableInfo struct {
	schema, name string
	dims         map[int16]int // attnum -> attndims, for columns declaring more than one
}

func (c *catalog) reset() {
	c.types = map[uint32]pgarrow.Type{}
	c.tables = map[uint32]*tableInfo{}
}

func (c *catalog) resolve(oid uint32) (pgarrow.Type, bool) {
	t, ok := c.types[oid]
	return t, ok && t.OID != 0
}

// oidArray formats OIDs as an oid[] literal.
func oidArray(oids []uint32) []byte {
	b := []byte{'{'}
	for i, o := range oids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, uint64(o), 10)
	}
	return append(b, '}')
}

const typeQuery = `SELECT t.oid, t.typname, b.oid, b.typtype, b.typelem, b.typlen
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
WHERE t.oid = ANY($1::pg_catalog.oid[])`

// internalQuery runs one of the backend's own catalog queries as a named
// prepared statement, so that the client's unnamed statement survives it.
func (s *Session) internalQuery(ctx context.Context, name, sql string, arg []byte) (*pgconn.Result, error) {
	if !s.prepared[name] {
		if _, err := s.conn.Prepare(ctx, name, sql, nil); err != nil {
			return nil, mapError(err)
		}
		s.prepared[name] = true
	}
	res := s.conn.ExecPrepared(ctx, name, [][]byte{arg}, nil, nil).Read()
	if res.Err != nil {
		return nil, mapError(res.Err)
	}
	return res, nil
}

// loadTypes fetches the types among oids that are neither built in nor
// cached, and the element types of arrays among them.
func (s *Session) loadTypes(ctx context.Context, oids []uint32) error {
	for range 3 { // types, then array elements, then domains' bases
		var missing []uint32
		for _, o := range oids {
			if _, ok := pgarrow.BuiltinType(o); ok {
				continue
			}
			if _, ok := s.cat.types[o]; !ok && o != 0 && !containsOID(missing, o) {
				missing = append(missing, o)
			}
		}
		if len(missing) == 0 {
			return nil
		}
		res, err := s.internalQuery(ctx, "quiver_types", typeQuery, oidArray(missing))
		if err != nil {
			return err
		}
		for _, o := range missing {
			s.cat.types[o] = pgarrow.Type{} // unknown unless found below
		}
		oids = oids[:0:0]
		for _, r := range res.Rows {
			oid := parseOID(r[0])
			base := parseOID(r[2])
			typlen, _ := strconv.Atoi(string(r[5]))
			t := pgarrow.Type{OID: oid, Name: string(r[1]), Kind: pgarrow.KindOther}
			switch {
			case string(r[3]) == "e":
				t.Kind = pgarrow.KindEnum
			case string(r[3]) == "b" && typlen == -1 && parseOID(r[4]) != 0:
				t.Kind, t.Elem = pgarrow.KindArray, parseOID(r[4])
				oids = append(oids, t.Elem)
			case base != oid:
				if bt, ok := pgarrow.BuiltinType(base); ok {
					t.OID, t.Kind, t.Elem = base, bt.Kind, bt.Elem
				}
			}
			s.cat.types[oid] = t
		}
	}
	return nil
}

func containsOID(s []uint32, o uint32) bool {
	for _, x := range s {
		if x == o {
			return true
		}
	}
	return false
}

func parseOID(b []byte) uint32 {
	n, _ := strconv.ParseUint(string(b), 10, 32)
	return uint32(n)
}

const tableQuery = `SELECT c.oid, n.nspname, c.relname, a.attnum, a.attndims
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND a.attndims > 1
WHERE c.oid = ANY($1::pg_catalog.oid[])`

// loadTables fetches the names of the tables result columns come from.
func (s *Session) loadTables(ctx context.Context, fields []pgconn.FieldDescription) error {
	var missing []uint32
	for _, f := range fields {
		if _, ok := s.cat.tables[f.TableOID]; !ok && f.TableOID != 0 && !containsOID(missing, f.TableOID) {
			missing = append(missing, f.TableOID)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	res, err := s.internalQuery(ctx, "quiver_tables", tableQuery, oidArray(missing))
	if err != nil {
		return err
	}
	for _, o := range missing {
		s.cat.tables[o] = &tableInfo{}
	}
	for _, r := range res.Rows {
		ti := s.cat.tables[parseOID(r[0])]
		ti.schema, ti.name = string(r[1]), string(r[2])
		if r[3] != nil {
			attnum, _ := strconv.Atoi(string(r[3]))
			dims, _ := strconv.Atoi(string(r[4]))
			if ti.dims == nil {
				ti.dims = map[int16]int{}
			}
			ti.dims[int16(attnum)] = dims
		}
	}
	return nil
}

// describe maps a RowDescription to Arrow columns, with pgarrow's pg.*
// metadata and the Flight SQL column metadata.
func (s *Session) describe(ctx context.Context, fields []pgconn.FieldDescription) ([]pgarrow.ColumnType, error) {
	oids := make([]uint32, len(fields))
	for i, f := range fields {
		oids[i] = f.DataTypeOID
	}
	if err := s.loadTypes(ctx, oids); err != nil {
		return nil, err
	}
	if err := s.loadTables(ctx, fields); err != nil {
		return nil, err
	}
	cols := make([]pgarrow.ColumnType, len(fields))
	for i, f := range fields {
		col := pgarrow.Column{Name: f.Name, OID: f.DataTypeOID, Typmod: f.TypeModifier}
		ti := s.cat.tables[f.TableOID]
		if ti != nil {
			col.Dims = ti.dims[int16(f.TableAttributeNumber)]
		}
		ct := pgarrow.Resolve(col, s.cat.resolve)
		ct.Field.Metadata = s.columnMetadata(ct, f.DataTypeOID, ti)
		cols[i] = ct
	}
	return cols, nil
}

// columnMetadata adds the Flight SQL column metadata to a field's pg.* keys.
func (s *Session) columnMetadata(ct pgarrow.ColumnType, oid uint32, ti *tableInfo) arrow.Metadata {
	b := flightsql.NewColumnMetadataBuilder().TypeName(ct.Type.Name).IsSearchable(true)
	switch oid {
	case pgtype.NumericOID:
		if p, sc, ok := pgarrow.NumericTypmod(ct.Typmod); ok {
			b.Precision(p).Scale(sc)
		}
	case pgtype.VarcharOID, pgtype.BPCharOID:
		if ct.Typmod >= 4 {
			b.Precision(ct.Typmod - 4)
		}
	}
	if ti != nil && ti.name != "" {
		b.CatalogName(s.database).SchemaName(ti.schema).TableName(ti.name)
	}
	fm := b.Metadata()
	keys := append(slices.Clone(ct.Field.Metadata.Keys()), fm.Keys()...)
	vals := append(slices.Clone(ct.Field.Metadata.Values()), fm.Values()...)
	return arrow.NewMetadata(keys, vals)
}
