//go:build duckdb_arrow

package catalog_test

import (
	"strings"
	"testing"
)

// TestTypeCatalog compares quiver's pg_type rows for the built-in types,
// and the pg_proc rows of their I/O functions, with PostgreSQL's.
func TestTypeCatalog(t *testing.T) {
	tw := newTwin(t, `create type mood as enum ('sad', 'ok', 'happy')`)
	_, rows, err := query(tw.q, `select oid from pg_catalog.pg_type where typnamespace = 11 order by oid`)
	if err != nil {
		t.Fatal(err)
	}
	var oids []string
	for _, r := range rows {
		oids = append(oids, r[0])
	}
	if len(oids) < 50 {
		t.Fatalf("quiver's pg_type has %d built-in types", len(oids))
	}
	in := "(" + strings.Join(oids, ", ") + ")"
	t.Run("pg_type", func(t *testing.T) {
		tw.compare(t, `select t.oid, t.typname, t.typnamespace, t.typlen, t.typbyval, t.typtype, t.typcategory,
  t.typdelim, t.typelem, t.typarray, t.typinput::oid, t.typoutput::oid, t.typreceive::oid, t.typsend::oid,
  t.typmodin::oid, t.typmodout::oid, t.typsubscript::oid, t.typalign, t.typstorage, t.typcollation,
  t.typbasetype, t.typtypmod, t.typndims, t.typnotnull
from pg_catalog.pg_type t where t.oid in `+in+` order by t.oid`, nil)
	})
	t.Run("pg_proc", func(t *testing.T) {
		tw.compare(t, `select p.oid, p.proname, p.pronamespace, p.prorettype
from pg_catalog.pg_type t join pg_catalog.pg_proc p
  on p.oid in (t.typinput, t.typoutput, t.typreceive, t.typsend, t.typmodin, t.typmodout, t.typsubscript)
where t.oid in `+in+` group by 1, 2, 3, 4 order by 1`, nil)
	})
	// The OID alias types read and print the functions' names; 0 is "-".
	t.Run("regproc", func(t *testing.T) {
		tw.compare(t, `select 'pg_catalog.array_in'::regproc::oid, 'int4recv'::regproc::oid,
  (select typinput = 'array_in'::regproc from pg_catalog.pg_type where oid = 1007) as is_array,
  (select typreceive::regproc::text from pg_catalog.pg_type where oid = 1186) as recv,
  0::regtype::text as t0, 0::regproc::text as p0, 0::regclass::text as c0`, nil)
	})
	// An enum's functions are enum_in and friends.
	t.Run("enum", func(t *testing.T) {
		tw.compare(t, `select typname, typlen, typbyval, typtype, typcategory, typalign, typstorage,
  typinput::oid, typoutput::oid, typreceive::oid, typsend::oid
from pg_catalog.pg_type where typname = 'mood'`, nil)
	})
}

