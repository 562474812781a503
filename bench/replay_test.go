//go:build duckdb_arrow

package bench

import (
	"context"
	"fmt"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// replayRows is how many rows of a result a replay server keeps, to send
// over and over.
const replayRows = 65536

// replayResult is a result recorded from a server, to be sent again.
type replayResult struct {
	desc  []byte // RowDescription, encoded
	rows  []byte // the first DataRow messages, encoded
	ends  []int  // where each row of rows ends
	total int    // rows in the whole result
}

// recordResult reads sql with ExecParams on c, results in format (0 text,
// 1 binary), and keeps its row description and its first replayRows rows
// as they arrived.
func recordResult(b *testing.B, c *pgconn.PgConn, sql string, format int16) *replayResult {
	rr := c.ExecParams(context.Background(), sql, nil, nil, nil, []int16{format})
	fields := rr.FieldDescriptions()
	rd := &pgproto3.RowDescription{Fields: make([]pgproto3.FieldDescription, len(fields))}
	for i, f := range fields {
		rd.Fields[i] = pgproto3.FieldDescription{Name: []byte(f.Name), TableOID: f.TableOID, TableAttributeNumber: f.TableAttributeNumber,
			DataTypeOID: f.DataTypeOID, DataTypeSize: f.DataTypeSize, TypeModifier: f.TypeModifier, Format: f.Format}
	}
	r := &replayResult{}
	var err error
	if r.desc, err = rd.Encode(nil); err != nil {
		b.Fatal(err)
	}
	for rr.NextRow() {
		if r.total < replayRows {
			if r.rows, err = (&pgproto3.DataRow{Values: rr.Values()}).Encode(r.rows); err != nil {
				b.Fatal(err)
			}
			r.ends = append(r.ends, len(r.rows))
		}
		r.total++
	}
	if _, err := rr.Close(); err != nil {
		b.Fatal(err)
	}
	return r
}

// startReplay serves the PostgreSQL protocol on a free loopback port
// until the benchmark ends, answering each query of results (by its text)
// with its recorded rows, repeated up to its row count. It knows only what
// pgconn's ExecParams sends. Its own cost is writing bytes it already has,
// so a client reading from it shows what reading the rows costs the client
// alone: the fastest any server could deliver them to that client.
func startReplay(b *testing.B, results map[string]*replayResult) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serveReplay(c, results)
		}
	}()
	return ln.Addr().String()
}

func serveReplay(c net.Conn, results map[string]*replayResult) {
	defer c.Close()
	be := pgproto3.NewBackend(c, c)
	for {
		msg, err := be.ReceiveStartupMessage()
		if err != nil {
			return
		}
		if _, ok := msg.(*pgproto3.StartupMessage); ok {
			break
		}
		if _, err := c.Write([]byte{'N'}); err != nil { // no TLS, no GSS
			return
		}
	}
	be.Send(&pgproto3.AuthenticationOk{})
	be.Send(&pgproto3.BackendKeyData{ProcessID: 1, SecretKey: []byte{0, 0, 0, 1}})
	be.Send(&pgproto3.ReadyForQuery{TxStatus: 'I'})
	if be.Flush() != nil {
		return
	}
	var r *replayResult
	for {
		msg, err := be.Receive()
		if err != nil {
			return
		}
		switch m := msg.(type) {
		case *pgproto3.Parse:
			r = results[m.Query]
		case *pgproto3.Sync:
			if replay(c, r) != nil {
				return
			}
			r = nil
		case *pgproto3.Terminate:
			return
		}
	}
}

// replay answers Parse, Bind, Describe (portal), Execute and Sync with r.
func replay(c net.Conn, r *replayResult) error {
	var out []byte
	out, _ = (&pgproto3.ParseComplete{}).Encode(out)
	out, _ = (&pgproto3.BindComplete{}).Encode(out)
	if r == nil {
		out, _ = (&pgproto3.ErrorResponse{Severity: "ERROR", Code: "42P01", Message: "not recorded"}).Encode(out)
	} else {
		if _, err := c.Write(append(out, r.desc...)); err != nil {
			return err
		}
		out = out[:0]
		for sent := 0; sent < r.total; {
			n := min(len(r.ends), r.total-sent)
			if _, err := c.Write(r.rows[:r.ends[n-1]]); err != nil {
				return err
			}
			sent += n
		}
		out, _ = (&pgproto3.CommandComplete{CommandTag: fmt.Appendf(nil, "SELECT %d", r.total)}).Encode(out)
	}
	out, _ = (&pgproto3.ReadyForQuery{TxStatus: 'I'}).Encode(out)
	_, err := c.Write(out)
	return err
}
