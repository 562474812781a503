"""Drives asyncpg against one server and prints what it sees, for
e2e/clients/asyncpg_test.go to compare between PostgreSQL and quiver.

Run: /usr/bin/python3 asyncpg_client.py HOST PORT USER DB DIALECT

asyncpg prepares every statement with arguments as a named server-side
statement, encodes arguments by the types the server describes, and asks
for every result column in binary.
"""

import asyncio
import datetime
import decimal
import sys
import uuid

import asyncpg

import common
from common import out

ITERATIONS = 3


async def run(name, fn, conn):
    common.current = name
    try:
        await asyncio.wait_for(fn(conn), 60)
    except Exception as e:  # noqa: BLE001 - every failure is printed
        out("FAILED " + common.describe(e))


async def connect(host, port, user, db):
    return await asyncpg.connect(host=host, port=port, user=user, database=db,
                                 timeout=10, command_timeout=30, ssl=False)


# asyncpg's StartupMessage sets client_encoding to 'utf-8', quotes included,
# which PostgreSQL accepts (it ignores the punctuation of encoding names).
ASYNCPG_ENCODING = b"client_encoding\x00'utf-8'\x00"


async def encoding_proxy(host, port):
    """Starts a loopback proxy to host:port that rewrites asyncpg's
    client_encoding 'utf-8' to UTF8 in the StartupMessage and passes all else
    through unchanged. It is used only when the server refused the connection
    for the quoted encoding name: the connect case shows that failure, and
    the other cases still test the rest of the protocol."""

    async def pipe(r, w):
        try:
            while data := await r.read(65536):
                w.write(data)
                await w.drain()
        finally:
            w.close()

    async def handle(cr, cw):
        sr, sw = await asyncio.open_connection(host, port)
        n = int.from_bytes(await cr.readexactly(4), "big")
        body = (await cr.readexactly(n - 4)).replace(ASYNCPG_ENCODING, b"client_encoding\x00UTF8\x00")
        sw.write((len(body) + 4).to_bytes(4, "big") + body)
        await asyncio.gather(pipe(cr, sw), pipe(sr, cw), return_exceptions=True)

    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    return srv.sockets[0].getsockname()[1]


def print_record(rec, attrs, prefix, per_column):
    """Prints a row; with per_column, each column in a case of its own,
    "case.column", so that one column that differs does not hide the others."""
    for a, v in zip(attrs, rec):
        line = f"{prefix}{a.name} {a.type.name} {common.value(v)}"
        out(line, common.current + "." + a.name if per_column else None)
    out(f"{prefix}{len(rec)} columns")


async def create_items(conn):
    await conn.execute("drop table if exists items")
    await conn.execute(common.ITEMS)


async def c_connect(conn):
    out(f"server major {conn.get_server_version().major}")
    s = conn.get_settings()
    for p in ("client_encoding", "DateStyle", "integer_datetimes",
              "standard_conforming_strings", "TimeZone", "IntervalStyle", "server_encoding"):
        out(f"setting {p}={getattr(s, p, None)}")


async def c_types(conn, sql):
    stmt = await conn.prepare(sql)
    attrs = stmt.get_attributes()
    for k in range(1, ITERATIONS + 1):
        rec = await stmt.fetchrow()
        print_record(rec, attrs, f"exec {k} ", True)


async def c_params(conn):
    stmt = await conn.prepare(
        "select $1::int2 as a, $2::int4 as b, $3::int8 as c, $4::float4 as d, $5::float8 as e, "
        "$6::numeric(12,4) as f, $7::bool as g, $8::text as h, $9::bytea as i, $10::date as j, "
        "$11::time as k, $12::timestamp as l, $13::timestamptz as m, $14::uuid as n, "
        "$15::int4 as q, $16::text as r, $17::interval as s")
    out("parameter types " + " ".join(t.name for t in stmt.get_parameters()))
    attrs = stmt.get_attributes()
    for k in range(1, ITERATIONS + 1):
        rec = await stmt.fetchrow(
            -k * 1000, k * 100000, k * 10000000000, k + 0.25, k / 3.0,
            decimal.Decimal(f"-{k}23.4560"), k % 2 == 0, f"str {k} ü", bytes([k, 0, 255]),
            datetime.date(2000 + k, k, k), datetime.time(k, k, k, k),
            datetime.datetime(1990 + k, 12, 31, 23, 59, 58, k),
            datetime.datetime(2020, 1, k, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=k - 5))),
            uuid.UUID(int=k), None, None,
            datetime.timedelta(days=k, seconds=k, microseconds=k))
        print_record(rec, attrs, f"exec {k} ", True)


