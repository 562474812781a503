package handshake

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/quiverdb/quiver/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// outcome is what Accept returned for one connection of a test server.
type outcome struct {
	hello *Hello
	err   error
}

// serve runs Accept on every connection to a loopback listener. A session
// gets what the session layer will send (ParameterStatuses, BackendKeyData,
// ReadyForQuery) and is held open until the client closes it. Each outcome
// is sent on the returned channel.
func serve(t *testing.T, cfg *Config) (string, <-chan outcome) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	out := make(chan outcome, 64)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				h, err := Accept(context.Background(), c, cfg)
				out <- outcome{h, err}
				if err != nil || h.Kind != KindStartup {
					return
				}
				var w writer
				w.w = c
				for _, p := range ParameterStatuses(h.Startup, cfg.Version()) {
					w.send(&pgproto3.ParameterStatus{Name: p[0], Value: p[1]})
				}
				w.send(NewCancelKey(1).BackendKeyData())
				w.send(&pgproto3.ReadyForQuery{TxStatus: 'I'})
				if w.flush() == nil {
					_, _ = io.Copy(io.Discard, c)
				}
			}()
		}
	}()
	return l.Addr().String(), out
}

// pgAddr returns the address of the shared live PostgreSQL 15.
func pgAddr(t *testing.T) string {
	pg := testenv.PG(t)
	return fmt.Sprintf("%s:%d", pg.Host, pg.Port)
}

// startupPacket encodes a StartupMessage for version with name/value pairs.
// pgproto3's encoder is not used: it refuses versions other than 3.0 and
// 3.2, and these tests send others.
func startupPacket(version uint32, kv ...string) []byte {
	b := binary.BigEndian.AppendUint32([]byte{0, 0, 0, 0}, version)
	for _, s := range kv {
		b = append(append(b, s...), 0)
	}
	b = append(b, 0)
	binary.BigEndian.PutUint32(b, uint32(len(b)))
	return b
}

// requestPacket encodes an 8-byte request such as SSLRequest.
func requestPacket(code uint32) []byte {
	return binary.BigEndian.AppendUint32([]byte{0, 0, 0, 8}, code)
}

func cancelPacket(k CancelKey) []byte {
	b := []byte{0, 0, 0, 16}
	b = binary.BigEndian.AppendUint32(b, cancelRequestCode)
	b = binary.BigEndian.AppendUint32(b, k.ProcessID)
	return binary.BigEndian.AppendUint32(b, k.Secret)
}

var (
	sslRequest = requestPacket(sslRequestCode)
	gssRequest = requestPacket(gssEncRequestCode)
)

// transcript sends packets to addr and returns what came back, one line per
// message. Every packet but the last is an SSLRequest or GSSENCRequest whose
// one-byte answer is read before the next is sent. After the last packet,
// messages are read until ReadyForQuery or until the server closes the
// connection; the line "<closed>" records the close. Values that differ by
// nature between servers (server_version, the cancel key, the source
// location of errors) are masked.
func transcript(t *testing.T, addr string, packets ...[]byte) []string {
	t.Helper()
	c := dial(t, addr)
	var lines []string
	for _, p := range packets[:len(packets)-1] {
		if _, err := c.Write(p); err != nil {
			t.Fatal(err)
		}
		var b [1]byte
		if _, err := io.ReadFull(c, b[:]); err != nil {
			t.Fatalf("reading the answer to a request: %v", err)
		}
		lines = append(lines, fmt.Sprintf("answer %q", b[0]))
	}
	if _, err := c.Write(packets[len(packets)-1]); err != nil {
		t.Fatal(err)
	}
	f := pgproto3.NewFrontend(c, io.Discard)
	for {
		msg, err := f.Receive()
		if err != nil {
			if IsDisconnect(err) {
				return append(lines, "<closed>")
			}
			t.Fatalf("after %q: %v", lines, err)
		}
		switch m := msg.(type) {
		case *pgproto3.ReadyForQuery:
			return append(lines, "ReadyForQuery")
		case *pgproto3.BackendKeyData:
			lines = append(lines, fmt.Sprintf("BackendKeyData secret:%d bytes", len(m.SecretKey)))
		case *pgproto3.ParameterStatus:
			if m.Name == "server_version" {
				m.Value = strings.SplitN(m.Value, ".", 2)[0] + ".x"
			}
			lines = append(lines, fmt.Sprintf("ParameterStatus %s=%q", m.Name, m.Value))
		case *pgproto3.ErrorResponse:
			lines = append(lines, fmt.Sprintf("ErrorResponse %s %s %s %q detail=%q hint=%q",
				m.Severity, m.SeverityUnlocalized, m.Code, m.Message, m.Detail, m.Hint))
		default:
			j, _ := msg.(interface{ MarshalJSON() ([]byte, error) }).MarshalJSON()
			lines = append(lines, string(j))
		}
	}
}

// rawReply sends packet, closes the sending half, and returns every byte
// received until the server closes the connection.
func rawReply(t *testing.T, addr string, packet []byte) []byte {
	t.Helper()
	c := dial(t, addr)
	if _, err := c.Write(packet); err != nil {
		t.Fatal(err)
	}
	_ = c.CloseWrite()
	b, err := io.ReadAll(c)
	if err != nil && !IsDisconnect(err) {
		t.Fatalf("reading until close: %v (got %q)", err, b)
	}
	return b
}

// dial connects to addr for one test exchange of at most 10 seconds; the
// connection is closed when the test ends.
func dial(t *testing.T, addr string) *net.TCPConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	return c.(*net.TCPConn)
}
