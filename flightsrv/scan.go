package flightsrv

import (
	"context"
	"encoding/binary"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

// Queries read in parts
//
// A query outside a transaction that scans one table (the backend decides
// which: the postgres backend takes SELECT ... FROM one table [WHERE ...]
// when PostgreSQL plans a sequential scan) gets one endpoint per part, up
// to Config.ScanParts, unordered. GetFlightInfo makes one connection of
// the session the coordinator: it begins a snapshot and splits the table.
// Each DoGet reads its part on the coordinator, if it is free, or on
// another connection of the session that imports the snapshot, so the
// parts together are exactly the query's rows at GetFlightInfo, whatever
// was committed since. The coordinator's snapshot lasts until every part
// has started, or until none has been read for Config.ScanTimeout (so a
// client reading the endpoints one after the other keeps it as long as it
// reads); a part redeemed later fails with 55000 (run the query again). A
// client reading endpoints one at a time reads them all on the
// coordinator, within its snapshot. Connections come from a pool the session
// keeps for parts, of up to ScanParts idle connections.

// Defaults for the Config fields of queries read in parts.
const (
	// DefaultScanParts is the default number of parts. More parts than
	// CPUs still pay: each part is a pipeline (PostgreSQL's COPY, decoding,
	// gRPC) that waits on the others' steps, and ADBC reads endpoints
	// ahead only a few batches. On 2 CPUs, 10M int4 rows read with ADBC
	// went from 4.2M rows/s in one part to 6.9M in 2 and 7.6M in 4 and 8.
	DefaultScanParts = 4
	// DefaultScanPartPages is the least number of pages (8 KiB each in a
	// default PostgreSQL build) per part.
	DefaultScanPartPages = 1024
	// DefaultScanTimeout is how long a snapshot waits for its parts while
	// none is being read.
	DefaultScanTimeout = time.Minute
	// maxScans caps the queries in parts a session keeps a snapshot open
	// for at once; past it queries get one endpoint.
	maxScans = 4
)

// scanner is implemented by backend sessions that read a query scanning
// one table in parts, on several sessions of the same backend, under one
// snapshot. The postgres backend's Session implements it; see its
// documentation for the contract. Plans and parts are opaque strings.
type scanner interface {
	PlanScan(ctx context.Context, sql string, parts int, minPages int64) (string, error)
	BeginScan(ctx context.Context, plan string) ([]string, error)
	ReadScanPart(ctx context.Context, part string) (*backends.Result, error)
	EndScan(ctx context.Context) error
}

var (
	errScanGone     = pgerror.New(pgerror.ObjectNotInPrerequisiteState, "the snapshot of this query has ended: run the query again")
	errScanNotFound = pgerror.New(pgerror.InvalidParameterValue, "invalid statement ticket")
)

// scan is a query read in parts: its coordinator connection, which holds
// the snapshot, and which parts have started.
type scan struct {
	id        uint64
	coord     *conn
	coordBusy bool        // a part is being read on coord
	started   []bool      // parts that have their snapshot
	waiting   int         // parts not started
	running   int         // parts being read
	ended     error       // why the snapshot ended early, if it did
	timer     *time.Timer // armed while no part is being read
	timeout   time.Duration
}

// partTicket is a decoded ticket of one part:
//
//	version(1) 'R'(1) session(16) scan(8) part(4) backend's part...
type partTicket struct {
	handle
	index int
	part  string
}

func (t partTicket) bytes() []byte {
	b := make([]byte, 0, handleLen+4+len(t.part))
	b = t.handle.appendTo(b)
	b = binary.BigEndian.AppendUint32(b, uint32(t.index))
	return append(b, t.part...)
}

func parsePartTicket(b []byte) (partTicket, error) {
	h, rest, err := parseHandle(b, kindPart)
	if err != nil || len(rest) < 4 {
		return partTicket{}, errScanNotFound
	}
	return partTicket{handle: h, index: int(binary.BigEndian.Uint32(rest)), part: string(rest[4:])}, nil
}

// scanInfo returns a FlightInfo of the query's parts, or nil when it is
// read in one piece: the backend cannot split it, or the session has
// maxScans snapshots open. cn is the connection that prepared it.
func (h *sqlServer) scanInfo(ctx context.Context, ss *session, cn *conn, sql string, desc *flight.FlightDescriptor, schema *arrow.Schema) *flight.FlightInfo {
	cfg := &h.srv.cfg
	if cfg.ScanParts < 2 || !ss.canScan() {
		return nil
	}
	var plan string
	err := cn.with(func(be backends.Session) error {
		sc, ok := be.(scanner)
		if !ok {
			return nil
		}
		var err error
		plan, err = sc.PlanScan(ctx, sql, cfg.ScanParts, cfg.ScanPartPages)
		return err
	})
	if plan == "" || err != nil {
		if err != nil {
			ss.log.Debug().Err(err).Msg("query not read in parts")
		}
		return nil
	}
	coord, err := ss.takeReader(ctx)
	if err != nil {
		ss.log.Debug().Err(err).Msg("query not read in parts: no coordinator connection")
		return nil
	}
	var parts []string
	err = coord.with(func(be backends.Session) error {
		var err error
		parts, err = be.(scanner).BeginScan(ctx, plan)
		return err
	})
	if err != nil || len(parts) == 0 {
		if err != nil {
			ss.log.Debug().Err(err).Msg("query not read in parts: no snapshot")
		}
		ss.putReader(coord)
		return nil
	}
	sc := ss.addScan(coord, len(parts), cfg.ScanTimeout)
	if sc == nil {
		endScan(ss, coord)
		return nil
	}
	eps := make([]*flight.FlightEndpoint, len(parts))
	for i, p := range parts {
		t := partTicket{handle: handle{kind: kindPart, sess: ss.id, obj: sc.id}, index: i, part: p}
		tkt, err := flightsql.CreateStatementQueryTicket(t.bytes())
		if err != nil {
			ss.cancel(sc.id)
			return nil
		}
		eps[i] = &flight.FlightEndpoint{Ticket: &flight.Ticket{Ticket: tkt}}
	}
	info := h.flightInfo(desc, schema, nil)
	info.Endpoint = eps
	info.Ordered = false
	return info
}

// canScan reports whether the session may open another snapshot.
func (s *session) canScan() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, sc := range s.scans {
		if sc.ended == nil {
			n++
		}
	}
	return !s.closed && n < maxScans
}

