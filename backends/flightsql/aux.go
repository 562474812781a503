package flightsql

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-adbc/go/adbc"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/quiverdb/quiver/backends/flightsql/adbcbackend"
)

// aux is the backend's own arrow-go Flight SQL client, used where ADBC
// does not reach: the basic-auth handshake whose token we keep per session,
// SqlInfo (to learn about transactions, and whether the server answers at
// all, which ADBC's Open does not report), and CancelFlightInfo. It is one
// gRPC connection shared by all sessions; each call carries the session's
// own headers.
type aux struct {
	cc             *grpc.ClientConn
	cl             *flightsql.Client
	connectTimeout time.Duration
	noCancel       atomic.Bool // the server answered CancelFlightInfo with Unimplemented
}

// reconnectBackoff retries a lost server quickly: quiver's sessions would
// rather find a restarted server in a second than in gRPC's default two
// minutes.
var reconnectBackoff = backoff.Config{BaseDelay: 100 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: 2 * time.Second}

// auxServiceConfig retries the aux client's calls, all of which are
// idempotent, when they fail with UNAVAILABLE: a call made just after the
// server restarted can go out on the connection the restart cut.
const auxServiceConfig = `{"methodConfig": [{
	"name": [{"service": "arrow.flight.protocol.FlightService"}],
	"retryPolicy": {"maxAttempts": 3, "initialBackoff": "0.05s", "maxBackoff": "0.5s",
		"backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]}
}]}`

func newAux(target string, creds credentials.TransportCredentials, maxMsg int, connectTimeout time.Duration, mem memory.Allocator) (*aux, error) {
	cc, err := grpc.NewClient(target,
		grpc.WithTransportCredentials(creds),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxMsg), grpc.MaxCallSendMsgSize(maxMsg)),
		grpc.WithConnectParams(grpc.ConnectParams{Backoff: reconnectBackoff, MinConnectTimeout: connectTimeout}),
		grpc.WithDefaultServiceConfig(auxServiceConfig),
		grpc.WithUserAgent("quiver"))
	if err != nil {
		return nil, err
	}
	return &aux{
		cc:             cc,
		cl:             &flightsql.Client{Client: flight.NewClientFromConn(cc, nil), Alloc: mem},
		connectTimeout: connectTimeout,
	}, nil
}

func (a *aux) close() error { return a.cc.Close() }

// reach prepares ctx for a call that should wait, up to the connect
// timeout, for a server that is not connected yet, rather than fail at
// once because an earlier attempt failed.
func (a *aux) reach(ctx context.Context, md metadata.MD) (context.Context, context.CancelFunc) {
	a.cc.ResetConnectBackoff()
	ctx, cancel := context.WithTimeout(ctx, a.connectTimeout)
	return metadata.NewOutgoingContext(ctx, md), cancel
}

// login runs the Flight basic-auth handshake and returns the
// "authorization" header value the server handed back.
func (a *aux) login(ctx context.Context, md metadata.MD, user, password string) (string, error) {
	ctx, cancel := a.reach(ctx, md)
	defer cancel()
	ctx, err := a.cl.Client.AuthenticateBasicToken(ctx, user, password, grpc.WaitForReady(true))
	if err != nil {
		return "", err
	}
	out, _ := metadata.FromOutgoingContext(ctx)
	if v := out.Get("authorization"); len(v) > 0 {
		return v[len(v)-1], nil
	}
	return "", errors.New("the server's handshake answer has no authorization header")
}

// transactions asks the server whether it supports transactions
// (FLIGHT_SQL_SERVER_TRANSACTION). A server that does not implement
// GetSqlInfo supports none. Errors mean the server cannot be reached or
// refused the credentials.
func (a *aux) transactions(ctx context.Context, md metadata.MD) (adbcbackend.Support, error) {
	ctx, cancel := a.reach(ctx, md)
	defer cancel()
	info, err := a.cl.GetSqlInfo(ctx, []flightsql.SqlInfo{flightsql.SqlInfoFlightSqlServerTransaction}, grpc.WaitForReady(true))
	if status.Code(err) == codes.Unimplemented {
		return adbcbackend.SupportNo, nil
	}
	if err != nil {
		return adbcbackend.SupportUnknown, err
	}
	support := adbcbackend.SupportNo
	for _, ep := range info.Endpoint {
		rdr, err := a.cl.DoGet(ctx, ep.Ticket)
		if err != nil {
			return adbcbackend.SupportUnknown, err
		}
		for rdr.Next() {
			rec := rdr.RecordBatch()
			names, ok1 := rec.Column(0).(*array.Uint32)
			values, ok2 := rec.Column(1).(*array.DenseUnion)
			if !ok1 || !ok2 {
				continue
			}
			for i := range int(rec.NumRows()) {
				if names.Value(i) != uint32(flightsql.SqlInfoFlightSqlServerTransaction) {
					continue
				}
				if v, ok := values.Field(values.ChildID(i)).(*array.Int32); ok {
					switch v.Value(int(values.ValueOffset(i))) {
					case int32(flightsql.SqlTransactionTransaction), int32(flightsql.SqlTransactionSavepoint):
						support = adbcbackend.SupportYes
					}
				}
			}
		}
		err = rdr.Err()
		rdr.Release()
		if err != nil {
			return adbcbackend.SupportUnknown, err
		}
	}
	return support, nil
}

// cancel asks the server to stop the query whose endpoints the ADBC
// partitions hold. Each partition is a serialized FlightInfo with one
// endpoint; the request carries the FlightInfo with all of them.
func (a *aux) cancel(ctx context.Context, md metadata.MD, parts [][]byte) error {
	if a.noCancel.Load() {
		return nil
	}
	info, err := partitionsInfo(parts)
	if err != nil {
		return err
	}
	// Waiting for the connection lets the request reach a server the
	// connection is just finding again.
	_, err = a.cl.CancelFlightInfo(metadata.NewOutgoingContext(ctx, md), &flight.CancelFlightInfoRequest{Info: info}, grpc.WaitForReady(true))
	if status.Code(err) == codes.Unimplemented {
		a.noCancel.Store(true)
	}
	return err
}

// partitionsInfo rebuilds the FlightInfo ADBC split into partitions.
func partitionsInfo(parts [][]byte) (*flight.FlightInfo, error) {
	var info *flight.FlightInfo
	for i, p := range parts {
		one := new(flight.FlightInfo)
		if err := proto.Unmarshal(p, one); err != nil {
			return nil, adbc.Error{Code: adbc.StatusInvalidData, Msg: fmt.Sprintf("partition %d is not a FlightInfo: %v", i, err)}
		}
		if info == nil {
			info = one
			continue
		}
		info.Endpoint = append(info.Endpoint, one.Endpoint...)
	}
	return info, nil
}

// ordered reports whether the FlightInfo behind the partitions says its
// endpoints must be read in order.
func ordered(parts [][]byte) bool {
	var info flight.FlightInfo
	if len(parts) == 0 || proto.Unmarshal(parts[0], &info) != nil {
		return true
	}
	return info.GetOrdered()
}
