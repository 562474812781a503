package types

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/quiverdb/quiver/internal/testenv"
	"github.com/quiverdb/quiver/pgerror"
)

// arrayLiterals are array literals, well-formed and not, that exercise
// each check of array_in: dimension decorations, braces, quotes, escapes,
// whitespace, NULL, nesting and its oddities.
var arrayLiterals = []string{
	"{1,2}", "[1,2]", "{1,2", "{{1},{2,3}}", "[0:1]={5,6}", "  [0:1] = {5,6}", "[1:2]={1}", "[2:1]={}", "[1:0]={}",
	"[a]={1}", "[1:]={1}", "[1:2={1,2}", "[1:2]{1,2}", "[1:2]=1", "[1:2][1:1]={{1},{2}}", "[1:2]={{1},{2}}", "{}", "{ }",
	"{{}}", "{1,}", "{,1}", "{1,,2}", `{"a",b}`, `{"a"b}`, `{a"b"}`, "{a}x", "{a} ", "{{1},2}", "{1,{2}}", "{{1}}}",
	`{NULL,null,"NULL"}`, `{\}`, `{a\}`, `{"a`, "{1 2}", "x", " ", "", "[-1:1]={1,2,3}", "[+1:+2]={1,2}", "[1-2]={1}",
	"[]={}", "{{{{{{{1}}}}}}}", "{{1},{{2}}}", "{{{1}},{2}}", "{{1,2},{3}}", "{{1},{2},{3,4}}", `{"a\"b", "c\\d" , e f }`,
	`{ "x" , y }`, `{"x" y}`, `{"x"\y}`, `{x\,y}`, `{\ a}`, `{a\ }`, `{"",""}`, `{{"a"}}`, "[1:1][1:2]={{1,2}}",
	"[1:1][1:2]={1,2}", "[1:1]={{1}}", "[2147483647:2147483647]={1}", "[1:2147483647]={1}", "[-2147483648:2147483647]={1}",
	"[1:7]={1,2,3,4,5,6,7}", "[1][1][1][1][1][1][1]={1}", "{{{{{{1}}}}}}", "[+-1:1]={1,2}", "[1:2] = {1,2}", "[1:2]",
	"[1:2]=", "{1,2}}", "}", "{{1},}", "{,}", "{ , }", `{"a",}`, "{{1}{2}}", "{{1},{2}} x", "{1}}", "{NULL}",
	`{"NULL",NuLl}`, "{ NULL }", `{\NULL}`, "\t{\ta\t,\n b }\n", `{"{}",",","\\"}`, "{a b  c}", `{"\a"}`,
	"[1:1]={a}x", "[1:2]={1,2", " [1:1] = {{1}}", "[0:0]={\"a}",
}

// TestParseArrayLiteralAgainstPostgres reads each of arrayLiterals with
// ParseArrayLiteral and with PostgreSQL's array_in (as text[]), and
// requires the same elements and dimensions, or the same error: SQLSTATE,
// message and DETAIL.
func TestParseArrayLiteralAgainstPostgres(t *testing.T) {
	pg := testenv.PG(t)
	ctx := context.Background()
	conn, err := pgconn.Connect(ctx, pg.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, lit := range arrayLiterals {
		// array_out without the lower bounds, which quiver drops.
		res := conn.ExecParams(ctx, "SELECT regexp_replace($1::text[]::text, '^\\[[^=]*=', '')", [][]byte{[]byte(lit)}, nil, nil, nil).Read()
		want := ""
		var pe *pgconn.PgError
		switch {
		case errors.As(res.Err, &pe):
			want = "error " + pe.Code + " " + pe.Message + " | " + pe.Detail
		case res.Err != nil:
			t.Fatalf("%q: %v", lit, res.Err)
		default:
			want = string(res.Rows[0][0])
		}
		got := ""
		if dims, elems, err := ParseArrayLiteral(lit); err != nil {
			e := pgerror.Flatten(err)
			got = "error " + e.Code + " " + e.Message + " | " + e.Detail
		} else {
			got = arrayOut(dims, elems)
		}
		if got != want {
			t.Errorf("%q:\n got  %s\n want %s", lit, got, want)
		}
	}
}

// arrayOut renders dims and elems as array_out renders a text[].
func arrayOut(dims []int, elems []*string) string {
	if len(dims) == 0 {
		return "{}"
	}
	var b strings.Builder
	k := 0
	var level func(d int)
	level = func(d int) {
		b.WriteByte('{')
		for i := range dims[d] {
			if i > 0 {
				b.WriteByte(',')
			}
			if d < len(dims)-1 {
				level(d + 1)
				continue
			}
			e := elems[k]
			k++
			switch {
			case e == nil:
				b.WriteString("NULL")
			case *e == "" || strings.EqualFold(*e, "NULL") || strings.ContainsAny(*e, "{},\"\\ \t\n\r\v\f"):
				b.WriteByte('"')
				for _, c := range []byte(*e) {
					if c == '"' || c == '\\' {
						b.WriteByte('\\')
					}
					b.WriteByte(c)
				}
				b.WriteByte('"')
			default:
				b.WriteString(*e)
			}
		}
		b.WriteByte('}')
	}
	level(0)
	return b.String()
}
