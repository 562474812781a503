//go:build duckdb_arrow

package flightsrv

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"google.golang.org/grpc/codes"
)

func TestErrors(t *testing.T) {
	ts := startDuck(t, nil)
	cl := ts.client(t)
	ctx := context.Background()

	_, err := cl.Execute(ctx, "SELECT * FROM nope")
	wantSQLError(t, "undefined table", err, codes.NotFound, "42P01")
	_, err = cl.Execute(ctx, "SELECT nope FROM range(3)")
	wantSQLError(t, "undefined column", err, codes.NotFound, "42703")
	_, err = cl.Execute(ctx, "SELEC 1")
	wantSQLError(t, "syntax error", err, codes.InvalidArgument, "42601")
	_, err = cl.GetExecuteSchema(ctx, "SELECT * FROM nope")
	wantSQLError(t, "GetSchema", err, codes.NotFound, "42P01")

	if _, err := cl.ExecuteUpdate(ctx, "CREATE TABLE e (id INTEGER PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.ExecuteUpdate(ctx, "INSERT INTO e VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	_, err = cl.ExecuteUpdate(ctx, "INSERT INTO e VALUES (1)")
	wantSQLError(t, "unique violation", err, codes.AlreadyExists, "23505")
	_, err = cl.ExecuteUpdate(ctx, "CREATE TABLE e (id INTEGER)")
	wantSQLError(t, "duplicate table", err, codes.AlreadyExists, "42P07")

	// An error after some batches ends the stream with the error.
	info, err := cl.Execute(ctx, "SELECT CASE WHEN i < 100000 THEN i ELSE CAST('x' || i AS INTEGER) END AS v FROM range(200000) t(i)")
	if err != nil {
		t.Fatal(err)
	}
	rdr, err := cl.DoGet(ctx, info.Endpoint[0].Ticket)
	if err == nil {
		for rdr.Next() {
		}
		err = rdr.Err()
		rdr.Release()
	}
	if errors.Is(err, io.EOF) {
		err = nil
	}
	wantSQLError(t, "error mid-stream", err, codes.InvalidArgument, "22P02")

	// A prepared statement run with the wrong parameters.
	ps, err := cl.Prepare(ctx, "SELECT $1::INTEGER + $2::INTEGER AS s")
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close(ctx)
	info, err = ps.Execute(ctx)
	if err == nil {
		rdr, err = cl.DoGet(ctx, info.Endpoint[0].Ticket)
		if err == nil {
			for rdr.Next() {
			}
			err = rdr.Err()
			rdr.Release()
		}
	}
	wantSQLError(t, "missing parameters", err, codes.InvalidArgument, "08P01")

	// A handle that names nothing.
	bogus := flightsql.NewPreparedStatement(cl, handle{kind: kindPrepared, sess: newSessionID(), obj: 1}.bytes())
	_, err = bogus.Execute(ctx)
	wantSQLError(t, "unknown prepared statement", err, codes.NotFound, "26000")
}
