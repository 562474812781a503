package types

import (
	"encoding/hex"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/extensions"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

// An int64 field marked as oid (the DuckDB backend's OID type) is
// described and encoded as PostgreSQL's 4294967295::oid (golden case
// uint32_as_oid), and a list of them as oid[].
func TestInt64AsOID(t *testing.T) {
	want := goldenByName(t)["uint32_as_oid"]
	if want == nil || want.OID != oidOID {
		t.Fatal("golden case uint32_as_oid is missing")
	}
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	c := goldenCase{Name: "int64_as_oid", SQL: want.SQL, Type: arrow.PrimitiveTypes.Int64, JSON: "4294967295",
		Meta: map[string]string{backends.MetaPGType: "26"}}
	rec := caseRecord(t, mem, c)
	defer rec.Release()
	checkGoldenCase(t, c, want, rec)

	// oid[]: the element type in the binary header is oid and each
	// element is 4 bytes, as array_send writes them.
	lc := goldenCase{Name: "int64_list_as_oid_array", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64), JSON: "[23, null, 4294967295]",
		Meta: map[string]string{backends.MetaPGType: "1028"}}
	lrec := caseRecord(t, mem, lc)
	defer lrec.Release()
	col, err := Describe(lrec.Schema().Field(0))
	if err != nil || col.OID != 1028 || col.TypeSize != -1 {
		t.Fatalf("Describe = %+v, %v; want oid[] (1028)", col, err)
	}
	text, _, err := encodeOne(lrec, 0, DefaultSettings())
	if err != nil || string(text) != "{23,NULL,4294967295}" {
		t.Errorf("text = %q, %v", text, err)
	}
	bin, _, err := encodeOne(lrec, 1, DefaultSettings())
	const wantBin = "00000001" + "00000001" + "0000001a" + "00000003" + "00000001" +
		"00000004" + "00000017" + "ffffffff" + "00000004" + "ffffffff"
	if err != nil || hex.EncodeToString(bin) != wantBin {
		t.Errorf("binary = %x, %v; want %s", bin, err, wantBin)
	}
}

// An int64 outside oid's range is an error in both formats, never a
// wrapped number.
func TestInt64AsOIDRange(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	for _, js := range []string{"-1", "4294967296", "-9223372036854775808"} {
		c := goldenCase{Name: "oid_range", Type: arrow.PrimitiveTypes.Int64, JSON: js,
			Meta: map[string]string{backends.MetaPGType: "26"}}
		rec := caseRecord(t, mem, c)
		for _, f := range []int16{0, 1} {
			if _, _, err := encodeOne(rec, f, DefaultSettings()); pgerror.Code(err) != pgerror.NumericValueOutOfRange {
				t.Errorf("%s in format %d: %v, want 22003", js, f, err)
			}
		}
		rec.Release()
	}
}

// Without the mark, int64 and uint32 stay int8: only the backend's OID
// type is presented as oid.
func TestOIDOnlyWhenMarked(t *testing.T) {
	for _, dt := range []arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Uint32} {
		col, err := Describe(arrow.Field{Name: "v", Type: dt})
		if err != nil || col.OID != oidInt8 {
			t.Errorf("%s: Describe = %+v, %v; want int8", dt, col, err)
		}
	}
}

func TestParamType(t *testing.T) {
	md := func(oid string) arrow.Metadata {
		return arrow.NewMetadata([]string{backends.MetaPGType}, []string{oid})
	}
	for _, c := range []struct {
		f       arrow.Field
		oid     uint32
		decoded arrow.DataType
	}{
		{arrow.Field{Type: arrow.PrimitiveTypes.Int64}, oidInt8, arrow.PrimitiveTypes.Int64},
		{arrow.Field{Type: arrow.PrimitiveTypes.Uint32}, oidInt8, arrow.PrimitiveTypes.Uint32},
		{arrow.Field{Type: arrow.PrimitiveTypes.Int64, Metadata: md("26")}, oidOID, arrow.PrimitiveTypes.Uint32},
		{arrow.Field{Type: arrow.ListOf(arrow.PrimitiveTypes.Int64), Metadata: md("1028")}, 1028, arrow.ListOf(arrow.PrimitiveTypes.Uint32)},
		{arrow.Field{Type: arrow.BinaryTypes.String, Metadata: md("2950")}, oidUUID, extensions.NewUUIDType()},
		{arrow.Field{Type: arrow.BinaryTypes.String, Metadata: md("1043")}, oidVarchar, arrow.BinaryTypes.String},
		{arrow.Field{Type: arrow.PrimitiveTypes.Int64, Metadata: md("23")}, oidInt8, arrow.PrimitiveTypes.Int64}, // would truncate
	} {
		oid, dt, ok := ParamType(c.f)
		if !ok || oid != c.oid || !arrow.TypeEqual(dt, c.decoded) {
			t.Errorf("ParamType(%s %v) = %d %s %v; want %d %s", c.f.Type, c.f.Metadata, oid, dt, ok, c.oid, c.decoded)
		}
	}
	if _, _, ok := ParamType(arrow.Field{Type: arrow.SparseUnionOf(nil, nil)}); ok {
		t.Error("ParamType accepts a union")
	}
	// The decoded type reads an oid[] parameter in binary.
	_, dt, _ := ParamType(arrow.Field{Type: arrow.ListOf(arrow.PrimitiveTypes.Int64), Metadata: md("1028")})
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	v, _ := hex.DecodeString("0000000100000000" + "0000001a" + "0000000200000001" + "0000000400000017" + "00000004ffffffff")
	rec, err := DecodeParams(mem, []arrow.DataType{dt}, []int16{1}, [][]byte{v})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	got := rec.Column(0).(*array.List).ListValues().(*array.Uint32).Uint32Values()
	if len(got) != 2 || got[0] != 23 || got[1] != 4294967295 {
		t.Errorf("decoded %v", got)
	}
}
