package dialect

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/quiverdb/quiver/catalog"
	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/stmt"
)

// rewriteOne rewrites one statement for DuckDB and returns the SQL run.
func rewriteOne(t *testing.T, sql string) (string, error) {
	t.Helper()
	st := stmt.Split(sql)[0]
	p, err := For("duckdb", "").Rewrite(&st)
	if err != nil {
		return "", err
	}
	if p == nil {
		return sql, nil
	}
	return strings.Join(p.SQL, "; "), nil
}

func TestCatalogRewrites(t *testing.T) {
	cases := []struct {
		in       string
		contains []string // substrings of the rewritten SQL
		absent   []string
	}{
		// Catalog relations, qualified or not, become subqueries over DuckDB's metadata.
		{in: "select relname from pg_catalog.pg_class", contains: []string{"duckdb_tables()"}, absent: []string{"pg_catalog.pg_class"}},
		{in: "select relname from pg_class c", contains: []string{"duckdb_tables()", ") c"}},
		// A CTE of the same name hides the catalog relation.
		{in: "with pg_class as (select 1 as relname) select relname from pg_class", absent: []string{"duckdb_tables()"}},
		// Catalog functions become their expressions; other pg_catalog functions lose the qualifier.
		{in: "select pg_catalog.pg_get_userbyid(10)", contains: []string{"getvariable('quiver_session')"}},
		{in: "select pg_catalog.lower('A')", contains: []string{"lower('A')"}, absent: []string{"pg_catalog"}},
		{in: "select current_user", contains: []string{"getvariable('quiver_session')"}},
		{in: "select version()", contains: []string{"PostgreSQL 15.0 (quiver", "pragma_version()"}},
		// OID alias types.
		{in: "select 'pg_catalog.pg_class'::pg_catalog.regclass = 1259", contains: []string{"quiver_system_relations"}},
		{in: "select c.oid::pg_catalog.regclass from pg_class c", contains: []string{"_relname"}},
		{in: "select 1 from pg_class c where c.oid = 5::regclass", contains: []string{"c.oid = 5::quiver_oid"}},
		{in: "select 'int4'::regtype::oid", contains: []string{"23"}},
		// information_schema views the catalog defines are expanded too;
		// DuckDB's own information_schema has the others.
		{in: "select table_name from information_schema.tables t", contains: []string{"duckdb_tables()", ") t"}},
		{in: "select routine_name from information_schema.routines", contains: []string{"information_schema.routines"}},
		// An array of OIDs is an array of the backend's OID type (asyncpg's
		// any($1::oid[])).
		{in: "select 1 where 5 = any($1::oid[])", contains: []string{"$1::quiver_oid[]"}},
		{in: "select x::pg_catalog.text from t", contains: []string{"x::text"}},
		// PostgreSQL's regular expression operators match anywhere.
		{in: "select 'pg_toast' !~ '^pg_'", contains: []string{"NOT regexp_matches('pg_toast', '^pg_')"}},
		{in: "select 'A' ~* 'a'", contains: []string{"regexp_matches('A', 'a', 'i')"}},
		// generate_series's alias names its column.
		{in: "select s from generate_series(1, 3) s", contains: []string{"s(s)"}},
		// Statements with parameters are rewritten too; dispatch prepares
		// the rewritten text with them.
		{in: "select typname from pg_catalog.pg_type where oid = $1", contains: []string{"$1"}, absent: []string{"pg_catalog.pg_type"}},
		// Types the deparser spells in full stay as they are.
		{in: "create table t (a integer, b varchar(3))", contains: []string{"int", "varchar(3)"}, absent: []string{"pg_catalog"}},
	}
	for _, c := range cases {
		got, err := rewriteOne(t, c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		for _, s := range c.contains {
			if !strings.Contains(got, s) {
				t.Errorf("%q: rewritten SQL lacks %q:\n%s", c.in, s, got)
			}
		}
		for _, s := range c.absent {
			if strings.Contains(got, s) {
				t.Errorf("%q: rewritten SQL has %q:\n%s", c.in, s, got)
			}
		}
	}
}

func TestCatalogUnsupported(t *testing.T) {
	for _, in := range []string{
		"select * from pg_catalog.pg_locks",
		"select 'a'::regoper",
	} {
		_, err := rewriteOne(t, in)
		if pgerror.Code(err) != pgerror.FeatureNotSupported {
			t.Errorf("%q: got %v, want 0A000", in, err)
		}
	}
	// Relations DuckDB has itself run as written.
	if got, err := rewriteOne(t, "select name from pg_catalog.pg_prepared_statements"); err != nil || strings.Contains(got, "duckdb_") {
		t.Errorf("pg_prepared_statements: %q, %v", got, err)
	}
}

// TestCatalogDefinitions parses and expands every definition.
func TestCatalogDefinitions(t *testing.T) {
	defs, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for name, sel := range defs.rels {
		if _, err := deparse(&pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: sel}}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestSnapshotRelationsSessionFree checks that the relations the catalog
// snapshot holds are computed without anything of the session's own (its
// settings, search path, user or clock), so that one table serves every
// session, and that a statement reading them gets a Snapshot plan naming
// the relations it reads.
func TestSnapshotRelationsSessionFree(t *testing.T) {
	session := regexp.MustCompile(`(?i)\b(current_schemas?|getvariable|current_setting|now|quiver_search_path|current_role|session_user|current_user|user)\s*\(|\bcurrent_user\b[^']`)
	for _, r := range catalog.SnapshotRelations() {
		st := stmt.Split("SELECT * FROM pg_catalog." + r)[0]
		p, err := For("duckdb", "").Rewrite(&st)
		if err != nil || p == nil || len(p.SQL) != 1 {
			t.Fatalf("%s: %v %v", r, p, err)
		}
		if m := session.FindString(p.SQL[0]); m != "" {
			t.Errorf("%s reads %q, which differs between sessions", r, m)
		}
		if p.Snapshot == nil || !slices.Equal(p.Snapshot.Relations, []string{r}) {
			t.Errorf("%s: snapshot plan %+v, want one reading %s alone", r, p.Snapshot, r)
		} else if !strings.Contains(p.Snapshot.SQL, `"`+catalog.SnapshotDatabase+`".main.`+r) {
			t.Errorf("%s: snapshot plan reads %s", r, p.Snapshot.SQL)
		}
	}
	st := stmt.Split(`select c.relname, pg_catalog.pg_get_constraintdef(k.oid) from pg_class c join pg_constraint k on k.conrelid = c.oid`)[0]
	p, err := For("duckdb", "").Rewrite(&st)
	if err != nil || p == nil || p.Snapshot == nil {
		t.Fatalf("no snapshot plan: %+v %v", p, err)
	}
	got := slices.Sorted(slices.Values(p.Snapshot.Relations))
	if want := []string{"pg_class", "pg_constraint", "quiver_conbase"}; !slices.Equal(got, want) {
		t.Errorf("snapshot relations %v, want %v", got, want)
	}
	st = stmt.Split(`select setting from pg_settings`)[0]
	if p, err := For("duckdb", "").Rewrite(&st); err != nil || p == nil || p.Snapshot != nil {
		t.Errorf("pg_settings: %+v %v, want a plan without snapshot", p, err)
	}
}
