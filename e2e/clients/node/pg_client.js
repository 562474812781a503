// pg_client.js drives node-postgres (pg) against one server and prints what
// it sees, one "case<TAB>observation" line at a time, for
// e2e/clients/node_test.go to compare between PostgreSQL and quiver.
//
// Run: TZ=UTC node pg_client.js HOST PORT USER DB DIALECT
//
// A query with parameters goes through the extended protocol (an unnamed
// statement, or a named one when the query has a name) and asks for text
// results; a query without parameters uses the simple protocol.
'use strict';

const { Client } = require('pg');

const [host, port, user, database, dialect] = process.argv.slice(2);
let current = 'setup';

function out(text, name) {
  const line = String(text).replace(/\t/g, '\\t').replace(/\n/g, '\\n');
  process.stdout.write(`${name || current}\t${line}\n`);
}

// show prints a value with the JavaScript type pg decoded it to.
function show(v) {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Buffer.isBuffer(v)) return `Buffer:${v.toString('hex')}`;
  if (v instanceof Date) return `Date:${isNaN(v) ? 'Invalid' : v.toISOString()}`;
  if (Array.isArray(v)) return `Array[${v.map(show).join(', ')}]`;
  if (typeof v === 'object') {
    const name = v.constructor ? v.constructor.name : 'Object';
    const text = typeof v.toPostgres === 'function' ? v.toPostgres() : JSON.stringify(v);
    return `${name}:${text}`;
  }
  return `${typeof v}:${JSON.stringify(v)}`;
}

function describe(e) {
  return `SQLSTATE ${e.code} ${e.name}: ${e.message}`;
}

function connect() {
  const c = new Client({
    host, port: Number(port), user, database,
    ssl: false,
    connectionTimeoutMillis: 10000,
    query_timeout: 30000,
    application_name: 'quiver-e2e-node',
  });
  // An error on an idle connection must not end the program.
  c.on('error', (e) => out(`FAILED connection error ${describe(e)}`));
  return c;
}

function bytea() {
  return "'\\xdeadbeef00'::bytea"; // PostgreSQL's hex format on every server
}

function typesSQL() {
  return 'select 32767::int2 as i2, (-2147483648)::int4 as i4, 9223372036854775807::int8 as i8, ' +
    '1.5::float4 as f4, 0.1::float4 as f4b, 0.1::float8 as f8, 1e300::float8 as f8b, ' +
    "'Infinity'::float8 as f8inf, 'NaN'::float8 as f8nan, " +
    '12345.678::numeric(10,3) as n, (-0.5)::numeric(5,2) as n2, ' +
    '12345678901234567890.123456789::numeric(38,9) as nbig, true as bt, false as bf, ' +
    "'héllo ✓'::text as t, ''::text as tempty, 'x'::varchar as vc, " + bytea() + ' as by, ' +
    "date '2024-02-29' as d, date '1969-07-20' as d2, time '13:14:15.123456' as tm, " +
    "timestamp '2024-01-02 03:04:05.123456' as ts, timestamptz '2024-01-02 03:04:05.5+00' as tz, " +
    "timestamptz '1960-06-30 12:00:00-07' as tz2, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as u, " +
    "interval '1 year 2 months 3 days 04:05:06.789' as iv, " +
    "array[1,2,null]::int4[] as ai, array[10000000000]::int8[] as al, " +
    "array['a','b c',null,'','x\"y']::text[] as at, array[1.5,null]::float8[] as af, " +
    'array[]::int4[] as aempty, array[true,false]::bool[] as ab, ' +
    'null::int4 as ni, null::text as nt, null::timestamptz as ntz, null::bytea as nby';
}

// printResult prints a result's tag, row count, columns (with type OIDs)
// and rows. With perColumn, each column's values go to a case of their own,
// "case.column".
function printResult(r, prefix, perColumn) {
  out(`${prefix}command=${r.command} rowCount=${r.rowCount}`);
  for (const [i, row] of r.rows.entries()) {
    for (const f of r.fields) {
      const line = `${prefix}row ${i + 1} ${f.name} oid=${f.dataTypeID} format=${f.format} ${show(row[f.name])}`;
      out(line, perColumn ? `${current}.${f.name}` : undefined);
    }
  }
}

