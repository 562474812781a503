//go:build !duckdb_arrow

package main

import (
	"fmt"
	"os"
)

// The measurement needs DuckDB's Arrow functions.
func main() {
	fmt.Fprintln(os.Stderr, "build with -tags duckdb_arrow")
	os.Exit(2)
}
