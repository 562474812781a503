package pgtest

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// conn is one client connection of a transcript, past its startup.
type conn struct {
	nc      net.Conn
	fe      *pgproto3.Frontend
	timeout time.Duration
}

// errClosed reports that the server closed the connection.
var errClosed = errors.New("server closed the connection")

// dial connects to addr and does the startup exchange as user on database db.
// Only trust authentication is supported: the server must answer the
// StartupMessage with AuthenticationOk. The ParameterStatus and BackendKeyData
// messages of the startup are read and dropped.
func dial(addr, user, db string, timeout time.Duration, trace bool) (*conn, error) {
	nc, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	c := &conn{nc: nc, fe: pgproto3.NewFrontend(nc, nc), timeout: timeout}
	if trace {
		c.fe.Trace(os.Stderr, pgproto3.TracerOptions{SuppressTimestamps: true})
	}
	c.fe.Send(&pgproto3.StartupMessage{
		ProtocolVersion: pgproto3.ProtocolVersionNumber,
		Parameters:      map[string]string{"user": user, "database": db},
	})
	if err := c.fe.Flush(); err != nil {
		nc.Close()
		return nil, err
	}
	for {
		msg, err := c.receive()
		if err != nil {
			nc.Close()
			return nil, fmt.Errorf("startup: %w", err)
		}
		switch m := msg.(type) {
		case *pgproto3.AuthenticationOk, *pgproto3.ParameterStatus, *pgproto3.BackendKeyData:
		case *pgproto3.ReadyForQuery:
			return c, nil
		case *pgproto3.ErrorResponse:
			nc.Close()
			return nil, fmt.Errorf("startup: %s %s: %s", m.Severity, m.Code, m.Message)
		default:
			nc.Close()
			return nil, fmt.Errorf("startup: unexpected %s (only trust authentication is supported)", typeName(msg))
		}
	}
}

// send writes msgs to the server in one write.
func (c *conn) send(msgs []pgproto3.FrontendMessage) error {
	for _, m := range msgs {
		c.fe.Send(m)
	}
	if err := c.nc.SetWriteDeadline(time.Now().Add(c.timeout)); err != nil {
		return err
	}
	return c.fe.Flush()
}

// receive reads the next message. The message is valid until the next call.
// A connection closed by the server is reported as errClosed.
func (c *conn) receive() (pgproto3.BackendMessage, error) {
	if err := c.nc.SetReadDeadline(time.Now().Add(c.timeout)); err != nil {
		return nil, err
	}
	msg, err := c.fe.Receive()
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) {
			return nil, errClosed
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, fmt.Errorf("no message from the server within %v", c.timeout)
		}
		return nil, err
	}
	return msg, nil
}

// close ends the session politely and closes the socket.
func (c *conn) close() {
	c.fe.Send(&pgproto3.Terminate{})
	_ = c.nc.SetWriteDeadline(time.Now().Add(time.Second))
	_ = c.fe.Flush()
	_ = c.nc.Close()
}
