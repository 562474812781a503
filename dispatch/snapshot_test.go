package dispatch

import "testing"

// TestSnapshotWanted checks when catalog snapshot tables are built: for a
// schema asked for threshold times, the threshold doubling after a build
// that few reads used and going back to 2 after one that many did.
func TestSnapshotWanted(t *testing.T) {
	k := &snapshots{threshold: 2, judged: true}
	// asksToBuild asks for schema fp until wanted says build, and
	// returns how many asks that took; the build is then made, and read
	// reads times.
	asksToBuild := func(fp uint64, reads int) int {
		for n := 1; n <= 2*maxThreshold; n++ {
			if k.wanted(fp) {
				k.built, k.hasBuilt, k.reads, k.judged = fp, true, 1, false
				k.reads += reads
				return n
			}
		}
		t.Fatalf("schema %d never built", fp)
		return 0
	}
	for i, c := range []struct {
		reads, asks int
	}{
		{0, 2},   // the first schema: built on the second ask, then read no more
		{0, 4},   // so the next needs twice the asks
		{20, 8},  // and the next twice more; this one is read often
		{0, 2},   // so the next is built on the second ask again
		{0, 4},   // not read
		{0, 8},   // not read
		{0, 16},  // not read
		{0, 32},  // not read
		{0, 64},  // not read
		{0, 64},  // the threshold stops at maxThreshold
		{10, 64}, // read
		{0, 2},
	} {
		if got := asksToBuild(uint64(i+1), c.reads); got != c.asks {
			t.Errorf("schema %d: built after %d asks, want %d", i+1, got, c.asks)
		}
	}
}
