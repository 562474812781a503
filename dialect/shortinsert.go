package dialect

import (
	"errors"
	"regexp"
	"strconv"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/stmt"
)

// INSERT without a column list. PostgreSQL fills the columns after the
// values given with their defaults (insert into t values (1) into a table
// of two columns); DuckDB refuses the statement when it binds it. Listing
// the table's columns needs the catalog, which a statement's text does
// not give, and probing it for every INSERT would cost every INSERT a
// prepare; so the statement runs as written, and only when DuckDB refuses
// it for that reason does the session learn the table's columns (one
// prepare of SELECT * from the table, never run) and run it again with the
// first columns named. DuckDB refuses it when binding, before anything
// ran, so the transaction is as it was.

// shortInsertMsg is DuckDB's refusal of an INSERT without a column list
// whose rows have another number of values than the table has columns;
// listedInsertMsg that of one with a column list.
var (
	shortInsertMsg  = regexp.MustCompile(`^table .* has ([0-9]+) columns but ([0-9]+) values were supplied$`)
	listedInsertMsg = regexp.MustCompile(`^Column name/value mismatch for insert on .*: expected ([0-9]+) columns but ([0-9]+) values were supplied$`)
)

// InsertArityError returns PostgreSQL's error for err when err is the
// backend's refusal of st, an INSERT, for having more values than target
// columns, or, with a column list, fewer: 42601, placed at the first
// value or column too many as PostgreSQL places it. It returns err
// otherwise.
func InsertArityError(st *stmt.Statement, err error) error {
	ins := st.Node.GetInsertStmt()
	var e *pgerror.Error
	if ins == nil || !errors.As(err, &e) {
		return err
	}
	m := shortInsertMsg.FindStringSubmatch(e.Message)
	if m == nil {
		m = listedInsertMsg.FindStringSubmatch(e.Message)
	}
	if m == nil {
		return err
	}
	have, _ := strconv.Atoi(m[1])
	given, _ := strconv.Atoi(m[2])
	var loc int32 = -1
	var out *pgerror.Error
	switch {
	case given > have:
		out = pgerror.New(pgerror.SyntaxError, "INSERT has more expressions than target columns")
		if row := firstRow(ins); have < len(row) {
			loc = exprLocation(row[have])
		}
	case given < have && len(ins.Cols) > 0:
		out = pgerror.New(pgerror.SyntaxError, "INSERT has more target columns than expressions")
		if given < len(ins.Cols) {
			loc = ins.Cols[given].GetResTarget().GetLocation()
		}
	default:
		return err
	}
	if loc < 0 {
		return out
	}
	return literalError(out, loc, st)
}

// firstRow is the first row of values an INSERT gives: its first VALUES
// list, or its query's select list.
func firstRow(ins *pg_query.InsertStmt) []*pg_query.Node {
	sel := ins.GetSelectStmt().GetSelectStmt()
	switch {
	case sel == nil:
		return nil
	case len(sel.ValuesLists) > 0:
		return sel.ValuesLists[0].GetList().GetItems()
	}
	var out []*pg_query.Node
	for _, t := range sel.TargetList {
		out = append(out, t.GetResTarget().GetVal())
	}
	return out
}

// exprLocation is the byte offset of an expression in the text it was
// parsed from, as the parser records it, or -1.
func exprLocation(n *pg_query.Node) int32 {
	loc := int32(-1)
	m := n.ProtoReflect()
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Message() != nil {
			if f := v.Message().Descriptor().Fields().ByName("location"); f != nil {
				loc = int32(v.Message().Get(f).Int())
				return false
			}
		}
		return true
	})
	return loc
}

// ShortInsert reports whether err is the backend's refusal of st, an
// INSERT without a column list, for giving fewer values than the table has
// columns. It returns the statement whose result columns are the table's
// (to be prepared, never run) and the number of values the INSERT gives.
func ShortInsert(st *stmt.Statement, err error) (probe *stmt.Statement, values int, ok bool) {
	ins := st.Node.GetInsertStmt()
	var e *pgerror.Error
	if ins == nil || len(ins.Cols) > 0 || ins.Relation == nil || !errors.As(err, &e) {
		return nil, 0, false
	}
	m := shortInsertMsg.FindStringSubmatch(e.Message)
	if m == nil {
		return nil, 0, false
	}
	have, _ := strconv.Atoi(m[1])
	given, _ := strconv.Atoi(m[2])
	if given <= 0 || given >= have {
		return nil, 0, false
	}
	sel := &pg_query.SelectStmt{
		TargetList:  starList(),
		FromClause:  []*pg_query.Node{{Node: &pg_query.Node_RangeVar{RangeVar: cloneMsg(ins.Relation)}}},
		LimitCount:  &pg_query.Node{Node: &pg_query.Node_AConst{AConst: &pg_query.A_Const{Val: &pg_query.A_Const_Ival{Ival: &pg_query.Integer{}}}}},
		LimitOption: pg_query.LimitOption_LIMIT_OPTION_COUNT,
	}
	sel.FromClause[0].GetRangeVar().Alias = nil
	n := &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: sel}}
	sql, derr := stmt.Deparse(n)
	if derr != nil {
		return nil, 0, false
	}
	return &stmt.Statement{SQL: sql, Kind: stmt.KindQuery, Tag: "SELECT", Node: n}, given, true
}

// InsertColumns returns st, an INSERT without a column list, with the
// column list names.
func InsertColumns(st *stmt.Statement, names []string) (*stmt.Statement, error) {
	n := clone(st.Node)
	ins := n.GetInsertStmt()
	for _, name := range names {
		ins.Cols = append(ins.Cols, &pg_query.Node{Node: &pg_query.Node_ResTarget{ResTarget: &pg_query.ResTarget{Name: name}}})
	}
	return withTree(st, n)
}

// withTree returns st with the tree n, changed from st's, and its text.
func withTree(st *stmt.Statement, n *pg_query.Node) (*stmt.Statement, error) {
	sql, err := deparse(n)
	if err != nil {
		return nil, err
	}
	out := *st
	out.SQL, out.Node = sql, n
	return &out, nil
}
