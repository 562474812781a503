//go:build !linux

package server

import (
	"net"
	"time"
)

// spinRead returns c: polling before waiting is implemented for Linux
// only.
func spinRead(c net.Conn, spin time.Duration) net.Conn { return c }
