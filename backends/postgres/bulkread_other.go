//go:build !linux

package postgres

import "net"

// setRcvLowat does nothing: bulkReader's larger pieces are implemented for
// Linux only.
func setRcvLowat(net.Conn, int) bool { return false }
