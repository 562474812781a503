package flightsrv

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/types/pgarrow"
)

// IngestMode says what bulk ingestion does with the target table.
type IngestMode = backends.IngestMode

// The ingest modes.
const (
	IngestCreate       = backends.IngestCreate
	IngestAppend       = backends.IngestAppend
	IngestReplace      = backends.IngestReplace
	IngestCreateAppend = backends.IngestCreateAppend
)

// Ingester is a session with its own bulk load path (backends.Ingester).
type Ingester = backends.Ingester

// appender is a backends.Session that appends an Arrow stream to an
// existing table in one statement (the DuckDB backend). table is an SQL
// table reference, optionally with a column list; the stream's columns are
// matched by position. It reads rows to the end and does not release them.
type appender interface {
	Append(ctx context.Context, table string, rows array.RecordReader) (int64, error)
}

// ingestPlan is a bulk ingestion request, checked.
type ingestPlan struct {
	catalog, schema, table string
	temporary              bool
	mode                   IngestMode
	// replaceExisting: replace a table that must exist (no Ingester mode).
	replaceExisting bool
}

func planIngest(cmd flightsql.StatementIngest) (ingestPlan, error) {
	p := ingestPlan{catalog: cmd.GetCatalog(), schema: cmd.GetSchema(), table: cmd.GetTable(), temporary: cmd.GetTemporary()}
	if p.table == "" {
		return p, pgerror.New(pgerror.InvalidParameterValue, "bulk ingestion needs a table name")
	}
	if p.temporary && (p.catalog != "" || p.schema != "") {
		return p, pgerror.New(pgerror.InvalidParameterValue, "a temporary table takes no catalog or schema: the backend places it")
	}
	opts := cmd.GetTableDefinitionOptions()
	create := opts.GetIfNotExist() == flightsql.TableDefinitionOptionsTableNotExistOptionCreate
	switch opts.GetIfExists() {
	case flightsql.TableDefinitionOptionsTableExistsOptionAppend:
		p.mode = IngestAppend
		if create {
			p.mode = IngestCreateAppend
		}
	case flightsql.TableDefinitionOptionsTableExistsOptionReplace:
		p.mode = IngestReplace
		p.replaceExisting = !create
	default:
		if !create {
			return p, pgerror.New(pgerror.InvalidParameterValue, "bulk ingestion that fails whether or not the table exists")
		}
		p.mode = IngestCreate
	}
	return p, nil
}

// name is the quoted, qualified table name.
func (p ingestPlan) name() string {
	var parts []string
	for _, s := range []string{p.catalog, p.schema} {
		if s != "" {
			parts = append(parts, quoteIdent(s))
		}
	}
	return strings.Join(append(parts, quoteIdent(p.table)), ".")
}

// DoPutCommandStatementIngest loads the batches the client sends into a
// table, all or nothing, and returns the number of rows loaded. Without a
// transaction id it runs in a transaction of its own, on a connection of
// its own (the autocommit one for a temporary table, which only that
// connection sees). The rows go through the backend session's Ingest if it
// is an Ingester, else its Append after the DDL the mode needs, else
// through a prepared INSERT run once per row.
func (h *sqlServer) DoPutCommandStatementIngest(ctx context.Context, cmd flightsql.StatementIngest, rdr flight.MessageReader) (int64, error) {
	n, err := h.ingest(ctx, cmd, rdr)
	if err != nil {
		return 0, toStatus(err)
	}
	return n, nil
}

func (h *sqlServer) ingest(ctx context.Context, cmd flightsql.StatementIngest, rows array.RecordReader) (int64, error) {
	plan, err := planIngest(cmd)
	if err != nil {
		return 0, err
	}
	if len(cmd.GetTransactionId()) > 0 {
		_, cn, _, err := callFrom(ctx).connForTxn(ctx, cmd.GetTransactionId())
		if err != nil {
			return 0, err
		}
		return plan.run(ctx, cn, rows, false)
	}
	ss, err := callFrom(ctx).session(ctx)
	if err != nil {
		return 0, err
	}
	if plan.temporary {
		cn, err := ss.mainConn(ctx)
		if err != nil {
			return 0, err
		}
		return plan.run(ctx, cn, rows, true)
	}
	cn, err := ss.takeSpare(ctx)
	if err != nil {
		return 0, err
	}
	n, err := plan.run(ctx, cn, rows, true)
	if ctx.Err() != nil {
		cn.close()
	} else {
		ss.putSpare(cn)
	}
	return n, err
}

