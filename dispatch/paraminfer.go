package dispatch

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/stmt"
	"github.com/quiverdb/quiver/types"
)

// PostgreSQL types a parameter that is an operand of an operator from the
// other operand: in qty + $1, $1 takes qty's type (an unknown operand of a
// binary operator is assumed to have the other operand's type, see
// parse_oper.c). DuckDB leaves such a parameter untyped, and quiver would
// describe it as text, which drivers that encode arguments by the
// described type (asyncpg) then refuse an integer for. inferOperandParams
// applies PostgreSQL's rule: the other operand's type comes from its cast
// when it is a cast parameter, or else from the backend, by preparing a
// probe that selects the operand over the statement's own FROM clause.

// operatorNames are the binary operators whose unknown operand takes the
// other operand's type; arithmetic is true: DuckDB may type its parameter
// otherwise (f / $1 as an integer for a float8 f), where comparisons it
// types as PostgreSQL does.
var operatorNames = map[string]bool{
	"+": true, "-": true, "*": true, "/": true, "%": true,
	"=": false, "<>": false, "!=": false, "<": false, ">": false, "<=": false, ">=": false,
}

// inferOperandParams types the parameters that are operands of an operator
// and that neither the client nor a cast typed (undeclared): those of
// arithmetic, and those of comparisons the backend left untyped. Then it
// prepares the statement again with those types. sql is the statement as
// prepared on the backend; target its parse.
func (s *Session) inferOperandParams(ctx context.Context, ps *preparedStmt, target *stmt.Statement, sql string, undeclared map[int32]bool) error {
	if len(undeclared) == 0 || target.Node == nil {
		return nil
	}
	untyped := func(n int32, arithmetic bool) bool {
		return undeclared[n] && (arithmetic || ps.oids[n-1] == 0)
	}
	ops := operandsOf(target.Node, untyped)
	if len(ops) == 0 {
		return nil
	}
	set := func(n int32, f arrow.Field) bool {
		oid, t, ok := types.ParamType(f)
		if !ok || t.ID() == arrow.NULL {
			return false
		}
		ps.oids[n-1], ps.ptypes[n-1] = oid, t
		return true
	}
	changed := false
	var probes []*pg_query.Node
	var probed []int32
	for n, e := range ops {
		if tc := e.GetTypeCast(); tc != nil && tc.Arg.GetParamRef() != nil && len(tc.TypeName.GetArrayBounds()) == 0 {
			if name := stmt.Names(tc.TypeName.GetNames()); len(name) > 0 {
				if oid, ok := castTypeOIDs[name[len(name)-1]]; ok {
					if t, ok := types.ArrowType(oid); ok {
						changed = set(n, arrow.Field{Type: t}) || changed
					}
				}
			}
			continue
		}
		if !stmt.HasParam(e) {
			probes = append(probes, e)
			probed = append(probed, n)
		}
	}
	if len(probes) > 0 {
		if probe := probeOperands(target.Node, probes); probe != nil {
			if psql, err := stmt.Deparse(probe); err == nil {
				if sts := stmt.Split(psql); len(sts) == 1 {
					if plan, err := s.plan(ctx, &sts[0], nil); err == nil && (plan == nil || len(plan.SQL) == 1) {
						if plan != nil {
							psql = plan.SQL[0]
						}
						if pst, err := s.backend.Prepare(ctx, psql, nil); err == nil {
							if sc := pst.Schema(); sc != nil && sc.NumFields() == len(probed) {
								for i, f := range sc.Fields() {
									changed = set(probed[i], f) || changed
								}
							}
							_ = pst.Close()
						}
					}
				}
			}
		}
	}
	if !changed {
		return nil
	}
	var bs backends.Stmt
	var err error
	if _, split := ps.bstmt.(*splitStmt); split {
		// Prepared as several statements (the backend refuses it as
		// one): as several again.
		sp, e := s.prepareSplit(ctx, target, ps.ptypes)
		if sp == nil {
			return e // the split at hand stays
		}
		bs = sp
	} else if bs, err = s.backend.Prepare(ctx, sql, ps.ptypes); err != nil {
		return err
	}
	_ = ps.bstmt.Close()
	ps.bstmt = bs
	return nil
}

// operandsOf finds, for each parameter that is one operand of a binary
// operator and that want accepts, the other operand.
func operandsOf(n *pg_query.Node, want func(n int32, arithmetic bool) bool) map[int32]*pg_query.Node {
	ops := map[int32]*pg_query.Node{}
	stmt.Walk(n.ProtoReflect(), func(m protoreflect.Message) {
		x, ok := m.Interface().(*pg_query.A_Expr)
		if !ok || x.Kind != pg_query.A_Expr_Kind_AEXPR_OP || x.Lexpr == nil || x.Rexpr == nil {
			return
		}
		name := stmt.Names(x.Name)
		if len(name) != 1 {
			return
		}
		arithmetic, ok := operatorNames[name[0]]
		if !ok {
			return
		}
		for _, pair := range [2][2]*pg_query.Node{{x.Lexpr, x.Rexpr}, {x.Rexpr, x.Lexpr}} {
			p := pair[0].GetParamRef()
			if p == nil || !want(p.Number, arithmetic) || pair[1].GetParamRef() != nil {
				continue
			}
			if _, seen := ops[p.Number]; !seen {
				ops[p.Number] = pair[1]
			}
		}
	})
	return ops
}

// probeOperands builds SELECT exprs FROM <the statement's relations>, or nil
// when the statement's shape is not one it knows.
func probeOperands(n *pg_query.Node, exprs []*pg_query.Node) *pg_query.Node {
	sel := &pg_query.SelectStmt{}
	for _, e := range exprs {
		sel.TargetList = append(sel.TargetList, &pg_query.Node{Node: &pg_query.Node_ResTarget{ResTarget: &pg_query.ResTarget{Val: proto.Clone(e).(*pg_query.Node)}}})
	}
	rel := func(r *pg_query.RangeVar) *pg_query.Node {
		return &pg_query.Node{Node: &pg_query.Node_RangeVar{RangeVar: r}}
	}
	fromSelect := func(x *pg_query.SelectStmt) bool {
		if x == nil || x.Op != pg_query.SetOperation_SETOP_NONE && x.Op != pg_query.SetOperation_SET_OPERATION_UNDEFINED {
			return false
		}
		sel.FromClause, sel.WithClause = x.FromClause, x.WithClause
		return true
	}
	switch x := n.Node.(type) {
	case *pg_query.Node_SelectStmt:
		if !fromSelect(x.SelectStmt) {
			return nil
		}
	case *pg_query.Node_UpdateStmt:
		sel.FromClause = append([]*pg_query.Node{rel(x.UpdateStmt.Relation)}, x.UpdateStmt.FromClause...)
		sel.WithClause = x.UpdateStmt.WithClause
	case *pg_query.Node_DeleteStmt:
		sel.FromClause = append([]*pg_query.Node{rel(x.DeleteStmt.Relation)}, x.DeleteStmt.UsingClause...)
		sel.WithClause = x.DeleteStmt.WithClause
	case *pg_query.Node_InsertStmt:
		if q := x.InsertStmt.SelectStmt.GetSelectStmt(); q != nil && len(q.ValuesLists) == 0 && !fromSelect(q) {
			return nil
		}
	default:
		return nil
	}
	return &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: sel}}
}
