//go:build duckdb_arrow

package duckdb

// Dialect reports that statements must be rewritten for DuckDB.
func (b *Backend) Dialect() string { return "duckdb" }

// SerializeTransactions reports that DuckDB aborts conflicting concurrent
// writers, so writing transactions must take turns.
func (b *Backend) SerializeTransactions() bool { return true }

// CatalogVersion implements backends.CatalogVersioner: the generation that
// also invalidates cached plans (cache.go).
func (b *Backend) CatalogVersion() uint64 { return b.gen.Load() }
