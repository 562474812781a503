//go:build duckdb_arrow

package e2e

import "testing"

// TestViewsMatchPostgres creates views on PostgreSQL and on quiver and
// compares their columns' names, their rows and the definitions
// pg_get_viewdef gives back: the client's query, not the one quiver
// rewrote for DuckDB.
func TestViewsMatchPostgres(t *testing.T) {
	pc, qc := connectBoth(t)
	compareSteps(t, pc, qc, []string{
		"create table vt (id int primary key, name text, amount numeric(10,2), d timestamp)",
		"insert into vt values (1, 'a', 1.50, '2024-03-05 10:00'), (2, 'b', 2.25, '2023-01-01'), (3, 'a', 3, null)",
		// Columns named by PostgreSQL's rules (count, ?column?, the cast's
		// type), by the view's column list, and by AS.
		"create view v1 as select name, count(*), sum(amount), max(id) as top, id::text from vt group by name, id",
		"select * from v1 order by name, top",
		"select count, top from v1 order by 1, 2",
		"select attname, format_type(atttypid, atttypmod) from pg_attribute where attrelid = 'v1'::regclass order by attnum",
		"create view v2(a, b) as select id, extract(year from d) from vt",
		"select * from v2 order by a",
		"select attname, format_type(atttypid, atttypmod) from pg_attribute where attrelid = 'v2'::regclass order by attnum",
		// Definitions: expansions (extract, array literals) do not show.
		"select pg_get_viewdef('v2'::regclass, true)",
		"create view v3 as select id, name from vt where id > 1 order by name",
		"select pg_get_viewdef('v3'::regclass, true)",
		"create view v4 as select vt.name, count(*) as n from vt group by vt.name having count(*) > 1",
		"select pg_get_viewdef('v4'::regclass, true)",
		// Renamed, replaced and dropped views keep their definitions in step.
		"alter view v3 rename to v5",
		"select pg_get_viewdef('v5'::regclass, true)",
		"create or replace view v5 as select id, name, amount from vt",
		"select pg_get_viewdef('v5'::regclass, true)",
		"select * from v5 order by id",
		"drop view v5, v4",
		"select relname from pg_class where relkind = 'v' and relnamespace = 'public'::regnamespace order by 1",
		// A name given twice is refused as PostgreSQL refuses it.
		"create view v6 as select 1, 2",
		"create view v6 as select id, name as id from vt",
		"select count(*) from pg_class where relname = 'v6'",
	})
}

// TestValuesColumnNamesMatchPostgres checks the names of VALUES lists'
// columns, column1, column2, ... (DuckDB's are col0, col1, ...): as a
// statement, in FROM, in WITH, and in a view.
func TestValuesColumnNamesMatchPostgres(t *testing.T) {
	pc, qc := connectBoth(t)
	compareSteps(t, pc, qc, []string{
		"values (1, 'a'), (2, 'b')",
		"values (1) union all select 2",
		"select * from (values (1, 2)) v",
		"select v.column2 from (values (1, 2)) v(a)",
		"with w as (values (1, 'x')) select column2 from w",
		"with w(q) as (values (1, 'x')) select * from w",
		"select * from (values (1), (2)) v join (values (2, 3)) u on v.column1 = u.column1",
		"create view vv as values (1, 2)",
		"select column1, column2 from vv",
	})
}
