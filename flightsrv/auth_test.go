//go:build duckdb_arrow

package flightsrv

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
)

func TestAuth(t *testing.T) {
	ts := startDuck(t, func(c *Config) { c.Auth = passwords{"alice": "secret", "bob": "hunter2"} })
	cl := ts.client(t)
	ctx := context.Background()

	// No credentials, wrong ones, a made-up token.
	_, err := cl.Execute(ctx, "SELECT 1")
	wantCode(t, "no credentials", err, codes.Unauthenticated)
	_, err = cl.Client.AuthenticateBasicToken(ctx, "alice", "wrong")
	wantCode(t, "wrong password", err, codes.Unauthenticated)
	if SQLState(err) != "28P01" {
		t.Errorf("wrong password: SQLSTATE %q, want 28P01", SQLState(err))
	}
	_, err = cl.Client.AuthenticateBasicToken(ctx, "mallory", "secret")
	wantCode(t, "unknown user", err, codes.Unauthenticated)
	bogus := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer nope")
	_, err = cl.Execute(bogus, "SELECT 1")
	wantCode(t, "bogus token", err, codes.Unauthenticated)

	// Handshake: a bearer token bound to a session.
	alice, err := cl.Client.AuthenticateBasicToken(ctx, "alice", "secret")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.ExecuteUpdate(alice, "CREATE TEMPORARY TABLE mine AS SELECT current_user AS u"); err != nil {
		t.Fatal(err)
	}
	rec := queryCtx(t, alice, cl, "SELECT count(*) FROM mine")
	rec.Release()

	// Basic credentials on every call, as arrow-go's database/sql driver
	// sends them.
	basic := metadata.AppendToOutgoingContext(ctx, "authorization", "Basic Ym9iOmh1bnRlcjI=") // bob:hunter2
	ps, err := cl.Prepare(basic, "SELECT 1 AS one")
	if err != nil {
		t.Fatal(err)
	}
	// Bob's handle is no use to Alice.
	stolen := flightsql.NewPreparedStatement(cl, ps.Handle())
	_, err = stolen.Execute(alice)
	wantCode(t, "another user's handle", err, codes.NotFound)
	if _, err := ps.Execute(basic); err != nil {
		t.Errorf("owner's handle: %v", err)
	}
	ps.Close(basic)

	// database/sql with credentials in the DSN.
	db, err := sql.Open("flightsql", fmt.Sprintf("flightsql://bob:hunter2@%s", ts.addr))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var one int32
	if err := db.QueryRow("SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Errorf("database/sql: %d, %v", one, err)
	}
	bad, err := sql.Open("flightsql", fmt.Sprintf("flightsql://bob:nope@%s", ts.addr))
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	err = bad.QueryRow("SELECT 1").Scan(&one)
	wantCode(t, "database/sql with a wrong password", err, codes.Unauthenticated)
}
