package duckdb

import (
	"context"
	"strings"
)

// SetTimeZone implements backends.TimeZoneSetter with DuckDB's TimeZone
// setting for this connection. The statements it had prepared bound the
// old zone, so its statement cache is cleared (SET SESSION is a
// kindSessionState statement).
func (s *Session) SetTimeZone(ctx context.Context, tz string) error {
	return s.exec(ctx, "SET SESSION TimeZone = '"+strings.ReplaceAll(tz, "'", "''")+"'")
}
