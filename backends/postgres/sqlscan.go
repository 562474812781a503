package postgres

import "strings"

// stmtInfo is what the backend needs to know about a statement's text
// before choosing how to run it. PostgreSQL has already accepted the text
// (Prepare succeeded) when it is used, so the scan only has to be right for
// valid SQL.
type stmtInfo struct {
	// first is the first keyword, upper-cased; "(" for a parenthesised
	// query.
	first string
	// main is the statement's own verb: first, except that for WITH it is
	// the verb after the common table expressions and for "(" it is SELECT.
	main string
	// end is the length of the text without trailing semicolons, spaces
	// and comments.
	end int
	// copyStdio reports a COPY to or from the client, which needs a
	// protocol sub-mode the backend does not offer.
	copyStdio bool
}

// copyable reports whether COPY (query) TO STDOUT accepts the statement and
// returns the same rows: plain queries. INSERT/UPDATE/DELETE ... RETURNING
// would run too, but their command tag (rows affected) would be lost.
func (si stmtInfo) copyable() bool {
	switch si.main {
	case "SELECT", "VALUES", "TABLE":
		return true
	}
	return false
}

// changesCatalog reports statements after which cached type and table
// names may be stale.
func (si stmtInfo) changesCatalog() bool {
	switch si.first {
	case "CREATE", "ALTER", "DROP", "ROLLBACK", "ABORT":
		return true
	}
	return false
}

// scanSQL lexes sql as PostgreSQL does (comments, quoted identifiers,
// standard or escape strings, dollar quoting) far enough to fill stmtInfo.
// stdStrings is the session's standard_conforming_strings.
func scanSQL(sql string, stdStrings bool) stmtInfo {
	var si stmtInfo
	depth := 0
	afterWith := false
	i := 0
	for i < len(sql) {
		c := sql[i]
		start := i
		word := ""
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
			continue
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
			continue
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			i = skipBlockComment(sql, i)
			continue
		case c == '\'':
			i = skipQuoted(sql, i, '\'', !stdStrings)
		case c == '"':
			i = skipQuoted(sql, i, '"', false)
		case c == '$':
			i = skipDollar(sql, i)
		case isIdentStart(c):
			for i < len(sql) && isIdentChar(sql[i]) {
				i++
			}
			word = strings.ToUpper(sql[start:i])
			if i < len(sql) && sql[i] == '\'' && (word == "E" || word == "X" || word == "B" || word == "N" || word == "U&") {
				i = skipQuoted(sql, i, '\'', word == "E" || !stdStrings)
				word = ""
			}
		case c == ';':
			i++
			continue // not part of end
		default:
			i++
			switch c {
			case '(':
				depth++
			case ')':
				depth--
			}
		}
		si.end = i
		if si.first == "" {
			si.first = word
			if c == '(' {
				si.first, si.main = "(", "SELECT"
			} else {
				si.main = word
				afterWith = word == "WITH"
			}
			continue
		}
		if depth != 0 || word == "" {
			continue
		}
		if afterWith {
			switch word {
			case "SELECT", "VALUES", "TABLE", "INSERT", "UPDATE", "DELETE", "MERGE":
				si.main, afterWith = word, false
			}
		}
		if si.first == "COPY" && (word == "STDIN" || word == "STDOUT") {
			si.copyStdio = true
		}
	}
	return si
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' || c == '$' }

func skipBlockComment(s string, i int) int {
	depth := 0
	for i < len(s) {
		switch {
		case strings.HasPrefix(s[i:], "/*"):
			depth++
			i += 2
		case strings.HasPrefix(s[i:], "*/"):
			depth--
			i += 2
			if depth == 0 {
				return i
			}
		default:
			i++
		}
	}
	return i
}

// skipQuoted skips a quoted token starting at s[i] == q; a doubled quote
// stays inside, as does a backslash-escaped character when backslash is set.
func skipQuoted(s string, i int, q byte, backslash bool) int {
	i++
	for i < len(s) {
		switch s[i] {
		case '\\':
			if backslash {
				i++
			}
		case q:
			if i+1 < len(s) && s[i+1] == q {
				i++
			} else {
				return i + 1
			}
		}
		i++
	}
	return i
}

// skipDollar skips a dollar-quoted string, or a $n parameter.
func skipDollar(s string, i int) int {
	j := i + 1
	for j < len(s) && s[j] != '$' && isIdentChar(s[j]) && !(j == i+1 && s[j] >= '0' && s[j] <= '9') {
		j++
	}
	if j >= len(s) || s[j] != '$' {
		// A parameter such as $1.
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		return j
	}
	tag := s[i : j+1]
	end := strings.Index(s[j+1:], tag)
	if end < 0 {
		return len(s)
	}
	return j + 1 + end + len(tag)
}
