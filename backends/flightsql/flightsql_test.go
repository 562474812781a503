package flightsql

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-adbc/go/adbc"
	adbcflightsql "github.com/apache/arrow-adbc/go/adbc/driver/flightsql"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

// openBackend opens a Backend on ts with a checked allocator that must be
// empty once the test's sessions and the backend are closed.
func openBackend(t testing.TB, uri string, opts Options) *Backend {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	opts.Allocator = mem
	if opts.ConnectTimeout == 0 {
		opts.ConnectTimeout = 2 * time.Second
	}
	b, err := Open(uri, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Error(err)
		}
	})
	return b
}

func connect(t testing.TB, b *Backend, info backends.SessionInfo) *Session {
	t.Helper()
	s, err := b.Connect(context.Background(), info)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// session starts a server with cfg and opens one session on it.
func session(t testing.TB, cfg serverConfig, opts Options) (*testServer, *Session) {
	t.Helper()
	ts := startServer(t, cfg)
	return ts, connect(t, openBackend(t, ts.uri(), opts), backends.SessionInfo{User: "alice", Password: "secret"})
}

// readAll reads rr to its end, returning the number of batches and the
// rows as strings, and releases it.
func readAll(t testing.TB, rr array.RecordReader) (int, [][]string) {
	t.Helper()
	defer rr.Release()
	var rows [][]string
	batches := 0
	for rr.Next() {
		rec := rr.RecordBatch()
		batches++
		for i := range int(rec.NumRows()) {
			row := make([]string, rec.NumCols())
			for j, col := range rec.Columns() {
				row[j] = col.ValueStr(i)
			}
			rows = append(rows, row)
		}
	}
	if err := rr.Err(); err != nil {
		t.Fatalf("reading rows: %v", err)
	}
	return batches, rows
}

func query(t testing.TB, s backends.Session, sql string) [][]string {
	t.Helper()
	res, err := s.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v (%s)", sql, err, pgerror.Flatten(err).Detail)
	}
	if res.Rows == nil {
		t.Fatalf("%s: no rows", sql)
	}
	_, rows := readAll(t, res.Rows)
	return rows
}

func exec(t testing.TB, s backends.Session, sql string) int64 {
	t.Helper()
	res, err := s.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	if res.Rows != nil {
		res.Rows.Release()
		t.Fatalf("%s: returned rows", sql)
	}
	return res.RowsAffected
}

func wantRows(t testing.TB, got [][]string, want ...string) {
	t.Helper()
	var g []string
	for _, r := range got {
		g = append(g, strings.Join(r, ","))
	}
	if !slices.Equal(g, want) {
		t.Fatalf("rows\n got %q\nwant %q", g, want)
	}
}

func wantCode(t testing.TB, err error, code string) *pgerror.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want SQLSTATE %s", code)
	}
	e := pgerror.Flatten(err)
	if e.Code != code {
		t.Fatalf("error %q has SQLSTATE %s, want %s", err, e.Code, code)
	}
	return e
}

// fillBig makes table big(v integer) with v = 1..n.
func fillBig(t testing.TB, s backends.Session, n int) {
	t.Helper()
	exec(t, s, "CREATE TABLE big (v integer)")
	got := exec(t, s, fmt.Sprintf("INSERT INTO big (v) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < %d) SELECT x FROM c", n))
	if got != int64(n) {
		t.Fatalf("inserted %d rows, want %d", got, n)
	}
}

