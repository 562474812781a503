//go:build linux

package server

import (
	"io"
	"net"
	"os"
	"runtime"
	"syscall"
	"time"
)

// spinConn is a TCP connection whose reads poll the socket for a while
// before they wait in Go's network poller (Config.ReadSpin).
//
// A client that sends its next message soon after reading the answer to
// the last (pgbench, an ORM's statement after statement, a driver's
// Parse/Bind/Execute after a Describe) finds the session still on a CPU:
// nothing has to wake it, and on a machine with idle CPUs a wake-up is
// the larger part of a small statement's round trip (a CPU leaving its
// idle state, the poller's thread being scheduled). The polling adapts:
// a read whose wait went beyond a few times the spin makes the next one
// wait in the poller at once, so clients that pause cost no polling, and
// a hot client costs at most one spin per message it did not send in
// time.
type spinConn struct {
	*net.TCPConn
	raw  syscall.RawConn
	spin time.Duration
	hot  bool // the last wait was short: the next read polls first
}

// spinRead wraps c so that its reads poll for up to spin first; it returns
// c unchanged when spin is not positive or c is not TCP.
func spinRead(c net.Conn, spin time.Duration) net.Conn {
	tc, ok := c.(*net.TCPConn)
	if spin <= 0 || !ok {
		return c
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return c
	}
	return &spinConn{TCPConn: tc, raw: raw, spin: spin, hot: true}
}

// hotFactor is how many spins long a wait may be for the next read to
// poll: a wait in the poller includes the wake-up the polling saves.
const hotFactor = 4

func (c *spinConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	start := time.Now()
	polling := c.hot
	var n int
	var rerr error
	err := c.raw.Read(func(fd uintptr) bool {
		for {
			n, rerr = syscall.Read(int(fd), p)
			switch {
			case rerr == syscall.EINTR:
				continue
			case rerr != syscall.EAGAIN:
				return true
			case !polling || time.Since(start) >= c.spin:
				polling = false
				return false // wait in the poller
			}
			runtime.Gosched() // others' goroutines run meanwhile
		}
	})
	c.hot = time.Since(start) < hotFactor*c.spin
	switch {
	case err != nil:
		return 0, &net.OpError{Op: "read", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
	case rerr != nil:
		return 0, &net.OpError{Op: "read", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: os.NewSyscallError("read", rerr)}
	case n <= 0:
		return 0, io.EOF
	}
	return n, nil
}
