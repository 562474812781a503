package server

import (
	"context"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestNoDelay(t *testing.T) {
	nodelay := make(chan int, 1)
	st := start(t, func(c *Config) {
		c.ConnState = func(c *Conn, s ConnState) {
			if s != StateActive || len(nodelay) > 0 {
				return
			}
			raw, err := c.NetConn().(*net.TCPConn).SyscallConn()
			if err != nil {
				t.Error(err)
				return
			}
			_ = raw.Control(func(fd uintptr) {
				v, err := syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_NODELAY)
				if err != nil {
					t.Error(err)
				}
				nodelay <- v
			})
		}
	})
	ctx := context.Background()
	c, err := pgconn.Connect(ctx, st.url("me"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if v := <-nodelay; v == 0 {
		t.Fatal("TCP_NODELAY is off on an accepted connection")
	}
}
