package types

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

func twoColumnSchema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int32},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
}

func TestRowDescriptionMessage(t *testing.T) {
	enc, err := NewRowEncoder(twoColumnSchema(), []int16{1, 0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	msg := enc.AppendRowDescription([]byte("prefix"))
	if string(msg[:6]) != "prefix" || msg[6] != 'T' {
		t.Fatalf("message does not start after the prefix: %q", msg[:7])
	}
	var rd pgproto3.RowDescription
	if err := rd.Decode(msg[6+5:]); err != nil {
		t.Fatal(err)
	}
	if l := int(msg[7])<<24 | int(msg[8])<<16 | int(msg[9])<<8 | int(msg[10]); l != len(msg)-7 {
		t.Errorf("length %d, message has %d bytes after the type", l, len(msg)-7)
	}
	want := []pgproto3.FieldDescription{
		{Name: []byte("id"), DataTypeOID: 23, DataTypeSize: 4, TypeModifier: -1, Format: 1},
		{Name: []byte("name"), DataTypeOID: 25, DataTypeSize: -1, TypeModifier: -1, Format: 0},
	}
	for i, f := range rd.Fields {
		w := want[i]
		if string(f.Name) != string(w.Name) || f.DataTypeOID != w.DataTypeOID || f.DataTypeSize != w.DataTypeSize ||
			f.TypeModifier != w.TypeModifier || f.Format != w.Format || f.TableOID != 0 || f.TableAttributeNumber != 0 {
			t.Errorf("field %d = %+v, want %+v", i, f, w)
		}
	}
}

func TestDataRowMessages(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	b := array.NewRecordBuilder(mem, twoColumnSchema())
	defer b.Release()
	b.Field(0).(*array.Int32Builder).AppendValues([]int32{7, -1}, nil)
	b.Field(1).(*array.StringBuilder).AppendValues([]string{"seven", ""}, []bool{true, false})
	rec := b.NewRecordBatch()
	defer rec.Release()
	enc, err := NewRowEncoder(rec.Schema(), []int16{1}, DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	if err := enc.Reset(rec); err != nil {
		t.Fatal(err)
	}
	var buf []byte
	for i := 0; i < 2; i++ {
		if buf, err = enc.AppendRow(buf, i); err != nil {
			t.Fatal(err)
		}
	}
	var rows [][][]byte
	for len(buf) > 0 {
		if buf[0] != 'D' {
			t.Fatalf("message type %q", buf[0])
		}
		l := int(buf[1])<<24 | int(buf[2])<<16 | int(buf[3])<<8 | int(buf[4])
		var dr pgproto3.DataRow
		if err := dr.Decode(buf[5 : 1+l]); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, dr.Values)
		buf = buf[1+l:]
	}
	if len(rows) != 2 || string(rows[0][0]) != "\x00\x00\x00\x07" || string(rows[0][1]) != "seven" ||
		string(rows[1][0]) != "\xff\xff\xff\xff" || rows[1][1] != nil {
		t.Errorf("rows = %q", rows)
	}
}

func TestAppendRowErrorLeavesBuffer(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{{Name: "d", Type: arrow.FixedWidthTypes.Date32}}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	b.Field(0).(*array.Date32Builder).Append(arrow.Date32(2147483000))
	rec := b.NewRecordBatch()
	defer rec.Release()
	enc, err := NewRowEncoder(schema, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := enc.Reset(rec); err != nil {
		t.Fatal(err)
	}
	out, err := enc.AppendRow([]byte("keep"), 0)
	if pgerror.Code(err) != pgerror.DatetimeFieldOverflow || string(out) != "keep" {
		t.Errorf("AppendRow = %q, %v; want the buffer unchanged and 22008", out, err)
	}
}

func TestFormatCodes(t *testing.T) {
	schema := twoColumnSchema()
	for _, tc := range []struct {
		formats []int16
		code    string
		want    []int16
	}{
		{nil, "", []int16{0, 0}},
		{[]int16{1}, "", []int16{1, 1}},
		{[]int16{0, 1}, "", []int16{0, 1}},
		{[]int16{0, 1, 1}, pgerror.ProtocolViolation, nil},
		{[]int16{2}, pgerror.InvalidParameterValue, nil}, // printtup.c: ERRCODE_INVALID_PARAMETER_VALUE,
	} {
		enc, err := NewRowEncoder(schema, tc.formats, nil)
		if pgerror.Code(err) != tc.code {
			t.Errorf("formats %v: error %v, want %q", tc.formats, err, tc.code)
			continue
		}
		if err == nil {
			for i, c := range enc.Columns() {
				if c.Format != tc.want[i] {
					t.Errorf("formats %v: column %d format %d", tc.formats, i, c.Format)
				}
			}
		}
	}
}

func TestUnsupported(t *testing.T) {
	union := arrow.SparseUnionOf([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int32}}, []arrow.UnionTypeCode{0})
	schema := arrow.NewSchema([]arrow.Field{{Name: "u", Type: union}}, nil)
	if _, err := NewRowEncoder(schema, nil, nil); pgerror.Code(err) != pgerror.FeatureNotSupported {
		t.Errorf("union: %v, want 0A000", err)
	}
	if _, ok := OIDFor(union); ok {
		t.Error("OIDFor(union) reported a mapping")
	}
	deep := arrow.DataType(arrow.PrimitiveTypes.Int32)
	for i := 0; i < 7; i++ {
		deep = arrow.ListOf(deep)
	}
	if _, err := Describe(arrow.Field{Name: "deep", Type: deep}); pgerror.Code(err) != pgerror.ProgramLimitExceeded {
		t.Errorf("7-dimensional array: %v, want 54000", err)
	}
	s := DefaultSettings()
	s.DateStyle = "Klingon"
	if _, err := NewRowEncoder(twoColumnSchema(), nil, s); pgerror.Code(err) != pgerror.InvalidParameterValue {
		t.Errorf("DateStyle Klingon: %v, want 22023", err)
	}
}

func TestDescribeMetadata(t *testing.T) {
	for _, tc := range []struct {
		typ    arrow.DataType
		md     []string
		oid    uint32
		typmod int32
	}{
		{arrow.BinaryTypes.String, []string{backends.MetaPGType, "1043", backends.MetaPGTypmod, "36"}, 1043, 36},
		{arrow.BinaryTypes.String, []string{backends.MetaPGType, "869"}, 25, -1},       // inet: no binary form from text
		{arrow.PrimitiveTypes.Int64, []string{backends.MetaPGType, "23"}, 20, -1},      // would truncate
		{arrow.PrimitiveTypes.Int32, []string{backends.MetaPGType, "garbage"}, 23, -1}, // unparsable
		{&arrow.TimestampType{Unit: arrow.Microsecond}, []string{backends.MetaPGType, "1114", backends.MetaPGTypmod, "3"}, 1114, 3},
		{&arrow.TimestampType{Unit: arrow.Microsecond}, []string{backends.MetaPGType, "1184"}, 1114, -1}, // zone-less Arrow
		{arrow.ListOf(arrow.BinaryTypes.String), []string{backends.MetaPGType, "1015", backends.MetaPGTypmod, "14"}, 1015, 14},
		{arrow.ListOf(arrow.BinaryTypes.String), []string{backends.MetaPGType, "1007"}, 1009, -1},
		{&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}, []string{backends.MetaPGType, "1042", backends.MetaPGTypmod, "8"}, 1042, 8},
	} {
		col, err := Describe(arrow.Field{Name: "c", Type: tc.typ, Metadata: arrow.NewMetadata(everyOther(tc.md, 0), everyOther(tc.md, 1))})
		if err != nil {
			t.Fatal(err)
		}
		if col.OID != tc.oid || col.TypeMod != tc.typmod {
			t.Errorf("%s %v: oid %d typmod %d, want %d %d", tc.typ, tc.md, col.OID, col.TypeMod, tc.oid, tc.typmod)
		}
	}
}

func everyOther(s []string, start int) []string {
	var out []string
	for i := start; i < len(s); i += 2 {
		out = append(out, s[i])
	}
	return out
}

// TestSlicedNested encodes a slice of a struct array holding a list, so
// that offsets of parents and children differ.
func TestSlicedNested(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	typ := arrow.StructOf(
		arrow.Field{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		arrow.Field{Name: "l", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true})
	arr, _, err := array.FromJSON(mem, typ, stringsReader(`[
		{"b": true, "l": ["skip"]},
		{"b": false, "l": ["a b", null]},
		null,
		{"b": null, "l": []},
		{"b": true, "l": null}]`))
	if err != nil {
		t.Fatal(err)
	}
	defer arr.Release()
	sliced := array.NewSlice(arr, 1, 5)
	defer sliced.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "s", Type: typ, Nullable: true}}, nil)
	rec := array.NewRecordBatch(schema, []arrow.Array{sliced}, int64(sliced.Len()))
	defer rec.Release()
	enc, err := NewRowEncoder(schema, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := enc.Reset(rec); err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := 0; i < 4; i++ {
		msg, err := enc.AppendRow(nil, i)
		if err != nil {
			t.Fatal(err)
		}
		if v := dataRowValue(msg); v == nil {
			got = append(got, "NULL")
		} else {
			got = append(got, string(v))
		}
	}
	// record_out quotes the array because of its braces and comma.
	want := []string{`(f,"{""a b"",NULL}")`, "NULL", `(,{})`, `(t,)`}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d = %s, want %s", i, got[i], want[i])
		}
	}
}

