package dispatch

import (
	"context"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5/pgproto3"
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/stmt"
	"github.com/quiverdb/quiver/types"
)

// SQL-level PREPARE and EXECUTE for engines whose own (DuckDB's) differ
// from PostgreSQL's. As in PostgreSQL, a statement made by PREPARE is a
// named prepared statement like one made by the protocol's Parse: Bind can
// use it, EXECUTE can run one made by Parse, and DEALLOCATE drops either.
// EXECUTE runs it in a portal of its own and reports the statement's own
// command tag (SELECT n, INSERT 0 n, ...).
// See https://www.postgresql.org/docs/current/sql-prepare.html.

// isPreparedSQL reports whether st is PREPARE or EXECUTE run by quiver.
func (s *Session) isPreparedSQL(st *stmt.Statement) bool {
	if st.Kind != stmt.KindUtility || st.Node == nil || !s.emulates() {
		return false
	}
	switch st.Node.Node.(type) {
	case *pg_query.Node_PrepareStmt, *pg_query.Node_ExecuteStmt:
		return true
	}
	return false
}

// executeTarget returns the prepared statement an EXECUTE names, if st is
// one and it exists.
func (s *Session) executeTarget(st *stmt.Statement) *preparedStmt {
	if !s.isPreparedSQL(st) {
		return nil
	}
	if x := st.Node.GetExecuteStmt(); x != nil {
		return s.ext.stmts[x.Name]
	}
	return nil
}

// execPreparedSQL runs PREPARE or EXECUTE. enc is the encoder of the
// protocol portal running an EXECUTE (extended protocol), or nil for a
// simple Query, which also gets a RowDescription.
func (s *Session) execPreparedSQL(ctx context.Context, st *stmt.Statement, enc *types.RowEncoder) error {
	if x := st.Node.GetPrepareStmt(); x != nil {
		return s.execPrepare(ctx, st, x)
	}
	return s.execExecute(ctx, st.Node.GetExecuteStmt(), enc)
}

func (s *Session) execPrepare(ctx context.Context, st *stmt.Statement, x *pg_query.PrepareStmt) error {
	if _, ok := s.ext.stmts[x.Name]; ok {
		return pgerror.New(pgerror.DuplicatePreparedStatement, "prepared statement \"%s\" already exists", x.Name)
	}
	oids := make([]uint32, len(x.Argtypes))
	for i, a := range x.Argtypes {
		tn := a.GetTypeName()
		names := stmt.Names(tn.GetNames())
		if tn == nil || len(names) == 0 {
			return pgerror.New(pgerror.SyntaxError, "invalid parameter type in PREPARE")
		}
		oid, ok := castTypeOIDs[names[len(names)-1]]
		if !ok || len(tn.ArrayBounds) > 0 {
			return pgerror.New(pgerror.FeatureNotSupported, "parameter type %s is not supported in PREPARE", names[len(names)-1])
		}
		oids[i] = oid
	}
	sql, err := stmt.Deparse(x.Query)
	if err != nil {
		return pgerror.New(pgerror.FeatureNotSupported, "cannot prepare this statement: %v", err)
	}
	ps, err := s.newPrepared(ctx, sql, oids)
	if err != nil {
		return err
	}
	s.ext.stmts[x.Name] = ps
	s.w.send(&pgproto3.CommandComplete{CommandTag: []byte(st.Tag)})
	return nil
}

func (s *Session) execExecute(ctx context.Context, x *pg_query.ExecuteStmt, enc *types.RowEncoder) error {
	ps, ok := s.ext.stmts[x.Name]
	if !ok || x.Name == "" {
		return pgerror.New(pgerror.UndefinedPreparedStatement, "prepared statement \"%s\" does not exist", x.Name)
	}
	if len(x.Params) != len(ps.oids) {
		return pgerror.New(pgerror.SyntaxError, "wrong number of parameters for prepared statement \"%s\"", x.Name).
			WithDetail("Expected " + strconv.Itoa(len(ps.oids)) + " parameters but got " + strconv.Itoa(len(x.Params)) + ".")
	}
	vals := make([][]byte, len(x.Params))
	for i, a := range x.Params {
		v, isNull, ok := constText(a)
		if !ok {
			return pgerror.New(pgerror.FeatureNotSupported, "the parameters of EXECUTE must be constants on this backend")
		}
		if !isNull {
			vals[i] = []byte(v)
		}
	}
	p := &portal{ps: ps}
	if len(vals) > 0 {
		bind := &pgproto3.Bind{Parameters: vals}
		rec, err := types.DecodeParamsWith(memory.DefaultAllocator, bindTypes(ps, bind), nil, vals, &s.settings)
		if err != nil {
			return err
		}
		p.params = rec
	}
	ps.refs++
	defer p.close()
	describe := enc == nil
	if ps.schema != nil {
		if enc == nil {
			e, err := types.NewRowEncoder(ps.schema, nil, &s.settings)
			if err != nil {
				return err
			}
			enc = e
		}
		p.enc = enc
	}
	if ps.st != nil && describe && p.enc != nil && !s.runsLocally(ps.st) {
		s.w.buf = p.enc.AppendRowDescription(s.w.buf)
	}
	if ps.st != nil && writes(ps.st) && s.tx != txIdle {
		if err := s.lockTx(ctx); err != nil {
			return err
		}
	}
	return s.runPortal(ctx, p, &pgproto3.Execute{})
}

// constText renders a constant (possibly cast) as the text of a parameter
// value.
func constText(n *pg_query.Node) (v string, isNull, ok bool) {
	c := n.GetAConst()
	if tc := n.GetTypeCast(); tc != nil {
		c = tc.Arg.GetAConst()
	}
	if c == nil {
		return "", false, false
	}
	switch {
	case c.Isnull:
		return "", true, true
	case c.GetSval() != nil:
		return c.GetSval().Sval, false, true
	case c.GetIval() != nil:
		return strconv.Itoa(int(c.GetIval().Ival)), false, true
	case c.GetFval() != nil:
		return c.GetFval().Fval, false, true
	case c.GetBoolval() != nil:
		return strconv.FormatBool(c.GetBoolval().Boolval), false, true
	case c.GetBsval() != nil:
		return c.GetBsval().Bsval, false, true
	}
	return "", false, false
}
