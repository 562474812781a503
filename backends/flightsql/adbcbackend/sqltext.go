package adbcbackend

import "strings"

// kind is what the core needs to know about a statement before sending it:
// whether it controls the transaction, returns rows, or only changes things.
// ADBC, like Flight SQL, makes the client choose between "query" and
// "update" execution, so the choice is made from the statement's leading
// keywords; the engine's own answer (a prepared statement's result schema)
// overrides it when the engine gives one.
type kind uint8

const (
	kindUpdate   kind = iota // runs with ExecuteUpdate, reports a row count
	kindQuery                // runs with ExecuteQuery/ExecutePartitions, returns rows
	kindBegin                // BEGIN, START TRANSACTION
	kindCommit               // COMMIT, END
	kindRollback             // ROLLBACK, ABORT (not ROLLBACK TO SAVEPOINT)
)

func (k kind) isTx() bool { return k >= kindBegin }

// sqlText is a statement's text read just enough to classify it: its words
// in order (upper-cased, outside quotes and comments) and its placeholders.
type sqlText struct {
	words []string
	// params is the number of placeholders: the count of "?" or the largest
	// $n, whichever is greater.
	params int
}

// scanSQL reads sql. It skips '…' and E'…' strings, "…" and `…`
// identifiers, $tag$…$tag$ bodies, -- and (nested) /* */ comments.
func scanSQL(sql string) sqlText {
	var t sqlText
	question, dollar := 0, 0
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			depth := 0
			for i < len(sql) {
				if sql[i] == '/' && i+1 < len(sql) && sql[i+1] == '*' {
					depth++
					i += 2
				} else if sql[i] == '*' && i+1 < len(sql) && sql[i+1] == '/' {
					depth--
					i += 2
					if depth == 0 {
						break
					}
				} else {
					i++
				}
			}
		case c == '\'':
			backslash := i > 0 && (sql[i-1] == 'E' || sql[i-1] == 'e') && (i < 2 || !isWordByte(sql[i-2]))
			i = skipQuoted(sql, i, '\'', backslash)
		case c == '"' || c == '`':
			i = skipQuoted(sql, i, c, false)
		case c == '?':
			question++
			i++
		case c == '$':
			j := i + 1
			for j < len(sql) && sql[j] >= '0' && sql[j] <= '9' {
				j++
			}
			if j > i+1 {
				n := 0
				for _, d := range sql[i+1 : j] {
					n = n*10 + int(d-'0')
					if n > 1<<16 {
						break
					}
				}
				dollar = max(dollar, n)
				i = j
				continue
			}
			for j < len(sql) && isWordByte(sql[j]) {
				j++
			}
			if j < len(sql) && sql[j] == '$' {
				tag := sql[i : j+1]
				if end := strings.Index(sql[j+1:], tag); end >= 0 {
					i = j + 1 + end + len(tag)
				} else {
					i = len(sql)
				}
				continue
			}
			i++
		case isWordByte(c) && !(c >= '0' && c <= '9'):
			j := i
			for j < len(sql) && (isWordByte(sql[j]) || sql[j] == '$') {
				j++
			}
			t.words = append(t.words, strings.ToUpper(sql[i:j]))
			i = j
		case c >= '0' && c <= '9':
			for i < len(sql) && (isWordByte(sql[i]) || sql[i] == '.') {
				i++
			}
		default:
			i++
		}
	}
	t.params = max(question, dollar)
	return t
}

// skipQuoted returns the index just past the quoted text starting at i. A
// doubled quote character is an escaped one; with backslash set, so is a
// backslash-escaped one.
func skipQuoted(sql string, i int, q byte, backslash bool) int {
	for i++; i < len(sql); i++ {
		switch sql[i] {
		case '\\':
			if backslash {
				i++
			}
		case q:
			if i+1 < len(sql) && sql[i+1] == q {
				i++
				continue
			}
			return i + 1
		}
	}
	return len(sql)
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

func (t sqlText) word(i int) string {
	if i < len(t.words) {
		return t.words[i]
	}
	return ""
}

func (t sqlText) has(words ...string) bool {
	for _, w := range t.words {
		for _, x := range words {
			if w == x {
				return true
			}
		}
	}
	return false
}

// kind classifies the statement by its leading keywords.
func (t sqlText) kind() kind {
	w1, w2 := t.word(0), t.word(1)
	switch w1 {
	case "BEGIN":
		return kindBegin
	case "START":
		if w2 == "TRANSACTION" {
			return kindBegin
		}
	case "COMMIT", "END":
		if w2 != "PREPARED" {
			return kindCommit
		}
	case "ROLLBACK", "ABORT":
		switch {
		case w2 == "PREPARED", w2 == "TO":
			return kindUpdate // two-phase commit or savepoint: the engine's business
		case (w2 == "WORK" || w2 == "TRANSACTION") && t.word(2) == "TO":
			return kindUpdate
		}
		return kindRollback
	case "SELECT", "VALUES", "TABLE", "SHOW", "EXPLAIN", "DESCRIBE", "DESC",
		"FROM", "PRAGMA", "CALL", "SUMMARIZE":
		return kindQuery
	case "WITH":
		if t.has("INSERT", "UPDATE", "DELETE", "MERGE") && !t.has("RETURNING") {
			return kindUpdate
		}
		return kindQuery
	case "INSERT", "UPDATE", "DELETE", "MERGE", "REPLACE", "UPSERT":
		if t.has("RETURNING") {
			return kindQuery
		}
	}
	return kindUpdate
}

// readOnly reports whether running the statement cannot change anything,
// as far as its words tell: a plain SELECT, VALUES, TABLE, SHOW, DESCRIBE
// or EXPLAIN without ANALYZE, with no data-changing keyword anywhere and no
// SELECT … INTO. Only such statements are run to learn their schema.
func (t sqlText) readOnly() bool {
	switch t.word(0) {
	case "SELECT", "VALUES", "TABLE", "WITH", "FROM", "SHOW", "DESCRIBE", "DESC", "EXPLAIN":
	default:
		return false
	}
	return !t.has("INTO", "INSERT", "UPDATE", "DELETE", "MERGE", "CREATE", "DROP",
		"ALTER", "TRUNCATE", "ANALYZE", "CALL", "COPY", "REPLACE", "UPSERT", "GRANT", "REVOKE")
}
