package dialect

import (
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/stmt"
)

// Sequences on DuckDB. DuckDB's CREATE SEQUENCE takes neither AS type nor
// CACHE nor OWNED BY, its ALTER SEQUENCE takes only OWNED BY (a table, where
// PostgreSQL names a column), and it has no setval. pg_dump writes all of
// them for every serial column, so a dump restores only with them mapped:
//
//   - AS type becomes the type's bounds (PostgreSQL's default MAXVALUE, or
//     MINVALUE for a descending sequence), CACHE is dropped (it only lets
//     PostgreSQL hand out numbers in blocks), and OWNED BY table.column
//     becomes DuckDB's OWNED BY table, which drops the sequence with the
//     table as PostgreSQL does.
//   - setval(seq, n [, is_called]), as a statement of its own (SELECT
//     setval(...), with or without FROM: pg_dump's form and the usual
//     "SELECT setval('t_id_seq', max(id)) FROM t"), and ALTER SEQUENCE ...
//     RESTART [WITH n] move the sequence by drawing the numbers up to n
//     with nextval. DuckDB cannot move a sequence back while a column's
//     default uses it (it cannot replace the sequence), so setting one back
//     fails with 0A000 and says so; setting one forward, which is what a
//     restored dump does, works.

// planSequence plans the sequence statements above; ok is false for any
// other statement.
func planSequence(st *stmt.Statement) (p *Plan, ok bool, err error) {
	switch x := st.Node.Node.(type) {
	case *pg_query.Node_CreateSeqStmt:
		p, err = planCreateSequence(x.CreateSeqStmt)
		return p, true, err
	case *pg_query.Node_AlterSeqStmt:
		p, err = planAlterSequence(x.AlterSeqStmt)
		return p, true, err
	case *pg_query.Node_SelectStmt:
		if fc := setvalCall(x.SelectStmt); fc != nil {
			p, err = planSetval(x.SelectStmt, fc)
			return p, true, err
		}
	}
	return nil, false, nil
}

// sequenceBounds are the bounds of the types AS may give a sequence.
var sequenceBounds = map[string][2]int64{
	"int2": {-1 << 15, 1<<15 - 1},
	"int4": {-1 << 31, 1<<31 - 1},
	"int8": {-1 << 63, 1<<63 - 1},
}

func planCreateSequence(cs *pg_query.CreateSeqStmt) (*Plan, error) {
	var bounds *[2]int64
	var owned *pg_query.DefElem
	hasMin, hasMax, descending := false, false, false
	keep := make([]*pg_query.Node, 0, len(cs.Options))
	for _, o := range cs.Options {
		d := o.GetDefElem()
		switch d.GetDefname() {
		case "as":
			b, ok := sequenceBounds[typeBase(d.Arg.GetTypeName())]
			if !ok {
				return nil, pgerror.New(pgerror.InvalidParameterValue, "sequence type must be smallint, integer, or bigint")
			}
			bounds = &b
			continue
		case "cache":
			continue
		case "owned_by":
			owned = d
			continue
		case "minvalue":
			if d.Arg == nil {
				continue // NO MINVALUE: DuckDB's default is PostgreSQL's
			}
			hasMin = true
		case "maxvalue":
			if d.Arg == nil {
				continue
			}
			hasMax = true
		case "increment":
			v, ok := defInt(d)
			descending = ok && v < 0
		}
		keep = append(keep, o)
	}
	if bounds != nil && bounds[1] != 1<<63-1 {
		switch {
		case !descending && !hasMax:
			keep = append(keep, intDefElem("maxvalue", bounds[1]))
		case descending && !hasMin:
			keep = append(keep, intDefElem("minvalue", bounds[0]))
		}
	}
	n := &pg_query.CreateSeqStmt{Sequence: cs.Sequence, Options: keep, IfNotExists: cs.IfNotExists}
	sql, err := deparse(&pg_query.Node{Node: &pg_query.Node_CreateSeqStmt{CreateSeqStmt: n}})
	if err != nil {
		return nil, err
	}
	p := &Plan{SQL: []string{sql}}
	if owned != nil {
		o, err := ownedBy(cs.Sequence, owned)
		if err != nil {
			return nil, err
		}
		p.SQL = append(p.SQL, o)
	}
	return p, nil
}

func planAlterSequence(as *pg_query.AlterSeqStmt) (*Plan, error) {
	p := &Plan{}
	for _, o := range as.Options {
		d := o.GetDefElem()
		switch name := d.GetDefname(); name {
		case "cache":
		case "owned_by":
			sql, err := ownedBy(as.Sequence, d)
			if err != nil {
				return nil, err
			}
			p.SQL = append(p.SQL, sql)
		case "restart":
			seq := as.Sequence
			value := "(SELECT start_value FROM duckdb_sequences() WHERE " + sequenceWhere(seq.Schemaname, seq.Relname) + ")"
			if d.Arg != nil {
				v, ok := defInt(d)
				if !ok {
					return nil, pgerror.New(pgerror.SyntaxError, "RESTART WITH needs an integer")
				}
				value = strconv.FormatInt(v, 10)
			}
			bounds := `error('quiver:22023: RESTART value (' || q.v || ') cannot be ' || CASE WHEN q.v < q.min_value THEN 'less than MINVALUE (' || q.min_value ELSE 'greater than MAXVALUE (' || q.max_value END || ')')`
			p.SQL = append(p.SQL, advanceSQL(sqlString(relationText(seq)), seq.Schemaname, seq.Relname,
				"SELECT "+value+" AS v, false AS called", bounds))
		default:
			return nil, pgerror.New(pgerror.FeatureNotSupported, "ALTER SEQUENCE ... %s is not supported on DuckDB", strings.ToUpper(strings.ReplaceAll(name, "_", " ")))
		}
	}
	if len(p.SQL) == 0 {
		p.NoOp = true
	}
	return p, nil
}

