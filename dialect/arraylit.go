package dialect

import (
	"errors"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/quiverdb/quiver/stmt"
	"github.com/quiverdb/quiver/types"
)

// PostgreSQL writes array values as text: '{1,2}'::int[], '{}'::text[],
// '{{1,2},{3,4}}'::int[]. DuckDB's cast from text to a list reads its own
// syntax ([1, 2]) and refuses PostgreSQL's, so a cast of a string constant
// to an array type becomes an ARRAY constructor of the elements as strings,
// cast to the same type: ARRAY['1','2']::int[]. DuckDB then casts each
// element as the cast from text to the element type does. The literal is
// read as array_in reads it (quotes, escapes, NULL, nested braces,
// dimension decorations), and a malformed one gets array_in's 22P02. The
// cast gets one [] per dimension of the literal, as DuckDB's lists nest.
// Lower bounds other than 1 ('[0:1]={7,8}') are not kept: Arrow lists have
// none. A string that becomes an array without a cast (a value inserted
// into an array column) is cast first (untyped.go).

// literalAt is array_in's error for the string constant at byte loc of the
// text the tree was parsed from.
type literalAt struct {
	err error
	loc int32
}

func (e *literalAt) Error() string { return e.err.Error() }
func (e *literalAt) Unwrap() error { return e.err }

// placeLiteral places array_in's error in the text of st, as PostgreSQL
// places errors reading constants.
func placeLiteral(err error, st *stmt.Statement) error {
	var at *literalAt
	if !errors.As(err, &at) {
		return err
	}
	return literalError(at.err, at.loc, st)
}

// arrayLiteralCast reports whether tc casts a string constant to an array
// type.
func arrayLiteralCast(tc *pg_query.TypeCast) bool {
	return tc.TypeName != nil && len(tc.TypeName.ArrayBounds) > 0 && tc.Arg.GetAConst().GetSval() != nil
}

// rewriteArrayLiteral replaces tc's string constant by the ARRAY
// constructor of its elements.
func rewriteArrayLiteral(tc *pg_query.TypeCast) error {
	c := tc.Arg.GetAConst()
	dims, elems, err := types.ParseArrayLiteral(c.GetSval().Sval)
	if err != nil {
		return &literalAt{err: err, loc: c.Location}
	}
	if len(dims) == 0 {
		tc.Arg = &pg_query.Node{Node: &pg_query.Node_AArrayExpr{AArrayExpr: &pg_query.A_ArrayExpr{Location: c.Location}}}
		return nil
	}
	next := 0
	tc.Arg = arrayLevel(dims, elems, &next, c.Location)
	// A PostgreSQL array type has any number of dimensions; DuckDB's
	// lists nest one per [].
	if len(dims) != len(tc.TypeName.ArrayBounds) {
		tc.TypeName.ArrayBounds = make([]*pg_query.Node, len(dims))
		for i := range dims {
			tc.TypeName.ArrayBounds[i] = pg_query.MakeIntNode(-1)
		}
	}
	return nil
}

// arrayLevel builds the ARRAY constructor of one level of dims, taking the
// elements from *next on.
func arrayLevel(dims []int, elems []*string, next *int, loc int32) *pg_query.Node {
	items := make([]*pg_query.Node, 0, dims[0])
	for range dims[0] {
		if len(dims) > 1 {
			items = append(items, arrayLevel(dims[1:], elems, next, loc))
			continue
		}
		e := elems[*next]
		*next++
		if e == nil {
			items = append(items, &pg_query.Node{Node: &pg_query.Node_AConst{AConst: &pg_query.A_Const{Isnull: true, Location: loc}}})
		} else {
			items = append(items, pg_query.MakeAConstStrNode(*e, loc))
		}
	}
	return &pg_query.Node{Node: &pg_query.Node_AArrayExpr{AArrayExpr: &pg_query.A_ArrayExpr{Elements: items, Location: loc}}}
}
