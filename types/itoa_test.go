package types

import (
	"math"
	"math/rand"
	"strconv"
	"testing"
)

// TestAppendIntText checks the integer formatting against strconv around
// every power of ten, at the extremes and at random.
func TestAppendIntText(t *testing.T) {
	vals := []int64{0, math.MinInt64, math.MinInt64 + 1, math.MaxInt64}
	for _, p := range pow10u[:19] {
		for d := int64(-1); d <= 1; d++ {
			vals = append(vals, int64(p)+d, -int64(p)-d)
		}
	}
	rng := rand.New(rand.NewSource(4))
	for i := 0; i < 10000; i++ {
		vals = append(vals, rng.Int63()>>rng.Intn(63), -(rng.Int63() >> rng.Intn(63)))
	}
	for _, v := range vals {
		if got, want := string(appendIntText([]byte("x"), v)), "x"+strconv.FormatInt(v, 10); got != want {
			t.Errorf("appendIntText(%d) = %s, want %s", v, got, want)
		}
	}
	for _, v := range []uint64{math.MaxUint64, math.MaxUint64 - 1, pow10u[19], pow10u[19] - 1, pow10u[19] + 1} {
		if got, want := string(appendUintText(make([]byte, 0, 4), v)), strconv.FormatUint(v, 10); got != want {
			t.Errorf("appendUintText(%d) = %s, want %s", v, got, want)
		}
	}
}
