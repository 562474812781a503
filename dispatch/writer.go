package dispatch

import (
	"net"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/quiverdb/quiver/pgerror"
)

// flushThreshold is the buffered size at which result rows are written to
// the socket. Small enough to keep memory flat, large enough that a DataRow
// never costs a syscall of its own.
const flushThreshold = 256 << 10

// writer buffers backend messages and writes them to the connection in
// large pieces. The first write error is sticky: later writes are dropped and
// the error is returned from every flush, so the session loop notices a
// dead client once and stops.
type writer struct {
	conn net.Conn
	buf  []byte
	err  error
	// quiet, when set, reports whether a notice of a severity is not to
	// be sent (client_min_messages).
	quiet func(severity string) bool
}

// send appends one encoded message.
func (w *writer) send(msg pgproto3.BackendMessage) {
	if w.err != nil {
		return
	}
	b, err := msg.Encode(w.buf)
	if err != nil {
		w.err = err
		return
	}
	w.buf = b
}

// maybeFlush writes the buffer once it has grown past the threshold.
func (w *writer) maybeFlush() error {
	if len(w.buf) >= flushThreshold {
		return w.flush()
	}
	return w.err
}

// flush writes everything buffered.
func (w *writer) flush() error {
	if w.err != nil {
		return w.err
	}
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.conn.Write(w.buf)
	if err != nil {
		w.err = err
	}
	if cap(w.buf) > 4*flushThreshold {
		w.buf = nil // don't keep a huge buffer for an idle session
	} else {
		w.buf = w.buf[:0]
	}
	return w.err
}

// sendError appends an ErrorResponse (or NoticeResponse for non-error
// severities) for err.
func (w *writer) sendError(e *pgerror.Error) {
	sev := e.Severity
	if sev == "" {
		sev = "ERROR"
	}
	w.send(&pgproto3.ErrorResponse{
		Severity:            sev,
		SeverityUnlocalized: sev,
		Code:                e.Code,
		Message:             e.Message,
		Detail:              e.Detail,
		Hint:                e.Hint,
		Position:            e.Position,
		Where:               e.Where,
		SchemaName:          e.SchemaName,
		TableName:           e.TableName,
		ColumnName:          e.ColumnName,
		ConstraintName:      e.ConstraintName,
	})
}

// sendNotice appends a NoticeResponse.
func (w *writer) sendNotice(severity, code, msg string) {
	w.notice(&pgproto3.NoticeResponse{
		Severity:            severity,
		SeverityUnlocalized: severity,
		Code:                code,
		Message:             msg,
	})
}

// notice sends n unless client_min_messages keeps its severity from the
// client. Every NoticeResponse goes through here.
func (w *writer) notice(n *pgproto3.NoticeResponse) {
	if w.quiet != nil && w.quiet(n.SeverityUnlocalized) {
		return
	}
	w.send(n)
}
