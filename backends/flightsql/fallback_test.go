package flightsql

import (
	"context"
	"testing"

	"github.com/apache/arrow-adbc/go/adbc"
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/backends/flightsql/adbcbackend"
)

// noPartitions hides ExecutePartitions, ExecuteSchema and connection
// options, as a minimal ADBC driver would, to run the core's fallbacks
// (ExecuteQuery's reader, schema probes, emulated transactions) against
// the real server.
type noPartitions struct{ inner adbcbackend.Connector }

func (n noPartitions) Connect(ctx context.Context, info backends.SessionInfo) (*adbcbackend.Conn, error) {
	c, err := n.inner.Connect(ctx, info)
	if err != nil {
		return nil, err
	}
	c.Connection = minimalConn{c.Connection}
	c.Transactions = adbcbackend.SupportUnknown
	c.Cancel = nil
	return c, nil
}

type minimalConn struct{ adbc.Connection }

func (c minimalConn) NewStatement() (adbc.Statement, error) {
	st, err := c.Connection.NewStatement()
	return minimalStmt{st}, err
}

type minimalStmt struct{ adbc.Statement }

func (minimalStmt) ExecutePartitions(context.Context) (*arrow.Schema, adbc.Partitions, int64, error) {
	return nil, adbc.Partitions{}, -1, adbc.Error{Code: adbc.StatusNotImplemented}
}

func TestMinimalDriver(t *testing.T) {
	ts := startServer(t, serverConfig{})
	b := openBackend(t, ts.uri(), Options{})
	core, err := adbcbackend.New(adbcbackend.Config{Connector: noPartitions{connector{b}}, MapError: mapError, IsBroken: isBroken})
	if err != nil {
		t.Fatal(err)
	}
	defer core.Close()
	ctx := context.Background()
	s, err := core.Connect(ctx, backends.SessionInfo{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fillBig(t, s, 20_000)
	wantRows(t, query(t, s, "SELECT count(*), sum(v) FROM big"), "20000,200010000")
	res, err := s.Query(ctx, "SELECT v FROM big")
	if err != nil {
		t.Fatal(err)
	}
	if batches, rows := readAll(t, res.Rows); len(rows) != 20_000 || batches < 2 {
		t.Fatalf("%d rows in %d batches", len(rows), batches)
	}
	st, err := s.Prepare(ctx, "SELECT v FROM big WHERE v < ?", nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Schema() == nil || st.Schema().Field(0).Name != "v" {
		t.Fatalf("schema %v", st.Schema())
	}
	res, err = st.Execute(ctx, int64Row(t, 4))
	if err != nil {
		t.Fatal(err)
	}
	_, rows := readAll(t, res.Rows)
	wantRows(t, rows, "1", "2", "3")
	st.Close()
	// Without connection options there are no transactions: BEGIN finds out.
	exec(t, s, "BEGIN")
	if s.TransactionsSupported() || len(s.Notices()) != 1 {
		t.Fatal("BEGIN without transactions")
	}
	exec(t, s, "COMMIT")
}
