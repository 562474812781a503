package dialect

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// Names DuckDB reserves and PostgreSQL does not. PostgreSQL takes at, by
// and show as names where they are not its keywords' (a column named at),
// and has no keywords pivot, qualify, semi, asof, ...; DuckDB's parser
// refuses all of them as names unless quoted. So in the text DuckDB runs,
// such a word is written in double quotes wherever it is not one of
// PostgreSQL's keywords in the statement: by after ORDER, GROUP,
// PARTITION, INCREMENT, OWNED or GRANTED, at before TIME or LOCAL, show
// at a statement's start. PostgreSQL folds unquoted names to lower case,
// so the quoted name is the word in lower case.

// duckdbReserved are the words.
var duckdbReserved = map[string]bool{
	"at": true, "by": true, "show": true, "describe": true, "pivot": true, "unpivot": true, "qualify": true,
	"semi": true, "anti": true, "asof": true, "positional": true, "lambda": true, "summarize": true,
}

// mayHaveReserved is the quick test, run on every statement, that sql has
// one of the words: a scan of its runs of ASCII letters (a regular
// expression cost 2-8µs a statement).
func mayHaveReserved(sql string) bool {
	var buf [10]byte
	for i := 0; i < len(sql); {
		if !isLetter(sql[i]) {
			i++
			continue
		}
		j := i
		for j < len(sql) && isLetter(sql[j]) {
			j++
		}
		if n := j - i; n >= 2 && n <= len(buf) && (i == 0 || !isNameByte(sql[i-1])) && (j == len(sql) || !isNameByte(sql[j])) {
			for k := range n {
				buf[k] = sql[i+k] | 0x20 // ASCII lower case
			}
			if duckdbReserved[string(buf[:n])] {
				return true
			}
		}
		i = j
	}
	return false
}

// isLetter reports whether c is an ASCII letter.
func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// byKeyword are the words after which by is PostgreSQL's keyword.
var byKeyword = map[string]bool{"order": true, "group": true, "partition": true, "increment": true, "owned": true, "granted": true}

// quoted keeps the texts quoteReserved has worked out.
var quoted = textCache[string]{m: make(map[string]string)}

// quoteReserved returns sql with the words of duckdbReserved that name
// something written in double quotes.
func quoteReserved(sql string) string {
	if !mayHaveReserved(sql) {
		return sql
	}
	if q := quoted.get(sql); q != "" {
		return q
	}
	out := sql
	if res, err := pg_query.Scan(sql); err == nil {
		toks := res.Tokens
		var b strings.Builder
		last := 0
		word := func(i int) string {
			if i < 0 || i >= len(toks) {
				return ""
			}
			return strings.ToLower(sql[toks[i].Start:toks[i].End])
		}
		for i, t := range toks {
			w := word(i)
			if !duckdbReserved[w] {
				continue
			}
			switch {
			case w == "by" && byKeyword[word(i-1)],
				w == "at" && (word(i+1) == "time" || word(i+1) == "local"),
				w == "show" && (i == 0 || word(i-1) == ";"):
				continue
			}
			b.WriteString(sql[last:t.Start])
			b.WriteString(`"` + w + `"`)
			last = int(t.End)
		}
		if last > 0 {
			b.WriteString(sql[last:])
			out = b.String()
		}
	}
	quoted.put(sql, out)
	return out
}

// isNameByte reports whether c can be part of an unquoted name.
func isNameByte(c byte) bool {
	return isLetter(c) || c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 0x80
}
