package dialect

import "testing"

// TestDeclaredTypes checks the statements that keep declared column types
// for each kind of DDL. What they make the catalog show is compared with
// PostgreSQL in package catalog (TestDeclaredTypes there).
func TestDeclaredTypes(t *testing.T) {
	checkRewrites(t, []rewriteCase{
		// varchar(n) and char(n) columns get a length check.
		{in: "create table t (a varchar(10), b int, c numeric, d numeric(5,2), e text)", want: []string{
			"CREATE TABLE t (a varchar(10) CHECK (len(a) <= 10), b int, c numeric(38, 10), d numeric(5, 2), e text)",
			`CREATE OR REPLACE TABLE "quiver_types$t" ("quiver$" BOOLEAN, "a" VARCHAR DEFAULT '1043 14', "c" VARCHAR DEFAULT '1700 -1')`,
		}},
		// DuckDB takes no precision for these: the statement loses it.
		{in: "create table if not exists app.t (a timestamptz(0), b time(9), c interval day to second(3), \"D\" char[])", want: []string{
			"CREATE TABLE IF NOT EXISTS app.t (a timestamptz, b time, c interval, \"D\" char(1)[])",
			`CREATE TABLE IF NOT EXISTS "app"."quiver_types$t" ("quiver$" BOOLEAN, "a" VARCHAR DEFAULT '1184 0', "b" VARCHAR DEFAULT '1083 6', "c" VARCHAR DEFAULT '1186 470286339', "D" VARCHAR DEFAULT '1014 5')`,
		}},
		{in: "create temp table t (a bpchar, b name, c timestamp(3))", want: []string{
			"CREATE TEMPORARY TABLE t (a bpchar, b varchar, c timestamp(3))",
			`CREATE OR REPLACE TEMP TABLE "quiver_types$t" ("quiver$" BOOLEAN, "a" VARCHAR DEFAULT '1042 -1', "b" VARCHAR DEFAULT '19 -1', "c" VARCHAR DEFAULT '1114 3')`,
		}},
		{in: `create table t ("My ""c""" char(3) not null, d character, e varchar(2)[])`, want: []string{
			`CREATE TABLE t ("My ""c""" char(3) NOT NULL CHECK (3 >= len("My ""c""")), d char(1) CHECK (1 >= len(d)), e varchar(2)[])`,
			`CREATE OR REPLACE TABLE "quiver_types$t" ("quiver$" BOOLEAN, "My ""c""" VARCHAR DEFAULT '1042 7', "d" VARCHAR DEFAULT '1042 5', "e" VARCHAR DEFAULT '1015 6')`,
		}},
		// IF NOT EXISTS looks for the table first (dropnotice.go).
		{in: "create table if not exists t (i int)", want: []string{"create table if not exists t (i int)"}},
		{in: "alter table t add column c varchar(3)", want: []string{
			"alter table t add column c varchar(3)",
			`CREATE TABLE IF NOT EXISTS "quiver_types$t" ("quiver$" BOOLEAN)`,
			`ALTER TABLE "quiver_types$t" DROP COLUMN IF EXISTS "c"`,
			`ALTER TABLE "quiver_types$t" ADD COLUMN "c" VARCHAR DEFAULT '1043 7'`,
		}},
		{in: "alter table t add column if not exists c int", want: nil},
		// A change to a string type changes only the declared type, after
		// a guard; with USING, COLLATE or IF EXISTS DuckDB's ALTER runs.
		{in: "alter table s.t alter column c type text", want: []string{
			`SELECT CASE WHEN typeof(x."c") <> 'VARCHAR' THEN error('changing the type of column "c" to text needs USING on DuckDB') END FROM (SELECT 1) AS o LEFT JOIN (SELECT "c" FROM "s"."t" LIMIT 0) AS x ON true`,
			`ALTER TABLE IF EXISTS "s"."quiver_types$t" DROP COLUMN IF EXISTS "c"`,
		}},
		{in: "alter table t alter column c set data type varchar(4)", want: []string{
			`SELECT CASE WHEN typeof(x."c") <> 'VARCHAR' THEN error('changing the type of column "c" to character varying(4) needs USING on DuckDB') WHEN length(CAST(x."c" AS VARCHAR)) > 4 THEN error('value too long for type character varying(4)') END FROM (SELECT 1) AS o LEFT JOIN (SELECT "c" FROM "t") AS x ON true`,
			`CREATE TABLE IF NOT EXISTS "quiver_types$t" ("quiver$" BOOLEAN)`,
			`ALTER TABLE "quiver_types$t" DROP COLUMN IF EXISTS "c"`,
			`ALTER TABLE "quiver_types$t" ADD COLUMN "c" VARCHAR DEFAULT '1043 8'`,
		}},
		{in: "alter table t alter column c type text using c || 'x'", want: []string{
			"ALTER TABLE t ALTER COLUMN c TYPE text USING c || 'x'",
			`ALTER TABLE IF EXISTS "quiver_types$t" DROP COLUMN IF EXISTS "c"`,
		}},
		{in: "alter table if exists t alter column c type text", want: []string{
			"ALTER TABLE IF EXISTS t ALTER COLUMN c TYPE text",
			`ALTER TABLE IF EXISTS "quiver_types$t" DROP COLUMN IF EXISTS "c"`,
		}},
		{in: "alter table t alter column c type integer", want: []string{
			"ALTER TABLE t ALTER COLUMN c TYPE int",
			`ALTER TABLE IF EXISTS "quiver_types$t" DROP COLUMN IF EXISTS "c"`,
		}},
		{in: "alter table t alter c type timetz(2)", want: []string{
			"ALTER TABLE t ALTER COLUMN c TYPE timetz",
			`CREATE TABLE IF NOT EXISTS "quiver_types$t" ("quiver$" BOOLEAN)`,
			`ALTER TABLE "quiver_types$t" DROP COLUMN IF EXISTS "c"`,
			`ALTER TABLE "quiver_types$t" ADD COLUMN "c" VARCHAR DEFAULT '1266 2'`,
		}},
		{in: "alter table t drop column c", want: []string{
			"ALTER TABLE t DROP c",
			`ALTER TABLE IF EXISTS "quiver_types$t" DROP COLUMN IF EXISTS "c"`,
			`ALTER TABLE IF EXISTS "quiver_types$t" DROP COLUMN IF EXISTS "quiver$identity:c"`,
		}},
		{in: "alter table t rename column a to b", want: []string{
			"alter table t rename column a to b",
			`ALTER TABLE IF EXISTS "quiver_types$t" DROP COLUMN IF EXISTS "b"`,
			`ALTER TABLE IF EXISTS "quiver_types$t" ADD COLUMN IF NOT EXISTS "a" VARCHAR`,
			`ALTER TABLE IF EXISTS "quiver_types$t" RENAME COLUMN "a" TO "b"`,
			`ALTER TABLE IF EXISTS "quiver_types$t" DROP COLUMN IF EXISTS "quiver$identity:b"`,
			`ALTER TABLE IF EXISTS "quiver_types$t" ADD COLUMN IF NOT EXISTS "quiver$identity:a" VARCHAR`,
			`ALTER TABLE IF EXISTS "quiver_types$t" RENAME COLUMN "quiver$identity:a" TO "quiver$identity:b"`,
		}},
		{in: "alter table app.t rename to u", want: []string{
			"alter table app.t rename to u",
			`DROP TABLE IF EXISTS "app"."quiver_types$u"`,
			`ALTER TABLE IF EXISTS "app"."quiver_types$t" RENAME TO "quiver_types$u"`,
		}},
		// Other ALTERs and renames do not touch column types.
		{in: "alter table t alter column a set not null", want: []string{"ALTER TABLE t ALTER COLUMN a SET NOT NULL"}},
		{in: "alter index i rename to j"},
		{in: "create table t2 as select 1 as a"},
	})
}
