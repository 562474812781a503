// Package dialect rewrites PostgreSQL statements, on their parse trees, into
// what a backend engine accepts. It never edits SQL text with patterns: a
// statement is parsed by the real PostgreSQL parser (package stmt), changed
// as a tree, and deparsed.
package dialect

import (
	"github.com/apache/arrow-go/v18/arrow"
	"strconv"
	"strings"
	"sync"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"

	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/stmt"
)

// Plan is how to run one client statement on the backend.
type Plan struct {
	// SQL holds the statements to run in order; the client sees one
	// command tag, the statement's own. Empty with NoOp set means the
	// statement is accepted and does nothing on this engine.
	SQL  []string
	NoOp bool
	// Then, when set, gives statements to run after SQL, in the same
	// transaction, worked out from what the backend holds (Engine).
	Then func(Engine) ([]string, error)
	// Separately runs the plan outside a transaction of its own: SQL as
	// it is, then the statements Then gives one at a time, each committed
	// on its own, all of them even when one fails (the first error is the
	// statement's), for engines that cannot run them in one transaction.
	// More than one from Then is refused inside a transaction block.
	Separately bool
	// Warnings are sent to the client as WARNINGs once the statement has
	// run: what the backend does differently from PostgreSQL here.
	Warnings []string
	// Notices are sent to the client as NOTICEs, as PostgreSQL sends
	// them for the statement.
	Notices []Notice
	// Snapshot, set for a single statement that reads the catalog, is the
	// same statement reading snapshot tables (catalog.SnapshotRelations)
	// in place of computing those relations: the engine runs it instead
	// when the snapshot of the session's schema is at hand.
	Snapshot *Snapshot
}

// Snapshot is a statement that reads catalog snapshot tables.
type Snapshot struct {
	SQL string
	// Relations are the snapshot relations SQL reads.
	Relations []string
}

// Engine is what a plan's Then works with, in the statement's transaction.
type Engine interface {
	// Query runs a statement whose columns are all strings and returns
	// its rows (NULL as ""). Then may also change the backend with
	// statements other than SELECT, when what it does next depends on
	// what they did.
	Query(sql string) ([][]string, error)
	// Notice sends the client a NOTICE once the statement has run.
	Notice(Notice)
	// Alone runs the statements Then gives as Separately does, each
	// committed on its own.
	Alone()
}

// Single reports whether the plan is one statement, which can be
// prepared with parameters in place of the client's.
func (p *Plan) Single() bool { return len(p.SQL) == 1 && p.Then == nil }

// Notice is a NOTICE for the client: its SQLSTATE, message and detail.
type Notice struct{ Code, Message, Detail string }

// cascades is PostgreSQL's NOTICE for a drop that drops the objects
// described by objects too, or none when there are none.
func cascades(objects []string) []Notice {
	switch len(objects) {
	case 0:
		return nil
	case 1:
		return []Notice{{Code: "00000", Message: "drop cascades to " + objects[0]}}
	}
	lines := make([]string, len(objects))
	for i, o := range objects {
		lines[i] = "drop cascades to " + o
	}
	return []Notice{{Code: "00000", Message: "drop cascades to " + strconv.Itoa(len(objects)) + " other objects", Detail: strings.Join(lines, "\n")}}
}

// Rewriter rewrites statements for one engine.
type Rewriter interface {
	// Rewrite returns the plan for st, or a nil plan when st runs as
	// written.
	Rewrite(st *stmt.Statement) (*Plan, error)
}

// ParamChecker is implemented by a Rewriter whose engine needs a statement
// checked once its parameters are bound, before it runs: CheckParams
// returns the error PostgreSQL would give for st with those values, or
// nil.
type ParamChecker interface {
	CheckParams(st *stmt.Statement, params arrow.RecordBatch) error
}

// For returns the rewriter for an engine's dialect: "duckdb", or "" and
// "postgres" for engines that take PostgreSQL as it is. database is the
// engine's name of the database that holds the client's schemas, where
// the backend tells it (backends.DatabaseOf), or "".
func For(name, database string) Rewriter {
	if name == "duckdb" {
		warmCatalog.Do(func() {
			// Parsing and expanding the catalog's definitions, both sets,
			// takes 1-2 s; done at start, not by the first catalog query.
			go func() {
				_, _ = loadCatalog()
				_, _ = loadSnapshotCatalog()
			}()
		})
		return duckdb{database: database}
	}
	return nil
}

var warmCatalog sync.Once

// deparse turns a changed tree back into SQL.
func deparse(n *pg_query.Node) (string, error) {
	out, err := stmt.Deparse(n)
	if err != nil {
		return "", pgerror.New(pgerror.FeatureNotSupported, "cannot rewrite statement: %v", err)
	}
	return out, nil
}

// clone copies a tree so the cached parse of a statement is never changed.
func clone(n *pg_query.Node) *pg_query.Node { return proto.Clone(n).(*pg_query.Node) }

// walk calls f on every message of the tree below m, parents first.
var walk = stmt.Walk

// names returns the strings of a qualified name list.
var names = stmt.Names

func isPgCatalog(list []*pg_query.Node) bool {
	n := names(list)
	return len(n) == 2 && strings.EqualFold(n[0], "pg_catalog")
}