const cases = {
  async connect(c) {
    const params = {};
    c.connection.on('parameterStatus', (m) => { params[m.parameterName] = m.parameterValue; });
    await c.connect();
    for (const p of ['client_encoding', 'DateStyle', 'integer_datetimes', 'standard_conforming_strings',
      'TimeZone', 'server_encoding', 'application_name']) {
      out(`parameter ${p}=${params[p]}`);
    }
  },

  async types_simple(c) {
    printResult(await c.query(typesSQL()), '', true);
  },

  async types_extended(c) {
    // An ignored parameter makes pg use the extended protocol.
    for (let k = 1; k <= 3; k++) {
      printResult(await c.query(typesSQL() + ', $1::int4 as k', [k]), `exec ${k} `, true);
    }
  },

  async types_named(c) {
    for (let k = 1; k <= 3; k++) {
      printResult(await c.query({ name: 'types', text: typesSQL() + ', $1::int4 as k', values: [k] }),
        `exec ${k} `, true);
    }
  },

  // raw_text reads the server's text encoding of every type exactly, with
  // pg's parsers replaced by the identity.
  async raw_text(c) {
    const types = { getTypeParser: () => (v) => v };
    printResult(await c.query({ text: typesSQL(), types }), 'simple ', true);
    printResult(await c.query({ text: typesSQL() + ', $1::int4 as k', values: [1], types }), 'extended ', true);
  },

  async params(c) {
    const text = 'select $1::int2 as a, $2::int4 as b, $3::int8 as c, $4::float4 as d, $5::float8 as e, ' +
      '$6::numeric(12,4) as f, $7::bool as g, $8::text as h, $9::bytea as i, $10::date as j, ' +
      '$11::time as k, $12::timestamp as l, $13::timestamptz as m, $14::uuid as n, $15::int4[] as o, ' +
      '$16::text[] as p, $17::int4 as q, $18::text as r, $19::int8 as s';
    for (let k = 1; k <= 3; k++) {
      const values = [-k * 1000, k * 100000, `${k}0000000000`, k + 0.25, k / 3, `-${k}23.4560`, k % 2 === 0,
        `str ${k} ü`, Buffer.from([k, 0, 255]), `200${k}-0${k}-0${k}`, `0${k}:0${k}:0${k}.00000${k}`,
        `199${k}-12-31 23:59:58.00000${k}`, new Date(Date.UTC(2020, 0, k, 10 - k, 0, 0)),
        `00000000-0000-0000-0000-00000000000${k}`, [k, null, -k], [`x${k}`, 'y z', null, 'q"uote'],
        null, undefined, BigInt(-k)];
      printResult(await c.query({ name: 'params', text, values }), `exec ${k} `, true);
    }
  },

  async params_inferred(c) {
    for (let k = 1; k <= 3; k++) {
      printResult(await c.query('select $1::int8 + $2 as s, $3 || \'x\' as t, $4 as u', [k, 2 * k, `s${k}`, `u${k}`]),
        `exec ${k} `, false);
    }
  },

  async dml(c) {
    await c.query('drop table if exists items');
    printResult(await c.query('create table items (id int4 primary key, name text, price numeric(10,2), ' +
      'qty int8, ok bool, stamp timestamp, data bytea)'), 'create ', false);
    for (let k = 1; k <= 5; k++) {
      printResult(await c.query('insert into items values ($1, $2, $3, $4, $5, $6, $7)',
        [k, `item ${k}`, `${k}.5`, k * 10, k % 2 === 1, `2024-01-0${k} 12:00:00`, Buffer.from([k])]),
      `insert ${k} `, false);
    }
    printResult(await c.query('update items set qty = qty + 1 where id > $1', [2]), 'update ', false);
    printResult(await c.query('delete from items where id = $1', [1]), 'delete ', false);
    printResult(await c.query('delete from items where id < 0'), 'delete none ', false);
    printResult(await c.query('insert into items (id, name) select id + 100, name from items'), 'insert select ', false);
    printResult(await c.query('select * from items order by id'), 'select ', false);
  },

  async row_mode_array(c) {
    const r = await c.query({ text: "select 1::int4 as a, 'x'::text as a, $1::int8 as b", values: [7], rowMode: 'array' });
    out(`fields ${r.fields.map((f) => `${f.name}:${f.dataTypeID}`).join(' ')}`);
    out(`rows ${r.rows.map((row) => row.map(show).join(' ')).join(' | ')}`);
  },

  async multi_statement(c) {
    const rs = await c.query("select 1::int4 as a; select 'two'::text as b, 2::int8 as c; set extra_float_digits = 3");
    for (const [i, r] of rs.entries()) {
      printResult(r, `result ${i + 1} `, false);
    }
  },

  async transaction(c) {
    await c.query('drop table if exists items');
    await c.query('create table items (id int4 primary key)');
    printResult(await c.query('begin'), 'begin ', false);
    await c.query('insert into items values ($1)', [1]);
    printResult(await c.query('rollback'), 'rollback ', false);
    out(`after rollback: ${show((await c.query('select count(*) as n from items')).rows[0].n)}`);
    await c.query('begin');
    await c.query('insert into items values ($1)', [2]);
    printResult(await c.query('commit'), 'commit ', false);
    out(`after commit: ${show((await c.query('select count(*) as n from items')).rows[0].n)}`);
  },

  async err_undefined_table(c) {
    await expectError(c, 'select * from no_such_table');
    await expectError(c, 'select * from no_such_table where 1 = $1', [1]);
    await stillUsable(c);
  },

  async err_syntax(c) {
    await expectError(c, 'selec 1');
    await expectError(c, 'selec $1', [1]);
    await stillUsable(c);
  },

  async err_unique(c) {
    await c.query('drop table if exists items');
    await c.query('create table items (id int4 primary key)');
    await c.query('insert into items values ($1)', [1]);
    await expectError(c, 'insert into items values ($1)', [1]);
    await stillUsable(c);
  },

  async err_in_transaction(c) {
    await c.query('begin');
    await expectError(c, 'select * from no_such_table');
    await expectError(c, 'select $1::int4', [1]);
    await c.query('rollback');
    await stillUsable(c);
  },

  async err_bad_value(c) {
    await expectError(c, 'select $1::int4', ['not a number']);
    await expectError(c, { name: 'bad', text: 'select $1::text::int4 + 1 as n', values: ['x'] });
    await stillUsable(c);
  },
};

async function expectError(c, q, values) {
  try {
    await c.query(q, values);
    out(`no error for ${JSON.stringify(q)}`);
  } catch (e) {
    if (e.code === undefined) throw e;
    out(`error SQLSTATE ${e.code} severity=${e.severity}`);
  }
}

async function stillUsable(c) {
  out(`connection usable: ${show((await c.query('select 1::int4 as one')).rows[0].one)}`);
}

function withTimeout(p, ms) {
  let timer;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms); }),
  ]);
}

async function main() {
  let c = connect();
  for (const [name, fn] of Object.entries(cases)) {
    current = name;
    try {
      await withTimeout(fn(c), 60000);
    } catch (e) {
      out(`FAILED ${e.code === undefined ? e.stack.split('\n').slice(0, 3).join(' ') : describe(e)}`);
      if (name === 'connect') return;
      // A connection that failed outside a query is not reused.
      if (!c._queryable || c._ending) {
        c = connect();
        await c.connect();
        out('reconnected');
      }
    }
  }
  await c.end();
}

main().catch((e) => {
  out(`FAILED ${e.stack}`);
  process.exitCode = 1;
});
