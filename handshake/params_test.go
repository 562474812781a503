package handshake

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestParameterStatusesMatchPostgres connects pgconn to a live PostgreSQL 15
// and to Accept with the same connection strings and compares every reported
// parameter. Only server_version differs, past its major version.
func TestParameterStatusesMatchPostgres(t *testing.T) {
	pg := pgAddr(t)
	quiver, _ := serve(t, &Config{})
	ctx := context.Background()
	for _, opts := range []string{
		"",
		"&application_name=psql&timezone=Europe/Paris&datestyle=ISO,%20DMY",
		"&max_protocol_version=3.2&options=-c%20IntervalStyle%3Dpostgres%20-c%20TimeZone%3DAsia/Tokyo",
		"&client_encoding=unicode&default_transaction_read_only=on",
	} {
		conns := map[string]*pgconn.PgConn{}
		for name, addr := range map[string]string{"PostgreSQL": pg, "quiver": quiver} {
			c, err := pgconn.Connect(ctx, "postgres://postgres@"+addr+"/postgres?sslmode=disable"+opts)
			if err != nil {
				t.Fatalf("%s %q: %v", name, opts, err)
			}
			defer c.Close(ctx)
			conns[name] = c
		}
		for _, p := range reportedParams {
			want, got := conns["PostgreSQL"].ParameterStatus(p.name), conns["quiver"].ParameterStatus(p.name)
			if p.name == "server_version" {
				want, got = strings.SplitN(want, ".", 2)[0], strings.SplitN(got, ".", 2)[0]
			}
			if got != want {
				t.Errorf("%q: %s = %q, PostgreSQL says %q", opts, p.name, got, want)
			}
		}
		if conns["quiver"].PID() != 1 || len(conns["quiver"].SecretKey()) != 4 {
			t.Errorf("BackendKeyData: pid %d, secret %x", conns["quiver"].PID(), conns["quiver"].SecretKey())
		}
	}
}

func TestParameterStatusesDefaults(t *testing.T) {
	got := ParameterStatuses(&Startup{User: "me", Params: map[string]string{"TimeZone": "Nowhere/Land", "datestyle": "ISO, YMD"}}, "15.0")
	want := [][2]string{
		{"application_name", ""}, {"client_encoding", "UTF8"}, {"DateStyle", "ISO, YMD"},
		{"default_transaction_read_only", "off"}, {"in_hot_standby", "off"}, {"integer_datetimes", "on"},
		{"IntervalStyle", "postgres"}, {"is_superuser", "on"}, {"server_encoding", "UTF8"},
		{"server_version", "15.0"}, {"session_authorization", "me"}, {"standard_conforming_strings", "on"},
		{"TimeZone", "UTC"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: got %q, want %q", i, got[i], want[i])
		}
	}
}

func TestParseBool(t *testing.T) {
	for v, want := range map[string]int{ // 1 true, 0 false, -1 invalid
		"t": 1, "TRUE": 1, "tru": 1, "y": 1, "yes": 1, "on": 1, "ON": 1, "1": 1,
		"f": 0, "false": 0, "n": 0, "no": 0, "of": 0, "off": 0, "0": 0,
		"o": -1, "": -1, "truee": -1, "onn": -1, "2": -1, "10": -1,
	} {
		b, ok := parseBool(v)
		got := -1
		if ok && b {
			got = 1
		} else if ok {
			got = 0
		}
		if got != want {
			t.Errorf("parseBool(%q) = %d, want %d", v, got, want)
		}
	}
}
