//go:build duckdb_arrow

package duckdb

/*
#include <stdlib.h>
*/
import "C"

import (
	"context"
	"strconv"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/cdata"
	bindings "github.com/duckdb/duckdb-go-bindings"

	"github.com/quiverdb/quiver/pgerror"
)

// Append loads an Arrow stream into an existing table in one statement, so
// either every row is inserted or none is. It is the bulk path behind COPY
// FROM. table is an SQL table reference inserted verbatim into the
// statement: a possibly qualified and quoted name, optionally followed by a
// column list, as in `s."my table"(a, b)`; the caller must have checked it.
// The stream's columns are matched to the table's (or the list's) by
// position, and DuckDB casts them to the column types.
//
// Append reads rows to the end but does not release it. It returns the
// number of rows inserted.
func (s *Session) Append(ctx context.Context, table string, rows array.RecordReader) (int64, error) {
	if err := s.begin(ctx); err != nil {
		return 0, err
	}
	stream := (*cdata.CArrowArrayStream)(C.calloc(1, C.size_t(unsafe.Sizeof(cdata.CArrowArrayStream{}))))
	defer C.free(unsafe.Pointer(stream))
	cdata.ExportRecordReader(rows, stream)
	defer cdata.ReleaseCArrowArrayStream(stream)

	view := "__quiver_append_" + strconv.FormatUint(s.b.appendSeq.Add(1), 10)
	if bindings.ArrowScan(s.conn, view, bindings.ArrowStream{Ptr: unsafe.Pointer(stream)}) == bindings.StateError {
		return 0, pgerror.New(pgerror.InternalError, "duckdb: cannot scan the Arrow stream for %s", table)
	}
	defer s.exec(context.Background(), `DROP VIEW IF EXISTS "`+view+`"`)

	sql := "INSERT INTO " + table + ` SELECT * FROM "` + view + `"`
	p, err := s.prepare(ctx, sql)
	if err != nil {
		return 0, err
	}
	defer p.release()
	res, err := s.run(ctx, p, sql, nil)
	if err != nil {
		return 0, err
	}
	if res.Rows != nil {
		res.Rows.Release()
	}
	return res.RowsAffected, nil
}

// exec runs a statement of the backend's own and discards its result.
func (s *Session) exec(ctx context.Context, sql string) error {
	p, err := s.prepare(ctx, sql)
	if err != nil || p == nil {
		return err
	}
	defer p.release()
	res, err := s.run(ctx, p, sql, nil)
	if err == nil && res.Rows != nil {
		res.Rows.Release()
	}
	return err
}
