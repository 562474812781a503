package handshake

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/quiverdb/quiver/pgerror"
)

// Request codes of the packets a client may send before its StartupMessage.
// See https://www.postgresql.org/docs/current/protocol-message-formats.html.
const (
	cancelRequestCode = 80877102 // 1234.5678
	sslRequestCode    = 80877103 // 1234.5679
	gssEncRequestCode = 80877104 // 1234.5680
)

const (
	// maxStartupPacketLen is PostgreSQL's MAX_STARTUP_PACKET_LENGTH: the
	// largest startup packet body accepted, checked before anything is
	// allocated for it.
	maxStartupPacketLen = 10000
	// maxAuthMessageLen is PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH: the
	// largest password, SASL or GSS message body accepted.
	maxAuthMessageLen = 65535
)

// errInvalidStartupLength is what PostgreSQL logs (and does not send) for a
// startup packet whose length is out of range: the connection is just closed.
var errInvalidStartupLength = errors.New("invalid length of startup packet")

// errIncompleteStartup is the EOF in the middle of a startup packet.
var errIncompleteStartup = errors.New("incomplete startup packet")

// readStartupHeader reads the length word of a startup packet. A clean EOF
// before the first byte is returned as io.EOF.
func readStartupHeader(r io.Reader) ([4]byte, error) {
	var hdr [4]byte
	if n, err := io.ReadFull(r, hdr[:]); err != nil {
		if n == 0 && errors.Is(err, io.EOF) {
			return hdr, io.EOF
		}
		return hdr, fmt.Errorf("%w: %w", errIncompleteStartup, err)
	}
	return hdr, nil
}

// readStartupBody reads the body of the startup packet whose length word is
// hdr, the protocol version or request code first. The length is checked
// against maxStartupPacketLen before the body is allocated.
func readStartupBody(r io.Reader, hdr [4]byte) ([]byte, error) {
	n := int64(binary.BigEndian.Uint32(hdr[:])) - 4
	if n < 4 || n > maxStartupPacketLen {
		return nil, fmt.Errorf("%w: %d", errInvalidStartupLength, n)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, fmt.Errorf("%w: %w", errIncompleteStartup, err)
	}
	return body, nil
}

// readMessage reads one typed frontend message (type byte, length, body)
// with exact-length reads, so nothing after it is consumed. Bodies longer
// than maxLen are refused before they are allocated.
func readMessage(r io.Reader, maxLen int) (byte, []byte, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, nil, err
	}
	n := int64(binary.BigEndian.Uint32(hdr[1:])) - 4
	if n < 0 || n > int64(maxLen) {
		return 0, nil, pgerror.Fatal(pgerror.ProtocolViolation, "invalid message length")
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return 0, nil, err
	}
	return hdr[0], body, nil
}

// writer buffers backend messages so that a burst (AuthenticationOk and an
// error, say) goes out in one write.
type writer struct {
	w   io.Writer
	buf []byte
	err error
}

// send encodes msg into the buffer. The first encoding error sticks and is
// returned by flush.
func (w *writer) send(msg pgproto3.BackendMessage) {
	if w.err != nil {
		return
	}
	w.buf, w.err = msg.Encode(w.buf)
}

// flush writes the buffered messages.
func (w *writer) flush() error {
	if w.err != nil {
		return w.err
	}
	_, err := w.w.Write(w.buf)
	w.buf = w.buf[:0]
	return err
}

// ErrorResponse returns the ErrorResponse message for err, flattened with
// pgerror.Flatten. The fields PostgreSQL fills from its C source (file, line,
// routine) are left out.
func ErrorResponse(err error) *pgproto3.ErrorResponse {
	e := pgerror.Flatten(err)
	return &pgproto3.ErrorResponse{
		Severity:            e.Severity,
		SeverityUnlocalized: e.Severity,
		Code:                e.Code,
		Message:             e.Message,
		Detail:              e.Detail,
		Hint:                e.Hint,
		Position:            e.Position,
		Where:               e.Where,
	}
}

// WriteError writes err to w as one ErrorResponse message. Callers use it for
// the FATAL errors that end a connection before or outside a session.
func WriteError(w io.Writer, err error) error {
	buf, encErr := ErrorResponse(err).Encode(nil)
	if encErr != nil {
		return encErr
	}
	_, werr := w.Write(buf)
	return werr
}

// writeV2Error writes err the way PostgreSQL answers a client that asked for
// a protocol older than 3.0: an 'E' byte and a NUL-terminated text, with no
// length word.
func writeV2Error(w io.Writer, e *pgerror.Error) error {
	msg := append([]byte{'E'}, e.Severity+":  "+e.Message+"\n"...)
	msg = append(msg, 0)
	_, err := w.Write(msg)
	return err
}

// IsDisconnect reports whether err means only that the client went away or
// the connection was closed under the reader: EOF in any form, a reset, a
// broken pipe, a closed connection. Such errors are logged at debug level.
func IsDisconnect(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
		return true
	}
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED)
}