// TestDriverTypeQueries runs the catalog queries drivers send to learn about
// types: pgjdbc's lookups (for interval, when getObject meets one) and
// asyncpg's typeinfo_tree introspection of array types, with literals where
// the drivers bind parameters.
func TestDriverTypeQueries(t *testing.T) {
	tw := newTwin(t, `select 1`)
	// pgjdbc 42.5 TypeInfoCache.getSQLType and getPGType.
	const pgjdbcSearchPath = `LEFT JOIN (select ns.oid as nspoid, ns.nspname, r.r
          from pg_namespace as ns
          join ( select s.r, (current_schemas(false))[s.r] as nspname
                   from generate_series(1, array_upper(current_schemas(false), 1)) as s(r) ) as r
         using ( nspname )
       ) as sp
     ON sp.nspoid = typnamespace`
	t.Run("pgjdbc/getSQLType", func(t *testing.T) {
		tw.compare(t, `SELECT typinput='pg_catalog.array_in'::regproc as is_array, typtype, typname, pg_type.oid
  FROM pg_catalog.pg_type `+pgjdbcSearchPath+` WHERE pg_type.oid = 1186 ORDER BY sp.r, pg_type.oid DESC LIMIT 1`, nil)
	})
	t.Run("pgjdbc/getPGType", func(t *testing.T) {
		tw.compare(t, `SELECT pg_type.oid, typname FROM pg_catalog.pg_type `+pgjdbcSearchPath+`
  WHERE typname = 'interval' ORDER BY sp.r, pg_type.oid DESC LIMIT 1`, nil)
	})
	t.Run("pgjdbc/arrayDelimiter", func(t *testing.T) {
		tw.compare(t, `SELECT e.typdelim FROM pg_catalog.pg_type t, pg_catalog.pg_type e WHERE t.oid = 1007 and t.typelem = e.oid`, nil)
	})
	t.Run("asyncpg/typeinfo_tree", func(t *testing.T) {
		// The oid array stands for the bound parameter; oid orders the
		// rows of each depth, which asyncpg leaves in any order.
		sql := strings.Replace(asyncpgIntrospection, "$1::oid[]", "ARRAY[1007, 1016, 1022, 1000, 16]::oid[]", 1)
		tw.compare(t, strings.TrimSuffix(sql, "depth DESC")+"depth DESC, oid", nil)
	})
}

