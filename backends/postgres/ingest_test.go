package postgres

import (
	"context"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/extensions"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/quiverdb/quiver/pgerror"
)

// ingestSchema covers the Arrow types ArrowToPG maps.
var ingestSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "Small", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
	{Name: "u32", Type: arrow.PrimitiveTypes.Uint32, Nullable: true},
	{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "dec", Type: &arrow.Decimal128Type{Precision: 12, Scale: 3}, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "b", Type: arrow.BinaryTypes.Binary, Nullable: true},
	{Name: "ok", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "iv", Type: arrow.FixedWidthTypes.MonthDayNanoInterval, Nullable: true},
	{Name: "u", Type: extensions.NewUUIDType(), Nullable: true},
	{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
}, nil)

// makeBatch builds n rows starting at id from; a null in every other row.
func makeBatch(mem memory.Allocator, from, n int64) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, ingestSchema)
	defer b.Release()
	for i := from; i < from+n; i++ {
		null := i%2 == 1
		b.Field(0).(*array.Int64Builder).Append(i)
		if null {
			for c := 1; c < len(b.Fields()); c++ {
				b.Field(c).AppendNull()
			}
			continue
		}
		b.Field(1).(*array.Int16Builder).Append(int16(i % 1000))
		b.Field(2).(*array.Uint32Builder).Append(math.MaxUint32 - uint32(i))
		b.Field(3).(*array.Float64Builder).Append(float64(i) / 4)
		b.Field(4).(*array.Decimal128Builder).Append(decimal128.FromI64(i*1000 + 123))
		b.Field(5).(*array.StringBuilder).Append("row é " + string(rune('a'+i%26)))
		b.Field(6).(*array.BinaryBuilder).Append([]byte{byte(i), 0, 255})
		b.Field(7).(*array.BooleanBuilder).Append(i%3 == 0)
		b.Field(8).(*array.Date32Builder).Append(arrow.Date32(19000 + i))
		b.Field(9).(*array.TimestampBuilder).Append(arrow.Timestamp(1700000000123456000 + i*1000))
		b.Field(10).(*array.MonthDayNanoIntervalBuilder).Append(arrow.MonthDayNanoInterval{Months: 1, Days: int32(i), Nanoseconds: 1500})
		b.Field(11).(*extensions.UUIDBuilder).AppendBytes([16]byte{15: byte(i)})
		lb := b.Field(12).(*array.ListBuilder)
		lb.Append(true)
		lb.ValueBuilder().(*array.StringBuilder).Append("t")
		lb.ValueBuilder().AppendNull()
	}
	return b.NewRecordBatch()
}

func reader(t *testing.T, schema *arrow.Schema, recs ...arrow.RecordBatch) array.RecordReader {
	t.Helper()
	r, err := array.NewRecordReader(schema, recs)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		rec.Release()
	}
	return r
}

