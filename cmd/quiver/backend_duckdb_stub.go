//go:build !duckdb_arrow

package main

import (
	"errors"

	"github.com/quiverdb/quiver/backends"
)

func init() {
	backendOpeners["duckdb"] = func(string, *options) (backends.Backend, error) {
		return nil, errors.New("this quiver was built without DuckDB: build with -tags duckdb_arrow")
	}
}
