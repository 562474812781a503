package handshake

import (
	"context"
	"io"
	"net"
	"testing"
	"time"
)

// FuzzAccept feeds arbitrary bytes to Accept over net.Pipe: it must never
// panic, hang past its timeout, or return a session without a user.
func FuzzAccept(f *testing.F) {
	f.Add(startupPacket(v30, "user", "u", "database", "d", "options", `-c a=b --c-d=e\ f`))
	f.Add(startupPacket(3<<16|2, "user", "u", "_pq_.x", "1", "TimeZone", "europe/paris", "DateStyle", "dmy, iso"))
	f.Add(append(append([]byte{}, sslRequest...), startupPacket(v30, "user", "u")...))
	f.Add(append(append([]byte{}, gssRequest...), sslRequest...))
	f.Add(cancelPacket(CancelKey{ProcessID: 1, Secret: 2}))
	f.Add(startupPacket(2<<16, "user", "u"))
	f.Add([]byte{0, 0, 0, 9, 0, 3, 0, 0, 'u'})
	f.Fuzz(func(t *testing.T, data []byte) {
		client, server := net.Pipe()
		defer server.Close()
		go func() { _, _ = io.Copy(io.Discard, client) }()
		go func() {
			_, _ = client.Write(data)
			client.Close()
		}()
		done := make(chan struct{})
		var h *Hello
		var err error
		go func() {
			defer close(done)
			h, err = Accept(context.Background(), server, &Config{StartupTimeout: time.Second})
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Accept did not return")
		}
		if err == nil && h.Kind == KindStartup && (h.Startup.User == "" || h.Startup.Database == "" || h.Startup.Settings == nil) {
			t.Fatalf("session without user, database or settings: %+v", h.Startup)
		}
	})
}
