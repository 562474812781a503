// Pgjdbc drives the PostgreSQL JDBC driver against one server and prints
// what it sees, one "case<TAB>observation" line at a time, for
// e2e/clients/pgjdbc_test.go to compare between PostgreSQL and quiver.
//
// Run: java -Duser.timezone=UTC -cp /usr/share/java/postgresql.jar Pgjdbc.java HOST PORT USER DB DIALECT
//
// Prepared statements run well past pgjdbc's prepareThreshold (5): from then
// on the driver uses named server-side statements and binary transfer.
import java.math.BigDecimal;
import java.sql.*;
import java.time.*;
import java.util.*;

public class Pgjdbc {
    /** Executions of every prepared statement: well past prepareThreshold. */
    static final int ITERATIONS = 10;

    static String url;
    static Properties props = new Properties();
    static Connection conn;
    static String current = "setup";
    static String dialect;

    interface Case {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: Pgjdbc HOST PORT USER DB DIALECT");
            System.exit(2);
        }
        url = "jdbc:postgresql://" + args[0] + ":" + args[1] + "/" + args[3];
        props.setProperty("user", args[2]);
        props.setProperty("sslmode", "disable");
        props.setProperty("connectTimeout", "10");
        props.setProperty("socketTimeout", "30");
        props.setProperty("ApplicationName", "quiver-e2e-pgjdbc");
        dialect = args[4];