func TestQueryTypes(t *testing.T) {
	_, s := session(t, serverConfig{}, Options{})
	exec(t, s, "CREATE TABLE typed (i integer, r real, t text, b blob)")
	if n := exec(t, s, "INSERT INTO typed VALUES (1, 1.5, 'one', x'0102'), (-2, -0.25, 'two', x''), (NULL, NULL, NULL, NULL)"); n != 3 {
		t.Fatalf("INSERT affected %d rows, want 3", n)
	}
	res, err := s.Query(context.Background(), "SELECT i, r, t, b FROM typed ORDER BY rowid")
	if err != nil {
		t.Fatal(err)
	}
	want := []arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Float64, arrow.BinaryTypes.String, arrow.BinaryTypes.Binary}
	for i, f := range res.Rows.Schema().Fields() {
		if !arrow.TypeEqual(f.Type, want[i]) {
			t.Errorf("column %s has type %s, want %s", f.Name, f.Type, want[i])
		}
	}
	_, rows := readAll(t, res.Rows)
	// The example server sends a NULL blob as an empty one.
	wantRows(t, rows, "1,1.5,one,AQI=", "-2,-0.25,two,", "(null),(null),(null),")

	// The example server's own tables, and expressions.
	wantRows(t, query(t, s, "SELECT id, keyName, value FROM intTable ORDER BY id"),
		"1,one,1", "2,zero,0", "3,negative one,-1", "4,(null),(null)")
	wantRows(t, query(t, s, "SELECT 1 + 1, 'a' || 'b', 2.5 * 2"), "2,ab,5")
	if res.RowsAffected != -1 {
		t.Errorf("a query's RowsAffected is %d, want -1", res.RowsAffected)
	}
}

func TestUpdates(t *testing.T) {
	_, s := session(t, serverConfig{}, Options{})
	exec(t, s, "CREATE TABLE u (a integer)")
	for _, c := range []struct {
		sql  string
		want int64
	}{
		{"INSERT INTO u VALUES (1), (2), (3), (4)", 4},
		{"UPDATE u SET a = a * 10 WHERE a > 2", 2},
		{"DELETE FROM u WHERE a = 1", 1},
		{"DELETE FROM u WHERE a = 99", 0},
	} {
		if got := exec(t, s, c.sql); got != c.want {
			t.Errorf("%s: %d rows affected, want %d", c.sql, got, c.want)
		}
	}
	wantRows(t, query(t, s, "SELECT a FROM u ORDER BY a"), "2", "30", "40")
}

func TestPrepared(t *testing.T) {
	_, s := session(t, serverConfig{}, Options{})
	ctx := context.Background()

	// The example server describes neither parameters nor results: the
	// parameter count comes from the text, the schema from a probe.
	st, err := s.Prepare(ctx, "SELECT id, keyName FROM intTable WHERE value >= ? ORDER BY id", nil)
	if err != nil {
		t.Fatal(err)
	}
	if p := st.Params(); len(p) != 1 || p[0].Type.ID() != arrow.NULL {
		t.Fatalf("params %v, want one of unknown type", p)
	}
	sch := st.Schema()
	if sch == nil || sch.NumFields() != 2 || sch.Field(0).Name != "id" || !arrow.TypeEqual(sch.Field(0).Type, arrow.PrimitiveTypes.Int64) {
		t.Fatalf("schema %v, want id int64, keyName", sch)
	}
	for _, c := range []struct {
		min  int64
		want []string
	}{
		{0, []string{"1,one", "2,zero"}},
		{-1, []string{"1,one", "2,zero", "3,negative one"}},
		{5, nil},
	} {
		res, err := st.Execute(ctx, int64Row(t, c.min))
		if err != nil {
			t.Fatal(err)
		}
		_, rows := readAll(t, res.Rows)
		wantRows(t, rows, c.want...)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Execute(ctx, nil); err == nil {
		t.Fatal("a closed statement executed")
	}

	// Declared types are used when the server does not say; updates count.
	ins, err := s.Prepare(ctx, "INSERT INTO intTable (keyName, value) VALUES ('p', $1)", []arrow.DataType{arrow.PrimitiveTypes.Int64})
	if err != nil {
		t.Fatal(err)
	}
	if p := ins.Params(); len(p) != 1 || !arrow.TypeEqual(p[0].Type, arrow.PrimitiveTypes.Int64) {
		t.Fatalf("params %v, want one int64", p)
	}
	if ins.Schema() != nil {
		t.Fatalf("an INSERT has schema %v", ins.Schema())
	}
	for v := range int64(3) {
		res, err := ins.Execute(ctx, int64Row(t, 100+v))
		if err != nil {
			t.Fatal(err)
		}
		if res.Rows != nil || res.RowsAffected != 1 {
			t.Fatalf("INSERT: rows %v, %d affected, want none and 1", res.Rows, res.RowsAffected)
		}
	}
	ins.Close()
	wantRows(t, query(t, s, "SELECT value FROM intTable WHERE keyName = 'p' ORDER BY value"), "100", "101", "102")

	// A statement that fails to prepare.
	_, err = s.Prepare(ctx, "SELECT nope FROM nowhere", nil)
	if e := wantCode(t, err, pgerror.InternalError); !strings.Contains(e.Message, "no such table: nowhere") || strings.Contains(e.Message, "[FlightSQL]") {
		t.Fatalf("message %q", e.Message)
	}
}

// int64Row is a one-row parameter batch.
func int64Row(t testing.TB, vs ...int64) arrow.RecordBatch {
	fields := make([]arrow.Field, len(vs))
	cols := make([]arrow.Array, len(vs))
	for i, v := range vs {
		fields[i] = arrow.Field{Name: "$" + strconv.Itoa(i+1), Type: arrow.PrimitiveTypes.Int64, Nullable: true}
		b := array.NewInt64Builder(memory.DefaultAllocator)
		b.Append(v)
		cols[i] = b.NewArray()
		b.Release()
	}
	rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, 1)
	for _, c := range cols {
		c.Release()
	}
	t.Cleanup(rec.Release)
	return rec
}

