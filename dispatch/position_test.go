package dispatch

import (
	"testing"

	"github.com/quiverdb/quiver/pgerror"
)

func TestAtClientText(t *testing.T) {
	at := func(pos int32) error { return pgerror.New(pgerror.SyntaxError, "x").WithPosition(pos) }
	for _, tc := range []struct {
		ran, client string
		pos, want   int32
	}{
		{"select nosuch", "select nosuch", 8, 8},                         // not rewritten
		{"select nosuch, ARRAY[1]", "select nosuch, '{1}'::int[]", 8, 8}, // rewritten after the position
		{"select é, ARRAY[1]", "select é, '{1}'::int[]", 8, 8},           // characters, not bytes
		{"SELECT nosuch", "select nosuch", 8, 8},                         // rewritten before it, the name found once
		{"select ARRAY['x']::int[]", "select '{x}'::int[]", 14, 0},
		// The token at the position, found once in the client's text.
		{"SELECT array_append(a, '{7}'::int) FROM uc", "select array_append(a, '{7}') from uc", 24, 24},
		{"SELECT nosuch FROM é", "select  nosuch from é", 8, 9},
		{"SELECT x, x FROM t", "select x, x from t", 8, 0}, // found twice
		{"SELECT 'it''s' + 1", "select 'it''s' + 1", 8, 8},
		{"select 1", "select 1", 0, 0},
		{"", "select nosuch", 8, 0}, // a text that differs from the start
	} {
		err := atClientText(at(tc.pos), tc.ran, tc.client)
		if got := pgerror.Flatten(err).Position; got != tc.want {
			t.Errorf("ran %q for %q, position %d: got %d, want %d", tc.ran, tc.client, tc.pos, got, tc.want)
		}
	}
	other := pgerror.New(pgerror.SyntaxError, "y")
	if err := atClientText(other, "a", "b"); err != other {
		t.Errorf("an error without a position changed: %v", err)
	}
}
