//go:build duckdb_arrow

package duckdb

import (
	"context"
	"errors"
	"testing"

	bindings "github.com/duckdb/duckdb-go-bindings"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/quiverdb/quiver/internal/testenv"
	"github.com/quiverdb/quiver/pgerror"
)

// TestErrorClassesComplete checks that every DuckDB error type has a prefix
// and a SQLSTATE, and that prefixes are unique.
func TestErrorClassesComplete(t *testing.T) {
	seen := map[string]bindings.ErrorType{}
	for typ := bindings.ErrorTypeInvalid; typ <= bindings.ErrorTypeInvalidConfiguration; typ++ {
		c := errorClasses[typ]
		if c.prefix == "" || len(c.code) != 5 {
			t.Errorf("error type %d has no entry: %+v", typ, c)
			continue
		}
		if other, dup := seen[c.prefix]; dup {
			t.Errorf("error types %d and %d share the prefix %q", other, typ, c.prefix)
		}
		seen[c.prefix] = typ
		got, ok := errorTypeOf(c.prefix + ": something")
		if !ok || got != typ {
			t.Errorf("errorTypeOf(%q) = %d, %v; want %d", c.prefix, got, ok, typ)
		}
	}
}

func TestTranslate(t *testing.T) {
	for _, tc := range []struct {
		msg, sql string
		code     string
		message  string
		detail   string
		hint     string
		pos      int32
	}{
		{
			msg:  "Catalog Error: Table with name nosuch does not exist!\nDid you mean \"pg_sequences\"?\n\nLINE 1: select * from nosuch\n                      ^",
			sql:  "select * from nosuch",
			code: pgerror.UndefinedTable, message: `relation "nosuch" does not exist`, pos: 15,
		},
		// DuckDB's list of columns it could have meant is not PostgreSQL's
		// hint.
		{
			msg:  "Binder Error: Referenced column \"idd\" not found in FROM clause!\nCandidate bindings: \"id\"\n\nLINE 1: select idd from a\n               ^",
			sql:  "select idd from a",
			code: pgerror.UndefinedColumn, message: `column "idd" does not exist`, pos: 8,
		},
		// DuckDB's caret counts display columns; PostgreSQL's position
		// counts characters.
		{
			msg:  "Binder Error: Referenced column \"idd\" not found in FROM clause!\n\nLINE 1: select 'é', idd from a\n                    ^",
			sql:  "select 'é', idd from a",
			code: pgerror.UndefinedColumn, message: `column "idd" does not exist`, pos: 13,
		},
		{
			msg:  "Binder Error: Referenced column \"idd\" not found in FROM clause!\n\nLINE 1: select '漢字', idd from a\n                       ^",
			sql:  "select '漢字', idd from a",
			code: pgerror.UndefinedColumn, message: `column "idd" does not exist`, pos: 14,
		},
		{
			msg:  "Binder Error: Referenced column \"idd\" not found in FROM clause!\n\nLINE 1: select '😀', idd from a\n                     ^",
			sql:  "select '😀', idd from a",
			code: pgerror.UndefinedColumn, message: `column "idd" does not exist`, pos: 13,
		},
		// quiver's own error() calls carry PostgreSQL's SQLSTATE; a user's
		// are 22023, whatever they say.
		{
			msg:  "Invalid Input Error: quiver:22012: division by zero",
			code: pgerror.DivisionByZero, message: "division by zero",
		},
		{
			msg:  "Invalid Input Error: quiver:2201: short",
			code: pgerror.InvalidParameterValue, message: "quiver:2201: short",
		},
		{
			msg:  "Invalid Input Error: quiver:22p02: lower case",
			code: pgerror.InvalidParameterValue, message: "quiver:22p02: lower case",
		},
		{
			msg:  "Parser Error: syntax error at or near \"selec\"\n\nLINE 1: selec 1\n        ^",
			sql:  "selec 1",
			code: pgerror.SyntaxError, message: `syntax error at or near "selec"`, pos: 1,
		},
		{
			msg:  "Parser Error: syntax error at or near \"from\"\n\nLINE 2: x from\n          ^",
			sql:  "select é,\nx from",
			code: pgerror.SyntaxError, message: `syntax error at or near "from"`, pos: 13,
		},
		{
			msg:  "Constraint Error: Duplicate key \"a: 1, b: x\" violates primary key constraint.",
			code: pgerror.UniqueViolation, message: "duplicate key value violates unique constraint", detail: "Key (a, b)=(1, x) already exists.",
		},
		{
			msg:  "Constraint Error: NOT NULL constraint failed: e.b",
			code: pgerror.NotNullViolation, message: `null value in column "b" of relation "e" violates not-null constraint`,
		},
		{
			msg:  "Invalid Input Error: Attempting to execute an unsuccessful or closed pending query result\nError: INTERRUPT Error: Interrupted!",
			code: pgerror.QueryCanceled, message: msgCanceled,
		},
		{
			msg:  "Conversion Error: Type INT64 with value 3000000000 can't be cast because the value is out of range for the destination type INT32",
			code: pgerror.NumericValueOutOfRange, message: "integer out of range",
		},
		{
			msg:  "TransactionContext Error: Current transaction is aborted (please ROLLBACK)",
			code: pgerror.InFailedSQLTransaction, message: "current transaction is aborted, commands ignored until end of transaction block",
		},
		{
			msg:  "Catalog Error: Table with name \"e\" already exists!",
			code: pgerror.DuplicateTable, message: `relation "e" already exists`,
		},
		{
			// Length checks of varchar(n) and char(n) columns (package
			// catalog, LengthCheck), by DuckDB 1.5's wording.
			msg:  `Constraint Error: CHECK constraint failed on table t with expression CHECK((len(a) <= 5))`,
			code: pgerror.StringDataRightTruncation, message: "value too long for type character varying(5)",
		},
		{
			msg:  `Constraint Error: CHECK constraint failed on table t with expression CHECK((12 >= len("My ""c""")))`,
			code: pgerror.StringDataRightTruncation, message: "value too long for type character(12)",
		},
		{
			msg:  `Constraint Error: CHECK constraint failed on table t with expression CHECK(((len(a) <= 5) OR (len(b) <= 5)))`,
			code: pgerror.CheckViolation, message: `new row for relation "t" violates check constraint`,
			detail: "Failing expression: CHECK(((len(a) <= 5) OR (len(b) <= 5)))",
		},
		{
			msg:  `Constraint Error: CHECK constraint failed on table t with expression CHECK((c > 0))`,
			code: pgerror.CheckViolation, message: `new row for relation "t" violates check constraint`, detail: "Failing expression: CHECK((c > 0))",
		},
		{
			msg:  "Invalid Input Error: value too long for type character(3)",
			code: pgerror.StringDataRightTruncation, message: "value too long for type character(3)",
		},
		{
			msg:  `Invalid Input Error: changing the type of column "i" to text needs USING on DuckDB`,
			code: pgerror.FeatureNotSupported, message: `changing the type of column "i" to text needs USING on DuckDB`,
		},
		{
			msg:  "Binder Error: Cannot change the type of a column that has a CHECK constraint specified",
			code: pgerror.FeatureNotSupported, message: "cannot change the type of a column with a check constraint on DuckDB",
			hint: "A varchar(n) or char(n) column made by CREATE TABLE has one that checks its length.",
		},
		{
			// A string DuckDB casts to a list: PostgreSQL's array_in says
			// what is wrong with a malformed one.
			msg:  "Conversion Error: Type VARCHAR with value '{1,\"a' can't be cast to the destination type INTEGER[]",
			sql:  "insert into t values ('{1,\"a')",
			code: pgerror.InvalidTextRepresentation, message: `malformed array literal: "{1,"a"`, detail: "Unexpected end of input.", pos: 23,
		},
		{
			msg:  "Conversion Error: Type VARCHAR with value '[2:1]={}' can't be cast to the destination type VARCHAR[][]",
			code: pgerror.ArraySubscriptError, message: "upper bound cannot be less than lower bound",
		},
		{
			// A well-formed one stays DuckDB's conversion error.
			msg:  "Conversion Error: Type VARCHAR with value '{1}' can't be cast to the destination type INTEGER[]",
			code: pgerror.InvalidTextRepresentation, message: "Type VARCHAR with value '{1}' can't be cast to the destination type INTEGER[]",
		},
		{
			msg:  "Some unknown text",
			code: pgerror.InternalError, message: "Some unknown text",
		},
	} {
		e := translate(bindings.ErrorTypeInvalid, tc.msg, tc.sql)
		if e.Code != tc.code || e.Message != tc.message || e.Detail != tc.detail || e.Hint != tc.hint || e.Position != tc.pos {
			t.Errorf("translate(%q)\n got %s %q detail %q hint %q pos %d\nwant %s %q detail %q hint %q pos %d",
				tc.msg, e.Code, e.Message, e.Detail, e.Hint, e.Position, tc.code, tc.message, tc.detail, tc.hint, tc.pos)
		}
	}
}

