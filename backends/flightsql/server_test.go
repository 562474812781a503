package flightsql

// Test servers: the Apache Arrow example Flight SQL server (SQLite-backed,
// from arrow-go), run in-process, optionally behind basic auth or TLS, and
// a thin test-only wrapper that splits results across several endpoints,
// gates or delays streams, and answers CancelFlightInfo.

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql/example"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// testServer runs a Flight SQL server in-process on 127.0.0.1.
type testServer struct {
	t    testing.TB
	db   *sql.DB
	addr string
	cfg  serverConfig

	mu   sync.Mutex
	srv  flight.Server
	impl *splitServer
	lis  *trackingListener
	done chan struct{}
}

type serverConfig struct {
	auth          *validator     // basic auth when set
	tls           *tls.Config    // TLS when set
	noTx          bool           // SqlInfo says no transactions
	headers       *headerTracker // records call headers when set
	addr          string         // listen here instead of 127.0.0.1:0
	split         splitConfig
	sharedCounter *splitCounters // counters shared with another server
}

func startServer(t testing.TB, cfg serverConfig) *testServer {
	t.Helper()
	db, err := example.CreateDB()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return startServerOn(t, db, cfg)
}

// startServerOn serves db, for a second server over the same data.
func startServerOn(t testing.TB, db *sql.DB, cfg serverConfig) *testServer {
	t.Helper()
	ts := &testServer{t: t, db: db, cfg: cfg, addr: cfg.addr}
	if ts.addr == "" {
		ts.addr = "127.0.0.1:0"
	}
	ts.start()
	t.Cleanup(ts.stop)
	return ts
}

func (ts *testServer) start() {
	ts.t.Helper()
	impl, err := example.NewSQLiteFlightSQLServer(ts.db)
	if err != nil {
		ts.t.Fatal(err)
	}
	if ts.cfg.noTx {
		impl.RegisterSqlInfo(flightsql.SqlInfoFlightSqlServerTransaction, int32(flightsql.SqlTransactionNone))
	}
	counters := ts.cfg.sharedCounter
	if counters == nil {
		counters = &splitCounters{}
		ts.cfg.sharedCounter = counters
	}
	split := &splitServer{SQLiteFlightSQLServer: impl, db: ts.db, cfg: ts.cfg.split, c: counters}
	var mw []flight.ServerMiddleware
	if ts.cfg.headers != nil {
		mw = append(mw, flight.CreateServerMiddleware(ts.cfg.headers))
	}
	if ts.cfg.auth != nil {
		mw = append(mw, flight.CreateServerBasicAuthMiddleware(ts.cfg.auth))
	}
	var opts []grpc.ServerOption
	if ts.cfg.tls != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(ts.cfg.tls)))
	}
	srv := flight.NewServerWithMiddleware(mw, opts...)
	srv.RegisterFlightService(flightsql.NewFlightServer(split))
	var lis net.Listener
	for i := 0; ; i++ { // a restarted server may wait for its port
		lis, err = net.Listen("tcp", ts.addr)
		if err == nil || i == 50 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		ts.t.Fatal(err)
	}
	ts.addr = lis.Addr().String()
	tl := &trackingListener{Listener: lis}
	srv.InitListener(tl)
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve()
	}()
	ts.mu.Lock()
	ts.srv, ts.impl, ts.done, ts.lis = srv, split, done, tl
	ts.mu.Unlock()
}

// trackingListener remembers the connections it accepted, so that a test
// can cut them all as a crashing server would.
type trackingListener struct {
	net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.mu.Lock()
		l.conns = append(l.conns, c)
		l.mu.Unlock()
	}
	return c, err
}

func (l *trackingListener) cut() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		c.Close()
	}
	l.conns = nil
}

// stop kills the server at once, breaking open streams.
func (ts *testServer) stop() {
	ts.mu.Lock()
	srv, done, lis, impl := ts.srv, ts.done, ts.lis, ts.impl
	ts.srv = nil
	ts.mu.Unlock()
	if srv != nil {
		lis.Close()
		lis.cut()
		srv.Shutdown() // graceful, but every connection is gone already
		<-done
		impl.crash()
	}
}

// restart starts a fresh server process on the same address: same data,
// no prepared statements, transactions or sessions.
func (ts *testServer) restart() {
	ts.stop()
	ts.start()
}

func (ts *testServer) uri() string {
	if ts.cfg.tls != nil {
		return "grpc+tls://" + ts.addr
	}
	return "grpc://" + ts.addr
}

