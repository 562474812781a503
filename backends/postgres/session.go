package postgres

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/types/pgarrow"
)

// Session is one client's PostgreSQL connection. See the package
// documentation of backends for the calling rules.
type Session struct {
	conn       *pgconn.PgConn
	mem        memory.Allocator
	batchBytes int
	database   string
	cat        catalog
	prepared   map[string]bool // the backend's own named statements
	open       *rows           // the result whose statement is in flight
	stmtSeq    uint64
	closed     bool
	stats      Stats
	// scanSnap is the snapshot of the scan transaction the session is in
	// (see scan.go), or "".
	scanSnap      string
	cancelTimeout time.Duration
	cancel        *cancelHandler // the connection's; nil if it has another
}

// Stats counts how a session ran its statements.
type Stats struct {
	Copy     int // row-returning statements read by COPY
	Extended int // row-returning statements read by the extended protocol
	Exec     int // statements without rows
	Batch    int // parameter batches run by Stmt.ExecuteBatch
}

// Stats returns the session's counts.
func (s *Session) Stats() Stats { return s.stats }

var _ backends.Session = (*Session)(nil)

func newSession(b *Backend, conn *pgconn.PgConn, cancel *cancelHandler) *Session {
	s := &Session{
		conn:       conn,
		cancel:     cancel,
		mem:        b.opts.Allocator,
		batchBytes: b.opts.BatchBytes,
		database:   conn.ParameterStatus("database"),
		prepared:   map[string]bool{},

		cancelTimeout: b.opts.CancelTimeout,
	}
	if s.database == "" {
		s.database = b.cfg.Database
	}
	s.cat.reset()
	return s
}

// Conn returns the session's connection, for tests and diagnostics. Using
// it while a result is open breaks the session.
func (s *Session) Conn() *pgconn.PgConn { return s.conn }

func (s *Session) decoderOptions() pgarrow.DecoderOptions {
	return pgarrow.DecoderOptions{ValidateUTF8: s.conn.ParameterStatus("server_encoding") == "SQL_ASCII"}
}

// IsValid reports whether the session can run statements: its connection
// is open, and PostgreSQL answered every CancelRequest sent for it, so that
// none can still arrive and cancel a later statement (see cancel.go). A pool of sessions should
// discard one that is not valid rather than reuse it, as database/sql does
// with a driver.Validator. While a result is open its statement owns the
// connection, which then counts as valid if the session is open.
func (s *Session) IsValid() bool {
	if s.closed || s.cancel != nil && (s.cancel.unsure.Load() || s.cancel.broken.Load()) {
		return false
	}
	return s.open != nil || !s.conn.IsClosed()
}

// ready finishes the open result, if any, and checks the connection.
func (s *Session) ready() error {
	if s.open != nil {
		s.open.materialise()
	}
	if s.closed {
		return pgerror.New("08003", "session is closed")
	}
	if s.conn.IsClosed() {
		return pgerror.New(pgerror.ConnectionFailure, "connection to PostgreSQL was lost")
	}
	return nil
}

func (s *Session) scan(sql string) stmtInfo {
	return scanSQL(sql, s.conn.ParameterStatus("standard_conforming_strings") != "off")
}

// Query runs one statement with no parameters.
func (s *Session) Query(ctx context.Context, sql string) (*backends.Result, error) {
	if err := s.ready(); err != nil {
		return nil, err
	}
	si := s.scan(sql)
	if si.copyStdio {
		return nil, pgerror.New(pgerror.FeatureNotSupported, "COPY to or from the client is not supported by the PostgreSQL backend")
	}
	sd, err := s.conn.Prepare(ctx, "", sql, nil)
	if err != nil {
		return nil, mapError(err)
	}
	var cols []pgarrow.ColumnType
	if len(sd.Fields) > 0 {
		if cols, err = s.describe(ctx, sd.Fields); err != nil {
			return nil, err
		}
	}
	return s.run(ctx, sql, si, sd.Name, cols, nil, nil)
}

