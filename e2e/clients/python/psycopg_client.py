"""Drives psycopg 3 against one server and prints what it sees, for
e2e/clients/psycopg_test.go to compare between PostgreSQL and quiver.

Run: /usr/bin/python3 psycopg_client.py HOST PORT USER DB DIALECT

psycopg binds parameters on the server (extended protocol, unnamed
statements, parameter types chosen from the Python values), reads text
results or, from a binary cursor, binary ones, prepares named statements
with prepare=True or after five executions, and runs executemany in a
pipeline.
"""

import datetime
import decimal
import sys
import uuid

import psycopg
from psycopg import errors  # noqa: F401 - the SQLSTATE classes

import common
from common import out

ITERATIONS = 7


def connect(host, port, user, db, **kw):
    return psycopg.connect(host=host, port=port, user=user, dbname=db, sslmode="disable",
                           connect_timeout=10, options="-c statement_timeout=30000",
                           application_name="quiver-e2e-psycopg", **kw)


def print_rows(cur, prefix, per_column):
    """Prints the status, the columns with their type OIDs and every value;
    with per_column, each column in a case of its own, "case.column"."""
    out(f"{prefix}status={cur.statusmessage} rowcount={cur.rowcount}")
    if cur.description is None:
        return
    cols = cur.description
    for i, row in enumerate(cur.fetchall(), 1):
        for col, v in zip(cols, row):
            line = f"{prefix}row {i} {col.name} oid={col.type_code} {common.value(v)}"
            out(line, common.current + "." + col.name if per_column else None)


def c_connect(conn):
    info = conn.info
    out(f"server_version major {info.server_version // 10000} status {info.transaction_status.name}")
    for p in ("client_encoding", "DateStyle", "integer_datetimes", "standard_conforming_strings",
              "TimeZone", "IntervalStyle", "server_encoding", "application_name"):
        out(f"parameter {p}={info.parameter_status(p)}")


def c_types_text(conn, dialect):
    with conn.cursor() as cur:
        cur.execute(common.types_sql(dialect))
        print_rows(cur, "", True)


def c_types_binary(conn, dialect):
    with conn.cursor(binary=True) as cur:
        for k in range(1, 4):
            cur.execute(common.types_sql(dialect))
            print_rows(cur, f"exec {k} ", True)


def c_types_prepared(conn, dialect):
    # Prepared with a parameter, text results, then binary results.
    sql = common.types_sql(dialect) + ", %s::int4 as k"
    with conn.cursor() as cur:
        for k in range(1, 3):
            cur.execute(sql, (k,), prepare=True)
            print_rows(cur, f"text {k} ", True)
    with conn.cursor(binary=True) as cur:
        for k in range(1, 3):
            cur.execute(sql, (k,), prepare=True)
            print_rows(cur, f"binary {k} ", True)


PARAMS_SQL = (
    "select %s::int2 as a, %s::int4 as b, %s::int8 as c, %s::float4 as d, %s::float8 as e, "
    "%s::numeric(12,4) as f, %s::bool as g, %s::text as h, %s::bytea as i, %s::date as j, "
    "%s::time as k, %s::timestamp as l, %s::timestamptz as m, %s::uuid as n, %s::int4[] as o, "
    "%s::text[] as p, %s::int4 as q, %s::text as r, %s::interval as s"
)


def params(k):
    return (
        -k * 1000, k * 100000, k * 10000000000, k + 0.25, k / 3.0,
        decimal.Decimal(f"-{k}23.4560"), k % 2 == 0, f"str {k} ü", bytes([k, 0, 255]),
        datetime.date(2000 + k, k, k), datetime.time(k, k, k, k),
        datetime.datetime(1990 + k, 12, 31, 23, 59, 58, k),
        datetime.datetime(2020, 1, k, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=k - 5))),
        uuid.UUID(int=k), [k, None, -k], [f"x{k}", "y z", None], None, None,
        datetime.timedelta(days=k, seconds=k, microseconds=k),
    )


def c_params_text(conn):
    # Past the automatic prepare threshold (five executions).
    with conn.cursor() as cur:
        for k in range(1, ITERATIONS + 1):
            cur.execute(PARAMS_SQL, params(k))
            print_rows(cur, f"exec {k} ", True)


def c_params_binary(conn):
    with conn.cursor(binary=True) as cur:
        for k in range(1, ITERATIONS + 1):
            cur.execute(PARAMS_SQL, params(k), binary=True)
            print_rows(cur, f"exec {k} ", True)


