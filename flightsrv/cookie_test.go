//go:build duckdb_arrow

package flightsrv

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// sessionClient is a client that keeps the session cookie, as arrow-go's
// cookie middleware does, but through gRPC interceptors that read a
// stream's headers only once a message or the stream's end is received.
// arrow-go's middleware reads them (its Trailer) when a send fails, which
// races with gRPC closing the stream when the server ends a DoPut early
// (a refused ingest), and the race detector fails the test.
func (ts *testServer) sessionClient(t testing.TB) *flightsql.Client {
	t.Helper()
	jar := &cookieJar{}
	return ts.dial(t, nil, grpc.WithUnaryInterceptor(jar.unary), grpc.WithStreamInterceptor(jar.stream))
}

// cookieJar keeps the cookies a server sets in its response headers.
type cookieJar struct {
	mu      sync.Mutex
	cookies map[string]string
}

func (j *cookieJar) outgoing(ctx context.Context) context.Context {
	j.mu.Lock()
	defer j.mu.Unlock()
	for name, value := range j.cookies {
		ctx = metadata.AppendToOutgoingContext(ctx, "cookie", (&http.Cookie{Name: name, Value: value}).String())
	}
	return ctx
}

func (j *cookieJar) keep(md metadata.MD) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, line := range md.Get("set-cookie") {
		if c, err := http.ParseSetCookie(line); err == nil {
			if j.cookies == nil {
				j.cookies = map[string]string{}
			}
			j.cookies[c.Name] = c.Value
		}
	}
}

func (j *cookieJar) unary(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	var hdr metadata.MD
	err := invoker(j.outgoing(ctx), method, req, reply, cc, append(opts, grpc.Header(&hdr))...)
	j.keep(hdr)
	return err
}

func (j *cookieJar) stream(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	cs, err := streamer(j.outgoing(ctx), desc, cc, method, opts...)
	if err != nil {
		return nil, err
	}
	return &jarStream{ClientStream: cs, jar: j}, nil
}

// jarStream reads the headers once, after a message or the stream's end
// is received, when gRPC has them.
type jarStream struct {
	grpc.ClientStream
	jar  *cookieJar
	once sync.Once
}

func (s *jarStream) RecvMsg(m any) error {
	err := s.ClientStream.RecvMsg(m)
	s.once.Do(func() {
		if md, herr := s.ClientStream.Header(); herr == nil {
			s.jar.keep(md)
		}
	})
	return err
}
