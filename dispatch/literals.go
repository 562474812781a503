package dispatch

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/dialect"
	"github.com/quiverdb/quiver/stmt"
)

// typeLiterals returns st with the string constants that PostgreSQL would
// read as arrays, where their context is an array on the backend, cast to
// that array type, and the jsonb operators || and - on operands the
// backend types JSON made calls of their definitions; or st itself (see
// dialect.ProbeLiterals). ptypes are
// the types of st's own parameters, nil entries unknown. The probes are
// prepared, never run: the backend's transaction is left as it was, and a
// probe that cannot be prepared leaves its constants as written.
func (s *Session) typeLiterals(ctx context.Context, st *stmt.Statement, ptypes []arrow.DataType) (*stmt.Statement, error) {
	lp := dialect.ProbeLiterals(st)
	if lp == nil {
		return st, nil
	}
	var probe, insert []arrow.Field
	if lp.Probe != nil {
		pt := make([]arrow.DataType, lp.Probe.Params)
		copy(pt, ptypes[:min(len(ptypes), lp.Params)])
		probe = s.probeParams(ctx, lp.Probe, pt)
	}
	if lp.Insert != nil {
		insert = s.probeParams(ctx, lp.Insert, nil)
	}
	return lp.Cast(st, probe, insert)
}

// probeParams prepares a probe statement, rewritten for the backend, and
// returns the types the backend gave its parameters, or nil when it could
// not prepare it.
func (s *Session) probeParams(ctx context.Context, st *stmt.Statement, ptypes []arrow.DataType) []arrow.Field {
	bs := s.prepareProbe(ctx, st, ptypes)
	if bs == nil {
		return nil
	}
	defer bs.Close()
	return bs.Params()
}

// prepareProbe prepares a probe statement, rewritten for the backend, to
// learn its parameters' or result's types; it returns nil when the
// statement cannot be prepared as one statement.
func (s *Session) prepareProbe(ctx context.Context, st *stmt.Statement, ptypes []arrow.DataType) backends.Stmt {
	sql, one, err := s.engineSQL(st)
	if err != nil || !one {
		return nil
	}
	bs, err := s.backend.Prepare(ctx, sql, ptypes)
	if err != nil {
		return nil
	}
	return bs
}

// engineSQL returns the statement the backend runs for st: st as the
// backend's dialect rewrites it, or st's own text. one is false when the
// rewrite runs nothing or several statements.
func (s *Session) engineSQL(st *stmt.Statement) (sql string, one bool, err error) {
	if s.h.rw == nil {
		return st.SQL, true, nil
	}
	p, err := s.h.rw.Rewrite(st)
	switch {
	case err != nil:
		return "", false, err
	case p == nil:
		return st.SQL, true, nil
	case p.NoOp || !p.Single():
		return "", false, nil
	}
	return p.SQL[0], true, nil
}
