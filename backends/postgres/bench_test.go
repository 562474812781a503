package postgres

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/internal/testenv"
)

// benchDB holds the benchmark tables: ints (1M int4) and texts (200k rows
// of 64 characters).
var benchDB struct {
	once sync.Once
	url  string
}

func benchURL(b *testing.B) string {
	pg := testenv.PG(b)
	benchDB.once.Do(func() {
		db := pg.CreateDB(b)
		benchDB.url = pg.URL(db)
		c, err := pgx.Connect(context.Background(), benchDB.url)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close(context.Background())
		for _, sql := range []string{
			"CREATE TABLE ints AS SELECT i::int4 AS i FROM generate_series(1, 1000000) i",
			"CREATE TABLE texts AS SELECT repeat(md5(i::text), 2) AS s FROM generate_series(1, 200000) i",
			"VACUUM ANALYZE ints", "VACUUM ANALYZE texts",
		} {
			if _, err := c.Exec(context.Background(), sql); err != nil {
				b.Fatal(err)
			}
		}
	})
	return benchDB.url
}

var benchQueries = []struct{ name, sql string }{
	{"int4_1M", "SELECT i FROM ints"},
	{"text64_200k", "SELECT s FROM texts"},
}

// BenchmarkBackend reads the tables through the backend: COPY into Arrow,
// and the extended protocol (a statement with a parameter).
func BenchmarkBackend(b *testing.B) {
	url := benchURL(b)
	be, err := Open(url, Options{Allocator: memory.NewGoAllocator()})
	if err != nil {
		b.Fatal(err)
	}
	s, err := be.OpenSession(context.Background(), backends.SessionInfo{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for _, q := range benchQueries {
		b.Run("copy/"+q.name, func(b *testing.B) {
			for b.Loop() {
				res, err := s.Query(ctx, q.sql)
				if err != nil {
					b.Fatal(err)
				}
				drain(b, res)
			}
		})
		b.Run("extended/"+q.name, func(b *testing.B) {
			st, err := s.Prepare(ctx, q.sql+" WHERE $1::int4 = 0", nil)
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			p := oneRow(b, memory.DefaultAllocator, arrow.PrimitiveTypes.Int32, int32(0))
			defer p.Release()
			for b.Loop() {
				res, err := st.Execute(ctx, p)
				if err != nil {
					b.Fatal(err)
				}
				drain(b, res)
			}
		})
	}
}

func drain(b *testing.B, res *backends.Result) {
	n := int64(0)
	for res.Rows.Next() {
		n += res.Rows.RecordBatch().NumRows()
	}
	if err := res.Rows.Err(); err != nil {
		b.Fatal(err)
	}
	res.Rows.Release()
	b.ReportMetric(float64(n), "rows/op")
}

// BenchmarkPgx reads the same rows with pgx binary rows: pgx.Rows with
// Scan, and pgconn's raw values (no decoding at all, the floor).
func BenchmarkPgx(b *testing.B) {
	url := benchURL(b)
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(ctx)
	b.Run("rows_scan/int4_1M", func(b *testing.B) {
		for b.Loop() {
			rows, _ := c.Query(ctx, benchQueries[0].sql)
			var v, sum int32
			for rows.Next() {
				if err := rows.Scan(&v); err != nil {
					b.Fatal(err)
				}
				sum += v
			}
			if err := rows.Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("rows_scan/text64_200k", func(b *testing.B) {
		for b.Loop() {
			rows, _ := c.Query(ctx, benchQueries[1].sql)
			var s string
			for rows.Next() {
				if err := rows.Scan(&s); err != nil {
					b.Fatal(err)
				}
			}
			if err := rows.Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, q := range benchQueries {
		b.Run("pgconn_raw/"+q.name, func(b *testing.B) {
			for b.Loop() {
				rr := c.PgConn().ExecParams(ctx, q.sql, nil, nil, nil, []int16{1}) // binary
				n := 0
				for rr.NextRow() {
					n += len(rr.Values()[0])
				}
				if _, err := rr.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkIngest writes 1M int64 rows and 200k rows of 64-character text
// with Session.Ingest (COPY FROM STDIN binary, replacing the table).
func BenchmarkIngest(b *testing.B) {
	url := benchURL(b)
	be, err := Open(url, Options{})
	if err != nil {
		b.Fatal(err)
	}
	s, err := be.OpenSession(context.Background(), backends.SessionInfo{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	mem := memory.NewGoAllocator()
	for _, c := range []struct {
		name string
		typ  arrow.DataType
		n    int
	}{{"int8_1M", arrow.PrimitiveTypes.Int64, 1000000}, {"text64_200k", arrow.BinaryTypes.String, 200000}} {
		schema := arrow.NewSchema([]arrow.Field{{Name: "v", Type: c.typ}}, nil)
		bld := array.NewRecordBuilder(mem, schema)
		for i := range c.n {
			switch fb := bld.Field(0).(type) {
			case *array.Int64Builder:
				fb.Append(int64(i))
			case *array.StringBuilder:
				fb.Append(fmt.Sprintf("%064d", i))
			}
		}
		rec := bld.NewRecordBatch()
		bld.Release()
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				r, _ := array.NewRecordReader(schema, []arrow.RecordBatch{rec})
				n, err := s.Ingest(context.Background(), "ingest_"+c.name, IngestReplace, r)
				r.Release()
				if err != nil || n != int64(c.n) {
					b.Fatal(n, err)
				}
			}
		})
		rec.Release()
	}
}
