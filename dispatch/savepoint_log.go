package dispatch

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/quiverdb/quiver/stmt"
)

// The replay log: what ROLLBACK TO SAVEPOINT re-runs on an engine without
// savepoints (see savepoint.go). It holds each writing statement of the
// open transaction as the backend ran it: the SQL text after the dialect
// rewrite for statements run as text, or the backend's prepared statement
// and a reference to its bound parameters for statements run through the
// extended protocol. Statements that only read are not kept.
//
// The log is bounded: once what it holds would pass replayLogLimit bytes
// it stops recording and lets go of every entry no savepoint can use, so a
// long transaction costs at most the bound, and nothing when it has no
// savepoint when the bound is reached. Rolling back to a savepoint made
// after that is refused.

// replayLogLimit is the default bound on the bytes a session's replay log
// holds, as estimated by entrySize.
const replayLogLimit = 32 << 20

// Estimated costs of what an entry keeps, beyond its SQL text and
// parameter buffers.
const (
	entryCost    = 128
	preparedCost = 4 << 10 // a backend prepared statement kept open
)

// logEntry is one writing statement of the transaction.
type logEntry struct {
	// orig is the statement's own PostgreSQL text, parsed again when a
	// replay needs its parse tree; unused when ps is set.
	orig string
	// sql holds the statements the backend ran for it, in order.
	sql []string
	// ps, when set, is the prepared statement the backend ran, with a
	// reference held by the log, and params its parameters (retained,
	// or nil).
	ps     *preparedStmt
	params arrow.RecordBatch
	// count is the row count the client was told, when counted.
	count   int64
	counted bool
	// refuse, when set, says why the statement cannot be replayed, known
	// when it ran.
	refuse string
	// info is what the statement's parse tree says about replaying it,
	// worked out when a replay first needs it.
	info *replayInfo
	size int64
}

// release drops what the entry holds.
func (e *logEntry) release() {
	if e.params != nil {
		e.params.Release()
		e.params = nil
	}
	if e.ps != nil {
		e.ps.release()
		e.ps = nil
	}
}

// replayLog is the open transaction's writing statements.
type replayLog struct {
	entries []logEntry
	// first is the number of writes before entries[0] that were not
	// recorded: those of the implicit block that a BEGIN inside it turned
	// into this transaction. While it is not 0 nothing is recorded.
	first int
	bytes int64
	// cur is 1 + the index of the entry of the statement running now,
	// or 0.
	cur int
	// limit overrides replayLogLimit when not 0 (tests).
	limit int64
}

func (l *replayLog) max() int64 {
	if l.limit > 0 {
		return l.limit
	}
	return replayLogLimit
}

// recording reports whether the write numbered n (from 1) would be
// recorded: every write before it is.
func (l *replayLog) recording(n int) bool {
	return l.first == 0 && len(l.entries) == n-1
}

// add records e as the write numbered n (from 1) and returns its index, or
// -1 when it is not recorded. keep is the number of writes before the
// latest savepoint, which the log must hold on to when it goes over its
// bound. On -1 e's references are the caller's.
func (l *replayLog) add(n int, e logEntry, keep int) int {
	if !l.recording(n) {
		return -1
	}
	e.size = entrySize(&e)
	if l.bytes+e.size > l.max() {
		l.overflow(keep)
		return -1
	}
	l.entries = append(l.entries, e)
	l.bytes += e.size
	l.cur = len(l.entries)
	return l.cur - 1
}

// entrySize estimates the bytes an entry keeps alive.
func entrySize(e *logEntry) int64 {
	n := int64(entryCost + len(e.orig) + len(e.refuse))
	for _, s := range e.sql {
		n += int64(len(s))
	}
	if e.ps != nil {
		n += preparedCost + int64(len(e.ps.sql))
	}
	if e.params != nil {
		for _, c := range e.params.Columns() {
			for _, b := range c.Data().Buffers() {
				if b != nil {
					n += int64(b.Len())
				}
			}
		}
	}
	return n
}

// ran notes that the backend ran sql for st, the statement whose entry is
// the current one. keep is as for add.
func (l *replayLog) ran(st *stmt.Statement, sql string, keep int) {
	if l.cur == 0 || l.cur > len(l.entries) {
		return
	}
	e := &l.entries[l.cur-1]
	if e.ps != nil || e.orig != st.SQL {
		return
	}
	if l.bytes+int64(len(sql)) > l.max() {
		l.overflow(keep)
		return
	}
	e.sql = append(e.sql, sql)
	e.size += int64(len(sql))
	l.bytes += int64(len(sql))
}

// wrote records the row count the client was told for the entry at idx.
func (l *replayLog) wrote(idx int, n int64) {
	if idx >= 0 && idx < len(l.entries) && !l.entries[idx].counted {
		l.entries[idx].count, l.entries[idx].counted = max(n, 0), true
	}
	if idx >= 0 && idx == l.cur-1 {
		l.cur = 0
	}
}

// overflow stops recording, keeping only the first keep entries, which
// the savepoints may still need (the entry being recorded is after every
// savepoint, so it goes).
func (l *replayLog) overflow(keep int) {
	l.truncate(min(keep, len(l.entries)))
	// len(entries) is now below the write count: nothing more is
	// recorded until a rollback to a savepoint truncates the writes too.
}

// truncate drops the entries from index k on.
func (l *replayLog) truncate(k int) {
	if k >= len(l.entries) {
		return
	}
	for i := k; i < len(l.entries); i++ {
		l.bytes -= l.entries[i].size
		l.entries[i].release()
	}
	clear(l.entries[k:])
	l.entries = l.entries[:k]
	l.cur = 0
}

// reset empties the log when a transaction begins or ends.
func (l *replayLog) reset() {
	l.truncate(0)
	if cap(l.entries) > 1024 {
		l.entries = nil
	}
	l.first, l.bytes, l.cur = 0, 0, 0
}
