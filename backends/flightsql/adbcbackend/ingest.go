package adbcbackend

import (
	"context"
	"strconv"
	"strings"

	"github.com/apache/arrow-adbc/go/adbc"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/quiverdb/quiver/backends"
)

var ingestModes = map[backends.IngestMode]string{
	backends.IngestCreate:       adbc.OptionValueIngestModeCreate,
	backends.IngestAppend:       adbc.OptionValueIngestModeAppend,
	backends.IngestReplace:      adbc.OptionValueIngestModeReplace,
	backends.IngestCreateAppend: adbc.OptionValueIngestModeCreateAppend,
}

// Ingest loads rows into table with ADBC bulk ingestion (Flight SQL's
// CommandStatementIngest), in the session's transaction if one is open. The
// server decides how atomic that is; quiver's own Flight SQL frontend makes
// it all or nothing. It implements backends.Ingester.
func (s *Session) Ingest(ctx context.Context, table string, mode backends.IngestMode, rows array.RecordReader) (int64, error) {
	if s.tx.open && s.tx.real && mode == backends.IngestAppend {
		// Flight SQL's ingest command can name a transaction, but the ADBC
		// driver does not send it: inside a transaction, use a prepared
		// INSERT, which the server runs in the transaction.
		return s.insertRows(ctx, table, rows)
	}
	return s.bindAndRun(ctx, rows, func(st adbc.Statement) error {
		if err := st.SetOption(adbc.OptionKeyIngestTargetTable, table); err != nil {
			return err
		}
		return st.SetOption(adbc.OptionKeyIngestMode, ingestModes[mode])
	})
}

// bindAndRun makes a statement on one of the session's connections, sets it
// up, binds rows to it and runs it as an update, returning the rows
// affected.
func (s *Session) bindAndRun(ctx context.Context, rows array.RecordReader, setup func(adbc.Statement) error) (int64, error) {
	var n int64
	err := s.attempt(ctx, false, func(c *conn) error {
		st, err := c.NewStatement()
		if err != nil {
			return s.fail(ctx, c, err)
		}
		defer st.Close()
		if err := setup(st); err != nil {
			return s.fail(ctx, c, err)
		}
		if err := st.BindStream(ctx, rows); err != nil {
			return s.fail(ctx, c, err)
		}
		n, err = st.ExecuteUpdate(ctx)
		if err != nil {
			return s.fail(ctx, c, err)
		}
		return nil
	})
	return n, err
}

// insertRows appends rows with a prepared INSERT bound to the whole stream.
func (s *Session) insertRows(ctx context.Context, table string, rows array.RecordReader) (int64, error) {
	var cols, marks []string
	for i, f := range rows.Schema().Fields() {
		cols = append(cols, `"`+strings.ReplaceAll(f.Name, `"`, `""`)+`"`)
		marks = append(marks, "$"+strconv.Itoa(i+1))
	}
	parts := strings.Split(table, ".")
	for i, p := range parts {
		parts[i] = `"` + strings.ReplaceAll(p, `"`, `""`) + `"`
	}
	sql := "INSERT INTO " + strings.Join(parts, ".") + " (" + strings.Join(cols, ", ") + ") VALUES (" + strings.Join(marks, ", ") + ")"
	return s.bindAndRun(ctx, rows, func(st adbc.Statement) error {
		if err := st.SetSqlQuery(sql); err != nil {
			return err
		}
		return st.Prepare(ctx)
	})
}