def c_params_untyped(conn):
    # No casts: the types psycopg declares for the Python values decide.
    with conn.cursor() as cur:
        for k in range(1, 4):
            cur.execute("select %s as a, %s as b, %s as c, %s as d, %s as e, %s as f",
                        (k, 10 ** 12 * k, k / 2, f"s{k}", decimal.Decimal(f"{k}.5"), datetime.date(2020, 1, k)))
            print_rows(cur, f"exec {k} ", False)


def c_params_inferred(conn):
    with conn.cursor() as cur:
        for k in range(1, 4):
            cur.execute("select %s::int8 + %s as s, %s || 'x' as t", (k, 2 * k, f"s{k}"))
            print_rows(cur, f"exec {k} ", False)


def create_items(cur):
    cur.execute("drop table if exists items")
    cur.execute(common.ITEMS)
    out(f"create status={cur.statusmessage}")


def c_dml(conn):
    with conn.cursor() as cur:
        create_items(cur)
        for k in range(1, 6):
            cur.execute("insert into items values (%s, %s, %s, %s, %s, %s, %s)",
                        (k, f"item {k}", decimal.Decimal(f"{k}.5"), k * 10, k % 2 == 1,
                         datetime.datetime(2024, 1, k, 12), bytes([k])))
            out(f"insert {k} status={cur.statusmessage} rowcount={cur.rowcount}")
        cur.execute("update items set qty = qty + 1 where id > %s", (2,))
        out(f"update status={cur.statusmessage} rowcount={cur.rowcount}")
        cur.execute("delete from items where id = %s", (1,))
        out(f"delete status={cur.statusmessage} rowcount={cur.rowcount}")
        cur.execute("select * from items where id > %s order by id", (0,))
        print_rows(cur, "select ", False)


def c_executemany(conn):
    with conn.cursor() as cur:
        create_items(cur)
        rows = [(100 + k, None if k % 5 == 0 else f"b{k}", decimal.Decimal(k) / 10, k) for k in range(1, 21)]
        cur.executemany("insert into items (id, name, price, qty) values (%s, %s, %s, %s)", rows)
        out(f"executemany insert rowcount={cur.rowcount}")
        cur.executemany("update items set qty = qty * 2 where id = %s", [(95 + k,) for k in range(12)])
        out(f"executemany update rowcount={cur.rowcount}")
        cur.executemany("select id, name from items where id = %s", [(101,), (102,)], returning=True)
        results = []
        while True:
            results.append(repr(cur.fetchall()))
            if not cur.nextset():
                break
        out("executemany returning " + " ".join(results))
        cur.execute("select count(*)::int8 as n, sum(qty)::int8 as q, count(name)::int8 as named, "
                    "sum(price)::numeric(10,2) as p from items")
        print_rows(cur, "", False)


def c_pipeline(conn):
    with conn.pipeline() as p:
        with conn.cursor() as cur:
            cur.execute("drop table if exists items")
            cur.execute(common.ITEMS)
            for k in range(1, 4):
                cur.execute("insert into items (id, name) values (%s, %s)", (k, f"p{k}"))
        sel = conn.execute("select id, name from items order by id")
        p.sync()
        out("rows " + repr(sel.fetchall()))
        out(f"status={sel.statusmessage} rowcount={sel.rowcount}")


def c_transaction(host, port, user, db):
    # Not autocommit: psycopg sends BEGIN before the first statement.
    with connect(host, port, user, db) as conn:
        with conn.cursor() as cur:
            create_items(cur)
            conn.commit()
            cur.execute("insert into items (id) values (%s)", (1,))
            out(f"status {conn.info.transaction_status.name}")
            conn.rollback()
            out(f"status {conn.info.transaction_status.name}")
            cur.execute("select count(*) from items")
            out(f"after rollback: {cur.fetchone()[0]}")
            conn.commit()
            cur.execute("insert into items (id) values (%s)", (2,))
            conn.commit()
            cur.execute("select count(*) from items")
            out(f"after commit: {cur.fetchone()[0]}")
            conn.rollback()


def c_savepoint(conn):
    # Nested transaction blocks are savepoints.
    with conn.cursor() as cur:
        create_items(cur)
        with conn.transaction():
            cur.execute("insert into items (id) values (1)")
            with conn.transaction(force_rollback=True):
                cur.execute("insert into items (id) values (2)")
        cur.execute("select count(*) from items")
        out(f"after savepoint rollback: {cur.fetchone()[0]}")


