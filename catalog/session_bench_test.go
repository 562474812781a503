//go:build duckdb_arrow

package catalog_test

import (
	"context"
	"testing"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/backends/duckdb"
	"github.com/quiverdb/quiver/catalog"
)

// BenchmarkSessionInit measures what the catalog adds to a new DuckDB
// session: opening a session with and without DuckDBInit's statements.
func BenchmarkSessionInit(b *testing.B) {
	be, err := duckdb.Open("duckdb:", duckdb.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer be.Close()
	ctx := context.Background()
	info := backends.SessionInfo{User: "postgres", Database: "quiver"}
	for _, withInit := range []bool{false, true} {
		name := "open"
		if withInit {
			name = "open+DuckDBInit"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				s, err := be.Open(ctx, info)
				if err != nil {
					b.Fatal(err)
				}
				if withInit {
					for _, q := range catalog.DuckDBInit(info) {
						res, err := s.Query(ctx, q)
						if err != nil {
							b.Fatal(err)
						}
						if res.Rows != nil {
							res.Rows.Release()
						}
					}
				}
				_ = s.Close()
			}
		})
	}
}