async def c_params_arrays(conn):
    stmt = await conn.prepare("select $1::int4[] as o, $2::text[] as p, $3::int8[] as q, $4::float8[] as r")
    out("parameter types " + " ".join(t.name for t in stmt.get_parameters()))
    for k in range(1, ITERATIONS + 1):
        rec = await stmt.fetchrow([k, None, -k], [f"x{k}", "y z", None], [k * 10000000000], [k / 4, None])
        print_record(rec, stmt.get_attributes(), f"exec {k} ", False)


async def c_params_inferred(conn):
    # The server infers the parameter types from the context.
    stmt = await conn.prepare("select $1::int8 + $2 as s, $3 || 'x' as t, $4 as u")
    out("parameter types " + " ".join(t.name for t in stmt.get_parameters()))
    for k in range(1, ITERATIONS + 1):
        rec = await stmt.fetchrow(k, 2 * k, f"s{k}", f"u{k}")
        print_record(rec, stmt.get_attributes(), f"exec {k} ", False)


async def c_fetch_args(conn):
    # fetch with arguments: asyncpg's statement cache, not an explicit prepare.
    for k in range(1, 8):
        rows = await conn.fetch(
            "select i, s from (values (3::int4, 'c'::text), (1, 'a'), (2, null), (null, 'n')) as v(i, s) "
            "where i is null or i >= $1 order by i nulls last", k % 4)
        out(f"exec {k}: " + " ".join(f"({common.value(r['i'])},{common.value(r['s'])})" for r in rows))
    out("fetchval " + common.value(await conn.fetchval("select $1::int4 * 2", 21)))


async def c_dml(conn):
    out(await conn.execute("drop table if exists items"))
    out(await conn.execute(common.ITEMS))
    for k in range(1, 6):
        out(await conn.execute("insert into items values ($1, $2, $3, $4, $5, $6, $7)",
                               k, f"item {k}", decimal.Decimal(f"{k}.5"), k * 10, k % 2 == 1,
                               datetime.datetime(2024, 1, k, 12), bytes([k])))
    out(await conn.execute("update items set qty = qty + $1 where id > $2", 1, 2))
    out(await conn.execute("delete from items where id = $1", 1))
    out(await conn.execute("delete from items where id < 0"))
    out(await conn.execute("select * from items"))
    for r in await conn.fetch("select * from items order by id"):
        out(" ".join(f"{k}={common.value(v)}" for k, v in r.items()))


async def c_executemany(conn):
    await create_items(conn)
    rows = [(100 + k, None if k % 5 == 0 else f"b{k}", decimal.Decimal(k) / 10, k) for k in range(1, 21)]
    out(repr(await conn.executemany("insert into items (id, name, price, qty) values ($1, $2, $3, $4)", rows)))
    out(repr(await conn.executemany("update items set qty = qty * 2 where id = $1", [(95 + k,) for k in range(12)])))
    r = await conn.fetchrow("select count(*)::int8 as n, sum(qty)::int8 as q, count(name)::int8 as named, "
                            "sum(price)::numeric(10,2) as p from items")
    out(" ".join(f"{k}={common.value(v)}" for k, v in r.items()))


async def c_cursor(conn):
    async with conn.transaction():
        for k in range(1, 4):
            got = [f"{r['g']}:{r['s']}" async for r in conn.cursor(common.SERIES, prefetch=3)]
            out(f"iterate {k}: " + " ".join(got))
        cur = await conn.cursor(common.SERIES)
        out("fetch 4: " + " ".join(str(r["g"]) for r in await cur.fetch(4)))
        out("fetchrow: " + str((await cur.fetchrow())["g"]))
        out("fetch 10: " + " ".join(str(r["g"]) for r in await cur.fetch(10)))


