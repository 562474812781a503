//go:build duckdb_arrow

package bench

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"testing"

	"github.com/apache/arrow-adbc/go/adbc"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/quiverdb/quiver/backends/postgres"
	"github.com/quiverdb/quiver/internal/testenv"
)

// ingestRows is the number of rows BenchmarkFlightIngest loads, before
// QUIVER_BENCH_SCALE.
const ingestRows = 10_000_000

// ingestBatchRows is the number of rows in each record batch the ADBC
// client sends.
const ingestBatchRows = 64 << 10

// BenchmarkFlightIngest loads rows (a int8, b text: i and "row number i")
// into an existing PostgreSQL 15 table, two ways:
//
//   - quiver: ADBC bulk ingest (append mode) of Arrow record batches held in
//     memory, through quiver's Flight SQL frontend over the PostgreSQL
//     backend (which encodes them to COPY FROM STDIN (FORMAT binary));
//   - copy: pgconn.CopyFrom of the same rows already encoded in
//     PostgreSQL's binary COPY format, held in memory.
//
// The table is truncated, untimed, before each load.
func BenchmarkFlightIngest(b *testing.B) {
	pg := testenv.PG(b)
	url := pg.URL(pg.CreateDB(b))
	ctx := context.Background()
	n := scaled(ingestRows)
	c, err := pgconn.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close(ctx) })
	exec := func(b *testing.B, sql string) []*pgconn.Result {
		b.Helper()
		res, err := c.Exec(ctx, sql).ReadAll()
		if err != nil {
			b.Fatalf("%s: %v", sql, err)
		}
		return res
	}
	exec(b, "create table f_ingest_quiver (a int8, b text) with (autovacuum_enabled = false);"+
		"create table f_ingest_copy (a int8, b text) with (autovacuum_enabled = false)")

	be, err := postgres.Open(url, postgres.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = be.Close() })
	cn := openADBC(b, startFlight(b, be))
	schema, batches, copyData := ingestData(n)
	b.Cleanup(func() {
		for _, rec := range batches {
			rec.Release()
		}
	})

	// verify checks what a load left in the table.
	verify := func(b *testing.B, table string) {
		r := exec(b, "select count(*), sum(a), sum(length(b)) from "+table)[0].Rows[0]
		want := fmt.Sprintf("%d %d %d", n, int64(n)*int64(n+1)/2, ingestTextBytes(n))
		if got := fmt.Sprintf("%s %s %s", r[0], r[1], r[2]); got != want {
			b.Fatalf("%s holds count, sum(a), sum(length(b)) %s, want %s", table, got, want)
		}
	}
	b.Run("int8_text/quiver", func(b *testing.B) {
		m := newCPUMeter(b, pg)
		for range b.N {
			b.StopTimer()
			exec(b, "truncate f_ingest_quiver")
			rdr, err := array.NewRecordReader(schema, batches)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			m.start(b)
			got := adbcIngest(b, cn, "f_ingest_quiver", rdr)
			m.stop(b)
			rdr.Release()
			if got != int64(n) {
				b.Fatalf("ingested %d rows, want %d", got, n)
			}
		}
		reportRows(b, n*b.N)
		m.report(b, n*b.N)
		verify(b, "f_ingest_quiver")
	})
	b.Run("int8_text/copy", func(b *testing.B) {
		m := newCPUMeter(b, pg)
		for range b.N {
			b.StopTimer()
			exec(b, "truncate f_ingest_copy")
			b.StartTimer()
			m.start(b)
			tag, err := c.CopyFrom(ctx, bytes.NewReader(copyData), "copy f_ingest_copy (a, b) from stdin (format binary)")
			m.stop(b)
			if err != nil {
				b.Fatal(err)
			}
			if tag.RowsAffected() != int64(n) {
				b.Fatalf("copied %d rows, want %d", tag.RowsAffected(), n)
			}
		}
		reportRows(b, n*b.N)
		m.report(b, n*b.N)
		verify(b, "f_ingest_copy")
	})
}

// adbcIngest appends rdr to table with ADBC bulk ingestion and returns the
// number of rows the server reports loaded.
func adbcIngest(b *testing.B, cn adbc.Connection, table string, rdr array.RecordReader) int64 {
	ctx := context.Background()
	st, err := cn.NewStatement()
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	for k, v := range map[string]string{
		adbc.OptionKeyIngestTargetTable: table,
		adbc.OptionKeyIngestMode:        adbc.OptionValueIngestModeAppend,
	} {
		if err := st.SetOption(k, v); err != nil {
			b.Fatal(err)
		}
	}
	if err := st.BindStream(ctx, rdr); err != nil {
		b.Fatal(err)
	}
	got, err := st.ExecuteUpdate(ctx)
	if err != nil {
		b.Fatal(err)
	}
	return got
}

// ingestText appends row i's text, "row number i", to dst.
func ingestText(dst []byte, i int) []byte {
	return strconv.AppendInt(append(dst, "row number "...), int64(i), 10)
}

// ingestTextBytes is the total length of the texts of rows 1..n.
func ingestTextBytes(n int) int64 {
	var total int64
	for digits, lo := 1, 1; lo <= n; digits, lo = digits+1, lo*10 {
		hi := min(n, lo*10-1)
		total += int64(hi-lo+1) * int64(len("row number ")+digits)
	}
	return total
}

// ingestData builds rows 1..n as Arrow record batches and as one COPY
// FROM STDIN (FORMAT binary) stream.
func ingestData(n int) (*arrow.Schema, []arrow.RecordBatch, []byte) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "b", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	// Signature, flags, header extension length; then per row a field
	// count, two lengths, the int8 and the text; then the trailer.
	cp := make([]byte, 0, 19+n*(2+4+8+4)+int(ingestTextBytes(n))+2)
	cp = append(cp, "PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00"...)
	var batches []arrow.RecordBatch
	var text []byte
	bld := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer bld.Release()
	ints := bld.Field(0).(*array.Int64Builder)
	strs := bld.Field(1).(*array.StringBuilder)
	for lo := 1; lo <= n; lo += ingestBatchRows {
		for i := lo; i < lo+ingestBatchRows && i <= n; i++ {
			text = ingestText(text[:0], i)
			ints.Append(int64(i))
			strs.BinaryBuilder.Append(text)
			cp = binary.BigEndian.AppendUint16(cp, 2)
			cp = binary.BigEndian.AppendUint32(cp, 8)
			cp = binary.BigEndian.AppendUint64(cp, uint64(i))
			cp = binary.BigEndian.AppendUint32(cp, uint32(len(text)))
			cp = append(cp, text...)
		}
		batches = append(batches, bld.NewRecordBatch())
	}
	cp = binary.BigEndian.AppendUint16(cp, 0xffff) // trailer: -1
	return schema, batches, cp
}
