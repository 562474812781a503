package dispatch

import (
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/quiverdb/quiver/pgerror"
)

// Setting changes are transactional, as PostgreSQL's GUC stack makes them:
// a transaction that rolls back undoes its SETs, and SET LOCAL lasts until
// the transaction ends. Outside a transaction block a SET is kept at once.
// See https://www.postgresql.org/docs/current/sql-set.html.

// txSettings is what the open transaction's end restores.
type txSettings struct {
	// before holds each setting's value when the transaction first changed
	// it, restored by a rollback. A custom setting that was not set
	// before is restored as empty: PostgreSQL keeps the placeholder.
	before map[string]string
	// session holds, for settings with SET LOCAL in force, the value a
	// commit restores.
	session map[string]string
}

// inTxBlock reports whether a transaction block, explicit or implicit, is
// open.
func (s *Session) inTxBlock() bool { return s.tx != txIdle || s.implicit }

// recordSetting notes, before a setting changes, what the transaction's end
// restores. It reports false for SET LOCAL outside a transaction block,
// which PostgreSQL warns about and which then has no lasting effect.
func (s *Session) recordSetting(key string, local bool) bool {
	if !s.inTxBlock() {
		if local {
			s.w.sendNotice("WARNING", pgerror.NoActiveSQLTransaction, "SET LOCAL can only be used in transaction blocks")
			return false
		}
		return true
	}
	if s.txs.before == nil {
		s.txs.before = make(map[string]string)
		s.txs.session = make(map[string]string)
	}
	cur := s.vars[key]
	if _, ok := s.txs.before[key]; !ok {
		s.txs.before[key] = cur
	}
	if !local {
		delete(s.txs.session, key)
	} else if _, ok := s.txs.session[key]; !ok {
		s.txs.session[key] = cur
	}
	return true
}

// settingsAtTxEnd restores what the transaction's end undoes: SET LOCALs
// at a commit, every change at a rollback.
func (s *Session) settingsAtTxEnd(commit bool) {
	restore := s.txs.session
	if !commit {
		restore = s.txs.before
	}
	s.txs = txSettings{}
	s.restoreVars(restore)
}

// restoreVars sets the settings in vals back, with ParameterStatus for
// reported ones whose value changes.
func (s *Session) restoreVars(vals map[string]string) {
	if len(vals) == 0 {
		return
	}
	for key, v := range vals {
		old := s.vars[key]
		s.vars[key] = v
		if d := lookupSetting(key); d != nil && d.reported && old != v {
			s.w.send(&pgproto3.ParameterStatus{Name: d.name, Value: v})
		}
	}
	if err := s.applyFormatSettings(); err != nil {
		s.log.Debug().Err(err).Msg("restoring settings")
	}
}

// txEnd settles what lives only as long as a transaction, once it has
// committed or rolled back: cursors and settings.
func (s *Session) txEnd(commit bool) {
	if s.ddlRan {
		// Other sessions read the tables' declared types again.
		s.ddlRan = false
		s.h.ddlEpoch.Add(1)
	}
	s.cursorsAtTxEnd(commit)
	s.settingsAtTxEnd(commit)
}
