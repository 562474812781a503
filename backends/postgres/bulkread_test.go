package postgres

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// loopbackPair returns both ends of a TCP connection on loopback.
func loopbackPair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := l.Accept()
		accepted <- c
	}()
	client, err = net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

// rcvLowat returns c's SO_RCVLOWAT.
func rcvLowat(t *testing.T, c net.Conn) int {
	t.Helper()
	raw, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	var gerr error
	if err := raw.Control(func(fd uintptr) {
		v, gerr = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVLOWAT)
	}); err != nil || gerr != nil {
		t.Fatal(err, gerr)
	}
	return v
}

// TestBulkReader reads a stream that arrives fast, then in a trickle, then
// stops short of bulkLowat without closing: every byte arrives in order,
// the tail is read although fewer than bulkLowat bytes wait, and done puts
// SO_RCVLOWAT back.
func TestBulkReader(t *testing.T) {
	rd, wr := loopbackPair(t)
	want := make([]byte, 3*bulkAfter)
	for i := range want {
		want[i] = byte(i * 7)
	}
	go func() {
		_, _ = wr.Write(want[:2*bulkAfter])
		for off := 2 * bulkAfter; off < len(want); off += 100_000 {
			time.Sleep(time.Millisecond)
			_, _ = wr.Write(want[off:min(off+100_000, len(want))])
		}
	}()
	br := &bulkReader{conn: rd, h: &cancelHandler{}}
	got := make([]byte, len(want))
	if _, err := io.ReadFull(br, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("the bytes read differ from the bytes written")
	}
	if !br.lowat || rcvLowat(t, rd) != bulkLowat {
		t.Errorf("SO_RCVLOWAT %d after %d bytes, want %d", rcvLowat(t, rd), br.read, bulkLowat)
	}
	br.done()
	if v := rcvLowat(t, rd); v != 1 {
		t.Errorf("SO_RCVLOWAT %d after done, want 1", v)
	}
	// The connection reads as before: one byte is reported at once.
	go func() { _, _ = wr.Write([]byte{42}) }()
	_ = rd.SetReadDeadline(time.Now().Add(10 * time.Second))
	b := make([]byte, 1)
	if _, err := rd.Read(b); err != nil || b[0] != 42 {
		t.Errorf("read after done: %v %v", b, err)
	}
}

// TestBulkReaderKeepsCancelDeadline checks that a deadline the cancel
// handler set ends a bulk read that waits for bytes that never come,
// instead of being replaced by each tick's.
func TestBulkReaderKeepsCancelDeadline(t *testing.T) {
	rd, wr := loopbackPair(t)
	go func() { _, _ = wr.Write(make([]byte, bulkAfter+10)) }()
	h := &cancelHandler{}
	br := &bulkReader{conn: rd, h: h}
	if _, err := io.ReadFull(br, make([]byte, bulkAfter+10)); err != nil {
		t.Fatal(err)
	}
	h.cancelDeadline.Store(time.Now().Add(50 * time.Millisecond).UnixNano())
	_, err := br.Read(make([]byte, 10))
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("got %v, want the deadline's error", err)
	}
}

// TestCopyOutBulkCancel cancels a COPY that has sent more than bulkAfter
// bytes and then stops sending: the cancel ends it with 57014 and the
// connection stays usable.
func TestCopyOutBulkCancel(t *testing.T) {
	e := newEnv(t, Options{})
	s := e.sess
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const sql = "copy (select repeat('x', 1000), case when i = 3000 then pg_sleep(30) end from generate_series(1, 4000) i) to stdout"
	w := &rowsWriter{}
	time.AfterFunc(time.Second, cancel)
	_, err := copyOut(ctx, s.conn, s.cancel, sql, w)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "57014" {
		t.Fatalf("got %v, want 57014", err)
	}
	if n := len(w.rows) * 1000; n < bulkAfter {
		t.Errorf("%d bytes read before the cancel, want more than %d", n, bulkAfter)
	}
	wantUsable(t, s)
}
