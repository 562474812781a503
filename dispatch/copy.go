package dispatch

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgproto3"
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/quiverdb/quiver/dialect"
	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/stmt"
)

// copyFormat is COPY's data format.
type copyFormat int

const (
	copyText copyFormat = iota
	copyCSV
	copyBinary
)

// copyOptions are the options of one COPY statement.
// See https://www.postgresql.org/docs/current/sql-copy.html.
type copyOptions struct {
	format        copyFormat
	delimiter     byte
	null          string
	header        bool
	quote         byte
	escape        byte
	forceQuoteAll bool
	forceQuote    map[string]bool
	forceNotNull  map[string]bool
	forceNull     map[string]bool
}

// copyCommand is a parsed COPY statement.
type copyCommand struct {
	from    bool
	table   string   // quoted, possibly qualified relation name; "" for COPY (query) TO
	display string   // relation name as PostgreSQL prints it in messages
	rawName string   // schema.table, unquoted, for Ingester backends
	pgName  string   // quoted, possibly qualified name as the client wrote it
	columns []string // column list, or nil for all
	query   string   // COPY (query) TO: the query text
	queryAt int      // the characters in the statement before query
	opts    copyOptions
}

// parseCopy reads a COPY statement's parse tree. ok is false when the
// statement copies to or from a file or program, which the backend runs
// itself. engine, if not nil, gives the backend's name of the table the
// statement names.
func parseCopy(st *stmt.Statement, engine dialect.SchemaMapper) (*copyCommand, bool, error) {
	cs := st.Node.GetCopyStmt()
	if cs == nil {
		return nil, false, nil
	}
	if cs.Filename != "" || cs.IsProgram {
		return nil, false, nil
	}
	c := &copyCommand{from: cs.IsFrom}
	if rel := cs.Relation; rel != nil {
		c.display, c.rawName, c.table = rel.Relname, rel.Relname, quoteIdent(rel.Relname)
		c.pgName = c.table
		if rel.Schemaname != "" {
			c.rawName = rel.Schemaname + "." + rel.Relname
			c.pgName = quoteIdent(rel.Schemaname) + "." + c.table
		}
		c.table = c.pgName
		if engine != nil {
			c.table = engine.EngineRelation(rel.Schemaname, rel.Relname)
		}
	}
	for _, a := range cs.Attlist {
		if s := a.GetString_(); s != nil {
			c.columns = append(c.columns, s.Sval)
		}
	}
	if cs.Query != nil {
		q, at, err := copyQueryText(st.SQL)
		if err != nil {
			return nil, false, err
		}
		c.query, c.queryAt = q, utf8.RuneCountInString(st.SQL[:at])
	}
	if cs.WhereClause != nil {
		return nil, false, pgerror.New(pgerror.FeatureNotSupported, "COPY FROM with WHERE is not supported")
	}
	o := &c.opts
	o.delimiter, o.null, o.quote, o.escape = '\t', `\N`, '"', 0
	csvSeen := false
	for _, n := range cs.Options {
		d := n.GetDefElem()
		if d == nil {
			continue
		}
		val := defElemString(d)
		switch d.Defname {
		case "format":
			switch strings.ToLower(val) {
			case "text":
				o.format = copyText
			case "csv":
				o.format, csvSeen = copyCSV, true
			case "binary":
				o.format = copyBinary
			default:
				return nil, false, pgerror.New(pgerror.InvalidParameterValue, "COPY format \"%s\" not recognized", val)
			}
		case "delimiter":
			if len(val) != 1 {
				return nil, false, pgerror.New(pgerror.FeatureNotSupported, "COPY delimiter must be a single one-byte character")
			}
			o.delimiter = val[0]
		case "null":
			o.null = val
		case "header":
			o.header = val == "" || isTrue(val) || strings.EqualFold(val, "match")
		case "quote":
			if len(val) != 1 {
				return nil, false, pgerror.New(pgerror.FeatureNotSupported, "COPY quote must be a single one-byte character")
			}
			o.quote = val[0]
		case "escape":
			if len(val) != 1 {
				return nil, false, pgerror.New(pgerror.FeatureNotSupported, "COPY escape must be a single one-byte character")
			}
			o.escape = val[0]
		case "force_quote":
			if d.Arg != nil && d.Arg.GetAStar() != nil {
				o.forceQuoteAll = true
			} else {
				o.forceQuote = nameSet(d.Arg)
			}
		case "force_not_null":
			o.forceNotNull = nameSet(d.Arg)
		case "force_null":
			o.forceNull = nameSet(d.Arg)
		case "freeze", "encoding":
			// FREEZE is accepted; the encoding is always UTF8.
			if d.Defname == "encoding" && !strings.EqualFold(strings.ReplaceAll(val, "-", ""), "utf8") {
				return nil, false, pgerror.New(pgerror.FeatureNotSupported, "COPY encoding %s is not supported", val)
			}
		default:
			return nil, false, pgerror.New(pgerror.SyntaxError, "option \"%s\" not recognized", d.Defname)
		}
	}
	if o.format == copyCSV {
		if !hasOption(cs.Options, "delimiter") {
			o.delimiter = ','
		}
		if !hasOption(cs.Options, "null") {
			o.null = ""
		}
		if o.escape == 0 {
			o.escape = o.quote
		}
	}
	if !csvSeen && o.format == copyText && (hasOption(cs.Options, "quote") || hasOption(cs.Options, "escape")) {
		return nil, false, pgerror.New(pgerror.FeatureNotSupported, "COPY quote available only in CSV mode")
	}
	if o.format == copyBinary && (hasOption(cs.Options, "delimiter") || hasOption(cs.Options, "null")) {
		return nil, false, pgerror.New(pgerror.SyntaxError, "cannot specify DELIMITER in BINARY mode")
	}
	return c, true, nil
}

