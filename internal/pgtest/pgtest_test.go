package pgtest

import (
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/quiverdb/quiver/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// transcriptDir holds the transcripts shared with quiver's own tests.
var transcriptDir = filepath.Join("..", "..", "testdata", "pgtest")

// pgTarget is a fresh database on the shared throwaway PostgreSQL 15.
func pgTarget(t *testing.T) target {
	pg := testenv.PG(t)
	return target{net.JoinHostPort(pg.Host, strconv.Itoa(pg.Port)), pg.User, pg.CreateDB(t)}
}

// TestTranscripts proves every transcript against real PostgreSQL: a
// throwaway PostgreSQL 15, or the server named by -pgtest.addr. With
// -pgtest.rewrite it regenerates their expected output.
func TestTranscripts(t *testing.T) {
	var tgt target
	if *flagAddr == "" {
		tgt = pgTarget(t)
	}
	run(t, transcriptDir, tgt)
}

// TestMismatch checks that a wrong expectation fails with the block's
// position and both outputs, and that a rewrite produces the right one.
func TestMismatch(t *testing.T) {
	tgt := pgTarget(t)
	text := `# a comment that stays
send
{"Type":"Query","String":"select 1 as x"}
----

until
ReadyForQuery
----
{"Type":"ReadyForQuery","TxStatus":"T"}
`
	s, err := parseScript("mismatch", text)
	if err != nil {
		t.Fatal(err)
	}
	_, err = replay(s, tgt, false)
	if err == nil || !strings.Contains(err.Error(), "mismatch:6: until: output differs") {
		t.Fatalf("want a mismatch at line 6, got %v", err)
	}
	actual, err := replay(s, tgt, true)
	if err != nil {
		t.Fatal(err)
	}
	want := `# a comment that stays
send
{"Type":"Query","String":"select 1 as x"}
----

until
ReadyForQuery
----
{"Type":"RowDescription","Fields":[{"Name":"x","DataTypeOID":23,"DataTypeSize":4,"TypeModifier":-1,"Format":0}]}
{"Type":"DataRow","Values":[{"text":"1"}]}
{"Type":"CommandComplete","CommandTag":"SELECT 1"}
{"Type":"ReadyForQuery","TxStatus":"I"}
`
	if got := s.rewrite(actual); got != want {
		t.Fatalf("rewrite:\n%s\nwant:\n%s", got, want)
	}
}

// TestUntilStopsAtError checks that an ErrorResponse nobody waits for fails
// the block instead of being skipped.
func TestUntilStopsAtError(t *testing.T) {
	tgt := pgTarget(t)
	s, err := parseScript("stop", `send
{"Type":"Query","String":"select 1/0"}
----

until
CommandComplete
----
`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = replay(s, tgt, false)
	if err == nil || !strings.Contains(err.Error(), "got ErrorResponse while waiting for CommandComplete") {
		t.Fatalf("got %v", err)
	}
}

func TestParseScript(t *testing.T) {
	text := "# c\n\nsend\n{\"Type\":\"Sync\"}\n----\n\nuntil ignore=DataRow\nReadyForQuery\n----\nA\nB\n\n# tail\n"
	s, err := parseScript("x", text)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.blocks) != 2 {
		t.Fatalf("got %d blocks", len(s.blocks))
	}
	b := s.blocks[1]
	if b.cmd != "until" || b.line != 7 || strings.Join(b.args, " ") != "ignore=DataRow" ||
		strings.Join(b.input, "|") != "ReadyForQuery" || strings.Join(b.expected, "|") != "A|B" {
		t.Fatalf("bad block %+v", b)
	}
	if got := s.rewrite([][]string{nil, {"A", "B"}}); got != text {
		t.Fatalf("identity rewrite changed the file:\n%q", got)
	}
	if got := s.rewrite([][]string{nil, {"C"}}); got != strings.Replace(text, "A\nB\n", "C\n", 1) {
		t.Fatalf("rewrite:\n%q", got)
	}
	if _, err := parseScript("x", "send\n{}\n"); err == nil || !strings.Contains(err.Error(), "x:1") {
		t.Fatalf("missing separator: %v", err)
	}
}

func TestParseFrontend(t *testing.T) {
	m, err := parseFrontend(`{"Type":"Parse","Name":"s","Query":"select $1","ParameterOIDs":[23]}`)
	if err != nil {
		t.Fatal(err)
	}
	if p := m.(*pgproto3.Parse); p.Name != "s" || p.Query != "select $1" || len(p.ParameterOIDs) != 1 {
		t.Fatalf("got %+v", p)
	}
	m, err = parseFrontend(`{"Type":"Raw","Data":"7a 00000004"}`)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := m.Encode(nil); string(b) != "z\x00\x00\x00\x04" {
		t.Fatalf("raw encodes as %q", b)
	}
	for _, bad := range []string{
		`{"Type":"Query","Sql":"select 1"}`,
		`{"Type":"Describe","ObjectType":"S","Nam":"s"}`,
		`{"Type":"Nope"}`,
		`{"String":"select 1"}`,
		`{"Type":"Raw","Data":"zz"}`,
		`Query {"String":"select 1"}`,
	} {
		if _, err := parseFrontend(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func TestView(t *testing.T) {
	e := &pgproto3.ErrorResponse{Severity: "ERROR", SeverityUnlocalized: "ERROR", Code: "42P01",
		Message: "relation \"t\" does not exist", Position: 15, File: "parse_relation.c", Line: 1392}
	rd := &pgproto3.RowDescription{Fields: []pgproto3.FieldDescription{
		{Name: []byte("i"), TableOID: 16384, TableAttributeNumber: 1, DataTypeOID: 23, DataTypeSize: 4, TypeModifier: -1}}}
	for _, tc := range []struct {
		args []string
		msg  pgproto3.BackendMessage
		want string
	}{
		{nil, e, `{"Type":"ErrorResponse","Severity":"ERROR","Code":"42P01","Position":15}`},
		{[]string{"keep=ErrorResponse.Message", "ignore=ErrorResponse.Position"}, e,
			`{"Type":"ErrorResponse","Severity":"ERROR","Code":"42P01","Message":"relation \"t\" does not exist"}`},
		{nil, rd, `{"Type":"RowDescription","Fields":[{"Name":"i","DataTypeOID":23,"DataTypeSize":4,"TypeModifier":-1,"Format":0}]}`},
		{[]string{"keep=RowDescription.TableOID,RowDescription.TableAttributeNumber", "ignore=RowDescription.TypeModifier"}, rd,
			`{"Type":"RowDescription","Fields":[{"Name":"i","TableOID":16384,"TableAttributeNumber":1,"DataTypeOID":23,"DataTypeSize":4,"Format":0}]}`},
		{nil, &pgproto3.DataRow{Values: [][]byte{[]byte("a b"), nil, {0, 0, 0, 1}, {0xff, 'x'}}},
			`{"Type":"DataRow","Values":[{"text":"a b"},null,{"binary":"00000001"},{"binary":"ff78"}]}`},
		{[]string{"ignore=DataRow"}, &pgproto3.DataRow{}, ``},
		{nil, &pgproto3.NoticeResponse{Severity: "WARNING", Code: "25P01"}, ``},
		{[]string{"keep=NoticeResponse"}, &pgproto3.NoticeResponse{Severity: "WARNING", Code: "25P01", Message: "m"},
			`{"Type":"NoticeResponse","Severity":"WARNING","Code":"25P01"}`},
		{nil, &pgproto3.ParameterStatus{Name: "TimeZone", Value: "UTC"}, ``},
	} {
		v, err := newView(tc.args, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, shown, err := v.render(tc.msg)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want || shown != (tc.want != "") {
			t.Errorf("%v %s:\n got %s (shown %v)\nwant %s", tc.args, typeName(tc.msg), got, shown, tc.want)
		}
	}
	for _, bad := range []string{"ignore=Nope", "keep=ErrorResponse.Nope", "hide=DataRow", "ignore="} {
		if _, err := newView([]string{bad}, nil); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
