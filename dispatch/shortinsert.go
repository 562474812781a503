package dispatch

import (
	"context"

	"github.com/quiverdb/quiver/dialect"
	"github.com/quiverdb/quiver/stmt"
)

// completeInsert handles the backend's refusal err of st, an INSERT, for
// its number of values: it returns st with the column list PostgreSQL
// would have taken it to have when st gives fewer values than the table
// has columns (see dialect.ShortInsert), to be run instead; otherwise nil
// and PostgreSQL's error for err (dialect.InsertArityError). It prepares,
// never runs, a statement that lists the table's columns.
func (s *Session) completeInsert(ctx context.Context, st *stmt.Statement, err error) (*stmt.Statement, error) {
	if s.h.rw == nil {
		return nil, err
	}
	if full := s.insertColumns(ctx, st, err); full != nil {
		return full, nil
	}
	return nil, dialect.InsertArityError(st, err)
}

// insertColumns is completeInsert's st with a column list, or nil.
func (s *Session) insertColumns(ctx context.Context, st *stmt.Statement, err error) *stmt.Statement {
	probe, given, ok := dialect.ShortInsert(st, err)
	if !ok {
		return nil
	}
	bs := s.prepareProbe(ctx, probe, nil)
	if bs == nil {
		return nil
	}
	defer bs.Close()
	sc := bs.Schema()
	if sc == nil || sc.NumFields() < given {
		return nil
	}
	names := make([]string, given)
	for i := range names {
		names[i] = sc.Field(i).Name
	}
	full, err := dialect.InsertColumns(st, names)
	if err != nil {
		return nil
	}
	return full
}