func isTrue(v string) bool {
	switch strings.ToLower(v) {
	case "true", "on", "1", "yes", "t":
		return true
	}
	return false
}

func hasOption(opts []*pg_query.Node, name string) bool {
	for _, n := range opts {
		if d := n.GetDefElem(); d != nil && d.Defname == name {
			return true
		}
	}
	return false
}

// defElemString renders a COPY option's argument.
func defElemString(d *pg_query.DefElem) string {
	if d.Arg == nil {
		return ""
	}
	switch {
	case d.Arg.GetString_() != nil:
		return d.Arg.GetString_().Sval
	case d.Arg.GetInteger() != nil:
		return fmt.Sprint(d.Arg.GetInteger().Ival)
	case d.Arg.GetBoolean() != nil:
		if d.Arg.GetBoolean().Boolval {
			return "true"
		}
		return "false"
	case d.Arg.GetAConst() != nil:
		c := d.Arg.GetAConst()
		if c.GetSval() != nil {
			return c.GetSval().Sval
		}
		if c.GetIval() != nil {
			return fmt.Sprint(c.GetIval().Ival)
		}
		if c.GetBoolval() != nil {
			if c.GetBoolval().Boolval {
				return "true"
			}
			return "false"
		}
	}
	return ""
}

func nameSet(n *pg_query.Node) map[string]bool {
	m := map[string]bool{}
	if n == nil {
		return m
	}
	if l := n.GetList(); l != nil {
		for _, it := range l.Items {
			if s := it.GetString_(); s != nil {
				m[s.Sval] = true
			}
		}
	}
	return m
}

// copyQueryText finds the parenthesised query of COPY (query) TO with the
// PostgreSQL scanner, so quotes and comments inside it are respected.
func copyQueryText(sql string) (string, int, error) {
	res, err := pg_query.Scan(sql)
	if err != nil {
		return "", 0, pgerror.New(pgerror.SyntaxError, "%s", err.Error())
	}
	depth, start := 0, -1
	for _, tok := range res.Tokens {
		switch tok.Token {
		case pg_query.Token_ASCII_40: // (
			if depth == 0 && start < 0 {
				start = int(tok.End)
			}
			depth++
		case pg_query.Token_ASCII_41: // )
			depth--
			if depth == 0 && start >= 0 {
				q := sql[start:tok.Start]
				at := start + len(q) - len(strings.TrimLeftFunc(q, unicode.IsSpace))
				return strings.TrimSpace(q), at, nil
			}
		}
	}
	return "", 0, pgerror.New(pgerror.SyntaxError, "syntax error in COPY query")
}

// selectList renders the column list of a COPY as a SELECT list.
func (c *copyCommand) selectList() string {
	if len(c.columns) == 0 {
		return "*"
	}
	q := make([]string, len(c.columns))
	for i, col := range c.columns {
		q[i] = quoteIdent(col)
	}
	return strings.Join(q, ", ")
}

// execCopy runs a COPY statement to or from the client.
func (s *Session) execCopy(ctx context.Context, st *stmt.Statement) (handled bool, err error) {
	engine, _ := s.h.rw.(dialect.SchemaMapper)
	c, ok, err := parseCopy(st, engine)
	if err != nil || !ok {
		return ok || err != nil, err
	}
	if c.from {
		if c.table == "" {
			return true, pgerror.New(pgerror.SyntaxError, "COPY FROM requires a table")
		}
		return true, s.copyFrom(ctx, c)
	}
	return true, s.copyTo(ctx, c)
}

// copyDone sends the COPY command tag.
func (s *Session) copyDone(n int64) {
	s.w.send(&pgproto3.CommandComplete{CommandTag: []byte(stmt.TagWithCount("COPY", n))})
}