def c_ddl_after_prepare(conn):
    # After a statement that changes the schema psycopg drops its prepared
    # statements with DEALLOCATE ALL.
    with conn.cursor() as cur:
        for k in range(1, 3):
            cur.execute("select %s::int4 * 2", (k,), prepare=True)
            out(f"prepared {k}: {cur.fetchone()[0]}")
        cur.execute("drop table if exists other")
        out(f"drop status={cur.statusmessage}")
        cur.execute("create table other (id int4)")
        out(f"create status={cur.statusmessage}")
        cur.execute("select %s::int4 * 2", (3,), prepare=True)
        out(f"prepared again: {cur.fetchone()[0]}")


def c_named_cursor(conn):
    with conn.transaction():
        with conn.cursor("series") as cur:
            cur.itersize = 3
            cur.execute(common.SERIES)
            out("rows " + " ".join(f"{g}:{s}" for g, s in cur))


def c_copy(conn):
    with conn.cursor() as cur:
        create_items(cur)
        with cur.copy("copy items (id, name, price, stamp) from stdin") as copy:
            for k in range(1, 4):
                copy.write_row((k, f"c\t{k}", decimal.Decimal(k), datetime.datetime(2024, 3, k)))
        out(f"copy status={cur.statusmessage} rowcount={cur.rowcount}")
        cur.execute("select id, name, price, stamp from items order by id")
        print_rows(cur, "", False)


def expect_error(conn, sql, args=None):
    try:
        with conn.cursor() as cur:
            cur.execute(sql, args)
        out(f"no error for {sql}")
    except psycopg.Error as e:
        out(f"error SQLSTATE {e.sqlstate} {type(e).__name__}")


def still_usable(conn):
    with conn.cursor() as cur:
        cur.execute("select 1::int4")
        out(f"connection usable: {cur.fetchone()[0]}")


def c_err_undefined_table(conn):
    expect_error(conn, "select * from no_such_table")
    expect_error(conn, "select * from no_such_table where 1 = %s", (1,))
    still_usable(conn)


def c_err_syntax(conn):
    expect_error(conn, "selec 1")
    still_usable(conn)


def c_err_unique(conn):
    with conn.cursor() as cur:
        create_items(cur)
        cur.execute("insert into items (id) values (%s)", (1,))
    expect_error(conn, "insert into items (id) values (%s)", (1,))
    still_usable(conn)


def c_err_in_transaction(conn):
    try:
        with conn.transaction():
            expect_error(conn, "select * from no_such_table")
            expect_error(conn, "select 1")
            raise psycopg.Rollback()
    except psycopg.Error as e:
        out(f"leaving the transaction: SQLSTATE {e.sqlstate} {type(e).__name__}")
    still_usable(conn)


def c_err_bad_value(conn):
    with conn.cursor() as cur:
        for k in range(1, 4):
            cur.execute("select %s::text::int4 + 1", (str(k),), prepare=True)
            out(f"exec {k}: {cur.fetchone()[0]}")
    expect_error(conn, "select %s::text::int4 + 1", ("not a number",))
    still_usable(conn)


def main():
    host, port, user, db, dialect = sys.argv[1:6]
    cases = [
        ("connect", c_connect),
        ("types_text", lambda c: c_types_text(c, dialect)),
        ("types_binary", lambda c: c_types_binary(c, dialect)),
        ("types_prepared", lambda c: c_types_prepared(c, dialect)),
        ("params_text", c_params_text),
        ("params_binary", c_params_binary),
        ("params_untyped", c_params_untyped),
        ("params_inferred", c_params_inferred),
        ("dml", c_dml),
        ("executemany", c_executemany),
        ("pipeline", c_pipeline),
        ("transaction", lambda c: c_transaction(host, port, user, db)),
        ("savepoint", c_savepoint),
        ("ddl_after_prepare", c_ddl_after_prepare),
        ("named_cursor", c_named_cursor),
        ("copy", c_copy),
        ("err_undefined_table", c_err_undefined_table),
        ("err_syntax", c_err_syntax),
        ("err_unique", c_err_unique),
        ("err_in_transaction", c_err_in_transaction),
        ("err_bad_value", c_err_bad_value),
    ]
    # Each case has a connection of its own, so that what one case leaves
    # behind (prepared statements, a failed connection) cannot change another.
    for name, fn in cases:
        common.current = name
        try:
            with connect(host, port, user, db, autocommit=True) as conn:
                fn(conn)
        except Exception as e:  # noqa: BLE001 - every failure is printed
            out("FAILED " + common.describe(e))
            if name == "connect":
                return


if __name__ == "__main__":
    main()
