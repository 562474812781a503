package types

import (
	"context"
	"math"
	"math/rand"
	"strconv"
	"strings"
	"testing"

	"github.com/quiverdb/quiver/internal/testenv"
)

// TestFloatAgainstPostgres renders random doubles and reals (random bit
// patterns, plus values around the notation thresholds) and compares with
// PostgreSQL's float8out/float4out under several extra_float_digits.
func TestFloatAgainstPostgres(t *testing.T) {
	pg := testenv.PG(t)
	ctx := context.Background()
	conn := pg.Connect(t, "postgres")
	rng := rand.New(rand.NewSource(1))
	var f64 []float64
	for i := 0; i < 3000; i++ {
		f64 = append(f64, math.Float64frombits(rng.Uint64()))
	}
	for e := -6; e <= 17; e++ {
		p := math.Pow(10, float64(e))
		f64 = append(f64, p, math.Nextafter(p, 0), math.Nextafter(p, math.Inf(1)), -p, p*1.5, rng.Float64()*p)
	}
	// Large integers, where the midpoints between neighbours are integers
	// too and often have short decimal forms: the case where PostgreSQL's
	// shortest output differs from Go's.
	for i := 0; i < 20000; i++ {
		f64 = append(f64, float64(rng.Int63n(1<<40)+1<<24)*math.Pow(2, float64(rng.Intn(40))))
	}
	f64 = append(f64, dyadicSamples(rng)...)
	mismatches := map[int]int{}
	for _, bits := range []int{64, 32} {
		oid, typ, arrOID := oidFloat8, "float8", uint32(1022)
		if bits == 32 {
			oid, typ, arrOID = oidFloat4, "float4", 1021
		}
		// One binary array parameter holding every value.
		arr := appendInt32(nil, 1)
		arr = appendInt32(arr, 0)
		arr = appendInt32(arr, int32(oid))
		arr = appendInt32(arr, int32(len(f64)))
		arr = appendInt32(arr, 1)
		vals := make([]float64, len(f64))
		for i, f := range f64 {
			if bits == 32 {
				f32 := float32(f)
				if math.IsNaN(f) {
					f32 = float32(math.NaN())
				}
				vals[i] = float64(f32)
				arr = appendInt32(arr, 4)
				arr = appendInt32(arr, int32(math.Float32bits(f32)))
			} else {
				vals[i] = f
				arr = appendInt32(arr, 8)
				arr = appendInt64(arr, int64(math.Float64bits(f)))
			}
		}
		for _, efd := range []int{1, 0, -3, -15, 3} {
			if _, err := conn.Exec(ctx, "SET extra_float_digits = "+strconv.Itoa(efd)).ReadAll(); err != nil {
				t.Fatal(err)
			}
			res := conn.ExecParams(ctx, "SELECT unnest($1::"+typ+"[])", [][]byte{arr}, []uint32{arrOID}, []int16{1}, []int16{0}).Read()
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			bad := 0
			for i, row := range res.Rows {
				got := string(appendFloat(nil, vals[i], bits, efd))
				if got != string(row[0]) && bad < 10 {
					bad++
					t.Errorf("%s efd %d: %v renders as %s, PostgreSQL gives %s", typ, efd, vals[i], got, row[0])
				}
				if efd == 1 && sigDigits(strconv.FormatFloat(vals[i], 'e', -1, bits)) != sigDigits(string(row[0])) {
					mismatches[bits]++
				}
			}
		}
	}
	// The test is only meaningful if it met values where Go's own shortest
	// form is not PostgreSQL's.
	if mismatches[32] == 0 || mismatches[64] == 0 {
		t.Errorf("no values where Go's shortest output differs from PostgreSQL's: %v", mismatches)
	}
	t.Logf("values where Go's shortest form differs from PostgreSQL's: %v", mismatches)
}

// sigDigits counts the significant digits of a float's text form.
func sigDigits(s string) int {
	m := strings.SplitN(strings.ToLower(s), "e", 2)[0]
	m = strings.Trim(strings.ReplaceAll(strings.TrimLeft(m, "-"), ".", ""), "0")
	return len(m)
}

// dyadicSamples returns values with few fraction bits (integers, halves,
// quarters, ...) of every magnitude, around the limits of
// appendShortDyadic's fast path: odd multiples of 2^-n for n up to two past
// maxDyadicBits, in every binade up to 2^56, and the thresholds of fixed
// notation.
func dyadicSamples(rng *rand.Rand) []float64 {
	var out []float64
	for n := 0; n <= maxDyadicBits+2; n++ {
		for p := 0; p <= 56; p++ {
			for k := 0; k < 8; k++ {
				num := uint64(rng.Int63n(1<<p)) | 1<<p | 1 // odd, in [2^p, 2^(p+1))
				v := math.Ldexp(float64(num), -n)
				out = append(out, v, -v, math.Ldexp(float64(num-1), -n))
			}
			b := math.Ldexp(1, p-n)
			out = append(out, b, b-math.Ldexp(1, -n), b+math.Ldexp(1, -n))
		}
	}
	for _, t := range []float64{1e6, 1e15, 1 << 24, 1 << 53} {
		out = append(out, t, t-1, t+1, t-0.5, -t+0.5, math.Nextafter(t, 0), math.Nextafter(t, math.Inf(1)))
	}
	return append(out, 0, math.Copysign(0, -1), 0.0625, 1.0/32, 1e-4)
}

// TestShortDyadicMatchesShortest checks appendShortDyadic, where it applies,
// against the general shortest-digits path (itself checked against
// PostgreSQL by TestFloatAgainstPostgres), for float8 and float4.
func TestShortDyadicMatchesShortest(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	vals := dyadicSamples(rng)
	for i := 0; i < 100000; i++ {
		vals = append(vals, float64(rng.Int63n(1<<uint(rng.Intn(54))))*1.5, float64(rng.Int63())/float64(int64(1)<<uint(rng.Intn(64))))
	}
	fast := map[int]int{}
	for _, bits := range []int{64, 32} {
		maxExp, mantBits := 15, 53
		if bits == 32 {
			maxExp, mantBits = 6, 24
		}
		for _, v := range vals {
			if bits == 32 {
				v = float64(float32(v))
			}
			got, ok := appendShortDyadic(nil, v, mantBits, maxExp)
			if !ok {
				continue
			}
			fast[bits]++
			if want := appendShortest(nil, v, bits, maxExp); string(got) != string(want) {
				t.Errorf("float%d %v (%b): fast path gives %s, shortest digits give %s", bits, v, v, got, want)
			}
		}
	}
	if fast[64] < len(vals)/4 || fast[32] < len(vals)/8 {
		t.Errorf("fast path taken too rarely to test it: %v of %d", fast, len(vals))
	}
	t.Logf("fast path taken for %v of %d values", fast, len(vals))
}