// run executes a prepared statement (name) whose result columns are cols,
// by COPY when it can.
func (s *Session) run(ctx context.Context, sql string, si stmtInfo, name string, cols []pgarrow.ColumnType, params [][]byte, paramFormats []int16) (*backends.Result, error) {
	if len(cols) == 0 {
		s.stats.Exec++
		tag, err := s.conn.ExecPrepared(ctx, name, params, paramFormats, nil).Close()
		if si.changesCatalog() {
			s.cat.reset()
		}
		if err != nil {
			return nil, mapError(err)
		}
		return &backends.Result{RowsAffected: rowsAffected(tag)}, nil
	}
	schema := schemaOf(cols)
	if params == nil && si.copyable() && allBinary(cols) {
		s.stats.Copy++
		return &backends.Result{Rows: newRows(s, schema, s.startCopy(ctx, sql[:si.end], cols)), RowsAffected: -1}, nil
	}
	s.stats.Extended++
	src := s.startExt(ctx, name, params, paramFormats, cols)
	r := newRows(s, schema, src)
	switch si.main {
	case "INSERT", "UPDATE", "DELETE", "MERGE":
		// RETURNING: read it all now, so that the rows affected are known.
		r.materialise()
		if r.err != nil {
			r.Release()
			return nil, r.err
		}
		return &backends.Result{Rows: r, RowsAffected: rowsAffected(src.tag)}, nil
	}
	return &backends.Result{Rows: r, RowsAffected: -1}, nil
}

func schemaOf(cols []pgarrow.ColumnType) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = c.Field
	}
	return arrow.NewSchema(fields, nil)
}

func allBinary(cols []pgarrow.ColumnType) bool {
	for _, c := range cols {
		if !c.Binary() {
			return false
		}
	}
	return true
}

// rowsAffected reads the count from an INSERT, UPDATE, DELETE or MERGE
// command tag, and is -1 for any other.
func rowsAffected(tag pgconn.CommandTag) int64 {
	if tag.Insert() || tag.Update() || tag.Delete() || strings.HasPrefix(tag.String(), "MERGE ") {
		return tag.RowsAffected()
	}
	return -1
}

// Prepare plans a statement as a named PostgreSQL prepared statement.
// paramTypes declares parameter types by their Arrow types, mapped as
// pgarrow.ArrowToPG does; nil entries (and arrow.Null) are left for
// PostgreSQL to infer.
func (s *Session) Prepare(ctx context.Context, sql string, paramTypes []arrow.DataType) (backends.Stmt, error) {
	if err := s.ready(); err != nil {
		return nil, err
	}
	si := s.scan(sql)
	if si.copyStdio {
		return nil, pgerror.New(pgerror.FeatureNotSupported, "COPY to or from the client is not supported by the PostgreSQL backend")
	}
	oids := make([]uint32, len(paramTypes))
	for i, t := range paramTypes {
		if t == nil || t.ID() == arrow.NULL {
			continue
		}
		pt, err := pgarrow.ArrowToPG(arrow.Field{Type: t})
		if err != nil {
			return nil, err
		}
		oids[i] = pt.Type.OID
	}
	s.stmtSeq++
	name := "quiver_" + strconv.FormatUint(s.stmtSeq, 10)
	sd, err := s.conn.Prepare(ctx, name, sql, oids)
	if err != nil {
		return nil, mapError(err)
	}
	st := &Stmt{s: s, name: name, sql: sql, si: si, paramOIDs: sd.ParamOIDs}
	if err := s.loadTypes(ctx, sd.ParamOIDs); err != nil {
		return nil, err
	}
	st.params = make([]arrow.Field, len(sd.ParamOIDs))
	st.paramTypes = make([]pgarrow.Type, len(sd.ParamOIDs))
	for i, oid := range sd.ParamOIDs {
		ct := pgarrow.Resolve(pgarrow.Column{Name: "$" + strconv.Itoa(i+1), OID: oid, Typmod: -1}, s.cat.resolve)
		st.params[i], st.paramTypes[i] = ct.Field, ct.Type
	}
	st.encs = make([]*pgarrow.Encoder, len(sd.ParamOIDs))
	if len(sd.Fields) > 0 {
		if st.cols, err = s.describe(ctx, sd.Fields); err != nil {
			return nil, err
		}
		st.schema = schemaOf(st.cols)
	}
	return st, nil
}

// Close ends the session: an open result is stopped and the connection
// closed.
func (s *Session) Close() error {
	if s.closed {
		return nil
	}
	if r := s.open; r != nil {
		r.src.stop()
		r.detach()
		r.err = pgerror.New("08003", "session closed while its result was being read")
	}
	s.closed = true
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return mapError(s.conn.Close(ctx))
}