// addScan registers a scan coordinated by coord, or returns nil if the
// session is closed.
func (s *session) addScan(coord *conn, parts int, timeout time.Duration) *scan {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	sc := &scan{id: s.newObj(), coord: coord, started: make([]bool, parts), waiting: parts, timeout: timeout}
	s.scans[sc.id] = sc
	sc.timer = time.AfterFunc(timeout, func() { s.expireScan(sc) })
	return sc
}

// expireScan ends a scan's snapshot when its time is up, and forgets it.
func (s *session) expireScan(sc *scan) {
	s.mu.Lock()
	if sc.running > 0 {
		s.mu.Unlock() // a part started as the timer fired
		return
	}
	if s.scans[sc.id] == sc {
		delete(s.scans, sc.id)
	}
	coord := s.endSnapshot(sc, errScanGone)
	s.mu.Unlock()
	if coord != nil {
		endScan(s, coord)
	}
}

// endSnapshot records why sc's snapshot ends and returns its coordinator
// for endScan if no part is being read on it (else that part's end will
// return it). s.mu must be held.
func (s *session) endSnapshot(sc *scan, why error) *conn {
	if sc.ended == nil {
		sc.ended = why
	}
	if sc.coordBusy || sc.coord == nil {
		return nil
	}
	c := sc.coord
	sc.coord = nil
	return c
}

// cancelScan cancels a scan: its parts not yet started fail with 57014.
// It reports whether there was one. s.mu must be held.
func (s *session) cancelScan(id uint64) (*conn, bool) {
	sc := s.scans[id]
	if sc == nil || sc.ended != nil {
		return nil, false
	}
	return s.endSnapshot(sc, errUserCancel), true
}

// startPart returns the connection to read part index of scan id on: the
// coordinator if no part is being read on it, else a reader connection
// (which must import the snapshot). onCoord tells which.
func (s *session) startPart(ctx context.Context, id uint64, index int) (c *conn, sc *scan, onCoord bool, err error) {
	s.mu.Lock()
	sc = s.scans[id]
	switch {
	case sc == nil:
		s.mu.Unlock()
		return nil, nil, false, errScanGone
	case sc.ended != nil:
		s.mu.Unlock()
		return nil, nil, false, sc.ended
	case index < 0 || index >= len(sc.started):
		s.mu.Unlock()
		return nil, nil, false, errScanNotFound
	}
	sc.running++
	sc.timer.Stop()
	if !sc.coordBusy && sc.coord != nil {
		sc.coordBusy = true
		s.partStartedLocked(sc, index)
		c = sc.coord
		s.mu.Unlock()
		return c, sc, true, nil
	}
	s.mu.Unlock()
	if c, err = s.takeReader(ctx); err != nil {
		s.partDone(nil, sc, false)
	}
	return c, sc, false, err
}

