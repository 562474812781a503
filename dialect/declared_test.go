package dialect

import "testing"

// TestDeclaredTypes checks the statements that keep declared column types
// for each kind of DDL. What they make the catalog show is compared with
// PostgreSQL in package catalog (TestDeclaredTypes there).
func TestDeclaredTypes(t *testing.T) {
	checkRewrites(t, []rewriteCase{
		{in: "create table t (a varchar(10), b int, c numeric, d numeric(5,2), e text)", want: []string{
			"CREATE TABLE t (a varchar(10), b int, c numeric(38, 10), d numeric(5, 2), e text)",
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
		{in: "create table if not exists t (i int)"},
		{in: "alter table t add column c varchar(3)", want: []string{
			"alter table t add column c varchar(3)",
			`CREATE TABLE IF NOT EXISTS "quiver_types$t" ("quiver$" BOOLEAN)`,
			`ALTER TABLE "quiver_types$t" DROP COLUMN IF EXISTS "c"`,
			`ALTER TABLE "quiver_types$t" ADD COLUMN "c" VARCHAR DEFAULT '1043 7'`,
		}},
		{in: "alter table t add column if not exists c int", want: nil},
		{in: "alter table s.t alter column c type text", want: []string{
			"alter table s.t alter column c type text",
			`ALTER TABLE IF EXISTS "s"."quiver_types$t" DROP COLUMN IF EXISTS "c"`,
		}},
		{in: "alter table t alter c type timetz(2)", want: []string{
			"ALTER TABLE t ALTER COLUMN c TYPE timetz",
			`CREATE TABLE IF NOT EXISTS "quiver_types$t" ("quiver$" BOOLEAN)`,
			`ALTER TABLE "quiver_types$t" DROP COLUMN IF EXISTS "c"`,
			`ALTER TABLE "quiver_types$t" ADD COLUMN "c" VARCHAR DEFAULT '1266 2'`,
		}},
		{in: "alter table t drop column c", want: []string{
			"alter table t drop column c",
			`ALTER TABLE IF EXISTS "quiver_types$t" DROP COLUMN IF EXISTS "c"`,
		}},
		{in: "alter table t rename column a to b", want: []string{
			"alter table t rename column a to b",
			`ALTER TABLE IF EXISTS "quiver_types$t" DROP COLUMN IF EXISTS "b"`,
			`ALTER TABLE IF EXISTS "quiver_types$t" ADD COLUMN IF NOT EXISTS "a" VARCHAR`,
			`ALTER TABLE IF EXISTS "quiver_types$t" RENAME COLUMN "a" TO "b"`,
		}},
		{in: "alter table app.t rename to u", want: []string{
			"alter table app.t rename to u",
			`DROP TABLE IF EXISTS "app"."quiver_types$u"`,
			`ALTER TABLE IF EXISTS "app"."quiver_types$t" RENAME TO "quiver_types$u"`,
		}},
		// Other ALTERs and renames do not touch column types.
		{in: "alter table t add primary key (a)"},
		{in: "alter index i rename to j"},
		{in: "create table t2 as select 1 as a"},
	})
}
