package dispatch

import (
	"strconv"
	"testing"

	"github.com/quiverdb/quiver/catalog"
	"github.com/quiverdb/quiver/stmt"
)

func TestDeclaredStringHelpers(t *testing.T) {
	for kept, want := range map[string]bool{
		"'1042 9'": true, "CAST('1043 14' AS VARCHAR)": true,
		"'1043 -1'": false, "'1700 655366'": false, "'1114 3'": false, "": false, "'1042'": false,
	} {
		d, ok := catalog.ParseDefault(kept)
		if got := ok && hasLength(d); got != want {
			t.Errorf("%q: %v (%+v), want %v", kept, got, d, want)
		}
	}
	for _, c := range []struct {
		t    stmt.Table
		want bool
	}{
		{stmt.Table{Name: "pg_class"}, true},
		{stmt.Table{Schema: "pg_catalog", Name: "anything"}, true},
		{stmt.Table{Schema: "information_schema", Name: "columns"}, true},
		{stmt.Table{Schema: "public", Name: "pg_mine"}, false},
		{stmt.Table{Name: "t"}, false},
	} {
		if got := systemTable(c.t); got != c.want {
			t.Errorf("systemTable(%+v) = %v", c.t, got)
		}
	}

	// Resolution: a schema named, else the first on the search path.
	s := &Session{strcols: stringColumns{tables: map[string][]declaredRels{
		"t": {
			{nspname: "b", rank: 2, cols: map[string]catalog.Declared{"c": {OID: 1042, Typmod: 9}}},
			{nspname: "a", rank: 1, cols: map[string]catalog.Declared{"c": {OID: 1043, Typmod: 9}}},
			{nspname: "off", rank: -1, cols: map[string]catalog.Declared{"c": {OID: 1042, Typmod: 20}}},
		},
		"u": {{nspname: "a", rank: 1}},
	}}}
	for _, c := range []struct {
		tables []stmt.Table
		qual   []string
		want   string
	}{
		{[]stmt.Table{{Name: "t"}}, nil, "1043"},
		{[]stmt.Table{{Schema: "b", Name: "t"}}, nil, "1042"},
		{[]stmt.Table{{Schema: "off", Name: "t", Alias: "x"}}, []string{"x"}, "1042"},
		{[]stmt.Table{{Name: "t", Alias: "x"}}, []string{"t"}, ""}, // an alias hides the name
		{[]stmt.Table{{Name: "t"}, {Name: "u"}}, nil, "1043"},
		{[]stmt.Table{{Name: "t"}, {Name: "t", Alias: "y"}}, nil, ""}, // ambiguous
		{[]stmt.Table{{Name: "unread"}}, nil, ""},
	} {
		got := ""
		if d := s.declaredColumn(c.tables, c.qual, "C"); d != nil {
			got = strconv.FormatUint(uint64(d.OID), 10)
		}
		if got != c.want {
			t.Errorf("%+v %v: %q, want %q", c.tables, c.qual, got, c.want)
		}
	}
}