func TestEmptyBatch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean},
		{Name: "s", Type: arrow.BinaryTypes.String},
		{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32)},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	rec := b.NewRecordBatch()
	defer rec.Release()
	enc, err := NewRowEncoder(schema, []int16{1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := enc.Reset(rec); err != nil {
		t.Fatal(err)
	}
}

func TestResetChecksTypes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	enc, err := NewRowEncoder(arrow.NewSchema([]arrow.Field{{Name: "i", Type: arrow.PrimitiveTypes.Int64}}, nil), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(mem, arrow.NewSchema([]arrow.Field{{Name: "i", Type: arrow.PrimitiveTypes.Int32}}, nil))
	defer b.Release()
	b.Field(0).(*array.Int32Builder).Append(1)
	rec := b.NewRecordBatch()
	defer rec.Release()
	if err := enc.Reset(rec); pgerror.Code(err) != pgerror.InternalError {
		t.Errorf("Reset with an int32 column for int64: %v", err)
	}
}

// TestNulByteAmongValues checks that a NUL byte fails only the value that
// holds it, in text and binary, for utf8 and large_utf8, also when the
// array is a slice of one holding a NUL outside the slice.
func TestNulByteAmongValues(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	for _, typ := range []arrow.DataType{arrow.BinaryTypes.String, arrow.BinaryTypes.LargeString} {
		b := array.NewBuilder(mem, typ)
		for _, v := range []string{"ok", "a\x00b", "fine", "end"} {
			b.(interface{ Append(string) }).Append(v)
		}
		full := b.NewArray()
		b.Release()
		slice := array.NewSlice(full, 2, 4)
		schema := arrow.NewSchema([]arrow.Field{{Name: "s", Type: typ}}, nil)
		for _, format := range []int16{0, 1} {
			enc, err := NewRowEncoder(schema, []int16{format}, nil)
			if err != nil {
				t.Fatal(err)
			}
			rec := array.NewRecordBatch(schema, []arrow.Array{full}, int64(full.Len()))
			if err := enc.Reset(rec); err != nil {
				t.Fatal(err)
			}
			for i, wantErr := range []bool{false, true, false, false} {
				_, err := enc.AppendRow(nil, i)
				if got := pgerror.Code(err) == pgerror.CharacterNotInRepertoire; got != wantErr || (!wantErr && err != nil) {
					t.Errorf("%s format %d row %d: %v, want error %v", typ, format, i, err, wantErr)
				}
			}
			rec.Release()
			rec = array.NewRecordBatch(schema, []arrow.Array{slice}, int64(slice.Len()))
			if err := enc.Reset(rec); err != nil {
				t.Fatal(err)
			}
			for i, want := range []string{"fine", "end"} {
				row, err := enc.AppendRow(nil, i)
				if err != nil || string(dataRowValue(row)) != want {
					t.Errorf("%s format %d sliced row %d: %q, %v; want %q", typ, format, i, dataRowValue(row), err, want)
				}
			}
			rec.Release()
		}
		slice.Release()
		full.Release()
	}
}

// TestBPCharPadding: a string presented as char(n) is padded with spaces
// to n characters, in text and binary, as an array's elements too, as
// PostgreSQL stores char(n); a value already n long (or longer) is as is.
func TestBPCharPadding(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	for _, tc := range []struct {
		typ  arrow.DataType
		md   []string
		json string
		want []string
	}{
		{arrow.BinaryTypes.String, []string{"1042", "8"}, `["ab", "abcd", "é", null, "", "abcdef"]`,
			[]string{"ab  ", "abcd", "é   ", "NULL", "    ", "abcdef"}},
		{arrow.BinaryTypes.String, []string{"1043", "8"}, `["ab"]`, []string{"ab"}},
		{arrow.BinaryTypes.String, []string{"1042", "-1"}, `["ab"]`, []string{"ab"}},
		{arrow.ListOf(arrow.BinaryTypes.String), []string{"1014", "7"}, `[["a", null, "abc"]]`, []string{`{"a  ",NULL,abc}`}},
	} {
		md := arrow.NewMetadata([]string{backends.MetaPGType, backends.MetaPGTypmod}, tc.md)
		schema := arrow.NewSchema([]arrow.Field{{Name: "c", Type: tc.typ, Nullable: true, Metadata: md}}, nil)
		arr, _, err := array.FromJSON(mem, tc.typ, stringsReader(tc.json))
		if err != nil {
			t.Fatal(err)
		}
		rec := array.NewRecordBatch(schema, []arrow.Array{arr}, int64(arr.Len()))
		for _, format := range []int16{0, 1} {
			enc, err := NewRowEncoder(schema, []int16{format}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := enc.Reset(rec); err != nil {
				t.Fatal(err)
			}
			if format == 1 && tc.typ.ID() == arrow.LIST {
				continue // the text form says it all
			}
			for i, want := range tc.want {
				row, err := enc.AppendRow(nil, i)
				if err != nil {
					t.Fatal(err)
				}
				got := "NULL"
				if n := int32(binary.BigEndian.Uint32(row[7:])); n >= 0 {
					got = string(row[11 : 11+n])
				}
				if got != want {
					t.Errorf("%s %v format %d row %d: %q, want %q", tc.typ, tc.md, format, i, got, want)
				}
			}
			// The batch path (AppendRows) pads alike.
			rows, next, err := enc.AppendRows(nil, 0, len(tc.want), 1<<20)
			if err != nil || next != len(tc.want) {
				t.Fatalf("AppendRows: %d %v", next, err)
			}
			if format == 0 && tc.md[1] == "8" && tc.md[0] == "1042" && tc.typ.ID() == arrow.STRING && !bytes.Contains(rows, []byte("é   ")) {
				t.Errorf("AppendRows did not pad: %q", rows)
			}
		}
		rec.Release()
		arr.Release()
	}
}
