package types

import "testing"

// TestJSONBNormalFormIsStable checks that the normal form of a value is its
// own normal form, and that text that is not JSON is left as it is. The
// normal form itself is compared with PostgreSQL's in e2e
// (TestJSONBMatchesPostgres).
func TestJSONBNormalFormIsStable(t *testing.T) {
	var w jsonbWriter
	for _, in := range []string{
		`{"b":1,"a":2,"aa":3,"a":4}`,
		`[1, 2.50, -0, -0.0, 1e2, 1.5E1, 1e-2, 123.456e-1, 0.000, -12.30, 1E+3]`,
		`"a\"b\\c\/d\b\f\n\r\t\u0001 \u001f \u00e9 \ud83d\ude00"`,
		`  { "x" : [ ] , "y" : { } , "zz" : null , "z" : true , "w": false }  `,
		`{"a\nb": 1, "a": {"\u0001": [true]}}`,
		`5`, `[]`, `{}`, `null`, `-1.5e-3`,
	} {
		once := string(w.appendJSONB([]byte("x"), []byte(in)))[1:]
		if twice := string(w.appendJSONB(nil, []byte(once))); twice != once {
			t.Errorf("%s: normal form %s becomes %s", in, once, twice)
		}
	}
	for _, bad := range []string{`{"a":}`, `[1,]`, `"open`, `01`, `{"a" 1}`, `tru`, `{"a":1,"b":[1,}`, `[1] x`} {
		if got := string(w.appendJSONB([]byte("x"), []byte(bad)))[1:]; got != bad {
			t.Errorf("%s: not JSON, but printed as %s", bad, got)
		}
	}
}