func TestErrors(t *testing.T) {
	_, s := session(t, serverConfig{}, Options{})
	ctx := context.Background()
	_, err := s.Query(ctx, "SELECT * FROM nosuch")
	e := wantCode(t, err, pgerror.InternalError) // SQLite errors reach the client as gRPC Unknown
	if e.Message != "SQL logic error: no such table: nosuch (1)" || !strings.HasPrefix(e.Detail, "gRPC status Unknown in ") {
		t.Errorf("message %q, detail %q", e.Message, e.Detail)
	}
	_, err = s.Query(ctx, "INSERT INTO nosuch VALUES (1)")
	wantCode(t, err, pgerror.InternalError)
	for code, state := range map[int]string{
		3:  pgerror.SyntaxErrorOrAccessRuleViolation, // InvalidArgument
		5:  pgerror.UndefinedObject,                  // NotFound
		7:  pgerror.InsufficientPrivilege,            // PermissionDenied
		8:  pgerror.InsufficientResources,            // ResourceExhausted
		12: pgerror.FeatureNotSupported,              // Unimplemented
		16: pgerror.InvalidAuthorizationSpec,         // Unauthenticated
	} {
		_, err := s.Query(ctx, fmt.Sprintf("/*code:%d*/ SELECT 1", code))
		if e := wantCode(t, err, state); e.Message != fmt.Sprintf("test error %d", code) {
			t.Errorf("message %q", e.Message)
		}
	}
	// The session is fine after errors.
	wantRows(t, query(t, s, "SELECT 42"), "42")
}

