package main

import (
	"os"
	"runtime/pprof"
)

// startProfile writes a CPU profile to $QUIVER_CPUPROFILE until the returned
// function is called: a development aid for the benchmarks in bench/.
func startProfile() func() {
	path := os.Getenv("QUIVER_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
