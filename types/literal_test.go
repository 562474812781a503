package types

import "testing"

func TestCanonicalTimestamp(t *testing.T) {
	for _, tc := range []struct {
		in   string
		tz   bool
		want string // "" for not ok
	}{
		{"2024-06-01 12:00+02", true, "2024-06-01 10:00:00+00"},
		{"2024-06-01 12:00 +02:00", true, "2024-06-01 10:00:00+00"},
		{"2024-06-01T12:00Z", true, "2024-06-01 12:00:00+00"},
		{"2024-06-01 12:00:00.25 Europe/Paris", true, "2024-06-01 10:00:00.25+00"},
		{"2024-06-01 12:00", true, ""}, // the session's zone
		{"2024-06-01 12:00+02", false, "2024-06-01 12:00:00"},
		{"2024-06-01", false, "2024-06-01 00:00:00"},
		{"epoch", false, "1970-01-01 00:00:00"},
		{"infinity", true, ""},
		{"now", true, ""},
		{"not a time", false, ""},
	} {
		got, ok := CanonicalTimestamp(tc.in, tc.tz)
		if (tc.want != "") != ok || got != tc.want {
			t.Errorf("CanonicalTimestamp(%q, %v) = %q, %v; want %q", tc.in, tc.tz, got, ok, tc.want)
		}
	}
}
