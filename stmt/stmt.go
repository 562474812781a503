// Package stmt is quiver's statement layer: it splits a query string into
// statements with the real PostgreSQL parser (pg_query_go), and decides each
// statement's kind and PostgreSQL command tag from the parse tree.
package stmt

import (
	"errors"
	"strings"
	"sync"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"github.com/pganalyze/pg_query_go/v6/parser"

	"github.com/quiverdb/quiver/pgerror"
)

// Kind says what a statement does, as far as the protocol layer cares.
type Kind uint8

// Statement kinds.
const (
	KindUnknown     Kind = iota // did not parse; handed to the backend as written
	KindQuery                   // returns rows: SELECT, VALUES, TABLE, SHOW, EXPLAIN, ...
	KindDML                     // INSERT, UPDATE, DELETE, MERGE (rows only with RETURNING)
	KindDDL                     // CREATE, DROP, ALTER, ...
	KindTransaction             // BEGIN, COMMIT, ROLLBACK, SAVEPOINT, ...
	KindSet                     // SET, RESET
	KindShow                    // SHOW
	KindCopy                    // COPY
	KindUtility                 // anything else: VACUUM, DISCARD, DECLARE, FETCH, ...
)

// TxOp is the transaction-control operation of a KindTransaction statement.
type TxOp uint8

// Transaction-control operations.
const (
	TxNone TxOp = iota
	TxBegin
	TxCommit
	TxRollback
	TxSavepoint
	TxRelease
	TxRollbackTo
	TxPrepare
	TxCommitPrepared
	TxRollbackPrepared
)

// Statement is one parsed statement of a query string.
type Statement struct {
	// SQL is the statement's own text, without the trailing semicolon.
	SQL string
	// Offset is where SQL starts in the whole query string, in bytes.
	Offset int
	Kind   Kind
	// Tag is the command tag's verb ("SELECT", "INSERT", "CREATE TABLE").
	// For statements whose tag carries a row count, see TagWithCount.
	Tag string
	// Tx is set for KindTransaction.
	Tx TxOp
	// Returning reports whether a DML statement has a RETURNING clause.
	Returning bool
	// Params is the highest $n parameter number referenced.
	Params int
	// Node is the parse tree, or nil for KindUnknown.
	Node *pg_query.Node
	// ParseErr is the PostgreSQL parser's error for KindUnknown statements.
	ParseErr *pgerror.Error
}

// Empty reports whether the statement has no content (only whitespace or
// comments), which PostgreSQL answers with EmptyQueryResponse.
func (s *Statement) Empty() bool { return s.Node == nil && s.Kind == KindUnknown && s.ParseErr == nil }

// CountedTag reports whether the command tag carries a row count.
func (s *Statement) CountedTag() bool {
	switch s.Tag {
	case "SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "FETCH", "MOVE", "COPY":
		return true
	}
	return false
}

// TagWithCount renders the full command tag for n rows.
func (s *Statement) TagWithCount(n int64) string {
	return TagWithCount(s.Tag, n)
}

// TagWithCount renders a command tag verb with its row count as PostgreSQL
// does ("INSERT 0 n", "SELECT n"); tags without counts are returned as is.
func TagWithCount(tag string, n int64) string {
	var b []byte
	switch tag {
	case "INSERT":
		b = append(b, "INSERT 0 "...)
	case "SELECT", "UPDATE", "DELETE", "MERGE", "FETCH", "MOVE", "COPY":
		b = append(append(b, tag...), ' ')
	default:
		return tag
	}
	return string(appendInt(b, n))
}

func appendInt(b []byte, n int64) []byte {
	if n < 0 {
		n = 0
	}
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}

// cache keeps parsed query strings: clients send the same text again and
// again, and parsing costs more than a small query's execution.
var cache = struct {
	sync.Mutex
	m map[string][]Statement
}{m: make(map[string][]Statement)}

const cacheMax = 4096

// Split parses a query string into statements. It never fails: text the
// PostgreSQL parser rejects is split with the PostgreSQL scanner and its
// pieces come back as KindUnknown with ParseErr set, so that backends with
// their own dialect (DuckDB) can still run them. The returned slice is
// shared and must not be modified.
func Split(sql string) []Statement {
	cache.Lock()
	if st, ok := cache.m[sql]; ok {
		cache.Unlock()
		return st
	}
	cache.Unlock()
	st := split(sql)
	if len(sql) <= 8192 {
		cache.Lock()
		if len(cache.m) >= cacheMax {
			clear(cache.m)
		}
		cache.m[sql] = st
		cache.Unlock()
	}
	return st
}

