//go:build duckdb_arrow

package fuzz

import (
	"bytes"
	"context"
	"encoding/binary"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/rs/zerolog"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/backends/duckdb"
	"github.com/quiverdb/quiver/catalog"
	"github.com/quiverdb/quiver/dispatch"
	"github.com/quiverdb/quiver/handshake"
	"github.com/quiverdb/quiver/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// shared is one in-memory DuckDB and its session handler, opened once per
// test process: fuzzing opens a session per input, not a database.
var shared struct {
	once    sync.Once
	be      backends.Backend
	handler *dispatch.Handler
	err     error
}

func handler(t testing.TB) *dispatch.Handler {
	t.Helper()
	shared.once.Do(func() {
		db, err := duckdb.Open("duckdb:", duckdb.Options{})
		if err != nil {
			shared.err = err
			return
		}
		shared.be = db
		d := backends.DialectOf(db)
		shared.handler = dispatch.NewHandler(dispatch.Config{Backend: db, Dialect: d, SessionInit: catalog.SessionInit(d),
			MaxMessageSize: maxMessage})
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.handler
}

// maxMessage is the frontend message limit of the fuzzed sessions: small,
// so that inputs can cross it.
const maxMessage = 1 << 20

// feedConn is a connection whose client sent input and then closed its
// sending half: reads return input, then EOF; writes are collected. The
// session therefore handles every complete message of input and then sees
// the client leave, which makes each fuzz input run in bounded time.
type feedConn struct {
	in     *bytes.Reader
	out    bytes.Buffer
	cancel func()
}

func (c *feedConn) Read(p []byte) (int, error)       { return c.in.Read(p) }
func (c *feedConn) Write(p []byte) (int, error)      { return c.out.Write(p) }
func (c *feedConn) Close() error                     { return nil }
func (c *feedConn) LocalAddr() net.Addr              { return feedAddr{} }
func (c *feedConn) RemoteAddr() net.Addr             { return feedAddr{} }
func (c *feedConn) SetDeadline(time.Time) error      { return nil }
func (c *feedConn) SetReadDeadline(time.Time) error  { return nil }
func (c *feedConn) SetWriteDeadline(time.Time) error { return nil }

// The dispatch.Conn side.
func (c *feedConn) NetConn() net.Conn      { return c }
func (c *feedConn) Logger() zerolog.Logger { return zerolog.Nop() }
func (c *feedConn) SetIdle()               {}
func (c *feedConn) SetActive() bool        { return true }
func (c *feedConn) OnCancel(f func())      { c.cancel = f }

type feedAddr struct{}

func (feedAddr) Network() string { return "tcp" }
func (feedAddr) String() string  { return "127.0.0.1:1" }

// serveBytes runs one whole connection: the handshake, then a dispatch
// session on the shared DuckDB, for a client that sends the startup packet
// and input and then stops sending. A session still running after limit is
// cancelled, and must then end within seconds. It returns what the server
// sent.
func serveBytes(t testing.TB, input []byte, limit time.Duration) []byte {
	t.Helper()
	h := handler(t)
	conn := &feedConn{in: bytes.NewReader(append(append([]byte{}, startup...), input...))}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		hello, err := handshake.Accept(ctx, conn, &handshake.Config{StartupTimeout: 5 * time.Second})
		if err != nil || hello.Kind != handshake.KindStartup {
			return
		}
		st := hello.Startup
		_ = h.Serve(ctx, conn, dispatch.Info{User: st.User, Database: st.Database, Params: st.Settings, ProcessID: 1, Secret: 2})
	}()
	select {
	case <-done:
	case <-time.After(limit):
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("the session did not end when cancelled; input %q", input)
		}
	}
	return conn.out.Bytes()
}

// startup is the startup packet every fuzzed connection begins with.
var startup = func() []byte {
	b, err := (&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
		Parameters: map[string]string{"user": "fuzz", "database": "fuzz"}}).Encode(nil)
	if err != nil {
		panic(err)
	}
	return b
}()

// encode concatenates frontend messages.
func encode(msgs ...pgproto3.FrontendMessage) []byte {
	var b []byte
	for _, m := range msgs {
		var err error
		if b, err = m.Encode(b); err != nil {
			panic(err)
		}
	}
	return b
}

// raw builds one message from its type byte and body, with a correct
// length word.
func raw(typ byte, body []byte) []byte {
	b := []byte{typ, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[1:], uint32(len(body)+4))
	return append(b, body...)
}