func (e *env) count(sql string) int64 {
	e.t.Helper()
	var n int64
	if err := e.pgx().QueryRow(context.Background(), sql).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// TestIngest writes batches in each mode and reads them back through the
// backend, comparing with the values written.
func TestIngest(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	ingest := func(table string, mode IngestMode, recs ...arrow.RecordBatch) (int64, error) {
		r := reader(t, ingestSchema, recs...)
		defer r.Release()
		return e.sess.Ingest(ctx, table, mode, r)
	}
	n, err := ingest("T1", IngestCreate, makeBatch(e.mem, 0, 500), makeBatch(e.mem, 500, 1500))
	if err != nil || n != 2000 {
		t.Fatalf("create: %d %v", n, err)
	}
	if _, err := ingest("T1", IngestCreate, makeBatch(e.mem, 0, 1)); pgerror.Code(err) != pgerror.DuplicateTable {
		t.Errorf("create over an existing table: %v", err)
	}
	if n, err = ingest("T1", IngestAppend, makeBatch(e.mem, 2000, 10)); err != nil || n != 10 {
		t.Fatalf("append: %d %v", n, err)
	}
	if _, err := ingest("nosuch", IngestAppend, makeBatch(e.mem, 0, 1)); pgerror.Code(err) != pgerror.UndefinedTable {
		t.Errorf("append to a missing table: %v", err)
	}
	if n, err = ingest("T1", IngestCreateAppend, makeBatch(e.mem, 2010, 5)); err != nil || n != 5 {
		t.Fatalf("create_append: %d %v", n, err)
	}
	if got := e.count(`SELECT count(*) FROM "T1"`); got != 2015 {
		t.Errorf("%d rows after appends", got)
	}
	if n, err = ingest("T1", IngestReplace, makeBatch(e.mem, 0, 4)); err != nil || n != 4 {
		t.Fatalf("replace: %d %v", n, err)
	}
	if n, err = ingest("public.T2", IngestCreateAppend, makeBatch(e.mem, 0, 3)); err != nil || n != 3 {
		t.Fatalf("create_append new: %d %v", n, err)
	}

	// Read back: the backend maps the created types to the Arrow types
	// written, except those with no exact PostgreSQL type.
	res := mustQuery(t, e.sess, `SELECT * FROM "T1" ORDER BY id`)
	got := readAll(t, res)
	want := makeBatch(e.mem, 0, 4)
	defer want.Release()
	for r := range 4 {
		for c := range int(want.NumCols()) {
			w := goValue(want.Column(c), r)
			if w != nil {
				switch a := want.Column(c).(type) {
				case *array.Uint32: // bigint
					w = int64(a.Value(r))
				case *array.Timestamp: // nanoseconds, truncated to microseconds
					w = time.Unix(0, int64(a.Value(r))).UTC().Truncate(time.Microsecond)
				}
			}
			if !reflect.DeepEqual(got[r][c], w) {
				t.Errorf("row %d col %s: got %#v want %#v", r, ingestSchema.Field(c).Name, got[r][c], w)
			}
		}
	}
}

// TestIngestFailure checks that a failure part-way leaves nothing behind,
// in and out of a transaction.
func TestIngestFailure(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	e.exec(`CREATE TABLE small (id int4 NOT NULL, "Small" int2)`)
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	batch := func(vals ...int64) arrow.RecordBatch {
		b := array.NewRecordBuilder(e.mem, schema)
		defer b.Release()
		for _, v := range vals {
			if v < 0 {
				b.Field(0).AppendNull()
			} else {
				b.Field(0).(*array.Int64Builder).Append(v)
			}
		}
		return b.NewRecordBatch()
	}
	many := make([]int64, 100000)
	for i := range many {
		many[i] = int64(i)
	}
	for _, c := range []struct {
		name  string
		table string
		mode  IngestMode
		recs  func() []arrow.RecordBatch
		code  string
	}{
		{"out of range in the second batch", "small", IngestAppend,
			func() []arrow.RecordBatch { return []arrow.RecordBatch{batch(many...), batch(1, 1<<40)} }, pgerror.NumericValueOutOfRange},
		{"NOT NULL violation", "small", IngestAppend,
			func() []arrow.RecordBatch { return []arrow.RecordBatch{batch(many...), batch(-1)} }, pgerror.NotNullViolation},
		{"reader fails after a batch; created table rolled back", "fresh", IngestCreate,
			func() []arrow.RecordBatch { return []arrow.RecordBatch{batch(many...), nil} }, pgerror.InvalidTextRepresentation},
		{"type mismatch", "small", IngestAppend, nil, pgerror.DatatypeMismatch},
	} {
		t.Run(c.name, func(t *testing.T) {
			var r array.RecordReader
			if c.recs == nil {
				s := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.BinaryTypes.Binary}}, nil)
				r = reader(t, s)
			} else if recs := c.recs(); recs[len(recs)-1] == nil {
				r = &failingReader{RecordReader: reader(t, schema, recs[:len(recs)-1]...)}
			} else {
				r = reader(t, schema, recs...)
			}
			defer r.Release()
			_, err := e.sess.Ingest(ctx, c.table, c.mode, r)
			if err == nil {
				t.Fatal("no error")
			}
			if c.code != "" && pgerror.Code(err) != c.code {
				t.Errorf("got %v, want %s", err, c.code)
			}
			if got := e.count("SELECT count(*) FROM small"); got != 0 {
				t.Errorf("%d rows left behind", got)
			}
			if got := e.count("SELECT count(*) FROM pg_class WHERE relname = 'fresh'"); got != 0 {
				t.Errorf("table fresh left behind")
			}
		})
	}
	// Inside a transaction the failure rolls back to a savepoint only.
	readAll(t, mustQuery(t, e.sess, "SELECT 1")) // no result left open
	if _, err := e.sess.Query(ctx, "BEGIN"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sess.Query(ctx, "INSERT INTO small VALUES (7)"); err != nil {
		t.Fatal(err)
	}
	r := reader(t, schema, batch(1, 2), batch(-1))
	if _, err := e.sess.Ingest(ctx, "small", IngestAppend, r); pgerror.Code(err) != pgerror.NotNullViolation {
		t.Errorf("in transaction: %v", err)
	}
	r.Release()
	r = reader(t, schema, batch(8))
	if n, err := e.sess.Ingest(ctx, "small", IngestAppend, r); err != nil || n != 1 {
		t.Errorf("after failure in transaction: %d %v", n, err)
	}
	r.Release()
	if _, err := e.sess.Query(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, mustQuery(t, e.sess, "SELECT id FROM small ORDER BY id")); !reflect.DeepEqual(got, [][]any{{int32(7)}, {int32(8)}}) {
		t.Errorf("after commit: %v", got)
	}
}

// failingReader ends its batches with an error, as a reader decoding a bad
// input row would.
type failingReader struct{ array.RecordReader }

func (r *failingReader) Err() error {
	return pgerror.New(pgerror.InvalidTextRepresentation, "bad input row")
}
