//go:build duckdb_arrow

package main

import (
	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/backends/duckdb"
)

func init() {
	backendOpeners["duckdb"] = func(uri string, _ *options) (backends.Backend, error) {
		return duckdb.Open(uri, duckdb.Options{})
	}
}
