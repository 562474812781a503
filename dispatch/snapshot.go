package dispatch

import (
	"context"
	"errors"
	"strconv"
	"sync"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/catalog"
	"github.com/quiverdb/quiver/dialect"
	"github.com/quiverdb/quiver/stmt"
)

// Catalog snapshots (package catalog, snapshot.go): a catalog query whose
// plan has a Snapshot runs it, reading tables built once for the schema,
// when the session sees the committed schema; otherwise the plan's own
// SQL computes the catalog afresh. The handler's snapshots builds the
// tables on a backend session of its own, one build at a time.

// snapshots builds and keeps the catalog snapshot tables of a backend.
//
// All the tables are built together, in one transaction, for one schema:
// a session in a transaction block that has read some of them reads the
// rest as of the same moment, and they must hold the same schema.
type snapshots struct {
	be  backends.Backend
	ver backends.CatalogVersioner
	rw  dialect.Rewriter
	// init is the session set-up (Config.SessionInit).
	init func(backends.SessionInfo) []string

	mu sync.Mutex
	// broken is set when a build could not start a session or make the
	// snapshot database: no snapshot is used after.
	broken bool
	// built is the fingerprint of the schema the tables hold, once there
	// are tables.
	built    uint64
	hasBuilt bool
	// committed is the fingerprint of the committed schema, as a build
	// saw it at catalog version committedAt (valid when seen).
	committed   uint64
	committedAt uint64
	seen        bool

	// When to build (wanted): a schema is built for once it has been
	// asked for threshold times (asks, for schema asked), by any
	// sessions. A build whose tables served fewer than usefulReads reads
	// before the schema changed again doubles the threshold (up to
	// maxThreshold); one that served more sets it back to 2. A client
	// alternating DDL and a few catalog queries (an ORM's migrations, a
	// schema tool) then stops paying for builds (0.3-0.5 s each) that
	// nothing reads, and psql's \d, a dozen queries, still gets them.
	asked     uint64
	asks      int
	threshold int
	reads     int  // reads of the tables since they were built
	judged    bool // the last build's reads have moved threshold
}

const (
	usefulReads  = 8
	maxThreshold = 64
)

// newSnapshots returns the snapshot keeper of a backend, or nil when the
// backend's dialect has no snapshots or the backend cannot tell when its
// catalog changes.
func newSnapshots(cfg Config, rw dialect.Rewriter) *snapshots {
	ver, ok := cfg.Backend.(backends.CatalogVersioner)
	if !ok || cfg.Dialect != "duckdb" || rw == nil || cfg.NoCatalogSnapshot {
		return nil
	}
	return &snapshots{be: cfg.Backend, ver: ver, rw: rw, init: cfg.SessionInit, threshold: 2, judged: true}
}

// ensure reports whether the tables hold the schema whose fingerprint is
// fp, building them when it is the committed schema's and wanted. It is
// false when fp is not the committed schema's: the asking session has
// uncommitted DDL or temporary objects, or a transaction older than the
// last change.
func (k *snapshots) ensure(ctx context.Context, fp uint64) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	switch {
	case k.hasBuilt && k.built == fp:
		k.reads++
		return true
	case k.broken || (k.seen && k.committedAt == k.ver.CatalogVersion() && k.committed != fp):
		return false
	case !k.wanted(fp):
		return false
	}
	ok, err := k.build(ctx, fp)
	return ok && err == nil
}

// wanted counts an ask for schema fp, which has no tables, and reports
// whether to build them.
func (k *snapshots) wanted(fp uint64) bool {
	if !k.judged {
		// The schema changed since the last build: judge it by its reads.
		k.judged = true
		if k.reads < usefulReads {
			k.threshold = min(2*k.threshold, maxThreshold)
		} else {
			k.threshold = 2
		}
	}
	if k.asked != fp {
		k.asked, k.asks = fp, 0
	}
	k.asks++
	return k.asks >= k.threshold
}

