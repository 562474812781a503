//go:build duckdb_arrow

package duckdb

import (
	"hash/maphash"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	bindings "github.com/duckdb/duckdb-go-bindings"
)

// Planning a statement costs DuckDB several times what running it does (for
// "select 1", about 150µs against 40µs), so each session keeps the
// statements it runs repeatedly prepared, by SQL text. Query and Prepare
// look there first.
//
// A cached plan must behave as a fresh one would. DuckDB itself replans a
// prepared statement when the catalog changed since it was planned, when
// the statement calls a function such as now() that must be re-evaluated,
// and when it reads files; what it does not notice is a change of settings
// (SET schema, search_path, TimeZone, ...) that the planning depended on.
// So every statement other than plain queries, DML and transaction control
// (SET, RESET, PRAGMA, CREATE, ALTER, DROP, ATTACH, USE, LOAD, CALL, COPY,
// ...) moves the Backend's generation on when it has run, in whatever
// session, and entries of older generations are planned again.
//
// Stmt needs more than DuckDB's replanning: it describes its result before
// running, and must not find a cached description made stale by a catalog
// change the description did not see. The generation covers changes made
// by statements that ran to the end outside a transaction; a change made
// inside a transaction moves it on again at that session's next transaction
// statement (its COMMIT). A description made by a session inside a
// transaction sees the catalog as the transaction's snapshot does, taken
// at or after its BEGIN, so it is entered with the generation from before
// the BEGIN: a change committed since makes it stale, and when there was
// none it stays good after the transaction too (TPC-B's statements,
// prepared inside its transactions, are planned once).
//
// Statements are cached on their second use, so that a stream of one-off
// statements (literals spliced into the text) costs nothing but a hash and
// does not push out the statements that repeat.

// defaultCacheSize is the number of prepared statements a session keeps
// when Options.StatementCache is zero.
const defaultCacheSize = 256

// stmtKind says how running a statement affects cached plans.
type stmtKind uint8

const (
	// kindPlain statements (queries and DML) leave plans valid.
	kindPlain stmtKind = iota
	// kindBegin and kindEnd are transaction control: BEGIN, and COMMIT
	// or ROLLBACK. kindTx is transaction control not recognised as either.
	kindBegin
	kindEnd
	kindTx
	// kindState statements may change what a plan depends on. They are
	// not cached.
	kindState
	// kindSessionState statements change only their own connection's
	// state (SET VARIABLE: DuckDB variables belong to the connection;
	// SET SESSION).
	// They are not cached and invalidate only their session's plans.
	kindSessionState
)

// kindOf classifies a prepared statement.
func kindOf(ps bindings.PreparedStatement, sql string) stmtKind {
	switch bindings.PreparedStatementType(ps) {
	case bindings.StatementTypeSelect, bindings.StatementTypeInsert, bindings.StatementTypeUpdate,
		bindings.StatementTypeDelete, bindings.StatementTypeExplain, bindings.StatementTypeMergeInto:
		return kindPlain
	case bindings.StatementTypeTransaction:
		switch firstKeyword(sql) {
		case "begin", "start":
			return kindBegin
		case "commit", "end", "rollback", "abort":
			return kindEnd
		}
		return kindTx
	}
	if isSetVariable(sql) {
		return kindSessionState
	}
	return kindState
}

// writesData reports whether a prepared statement of kindPlain may change
// rows.
func writesData(ps bindings.PreparedStatement) bool {
	switch bindings.PreparedStatementType(ps) {
	case bindings.StatementTypeInsert, bindings.StatementTypeUpdate, bindings.StatementTypeDelete, bindings.StatementTypeMergeInto:
		return true
	}
	return false
}

// isSetVariable reports whether sql is DuckDB's SET VARIABLE (the catalog
// layer names each session's user and database with one at session start).
func isSetVariable(sql string) bool {
	if firstKeyword(sql) != "set" {
		return false
	}
	rest := strings.TrimLeft(sql, " \t\r\n\f")[3:]
	// SET SESSION changes a setting of this connection only
	// (Session.SetTimeZone); its plans bound the old value.
	return firstKeyword(rest) == "variable" || firstKeyword(rest) == "session"
}

