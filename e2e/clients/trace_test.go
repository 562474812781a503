package clients

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
)

var flagTrace = flag.Bool("clients.trace", false,
	"run every driver program through a proxy that writes each wire message to a file, and log the file names")

// traceTarget returns tgt unchanged, or with -clients.trace a target that
// reaches it through a tracing proxy. The trace of every connection goes to
// one file per driver and server, named in the test log.
func traceTarget(t *testing.T, driver string, tgt target) target {
	t.Helper()
	if !*flagTrace {
		return tgt
	}
	path := filepath.Join(os.TempDir(), fmt.Sprintf("quiver-clients-%s-%s.trace", driver, tgt.name))
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &traceProxy{upstream: net.JoinHostPort(tgt.host, strconv.Itoa(tgt.port)), w: f}
	go p.serve(l)
	t.Cleanup(func() {
		l.Close()
		p.wg.Wait()
		f.Close()
	})
	t.Logf("tracing %s on %s to %s", driver, tgt.name, path)
	tgt.port = l.Addr().(*net.TCPAddr).Port
	return tgt
}

// traceProxy passes PostgreSQL protocol messages between clients and a
// server, decoding each with pgproto3 and writing it to w: "F" lines from
// the client, "B" lines from the server, connections numbered.
type traceProxy struct {
	upstream string
	mu       sync.Mutex
	w        io.Writer
	n        int
	wg       sync.WaitGroup
}

func (p *traceProxy) serve(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		p.n++
		n := p.n
		p.mu.Unlock()
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			if err := p.relay(c, n); err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				p.log(n, "--", "relay ended: "+err.Error())
			}
		}()
	}
}

// lockedWriter serialises the tracer's writes with the proxy's own lines.
type lockedWriter struct{ p *traceProxy }

func (w lockedWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	return w.p.w.Write(b)
}

func (p *traceProxy) log(conn int, dir, text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "conn %d %s %s\n", conn, dir, text)
}

func (p *traceProxy) relay(client net.Conn, n int) error {
	defer client.Close()
	server, err := net.Dial("tcp", p.upstream)
	if err != nil {
		return err
	}
	defer server.Close()
	be := pgproto3.NewBackend(client, client)
	fe := pgproto3.NewFrontend(server, server)
	fe.Trace(lockedWriter{p}, pgproto3.TracerOptions{SuppressTimestamps: true})
	p.log(n, "--", "connected")
	for {
		msg, err := be.ReceiveStartupMessage()
		if err != nil {
			return err
		}
		if _, ok := msg.(*pgproto3.SSLRequest); ok {
			if _, err := client.Write([]byte("N")); err != nil {
				return err
			}
			continue
		}
		fe.Send(msg)
		if err := fe.Flush(); err != nil {
			return err
		}
		break
	}
	done := make(chan error, 2)
	go func() { done <- pump(be.Receive, fe.Send, fe.Flush) }()
	go func() { done <- pump(fe.Receive, be.Send, be.Flush) }()
	err = <-done
	client.Close()
	server.Close()
	<-done
	return err
}

// pump passes messages from recv to send until either fails.
func pump[M pgproto3.Message](recv func() (M, error), send func(M), flush func() error) error {
	for {
		msg, err := recv()
		if err != nil {
			return err
		}
		send(msg)
		if err := flush(); err != nil {
			return err
		}
	}
}
