package dialect

import (
	"regexp"
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

// mayHaveReserved is the quick test that a text has one of the words.
var mayHaveReserved = regexp.MustCompile(`(?i)\b(at|by|show|describe|pivot|unpivot|qualify|semi|anti|asof|positional|lambda|summarize)\b`)

// byKeyword are the words after which by is PostgreSQL's keyword.
var byKeyword = map[string]bool{"order": true, "group": true, "partition": true, "increment": true, "owned": true, "granted": true}

// quoted keeps the texts quoteReserved has worked out.
var quoted = textCache[string]{m: make(map[string]string)}

// quoteReserved returns sql with the words of duckdbReserved that name
// something written in double quotes.
func quoteReserved(sql string) string {
	if !mayHaveReserved.MatchString(sql) {
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