// errorCorpus is run against DuckDB and a live PostgreSQL. Unless duck is
// set, both must fail with the same SQLSTATE; duck names the SQLSTATE
// DuckDB gives instead ("00000" for no error), and why says why.
var errorCorpus = []struct {
	name   string
	before []string // run first on the same session, errors ignored
	sql    string
	after  []string // run afterwards, errors ignored
	duck   string
	why    string
	// sameText asks for the same message, and the same position when
	// PostgreSQL gives one.
	sameText bool
}{
	{name: "undefined table", sql: "select * from nosuch", sameText: true},
	{name: "undefined table in schema", sql: "select * from nosuchschema.t", sameText: true},
	{name: "undefined column", sql: "select nosuch from t", sameText: true},
	{name: "undefined qualified column", sql: "select t.nosuch from t", sameText: true},
	{name: "syntax error", sql: "selec 1", sameText: true},
	{name: "syntax error at end", sql: "select 1 +", sameText: true},
	{name: "syntax error later", sql: "select 1 from t where", sameText: true},
	{name: "undefined function", sql: "select nosuchfn(1)"},
	{name: "undefined type", sql: "select 1::nosuchtype", sameText: true},
	{name: "duplicate table", sql: "create table t(a int)", sameText: true},
	{name: "drop missing table", sql: "drop table nosuch"},
	{name: "grouping", sql: "select a from t group by b"},
	{name: "subquery returns two rows", sql: "select (select 1 union select 2)", sameText: true},
	{name: "division by zero", sql: "select 1/0", duck: pgerror.SuccessfulCompletion,
		why: "DuckDB's / is float division: 1/0 is +Inf"},
	{name: "integer division by zero", sql: "select 1 / 0::int", duck: pgerror.SuccessfulCompletion,
		why: "DuckDB's / is float division even for integers (1//0, integer division, is NULL)"},
	{name: "modulo by zero", sql: "select 1 % 0", duck: pgerror.SuccessfulCompletion,
		why: "DuckDB returns NULL for x % 0"},
	{name: "numeric division by zero", sql: "select 1.0 / 0", duck: pgerror.SuccessfulCompletion,
		why: "DuckDB returns NULL for decimal division by zero"},
	{name: "duplicate key", sql: "insert into t values (1, 'x', 1)",
		why: "same SQLSTATE; DuckDB does not name the constraint"},
	{name: "not null", sql: "insert into t values (3, null, 1)", sameText: true},
	{name: "check", sql: "insert into t values (4, 'x', -1)"},
	{name: "foreign key", sql: "insert into t2 values (99)"},
	{name: "bad integer", sql: "select 'abc'::int", sameText: true},
	{name: "bad bigint", sql: "select 'abc'::bigint", sameText: true},
	{name: "bad float", sql: "select 'abc'::float8", sameText: true},
	{name: "bad boolean", sql: "select 'maybe'::bool", sameText: true},
	{name: "bad date", sql: "select 'abc'::date", sameText: true},
	{name: "date out of range", sql: "select '2020-13-01'::date", sameText: true},
	{name: "bad uuid", sql: "select 'abc'::uuid", duck: pgerror.InvalidTextRepresentation,
		why: "same SQLSTATE; DuckDB names the type INT128"},
	{name: "integer overflow", sql: "select 2147483647::int + 1", sameText: true},
	{name: "bigint overflow", sql: "select 9223372036854775807::bigint + 1", sameText: true},
	{name: "cast out of range", sql: "select 3000000000::bigint::int", sameText: true},
	{name: "smallint out of range", sql: "select 100000::smallint", sameText: true},
	{name: "numeric overflow", sql: "select 12345.678::numeric(5,2)", sameText: true},
	{name: "text to numeric overflow", sql: "select '99999999999'::numeric(5,2)", duck: pgerror.InvalidTextRepresentation,
		why: "DuckDB reports a failed conversion where PostgreSQL reports numeric field overflow"},
	{name: "parameter in a plain query", sql: "select $1", sameText: true},
	{name: "malformed array literal", before: []string{"create table tarr (a int[])"}, sql: "insert into tarr values ('{1,2')",
		after: []string{"drop table tarr"}, sameText: true},
	{name: "unterminated string", sql: "select 'abc", sameText: true},
	{name: "aborted transaction", before: []string{"begin", "select 'x'::int"}, sql: "select 1",
		after: []string{"rollback"}, sameText: true},
	{name: "commit without transaction", sql: "commit", duck: pgerror.NoActiveSQLTransaction,
		why: "PostgreSQL only warns"},
	{name: "rollback without transaction", sql: "rollback", duck: pgerror.NoActiveSQLTransaction,
		why: "PostgreSQL only warns"},
	{name: "begin in transaction", before: []string{"begin"}, sql: "begin", after: []string{"rollback"},
		duck: pgerror.ActiveSQLTransaction, why: "PostgreSQL only warns; DuckDB fails and aborts the transaction"},
}

