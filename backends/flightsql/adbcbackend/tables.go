package adbcbackend

import (
	"context"
	"fmt"

	"github.com/apache/arrow-adbc/go/adbc"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Table is a table or view the engine lists, with its columns as Arrow
// fields.
type Table struct {
	Catalog  string // empty when the engine has none
	DBSchema string // empty when the engine has none
	Name     string
	Type     string // as the engine names it: "table", "view", "TABLE", …
	Schema   *arrow.Schema
}

// Tables lists the engine's tables with their schemas, for the catalog
// layer. It uses ADBC GetObjects for the names and GetTableSchema for each
// table's columns, so it costs one round trip per table.
func (s *Session) Tables(ctx context.Context) ([]Table, error) {
	c, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	rr, err := c.GetObjects(ctx, adbc.ObjectDepthTables, nil, nil, nil, nil, nil)
	if err != nil {
		return nil, s.fail(ctx, c, err)
	}
	tables, err := readObjects(rr)
	rr.Release()
	if err != nil {
		return nil, s.fail(ctx, c, err)
	}
	for i := range tables {
		t := &tables[i]
		var catalog, dbSchema *string
		if t.Catalog != "" {
			catalog = &t.Catalog
		}
		if t.DBSchema != "" {
			dbSchema = &t.DBSchema
		}
		if t.Schema, err = c.GetTableSchema(ctx, catalog, dbSchema, t.Name); err != nil {
			return nil, s.fail(ctx, c, err)
		}
	}
	return tables, nil
}

// readObjects flattens a GetObjects result (adbc.GetObjectsSchema) at
// table depth.
func readObjects(rr array.RecordReader) ([]Table, error) {
	if !rr.Schema().Equal(adbc.GetObjectsSchema) {
		return nil, fmt.Errorf("GetObjects returned schema %s", rr.Schema())
	}
	var out []Table
	for rr.Next() {
		rec := rr.RecordBatch()
		catalogs := rec.Column(0).(*array.String)
		schemaLists := rec.Column(1).(*array.List)
		schemas := schemaLists.ListValues().(*array.Struct)
		schemaNames := schemas.Field(0).(*array.String)
		tableLists := schemas.Field(1).(*array.List)
		tables := tableLists.ListValues().(*array.Struct)
		tableNames := tables.Field(0).(*array.String)
		tableTypes := tables.Field(1).(*array.String)
		for ci := range int(rec.NumRows()) {
			if schemaLists.IsNull(ci) {
				continue
			}
			s0, s1 := schemaLists.ValueOffsets(ci)
			for si := int(s0); si < int(s1); si++ {
				if tableLists.IsNull(si) {
					continue
				}
				t0, t1 := tableLists.ValueOffsets(si)
				for ti := int(t0); ti < int(t1); ti++ {
					out = append(out, Table{
						Catalog:  catalogs.Value(ci),
						DBSchema: schemaNames.Value(si),
						Name:     tableNames.Value(ti),
						Type:     tableTypes.Value(ti),
					})
				}
			}
		}
	}
	return out, rr.Err()
}
