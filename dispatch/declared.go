package dispatch

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/quiverdb/quiver/catalog"
	"github.com/quiverdb/quiver/stmt"
)

// Result columns of varchar(n), char(n) and jsonb columns.
//
// An engine with one string type (DuckDB) returns a varchar(n) or char(n)
// column as a plain string, where PostgreSQL describes it as varchar or
// bpchar with its length, and stores a char(n) value padded with spaces
// to n characters (so prints it padded); it has one JSON type, which
// stands for json, where PostgreSQL prints jsonb in its normal form (keys
// ordered, ", " and ": " between items). The catalog keeps the types the
// client declared (catalog.Declared), and a result column that is a bare
// reference to a column of a table the query reads is described with the
// column's declared type, a char(n) value padded and a jsonb value in its
// normal form (package types), as in PostgreSQL; so is a JSON path into a
// jsonb column (col -> 'a'). A column computed otherwise is not:
// PostgreSQL makes most such expressions text, without the padding.
//
// Each table's declared types are read once (catalog relation
// quiver_string_columns) before the statement runs, since reading them
// afterwards would end the streaming of its result, and kept by the
// session until DDL may have changed them: every transaction that ran DDL,
// in any session, moves Handler.ddlEpoch on when it ends, and the kept
// tables are then read again.

// stringColumns is what a session knows of tables' declared string types.
type stringColumns struct {
	epoch  uint64
	path   string                    // the search_path the ranks are for
	tables map[string][]declaredRels // by lower-case table name
}

// declaredRels is a table of some name in one schema, with its columns
// declared varchar(n) or char(n).
type declaredRels struct {
	nspname string
	rank    int                         // place in the search path, 0 for temporary; -1: not on it
	cols    map[string]catalog.Declared // varchar(n) and char(n) columns only
}

// ranDDL notes that the transaction runs DDL: the session forgets what
// it read now, others when the transaction ends (Session.txEnd).
func (s *Session) ranDDL() {
	s.ddlRan = true
	s.strcols.tables = nil
	s.splitCat.rows = nil
}

// loadDeclared makes sure the session knows the declared string types of
// the tables st reads, when its result columns may be such columns.
func (s *Session) loadDeclared(ctx context.Context, st *stmt.Statement) error {
	if s.h.rw == nil || st == nil || s.tx == txFailed {
		return nil
	}
	src, ok := st.ColumnSources()
	if !ok || !src.Star && !hasRef(src.Head) {
		return nil
	}
	sc := &s.strcols
	if epoch, path := s.h.ddlEpoch.Load(), s.vars["search_path"]; sc.tables == nil || sc.epoch != epoch || sc.path != path {
		*sc = stringColumns{epoch: epoch, path: path, tables: map[string][]declaredRels{}}
	}
	var missing []string
	var need func(tables []stmt.Table)
	need = func(tables []stmt.Table) {
		for _, t := range tables {
			if t.Derived != nil {
				need(t.Derived.Sources().Tables)
				continue
			}
			if systemTable(t) {
				continue
			}
			key := strings.ToLower(t.Name)
			if _, ok := sc.tables[key]; !ok && !slices.Contains(missing, key) {
				missing = append(missing, key)
			}
		}
	}
	need(src.Tables)
	if len(missing) == 0 {
		return nil
	}
	lits := make([]string, len(missing))
	for i, m := range missing {
		lits[i] = quoteLiteral(m)
	}
	rows, err := s.pgQueryStrings(ctx, "select nspname, lower(relname), rank, attname, kept from pg_catalog.quiver_string_columns where lower(relname) in ("+strings.Join(lits, ", ")+")")
	if err != nil {
		return err
	}
	for _, m := range missing {
		sc.tables[m] = nil
	}
	for _, r := range rows {
		rels := sc.tables[r[1]]
		i := 0
		for i < len(rels) && rels[i].nspname != r[0] {
			i++
		}
		if i == len(rels) {
			rank, err := strconv.Atoi(r[2])
			if err != nil {
				rank = -1
			}
			rels = append(rels, declaredRels{nspname: r[0], rank: rank})
		}
		// Only varchar(n), char(n) and jsonb columns: those whose
		// results the engine describes otherwise.
		if d, ok := catalog.ParseDefault(r[4]); ok && (hasLength(d) || isJSONB(d.OID)) {
			if rels[i].cols == nil {
				rels[i].cols = map[string]catalog.Declared{}
			}
			rels[i].cols[strings.ToLower(r[3])] = d
		}
		sc.tables[r[1]] = rels
	}
	return nil
}

// isJSONB reports whether oid is jsonb's or jsonb[]'s.
func isJSONB(oid uint32) bool { return oid == 3802 || oid == 3807 }

func hasLength(d catalog.Declared) bool {
	_, _, ok := catalog.LengthLimit(d)
	return ok
}

