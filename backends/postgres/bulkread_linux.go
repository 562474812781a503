package postgres

import (
	"net"
	"syscall"
)

// setRcvLowat sets SO_RCVLOWAT on a TCP connection and reports whether it
// did. Other sockets (Unix-domain ones, whose poll ignores it) and TLS
// connections are left alone.
func setRcvLowat(c net.Conn, n int) bool {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return false
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return false
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVLOWAT, n)
	}); err != nil {
		return false
	}
	return serr == nil
}