// ownedBy is DuckDB's OWNED BY for PostgreSQL's OWNED BY d of sequence seq:
// the column's table.
func ownedBy(seq *pg_query.RangeVar, d *pg_query.DefElem) (string, error) {
	n := names(d.Arg.GetList().GetItems())
	if len(n) == 1 && strings.EqualFold(n[0], "none") {
		return "", pgerror.New(pgerror.FeatureNotSupported, "OWNED BY NONE is not supported on DuckDB")
	}
	if len(n) < 2 || len(n) > 4 {
		return "", pgerror.New(pgerror.SyntaxError, "invalid OWNED BY option").WithHint("Specify OWNED BY table.column or OWNED BY NONE.")
	}
	table := n[:len(n)-1]
	quoted := make([]string, len(table))
	for i, s := range table {
		if i == len(table)-2 && s == PublicSchema {
			s = EngineSchema
		}
		quoted[i] = ident(s)
	}
	return "ALTER SEQUENCE " + relationRef(seq) + " OWNED BY " + strings.Join(quoted, "."), nil
}

// setvalCall returns the setval call that is sel's only target, or nil.
func setvalCall(sel *pg_query.SelectStmt) *pg_query.FuncCall {
	if len(sel.TargetList) != 1 || sel.Op != pg_query.SetOperation_SETOP_NONE || sel.IntoClause != nil {
		return nil
	}
	fc := sel.TargetList[0].GetResTarget().GetVal().GetFuncCall()
	if fc == nil || !sequenceFunc(fc) || len(fc.Args) < 2 || len(fc.Args) > 3 || fc.Over != nil || fc.AggFilter != nil {
		return nil
	}
	if n := names(fc.Funcname); n[len(n)-1] != "setval" {
		return nil
	}
	return fc
}

// planSetval plans SELECT setval(seq, value [, is_called]) [FROM ...]: the
// value (and is_called) are computed by the statement itself with the
// setval call replaced, the sequence is moved to it, and the statement
// returns the value as setval does.
func planSetval(sel *pg_query.SelectStmt, fc *pg_query.FuncCall) (*Plan, error) {
	name := sequenceName(fc.Args[0])
	if name == nil {
		return nil, pgerror.New(pgerror.FeatureNotSupported, "setval on DuckDB needs the sequence named by a constant")
	}
	parts, ok := qualifiedNameList(name.Sval)
	if !ok || len(parts) > 3 {
		return nil, pgerror.New(invalidName, "invalid name syntax")
	}
	schema := ""
	if len(parts) > 1 {
		schema = parts[len(parts)-2]
	}
	called := &pg_query.Node{Node: &pg_query.Node_AConst{AConst: &pg_query.A_Const{Val: &pg_query.A_Const_Boolval{Boolval: &pg_query.Boolean{Boolval: true}}}}}
	if len(fc.Args) == 3 {
		called = fc.Args[2]
	}
	values := clone(&pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: sel}})
	vs := values.GetSelectStmt()
	target := func(name string, n *pg_query.Node, typ string) *pg_query.Node {
		return &pg_query.Node{Node: &pg_query.Node_ResTarget{ResTarget: &pg_query.ResTarget{Name: name,
			Val: &pg_query.Node{Node: &pg_query.Node_TypeCast{TypeCast: &pg_query.TypeCast{Arg: n,
				TypeName: &pg_query.TypeName{Names: []*pg_query.Node{pg_query.MakeStrNode("pg_catalog"), pg_query.MakeStrNode(typ)}, Typemod: -1}}}}}}}
	}
	vs.TargetList = []*pg_query.Node{target("v", clone(fc.Args[1]), "int8"), target("called", clone(called), "bool")}
	if err := rewriteTree(values, true); err != nil {
		return nil, err
	}
	valuesSQL, err := deparse(values)
	if err != nil {
		return nil, err
	}
	bounds := `error('quiver:22003: setval: value ' || q.v || ' is out of bounds for sequence "' || ` + sqlString(parts[len(parts)-1]) + ` || '" (' || q.min_value || '..' || q.max_value || ')')`
	return &Plan{SQL: []string{
		advanceSQL(sqlString(name.Sval), schema, parts[len(parts)-1], valuesSQL, bounds),
		"SELECT v AS setval FROM (" + valuesSQL + ") AS v",
	}}, nil
}