const corpusSetup = `create table t(a int primary key, b text not null, c int check (c > 0));
create table t2(a int references t(a));
insert into t values (1, 'x', 1)`

// TestErrorsMatchPostgres runs errorCorpus on DuckDB and on PostgreSQL.
func TestErrorsMatchPostgres(t *testing.T) {
	pg := testenv.PG(t)
	ctx := context.Background()
	pc, err := pgconn.Connect(ctx, pg.URL(pg.CreateDB(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close(ctx)
	if _, err := pc.Exec(ctx, corpusSetup).ReadAll(); err != nil {
		t.Fatal(err)
	}
	s := newSession(t, Options{})
	for _, q := range splitSetup(corpusSetup) {
		mustExec(t, s, q)
	}

	pgRun := func(sql string) *pgconn.PgError {
		_, err := pc.Exec(ctx, sql).ReadAll()
		var pe *pgconn.PgError
		if err != nil && !errors.As(err, &pe) {
			t.Fatalf("PostgreSQL %q: %v", sql, err)
		}
		return pe
	}
	duckRun := func(sql string) *pgerror.Error {
		res, err := s.Query(ctx, sql)
		if err == nil {
			if res.Rows != nil {
				for res.Rows.Next() {
				}
				err = res.Rows.Err()
				res.Rows.Release()
			}
		}
		if err == nil {
			return nil
		}
		return pgerror.Flatten(err)
	}
	for _, tc := range errorCorpus {
		t.Run(tc.name, func(t *testing.T) {
			for _, q := range tc.before {
				pgRun(q)
				duckRun(q)
			}
			pe, de := pgRun(tc.sql), duckRun(tc.sql)
			for _, q := range tc.after {
				pgRun(q)
				duckRun(q)
			}
			pgCode, duckCode := pgerror.SuccessfulCompletion, pgerror.SuccessfulCompletion
			if pe != nil {
				pgCode = pe.Code
			}
			if de != nil {
				duckCode = de.Code
			}
			want := pgCode
			if tc.duck != "" {
				want = tc.duck
				if tc.duck == pgCode && tc.why == "" {
					t.Errorf("listed as a divergence, but both give %s", pgCode)
				}
			}
			if duckCode != want {
				t.Fatalf("DuckDB: %s (%v); want %s (PostgreSQL: %s %v)", duckCode, de, want, pgCode, pe)
			}
			t.Logf("PostgreSQL: %s %v; DuckDB: %s %v", pgCode, pe, duckCode, de)
			if !tc.sameText || pe == nil {
				return
			}
			if de.Message != pe.Message {
				t.Errorf("message %q, PostgreSQL says %q", de.Message, pe.Message)
			}
			if pe.Position != 0 && de.Position != pe.Position {
				t.Errorf("position %d, PostgreSQL says %d", de.Position, pe.Position)
			}
		})
	}
}