func TestLargeResultStreams(t *testing.T) {
	gate := make(chan struct{})
	_, s := session(t, serverConfig{split: splitConfig{gate: gate}}, Options{})
	const n = 100_000
	fillBig(t, s, n)

	// The server sends three batches and then waits: they must reach the
	// caller before the server goes on, or the result is not streamed.
	res, err := s.Query(context.Background(), "/*gate*/ SELECT v FROM big ORDER BY v")
	if err != nil {
		t.Fatal(err)
	}
	rr := res.Rows
	defer rr.Release()
	sum, rows, batches := int64(0), 0, 0
	for batches < 3 && rr.Next() {
		batches++
		col := rr.RecordBatch().Column(0).(*array.Int64)
		for i := range col.Len() {
			sum += col.Value(i)
		}
		rows += col.Len()
	}
	if batches != 3 {
		t.Fatalf("read %d batches before the gate, want 3 (err %v)", batches, rr.Err())
	}
	close(gate)
	for rr.Next() {
		batches++
		col := rr.RecordBatch().Column(0).(*array.Int64)
		for i := range col.Len() {
			sum += col.Value(i)
		}
		rows += col.Len()
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	if rows != n || sum != n*(n+1)/2 || batches < n/1024 {
		t.Fatalf("%d rows in %d batches, sum %d; want %d rows, sum %d", rows, batches, sum, n, n*(n+1)/2)
	}
}

func TestMaxMessageSize(t *testing.T) {
	ts := startServer(t, serverConfig{})
	setup := connect(t, openBackend(t, ts.uri(), Options{}), backends.SessionInfo{})
	exec(t, setup, "CREATE TABLE blobs (b blob)")
	exec(t, setup, "INSERT INTO blobs VALUES (zeroblob(20000000))")
	// A 20 MB batch passes with the default limit …
	wantRows(t, query(t, setup, "SELECT length(b) FROM blobs"), "20000000")
	res, err := setup.Query(context.Background(), "SELECT b FROM blobs")
	if err != nil {
		t.Fatal(err)
	}
	if _, rows := readAll(t, res.Rows); len(rows) != 1 {
		t.Fatalf("%d rows", len(rows))
	}
	// … and not with 16 MiB.
	small := connect(t, openBackend(t, ts.uri(), Options{MaxMessageSize: 16 << 20}), backends.SessionInfo{})
	res, err = small.Query(context.Background(), "SELECT b FROM blobs")
	if err == nil {
		res.Rows.Next()
		err = res.Rows.Err()
		res.Rows.Release()
	}
	wantCode(t, err, pgerror.InsufficientResources)
}

func TestMultipleEndpoints(t *testing.T) {
	const parts, per = 6, 3000
	for _, c := range []struct {
		name      string
		unordered bool
	}{{"ordered", false}, {"unordered", true}} {
		t.Run(c.name, func(t *testing.T) {
			ts := startServer(t, serverConfig{split: splitConfig{parts: parts, rows: per, unordered: c.unordered, hold: 50 * time.Millisecond, delayPart: 0, delay: 300 * time.Millisecond}})
			s := connect(t, openBackend(t, ts.uri(), Options{MaxConcurrency: 3, QueueSize: 2}), backends.SessionInfo{})
			fillBig(t, s, parts*per)
			res, err := s.Query(context.Background(), "/*split*/ SELECT v FROM big ORDER BY v")
			if err != nil {
				t.Fatal(err)
			}
			_, rows := readAll(t, res.Rows)
			got := make([]int, len(rows))
			for i, r := range rows {
				got[i], _ = strconv.Atoi(r[0])
			}
			if len(got) != parts*per {
				t.Fatalf("%d rows, want %d", len(got), parts*per)
			}
			sorted := slices.IsSorted(got)
			if !c.unordered && !sorted {
				t.Fatal("an ordered result came out of order")
			}
			if c.unordered && sorted {
				t.Fatal("endpoint 0 was delayed, yet an unordered result came in order: endpoints were not read in parallel")
			}
			slices.Sort(got)
			for i, v := range got {
				if v != i+1 {
					t.Fatalf("row %d is %d", i, v)
				}
			}
			cs := ts.counters()
			if got := cs.doGets.Load(); got != parts {
				t.Errorf("%d DoGet calls, want %d", got, parts)
			}
			if m := cs.maxActive.Load(); m != 3 {
				t.Errorf("at most %d endpoints were read at once, want 3 (MaxConcurrency)", m)
			}
		})
	}
}

func TestEndpointLocations(t *testing.T) {
	// Endpoints live on a second server over the same data; both want the
	// same bearer token, which the session got from the first.
	auth := &validator{user: "alice", password: "secret"}
	first := startServer(t, serverConfig{auth: auth})
	second := startServerOn(t, first.db, serverConfig{auth: auth})
	first.cfg.split = splitConfig{parts: 4, rows: 10, locations: []string{"grpc://" + second.addr}}
	first.restart()
	b := openBackend(t, first.uri(), Options{Credentials: CredentialsPassThrough})
	s := connect(t, b, backends.SessionInfo{User: "alice", Password: "secret"})
	fillBig(t, s, 40)
	rows := query(t, s, "/*split*/ SELECT v FROM big ORDER BY v")
	if len(rows) != 40 || rows[0][0] != "1" || rows[39][0] != "40" {
		t.Fatalf("rows %v", rows)
	}
	if n := second.counters().doGets.Load(); n != 4 {
		t.Fatalf("the second server served %d DoGets, want 4", n)
	}
	if n := first.counters().doGets.Load(); n != 0 {
		t.Fatalf("the first server served %d DoGets, want 0", n)
	}
}

func TestServerKilledMidStream(t *testing.T) {
	gate := make(chan struct{})
	ts, s := session(t, serverConfig{split: splitConfig{gate: gate}}, Options{})
	ctx := context.Background()
	fillBig(t, s, 10_000)
	st, err := s.Prepare(ctx, "SELECT count(*) FROM big WHERE v > ?", nil)
	if err != nil {
		t.Fatal(err)
	}
	exec(t, s, "CREATE TABLE lost (a integer)")
	exec(t, s, "BEGIN")
	exec(t, s, "INSERT INTO lost VALUES (1)")

	res := queryToGate(t, ctx, s)
	ts.stop()
	for res.Rows.Next() {
	}
	wantCode(t, res.Rows.Err(), pgerror.ConnectionFailure)
	res.Rows.Release()

	// While the server is down, statements fail to connect.
	_, err = s.Query(ctx, "SELECT 1")
	wantCode(t, err, pgerror.SQLClientUnableToEstablishConnection)
	ts.start()
	// The transaction died with the connection: statements fail until it
	// ends, COMMIT fails, and then the session works again.
	_, err = s.Query(ctx, "SELECT 1")
	wantCode(t, err, pgerror.InFailedSQLTransaction)
	_, err = s.Query(ctx, "COMMIT")
	wantCode(t, err, pgerror.TransactionRollback)
	wantRows(t, query(t, s, "SELECT count(*) FROM lost"), "0")

	// A statement prepared before the restart is prepared again.
	res, err = st.Execute(ctx, int64Row(t, 9000))
	if err != nil {
		t.Fatal(err)
	}
	_, rows := readAll(t, res.Rows)
	wantRows(t, rows, "1000")

	// Outside a transaction, the next statement after a restart just works.
	ts.restart()
	wantRows(t, query(t, s, "SELECT 7"), "7")
}

// queryToGate starts reading big through a gated server and reads the
// three batches it sends before it waits.
func queryToGate(t *testing.T, ctx context.Context, s *Session) *backends.Result {
	t.Helper()
	res, err := s.Query(ctx, "/*gate*/ SELECT v FROM big")
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if !res.Rows.Next() {
			t.Fatal(res.Rows.Err())
		}
	}
	return res
}

