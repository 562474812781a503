package handshake

import (
	"strings"
	"testing"
	"time"
)

func TestReadUsers(t *testing.T) {
	verifier, err := SCRAMVerifier("pw1")
	if err != nil {
		t.Fatal(err)
	}
	u, err := ReadUsers(strings.NewReader("# comment\n\nalice:" + verifier + "\r\nbob:pa:ss\ncarol:" + md5Hash("pw3", "carol") + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if u.Len() != 3 {
		t.Fatalf("%d users", u.Len())
	}
	for _, tc := range []struct {
		user, pw string
		ok       bool
	}{
		{"alice", "pw1", true}, {"alice", "pw2", false},
		{"bob", "pa:ss", true}, {"bob", "pa", false},
		{"carol", "pw3", true}, {"carol", "pw1", false},
		{"dave", "pw1", false},
	} {
		if got := u.Check(tc.user, tc.pw); got != tc.ok {
			t.Errorf("Check(%s, %s) = %v", tc.user, tc.pw, got)
		}
	}
	if s := u.lookup("bob"); s.scram == nil || s.md5 == "" {
		t.Errorf("a plain password should become a SCRAM verifier and an MD5 hash: %+v", s)
	}
	// The mock salt of an unknown user is stable.
	if a, b := u.mockCredentials("dave"), u.mockCredentials("dave"); a.Salt != b.Salt || a.Salt == u.mockCredentials("eve").Salt {
		t.Error("mock salts should be stable per user and differ between users")
	}
}

func TestReadUsersErrorsHideSecrets(t *testing.T) {
	for _, text := range []string{
		"alice:SCRAM-SHA-256$4096:c2FsdA==$hunter2:hunter2",
		"alice:hunter2\nalice:hunter2",
		"nocolonhunter2",
		"alice:",
	} {
		_, err := ReadUsers(strings.NewReader(text))
		if err == nil {
			t.Errorf("%q: no error", text)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%q: the error shows the secret: %v", text, err)
		}
	}
}

func TestAuthLimiter(t *testing.T) {
	l := &AuthLimiter{Delay: 10 * time.Millisecond, MaxDelay: 40 * time.Millisecond, Forget: time.Hour}
	want := []time.Duration{10, 20, 40, 40}
	for i, w := range want {
		l.failed("1.2.3.4")
		got := time.Until(l.m["1.2.3.4"].until)
		if got > w*time.Millisecond || got < w*time.Millisecond-5*time.Millisecond {
			t.Errorf("after %d failures the wait is %v, want %v", i+1, got, w*time.Millisecond)
		}
	}
	start := time.Now()
	if err := l.wait(t.Context(), "5.6.7.8"); err != nil || time.Since(start) > 5*time.Millisecond {
		t.Errorf("another address waited %v (%v)", time.Since(start), err)
	}
	if err := l.wait(t.Context(), "1.2.3.4"); err != nil || time.Since(start) < 30*time.Millisecond {
		t.Errorf("the failing address waited %v (%v)", time.Since(start), err)
	}
	l.Forget = time.Nanosecond
	time.Sleep(time.Millisecond)
	l.failed("1.2.3.4")
	if n := l.m["1.2.3.4"].n; n != 1 {
		t.Errorf("after Forget the count is %d", n)
	}
}