// build makes the tables, in one transaction on a session of its own, if
// the committed schema has fingerprint fp.
func (k *snapshots) build(ctx context.Context, fp uint64) (bool, error) {
	sess, err := k.open(ctx)
	if err != nil {
		k.broken = ctx.Err() == nil
		return false, err
	}
	defer sess.Close()
	if err := exec(ctx, sess, "BEGIN TRANSACTION"); err != nil {
		return false, err
	}
	at := k.ver.CatalogVersion()
	committed, err := fingerprint(ctx, sess)
	if err != nil {
		return false, err
	}
	k.committed, k.committedAt, k.seen = committed, at, true
	if committed != fp {
		return false, nil
	}
	for _, r := range catalog.SnapshotRelations() {
		sts := stmt.Split("SELECT * FROM pg_catalog." + r)
		plan, err := k.rw.Rewrite(&sts[0])
		if err == nil && (plan == nil || !plan.Single()) {
			err = errNoSnapshot
		}
		if err == nil {
			err = exec(ctx, sess, "CREATE OR REPLACE TABLE "+catalog.SnapshotTable(r)+" AS "+plan.SQL[0])
		}
		if err != nil {
			k.broken = ctx.Err() == nil
			return false, err
		}
	}
	if err := exec(ctx, sess, "COMMIT"); err != nil {
		return false, err
	}
	k.built, k.hasBuilt = fp, true
	k.reads, k.judged = 1, false // the read that asked
	return true, nil
}

var errNoSnapshot = errors.New("catalog snapshot: not one statement with a result")

// open opens a session to build on, with the snapshot database made. A
// session closed inside its transaction rolls it back.
func (k *snapshots) open(ctx context.Context) (backends.Session, error) {
	info := backends.SessionInfo{User: "quiver", Application: "quiver catalog snapshots"}
	sess, err := k.be.Open(ctx, info)
	if err != nil {
		return nil, err
	}
	var setup []string
	if k.init != nil {
		setup = k.init(info)
	}
	for _, q := range append(setup, catalog.AttachSnapshot) {
		if err := exec(ctx, sess, q); err != nil {
			_ = sess.Close()
			return nil, err
		}
	}
	return sess, nil
}

// exec runs a statement on be and discards its rows.
func exec(ctx context.Context, be backends.Session, sql string) error {
	res, err := be.Query(ctx, sql)
	if err != nil {
		return err
	}
	if res.Rows != nil {
		res.Rows.Release()
	}
	return nil
}

// fingerprint runs catalog.Fingerprint on be.
func fingerprint(ctx context.Context, be backends.Session) (uint64, error) {
	rows, err := queryStrings(ctx, be, catalog.Fingerprint)
	if err != nil {
		return 0, err
	}
	if len(rows) != 1 || len(rows[0]) != 1 {
		return 0, errNoSnapshot
	}
	return strconv.ParseUint(rows[0][0], 10, 64)
}

// sessionSnapshot is what a session knows of its own fingerprint.
type sessionSnapshot struct {
	fp uint64
	at uint64 // the catalog version fp was computed at
	ok bool
}

// withSnapshot returns plan to run on the catalog snapshot when it has one
// and the session may read it, else plan itself.
func (s *Session) withSnapshot(ctx context.Context, plan *dialect.Plan) *dialect.Plan {
	k := s.h.snap
	if plan == nil || plan.Snapshot == nil || k == nil || !s.snapshotUsable(ctx) {
		return plan
	}
	p := *plan
	p.SQL, p.Snapshot = []string{plan.Snapshot.SQL}, nil
	return &p
}

// snapshotUsable reports whether the session may read the snapshot tables,
// building them when they are not there for its schema.
func (s *Session) snapshotUsable(ctx context.Context) bool {
	k := s.h.snap
	if k == nil || s.ddlRan || s.tx == txFailed {
		return false
	}
	at := k.ver.CatalogVersion()
	if !s.snapFP.ok || s.snapFP.at != at {
		fp, err := fingerprint(ctx, s.backend)
		if err != nil {
			return false
		}
		s.snapFP = sessionSnapshot{fp: fp, at: at, ok: true}
	}
	return k.ensure(ctx, s.snapFP.fp)
}
