package dispatch

import (
	"fmt"
	"testing"
)

func TestConstraintLookupHelpers(t *testing.T) {
	if got := fmt.Sprint(keyColumns(`Key (a, "B c")=(1, x) already exists.`)); got != "[a B c]" {
		t.Errorf("keyColumns: %s", got)
	}
	if got := keyColumns("Key (1) already exists."); got != nil {
		t.Errorf("keyColumns of a bare key: %v", got)
	}
	if v, ok := bareKey("Key (1, x) already exists."); !ok || v != "1, x" {
		t.Errorf("bareKey: %q %v", v, ok)
	}
	if _, ok := bareKey("Key (a)=(1) already exists."); ok {
		t.Error("bareKey took a key with columns")
	}
	rows := [][]string{
		{"t_ba", "public", "b"}, {"t_ba", "public", "a"},
		{"t_pkey", "public", "id"},
		{"t_a_b_key", "public", "a"}, {"t_a_b_key", "public", "b"},
		{"t_lower_a_idx", "public", "(lower(b))"}, {"t_lower_a_idx", "public", "a"},
	}
	for _, c := range []struct {
		cols []string
		want string
	}{
		{[]string{"a", "b"}, "t_a_b_key"}, // the same order wins
		{[]string{"b", "a"}, "t_ba"},
		{[]string{"id"}, "t_pkey"},
		{[]string{"lower(b)", "a"}, "t_lower_a_idx"}, // DuckDB's parentheses around an expression
		{[]string{"x"}, "t_pkey"},                    // the one key of one column: x renamed since
		{[]string{"x", "y", "z"}, ""},                // no key of three columns
		{nil, ""},                                    // columns unknown, and more than one index
	} {
		if got, _, _ := uniqueIndexFor(rows, c.cols); got != c.want {
			t.Errorf("uniqueIndexFor(%v) = %q, want %q", c.cols, got, c.want)
		}
	}
	if got, _, _ := uniqueIndexFor(append(rows, []string{"t_c_key", "public", "c"}), []string{"x"}); got != "" {
		t.Errorf("uniqueIndexFor of an unknown column, with two keys of one column: %q", got)
	}
	if got, _, cols := uniqueIndexFor(rows[2:3], nil); got != "t_pkey" || fmt.Sprint(cols) != "[id]" {
		t.Errorf("uniqueIndexFor of the only index: %q %v", got, cols)
	}
	for in, want := range map[string]string{"(lower(b))": "lower(b)", "(a) + (b)": "(a) + (b)", "a": "a", "((a + 1))": "(a + 1)"} {
		if got := unparen(in); got != want {
			t.Errorf("unparen(%s) = %s, want %s", in, got, want)
		}
	}
	checks := [][]string{{"t_k_check", "public", "CHECK ((k > 0))"}, {"t_j_check", "public", "CHECK (((j < 10) AND (j > -10)))"}}
	if got, _ := checkFor(checks, "Failing expression: CHECK(((j < 10) AND (j > -10)))"); got != "t_j_check" {
		t.Errorf("checkFor: %q", got)
	}
	if got, _ := checkFor(checks, "Failing expression: CHECK((z = 1))"); got != "" {
		t.Errorf("checkFor of an unknown expression: %q", got)
	}
	if got, _ := checkFor(checks[:1], ""); got != "t_k_check" {
		t.Errorf("checkFor of the only check: %q", got)
	}
}