func split(sql string) []Statement {
	tree, err := pg_query.Parse(sql)
	if err == nil {
		out := make([]Statement, 0, len(tree.Stmts))
		for _, raw := range tree.Stmts {
			start := int(raw.StmtLocation)
			end := len(sql)
			if raw.StmtLen > 0 {
				end = start + int(raw.StmtLen)
			}
			text, off := trimStatement(sql, start, end)
			s := Classify(raw.Stmt)
			s.SQL, s.Offset = text, off
			s.Params = maxParam(sql[start:end])
			out = append(out, s)
		}
		return out
	}
	// Fall back to the scanner, which respects quotes, dollar quotes and
	// comments, and try each piece on its own.
	perr := parseError(err)
	pieces, serr := scanSplit(sql)
	if serr != nil || len(pieces) == 0 {
		return []Statement{{SQL: sql, Kind: KindUnknown, ParseErr: perr}}
	}
	out := make([]Statement, 0, len(pieces))
	for _, p := range pieces {
		piece := sql[p[0]:p[1]]
		text, off := trimStatement(sql, p[0], p[1])
		t, err := pg_query.Parse(piece)
		if err == nil && len(t.Stmts) == 0 {
			continue // only comments
		}
		if err == nil && len(t.Stmts) == 1 {
			s := Classify(t.Stmts[0].Stmt)
			s.SQL, s.Offset = text, off
			s.Params = maxParam(piece)
			out = append(out, s)
			continue
		}
		if err != nil {
			pe := parseError(err)
			if pe.Position > 0 {
				pe = pe.WithPosition(pe.Position + int32(len([]rune(sql[:p[0]]))))
			}
			out = append(out, Statement{SQL: text, Offset: off, Kind: KindUnknown, ParseErr: pe, Params: maxParam(piece)})
			continue
		}
		out = append(out, Statement{SQL: text, Offset: off, Kind: KindUnknown, ParseErr: perr, Params: maxParam(piece)})
	}
	return out
}

// trimStatement trims white space; the ranges never include the semicolon.
func trimStatement(sql string, start, end int) (string, int) {
	s := sql[start:end]
	lead := len(s) - len(strings.TrimLeft(s, " \t\r\n\f"))
	return strings.TrimSpace(s), start + lead
}

// parseError turns a pg_query parse error into a 42601 error with the
// position PostgreSQL would report.
func parseError(err error) *pgerror.Error {
	var pe *parser.Error
	if errors.As(err, &pe) {
		e := pgerror.New(pgerror.SyntaxError, "%s", pe.Message)
		if strings.Contains(pe.Message, "unterminated") {
			e.Code = pgerror.SyntaxError
		}
		e.Position = int32(pe.Cursorpos)
		return e
	}
	return pgerror.New(pgerror.SyntaxError, "%s", err.Error())
}

// scanSplit splits on top-level semicolons using the PostgreSQL scanner's
// tokens. It returns byte ranges, each without its semicolon.
func scanSplit(sql string) ([][2]int, error) {
	res, err := pg_query.Scan(sql)
	if err != nil {
		return nil, err
	}
	var out [][2]int
	start := 0
	for _, tok := range res.Tokens {
		if tok.Token == pg_query.Token_ASCII_59 { // ';'
			if strings.TrimSpace(sql[start:tok.Start]) != "" {
				out = append(out, [2]int{start, int(tok.Start)})
			}
			start = int(tok.End)
		}
	}
	if start < len(sql) && strings.TrimSpace(sql[start:]) != "" {
		out = append(out, [2]int{start, len(sql)})
	}
	return out, nil
}

// maxParam returns the highest $n referenced in sql, using the scanner so
// that "$1" inside strings and comments does not count.
func maxParam(sql string) int {
	if !strings.Contains(sql, "$") {
		return 0
	}
	res, err := pg_query.Scan(sql)
	if err != nil {
		return 0
	}
	max := 0
	for _, tok := range res.Tokens {
		if tok.Token != pg_query.Token_PARAM {
			continue
		}
		n := 0
		for _, c := range sql[tok.Start+1 : tok.End] {
			if c < '0' || c > '9' {
				break
			}
			n = n*10 + int(c-'0')
			if n > 65535 {
				break
			}
		}
		if n > max {
			max = n
		}
	}
	return max
}

// parseTreeVersion is the parser's tree version, which Deparse checks.
var parseTreeVersion = func() int32 {
	r, err := pg_query.Parse("select 1")
	if err != nil {
		return 0
	}
	return r.Version
}()

// Deparse turns one statement's tree back into SQL.
func Deparse(n *pg_query.Node) (string, error) {
	return pg_query.Deparse(&pg_query.ParseResult{Version: parseTreeVersion, Stmts: []*pg_query.RawStmt{{Stmt: n}}})
}

// Names returns the strings of a qualified name list, such as a function's
// or a type's name.
func Names(list []*pg_query.Node) []string {
	out := make([]string, 0, len(list))
	for _, n := range list {
		if s := n.GetString_(); s != nil {
			out = append(out, s.Sval)
		}
	}
	return out
}
