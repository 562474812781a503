package types

import "testing"

// TestJSONBNormalFormIsStable checks that the normal form of a value is its
// own normal form, and that the check for it, which lets a normal value
// through without allocating, accepts it. The normal form itself is
// compared with PostgreSQL's in e2e (TestJSONBMatchesPostgres).
func TestJSONBNormalFormIsStable(t *testing.T) {
	for _, in := range []string{
		`{"b":1,"a":2,"aa":3,"a":4}`,
		`[1, 2.50, -0, -0.0, 1e2, 1.5E1, 1e-2, 123.456e-1, 0.000, -12.30, 1E+3]`,
		`"a\"b\\c\/d\b\f\n\r\t\u0001 \u001f \u00e9 \ud83d\ude00"`,
		`  { "x" : [ ] , "y" : { } , "zz" : null , "z" : true , "w": false }  `,
		`{"a\nb": 1, "a": {"\u0001": [true]}}`,
		`5`, `[]`, `{}`, `null`, `-1.5e-3`,
	} {
		once := string(appendJSONB(nil, []byte(in)))
		if twice := string(appendJSONB(nil, []byte(once))); twice != once {
			t.Errorf("%s: normal form %s becomes %s", in, once, twice)
		}
		if c := (normalChecker{s: []byte(in)}); c.value(0) && c.i == len(in) && once != in {
			t.Errorf("%s: taken as normal, but its normal form is %s", in, once)
		}
	}
	for _, bad := range []string{`{"a":}`, `[1,]`, `"open`, `01`, `{"a" 1}`, `tru`} {
		if got := string(appendJSONB(nil, []byte(bad))); got != bad {
			t.Errorf("%s: not JSON, but printed as %s", bad, got)
		}
	}
}
