package types

import (
	"fmt"
	"math/big"
	"math/rand"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/internal/testenv"
)

// TestRandomNumericAgainstPostgres renders random decimal128 and
// decimal256 values of several scales in text and binary and compares
// with PostgreSQL's numeric output for the same values.
func TestRandomNumericAgainstPostgres(t *testing.T) {
	pg := testenv.PG(t)
	conn := pg.Connect(t, "postgres")
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewSource(3))
	for _, typ := range []arrow.DecimalType{
		&arrow.Decimal128Type{Precision: 38, Scale: 0},
		&arrow.Decimal128Type{Precision: 38, Scale: 4},
		&arrow.Decimal128Type{Precision: 38, Scale: 37},
		&arrow.Decimal128Type{Precision: 20, Scale: 9},
		&arrow.Decimal256Type{Precision: 76, Scale: 30},
		&arrow.Decimal256Type{Precision: 76, Scale: 3},
	} {
		prec, scale := typ.GetPrecision(), typ.GetScale()
		limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(prec)), nil)
		b := array.NewBuilder(mem, typ)
		var texts []string
		for i := 0; i < 2000; i++ {
			// Random magnitudes of every length, half negative.
			digits := 1 + rng.Intn(int(prec))
			v := new(big.Int).Rand(rng, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digits)), nil))
			if i%7 == 0 {
				v.SetInt64(int64(rng.Intn(3))) // zeros and tiny values
			}
			if rng.Intn(2) == 0 {
				v.Neg(v)
			}
			if v.CmpAbs(limit) >= 0 {
				continue
			}
			switch b := b.(type) {
			case *array.Decimal128Builder:
				b.Append(decimal128.FromBigInt(v))
			case *array.Decimal256Builder:
				b.Append(decimal256.FromBigInt(v))
			}
			texts = append(texts, bigDecimalText(v, scale))
		}
		arr := b.NewArray()
		b.Release()
		schema := arrow.NewSchema([]arrow.Field{{Name: "v", Type: typ}}, nil)
		rec := array.NewRecordBatch(schema, []arrow.Array{arr}, int64(arr.Len()))
		arr.Release()
		param := "{" + strings.Join(texts, ",") + "}"
		q := pgColumn{sql: "SELECT unnest($1::text[])::numeric", param: []byte(param)}
		for f := int16(0); f <= 1; f++ {
			checkAgainstPostgres(t, conn, rec, nil, f, q, fmt.Sprintf("%s format %d", typ, f))
		}
		rec.Release()
	}
}

// bigDecimalText writes unscaled × 10^-scale in plain decimal notation with
// exactly scale fraction digits, independently of the code under test.
func bigDecimalText(unscaled *big.Int, scale int32) string {
	s := new(big.Int).Abs(unscaled).String()
	for int32(len(s)) <= scale {
		s = "0" + s
	}
	if scale > 0 {
		s = s[:int32(len(s))-scale] + "." + s[int32(len(s))-scale:]
	}
	if unscaled.Sign() < 0 {
		s = "-" + s
	}
	return s
}

// TestUnscaledNumericAgainstPostgres renders decimal128(38, 10) values
// marked backends.MetaNumericUnscaled, as the DuckDB backend stores
// numeric without a typmod, in text and binary: each value must come out
// as PostgreSQL's numeric of the same value written with the fewest
// fraction digits (1.5000000000 as 1.5, 100.0000000000 as 100, 0 as 0).
func TestUnscaledNumericAgainstPostgres(t *testing.T) {
	pg := testenv.PG(t)
	conn := pg.Connect(t, "postgres")
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewSource(5))
	typ := &arrow.Decimal128Type{Precision: 38, Scale: 10}
	b := array.NewDecimal128Builder(mem, typ)
	var texts []string
	for i := 0; i < 3000; i++ {
		// Random values with 0 to 10 fraction digits and 1 to 28 before
		// the point, stored at scale 10; some zeros and whole numbers.
		frac := rng.Intn(11)
		v := new(big.Int).Rand(rng, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(1+rng.Intn(28)+frac)), nil))
		if i%9 == 0 {
			v.SetInt64(int64(rng.Intn(3)))
		}
		if rng.Intn(2) == 0 {
			v.Neg(v)
		}
		stored := new(big.Int).Mul(v, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(10-frac)), nil))
		b.Append(decimal128.FromBigInt(stored))
		texts = append(texts, bigDecimalText(v, int32(frac)))
	}
	arr := b.NewArray()
	b.Release()
	md := arrow.NewMetadata([]string{backends.MetaPGType, backends.MetaPGTypmod, backends.MetaNumericUnscaled}, []string{"1700", "-1", "1"})
	schema := arrow.NewSchema([]arrow.Field{{Name: "v", Type: typ, Metadata: md}}, nil)
	rec := array.NewRecordBatch(schema, []arrow.Array{arr}, int64(arr.Len()))
	arr.Release()
	defer rec.Release()
	// PostgreSQL's numeric keeps the scale it is written with: strip the
	// trailing fraction zeros of the texts first, in SQL.
	param := "{" + strings.Join(texts, ",") + "}"
	q := pgColumn{sql: "SELECT trim_scale(unnest($1::text[])::numeric)", param: []byte(param)}
	for f := int16(0); f <= 1; f++ {
		checkAgainstPostgres(t, conn, rec, nil, f, q, fmt.Sprintf("unscaled format %d", f))
	}
}
