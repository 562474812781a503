// Package postgrestest helps test code that talks to a real PostgreSQL
// server reproduce timings that are rare in practice.
package postgrestest

import (
	"encoding/binary"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// cancelRequestCode is the request code of a CancelRequest, which takes the
// place of the protocol version in a startup packet:
// https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-CANCELREQUEST
const cancelRequestCode = 80877102

// Gate is a TCP proxy in front of a PostgreSQL server that can hold back a
// client's next statement while letting CancelRequests through, so that a
// CancelRequest reaches the server before the statement it was meant for:
// the order a network or a busy scheduler sometimes produces, in which
// PostgreSQL drops the CancelRequest (it finds the backend process idle).
//
// The gate looks at what the client writes in whole reads: a read that
// starts with one of the held message types is the statement. Clients that
// wait for an answer before sending more (pgconn does) write each round
// trip's messages together, so reads start at message boundaries.
type Gate struct {
	l        net.Listener
	upstream string

	mu      sync.Mutex
	match   func([]byte) bool // the read to hold; nil when not armed
	held    chan struct{}     // closed when a statement is held
	release chan struct{}     // closed to let it through
	conns   map[net.Conn]struct{}
	closed  bool

	cancels chan struct{} // one value per CancelRequest the server answered
	stop    chan struct{} // closed when the gate closes
	wg      sync.WaitGroup
}

// NewGate starts a gate in front of upstream (host:port) on a free
// loopback port. It stops when the test ends.
func NewGate(t testing.TB, upstream string) *Gate {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &Gate{l: l, upstream: upstream, conns: map[net.Conn]struct{}{}, cancels: make(chan struct{}, 1024), stop: make(chan struct{})}
	g.wg.Add(1)
	go g.serve()
	t.Cleanup(g.close)
	return g
}

// Addr is the gate's host:port.
func (g *Gate) Addr() string { return g.l.Addr().String() }

// URL returns the postgres:// URL u with its host and port replaced by the
// gate's.
func (g *Gate) URL(t testing.TB, u string) string {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	pu.Host = g.Addr()
	return pu.String()
}

// Hold arms the gate: the next read from any client that starts with one
// of the message types in types (for example "Q" for a simple Query, "B"
// for the Bind of an extended-protocol execution) is held. held is closed
// once it is; calling release lets it through. release may be called more
// than once, and before held is closed (the gate then holds nothing).
// Arming the gate forgets the CancelRequests answered before (Cancels).
func (g *Gate) Hold(types string) (held <-chan struct{}, release func()) {
	return g.arm(func(p []byte) bool { return strings.IndexByte(types, p[0]) >= 0 })
}

// HoldCancel arms the gate for the next CancelRequest, as Hold does for a
// statement: PostgreSQL sees it only once it is released (or never, if the
// client gives up first).
func (g *Gate) HoldCancel() (held <-chan struct{}, release func()) {
	return g.arm(isCancelRequest)
}

func (g *Gate) arm(match func([]byte) bool) (<-chan struct{}, func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	h, r := make(chan struct{}), make(chan struct{})
	g.match, g.held, g.release = match, h, r
	for len(g.cancels) > 0 {
		<-g.cancels
	}
	var once sync.Once
	return h, func() {
		once.Do(func() {
			g.mu.Lock()
			if g.release == r {
				g.match = nil
			}
			g.mu.Unlock()
			close(r)
		})
	}
}

func isCancelRequest(p []byte) bool {
	return len(p) >= 8 && binary.BigEndian.Uint32(p[4:8]) == cancelRequestCode
}

// Cancels receives a value each time the server has answered a
// CancelRequest that went through the gate (it closes the connection once
// it has signalled the backend process).
func (g *Gate) Cancels() <-chan struct{} { return g.cancels }

// WaitCancel waits until the server has answered a CancelRequest, or fails
// the test after timeout.
func (g *Gate) WaitCancel(t testing.TB, timeout time.Duration) {
	t.Helper()
	select {
	case <-g.cancels:
	case <-time.After(timeout):
		t.Fatalf("no CancelRequest reached PostgreSQL within %v", timeout)
	}
}

func (g *Gate) serve() {
	defer g.wg.Done()
	for {
		c, err := g.l.Accept()
		if err != nil {
			return
		}
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			g.relay(c)
		}()
	}
}

// track records c so that close can end it, or closes it if the gate is
// closed.
func (g *Gate) track(c net.Conn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		c.Close()
		return false
	}
	g.conns[c] = struct{}{}
	return true
}

func (g *Gate) untrack(conns ...net.Conn) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, c := range conns {
		delete(g.conns, c)
	}
}

func (g *Gate) relay(client net.Conn) {
	if !g.track(client) {
		return
	}
	server, err := net.Dial("tcp", g.upstream)
	if err != nil {
		client.Close()
		return
	}
	if !g.track(server) {
		client.Close()
		return
	}
	defer g.untrack(client, server)
	answered := make(chan bool, 1)
	go func() {
		_, err := io.Copy(client, server)
		client.Close()
		answered <- err == nil // the server closed the connection
	}()
	cancel := g.forward(server, client)
	server.Close()
	if <-answered && cancel {
		select {
		case g.cancels <- struct{}{}:
		default:
		}
	}
}

// forward copies what the client writes to the server, holding the read
// the gate is armed for, until either side closes. It reports whether the
// connection carried a CancelRequest.
func (g *Gate) forward(server, client net.Conn) (cancel bool) {
	buf := make([]byte, 64<<10)
	first := true
	for {
		n, err := client.Read(buf)
		if n > 0 {
			p := buf[:n]
			if first && isCancelRequest(p) {
				cancel = true
			}
			first = false
			if release := g.holds(p); release != nil {
				select {
				case <-release:
				case <-g.stop:
				}
			}
			if _, err := server.Write(p); err != nil {
				return cancel
			}
		}
		if err != nil {
			return cancel
		}
	}
}

// holds returns the channel to wait on before passing read p, or nil.
func (g *Gate) holds(p []byte) chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.match == nil || !g.match(p) {
		return nil
	}
	g.match = nil
	close(g.held)
	return g.release
}

func (g *Gate) close() {
	g.mu.Lock()
	g.closed = true
	g.match = nil
	for c := range g.conns {
		c.Close()
	}
	g.mu.Unlock()
	close(g.stop)
	g.l.Close()
	g.wg.Wait()
}
