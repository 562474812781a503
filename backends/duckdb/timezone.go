package duckdb

import (
	"context"
	"slices"
	"strings"
)

// SetTimeZone implements backends.TimeZoneSetter with DuckDB's TimeZone
// setting for this connection. The statements it had prepared bound the
// old zone, so its statement cache is cleared (SET SESSION is a
// kindSessionState statement).
func (s *Session) SetTimeZone(ctx context.Context, tz string) error {
	return s.exec(ctx, "SET SESSION TimeZone = '"+strings.ReplaceAll(tz, "'", "''")+"'")
}

// SetSearchPath implements backends.SearchPathSetter with DuckDB's
// search_path for this connection: the schemas that exist in the current
// database, PostgreSQL's public being DuckDB's main; main alone when none
// does (DuckDB refuses a path of schemas that do not exist, where
// PostgreSQL skips them). DuckDB creates in the first.
func (s *Session) SetSearchPath(ctx context.Context, schemas []string) error {
	res, err := s.Query(ctx, "SELECT schema_name FROM duckdb_schemas() WHERE database_name = current_database()")
	if err != nil {
		return err
	}
	exist := map[string]bool{}
	if res.Rows != nil {
		for res.Rows.Next() {
			col := res.Rows.RecordBatch().Column(0)
			for i := 0; i < col.Len(); i++ {
				exist[strings.Clone(col.ValueStr(i))] = true // the batch's memory is reused
			}
		}
		res.Rows.Release()
	}
	var path []string
	for _, n := range schemas {
		if n == "public" {
			n = "main"
		}
		if exist[n] && !slices.Contains(path, n) {
			path = append(path, n)
		}
	}
	if len(path) == 0 {
		path = []string{"main"}
	}
	for i, n := range path {
		path[i] = `"` + strings.ReplaceAll(n, `"`, `""`) + `"`
	}
	return s.exec(ctx, "SET SESSION search_path = '"+strings.ReplaceAll(strings.Join(path, ","), "'", "''")+"'")
}
