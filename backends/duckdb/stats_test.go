//go:build duckdb_arrow

package duckdb

import (
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/quiverdb/quiver/backends"
)

// TestPlansFollowDataChanges runs statements the session cached, and one
// prepared, again after the data changed (in the session, in another one
// committed, and through Append). DuckDB plans with the data's statistics:
// a plan made before strings grew longer cut them to their old length and
// corrupted the strings an UPDATE wrote from them; one made while no id
// passed a filter skipped the rows added after.
func TestPlansFollowDataChanges(t *testing.T) {
	ctx := context.Background()
	b := newBackend(t, "duckdb:", Options{Allocator: checkedAlloc(t)})
	s, other := connect(t, b), connect(t, b)
	mustExec(t, s, `create table st (id int primary key, name text, n int)`)
	mustExec(t, s, `insert into st values (1, 'a', 1), (2, 'b', 2)`)
	sorted := `select id, name from st order by id`
	grouped := `select name, count(*) from st group by name order by name`
	filtered := `select id from st where id > 10 order by id`
	prepared, err := s.Prepare(ctx, `select name from st where n > $1 order by name`, []arrow.DataType{arrow.PrimitiveTypes.Int32})
	if err != nil {
		t.Fatal(err)
	}
	defer prepared.Close()
	// DuckDB plans a statement with parameters that scans a table at
	// every execution, with the data as it is then, which quiver does not
	// do again (Session.current); one whose parameter DuckDB cannot type
	// when preparing ($1 + 0) too.
	untyped, err := s.Prepare(ctx, `select name from st where n > $1 + 0 order by name`, []arrow.DataType{arrow.PrimitiveTypes.Int32})
	if err != nil {
		t.Fatal(err)
	}
	defer untyped.Close()
	query := func(sql string) string {
		res, err := s.Query(ctx, sql)
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := collect(t, res.Rows)
		return fmt.Sprint(rows)
	}
	run := func(st backends.Stmt) string {
		bld := array.NewInt32Builder(memory.DefaultAllocator)
		bld.Append(0)
		col := bld.NewArray()
		rec := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "$1", Type: arrow.PrimitiveTypes.Int32}}, nil), []arrow.Array{col}, 1)
		col.Release()
		bld.Release()
		defer rec.Release()
		res, err := st.Execute(ctx, rec)
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := collect(t, res.Rows)
		return fmt.Sprint(rows)
	}
	check := func(step, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s: got %s, want %s", step, got, want)
		}
	}
	for _, sql := range []string{sorted, grouped, filtered} {
		query(sql) // planned, and cached, with one-character names
	}
	run(prepared)
	run(untyped)

	mustExec(t, s, `update st set name = 'longer ' || name`)
	check("after an update", query(sorted), "[[1 longer a] [2 longer b]]")
	mustExec(t, s, `update st set name = 'longer still ' || name`)
	check("after updates", query(sorted), "[[1 longer still longer a] [2 longer still longer b]]")
	check("grouped", query(grouped), "[[longer still longer a 1] [longer still longer b 1]]")

	mustExec(t, other, `begin`)
	mustExec(t, other, `insert into st values (20, 'twenty characters long', 3)`)
	check("uncommitted elsewhere", query(filtered), "[]")
	mustExec(t, other, `commit`)
	check("committed elsewhere", query(filtered), "[[20]]")
	check("prepared", run(prepared), "[[longer still longer a] [longer still longer b] [twenty characters long]]")
	check("untyped", run(untyped), "[[longer still longer a] [longer still longer b] [twenty characters long]]")

	bld := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int32}, {Name: "name", Type: arrow.BinaryTypes.String}, {Name: "n", Type: arrow.PrimitiveTypes.Int32}}, nil))
	bld.Field(0).(*array.Int32Builder).Append(30)
	bld.Field(1).(*array.StringBuilder).Append("appended, and longer than any before")
	bld.Field(2).(*array.Int32Builder).Append(4)
	rec := bld.NewRecordBatch()
	bld.Release()
	rr, _ := array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
	rec.Release()
	if _, err := s.Append(ctx, "st", rr); err != nil {
		t.Fatal(err)
	}
	rr.Release()
	check("appended", query(sorted), "[[1 longer still longer a] [2 longer still longer b] [20 twenty characters long] [30 appended, and longer than any before]]")
	check("prepared after append", run(prepared), "[[appended, and longer than any before] [longer still longer a] [longer still longer b] [twenty characters long]]")
	check("untyped after append", run(untyped), "[[appended, and longer than any before] [longer still longer a] [longer still longer b] [twenty characters long]]")
}