func (ts *testServer) counters() *splitCounters { return ts.cfg.sharedCounter }

// splitConfig shapes the results of queries marked /*split*/: parts
// endpoints of rows rows each (LIMIT/OFFSET over the query).
type splitConfig struct {
	parts     int
	rows      int
	unordered bool
	locations []string            // endpoint i is at locations[i%len] when set
	delayPart int                 // this endpoint waits delay before streaming
	delay     time.Duration       //
	hold      time.Duration       // every endpoint waits this long before streaming
	gate      chan struct{}       // /*gate*/ queries send 3 batches, then wait for it
	mem       []arrow.RecordBatch // /*mem*/ queries send these
}

type splitCounters struct {
	active, maxActive atomic.Int32
	doGets            atomic.Int32
	cancels           atomic.Int32
	closedPrepared    atomic.Int32
}

// splitServer is the example server with a few test-only behaviours:
// statements starting with /*split*/ are split across endpoints, with
// /*gate*/ they stall mid-stream, with /*code:N*/ they fail with gRPC code
// N, and CancelFlightInfo is counted.
type splitServer struct {
	*example.SQLiteFlightSQLServer
	db  *sql.DB
	cfg splitConfig
	c   *splitCounters

	mu  sync.Mutex
	txs [][]byte
}

func (s *splitServer) GetFlightInfoStatement(ctx context.Context, cmd flightsql.StatementQuery, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	q := cmd.GetQuery()
	if rest, ok := strings.CutPrefix(q, "/*sleep:"); ok {
		ms, _ := strconv.Atoi(rest[:strings.Index(rest, "*/")])
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
		case <-ctx.Done():
			return nil, status.FromContextError(ctx.Err()).Err()
		}
		q = rest[strings.Index(rest, "*/")+2:]
		cmd = statementQuery{q}
	}
	if rest, ok := strings.CutPrefix(q, "/*code:"); ok {
		n, _ := strconv.Atoi(rest[:strings.Index(rest, "*/")])
		return nil, status.Errorf(codes.Code(n), "test error %d", n)
	}
	if !strings.HasPrefix(q, "/*split*/") && !strings.HasPrefix(q, "/*gate*/") && !strings.HasPrefix(q, "/*mem*/") {
		return s.SQLiteFlightSQLServer.GetFlightInfoStatement(ctx, cmd, desc)
	}
	parts := max(s.cfg.parts, 1)
	info := &flight.FlightInfo{FlightDescriptor: desc, TotalRecords: -1, TotalBytes: -1, Ordered: !s.cfg.unordered}
	for i := range parts {
		tkt, err := flightsql.CreateStatementQueryTicket([]byte(fmt.Sprintf("split|%d|%d|%s", i, s.cfg.rows, q)))
		if err != nil {
			return nil, err
		}
		ep := &flight.FlightEndpoint{Ticket: &flight.Ticket{Ticket: tkt}}
		if len(s.cfg.locations) > 0 {
			ep.Location = []*flight.Location{{Uri: s.cfg.locations[i%len(s.cfg.locations)]}}
		}
		info.Endpoint = append(info.Endpoint, ep)
	}
	return info, nil
}

