//go:build linux

package server

import (
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// loopbackPair returns both ends of a TCP connection on loopback, the
// server's end wrapped by spinRead.
func loopbackPair(t *testing.T, spin time.Duration) (*spinConn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close() })
	sc, ok := spinRead(server, spin).(*spinConn)
	if !ok {
		t.Fatalf("spinRead(%T, %v) did not wrap the connection", server, spin)
	}
	return sc, client
}

func TestSpinReadNotWrapped(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if c := spinRead(a, time.Millisecond); c != a {
		t.Errorf("spinRead of a pipe = %T, want the pipe", c)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := spinRead(c, 0); got != c {
		t.Errorf("spinRead with no spin = %T, want the connection", got)
	}
}

// TestSpinReadData checks that reads return what the peer sent, whether
// it was there before the read, arrives while it polls, or arrives after it
// has gone to wait; and that the peer's close is io.EOF.
func TestSpinReadData(t *testing.T) {
	sc, client := loopbackPair(t, 200*time.Microsecond)
	buf := make([]byte, 64)
	for i, delay := range []time.Duration{0, 50 * time.Microsecond, 20 * time.Millisecond, 0} {
		msg := []byte{'m', byte('0' + i)}
		go func() {
			time.Sleep(delay)
			client.Write(msg)
		}()
		n, err := io.ReadFull(sc, buf[:len(msg)])
		if err != nil || string(buf[:n]) != string(msg) {
			t.Fatalf("read %d (peer waits %v) = %q, %v; want %q", i, delay, buf[:n], err, msg)
		}
		if delay >= 20*time.Millisecond && sc.hot {
			t.Errorf("after a wait of %v the next read still polls", delay)
		}
	}
	client.Write([]byte("x"))
	time.Sleep(5 * time.Millisecond)
	if _, err := sc.Read(buf); err != nil {
		t.Fatal(err)
	}
	if !sc.hot {
		t.Error("after a read that found data at once, the next read does not poll")
	}
	client.Close()
	if n, err := sc.Read(buf); n != 0 || err != io.EOF {
		t.Errorf("read after the peer closed = %d, %v; want 0, io.EOF", n, err)
	}
}

// TestSpinReadDeadline checks that a read deadline still ends a read, and
// is reported as net.Conn's reads report it.
func TestSpinReadDeadline(t *testing.T) {
	sc, _ := loopbackPair(t, 100*time.Microsecond)
	if err := sc.SetReadDeadline(time.Now().Add(20 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := sc.Read(make([]byte, 8))
	var ne net.Error
	if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read past the deadline = %v, want a timeout", err)
	}
	if d := time.Since(start); d < 15*time.Millisecond || d > 2*time.Second {
		t.Errorf("read returned after %v, want about 20ms", d)
	}
}