// firstKeyword returns the first word of sql in lower case, skipping
// spaces and comments, or "" when sql starts with something else.
func firstKeyword(sql string) string {
	i := 0
	for i < len(sql) {
		switch c := sql[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			depth := 0
			for i+1 < len(sql) {
				if sql[i] == '/' && sql[i+1] == '*' {
					depth++
					i += 2
				} else if sql[i] == '*' && sql[i+1] == '/' {
					depth--
					i += 2
					if depth == 0 {
						break
					}
				} else {
					i++
				}
			}
			if depth != 0 {
				return ""
			}
		default:
			var w [8]byte
			n := 0
			for ; i < len(sql); i++ {
				c := sql[i] | 0x20 // ASCII lower case; other bytes end the word below
				if c < 'a' || c > 'z' {
					break
				}
				if n == len(w) {
					return ""
				}
				w[n] = c
				n++
			}
			return string(w[:n])
		}
	}
	return ""
}

// description is what Stmt.describe worked out for one list of declared
// parameter types. Stmts made from one cache entry share it: it is not
// changed once made.
type description struct {
	declared []arrow.DataType
	params   []arrow.Field
	text     []bool // bind strings for parameter i as VARCHAR values, not literals
	schema   *arrow.Schema
	// replans is set when the result types depend on the types of the
	// values bound (the statement was described with DESCRIBE).
	replans bool
}

// matches reports whether d was made for the declared types.
func (d *description) matches(declared []arrow.DataType) bool {
	if len(d.declared) != len(declared) {
		return false
	}
	for i, dt := range declared {
		have := d.declared[i]
		if (dt == nil) != (have == nil) || (dt != nil && !arrow.TypeEqual(dt, have)) {
			return false
		}
	}
	return true
}

// cacheEntry is one cached statement.
type cacheEntry struct {
	sql  string
	p    *prepared // the cache's reference
	gen  uint64    // the Backend's generation when p was prepared
	desc *description

	prev, next *cacheEntry // recency list; the sentinel's next is the most recent
}

// stmtCache is a session's prepared statements by SQL text, least recently
// used first out.
type stmtCache struct {
	max     int
	entries map[string]*cacheEntry
	list    cacheEntry // sentinel
	// seen holds hashes of statements prepared once and not cached yet.
	seen map[uint64]struct{}
	seed maphash.Seed
}

func (c *stmtCache) init(max int) {
	c.max = max
	c.list.next, c.list.prev = &c.list, &c.list
	if max > 0 {
		c.entries = make(map[string]*cacheEntry)
		c.seen = make(map[uint64]struct{})
		c.seed = maphash.MakeSeed()
	}
}

// get returns the entry for sql, or nil.
func (c *stmtCache) get(sql string) *cacheEntry {
	if c.max <= 0 {
		return nil
	}
	return c.entries[sql]
}

// touch marks e as the most recently used.
func (c *stmtCache) touch(e *cacheEntry) {
	if c.list.next == e {
		return
	}
	c.unlink(e)
	c.pushFront(e)
}

// admit tells whether a statement just prepared should be cached: it
// should when it was prepared before.
func (c *stmtCache) admit(sql string) bool {
	if c.max <= 0 {
		return false
	}
	h := maphash.String(c.seed, sql)
	if _, ok := c.seen[h]; ok {
		delete(c.seen, h)
		return true
	}
	if len(c.seen) >= 4*c.max {
		clear(c.seen)
	}
	c.seen[h] = struct{}{}
	return false
}

// add caches e, which holds a reference to its statement, in place of any
// entry for the same text. It evicts the least recently used entry when
// full.
func (c *stmtCache) add(e *cacheEntry) {
	if old := c.entries[e.sql]; old != nil {
		c.remove(old)
	}
	for len(c.entries) >= c.max {
		c.remove(c.list.prev)
	}
	c.entries[e.sql] = e
	c.pushFront(e)
}

// remove drops e and its reference to the statement.
func (c *stmtCache) remove(e *cacheEntry) {
	c.unlink(e)
	delete(c.entries, e.sql)
	e.p.release()
	e.p = nil
}

// clear drops every entry.
func (c *stmtCache) clear() {
	for c.list.next != &c.list {
		c.remove(c.list.next)
	}
	clear(c.seen)
}

func (c *stmtCache) unlink(e *cacheEntry) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
}

func (c *stmtCache) pushFront(e *cacheEntry) {
	e.prev, e.next = &c.list, c.list.next
	c.list.next.prev = e
	c.list.next = e
}