// asyncpgIntrospection is asyncpg 0.27's INTRO_LOOKUP_TYPES
// (asyncpg/introspection.py), the query it sends to servers of version 14
// and later to find out about types it has no codec for.
const asyncpgIntrospection = `WITH RECURSIVE typeinfo_tree(
    oid, ns, name, kind, basetype, elemtype, elemdelim,
    range_subtype, attrtypoids, attrnames, depth)
AS (
    SELECT
        ti.oid, ti.ns, ti.name, ti.kind, ti.basetype,
        ti.elemtype, ti.elemdelim, ti.range_subtype,
        ti.attrtypoids, ti.attrnames, 0
    FROM
            (
        SELECT
            t.oid                           AS oid,
            ns.nspname                      AS ns,
            t.typname                       AS name,
            t.typtype                       AS kind,
            (CASE WHEN t.typtype = 'd' THEN
                (WITH RECURSIVE typebases(oid, depth) AS (
                    SELECT
                        t2.typbasetype      AS oid,
                        0                   AS depth
                    FROM
                        pg_type t2
                    WHERE
                        t2.oid = t.oid

                    UNION ALL

                    SELECT
                        t2.typbasetype      AS oid,
                        tb.depth + 1        AS depth
                    FROM
                        pg_type t2,
                        typebases tb
                    WHERE
                       tb.oid = t2.oid
                       AND t2.typbasetype != 0
               ) SELECT oid FROM typebases ORDER BY depth DESC LIMIT 1)

               ELSE NULL
            END)                            AS basetype,
            t.typelem                       AS elemtype,
            elem_t.typdelim                 AS elemdelim,
            COALESCE(
                range_t.rngsubtype,
                multirange_t.rngsubtype)    AS range_subtype,
            (CASE WHEN t.typtype = 'c' THEN
                (SELECT
                    array_agg(ia.atttypid ORDER BY ia.attnum)
                FROM
                    pg_attribute ia
                    INNER JOIN pg_class c
                        ON (ia.attrelid = c.oid)
                WHERE
                    ia.attnum > 0 AND NOT ia.attisdropped
                    AND c.reltype = t.oid)

                ELSE NULL
            END)                            AS attrtypoids,
            (CASE WHEN t.typtype = 'c' THEN
                (SELECT
                    array_agg(ia.attname::text ORDER BY ia.attnum)
                FROM
                    pg_attribute ia
                    INNER JOIN pg_class c
                        ON (ia.attrelid = c.oid)
                WHERE
                    ia.attnum > 0 AND NOT ia.attisdropped
                    AND c.reltype = t.oid)

                ELSE NULL
            END)                            AS attrnames
        FROM
            pg_catalog.pg_type AS t
            INNER JOIN pg_catalog.pg_namespace ns ON (
                ns.oid = t.typnamespace)
            LEFT JOIN pg_type elem_t ON (
                t.typlen = -1 AND
                t.typelem != 0 AND
                t.typelem = elem_t.oid
            )
            LEFT JOIN pg_range range_t ON (
                t.oid = range_t.rngtypid
            )
            LEFT JOIN pg_range multirange_t ON (
                t.oid = multirange_t.rngmultitypid
            )
    )
 AS ti
    WHERE
        ti.oid = any($1::oid[])

    UNION ALL

    SELECT
        ti.oid, ti.ns, ti.name, ti.kind, ti.basetype,
        ti.elemtype, ti.elemdelim, ti.range_subtype,
        ti.attrtypoids, ti.attrnames, tt.depth + 1
    FROM
            (
        SELECT
            t.oid                           AS oid,
            ns.nspname                      AS ns,
            t.typname                       AS name,
            t.typtype                       AS kind,
            (CASE WHEN t.typtype = 'd' THEN
                (WITH RECURSIVE typebases(oid, depth) AS (
                    SELECT
                        t2.typbasetype      AS oid,
                        0                   AS depth
                    FROM
                        pg_type t2
                    WHERE
                        t2.oid = t.oid

                    UNION ALL

                    SELECT
                        t2.typbasetype      AS oid,
                        tb.depth + 1        AS depth
                    FROM
                        pg_type t2,
                        typebases tb
                    WHERE
                       tb.oid = t2.oid
                       AND t2.typbasetype != 0
               ) SELECT oid FROM typebases ORDER BY depth DESC LIMIT 1)

               ELSE NULL
            END)                            AS basetype,
            t.typelem                       AS elemtype,
            elem_t.typdelim                 AS elemdelim,
            COALESCE(
                range_t.rngsubtype,
                multirange_t.rngsubtype)    AS range_subtype,
            (CASE WHEN t.typtype = 'c' THEN
                (SELECT
                    array_agg(ia.atttypid ORDER BY ia.attnum)
                FROM
                    pg_attribute ia
                    INNER JOIN pg_class c
                        ON (ia.attrelid = c.oid)
                WHERE
                    ia.attnum > 0 AND NOT ia.attisdropped
                    AND c.reltype = t.oid)

                ELSE NULL
            END)                            AS attrtypoids,
            (CASE WHEN t.typtype = 'c' THEN
                (SELECT
                    array_agg(ia.attname::text ORDER BY ia.attnum)
                FROM
                    pg_attribute ia
                    INNER JOIN pg_class c
                        ON (ia.attrelid = c.oid)
                WHERE
                    ia.attnum > 0 AND NOT ia.attisdropped
                    AND c.reltype = t.oid)

                ELSE NULL
            END)                            AS attrnames
        FROM
            pg_catalog.pg_type AS t
            INNER JOIN pg_catalog.pg_namespace ns ON (
                ns.oid = t.typnamespace)
            LEFT JOIN pg_type elem_t ON (
                t.typlen = -1 AND
                t.typelem != 0 AND
                t.typelem = elem_t.oid
            )
            LEFT JOIN pg_range range_t ON (
                t.oid = range_t.rngtypid
            )
            LEFT JOIN pg_range multirange_t ON (
                t.oid = multirange_t.rngmultitypid
            )
    )
 ti,
        typeinfo_tree tt
    WHERE
        (tt.elemtype IS NOT NULL AND ti.oid = tt.elemtype)
        OR (tt.attrtypoids IS NOT NULL AND ti.oid = any(tt.attrtypoids))
        OR (tt.range_subtype IS NOT NULL AND ti.oid = tt.range_subtype)
        OR (tt.basetype IS NOT NULL AND ti.oid = tt.basetype)
)

SELECT DISTINCT
    *,
    basetype::regtype::text AS basetype_name,
    elemtype::regtype::text AS elemtype_name,
    range_subtype::regtype::text AS range_subtype_name
FROM
    typeinfo_tree
ORDER BY
    depth DESC`
