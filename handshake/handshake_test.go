package handshake

import (
	"bytes"
	"context"
	"errors"
	"net"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/quiverdb/quiver/pgerror"
)

const v30 = 3 << 16

// TestTranscriptsMatchPostgres sends the same packets to a live PostgreSQL 15
// and to Accept, and requires the same answers, message by message.
func TestTranscriptsMatchPostgres(t *testing.T) {
	pg := pgAddr(t)
	quiver, _ := serve(t, &Config{})
	user := func(kv ...string) []byte {
		return startupPacket(v30, append([]string{"user", "postgres", "database", "postgres"}, kv...)...)
	}
	noTerminator := startupPacket(v30, "user", "postgres")
	noTerminator = noTerminator[:len(noTerminator)-1]
	noTerminator[3]--
	cases := []struct {
		name    string
		packets [][]byte
	}{
		{"plain", [][]byte{user("client_encoding", "UTF8")}},
		{"no parameters but user", [][]byte{startupPacket(v30, "user", "postgres")}},
		{"3.2 with _pq_ option", [][]byte{startupPacket(3<<16|2, "user", "postgres", "_pq_.foo", "bar")}},
		{"3.7", [][]byte{startupPacket(3<<16|7, "user", "postgres")}},
		{"3.0 with _pq_ options", [][]byte{startupPacket(v30, "_pq_.a", "1", "user", "postgres", "_pq_.b", "2")}},
		{"4.1", [][]byte{startupPacket(4<<16|1, "user", "postgres")}},
		{"no user", [][]byte{startupPacket(v30, "database", "postgres")}},
		{"empty user", [][]byte{startupPacket(v30, "user", "")}},
		{"empty packet", [][]byte{startupPacket(v30)}},
		{"missing value", [][]byte{startupPacket(v30, "user")}},
		{"no terminator", [][]byte{noTerminator}},
		{"SSLRequest then startup", [][]byte{sslRequest, user()}},
		{"SSLRequest twice", [][]byte{sslRequest, sslRequest}},
		{"encoding aliases, zone case, app name", [][]byte{user("client_encoding", "utf-8", "timezone", "europe/paris",
			"datestyle", "iso", "application_name", "\u00e9\x01x")}},
		{"unicode", [][]byte{user("client_encoding", "Unicode")}},
		{"UTF_8", [][]byte{user("client_encoding", "UTF_8")}},
		{"unknown encoding", [][]byte{user("client_encoding", "foo")}},
		{"bad zone", [][]byte{user("TimeZone", "Foo/Bar")}},
		{"Local zone", [][]byte{user("TimeZone", "Local")}},
		{"empty zone", [][]byte{user("TimeZone", "")}},
		{"utc", [][]byte{user("TimeZone", "utc")}},
		{"Etc/UTC", [][]byte{user("TimeZone", "Etc/UTC")}},
		{"America/New_York", [][]byte{user("TimeZone", "America/New_York")}},
		{"options", [][]byte{user("options", `-c TimeZone=Asia/Tokyo -c DateStyle=ISO,\ DMY`, "TimeZone", "Europe/Berlin")}},
		{"options attached", [][]byte{user("options", "-cTimeZone=Asia/Tokyo")}},
		{"options long", [][]byte{user("options", "--TimeZone=Asia/Tokyo  --application-name=x")}},
		{"options -e", [][]byte{user("options", "-e")}},
		{"options -c alone", [][]byte{user("options", "-c")}},
		{"options -c no value", [][]byte{user("options", "-c foo")}},
		{"options -- no value", [][]byte{user("options", "--timezone")}},
		{"options bare word", [][]byte{user("options", "bare")}},
		{"options unknown switch", [][]byte{user("options", "-x")}},
		{"DateStyle dmy", [][]byte{user("DateStyle", "dmy")}},
		{"DateStyle default", [][]byte{user("DateStyle", "default")}},
		{"DateStyle ymd, iso", [][]byte{user("DateStyle", " ymd , iso ")}},
		{"DateStyle euro", [][]byte{user("DateStyle", "European")}},
		{"DateStyle conflict", [][]byte{user("DateStyle", "iso, german")}},
		{"DateStyle unknown", [][]byte{user("DateStyle", "foo")}},
		{"DateStyle list syntax", [][]byte{user("DateStyle", "ISO DMY")}},
		{"DateStyle empty", [][]byte{user("DateStyle", "")}},
		{"IntervalStyle", [][]byte{user("IntervalStyle", "POSTGRES")}},
		{"IntervalStyle unknown", [][]byte{user("IntervalStyle", "bar")}},
		{"standard_conforming_strings", [][]byte{user("standard_conforming_strings", "TRUE")}},
		{"standard_conforming_strings bad", [][]byte{user("standard_conforming_strings", "maybe")}},
		{"default_transaction_read_only t", [][]byte{user("default_transaction_read_only", "t")}},
		{"default_transaction_read_only of", [][]byte{user("default_transaction_read_only", "of")}},
		{"default_transaction_read_only o", [][]byte{user("default_transaction_read_only", "o")}},
		{"is_superuser", [][]byte{user("is_superuser", "off")}},
		{"server_version", [][]byte{user("server_version", "1")}},
		{"in_hot_standby", [][]byte{user("in_hot_standby", "on")}},
		{"replication bad", [][]byte{user("replication", "maybe")}},
		{"replication off", [][]byte{user("replication", "off")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := transcript(t, pg, tc.packets...)
			got := transcript(t, quiver, tc.packets...)
			if !slices.Equal(got, want) {
				t.Errorf("quiver answered\n\t%s\nPostgreSQL answered\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
			}
		})
	}
}

// TestPreV3ErrorMatchesPostgres checks the old-style error a 2.0 client
// gets, byte for byte.
func TestPreV3ErrorMatchesPostgres(t *testing.T) {
	pg := pgAddr(t)
	quiver, _ := serve(t, &Config{})
	pkt := startupPacket(2<<16, "user", "postgres")
	want := rawReply(t, pg, pkt)
	got := rawReply(t, quiver, pkt)
	if !bytes.Equal(got, want) {
		t.Fatalf("quiver sent %q, PostgreSQL sent %q", got, want)
	}
}

// TestSilentCloseMatchesPostgres covers the packets PostgreSQL answers by
// closing the connection without a word.
func TestSilentCloseMatchesPostgres(t *testing.T) {
	pg := pgAddr(t)
	quiver, _ := serve(t, &Config{})
	for name, pkt := range map[string][]byte{
		"oversized length": {0x7f, 0, 0, 0, 0, 3, 0, 0},
		"too short":        {0, 0, 0, 7, 0, 3, 0},
		"short cancel":     {0, 0, 0, 12, 0x04, 0xd2, 0x16, 0x2e, 0, 0, 0, 1},
		"incomplete":       {0, 0, 0, 100, 0, 3, 0, 0},
	} {
		t.Run(name, func(t *testing.T) {
			if got := rawReply(t, pg, pkt); len(got) != 0 {
				t.Fatalf("PostgreSQL answered %q", got)
			}
			if got := rawReply(t, quiver, pkt); len(got) != 0 {
				t.Fatalf("quiver answered %q", got)
			}
		})
	}
}

// TestDeliberateDifferences pins down where quiver refuses what PostgreSQL
// would accept, because it cannot honour it.
func TestDeliberateDifferences(t *testing.T) {
	quiver, _ := serve(t, &Config{})
	for _, tc := range []struct{ param, value, code string }{
		{"client_encoding", "LATIN1", pgerror.InvalidParameterValue},
		{"client_encoding", "SQL_ASCII", pgerror.InvalidParameterValue},
		{"DateStyle", "German", pgerror.InvalidParameterValue},
		{"DateStyle", "SQL, DMY", pgerror.InvalidParameterValue},
		{"IntervalStyle", "iso_8601", pgerror.InvalidParameterValue},
		{"standard_conforming_strings", "off", pgerror.InvalidParameterValue},
		{"TimeZone", "-8", pgerror.InvalidParameterValue},
		{"replication", "true", pgerror.FeatureNotSupported},
		{"replication", "database", pgerror.FeatureNotSupported},
	} {
		got := transcript(t, quiver, startupPacket(v30, "user", "u", tc.param, tc.value))
		last := got[len(got)-2]
		if got[len(got)-1] != "<closed>" || !strings.HasPrefix(last, "ErrorResponse FATAL FATAL "+tc.code) {
			t.Errorf("%s=%s: got %q, want FATAL %s and close", tc.param, tc.value, got, tc.code)
		}
	}
	// PostgreSQL here is built with GSSAPI and answers 'G'; quiver has none.
	got := transcript(t, quiver, gssRequest, sslRequest, gssRequest, startupPacket(v30, "user", "u"))
	if want := []string{`answer 'N'`, `answer 'N'`, `answer 'N'`}; !slices.Equal(got[:3], want) || got[len(got)-1] != "ReadyForQuery" {
		t.Errorf("GSSENCRequest, SSLRequest, GSSENCRequest, startup: got %q", got)
	}
	got = transcript(t, quiver, gssRequest, gssRequest)
	if !strings.Contains(got[1], "unsupported frontend protocol 1234.5680") {
		t.Errorf("GSSENCRequest twice: got %q", got)
	}
	// Parameters PostgreSQL does not report pass through unchecked.
	got = transcript(t, quiver, startupPacket(v30, "user", "u", "foo_bar", "1", "extra_float_digits", "3"))
	if got[len(got)-1] != "ReadyForQuery" {
		t.Errorf("unknown parameters: got %q", got)
	}
}

func TestAcceptResult(t *testing.T) {
	addr, out := serve(t, &Config{})
	long := strings.Repeat("x", 70)
	got := transcript(t, addr, startupPacket(3<<16|2, "user", long, "options", "-c search_path=s --work-mem=1MB",
		"Application_Name", "app", "_pq_.x", "y", "extra_float_digits", "3"))
	if got[len(got)-1] != "ReadyForQuery" {
		t.Fatalf("got %q", got)
	}
	o := <-out
	if o.err != nil {
		t.Fatal(o.err)
	}
	s := o.hello.Startup
	if o.hello.Kind != KindStartup || s.ProtocolMajor != 3 || s.ProtocolMinor != 0 || s.RequestedMinor != 2 {
		t.Errorf("hello %+v, startup %+v", o.hello, s)
	}
	if s.User != long[:63] || s.Database != long[:63] {
		t.Errorf("user %q database %q, want both cut to 63 bytes", s.User, s.Database)
	}
	if s.Params["user"] != long || s.Params["_pq_.x"] != "y" || s.Params["Application_Name"] != "app" {
		t.Errorf("params %v", s.Params)
	}
	want := map[string]string{"search_path": "s", "work_mem": "1MB", "application_name": "app", "extra_float_digits": "3"}
	if !mapsEqual(s.Settings, want) {
		t.Errorf("settings %v, want %v", s.Settings, want)
	}
	if v, ok := s.Setting("APPLICATION_NAME"); !ok || v != "app" {
		t.Errorf("Setting(APPLICATION_NAME) = %q, %v", v, ok)
	}
	if s.Password != "" {
		t.Errorf("password %q under trust", s.Password)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestCancelRequest(t *testing.T) {
	addr, out := serve(t, &Config{})
	key := CancelKey{ProcessID: 42, Secret: 0xdeadbeef}
	if got := rawReply(t, addr, cancelPacket(key)); len(got) != 0 {
		t.Fatalf("cancel answered %q", got)
	}
	o := <-out
	if o.err != nil || o.hello.Kind != KindCancel || o.hello.Cancel != key {
		t.Fatalf("got %+v %v, want cancel %+v", o.hello, o.err, key)
	}
	// After an SSLRequest too, as libpq sends it with sslmode=prefer.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write(sslRequest)
	var b [1]byte
	if _, err := c.Read(b[:]); err != nil || b[0] != 'N' {
		t.Fatalf("SSLRequest answer %q %v", b, err)
	}
	c.Write(cancelPacket(key))
	if o := <-out; o.err != nil || o.hello.Cancel != key {
		t.Fatalf("got %+v %v", o.hello, o.err)
	}
}

func TestCancelKey(t *testing.T) {
	a, b := NewCancelKey(7), NewCancelKey(7)
	if a.ProcessID != 7 || a.Secret == b.Secret {
		t.Fatalf("keys %+v %+v: secrets should differ", a, b)
	}
	if !a.Matches(a) || a.Matches(b) || a.Matches(CancelKey{ProcessID: 8, Secret: a.Secret}) {
		t.Fatal("Matches is wrong")
	}
	m := a.BackendKeyData()
	if m.ProcessID != 7 || len(m.SecretKey) != 4 {
		t.Fatalf("BackendKeyData %+v", m)
	}
	if k, ok := parseCancel(cancelPacket(a)[4:]); !ok || k != a {
		t.Fatalf("parseCancel round trip: %+v %v", k, ok)
	}
}

// TestOversizedStartupNotAllocated sends a 2 GB length and checks that Accept
// refuses it without allocating anything near that.
func TestOversizedStartupNotAllocated(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	go client.Write([]byte{0x7f, 0xff, 0xff, 0xff, 0, 3, 0, 0})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Accept(context.Background(), server, &Config{})
	runtime.ReadMemStats(&after)
	if !errors.Is(err, errInvalidStartupLength) {
		t.Fatalf("err %v, want invalid length", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Fatalf("allocated %d bytes for a refused packet", grew)
	}
}

func TestStartupTimeout(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	start := time.Now()
	_, err := Accept(context.Background(), server, &Config{StartupTimeout: 50 * time.Millisecond})
	if !isTimeout(err) {
		t.Fatalf("err %v, want a timeout", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v", d)
	}
}

func TestAcceptContextCancel(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := Accept(ctx, server, &Config{}); err == nil {
		t.Fatal("Accept returned no error after its context was cancelled")
	}
}

// passwordAuth is a cleartext password method, written here to prove that
// AuthMethod carries one: it is what the "password" method will do.
type passwordAuth struct{ want string }

func (passwordAuth) Name() string { return "password" }

func (p passwordAuth) Authenticate(_ context.Context, ex *AuthExchange) error {
	ex.Send(&pgproto3.AuthenticationCleartextPassword{})
	msg, err := ex.Receive(pgproto3.AuthTypeCleartextPassword)
	if err != nil {
		return err
	}
	pw := msg.(*pgproto3.PasswordMessage).Password
	if pw != p.want {
		return pgerror.Fatal(pgerror.InvalidPassword, "password authentication failed for user %q", ex.Startup.User)
	}
	ex.Startup.Password = pw
	return nil
}

func TestAuthMethodSeam(t *testing.T) {
	addr, out := serve(t, &Config{Auth: passwordAuth{want: "sesame"}})
	for _, tc := range []struct{ password, code string }{{"sesame", ""}, {"wrong", pgerror.InvalidPassword}} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		f := pgproto3.NewFrontend(c, c)
		f.Send(&pgproto3.StartupMessage{ProtocolVersion: v30, Parameters: map[string]string{"user": "u"}})
		if err := f.Flush(); err != nil {
			t.Fatal(err)
		}
		if m, err := f.Receive(); err != nil {
			t.Fatal(err)
		} else if _, ok := m.(*pgproto3.AuthenticationCleartextPassword); !ok {
			t.Fatalf("got %T, want AuthenticationCleartextPassword", m)
		}
		f.Send(&pgproto3.PasswordMessage{Password: tc.password})
		if err := f.Flush(); err != nil {
			t.Fatal(err)
		}
		m, err := f.Receive()
		if err != nil {
			t.Fatal(err)
		}
		o := <-out
		if tc.code == "" {
			if _, ok := m.(*pgproto3.AuthenticationOk); !ok || o.err != nil || o.hello.Startup.Password != "sesame" {
				t.Fatalf("good password: got %T, %v, %+v", m, o.err, o.hello)
			}
		} else if e, ok := m.(*pgproto3.ErrorResponse); !ok || e.Code != tc.code || e.Severity != "FATAL" || o.err == nil {
			t.Fatalf("wrong password: got %#v, %v", m, o.err)
		}
		c.Close()
	}
}