async def c_transaction(conn):
    await create_items(conn)
    try:
        async with conn.transaction():
            await conn.execute("insert into items (id) values ($1)", 1)
            out(f"in transaction: {await conn.fetchval('select count(*) from items')} in_tx={conn.is_in_transaction()}")
            raise KeyError("roll back")
    except KeyError:
        pass
    out(f"after rollback: {await conn.fetchval('select count(*) from items')} in_tx={conn.is_in_transaction()}")
    async with conn.transaction():
        await conn.execute("insert into items (id) values ($1)", 2)
    out(f"after commit: {await conn.fetchval('select count(*) from items')}")


async def expect_error(conn, sql, *args):
    try:
        if args:
            await conn.fetch(sql, *args)
        else:
            await conn.execute(sql)
        out(f"no error for {sql}")
    except asyncpg.PostgresError as e:
        out(f"error SQLSTATE {e.sqlstate} {type(e).__name__}")


async def still_usable(conn):
    out(f"connection usable: {await conn.fetchval('select 1::int4')}")


async def c_err_undefined_table(conn):
    await expect_error(conn, "select * from no_such_table")
    await expect_error(conn, "select * from no_such_table where 1 = $1", 1)
    await still_usable(conn)


async def c_err_undefined_column(conn):
    await create_items(conn)
    await expect_error(conn, "select no_such_column from items where id = $1", 1)
    await still_usable(conn)


async def c_err_syntax(conn):
    await expect_error(conn, "selec 1")
    await expect_error(conn, "selec $1", 1)
    await still_usable(conn)


async def c_err_unique(conn):
    await create_items(conn)
    await conn.execute("insert into items (id) values ($1)", 1)
    await expect_error(conn, "insert into items (id) values ($1)", 1)
    await still_usable(conn)


async def c_err_in_transaction(conn):
    tr = conn.transaction()
    await tr.start()
    await expect_error(conn, "select * from no_such_table")
    await expect_error(conn, "select $1::int4", 1)
    await tr.rollback()
    await still_usable(conn)


async def c_err_bad_value(conn):
    stmt = await conn.prepare("select $1::text::int4 + 1 as n")
    for k in range(1, 4):
        out(f"exec {k}: {await stmt.fetchval(str(k))}")
    try:
        await stmt.fetchval("not a number")
        out("no error")
    except asyncpg.PostgresError as e:
        out(f"error SQLSTATE {e.sqlstate} {type(e).__name__}")
    out(f"after error: {await stmt.fetchval('41')}")


async def c_copy_records(conn):
    await create_items(conn)
    records = [(k, f"c{k}", decimal.Decimal(k), k * 3, True, datetime.datetime(2024, 2, k), bytes([k]))
               for k in range(1, 6)]
    out(await conn.copy_records_to_table("items", records=records))
    out(" ".join(str(r["id"]) + ":" + r["name"] for r in await conn.fetch("select * from items order by id")))


async def main():
    host, port, user, db, dialect = sys.argv[1:6]
    common.current = "connect"
    port = int(port)
    try:
        conn = await connect(host, port, user, db)
    except asyncpg.PostgresError as e:
        out("FAILED " + common.describe(e))
        if "'utf-8'" not in str(e):
            return
        port, host = await encoding_proxy(host, port), "127.0.0.1"
        print("connecting through a proxy that sends client_encoding UTF8", file=sys.stderr)
        conn = await connect(host, port, user, db)
    except Exception as e:  # noqa: BLE001
        out("FAILED " + common.describe(e))
        return
    cases = [
        ("connect", c_connect),
        ("types", lambda c: c_types(c, common.scalars_sql(dialect))),
        ("arrays", lambda c: c_types(c, "select " + common.ARRAYS)),
        ("params", c_params),
        ("params_arrays", c_params_arrays),
        ("params_inferred", c_params_inferred),
        ("fetch_args", c_fetch_args),
        ("dml", c_dml),
        ("executemany", c_executemany),
        ("cursor", c_cursor),
        ("transaction", c_transaction),
        ("copy_records", c_copy_records),
        ("err_undefined_table", c_err_undefined_table),
        ("err_undefined_column", c_err_undefined_column),
        ("err_syntax", c_err_syntax),
        ("err_unique", c_err_unique),
        ("err_in_transaction", c_err_in_transaction),
        ("err_bad_value", c_err_bad_value),
    ]
    for name, fn in cases:
        if conn.is_closed():
            conn = await connect(host, port, user, db)
            out("reconnected")
        await run(name, fn, conn)
    await conn.close()


if __name__ == "__main__":
    asyncio.run(main())
