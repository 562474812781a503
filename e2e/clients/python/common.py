"""Shared by the Python driver programs of e2e/clients: the SQL both servers
run, the cases' output format, and the case runner.

Each program prints one "case<TAB>observation" line at a time; the Go test
compares the lines between PostgreSQL and quiver. A case that raises an
error it did not expect prints "FAILED ..." and the program goes on.
"""

import sys
import traceback

current = "setup"


def out(text, case=None):
    """Prints one observation of the current case (or of case)."""
    name = case or current
    text = str(text).replace("\t", "\\t").replace("\n", "\\n")
    sys.stdout.write(f"{name}\t{text}\n")
    sys.stdout.flush()


def describe(e):
    """Describes an unexpected error, with its SQLSTATE if it has one."""
    state = getattr(e, "sqlstate", None)
    frames = traceback.extract_tb(e.__traceback__)[-3:]
    where = " ".join(f"at {f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in frames)
    return f"SQLSTATE {state} {type(e).__name__}: {e} {where}"


def bytea_literal(dialect):
    """A bytea literal of de ad be ef 00, in PostgreSQL's hex format on
    every server (quiver reads it as byteain does on DuckDB too)."""
    return r"'\xdeadbeef00'::bytea"


def types_sql(dialect):
    """One row of every foundation type; the same statement on both servers."""
    return scalars_sql(dialect) + ", " + ARRAYS


def scalars_sql(dialect):
    """One row of every foundation type but arrays."""
    return (
        "select 32767::int2 as i2, (-32768)::int2 as i2min, (-2147483648)::int4 as i4, "
        "9223372036854775807::int8 as i8, (-9223372036854775808)::int8 as i8min, "
        "1.5::float4 as f4, 0.1::float4 as f4b, 1.0e-7::float4 as f4c, "
        "0.1::float8 as f8, 1e300::float8 as f8b, 'Infinity'::float8 as f8inf, "
        "'NaN'::float8 as f8nan, (-0.0)::float8 as f8neg, "
        "12345.678::numeric(10,3) as n, (-0.5)::numeric(5,2) as n2, 0::numeric(5,3) as n0, "
        "12345678901234567890.123456789::numeric(38,9) as nbig, "
        "true as bt, false as bf, 'héllo ✓'::text as t, ''::text as tempty, 'x'::varchar as vc, "
        f"{bytea_literal(dialect)} as by, date '2024-02-29' as d, date '1969-07-20' as d2, "
        "time '13:14:15.123456' as tm, time '00:00:00' as tm0, "
        "timestamp '2024-01-02 03:04:05.123456' as ts, timestamp '1999-12-31 23:59:59.999999' as ts2, "
        "timestamptz '2024-01-02 03:04:05.5+00' as tz, timestamptz '1960-06-30 12:00:00-07' as tz2, "
        "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as u, "
        "interval '1 year 2 months 3 days 04:05:06.789' as iv, "
        "null::int4 as ni, null::text as nt, null::timestamptz as ntz, null::bool as nb, "
        "null::bytea as nby, null::numeric(5,2) as nn"
    )


# ARRAYS are the array columns of types_sql.
ARRAYS = (
    "array[1,2,null]::int4[] as ai, array[10000000000]::int8[] as al, "
    "array['a','b c',null,'','x\"y']::text[] as at, array[1.5,null]::float8[] as af, "
    "array[]::int4[] as aempty, array[true,false]::bool[] as ab"
)


# ITEMS is the table the data-changing cases use.
ITEMS = (
    "create table items (id int4 primary key, name text, price numeric(10,2), "
    "qty int8, ok bool, stamp timestamp, data bytea)"
)

# SERIES is ten rows, read in pieces by cursors.
SERIES = (
    "select g::int4 as g, ('r' || g)::text as s "
    "from generate_series(1, 10) as t(g) order by g"
)


def value(v):
    """A value as Python sees it: its type and repr."""
    if isinstance(v, list):
        return "list[" + ", ".join(value(x) for x in v) + "]"
    return f"{type(v).__name__}:{v!r}"