func TestUnreachable(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close()
	b := openBackend(t, "grpc://"+addr, Options{ConnectTimeout: 500 * time.Millisecond})
	ctx := context.Background()
	start := time.Now()
	wantCode(t, b.Ping(ctx), pgerror.SQLClientUnableToEstablishConnection)
	_, err = b.Connect(ctx, backends.SessionInfo{})
	e := wantCode(t, err, pgerror.SQLClientUnableToEstablishConnection)
	if !strings.Contains(e.Message, addr) {
		t.Errorf("message %q does not name %s", e.Message, addr)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("failing took %v", d)
	}
	// Once the server is up, sessions open.
	startServer(t, serverConfig{addr: addr})
	if err := b.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	s := connect(t, b, backends.SessionInfo{})
	wantRows(t, query(t, s, "SELECT 1"), "1")
}

func TestCancel(t *testing.T) {
	gate := make(chan struct{})
	defer close(gate)
	ts, s := session(t, serverConfig{split: splitConfig{gate: gate}}, Options{})
	fillBig(t, s, 10_000)

	// Cancelled while reading rows.
	ctx, cancel := context.WithCancel(context.Background())
	res := queryToGate(t, ctx, s)
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	for res.Rows.Next() {
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("cancelling took %v", d)
	}
	err := res.Rows.Err()
	wantCode(t, err, pgerror.QueryCanceled)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("%v does not wrap context.Canceled", err)
	}
	res.Rows.Release()
	// The server is asked, in the background, to cancel its FlightInfo.
	waitFor(t, func() bool { return ts.counters().cancels.Load() == 1 })

	// Cancelled before the first batch: the call itself returns.
	ts.cfg.split.delay, ts.cfg.split.delayPart = time.Minute, 0
	ts.restart()
	wantRows(t, query(t, s, "SELECT 1"), "1") // reconnected
	ctx, cancel = context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err = s.Query(ctx, "/*split*/ SELECT v FROM big")
	if d := time.Since(start); d > time.Second {
		t.Errorf("cancelling took %v", d)
	}
	wantCode(t, err, pgerror.QueryCanceled)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("%v does not wrap context.DeadlineExceeded", err)
	}
	waitFor(t, func() bool { return ts.counters().cancels.Load() == 2 })
}