func (s *splitServer) DoGetStatement(ctx context.Context, cmd flightsql.StatementQueryTicket) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	h := string(cmd.GetStatementHandle())
	rest, ok := strings.CutPrefix(h, "split|")
	if !ok {
		return s.SQLiteFlightSQLServer.DoGetStatement(ctx, cmd)
	}
	s.c.doGets.Add(1)
	idx, rest, _ := strings.Cut(rest, "|")
	perPart, q, _ := strings.Cut(rest, "|")
	i, _ := strconv.Atoi(idx)
	per, _ := strconv.Atoi(perPart)
	n := s.c.active.Add(1)
	for {
		m := s.c.maxActive.Load()
		if n <= m || s.c.maxActive.CompareAndSwap(m, n) {
			break
		}
	}
	streaming := false
	defer func() {
		if !streaming {
			s.c.active.Add(-1)
		}
	}()
	wait := s.cfg.hold
	if i == s.cfg.delayPart {
		wait += s.cfg.delay
	}
	select {
	case <-time.After(wait):
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	if strings.HasPrefix(q, "/*mem*/") {
		streaming = true
		ch := make(chan flight.StreamChunk, 1)
		go func() {
			defer s.c.active.Add(-1)
			defer close(ch)
			for _, rec := range s.cfg.mem {
				rec.Retain()
				select {
				case ch <- flight.StreamChunk{Data: rec}:
				case <-ctx.Done():
					rec.Release()
					return
				}
			}
		}()
		return s.cfg.mem[0].Schema(), ch, nil
	}
	gated := strings.HasPrefix(q, "/*gate*/")
	if per > 0 {
		q = fmt.Sprintf("SELECT * FROM (%s) LIMIT %d OFFSET %d", q, per, i*per)
	}
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	rdr, err := example.NewSqlBatchReader(memory.DefaultAllocator, rows)
	if err != nil {
		return nil, nil, err
	}
	streaming = true
	// Read the schema before the goroutine starts: it releases the reader,
	// possibly at once when the call is cancelled.
	schema := rdr.Schema()
	ch := make(chan flight.StreamChunk)
	go func() {
		defer s.c.active.Add(-1)
		defer rdr.Release()
		defer close(ch)
		sent := 0
		for rdr.Next() {
			if gated && sent == 3 {
				select {
				case <-s.cfg.gate:
				case <-ctx.Done():
					return
				}
			}
			rec := rdr.RecordBatch()
			rec.Retain()
			select {
			case ch <- flight.StreamChunk{Data: rec}:
				sent++
			case <-ctx.Done():
				rec.Release()
				return
			}
		}
		if err := rdr.Err(); err != nil {
			select {
			case ch <- flight.StreamChunk{Err: err}:
			case <-ctx.Done():
			}
		}
	}()
	return schema, ch, nil
}

// ClosePreparedStatement counts the handles released.
func (s *splitServer) ClosePreparedStatement(ctx context.Context, req flightsql.ActionClosePreparedStatementRequest) error {
	s.c.closedPrepared.Add(1)
	return s.SQLiteFlightSQLServer.ClosePreparedStatement(ctx, req)
}

// BeginTransaction remembers the transactions, to roll back those still
// open when the server "crashes".
func (s *splitServer) BeginTransaction(ctx context.Context, req flightsql.ActionBeginTransactionRequest) ([]byte, error) {
	id, err := s.SQLiteFlightSQLServer.BeginTransaction(ctx, req)
	if err == nil {
		s.mu.Lock()
		s.txs = append(s.txs, id)
		s.mu.Unlock()
	}
	return id, err
}

// crash rolls back the open transactions, as a dying server's database
// would.
func (s *splitServer) crash() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range s.txs {
		s.SQLiteFlightSQLServer.EndTransaction(context.Background(), endTx{id})
	}
	s.txs = nil
}

type endTx struct{ id []byte }

func (e endTx) GetTransactionId() []byte { return e.id }
func (e endTx) GetAction() flightsql.EndTransactionRequestType {
	return flightsql.EndTransactionRollback
}

func (s *splitServer) CancelFlightInfo(ctx context.Context, req *flight.CancelFlightInfoRequest) (flight.CancelFlightInfoResult, error) {
	s.c.cancels.Add(1)
	return flight.CancelFlightInfoResult{Status: flight.CancelStatusCancelled}, nil
}

type statementQuery struct{ q string }

func (s statementQuery) GetQuery() string         { return s.q }
func (s statementQuery) GetTransactionId() []byte { return nil }

// validator is a basic-auth validator with one user.
type validator struct{ user, password string }

func (v *validator) Validate(user, password string) (string, error) {
	if user != v.user || password != v.password {
		return "", status.Error(codes.Unauthenticated, "invalid user name or password")
	}
	return "token-" + user, nil
}

func (v *validator) IsValid(token string) (interface{}, error) {
	if token != "token-"+v.user {
		return nil, status.Error(codes.Unauthenticated, "invalid token")
	}
	return v.user, nil
}

// headerTracker records the x-quiver-test header of every call.
type headerTracker struct {
	mu   sync.Mutex
	seen map[string]int
}

func (h *headerTracker) StartCall(ctx context.Context) context.Context {
	md, _ := metadata.FromIncomingContext(ctx)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.seen == nil {
		h.seen = map[string]int{}
	}
	for _, v := range md.Get("x-quiver-test") {
		h.seen[v]++
	}
	if len(md.Get("x-quiver-test")) == 0 {
		h.seen[""]++
	}
	return ctx
}

func (h *headerTracker) CallCompleted(context.Context, error) {}

func (h *headerTracker) count(v string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.seen[v]
}

// selfSigned returns a server TLS config for 127.0.0.1 and the path of a
// PEM file holding its certificate, to trust as a CA.
func selfSigned(t testing.TB) (*tls.Config, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "quiver test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, path
}