// run ingests on cn, in a transaction of its own when own is set.
func (p ingestPlan) run(ctx context.Context, cn *conn, rows array.RecordReader, own bool) (int64, error) {
	var n int64
	err := cn.with(func(be backends.Session) error {
		if ing, ok := be.(Ingester); ok && !p.temporary && !p.replaceExisting && p.catalog == "" {
			var err error
			n, err = ing.Ingest(ctx, p.ingesterTable(), p.mode, rows)
			return err
		}
		if own {
			if err := run(ctx, be, "BEGIN"); err != nil {
				return err
			}
		}
		var err error
		n, err = p.load(ctx, be, rows)
		if own {
			if err == nil {
				err = run(ctx, be, "COMMIT")
			}
			if err != nil {
				_ = run(context.WithoutCancel(ctx), be, "ROLLBACK")
			}
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

func (p ingestPlan) ingesterTable() string {
	if p.schema != "" {
		return p.schema + "." + p.table
	}
	return p.table
}

// load runs the DDL the mode needs, then appends the rows.
func (p ingestPlan) load(ctx context.Context, be backends.Session, rows array.RecordReader) (int64, error) {
	name := p.name()
	schema := rows.Schema()
	if p.mode != IngestAppend {
		ddl, err := createTable(p, schema)
		if err != nil {
			return 0, err
		}
		if p.mode == IngestReplace {
			drop := "DROP TABLE "
			if !p.replaceExisting {
				drop += "IF EXISTS "
			}
			if err := run(ctx, be, drop+name); err != nil {
				return 0, err
			}
		}
		if err := run(ctx, be, ddl); err != nil {
			return 0, err
		}
	}
	cols := make([]string, schema.NumFields())
	for i, f := range schema.Fields() {
		cols[i] = quoteIdent(f.Name)
	}
	target := name + " (" + strings.Join(cols, ", ") + ")"
	if a, ok := be.(appender); ok {
		return a.Append(ctx, target, rows)
	}
	return insertRows(ctx, be, target, schema, rows)
}

// createTable returns the CREATE TABLE for the plan, with PostgreSQL's
// types for the Arrow fields, which DuckDB also accepts.
func createTable(p ingestPlan, schema *arrow.Schema) (string, error) {
	var b strings.Builder
	b.WriteString("CREATE ")
	if p.temporary {
		b.WriteString("TEMPORARY ")
	}
	b.WriteString("TABLE ")
	if p.mode == IngestCreateAppend {
		b.WriteString("IF NOT EXISTS ")
	}
	b.WriteString(p.name() + " (")
	for i, f := range schema.Fields() {
		t, err := pgarrow.ArrowToPG(f)
		if err != nil {
			return "", err
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteIdent(f.Name) + " " + t.SQL)
		if !f.Nullable {
			b.WriteString(" NOT NULL")
		}
	}
	b.WriteString(")")
	return b.String(), nil
}

// insertRows inserts rows with a prepared INSERT, run as one batch when
// the backend statement is a backends.BatchExecutor, else once per row.
func insertRows(ctx context.Context, be backends.Session, target string, schema *arrow.Schema, rows array.RecordReader) (int64, error) {
	marks := make([]string, schema.NumFields())
	types := make([]arrow.DataType, schema.NumFields())
	for i, f := range schema.Fields() {
		marks[i] = "$" + strconv.Itoa(i+1)
		types[i] = f.Type
	}
	st, err := be.Prepare(ctx, "INSERT INTO "+target+" VALUES ("+strings.Join(marks, ", ")+")", types)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	if bx, ok := st.(backends.BatchExecutor); ok {
		n, err := bx.ExecuteBatch(ctx, rows)
		if !errors.Is(err, backends.ErrNotSupported) {
			return n, err
		}
	}
	var n int64
	for rows.Next() {
		err := eachRow(rows.RecordBatch(), func(row arrow.RecordBatch) error {
			res, err := st.Execute(ctx, row)
			if err != nil {
				return rowError(err, n+1)
			}
			if res.Rows != nil {
				res.Rows.Release()
			}
			n++
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	return n, rows.Err()
}

// run runs a statement of the server's own on be, discarding its result.
func run(ctx context.Context, be backends.Session, sql string) error {
	res, err := be.Query(ctx, sql)
	if err == nil && res.Rows != nil {
		_, err = drain(res.Rows, -1)
	}
	return err
}
