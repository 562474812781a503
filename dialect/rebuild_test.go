package dialect

import (
	"strings"
	"testing"

	"github.com/quiverdb/quiver/stmt"
)

func TestTableBody(t *testing.T) {
	for in, want := range map[string]string{
		"CREATE TABLE a(id INTEGER PRIMARY KEY);":           "(id INTEGER PRIMARY KEY)",
		"CREATE TABLE x.a(id INTEGER, CHECK((id > 0)));":    "(id INTEGER, CHECK((id > 0)))",
		`CREATE TEMP TABLE "we(ird"".x"(a VARCHAR);`:        "(a VARCHAR)",
		`CREATE TABLE "s.1"."t"(a VARCHAR DEFAULT('x(y'));`: "(a VARCHAR DEFAULT('x(y'))",
		"CREATE VIEW v AS SELECT 1;":                        "",
		`CREATE TABLE "open(a INTEGER);`:                    "",
	} {
		got, ok := tableBody(in)
		if got != want || ok != (want != "") {
			t.Errorf("%q: got %q %v, want %q", in, got, ok, want)
		}
	}
}

func TestCheckColumn(t *testing.T) {
	for in, want := range map[string]string{
		"alter table t add check (a > 0)":                "a",
		"alter table t add check (t.a > 0 and a < 10)":   "a",
		"alter table t add check (a > b)":                "",
		"alter table t add check (now() > '2020-01-01')": "",
	} {
		st := stmt.Split(in)[0]
		con := st.Node.GetAlterTableStmt().Cmds[0].GetAlterTableCmd().GetDef().GetConstraint()
		if got := checkColumn(con.RawExpr); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

func TestSequenceStateCreate(t *testing.T) {
	s := sequenceState{schema: "main", name: "t_id_seq", start: "1", min: "1", max: "2147483647", inc: "1"}
	if got, want := s.create("memory"), `CREATE SEQUENCE "memory"."main"."t_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 NO CYCLE`; got != want {
		t.Errorf("unused: got %q, want %q", got, want)
	}
	s.last, s.hasLast = "41", true
	if got := s.create("memory"); !strings.Contains(got, "START WITH 42 ") {
		t.Errorf("used: got %q, want START WITH 42", got)
	}
	s.last, s.inc, s.temporary, s.cycle = "-5", "-2", true, true
	s.min = "-6"
	if got := s.create("memory"); !strings.HasPrefix(got, `CREATE TEMPORARY SEQUENCE "t_id_seq" `) || !strings.Contains(got, "START WITH -5 CYCLE") {
		t.Errorf("exhausted, temporary: got %q", got)
	}
}

func TestReferencingOrder(t *testing.T) {
	// c references b and a, b references a, d references c, e is apart,
	// a references itself.
	var cons []schemaConstraint
	for _, e := range [][]string{{"b", "a"}, {"c", "b"}, {"c", "a"}, {"d", "c"}, {"e", "x"}, {"a", "a"}} {
		cons = append(cons, schemaConstraint{kind: "f", table: e[0], refTable: e[1]})
	}
	cons = append(cons, schemaConstraint{kind: "p", table: "a"})
	got, err := referencing(cons, "a")
	if err != nil || strings.Join(got, ",") != "a,b,c,d" {
		t.Errorf("got %q, %v; want a,b,c,d", got, err)
	}
	got, err = referencing(cons, "c")
	if err != nil || strings.Join(got, ",") != "c,d" {
		t.Errorf("got %q, %v; want c,d", got, err)
	}
}

func TestWithoutConstraints(t *testing.T) {
	sql := `CREATE TABLE "memory"."main"."t"(id INTEGER PRIMARY KEY, u INTEGER UNIQUE, "a,b" VARCHAR DEFAULT('x, (y'), ` +
		`CHECK((u > 0)), FOREIGN KEY ("a,b") REFERENCES p(k), PRIMARY KEY(u, "a,b"), UNIQUE(u, "a,b"))`
	for _, c := range []struct {
		con  schemaConstraint
		want string
	}{
		{schemaConstraint{kind: "c", text: "CHECK((u > 0))"},
			`(id INTEGER PRIMARY KEY, u INTEGER UNIQUE, "a,b" VARCHAR DEFAULT('x, (y'), FOREIGN KEY ("a,b") REFERENCES p(k), PRIMARY KEY(u, "a,b"), UNIQUE(u, "a,b"))`},
		{schemaConstraint{kind: "f", text: `FOREIGN KEY ("a,b") REFERENCES p(k)`},
			`(id INTEGER PRIMARY KEY, u INTEGER UNIQUE, "a,b" VARCHAR DEFAULT('x, (y'), CHECK((u > 0)), PRIMARY KEY(u, "a,b"), UNIQUE(u, "a,b"))`},
		{schemaConstraint{kind: "p", text: "PRIMARY KEY(id)", cols: []string{"id"}},
			`(id INTEGER NOT NULL, u INTEGER UNIQUE, "a,b" VARCHAR DEFAULT('x, (y'), CHECK((u > 0)), FOREIGN KEY ("a,b") REFERENCES p(k), PRIMARY KEY(u, "a,b"), UNIQUE(u, "a,b"))`},
		{schemaConstraint{kind: "u", text: "UNIQUE(u)", cols: []string{"u"}},
			`(id INTEGER PRIMARY KEY, u INTEGER, "a,b" VARCHAR DEFAULT('x, (y'), CHECK((u > 0)), FOREIGN KEY ("a,b") REFERENCES p(k), PRIMARY KEY(u, "a,b"), UNIQUE(u, "a,b"))`},
		{schemaConstraint{kind: "p", text: `PRIMARY KEY(u, "a,b")`, cols: []string{"u", "a,b"}},
			`(id INTEGER PRIMARY KEY, u INTEGER UNIQUE NOT NULL, "a,b" VARCHAR DEFAULT('x, (y') NOT NULL, CHECK((u > 0)), FOREIGN KEY ("a,b") REFERENCES p(k), UNIQUE(u, "a,b"))`},
	} {
		got, err := withoutConstraints(sql, []schemaConstraint{c.con})
		if want := `CREATE TABLE "memory"."main"."t"` + c.want; err != nil || got != want {
			t.Errorf("without %s:\n got %s (%v)\nwant %s", c.con.text, got, err, want)
		}
	}
	if _, err := withoutConstraints(sql, []schemaConstraint{{kind: "c", name: "gone", text: "CHECK((x > 0))"}}); err == nil {
		t.Error("a constraint not in the text: no error")
	}
}

// queryEngine is an Engine whose queries a function answers, for plans'
// Then; NOTICEs and Alone are dropped.
type queryEngine func(string) ([][]string, error)

func (f queryEngine) Query(sql string) ([][]string, error) { return f(sql) }
func (queryEngine) Notice(Notice)                          {}
func (queryEngine) Alone()                                 {}

func TestWithoutColumn(t *testing.T) {
	for _, c := range []struct{ in, col, want string }{
		{"CREATE TABLE a(x INTEGER, id INTEGER PRIMARY KEY)", "x", "CREATE TABLE a(id INTEGER PRIMARY KEY)"},
		{`CREATE TABLE a("we,ird" VARCHAR DEFAULT('a,b'), y INTEGER)`, "we,ird", "CREATE TABLE a(y INTEGER)"},
		{"CREATE TABLE a(x INTEGER, xy INTEGER, CHECK((xy > 0)))", "x", "CREATE TABLE a(xy INTEGER, CHECK((xy > 0)))"},
	} {
		got, err := withoutColumn(c.in, c.col)
		if err != nil || got != c.want {
			t.Errorf("%q without %q: got %q %v, want %q", c.in, c.col, got, err, c.want)
		}
	}
	if _, err := withoutColumn("CREATE TABLE a(x INTEGER)", "y"); err == nil {
		t.Error("a missing column: no error")
	}
}

func TestExpressionColumns(t *testing.T) {
	for in, want := range map[string]string{
		"a":             "a",
		`"Odd Name"`:    "Odd Name",
		"(b + 1)":       "b",
		"lower(c || d)": "c,d",
		"42":            "",
	} {
		if got := strings.Join(expressionColumns(in), ","); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

func TestWithColumnType(t *testing.T) {
	for _, c := range []struct{ in, col, typ, want string }{
		{"CREATE TABLE a(x INTEGER, id INTEGER PRIMARY KEY)", "x", "bigint", "CREATE TABLE a(x bigint, id INTEGER PRIMARY KEY)"},
		{`CREATE TABLE a("we ird" DECIMAL(10,2) DEFAULT(1.5) NOT NULL, y INTEGER)`, "we ird", "numeric(12, 3)",
			`CREATE TABLE a("we ird" numeric(12, 3) DEFAULT(1.5) NOT NULL, y INTEGER)`},
		{"CREATE TABLE a(x TIMESTAMP WITH TIME ZONE, CHECK((x > NULL)))", "x", "text", "CREATE TABLE a(x text, CHECK((x > NULL)))"},
	} {
		got, err := withColumnType(c.in, c.col, c.typ)
		if err != nil || got != c.want {
			t.Errorf("%q with %q %s: got %q %v, want %q", c.in, c.col, c.typ, got, err, c.want)
		}
	}
	for sql, want := range map[string]string{
		"ALTER TABLE t ALTER COLUMN n TYPE bigint":                        `bigint "n"`,
		"ALTER TABLE t ALTER COLUMN n TYPE int USING n::int + 1":          `int n::int + 1`,
		`ALTER TABLE t ALTER COLUMN "N" TYPE varchar(5) USING lower("N")`: `varchar(5) lower("N")`,
	} {
		typ, using, ok := retypeCommand(sql)
		if got := typ + " " + using; !ok || got != want {
			t.Errorf("%s: got %q %v, want %q", sql, got, ok, want)
		}
	}
}