// advanceSQL moves the DuckDB sequence that the string constant seq names
// (schema.name, schema "" when unqualified) to the value v of the query
// values, which also gives called, setval's is_called: the next nextval
// returns v if called is false, the number after v if it is true. It
// draws the numbers between with nextval, so it cannot move back. bounds
// is the error for a value outside the sequence's bounds, q.v the value.
func advanceSQL(seq, schema, name, values, bounds string) string {
	back := `error('quiver:0A000: sequence "' || ` + sqlString(name) + ` || '" cannot be set back on DuckDB (its last value is ' || q.cur || ')')`
	return `SELECT count(nextval(` + seq + `)) FROM (SELECT CASE
 WHEN q.v IS NULL THEN 0
 WHEN q.v < q.min_value OR q.v > q.max_value THEN ` + bounds + `
 WHEN (q.want - q.cur) // q.increment_by < 0 OR (q.want - q.cur) % q.increment_by <> 0 THEN ` + back + `
 ELSE (q.want - q.cur) // q.increment_by END AS k
 FROM (SELECT v.v, s.min_value, s.max_value, s.increment_by,
  coalesce(s.last_value, s.start_value - s.increment_by) AS cur,
  CASE WHEN v.called THEN v.v ELSE v.v - s.increment_by END AS want
  FROM (` + values + `) AS v, (SELECT * FROM duckdb_sequences() WHERE ` + sequenceWhere(schema, name) + `) AS s) AS q) AS k, range(k.k)`
}

// sequenceWhere selects the row of duckdb_sequences() for the sequence
// schema.name: a temporary one before one in the current schema when it
// is unqualified.
func sequenceWhere(schema, name string) string {
	return catalogWhere("sequence_name", schema, name) + " ORDER BY database_name = 'temp' DESC LIMIT 1"
}

// catalogWhere selects the rows of one of DuckDB's catalog functions
// (duckdb_sequences(), duckdb_indexes()) whose column nameCol is name in
// schema, or, schema "" for an unqualified name, in the temporary schema
// or the current one.
func catalogWhere(nameCol, schema, name string) string {
	where := "lower(" + nameCol + ") = lower(" + sqlString(name) + ")"
	if schema != "" {
		return where + " AND lower(schema_name) = lower(" + sqlString(schema) + ")"
	}
	return where + " AND (database_name = 'temp' OR schema_name = current_schema())"
}

// invalidName is PostgreSQL's invalid_name.
const invalidName = "42602"

// qualifiedNameList splits a name written in a string ('s', 'public.s',
// '"My Seq"') into its parts, as PostgreSQL's textToQualifiedNameList
// does: unquoted parts folded to lower case, quoted ones kept.
func qualifiedNameList(s string) ([]string, bool) {
	var parts []string
	for {
		s = strings.TrimLeft(s, " \t\n\r")
		var part string
		if strings.HasPrefix(s, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(s); i++ {
				if s[i] == '"' {
					if i+1 < len(s) && s[i+1] == '"' {
						b.WriteByte('"')
						i++
						continue
					}
					break
				}
				b.WriteByte(s[i])
			}
			if i >= len(s) || b.Len() == 0 {
				return nil, false
			}
			part, s = b.String(), s[i+1:]
		} else {
			i := strings.IndexAny(s, ". \t\n\r")
			if i < 0 {
				i = len(s)
			}
			part, s = strings.ToLower(s[:i]), s[i:]
			if part == "" {
				return nil, false
			}
		}
		parts = append(parts, part)
		s = strings.TrimLeft(s, " \t\n\r")
		if s == "" {
			return parts, true
		}
		if s[0] != '.' {
			return nil, false
		}
		s = s[1:]
	}
}

// relationText is rv's name as a string constant names it for nextval, as
// serial columns' defaults name their sequences (declared.go).
func relationText(rv *pg_query.RangeVar) string {
	if rv.Schemaname != "" {
		return rv.Schemaname + "." + rv.Relname
	}
	return rv.Relname
}

// defInt returns the integer argument of a DefElem.
func defInt(d *pg_query.DefElem) (int64, bool) {
	switch a := d.Arg.GetNode().(type) {
	case *pg_query.Node_Integer:
		return int64(a.Integer.Ival), true
	case *pg_query.Node_Float:
		v, err := strconv.ParseInt(a.Float.Fval, 10, 64)
		return v, err == nil
	}
	return 0, false
}

// intDefElem is the option name n.
func intDefElem(name string, n int64) *pg_query.Node {
	var arg *pg_query.Node
	if n >= -1<<31 && n < 1<<31 {
		arg = pg_query.MakeIntNode(n)
	} else {
		arg = &pg_query.Node{Node: &pg_query.Node_Float{Float: &pg_query.Float{Fval: strconv.FormatInt(n, 10)}}}
	}
	return &pg_query.Node{Node: &pg_query.Node_DefElem{DefElem: &pg_query.DefElem{Defname: name, Arg: arg, Defaction: pg_query.DefElemAction_DEFELEM_UNSPEC}}}
}
