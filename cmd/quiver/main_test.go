//go:build duckdb_arrow

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// quiverBin is the quiver binary TestMain builds, with the duckdb_arrow
// tag, so that tests run the real command and its flags.
var quiverBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "quiver-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	quiverBin = filepath.Join(dir, "quiver")
	build := exec.Command("go", "build", "-tags", "duckdb_arrow", "-o", quiverBin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building quiver:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// process is a running quiver binary.
type process struct {
	cmd *exec.Cmd
	// Addr and FlightAddr are where it listens, read from its log.
	Addr, FlightAddr string

	mu     sync.Mutex
	stderr strings.Builder
}

// startQuiver runs the quiver binary with args plus --listen 127.0.0.1:0
// and JSON logging, waits until it logs its listening addresses, and stops
// it with SIGTERM when the test ends.
func startQuiver(t *testing.T, args ...string) *process {
	t.Helper()
	args = append([]string{"--listen", "127.0.0.1:0", "--log-format", "json", "--shutdown-timeout", "5s"}, args...)
	cmd := exec.Command(quiverBin, args...)
	out, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd}
	waitFlight := false
	for _, a := range args {
		waitFlight = waitFlight || a == "--flight-listen"
	}
	ready := make(chan error, 1)
	logDone := make(chan struct{})
	go func() {
		defer close(logDone)
		p.readLog(out, waitFlight, ready)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		<-logDone // Wait must not close the pipe before it is read out
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("quiver exited with %v\n%s", err, p.log())
			}
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("quiver did not stop on SIGTERM")
		}
	})
	select {
	case err := <-ready:
		if err != nil {
			t.Fatalf("quiver did not start: %v\n%s", err, p.log())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("quiver did not start within 30s\n%s", p.log())
	}
	return p
}

// readLog keeps what quiver logs and reports when its listeners are up.
func (p *process) readLog(r io.Reader, waitFlight bool, ready chan<- error) {
	sc := bufio.NewScanner(r)
	sent := false
	var addr, flightAddr string
	for sc.Scan() {
		line := sc.Text()
		p.mu.Lock()
		p.stderr.WriteString(line + "\n")
		p.mu.Unlock()
		if sent {
			continue
		}
		var entry struct{ Message, Addr string }
		_ = json.Unmarshal([]byte(line), &entry)
		switch entry.Message {
		case "quiver listening":
			addr = entry.Addr
		case "Flight SQL listening":
			flightAddr = entry.Addr
		}
		if addr != "" && (!waitFlight || flightAddr != "") {
			// Set once, before the test reads them.
			p.Addr, p.FlightAddr = addr, flightAddr
			sent = true
			ready <- nil
		}
	}
	if !sent {
		ready <- fmt.Errorf("log ended: %v", sc.Err())
	}
}

// log is what quiver has logged so far.
func (p *process) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// portOf returns the port of a host:port address.
func portOf(t *testing.T, addr string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return port
}