// waitFor polls cond for up to five seconds.
func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not met after 5s")
		}
	}
}

func TestReleaseEarly(t *testing.T) {
	ts, s := session(t, serverConfig{split: splitConfig{parts: 4, rows: 2000}}, Options{MaxConcurrency: 2, QueueSize: 1})
	fillBig(t, s, 8000)
	res, err := s.Query(context.Background(), "/*split*/ SELECT v FROM big")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Rows.Next() {
		t.Fatal(res.Rows.Err())
	}
	res.Rows.Release()
	wantRows(t, query(t, s, "SELECT count(*) FROM big"), "8000")
	s.Close()
	if n := ts.counters().cancels.Load(); n != 1 {
		t.Errorf("CancelFlightInfo was called %d times, want 1", n)
	}
}

func TestCredentials(t *testing.T) {
	ts := startServer(t, serverConfig{auth: &validator{user: "alice", password: "secret"}})
	ctx := context.Background()

	pass := openBackend(t, ts.uri(), Options{Credentials: CredentialsPassThrough})
	s := connect(t, pass, backends.SessionInfo{User: "alice", Password: "secret"})
	wantRows(t, query(t, s, "SELECT 1"), "1")
	_, err := pass.Connect(ctx, backends.SessionInfo{User: "alice", Password: "wrong"})
	if e := wantCode(t, err, pgerror.InvalidPassword); e.Message != `password authentication failed for user "alice"` {
		t.Errorf("message %q", e.Message)
	}
	if err := pass.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}

	none := openBackend(t, ts.uri(), Options{})
	_, err = none.Connect(ctx, backends.SessionInfo{User: "alice", Password: "secret"})
	wantCode(t, err, pgerror.InvalidAuthorizationSpec)

	tok := openBackend(t, ts.uri(), Options{Credentials: CredentialsToken, Token: "token-alice"})
	wantRows(t, query(t, connect(t, tok, backends.SessionInfo{}), "SELECT 2"), "2")
	bad := openBackend(t, ts.uri(), Options{Credentials: CredentialsToken, Token: "forged"})
	_, err = bad.Connect(ctx, backends.SessionInfo{})
	wantCode(t, err, pgerror.InvalidAuthorizationSpec)
}

func TestHeadersAndTLS(t *testing.T) {
	cfg, caFile := selfSigned(t)
	headers := &headerTracker{}
	ts := startServer(t, serverConfig{tls: cfg, headers: headers})
	ctx := context.Background()

	b := openBackend(t, ts.uri(), Options{CAFile: caFile, Headers: map[string]string{"x-quiver-test": "yes"}})
	wantRows(t, query(t, connect(t, b, backends.SessionInfo{}), "SELECT 1"), "1")
	if headers.count("yes") == 0 || headers.count("") != 0 {
		t.Errorf("calls with the header: %d, without: %d", headers.count("yes"), headers.count(""))
	}
	skip := openBackend(t, ts.uri(), Options{SkipVerify: true})
	wantRows(t, query(t, connect(t, skip, backends.SessionInfo{}), "SELECT 1"), "1")

	untrusted := openBackend(t, ts.uri(), Options{})
	_, err := untrusted.Connect(ctx, backends.SessionInfo{})
	wantCode(t, err, pgerror.SQLClientUnableToEstablishConnection)
	if _, err := Open(strings.Replace(ts.uri(), "grpc+tls", "grpc", 1), Options{CAFile: caFile}); err == nil {
		t.Error("a CA file was accepted for grpc://")
	}
}

