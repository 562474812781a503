package postgres

import (
	"context"
	"encoding/json"
	"math"
	"math/big"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/extensions"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// env is one test's database, backend session and checked allocator.
type env struct {
	t    *testing.T
	url  string
	mem  *memory.CheckedAllocator
	be   *Backend
	sess *Session
}

// newEnv creates a database for the test and opens a session on it. The
// allocator is checked for leaks when the test ends.
func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	pg := testenv.PG(t)
	db := pg.CreateDB(t)
	e := &env{t: t, url: pg.URL(db), mem: memory.NewCheckedAllocator(memory.DefaultAllocator)}
	opts.Allocator = e.mem
	var err error
	if e.be, err = Open(e.url, opts); err != nil {
		t.Fatal(err)
	}
	e.sess = e.open(backends.SessionInfo{})
	t.Cleanup(func() {
		if err := e.sess.Close(); err != nil {
			t.Errorf("closing session: %v", err)
		}
		e.mem.AssertSize(t, 0)
	})
	return e
}

func (e *env) open(info backends.SessionInfo) *Session {
	e.t.Helper()
	s, err := e.be.OpenSession(context.Background(), info)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// pgx connects with pgx to the test's database, for reading values over
// PostgreSQL's own protocol and for setting up data.
func (e *env) pgx() *pgx.Conn {
	e.t.Helper()
	c, err := pgx.Connect(context.Background(), e.url)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// exec runs setup SQL through pgx.
func (e *env) exec(sql string) {
	e.t.Helper()
	c, err := pgx.Connect(context.Background(), e.url)
	if err != nil {
		e.t.Fatal(err)
	}
	defer c.Close(context.Background())
	if _, err := c.Exec(context.Background(), sql); err != nil {
		e.t.Fatalf("%s: %v", sql, err)
	}
}

// readAll reads a result into Go values as pgx's Rows.Values returns them
// (see goValue), one slice per row, and releases it.
func readAll(t *testing.T, res *backends.Result) [][]any {
	t.Helper()
	if res.Rows == nil {
		t.Fatal("statement returned no rows")
	}
	defer res.Rows.Release()
	var out [][]any
	for res.Rows.Next() {
		rec := res.Rows.RecordBatch()
		for r := range int(rec.NumRows()) {
			row := make([]any, rec.NumCols())
			for c := range row {
				row[c] = goValue(rec.Column(c), r)
			}
			out = append(out, row)
		}
	}
	if err := res.Rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// goValue converts an Arrow value to what pgx's Rows.Values gives for the
// PostgreSQL value it came from, normalised by norm.
func goValue(arr arrow.Array, i int) any {
	if arr.IsNull(i) {
		return nil
	}
	switch a := arr.(type) {
	case *array.Boolean:
		return a.Value(i)
	case *array.Int16:
		return a.Value(i)
	case *array.Int32:
		return a.Value(i)
	case *array.Int64:
		return a.Value(i)
	case *array.Uint32:
		return a.Value(i)
	case *array.Float32:
		return norm(a.Value(i))
	case *array.Float64:
		return norm(a.Value(i))
	case *array.Decimal128:
		s := a.DataType().(*arrow.Decimal128Type).Scale
		return new(big.Rat).SetFrac(a.Value(i).BigInt(), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(s)), nil))
	case *array.Decimal256:
		s := a.DataType().(*arrow.Decimal256Type).Scale
		return new(big.Rat).SetFrac(a.Value(i).BigInt(), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(s)), nil))
	case *array.String:
		return a.Value(i)
	case *array.Binary:
		return a.Value(i)
	case *array.Date32:
		switch d := a.Value(i); d {
		case math.MaxInt32:
			return pgtype.Infinity
		case math.MinInt32:
			return pgtype.NegativeInfinity
		default:
			return time.Unix(int64(d)*86400, 0).UTC()
		}
	case *array.Time64:
		return pgtype.Time{Microseconds: int64(a.Value(i)), Valid: true}
	case *array.Timestamp:
		switch v := int64(a.Value(i)); v {
		case math.MaxInt64:
			return pgtype.Infinity
		case math.MinInt64:
			return pgtype.NegativeInfinity
		default:
			return time.UnixMicro(v).UTC()
		}
	case *array.MonthDayNanoInterval:
		v := a.Value(i)
		return pgtype.Interval{Microseconds: v.Nanoseconds / 1000, Days: v.Days, Months: v.Months, Valid: true}
	case *extensions.UUIDArray:
		return [16]byte(a.Value(i))
	case *extensions.JSONArray:
		var v any
		if err := json.Unmarshal([]byte(a.ValueStr(i)), &v); err != nil {
			return err
		}
		return v
	case *array.List:
		s, e := a.ValueOffsets(i)
		out := []any{}
		for j := int(s); j < int(e); j++ {
			v := goValue(a.ListValues(), j)
			if inner, ok := v.([]any); ok { // pgx flattens multidimensional arrays
				out = append(out, inner...)
			} else {
				out = append(out, v)
			}
		}
		return out
	}
	return arr.ValueStr(i)
}

// norm makes values from pgx comparable with reflect.DeepEqual: times in
// UTC, numerics as *big.Rat (or their special names), NaN as a string.
func norm(v any) any {
	switch x := v.(type) {
	case float32:
		if x != x {
			return "NaN"
		}
	case float64:
		if x != x {
			return "NaN"
		}
	case time.Time:
		return x.UTC()
	case pgtype.Numeric:
		switch {
		case x.NaN:
			return "NaN"
		case x.InfinityModifier == pgtype.Infinity:
			return "Infinity"
		case x.InfinityModifier == pgtype.NegativeInfinity:
			return "-Infinity"
		}
		r := new(big.Rat).SetInt(x.Int)
		p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(x.Exp))), nil)
		if x.Exp >= 0 {
			return r.Mul(r, new(big.Rat).SetInt(p))
		}
		return r.Quo(r, new(big.Rat).SetInt(p))
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = norm(x[i])
		}
		return out
	}
	return v
}

func abs(x int32) int32 {
	if x < 0 {
		return -x
	}
	return x
}
