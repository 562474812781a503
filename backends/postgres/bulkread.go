package postgres

import (
	"errors"
	"net"
	"os"
	"time"
)

// Reading a large COPY result in large pieces
//
// PostgreSQL flushes a COPY's rows to the socket 8 KiB at a time, and
// quiver decodes them several times faster than PostgreSQL produces them.
// Reading whatever has arrived therefore means a read of 8 KiB, then a wait
// in the poller, for every flush: on this 2-CPU kind of machine the
// wake-ups (the Go runtime's sysmon thread woken from its deep sleep by
// each read, the thread parking again) cost more CPU than decoding the
// rows, CPU PostgreSQL's own processes need. Once a COPY has sent
// bulkAfter bytes, bulkReader asks the kernel (SO_RCVLOWAT) to report the
// socket readable only when bulkLowat bytes are waiting, and waits at most
// bulkTick for them, so the end of the result, and a result that trickles
// in, is read after that tick at the latest. Smaller results are read as
// before, with no added latency.

const (
	// bulkAfter is how much of a COPY result is read as it comes before
	// bulkReader waits for larger pieces.
	bulkAfter = 1 << 20
	// bulkLowat is the amount bulkReader waits for.
	bulkLowat = copyOutBuffer
	// bulkTick bounds each wait for bulkLowat bytes.
	bulkTick = 2 * time.Millisecond
)

// bulkReader reads a COPY result from conn (see above). Deadlines the
// cancel handler h sets on conn are kept: each wait ends at the earlier
// of its tick and h's deadline. A wait may also have begun just before h
// set its deadline, which then replaces the tick's: h therefore puts
// SO_RCVLOWAT back when it cancels, so PostgreSQL's answer to the cancel
// ends the wait however short it is.
type bulkReader struct {
	conn  net.Conn
	h     *cancelHandler
	read  int
	lowat bool // SO_RCVLOWAT is set on conn
	plain bool // conn has no SO_RCVLOWAT (TLS, Unix socket): read as it comes
}

func (r *bulkReader) Read(p []byte) (int, error) {
	if r.read < bulkAfter || r.plain {
		n, err := r.conn.Read(p)
		r.read += n
		return n, err
	}
	if !r.lowat {
		r.h.bulk.Store(true)
		if !setRcvLowat(r.conn, bulkLowat) {
			r.h.bulk.Store(false)
			r.plain = true
			return r.Read(p)
		}
		r.lowat = true
		if !r.h.deadline().IsZero() {
			// Cancelled meanwhile: HandleCancel may not have seen bulk.
			setRcvLowat(r.conn, 1)
		}
	}
	for {
		until := time.Now().Add(bulkTick)
		hard := r.h.deadline()
		if !hard.IsZero() && hard.Before(until) {
			until = hard
		}
		_ = r.conn.SetReadDeadline(until)
		n, err := r.conn.Read(p)
		if n > 0 || err == nil {
			r.read += n
			return n, nil
		}
		if !errors.Is(err, os.ErrDeadlineExceeded) || (!hard.IsZero() && !time.Now().Before(hard)) {
			return n, err
		}
	}
}

// done puts conn back as bulkReader found it: reporting any byte as
// readable, with the cancel handler's deadline.
func (r *bulkReader) done() {
	if r.lowat {
		r.h.bulk.Store(false)
		setRcvLowat(r.conn, 1)
		_ = r.conn.SetReadDeadline(r.h.deadline())
	}
}