func TestTransactions(t *testing.T) {
	_, s := session(t, serverConfig{}, Options{})
	ctx := context.Background()
	if !s.TransactionsSupported() {
		t.Fatal("the example server supports transactions")
	}
	exec(t, s, "CREATE TABLE tx (a integer)")
	count, err := s.Prepare(ctx, "SELECT count(*) FROM tx", nil)
	if err != nil {
		t.Fatal(err)
	}
	counted := func() string {
		res, err := count.Execute(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, rows := readAll(t, res.Rows)
		return rows[0][0]
	}
	exec(t, s, "BEGIN")
	exec(t, s, "INSERT INTO tx VALUES (1)")
	if got := counted(); got != "1" {
		t.Fatalf("inside the transaction, count is %s", got)
	}
	exec(t, s, "ROLLBACK")
	if got := counted(); got != "0" {
		t.Fatalf("after ROLLBACK, count is %s", got)
	}
	exec(t, s, "BEGIN")
	exec(t, s, "INSERT INTO tx VALUES (1), (2)")
	exec(t, s, "COMMIT")
	if got := counted(); got != "2" {
		t.Fatalf("after COMMIT, count is %s", got)
	}
	if n := s.Notices(); len(n) != 0 {
		t.Fatalf("notices %v", n)
	}
}

func TestNoTransactions(t *testing.T) {
	_, s := session(t, serverConfig{noTx: true}, Options{})
	if s.TransactionsSupported() {
		t.Fatal("TransactionsSupported on a server that says it has none")
	}
	exec(t, s, "CREATE TABLE tx (a integer)")
	exec(t, s, "BEGIN")
	n := s.Notices()
	if len(n) != 1 || !errors.Is(n[0], ErrTransactionsNotSupported) || n[0].Severity != "NOTICE" {
		t.Fatalf("notices after BEGIN: %v", n)
	}
	exec(t, s, "INSERT INTO tx VALUES (1)")
	exec(t, s, "ROLLBACK")
	n = s.Notices()
	if len(n) != 1 || !errors.Is(n[0], ErrTransactionsNotSupported) || n[0].Severity != "WARNING" {
		t.Fatalf("notices after ROLLBACK: %v", n)
	}
	wantRows(t, query(t, s, "SELECT count(*) FROM tx"), "1")
}

func TestTables(t *testing.T) {
	_, s := session(t, serverConfig{}, Options{})
	tables, err := s.Tables(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Table{}
	for _, tb := range tables {
		byName[tb.Name] = tb
	}
	it, ok := byName["intTable"]
	if !ok {
		t.Fatalf("tables %v lack intTable", tables)
	}
	var names []string
	for _, f := range it.Schema.Fields() {
		names = append(names, f.Name+" "+f.Type.String())
	}
	if want := []string{"id int64", "keyName utf8", "value int64", "foreignId int64"}; !slices.Equal(names, want) {
		t.Fatalf("intTable columns %v, want %v", names, want)
	}
	if _, ok := byName["foreignTable"]; !ok {
		t.Fatalf("tables %v lack foreignTable", tables)
	}
}

// The ADBC driver's own ExecuteQuery reader streams too: it hands over the
// batches sent before the server stalls.
func TestADBCExecuteQueryStreams(t *testing.T) {
	gate := make(chan struct{})
	ts, s := session(t, serverConfig{split: splitConfig{gate: gate}}, Options{})
	fillBig(t, s, 10_000)
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	db, err := adbcflightsql.NewDriver(mem).NewDatabase(map[string]string{adbc.OptionKeyURI: ts.uri()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cn, err := db.Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer cn.Close()
	st, _ := cn.NewStatement()
	defer st.Close()
	st.SetSqlQuery("/*gate*/ SELECT v FROM big")
	rr, _, err := st.ExecuteQuery(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if !rr.Next() {
			t.Fatalf("batch %d: %v", i, rr.Err())
		}
	}
	close(gate)
	n := 3
	for rr.Next() {
		n++
	}
	rr.Release()
	if n != 10 {
		t.Fatalf("%d batches, want 10", n)
	}
}

func TestInterleavedResults(t *testing.T) {
	_, s := session(t, serverConfig{}, Options{})
	ctx := context.Background()
	fillBig(t, s, 5000)
	exec(t, s, "CREATE TABLE side (a integer)")
	ins, err := s.Prepare(ctx, "INSERT INTO side VALUES (?)", nil)
	if err != nil {
		t.Fatal(err)
	}
	sel, err := s.Prepare(ctx, "SELECT v FROM big WHERE v <= ? ORDER BY v", nil)
	if err != nil {
		t.Fatal(err)
	}
	r1, err := sel.Execute(ctx, int64Row(t, 5000))
	if err != nil {
		t.Fatal(err)
	}
	if !r1.Rows.Next() {
		t.Fatal(r1.Rows.Err())
	}
	// While r1 is open: the same statement again, other statements, an update.
	r2, err := sel.Execute(ctx, int64Row(t, 3))
	if err != nil {
		t.Fatal(err)
	}
	_, rows := readAll(t, r2.Rows)
	wantRows(t, rows, "1", "2", "3")
	if res, err := ins.Execute(ctx, int64Row(t, 7)); err != nil || res.RowsAffected != 1 {
		t.Fatalf("INSERT: %v, %v", res, err)
	}
	wantRows(t, query(t, s, "SELECT a FROM side"), "7")
	n := r1.Rows.RecordBatch().NumRows()
	for r1.Rows.Next() {
		n += r1.Rows.RecordBatch().NumRows()
	}
	if err := r1.Rows.Err(); err != nil || n != 5000 {
		t.Fatalf("%d rows, %v", n, err)
	}
	r1.Rows.Release()
}

func TestSessionCloseReleases(t *testing.T) {
	gate := make(chan struct{})
	defer close(gate)
	ts := startServer(t, serverConfig{split: splitConfig{gate: gate}})
	b := openBackend(t, ts.uri(), Options{})
	s := connect(t, b, backends.SessionInfo{})
	ctx := context.Background()
	fillBig(t, s, 10_000)
	var stmts []backends.Stmt
	for _, q := range []string{"SELECT v FROM big WHERE v = ?", "SELECT count(*) FROM big"} {
		st, err := s.Prepare(ctx, q, nil)
		if err != nil {
			t.Fatal(err)
		}
		stmts = append(stmts, st)
	}
	stmts[0].Close()
	if n := ts.counters().closedPrepared.Load(); n != 1 {
		t.Fatalf("%d prepared statements released, want 1", n)
	}
	res := queryToGate(t, ctx, s)
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("closing took %v", d)
	}
	if n := ts.counters().closedPrepared.Load(); n != 2 {
		t.Errorf("%d prepared statements released, want 2", n)
	}
	if res.Rows.Next() {
		t.Fatal("rows after the session closed")
	}
	wantCode(t, res.Rows.Err(), pgerror.ConnectionFailure)
	res.Rows.Release()
	if _, err := s.Query(ctx, "SELECT 1"); err == nil {
		t.Fatal("a closed session ran a statement")
	}
}

func TestCallTimeout(t *testing.T) {
	gate := make(chan struct{})
	ts := startServer(t, serverConfig{split: splitConfig{gate: gate}})
	// Filled without a timeout: an INSERT timed out inside its DoPut trips
	// a data race in the ADBC driver's ExecuteUpdate, which reads the call's
	// header and trailer while gRPC may still be writing them.
	fillBig(t, connect(t, openBackend(t, ts.uri(), Options{}), backends.SessionInfo{}), 10_000)
	s := connect(t, openBackend(t, ts.uri(), Options{CallTimeout: 300 * time.Millisecond}), backends.SessionInfo{})
	ctx := context.Background()
	start := time.Now()
	_, err := s.Query(ctx, "/*sleep:5000*/ SELECT 1")
	wantCode(t, err, pgerror.QueryCanceled)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the call took %v", d)
	}
	wantRows(t, query(t, s, "/*sleep:10*/ SELECT 1"), "1")
	// Reading a result is not a call: it may take longer.
	res := queryToGate(t, ctx, s)
	time.Sleep(500 * time.Millisecond)
	close(gate)
	n := 3
	for res.Rows.Next() {
		n++
	}
	if err := res.Rows.Err(); err != nil || n != 10 {
		t.Fatalf("%d batches, %v", n, err)
	}
	res.Rows.Release()
}
