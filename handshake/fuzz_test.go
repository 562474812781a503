package handshake

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// fuzzUsers are the users of the password methods FuzzAccept runs.
var fuzzUsers = func() *Users {
	u, err := ReadUsers(strings.NewReader("u:pw\nv:" + md5Hash("pw", "v") + "\n"))
	if err != nil {
		panic(err)
	}
	return u
}()

// fuzzMethods are the methods FuzzAccept picks from with its first argument.
var fuzzMethods = []AuthMethod{Trust, Password(fuzzUsers), MD5(fuzzUsers), SCRAM(fuzzUsers), Cert, PassThrough}

// FuzzAccept feeds arbitrary bytes to Accept over net.Pipe, with one of
// fuzzMethods: it must never panic, hang past its timeout, or return a
// session without a user.
func FuzzAccept(f *testing.F) {
	f.Add(uint8(0), startupPacket(v30, "user", "u", "database", "d", "options", `-c a=b --c-d=e\ f`))
	f.Add(uint8(0), startupPacket(3<<16|2, "user", "u", "_pq_.x", "1", "TimeZone", "europe/paris", "DateStyle", "dmy, iso"))
	f.Add(uint8(0), append(append([]byte{}, sslRequest...), startupPacket(v30, "user", "u")...))
	f.Add(uint8(0), append(append([]byte{}, gssRequest...), sslRequest...))
	f.Add(uint8(0), cancelPacket(CancelKey{ProcessID: 1, Secret: 2}))
	f.Add(uint8(0), startupPacket(2<<16, "user", "u"))
	f.Add(uint8(0), []byte{0, 0, 0, 9, 0, 3, 0, 0, 'u'})
	pw := func(p string) []byte { b, _ := (&pgproto3.PasswordMessage{Password: p}).Encode(nil); return b }
	f.Add(uint8(1), append(startupPacket(v30, "user", "u"), pw("pw")...))
	f.Add(uint8(2), append(startupPacket(v30, "user", "v"), pw("md5000000000000000000000000000000000")...))
	first, _ := (&pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-256", Data: []byte("n,,n=,r=abcdefghijkl")}).Encode(nil)
	final, _ := (&pgproto3.SASLResponse{Data: []byte("c=biws,r=abcdefghijkl,p=AAAA")}).Encode(nil)
	f.Add(uint8(3), append(append(startupPacket(v30, "user", "u"), first...), final...))
	f.Add(uint8(3), append(startupPacket(v30, "user", "x"), first...))
	f.Add(uint8(4), startupPacket(v30, "user", "u"))
	f.Add(uint8(5), append(startupPacket(v30, "user", "u"), pw("")...))
	f.Fuzz(func(t *testing.T, method uint8, data []byte) {
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
			cfg := &Config{StartupTimeout: time.Second, Auth: fuzzMethods[int(method)%len(fuzzMethods)]}
			h, err = Accept(context.Background(), server, cfg)
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
