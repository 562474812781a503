//go:build duckdb_arrow

package duckdb

import (
	"context"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	bindings "github.com/duckdb/duckdb-go-bindings"
)

// appendedRows names the appended rows in Append's INSERT. It shadows a
// table of that name only inside that statement.
const appendedRows = "__quiver_rows"

// Append loads an Arrow stream into an existing table, so that either
// every row is inserted or none is. It is the bulk path behind COPY FROM.
// table is an SQL table reference inserted verbatim into the statement: a
// possibly qualified and quoted name, optionally followed by a column
// list, as in `s."my table"(a, b)`; the caller must have checked it. The
// stream's columns are matched to the table's (or the list's) by position,
// and DuckDB casts them to the column types.
//
// The rows go through a DuckDB appender that runs
// `INSERT INTO table SELECT * FROM __quiver_rows` over the chunks it
// holds, converted from Arrow by DuckDB. An appender leaves nothing behind
// in the catalog. (Registering the stream as an Arrow-scan view did: each
// view created and dropped kept about 1.5 kB of the engine's memory, and
// duckdb_arrow_scan never released the schema it read, so a server taking
// many COPYs grew without bound.) The appender may run its INSERT more
// than once for a large stream, so outside a transaction Append wraps it
// in one of its own.
//
// Append reads rows to the end but does not release it. It returns the
// number of rows inserted.
func (s *Session) Append(ctx context.Context, table string, rows array.RecordReader) (int64, error) {
	if err := s.begin(ctx); err != nil {
		return 0, err
	}
	own := !s.inTx
	if own {
		if err := s.exec(ctx, "BEGIN TRANSACTION"); err != nil {
			return 0, err
		}
	}
	w := watchConn(ctx, s.conn)
	n, err := s.appendRows(ctx, table, rows)
	w.end()
	s.changedData()
	if !own {
		return n, err
	}
	if err != nil {
		// A cancelled context must not stop the rollback.
		_ = s.exec(context.WithoutCancel(ctx), "ROLLBACK")
		return 0, err
	}
	if err := s.exec(ctx, "COMMIT"); err != nil {
		_ = s.exec(context.WithoutCancel(ctx), "ROLLBACK")
		return 0, err
	}
	return n, nil
}

// appendRows appends every row of rows through one appender.
func (s *Session) appendRows(ctx context.Context, table string, rows array.RecordReader) (int64, error) {
	sql := "INSERT INTO " + table + " SELECT * FROM " + appendedRows
	conv, ed := bindings.SchemaFromArrow(s.conn, rows.Schema())
	if err := errorData(ctx, ed, sql); err != nil {
		return 0, err
	}
	defer bindings.DestroyArrowConvertedSchema(&conv)

	var app bindings.Appender
	defer bindings.AppenderDestroy(&app)
	var n int64
	for rows.Next() {
		rec := rows.RecordBatch()
		for off, size := int64(0), int64(bindings.VectorSize()); off < rec.NumRows(); off += size {
			k, err := s.appendChunk(ctx, &app, conv, rec, off, min(off+size, rec.NumRows()), sql)
			if err != nil {
				return 0, err
			}
			n += k
		}
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if ctx.Err() != nil {
		return 0, canceled(ctx)
	}
	if app.Ptr != nil && bindings.AppenderClose(app) == bindings.StateError {
		return 0, errorData(ctx, bindings.AppenderErrorData(app), sql)
	}
	return n, nil
}

// appendChunk converts rows [i, j) of rec, at most one DuckDB vector, to a
// data chunk and appends it, creating the appender with the chunk's types
// the first time.
func (s *Session) appendChunk(ctx context.Context, app *bindings.Appender, conv bindings.ArrowConvertedSchema, rec arrow.RecordBatch, i, j int64, sql string) (int64, error) {
	if ctx.Err() != nil {
		return 0, canceled(ctx)
	}
	part := rec.NewSlice(i, j)
	chunk, ed := bindings.DataChunkFromArrow(s.conn, part, conv)
	part.Release()
	if err := errorData(ctx, ed, sql); err != nil {
		return 0, err
	}
	defer bindings.DestroyDataChunk(&chunk)
	if app.Ptr == nil {
		types := make([]bindings.LogicalType, bindings.DataChunkGetColumnCount(chunk))
		for c := range types {
			types[c] = bindings.VectorGetColumnType(bindings.DataChunkGetVector(chunk, bindings.IdxT(c)))
		}
		st := bindings.AppenderCreateQuery(s.conn, sql, types, appendedRows, nil, app)
		for c := range types {
			bindings.DestroyLogicalType(&types[c])
		}
		if st == bindings.StateError {
			return 0, errorData(ctx, bindings.AppenderErrorData(*app), sql)
		}
	}
	if bindings.AppendDataChunk(*app, chunk) == bindings.StateError {
		return 0, errorData(ctx, bindings.AppenderErrorData(*app), sql)
	}
	return j - i, nil
}

// errorData turns DuckDB's error data, if it holds an error, into the
// statement's error, and destroys it.
func errorData(ctx context.Context, ed bindings.ErrorData, sql string) error {
	defer bindings.DestroyErrorData(&ed)
	if !bindings.ErrorDataHasError(ed) {
		return nil
	}
	// The appender puts its own prefix before the INSERT's error.
	msg := strings.TrimPrefix(bindings.ErrorDataMessage(ed), "Failed to append: ")
	return engineError(ctx, bindings.ErrorDataErrorType(ed), msg, sql)
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
