package pgarrow

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/quiverdb/quiver/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func connect(t testing.TB) *pgconn.PgConn {
	t.Helper()
	pg := testenv.PG(t)
	c, err := pgconn.Connect(context.Background(), pg.URL(pg.CreateDB(t)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// one runs a one-value query; format 1 asks for binary.
func one(t *testing.T, c *pgconn.PgConn, sql string, format int16, params [][]byte, paramOIDs []uint32, paramFormats []int16) []byte {
	t.Helper()
	res := c.ExecParams(context.Background(), sql, params, paramOIDs, paramFormats, []int16{format}).Read()
	if res.Err != nil {
		t.Fatalf("%s: %v", sql, res.Err)
	}
	return res.Rows[0][0]
}

var numericLiterals = []string{
	"0", "0.0000", "1", "-1", "1.50", "-0.000001", "10000", "100000000.00000001", "9999.9999",
	"123456789012345678901234567890.123456789", "1e-20", "1e20", "0.1", "-12345.6789",
	"NaN", "Infinity", "-Infinity", strings.Repeat("9", 60) + "." + strings.Repeat("1", 30),
}

// TestNumericText formats binary numerics as numeric_out does.
func TestNumericText(t *testing.T) {
	c := connect(t)
	for _, lit := range numericLiterals {
		bin := one(t, c, "SELECT '"+lit+"'::numeric", 1, nil, nil, nil)
		want := one(t, c, "SELECT '"+lit+"'::numeric", 0, nil, nil, nil)
		got, err := appendNumericText(nil, bin)
		if err != nil || string(got) != string(want) {
			t.Errorf("%s: got %q %v, want %q", lit, got, err, want)
		}
		// And back: text parsed to binary reads as the same value.
		enc, err := appendNumericFromText(nil, lit, new([]byte))
		if err != nil {
			t.Fatalf("%s: %v", lit, err)
		}
		echo := one(t, c, "SELECT $1::numeric", 0, [][]byte{enc}, []uint32{pgtype.NumericOID}, []int16{1})
		if string(echo) != string(want) {
			t.Errorf("%s: encoded reads as %q, want %q", lit, echo, want)
		}
	}
}

// TestDecimalRoundTrip decodes numeric(p,s) into decimals and encodes them
// back, against PostgreSQL's reading of both.
func TestDecimalRoundTrip(t *testing.T) {
	c := connect(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, ps := range [][2]int32{{10, 2}, {38, 0}, {38, 38}, {18, 9}, {19, 4}, {50, 10}, {76, 3}, {1, 0}, {5, 5}} {
		p, s := ps[0], ps[1]
		typ := fmt.Sprintf("numeric(%d,%d)", p, s)
		for range 40 {
			digits := make([]byte, 1+rng.IntN(int(p)))
			for i := range digits {
				digits[i] = byte('0' + rng.IntN(10))
			}
			lit := string(digits)
			if int(s) > 0 {
				lit = strings.Repeat("0", max(0, int(s)-len(lit)+1)) + lit
				lit = lit[:len(lit)-int(s)] + "." + lit[len(lit)-int(s):]
			}
			if rng.IntN(2) == 0 {
				lit = "-" + lit
			}
			bin := one(t, c, "SELECT '"+lit+"'::"+typ, 1, nil, nil, nil)
			want := one(t, c, "SELECT '"+lit+"'::"+typ, 0, nil, nil, nil)
			var got string
			var enc []byte
			if p <= 38 {
				n, err := decodeDecimal128(bin, s)
				if err != nil {
					t.Fatalf("%s %s: %v", typ, lit, err)
				}
				got = n.ToString(s)
				enc = appendNumeric(nil, wide{n.LowBits(), uint64(n.HighBits())}, 2, true, s, new([]byte))
			} else {
				n, err := decodeDecimal256(bin, s)
				if err != nil {
					t.Fatalf("%s %s: %v", typ, lit, err)
				}
				got = n.ToString(s)
				enc = appendNumeric(nil, wide(n.Array()), 4, true, s, new([]byte))
			}
			if trimSign(got) != trimSign(string(want)) {
				t.Errorf("%s %s: decimal %s, PostgreSQL %s", typ, lit, got, want)
			}
			echo := one(t, c, "SELECT $1::"+typ, 0, [][]byte{enc}, []uint32{pgtype.NumericOID}, []int16{1})
			if string(echo) != string(want) {
				t.Errorf("%s %s: encoded reads as %s, want %s", typ, lit, echo, want)
			}
		}
	}
}

// trimSign drops the sign of a zero ("-0.00" from Arrow's ToString).
func trimSign(s string) string {
	if strings.Trim(s, "-0.") == "" {
		return strings.TrimPrefix(s, "-")
	}
	return s
}

// copyStream captures a real binary COPY stream.
func copyStream(t testing.TB, c *pgconn.PgConn, query string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := c.CopyTo(context.Background(), &buf, "COPY ("+query+") TO STDOUT (FORMAT binary)"); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// columns describes a query's result columns through Parse/Describe.
func columns(t testing.TB, c *pgconn.PgConn, query string) []ColumnType {
	t.Helper()
	sd, err := c.Prepare(context.Background(), "", query, nil)
	if err != nil {
		t.Fatal(err)
	}
	cols := make([]ColumnType, len(sd.Fields))
	for i, f := range sd.Fields {
		cols[i] = Resolve(Column{Name: f.Name, OID: f.DataTypeOID, Typmod: f.TypeModifier}, nil)
	}
	return cols
}

const mixedQuery = `SELECT i, i::text || repeat('é', i % 5) AS s, (i * 1.5)::numeric(12,2) AS n,
	CASE WHEN i % 7 = 0 THEN NULL ELSE ARRAY[i, NULL, -i] END AS a,
	now()::date + i AS d, '2000-01-01'::timestamptz + i * interval '1 second' AS ts
	FROM generate_series(1, 5000) i`

// decodeAll decodes a COPY stream fed in chunks of the given sizes.
func decodeAll(t *testing.T, mem memory.Allocator, cols []ColumnType, stream []byte, limit int, chunk func() int) []arrow.RecordBatch {
	t.Helper()
	return decodeWith(t, mem, cols, limit, func(cd *CopyDecoder) error {
		for p := stream; len(p) > 0; {
			n := min(chunk(), len(p))
			if _, err := cd.Write(p[:n]); err != nil {
				return err
			}
			p = p[n:]
		}
		return nil
	})
}

// decodeWith decodes what feed writes to a CopyDecoder with the given
// batch limit, and returns the batches.
func decodeWith(t *testing.T, mem memory.Allocator, cols []ColumnType, limit int, feed func(*CopyDecoder) error) []arrow.RecordBatch {
	t.Helper()
	dec := NewDecoder(mem, cols, DecoderOptions{ValidateUTF8: true})
	defer dec.Release()
	cd := NewCopyDecoder(dec)
	var out []arrow.RecordBatch
	cd.Limit = limit
	cd.Emit = func(rec arrow.RecordBatch) error { out = append(out, rec); return nil }
	if err := feed(cd); err != nil {
		t.Fatal(err)
	}
	if err := cd.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

// concat merges batches into one for comparison.
func concat(t *testing.T, mem memory.Allocator, recs []arrow.RecordBatch) arrow.Table {
	t.Helper()
	tbl := array.NewTableFromRecords(recs[0].Schema(), recs)
	for _, r := range recs {
		r.Release()
	}
	return tbl
}

// decodeMessages frames msgs as CopyData messages and decodes them with
// WriteMessages from a buffer that grows by chunk bytes at a time.
func decodeMessages(t *testing.T, mem memory.Allocator, cols []ColumnType, msgs [][]byte, limit int, chunk func() int) []arrow.RecordBatch {
	t.Helper()
	var wire []byte
	for _, m := range msgs {
		wire = append(wire, 'd')
		wire = binary.BigEndian.AppendUint32(wire, uint32(len(m)+4))
		wire = append(wire, m...)
	}
	return decodeWith(t, mem, cols, limit, func(cd *CopyDecoder) error {
		buf, read := 0, 0 // wire[buf:read] is buffered
		for buf < len(wire) {
			read = min(read+chunk(), len(wire))
			n, err := cd.WriteMessages(wire[buf:read])
			if err != nil {
				return err
			}
			buf += n
		}
		return nil
	})
}

// TestCopyDecoderChunks feeds one COPY stream whole, byte by byte and in
// random chunks, with and without batch limits: the decoded data is the
// same, and batches respect the limit.
func TestCopyDecoderChunks(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	c := connect(t)
	stream := copyStream(t, c, mixedQuery)
	cols := columns(t, c, mixedQuery)
	whole := decodeAll(t, mem, cols, stream, 0, func() int { return len(stream) })
	if len(whole) != 1 || whole[0].NumRows() != 5000 {
		t.Fatalf("whole: %d batches", len(whole))
	}
	want := concat(t, mem, whole)
	defer want.Release()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range []struct {
		name  string
		limit int
		chunk func() int
	}{
		{"bytes", 0, func() int { return 1 }},
		{"random", 0, func() int { return 1 + rng.IntN(300) }},
		{"limited", 16 << 10, func() int { return 1 + rng.IntN(5000) }},
	} {
		recs := decodeAll(t, mem, cols, stream, c.limit, c.chunk)
		if c.limit > 0 {
			if len(recs) < 5 {
				t.Errorf("%s: %d batches", c.name, len(recs))
			}
		}
		got := concat(t, mem, recs)
		if got.NumRows() != want.NumRows() {
			t.Errorf("%s: %d rows", c.name, got.NumRows())
		}
		for i := range int(want.NumCols()) {
			if !array.ChunkedEqual(got.Column(i).Data(), want.Column(i).Data()) {
				t.Errorf("%s: column %d differs", c.name, i)
			}
		}
		got.Release()
	}
	// As CopyData messages, one per tuple as PostgreSQL sends them and in
	// payloads that split tuples anywhere, read from a buffer that fills
	// in random steps.
	var msgs messages
	if _, err := c.CopyTo(context.Background(), &msgs, "COPY ("+mixedQuery+") TO STDOUT (FORMAT binary)"); err != nil {
		t.Fatal(err)
	}
	var split messages
	for p := stream; len(p) > 0; {
		n := min(1+rng.IntN(200), len(p))
		split = append(split, p[:n])
		p = p[n:]
	}
	for _, m := range []struct {
		name string
		msgs messages
	}{{"messages", msgs}, {"split messages", split}} {
		recs := decodeMessages(t, mem, cols, m.msgs, 16<<10, func() int { return 1 + rng.IntN(5000) })
		got := concat(t, mem, recs)
		for i := range int(want.NumCols()) {
			if got.NumRows() != want.NumRows() || !array.ChunkedEqual(got.Column(i).Data(), want.Column(i).Data()) {
				t.Errorf("%s: column %d differs", m.name, i)
			}
		}
		got.Release()
	}
	// A truncated stream fails.
	dec := NewDecoder(mem, cols, DecoderOptions{})
	defer dec.Release()
	cd := NewCopyDecoder(dec)
	cd.Emit = func(rec arrow.RecordBatch) error { rec.Release(); return nil }
	if _, err := cd.Write(stream[:len(stream)-1]); err != nil {
		t.Fatal(err)
	}
	if err := cd.Close(); err == nil {
		t.Error("truncated stream accepted")
	}
}
