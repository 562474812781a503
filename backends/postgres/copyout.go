package postgres

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// copyOutBuffer is the read buffer of copyOut: a few hundred rows of a
// narrow table per read from the socket.
const copyOutBuffer = 256 << 10

// copyOut runs sql, a COPY ... TO STDOUT, on conn and writes each row's
// CopyData payload to w, as pgconn.PgConn.CopyTo does, but reading the
// connection's bytes itself. PostgreSQL sends one CopyData message per
// row, and for a narrow row pgconn's work per message (it reads each
// header and body through its chunk reader and decodes a message value)
// costs more than decoding the row into Arrow: reading the frames straight
// out of one large buffer halves the client's CPU time per int4 row.
//
// The connection must be idle; copyOut leaves it idle and in step with
// pgconn. It reads exactly up to the ReadyForQuery that ends the command:
// PostgreSQL sends nothing after it unprompted on a connection that does
// not LISTEN, so no byte of a later message is read ahead. pgconn's
// record of the transaction status is refreshed after a failed COPY (an
// empty query), the only case where the COPY changes it. A cancelled ctx
// goes through h as any pgconn call's does (cancel.go). A broken
// connection is closed and marked in h (Session.IsValid).
//
// An error w returns stops nothing by itself: copyOut goes on reading and
// discarding to the end, so w should also cancel ctx (copyWriter does).
func copyOut(ctx context.Context, conn *pgconn.PgConn, h *cancelHandler, sql string, w io.Writer) (pgconn.CommandTag, error) {
	if err := ctx.Err(); err != nil {
		return pgconn.CommandTag{}, err
	}
	if err := conn.SyncConn(ctx); err != nil {
		return pgconn.CommandTag{}, err
	}
	nc := conn.Conn()
	msg, err := (&pgproto3.Query{String: sql}).Encode(nil)
	if err != nil {
		return pgconn.CommandTag{}, err
	}

	// The context is watched from before the query is written, as pgconn
	// does: a cancel that overtakes the query is sent again (cancel.go).
	cancelled := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(cancelled)
		h.HandleCancel(ctx)
	})
	unwatch := func() {
		if !stop() {
			<-cancelled
			h.HandleUnwatchAfterCancel()
		}
	}

	if _, err := nc.Write(msg); err != nil {
		unwatch()
		nc.Close()
		h.broken.Store(true)
		return pgconn.CommandTag{}, fmt.Errorf("write COPY query: %w", err)
	}
	br := &bulkReader{conn: nc, h: h}
	tag, pgErr, status, err := readCopyOut(bufio.NewReaderSize(br, copyOutBuffer), w)
	br.done()
	unwatch()
	if err != nil {
		// The stream is broken or out of step: the connection cannot be
		// used again. Its socket is closed, so pgconn fails the next call
		// on it (08006), and the session is no longer valid.
		nc.Close()
		h.broken.Store(true)
		if ctx.Err() != nil {
			return tag, fmt.Errorf("%w: %w", ctx.Err(), err)
		}
		return tag, err
	}
	if pgErr != nil {
		if status != conn.TxStatus() {
			// A COPY failed inside a transaction block: let pgconn see
			// the failed status, with a query that does nothing.
			_, _ = conn.Exec(context.WithoutCancel(ctx), "").ReadAll()
		}
		return tag, pgErr
	}
	return tag, nil
}

// readCopyOut reads a COPY's messages up to and including ReadyForQuery,
// writing CopyData payloads to w. It returns the command tag, the
// server's error if it sent one, the transaction status of
// ReadyForQuery, and an error if the stream broke.
//
// The CopyData messages wholly in r's buffer, one per row, are handed over
// straight from it in one pass; the rest, one message at a time.
func readCopyOut(r *bufio.Reader, w io.Writer) (tag pgconn.CommandTag, pgErr *pgconn.PgError, status byte, err error) {
	var big []byte // a message larger than r's buffer
	for {
		if pgErr == nil {
			if n := copyData(r, w); n > 0 {
				_, _ = r.Discard(n)
				continue
			}
		}
		hdr, err := r.Peek(5)
		if err != nil {
			return tag, pgErr, 0, err
		}
		typ := hdr[0]
		n := int(binary.BigEndian.Uint32(hdr[1:])) - 4
		if n < 0 {
			return tag, pgErr, 0, fmt.Errorf("invalid message length %d", n+4)
		}
		_, _ = r.Discard(5)
		var body []byte
		if n <= r.Size() {
			if body, err = r.Peek(n); err != nil {
				return tag, pgErr, 0, err
			}
		} else {
			if cap(big) < n {
				big = make([]byte, n)
			}
			body = big[:n]
			if _, err := io.ReadFull(r, body); err != nil {
				return tag, pgErr, 0, err
			}
		}
		switch typ {
		case 'd': // CopyData: one row
			if pgErr == nil {
				_, _ = w.Write(body)
			}
		case 'C': // CommandComplete
			if len(body) > 0 && body[len(body)-1] == 0 {
				body = body[:len(body)-1]
			}
			tag = pgconn.NewCommandTag(string(body))
		case 'E': // ErrorResponse
			var m pgproto3.ErrorResponse
			if err := m.Decode(body); err != nil {
				return tag, pgErr, 0, err
			}
			pgErr = pgconn.ErrorResponseToPgError(&m)
		case 'Z': // ReadyForQuery
			if n != 1 {
				return tag, pgErr, 0, errors.New("invalid ReadyForQuery")
			}
			status = body[0]
			_, _ = r.Discard(n)
			return tag, pgErr, status, nil
		case 'H', 'c', 'N', 'S', 'A':
			// CopyOutResponse, CopyDone; notices, parameter changes and
			// notifications are not this COPY's business.
		default:
			return tag, pgErr, 0, fmt.Errorf("unexpected message %q during COPY TO", typ)
		}
		if n <= r.Size() {
			_, _ = r.Discard(n)
		}
	}
}

// messageWriter is a writer of COPY payloads that also takes whole
// CopyData messages (pgarrow.CopyDecoder.WriteMessages): it returns how
// many bytes of complete CopyData messages at the start of msgs it
// consumed.
type messageWriter interface {
	writeMessages(msgs []byte) int
}

// copyData writes to w the payloads of the complete CopyData messages at
// the start of r's buffer, without reading from the connection, and
// returns how many bytes they take.
func copyData(r *bufio.Reader, w io.Writer) int {
	buf, _ := r.Peek(r.Buffered())
	if mw, ok := w.(messageWriter); ok {
		return mw.writeMessages(buf)
	}
	off := 0
	for {
		payload, end, ok := nextCopyData(buf, off)
		if !ok {
			return off
		}
		_, _ = w.Write(payload)
		off = end
	}
}

// nextCopyData returns the payload of the CopyData message at buf[off:]
// and the offset past it; ok is false when no complete CopyData message
// starts there.
func nextCopyData(buf []byte, off int) (payload []byte, end int, ok bool) {
	if len(buf)-off < 5 || buf[off] != 'd' {
		return nil, off, false
	}
	n := int(binary.BigEndian.Uint32(buf[off+1:]))
	end = off + 1 + n
	if n < 4 || end > len(buf) {
		return nil, off, false
	}
	return buf[off+5 : end], end, true
}