// partStarted records that part index has the snapshot, and ends the
// coordinator's transaction when every part has it.
func (s *session) partStarted(sc *scan, index int) {
	s.mu.Lock()
	coord := s.partStartedLocked(sc, index)
	s.mu.Unlock()
	if coord != nil {
		endScan(s, coord)
	}
}

func (s *session) partStartedLocked(sc *scan, index int) *conn {
	if !sc.started[index] {
		sc.started[index] = true
		sc.waiting--
	}
	if sc.waiting > 0 {
		return nil
	}
	if s.scans[sc.id] == sc {
		delete(s.scans, sc.id)
		sc.timer.Stop()
	}
	return s.endSnapshot(sc, errScanGone)
}

// partDone is called when the part read on c ends: the coordinator ends
// its transaction if no part needs it any more, a reader ends its own, and
// either goes back to the pool.
// c is nil when no connection was found for the part.
func (s *session) partDone(c *conn, sc *scan, onCoord bool) {
	if !onCoord && c != nil {
		endScan(s, c)
	}
	s.mu.Lock()
	sc.running--
	if sc.running == 0 && sc.ended == nil && sc.waiting > 0 && !s.closed {
		sc.timer.Reset(sc.timeout)
	}
	var end *conn
	if onCoord {
		sc.coordBusy = false
		if sc.ended != nil || sc.waiting == 0 {
			end = s.endSnapshot(sc, errScanGone)
		}
	}
	s.mu.Unlock()
	if end != nil {
		endScan(s, end)
	}
}

// endScan ends the scan transaction on c and returns c to the pool, or
// closes it if that fails.
func endScan(s *session, c *conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := c.with(func(be backends.Session) error { return be.(scanner).EndScan(ctx) })
	if err != nil {
		c.close()
		return
	}
	s.putReader(c)
}

// takeReader returns an idle connection of the pool, or opens one.
func (s *session) takeReader(ctx context.Context) (*conn, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, errSessionClosed
	}
	gen := s.readerGen
	if n := len(s.readers); n > 0 {
		c := s.readers[n-1]
		s.readers = s.readers[:n-1]
		s.mu.Unlock()
		return c, nil
	}
	s.mu.Unlock()
	c, err := s.open(ctx)
	if err != nil {
		return nil, err
	}
	c.gen = gen
	return c, nil
}

// putReader returns a connection to the pool, or closes it: the session is
// closed, the connection lost, its options changed since it was opened, or
// the pool is full.
func (s *session) putReader(c *conn) {
	s.mu.Lock()
	keep := !s.closed && c.usable() && c.gen == s.readerGen && len(s.readers) < max(s.srv.cfg.ScanParts, 1)
	if keep {
		s.readers = append(s.readers, c)
	}
	s.mu.Unlock()
	if !keep {
		c.close()
	}
}

// partExecution is the execution of a part's ticket.
func (h *sqlServer) partExecution(ctx context.Context, b []byte) (*execution, error) {
	t, err := parsePartTicket(b)
	if err != nil {
		return nil, err
	}
	ss, err := callFrom(ctx).sessionByID(t.sess)
	if err != nil {
		return nil, errScanGone
	}
	c, sc, onCoord, err := ss.startPart(ctx, t.obj, t.index)
	if err != nil {
		return nil, err
	}
	return &execution{ss: ss, id: t.obj, conn: c, part: &partRun{scan: sc, index: t.index, part: t.part, onCoord: onCoord}}, nil
}

// partRun is the part an execution reads.
type partRun struct {
	scan    *scan
	index   int
	part    string
	onCoord bool
}

// start begins reading the part on e.conn and returns its rows. A reader
// imports the snapshot first; the part counts as started either way, so
// that a failure does not keep the coordinator waiting.
func (e *execution) startPart(qctx context.Context) (array.RecordReader, error) {
	p := e.part
	var res *backends.Result
	err := e.conn.with(func(be backends.Session) error {
		var err error
		res, err = be.(scanner).ReadScanPart(qctx, p.part)
		return err
	})
	if !p.onCoord {
		e.ss.partStarted(p.scan, p.index)
	}
	if err != nil {
		return nil, err
	}
	if res.Rows == nil {
		return nil, pgerror.New(pgerror.InternalError, "scan part returned no rows")
	}
	return &lockedRows{RecordReader: res.Rows, c: e.conn}, nil
}
