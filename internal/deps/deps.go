// Package deps pins the module's chosen dependencies in go.mod while the
// packages that use them are being written. It has no code.
package deps

import (
	_ "github.com/apache/arrow-adbc/go/adbc/driver/flightsql"
	_ "github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	_ "github.com/duckdb/duckdb-go-bindings"
	_ "github.com/duckdb/duckdb-go/v2"
	_ "github.com/jackc/pgx/v5"
	_ "github.com/pganalyze/pg_query_go/v6"
	_ "github.com/rs/zerolog"
)
