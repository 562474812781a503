package types

import (
	"time"
)

// CanonicalTimestamp reads s as PostgreSQL reads timestamp input (or
// timestamptz input, with tz) and returns the value in ISO form,
// "2006-01-02 15:04:05.999999" (with "+00" for timestamptz, the value in
// UTC), which an engine whose own reading of timestamps is narrower than
// PostgreSQL's reads as PostgreSQL meant it: DuckDB refuses
// '2024-06-01 12:00+02' (an offset after minutes) and reads the zone of a
// timestamp without time zone. ok is false, and s should be left to the
// engine, when quiver's reading does not take s, when the value depends
// on the session (a timestamptz without a zone, now, today), or when it is
// infinite or outside years 1 to 9999.
func CanonicalTimestamp(s string, tz bool) (canonical string, ok bool) {
	typ := "timestamp"
	if tz {
		typ = "timestamp with time zone"
	}
	f, err := parseDatetime(s, typ, false)
	if err != nil || f.special != 0 || !f.hasDate || (tz && !f.hasZone && f.zoneLoc == nil) {
		return "", false
	}
	us, err := timestampFromText(s, tz, time.UTC)
	if err != nil {
		return "", false
	}
	t := time.Unix(floorDiv(us, usPerSec)+pgEpochUnixSec, (us-floorDiv(us, usPerSec)*usPerSec)*1000).UTC()
	if t.Year() < 1 || t.Year() > 9999 {
		return "", false
	}
	canonical = t.Format("2006-01-02 15:04:05.999999")
	if tz {
		canonical += "+00"
	}
	return canonical, true
}