        run("connect", Pgjdbc::connect);
        if (conn == null) {
            return;
        }
        run("show_set", Pgjdbc::showSet);
        run("types_prepared", Pgjdbc::typesPrepared);
        run("types_statement", Pgjdbc::typesStatement);
        run("rows", Pgjdbc::rows);
        run("params", Pgjdbc::params);
        run("params_untyped", Pgjdbc::paramsUntyped);
        run("fetch_size", Pgjdbc::fetchSize);
        run("max_rows", Pgjdbc::maxRows);
        run("multi_statement", Pgjdbc::multiStatement);
        run("dml", Pgjdbc::dml);
        run("batch", Pgjdbc::batch);
        run("statement_batch", Pgjdbc::statementBatch);
        run("transaction", Pgjdbc::transaction);
        run("err_undefined_table", Pgjdbc::errUndefinedTable);
        run("err_undefined_column", Pgjdbc::errUndefinedColumn);
        run("err_syntax", Pgjdbc::errSyntax);
        run("err_unique", Pgjdbc::errUnique);
        run("err_in_transaction", Pgjdbc::errInTransaction);
        run("err_prepared_bad_value", Pgjdbc::errPreparedBadValue);
        conn.close();
    }

    /** run runs one case; an exception it did not expect is printed as FAILED. */
    static void run(String name, Case c) {
        current = name;
        try {
            c.run();
        } catch (Throwable e) {
            out("FAILED " + describe(e));
            try {
                if (conn != null && !conn.isValid(5)) {
                    conn = DriverManager.getConnection(url, props);
                    out("reconnected");
                }
            } catch (Throwable e2) {
                out("FAILED reconnect: " + describe(e2));
            }
        }
    }

    static void out(String s) {
        outCase(current, s);
    }

    static void outCase(String name, String s) {
        System.out.println(name + "\t" + s);
        System.out.flush();
    }

    static String describe(Throwable e) {
        if (e instanceof SQLException se) {
            return "SQLSTATE " + se.getSQLState() + " " + e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        StringBuilder sb = new StringBuilder(e.toString());
        StackTraceElement[] st = e.getStackTrace();
        for (int i = 0; i < Math.min(4, st.length); i++) {
            sb.append(" at ").append(st[i]);
        }
        return sb.toString();
    }

    /** sqlState prints an expected error: its SQLSTATE and nothing else that servers may word differently. */
    static void sqlState(SQLException e) {
        out("error SQLSTATE " + e.getSQLState());
    }

    // ---- cases ----

    static void connect() throws Exception {
        conn = DriverManager.getConnection(url, props);
        DatabaseMetaData md = conn.getMetaData();
        out("product " + md.getDatabaseProductName() + " major " + md.getDatabaseMajorVersion());
        org.postgresql.PGConnection pc = conn.unwrap(org.postgresql.PGConnection.class);
        for (String p : new String[] {"client_encoding", "DateStyle", "integer_datetimes",
                "standard_conforming_strings", "TimeZone", "IntervalStyle", "server_encoding",
                "application_name"}) {
            out("parameter " + p + "=" + pc.getParameterStatus(p));
        }
        out("autocommit " + conn.getAutoCommit() + " readonly " + conn.isReadOnly());
    }

    /** showSet reads back settings pgjdbc set at startup, and sets one. */
    static void showSet() throws Exception {
        try (Statement st = conn.createStatement()) {
            for (String s : new String[] {"extra_float_digits", "application_name"}) {
                try (ResultSet rs = st.executeQuery("show " + s)) {
                    rs.next();
                    out("show " + s + "=" + rs.getString(1));
                }
            }
            st.execute("set extra_float_digits = 3");
            out("set extra_float_digits: update count " + st.getUpdateCount());
        }
    }

    static String bytea() {
        return "'\\xdeadbeef00'::bytea"; // PostgreSQL's hex format on every server
    }

    static String typesSQL() {
        return "select 32767::int2 as i2, (-32768)::int2 as i2min, (-2147483648)::int4 as i4, "
                + "9223372036854775807::int8 as i8, (-9223372036854775808)::int8 as i8min, "
                + "1.5::float4 as f4, 0.1::float4 as f4b, 1.0e-7::float4 as f4c, "
                + "0.1::float8 as f8, 1e300::float8 as f8b, 'Infinity'::float8 as f8inf, "
                + "'NaN'::float8 as f8nan, (-0.0)::float8 as f8neg, "
                + "12345.678::numeric(10,3) as n, (-0.5)::numeric(5,2) as n2, 0::numeric(5,3) as n0, "
                + "12345678901234567890.123456789::numeric(38,9) as nbig, "
                + "true as bt, false as bf, 'héllo ✓'::text as t, ''::text as tempty, 'x'::varchar as vc, "
                + bytea() + " as by, date '2024-02-29' as d, date '1969-07-20' as d2, "
                + "time '13:14:15.123456' as tm, time '00:00:00' as tm0, "
                + "timestamp '2024-01-02 03:04:05.123456' as ts, timestamp '1999-12-31 23:59:59.999999' as ts2, "
                + "timestamptz '2024-01-02 03:04:05.5+00' as tz, timestamptz '1960-06-30 12:00:00-07' as tz2, "
                + "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as u, "
                + "array[1,2,null]::int4[] as ai, array[10000000000]::int8[] as al, "
                + "array['a','b c',null,'','x\"y']::text[] as at, array[1.5,null]::float8[] as af, "
                + "array[]::int4[] as aempty, interval '1 year 2 months 3 days 04:05:06.789' as iv, "
                + "null::int4 as ni, null::text as nt, null::timestamptz as ntz, null::bool as nb, "
                + "null::bytea as nby, null::numeric(5,2) as nn";
    }

    /** typesPrepared runs one select of every type ITERATIONS times through a PreparedStatement. */
    static void typesPrepared() throws Exception {
        try (PreparedStatement ps = conn.prepareStatement(typesSQL())) {
            for (int k = 1; k <= ITERATIONS; k++) {
                try (ResultSet rs = ps.executeQuery()) {
                    printRows(rs, "exec " + k + " ", true);
                }
            }
        }
    }

    /** typesStatement runs the same select as a plain Statement, which pgjdbc never server-prepares. */
    static void typesStatement() throws Exception {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(typesSQL())) {
            printRows(rs, "", true);
        }
    }

    static void rows() throws Exception {
        String sql = "select i, s from (values (3::int4, 'c'::text), (1, 'a'), (2, null), (null, 'n')) as v(i, s) "
                + "where i is null or i >= ? order by i nulls last";
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setFetchSize(0);
            for (int k = 1; k <= ITERATIONS; k++) {
                ps.setInt(1, k % 4);
                try (ResultSet rs = ps.executeQuery()) {
                    printRows(rs, "exec " + k + " ");
                }
            }
        }
    }

    static void params() throws Exception {
        String sql = "select ?::int2 as a, ?::int4 as b, ?::int8 as c, ?::float4 as d, ?::float8 as e, "
                + "?::numeric(12,4) as f, ?::bool as g, ?::text as h, ?::bytea as i, ?::date as j, "
                + "?::time as k, ?::timestamp as l, ?::timestamptz as m, ?::uuid as n, ?::int4[] as o, "
                + "?::text[] as p, ?::int4 as q, ?::text as r, ?::date as s, ?::int8 as t";
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            for (int k = 1; k <= ITERATIONS; k++) {
                int p = 1;
                ps.setShort(p++, (short) (-k * 1000));
                ps.setInt(p++, k * 100000);
                ps.setLong(p++, (long) k * 10000000000L);
                ps.setFloat(p++, k + 0.25f);
                ps.setDouble(p++, k / 3.0);
                ps.setBigDecimal(p++, new BigDecimal("-" + k + "23.4560"));
                ps.setBoolean(p++, k % 2 == 0);
                ps.setString(p++, "str " + k + " ü");
                ps.setBytes(p++, new byte[] {(byte) k, 0, (byte) 0xff});
                ps.setDate(p++, java.sql.Date.valueOf(LocalDate.of(2000 + k, k, k)));
                ps.setObject(p++, LocalTime.of(k, k, k, k * 1000));
                Timestamp ts = Timestamp.valueOf(LocalDateTime.of(1990 + k, 12, 31, 23, 59, 58, k * 1000));
                ps.setTimestamp(p++, ts);
                ps.setObject(p++, OffsetDateTime.of(2020, 1, k, 10, 0, 0, 0, ZoneOffset.ofHours(k - 5)));
                ps.setObject(p++, UUID.fromString("00000000-0000-0000-0000-00000000000" + (k % 10)));
                ps.setArray(p++, conn.createArrayOf("int4", new Integer[] {k, null, -k}));
                ps.setArray(p++, conn.createArrayOf("text", new String[] {"x" + k, "y z", null}));
                ps.setNull(p++, Types.INTEGER);
                ps.setNull(p++, Types.VARCHAR);
                ps.setObject(p++, LocalDate.of(1900 + k, 2, 28));
                ps.setObject(p++, (long) -k);
                try (ResultSet rs = ps.executeQuery()) {
                    printRows(rs, "exec " + k + " ", true);
                }
            }
        }
    }

    /** paramsUntyped selects parameters with no cast: the types pgjdbc declares decide the result types. */
    static void paramsUntyped() throws Exception {
        try (PreparedStatement ps = conn.prepareStatement("select ? as a, ? as b, ? as c, ? as d")) {
            for (int k = 1; k <= ITERATIONS; k++) {
                ps.setInt(1, k);
                ps.setLong(2, -k);
                ps.setDouble(3, k * 0.5);
                ps.setBoolean(4, k % 3 == 0);
                try (ResultSet rs = ps.executeQuery()) {
                    printRows(rs, "exec " + k + " ");
                }
            }
        }
    }

    static final String SERIES = "select g::int4 as g, ('r' || g)::text as s from generate_series(1, 10) as t(g) order by g";

    /**
     * fetchSize reads a result three rows at a time: in a transaction pgjdbc
     * then executes a named portal with a row limit and resumes it after
     * each PortalSuspended.
     */
    static void fetchSize() throws Exception {
        conn.setAutoCommit(false);
        try (PreparedStatement ps = conn.prepareStatement(SERIES)) {
            ps.setFetchSize(3);
            for (int k = 1; k <= 7; k++) {
                try (ResultSet rs = ps.executeQuery()) {
                    StringBuilder sb = new StringBuilder();
                    while (rs.next()) {
                        sb.append(rs.getInt(1)).append(':').append(rs.getString(2)).append(' ');
                    }
                    out("exec " + k + ": " + sb);
                }
            }
            conn.commit();
        } finally {
            conn.setAutoCommit(true);
        }
    }

    /** maxRows caps a result at four rows: pgjdbc sends Execute with a row limit. */
    static void maxRows() throws Exception {
        try (PreparedStatement ps = conn.prepareStatement(SERIES)) {
            ps.setMaxRows(4);
            for (int k = 1; k <= 7; k++) {
                try (ResultSet rs = ps.executeQuery()) {
                    int n = 0;
                    while (rs.next()) {
                        n++;
                    }
                    out("exec " + k + ": " + n + " rows");
                }
            }
        }
    }

    /** multiStatement runs three statements in one execute: pgjdbc sends them in one Sync. */
    static void multiStatement() throws Exception {
        try (Statement st = conn.createStatement()) {
            boolean isResult = st.execute("select 1::int4 as a; select 'two'::text as b, 2::int8 as c; "
                    + "set extra_float_digits = 3");
            for (int i = 1; ; i++) {
                if (isResult) {
                    try (ResultSet rs = st.getResultSet()) {
                        printRows(rs, "result " + i + " ");
                    }
                } else if (st.getUpdateCount() != -1) {
                    out("result " + i + ": update count " + st.getUpdateCount());
                } else {
                    break;
                }
                isResult = st.getMoreResults();
            }
        }
    }

    static void createItems() throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute("drop table if exists items");
            st.execute("create table items (id int4 primary key, name text, price numeric(10,2), "
                    + "qty int8, ok bool, stamp timestamp, data bytea)");
            out("create: update count " + st.getUpdateCount());
        }
    }

    static void dml() throws Exception {
        createItems();
        try (PreparedStatement ps = conn.prepareStatement("insert into items values (?, ?, ?, ?, ?, ?, ?)")) {
            for (int k = 1; k <= ITERATIONS; k++) {
                ps.setInt(1, k);
                ps.setString(2, "item " + k);
                ps.setBigDecimal(3, new BigDecimal(k + ".5"));
                ps.setLong(4, k * 10L);
                ps.setBoolean(5, k % 2 == 1);
                ps.setTimestamp(6, Timestamp.valueOf(LocalDateTime.of(2024, 1, k, 12, 0)));
                ps.setBytes(7, new byte[] {(byte) k});
                out("insert " + k + ": update count " + ps.executeUpdate());
            }
        }
        try (PreparedStatement ps = conn.prepareStatement("update items set qty = qty + ? where id > ?")) {
            for (int k = 1; k <= ITERATIONS; k++) {
                ps.setLong(1, 1);
                ps.setInt(2, k);
                out("update " + k + ": update count " + ps.executeUpdate());
            }
        }
        try (PreparedStatement ps = conn.prepareStatement("delete from items where id = ?")) {
            for (int k = 1; k <= ITERATIONS; k += 2) {
                ps.setInt(1, k);
                out("delete " + k + ": update count " + ps.executeUpdate());
            }
        }
        try (PreparedStatement ps = conn.prepareStatement("select * from items where id > ? order by id")) {
            for (int k = 1; k <= ITERATIONS; k++) {
                ps.setInt(1, k);
                try (ResultSet rs = ps.executeQuery()) {
                    int n = 0;
                    while (rs.next()) {
                        n++;
                    }
                    out("select " + k + ": " + n + " rows");
                }
            }
            ps.setInt(1, 0);
            try (ResultSet rs = ps.executeQuery()) {
                printRows(rs, "final ");
            }
        }
        try (Statement st = conn.createStatement()) {
            out("statement update: update count " + st.executeUpdate("update items set ok = not ok"));
            out("statement delete none: update count " + st.executeUpdate("delete from items where id < 0"));
        }
    }

    static void batch() throws Exception {
        createItems();
        try (PreparedStatement ps = conn.prepareStatement(
                "insert into items (id, name, price, qty) values (?, ?, ?, ?)")) {
            for (int k = 1; k <= 20; k++) {
                ps.setInt(1, 100 + k);
                ps.setString(2, k % 5 == 0 ? null : "b" + k);
                ps.setBigDecimal(3, new BigDecimal(k).movePointLeft(1));
                ps.setLong(4, k);
                ps.addBatch();
            }
            out("executeBatch " + Arrays.toString(ps.executeBatch()));
        }
        try (PreparedStatement ps = conn.prepareStatement("update items set qty = qty * 2 where id = ?")) {
            for (int k = 1; k <= 12; k += 1) {
                ps.setInt(1, 95 + k);
                ps.addBatch();
            }
            out("update batch " + Arrays.toString(ps.executeBatch()));
        }
        try (Statement st = conn.createStatement();
                ResultSet rs = st.executeQuery("select count(*)::int8 as n, sum(qty)::int8 as q, "
                        + "count(name)::int8 as named, sum(price)::numeric(10,2) as p from items")) {
            printRows(rs, "");
        }
    }

    static void statementBatch() throws Exception {
        createItems();
        try (Statement st = conn.createStatement()) {
            st.addBatch("insert into items (id, name) values (1, 'one')");
            st.addBatch("insert into items (id, name) values (2, 'two'), (3, 'three')");
            st.addBatch("update items set qty = 7");
            st.addBatch("delete from items where id = 2");
            out("executeBatch " + Arrays.toString(st.executeBatch()));
        }
    }

    static long countItems() throws SQLException {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("select count(*) from items")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void transaction() throws Exception {
        createItems();
        conn.setAutoCommit(false);
        try (PreparedStatement ps = conn.prepareStatement("insert into items (id) values (?)")) {
            ps.setInt(1, 1);
            ps.executeUpdate();
            out("in transaction: " + countItems() + " rows");
            conn.rollback();
            out("after rollback: " + countItems() + " rows");
            ps.setInt(1, 2);
            ps.executeUpdate();
            conn.commit();
        } finally {
            conn.setAutoCommit(true);
        }
        out("after commit: " + countItems() + " rows");
    }

    static void expectError(String sql) {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.execute();
            out("no error for " + sql);
        } catch (SQLException e) {
            sqlState(e);
        }
    }

    static void stillUsable() throws SQLException {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("select 1::int4 as one")) {
            rs.next();
            out("connection usable: " + rs.getInt(1));
        }
    }

    static void errUndefinedTable() throws Exception {
        expectError("select * from no_such_table");
        try (Statement st = conn.createStatement()) {
            st.executeQuery("select * from no_such_table");
            out("no error");
        } catch (SQLException e) {
            sqlState(e);
        }
        stillUsable();
    }

    static void errUndefinedColumn() throws Exception {
        createItems();
        expectError("select no_such_column from items");
        stillUsable();
    }

    static void errSyntax() throws Exception {
        expectError("selec 1");
        stillUsable();
    }

    static void errUnique() throws Exception {
        createItems();
        try (PreparedStatement ps = conn.prepareStatement("insert into items (id) values (?)")) {
            for (int k = 1; k <= 7; k++) {
                ps.setInt(1, k);
                ps.executeUpdate();
            }
            ps.setInt(1, 3);
            ps.executeUpdate();
            out("no error");
        } catch (SQLException e) {
            sqlState(e);
        }
        stillUsable();
    }

    static void errInTransaction() throws Exception {
        conn.setAutoCommit(false);
        try {
            expectError("select * from no_such_table");
            expectError("select 1");
            conn.rollback();
        } finally {
            conn.setAutoCommit(true);
        }
        stillUsable();
    }

    /** errPreparedBadValue fails a server-prepared statement on its eighth execution. */
    static void errPreparedBadValue() throws Exception {
        try (PreparedStatement ps = conn.prepareStatement("select ?::int4 + 1 as n")) {
            for (int k = 1; k <= 8; k++) {
                ps.setString(1, k < 8 ? String.valueOf(k) : "not a number");
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    out("exec " + k + ": " + rs.getInt(1));
                } catch (SQLException e) {
                    out("exec " + k + ":");
                    sqlState(e);
                }
            }
            ps.setString(1, "41");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                out("after error: " + rs.getInt(1));
            }
        }
    }

    // ---- printing ----

    static void printRows(ResultSet rs, String prefix) throws SQLException {
        printRows(rs, prefix, false);
    }

    /**
     * printRows prints every value of a result. With perColumn, each column's
     * values go to a case of their own, "case.column", so that one column
     * that differs does not hide the others.
     */
    static void printRows(ResultSet rs, String prefix, boolean perColumn) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        int row = 0;
        while (rs.next()) {
            row++;
            for (int i = 1; i <= md.getColumnCount(); i++) {
                String label = md.getColumnLabel(i);
                String v = prefix + "row " + row + " " + label + " " + md.getColumnTypeName(i)
                        + " " + value(rs, i, md.getColumnTypeName(i));
                if (perColumn) {
                    outCase(current + "." + label, v);
                } else {
                    out(v);
                }
            }
        }
        out(prefix + row + " rows");
    }

    interface Getter {
        Object get() throws SQLException;
    }

    /** get calls one getter; an error is printed in place of the value, so the other getters still run. */
    static String get(Getter g) {
        try {
            return object(g.get());
        } catch (SQLException e) {
            return "ERROR(SQLSTATE " + e.getSQLState() + ")";
        }
    }

    /** value prints a column as getString, getObject and the type's own getter see it. */
    static String value(ResultSet rs, int i, String type) throws SQLException {
        String s = rs.getString(i);
        boolean wasNull = rs.wasNull();
        if (s != null && s.startsWith("[B@")) {
            // pgjdbc 42.5 returns byte[].toString() for a bytea received in
            // binary: print the format, not the address.
            s = "<byte[] received in binary>";
        }
        String typed = switch (type) {
            case "int2" -> "getShort=" + get(() -> rs.getShort(i));
            case "int4" -> "getInt=" + get(() -> rs.getInt(i));
            case "int8" -> "getLong=" + get(() -> rs.getLong(i));
            case "float4" -> "getFloat=" + get(() -> rs.getFloat(i));
            case "float8" -> "getDouble=" + get(() -> rs.getDouble(i));
            case "numeric" -> "getBigDecimal=" + get(() -> rs.getBigDecimal(i));
            case "bool" -> "getBoolean=" + get(() -> rs.getBoolean(i));
            case "bytea" -> "getBytes=" + get(() -> rs.getBytes(i));
            case "date" -> "LocalDate=" + get(() -> rs.getObject(i, LocalDate.class))
                    + " getDate=" + get(() -> rs.getDate(i));
            case "time" -> "LocalTime=" + get(() -> rs.getObject(i, LocalTime.class));
            case "timestamp" -> "LocalDateTime=" + get(() -> rs.getObject(i, LocalDateTime.class))
                    + " getTimestamp=" + get(() -> rs.getTimestamp(i));
            case "timestamptz" -> "OffsetDateTime=" + get(() -> rs.getObject(i, OffsetDateTime.class));
            case "uuid" -> "UUID=" + get(() -> rs.getObject(i, UUID.class));
            default -> type.startsWith("_")
                    ? "getArray=" + get(() -> {
                        Array a = rs.getArray(i);
                        return a == null ? null : a.getBaseTypeName() + ":" + object(a.getArray());
                    })
                    : "";
        };
        return "getString=" + (s == null ? "NULL" : "'" + s + "'") + " wasNull=" + wasNull
                + " getObject=" + get(() -> rs.getObject(i)) + " " + typed;
    }

    static String object(Object o) {
        if (o == null) {
            return "null";
        }
        if (o instanceof byte[] b) {
            StringBuilder sb = new StringBuilder("byte[]:");
            for (byte x : b) {
                sb.append(String.format("%02x", x));
            }
            return sb.toString();
        }
        if (o instanceof Object[] a) {
            StringBuilder sb = new StringBuilder(o.getClass().getComponentType().getSimpleName() + "[]{");
            for (int i = 0; i < a.length; i++) {
                sb.append(i > 0 ? "," : "").append(object(a[i]));
            }
            return sb.append("}").toString();
        }
        if (o instanceof Array a) {
            try {
                return "Array:" + a.getBaseTypeName() + ":" + object(a.getArray());
            } catch (SQLException e) {
                return "Array:" + describe(e);
            }
        }
        return o.getClass().getSimpleName() + ":" + o;
    }
}
