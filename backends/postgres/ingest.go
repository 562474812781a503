package postgres

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/types/pgarrow"
)

// IngestMode says what Ingest does with the target table.
type IngestMode = backends.IngestMode

// The ingest modes.
const (
	IngestCreate       = backends.IngestCreate
	IngestAppend       = backends.IngestAppend
	IngestReplace      = backends.IngestReplace
	IngestCreateAppend = backends.IngestCreateAppend
)

// Ingest writes the batches of rows into table with COPY ... FROM STDIN
// (FORMAT binary), encoding Arrow straight to PostgreSQL's binary format,
// and returns the number of rows written. It reads rows to the end but does
// not Release it.
//
// table is one identifier, or schema.table; each part is quoted as given
// (so names keep their case, and cannot contain a dot). Columns are matched
// by name; table columns not in the batches get their defaults. Created
// tables take their column types from pgarrow.ArrowToPG.
//
// Everything happens in one transaction, or under a savepoint when the
// session is already in one: on any error (a value out of range, a
// constraint violation, a batch that does not match the schema) nothing is
// left behind, including a table the call created or dropped.
func (s *Session) Ingest(ctx context.Context, table string, mode IngestMode, rows array.RecordReader) (int64, error) {
	if err := s.ready(); err != nil {
		return 0, err
	}
	var begin, commit, rollback string
	switch s.conn.TxStatus() {
	case 'E':
		return 0, pgerror.New(pgerror.InFailedSQLTransaction, "current transaction is aborted, commands ignored until end of transaction block")
	case 'T':
		begin = "SAVEPOINT quiver_ingest"
		commit = "RELEASE SAVEPOINT quiver_ingest"
		rollback = "ROLLBACK TO SAVEPOINT quiver_ingest; RELEASE SAVEPOINT quiver_ingest"
	default:
		begin, commit, rollback = "BEGIN", "COMMIT", "ROLLBACK"
	}
	if err := s.exec(ctx, begin); err != nil {
		return 0, err
	}
	n, err := s.ingest(ctx, quoteQualified(table), mode, rows)
	if err == nil {
		err = s.exec(ctx, commit)
	}
	s.cat.reset()
	if err != nil {
		if !s.conn.IsClosed() {
			rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			_ = s.exec(rctx, rollback)
			cancel()
		}
		return 0, err
	}
	return n, nil
}

func (s *Session) ingest(ctx context.Context, table string, mode IngestMode, rows array.RecordReader) (int64, error) {
	schema := rows.Schema()
	if mode != IngestAppend {
		var ddl strings.Builder
		if mode == IngestReplace {
			ddl.WriteString("DROP TABLE IF EXISTS " + table + "; ")
		}
		ddl.WriteString("CREATE TABLE ")
		if mode == IngestCreateAppend {
			ddl.WriteString("IF NOT EXISTS ")
		}
		ddl.WriteString(table + " (")
		for i, f := range schema.Fields() {
			pt, err := pgarrow.ArrowToPG(f)
			if err != nil {
				return 0, err
			}
			if i > 0 {
				ddl.WriteString(", ")
			}
			ddl.WriteString(quoteIdent(f.Name) + " " + pt.SQL)
		}
		ddl.WriteString(")")
		if err := s.exec(ctx, ddl.String()); err != nil {
			return 0, err
		}
	}
	cols, err := s.tableColumns(ctx, table)
	if err != nil {
		return 0, err
	}
	encs := make([]*pgarrow.Encoder, schema.NumFields())
	var copySQL strings.Builder
	copySQL.WriteString("COPY " + table + " (")
	for i, f := range schema.Fields() {
		c, ok := cols[f.Name]
		if !ok {
			return 0, pgerror.New(pgerror.UndefinedColumn, "column %q of relation %s does not exist", f.Name, table)
		}
		if encs[i], err = pgarrow.NewEncoder(f.Type, c.typ, c.typmod, s.cat.resolve); err != nil {
			if pe, ok := err.(*pgerror.Error); ok {
				return 0, pe.WithDetail("column " + quoteIdent(f.Name))
			}
			return 0, err
		}
		if i > 0 {
			copySQL.WriteString(", ")
		}
		copySQL.WriteString(quoteIdent(f.Name))
	}
	copySQL.WriteString(") FROM STDIN (FORMAT binary)")
	r := pgarrow.NewCopyReader(rows, encs)
	tag, err := s.conn.CopyFrom(ctx, r, copySQL.String())
	if rerr := r.Err(); rerr != nil {
		return 0, rerr // our own error made PostgreSQL fail the COPY
	}
	if err != nil {
		return 0, mapError(err)
	}
	return tag.RowsAffected(), nil
}

type columnType struct {
	typ    pgarrow.Type
	typmod int32
}

const columnsQuery = `SELECT a.attname, a.atttypid, a.atttypmod
FROM pg_catalog.pg_attribute a
WHERE a.attrelid = $1::pg_catalog.regclass AND a.attnum > 0 AND NOT a.attisdropped`

// tableColumns returns the types of a table's columns by name.
func (s *Session) tableColumns(ctx context.Context, table string) (map[string]columnType, error) {
	res, err := s.internalQuery(ctx, "quiver_columns", columnsQuery, []byte(table))
	if err != nil {
		return nil, err
	}
	oids := make([]uint32, len(res.Rows))
	for i, r := range res.Rows {
		oids[i] = parseOID(r[1])
	}
	if err := s.loadTypes(ctx, oids); err != nil {
		return nil, err
	}
	cols := make(map[string]columnType, len(res.Rows))
	for i, r := range res.Rows {
		typmod, _ := strconv.Atoi(string(r[2]))
		t, ok := pgarrow.BuiltinType(oids[i])
		if !ok {
			if t, ok = s.cat.resolve(oids[i]); !ok {
				t = pgarrow.Type{OID: oids[i], Name: strconv.FormatUint(uint64(oids[i]), 10)}
			}
		}
		cols[string(r[0])] = columnType{typ: t, typmod: int32(typmod)}
	}
	return cols, nil
}

// exec runs statements with the simple protocol, ignoring their results.
func (s *Session) exec(ctx context.Context, sql string) error {
	_, err := s.conn.Exec(ctx, sql).ReadAll()
	return mapError(err)
}

func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// quoteQualified quotes table, or schema.table.
func quoteQualified(table string) string {
	if schema, name, ok := strings.Cut(table, "."); ok {
		return quoteIdent(schema) + "." + quoteIdent(name)
	}
	return quoteIdent(table)
}
