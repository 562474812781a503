package handshake

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/quiverdb/quiver/pgerror"
)

// TestOversizedAuthMessageNotAllocated sends a password message declaring
// a 2 GiB body: FATAL 08P01, and nothing allocated for it.
func TestOversizedAuthMessageNotAllocated(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	go func() { _, _ = io.Copy(io.Discard, client) }()
	go func() {
		_, _ = client.Write(append(startupPacket(v30, "user", "u"), 'p', 0x7f, 0xff, 0xff, 0xff))
	}()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Accept(context.Background(), server, &Config{Auth: Password(fuzzUsers)})
	runtime.ReadMemStats(&after)
	if e := pgerror.Flatten(err); e.Code != pgerror.ProtocolViolation || e.Message != "invalid message length" {
		t.Fatalf("err %v, want 08P01 invalid message length", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Fatalf("allocated %d bytes for a refused message", grew)
	}
}

// TestSCRAMRefusals covers the SCRAM exchanges PostgreSQL refuses before the
// proof: an unknown mechanism, channel binding data with plain SCRAM, and a
// malformed first message.
func TestSCRAMRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, mech, data, want string
	}{
		{"unknown mechanism", "SCRAM-SHA-1", "n,,n=,r=abc", "08P01 client selected an invalid SASL authentication mechanism"},
		{"PLUS without TLS", "SCRAM-SHA-256-PLUS", "p=tls-server-end-point,,n=,r=abc", "08P01 client selected an invalid SASL authentication mechanism"},
		{"binding data with plain SCRAM", "SCRAM-SHA-256", "p=tls-server-end-point,,n=,r=abc", "08P01 malformed SCRAM message"},
		{"garbage", "SCRAM-SHA-256", "hello", "08P01 malformed SCRAM message"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client, server := net.Pipe()
			defer client.Close()
			go func() {
				f := pgproto3.NewFrontend(client, client)
				_, _ = client.Write(startupPacket(v30, "user", "u"))
				if _, err := f.Receive(); err != nil { // AuthenticationSASL
					return
				}
				f.Send(&pgproto3.SASLInitialResponse{AuthMechanism: tc.mech, Data: []byte(tc.data)})
				_ = f.Flush()
				_, _ = io.Copy(io.Discard, client)
			}()
			_, err := Accept(context.Background(), server, &Config{Auth: SCRAM(fuzzUsers)})
			e := pgerror.Flatten(err)
			if got := e.Code + " " + e.Message; got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

// TestRequireTLS checks the refusal of a plaintext session when TLS is
// required, and that it comes before any password is asked for.
func TestRequireTLS(t *testing.T) {
	addr, _ := serve(t, &Config{RequireTLS: true, TLS: &tls.Config{}, Auth: Password(fuzzUsers)})
	got := transcript(t, addr, startupPacket(v30, "user", "u", "database", "d"))
	want := `ErrorResponse FATAL FATAL 28000 "no pg_hba.conf entry for host \"127.0.0.1\", user \"u\", database \"d\", no encryption"`
	if len(got) != 2 || !strings.HasPrefix(got[0], want) || got[1] != "<closed>" {
		t.Fatalf("got %q", got)
	}
	var e *pgerror.Error
	if err := checkEncryption(&Config{RequireTLS: true}, &net.TCPConn{}, &Startup{TLS: &tls.ConnectionState{}}); errors.As(err, &e) {
		t.Fatalf("a TLS session was refused: %v", e)
	}
}