// presentDeclared describes the string fields of schema, st's result, that
// are bare references to columns declared varchar(n) or char(n) with those
// types, from what loadDeclared read.
func (s *Session) presentDeclared(schema *arrow.Schema, st *stmt.Statement) *arrow.Schema {
	sc := &s.strcols
	if schema == nil || st == nil || sc.tables == nil || sc.epoch != s.h.ddlEpoch.Load() || sc.path != s.vars["search_path"] {
		return schema
	}
	src, ok := st.ColumnSources()
	if !ok {
		return schema
	}
	n := schema.NumFields()
	if (!src.Star && len(src.Head) != n) || (src.Star && len(src.Head)+len(src.Tail) > n) {
		return schema
	}
	var fields []arrow.Field
	apply := func(i int, d *catalog.Declared) {
		if d == nil {
			return
		}
		if fields == nil {
			fields = append([]arrow.Field(nil), schema.Fields()...)
		}
		if isJSONB(d.OID) {
			presentJSONB(&fields[i])
			return
		}
		presentString(&fields[i], strconv.FormatUint(uint64(d.OID), 10), d.Typmod)
	}
	for i, r := range src.Head {
		if r.Column != "" {
			apply(i, s.refDeclared(src.Tables, r))
		}
	}
	for i, r := range src.Tail {
		if r.Column != "" {
			apply(n-len(src.Tail)+i, s.refDeclared(src.Tables, r))
		}
	}
	if src.Star {
		// The star's columns keep their names: a name that is one star
		// table's column only, and appears once among them, is that column.
		star := schema.Fields()[len(src.Head) : n-len(src.Tail)]
		for i, f := range star {
			once := true
			for j, g := range star {
				once = once && (i == j || !strings.EqualFold(f.Name, g.Name))
			}
			if once {
				apply(len(src.Head)+i, s.declaredColumn(src.StarTables, nil, f.Name))
			}
		}
	}
	if fields == nil {
		return schema
	}
	md := schema.Metadata()
	return arrow.NewSchema(fields, &md)
}

// refDeclared returns the declared type of the result column r, a column
// of one of tables or a JSON path of one: a path of a jsonb column is
// jsonb, of any other column nothing the engine does not say.
func (s *Session) refDeclared(tables []stmt.Table, r stmt.Ref) *catalog.Declared {
	d := s.declaredColumn(tables, r.Qualifier, r.Column)
	if d != nil && r.Path && d.OID != 3802 {
		return nil
	}
	return d
}

// declaredColumn returns the declared string type of column col of the
// one table among tables that qual (nil: any) names and that has col as a
// declared string column.
func (s *Session) declaredColumn(tables []stmt.Table, qual []string, col string) *catalog.Declared {
	col = strings.ToLower(col)
	var d *catalog.Declared
	found := 0
	for _, t := range tables {
		if len(qual) > 0 && !t.Named(qual) {
			continue
		}
		if t.Derived != nil {
			// A subquery's or WITH query's column: follow it to its own.
			ref, star, ok := t.Column(col)
			if !ok {
				continue
			}
			tables := t.Derived.Sources().Tables
			if star {
				tables = t.Derived.Sources().StarTables
			}
			if c := s.refDeclared(tables, ref); c != nil {
				d, found = c, found+1
			}
			continue
		}
		if systemTable(t) {
			continue
		}
		rel, known := s.resolveDeclared(t)
		if !known {
			return nil // not read: say nothing
		}
		if c, has := rel.cols[col]; has {
			d, found = &c, found+1
		}
	}
	if found != 1 {
		return nil
	}
	return d
}

// resolveDeclared finds the table t names as PostgreSQL resolves the name:
// in its schema, or the first schema of the search path that has it.
// known is false when loadDeclared did not read tables of its name.
func (s *Session) resolveDeclared(t stmt.Table) (rel declaredRels, known bool) {
	rels, known := s.strcols.tables[strings.ToLower(t.Name)]
	if !known {
		return rel, false
	}
	best := -1
	for i, r := range rels {
		switch {
		case t.Schema != "":
			if r.nspname == t.Schema {
				return r, true
			}
		case r.rank >= 0 && (best < 0 || r.rank < rels[best].rank):
			best = i
		}
	}
	if best >= 0 {
		rel = rels[best]
	}
	return rel, true
}

// systemTable reports whether t is one of PostgreSQL's system catalogs
// (pg_catalog, which comes first on every search path, or
// information_schema), which have no declared types.
func systemTable(t stmt.Table) bool {
	switch t.Schema {
	case "pg_catalog", "information_schema":
		return true
	case "":
		return strings.HasPrefix(t.Name, "pg_")
	}
	return false
}

func hasRef(refs []stmt.Ref) bool {
	for _, r := range refs {
		if r.Column != "" {
			return true
		}
	}
	return false
}
