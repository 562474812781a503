package dispatch

import (
	"maps"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/quiverdb/quiver/dialect"
	"github.com/quiverdb/quiver/stmt"
)

// Whether a recorded write can be replayed, decided from its PostgreSQL
// parse tree: a replay must leave what the first run left, so a statement
// whose result depends on when or how often it runs cannot be replayed.

// replayInfo is what a statement's parse tree says about replaying it.
type replayInfo struct {
	// refuse, when set, says why it cannot be replayed.
	refuse string
	// dml is set for INSERT, UPDATE, DELETE and MERGE, whose row counts
	// a replay must reproduce; rows is set when that count is of the rows
	// it returned (RETURNING).
	dml, rows bool
	// ddl is set for statements that may change the catalog.
	ddl bool
	// targets are the tables whose column defaults it may fill in, which
	// must be constants for a replay to reproduce them.
	targets []tableRef
}

// tableRef names a table as a statement wrote it.
type tableRef struct{ schema, name string }

// volatileFuncs are the functions whose result differs when a statement
// runs again, in a new backend transaction: the volatile ones
// (dialect.VolatileFuncs), and those that read or change the transaction,
// its time or the session, PostgreSQL's and DuckDB's.
var volatileFuncs = func() map[string]bool {
	m := maps.Clone(dialect.VolatileFuncs)
	for _, f := range []string{"setseed", "currval", "lastval", "setval", "set_config",
		"now", "transaction_timestamp", "statement_timestamp",
		"txid_current", "txid_current_if_assigned", "txid_current_snapshot",
		"pg_current_xact_id", "pg_current_xact_id_if_assigned", "pg_current_snapshot",
		// DuckDB
		"today", "get_current_timestamp", "get_current_time",
		"current_localtime", "current_localtimestamp",
		"current_date", "current_time", "current_timestamp",
		"localtime", "localtimestamp"} {
		m[f] = true
	}
	return m
}()

// timeLiterals are the input strings PostgreSQL reads as the current time
// when cast to a date or time type.
var timeLiterals = map[string]bool{"now": true, "today": true, "tomorrow": true, "yesterday": true}

// analyzeReplay works out whether st can be replayed.
func analyzeReplay(st *stmt.Statement) *replayInfo {
	info := &replayInfo{dml: st.Kind == stmt.KindDML, rows: returnsRows(st), ddl: st.Kind == stmt.KindDDL}
	if st.Node == nil {
		info.refuse = "quiver could not parse it to check that running it again gives the same result"
		return info
	}
	var updates []tableRef
	setsDefault := false
	stmt.WalkPrune(st.Node.ProtoReflect(), func(m protoreflect.Message) bool {
		switch x := m.Interface().(type) {
		case *pg_query.ViewStmt, *pg_query.CreateFunctionStmt:
			return false // stored, not run
		case *pg_query.Constraint:
			// A column's default or check in CREATE TABLE is stored, not
			// run; ALTER TABLE ADD COLUMN fills rows with its default.
			return st.Node.GetCreateStmt() == nil
		case *pg_query.AlterTableCmd:
			return x.Subtype != pg_query.AlterTableType_AT_ColumnDefault
		case *pg_query.FuncCall:
			names := stmt.Names(x.Funcname)
			if len(names) == 0 {
				break
			}
			name := strings.ToLower(names[len(names)-1])
			if volatileFuncs[name] || (name == "age" && len(x.Args) == 1) {
				info.refuse = "it calls " + name + "(), whose result differs when it runs again"
				return false
			}
		case *pg_query.SQLValueFunction:
			if x.Op <= pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N {
				info.refuse = "it reads the current date or time, which differs when it runs again"
				return false
			}
		case *pg_query.TypeCast:
			if isTimeLiteral(x) {
				info.refuse = "it reads the current date or time, which differs when it runs again"
				return false
			}
		case *pg_query.RangeTableSample:
			info.refuse = "it samples rows with TABLESAMPLE, which picks other rows when it runs again"
			return false
		case *pg_query.SetToDefault:
			setsDefault = true
		case *pg_query.InsertStmt:
			info.targets = appendTable(info.targets, x.Relation)
		case *pg_query.MergeStmt:
			info.targets = appendTable(info.targets, x.Relation)
		case *pg_query.UpdateStmt:
			updates = appendTable(updates, x.Relation)
		}
		return info.refuse == ""
	})
	if setsDefault {
		info.targets = append(info.targets, updates...)
	}
	return info
}

// analyzeText parses one statement's text and works out whether it can be
// replayed.
func analyzeText(sql string) *replayInfo {
	stmts := stmt.Split(sql)
	if len(stmts) != 1 {
		return &replayInfo{refuse: "quiver could not parse it to check that running it again gives the same result"}
	}
	return analyzeReplay(&stmts[0])
}

func appendTable(list []tableRef, rv *pg_query.RangeVar) []tableRef {
	if rv == nil {
		return list
	}
	return append(list, tableRef{schema: rv.Schemaname, name: rv.Relname})
}

// isTimeLiteral reports whether a cast reads one of the strings that
// stand for the current time ('now'::timestamptz).
func isTimeLiteral(tc *pg_query.TypeCast) bool {
	c := tc.GetArg().GetAConst()
	if c == nil || c.GetSval() == nil {
		return false
	}
	return timeLiterals[strings.ToLower(strings.TrimSpace(c.GetSval().Sval))]
}

// constantDefault reports whether a column default, as the engine's
// catalog shows it, is a constant: no function, no current time, no
// subquery. A default that does not parse as PostgreSQL SQL is not.
func constantDefault(expr string) bool {
	res, err := pg_query.Parse("SELECT " + expr)
	if err != nil || len(res.Stmts) != 1 {
		return false
	}
	ok := true
	stmt.WalkPrune(res.Stmts[0].Stmt.ProtoReflect(), func(m protoreflect.Message) bool {
		switch x := m.Interface().(type) {
		case *pg_query.FuncCall, *pg_query.SQLValueFunction, *pg_query.SubLink, *pg_query.ColumnRef, *pg_query.ParamRef:
			ok = false
		case *pg_query.TypeCast:
			ok = !isTimeLiteral(x)
		}
		return ok
	})
	return ok
}
