package types

import (
	"strings"
	"time"

	"github.com/quiverdb/quiver/pgerror"
)

// Settings are the session settings that change how values are rendered.
// They mirror the PostgreSQL GUCs of the same names.
type Settings struct {
	// TimeZone is the zone timestamptz values are shown in; nil means UTC.
	TimeZone *time.Location
	// DateStyle is the DateStyle GUC, for example "ISO, MDY": an output
	// style (ISO, SQL, Postgres, German) and/or a field order (MDY, DMY,
	// YMD).
	DateStyle string
	// IntervalStyle is the IntervalStyle GUC: postgres (the default),
	// postgres_verbose, sql_standard or iso_8601.
	IntervalStyle string
	// ExtraFloatDigits is extra_float_digits. Above zero (the default is 1)
	// floats are printed in the shortest form that reads back exactly; at
	// zero or below they are printed with %.(15+n)g (%.(6+n)g for real).
	ExtraFloatDigits int
	// ByteaOutput is bytea_output: "hex" (the default) or "escape".
	ByteaOutput string
}

// DefaultSettings returns PostgreSQL's defaults, with the TimeZone UTC.
func DefaultSettings() *Settings {
	return &Settings{
		TimeZone:         time.UTC,
		DateStyle:        "ISO, MDY",
		IntervalStyle:    "postgres",
		ExtraFloatDigits: 1,
		ByteaOutput:      "hex",
	}
}

// DateStyle output styles and IntervalStyle values.
const (
	styleISO = iota
	styleSQL
	stylePostgres
	styleGerman
)

const (
	intervalPostgres = iota
	intervalPostgresVerbose
	intervalSQLStandard
	intervalISO8601
)

// outputSettings is Settings resolved once per RowEncoder.
type outputSettings struct {
	loc           *time.Location
	dateStyle     int
	dateDMY       bool // DateStyle field order is DMY (SQL and Postgres styles)
	intervalStyle int
	efd           int
	byteaEscape   bool
	zone          zoneCache
}

func errSetting(name, value string) error {
	return pgerror.New(pgerror.InvalidParameterValue, "invalid value for parameter \"%s\": \"%s\"", name, value)
}

func resolveSettings(s *Settings) (outputSettings, error) {
	if s == nil {
		s = DefaultSettings()
	}
	o := outputSettings{loc: s.TimeZone, efd: s.ExtraFloatDigits}
	if o.loc == nil {
		o.loc = time.UTC
	}
	// DateStyle is a style and/or a field order, as check_datestyle reads it.
	haveOrder := false
	for _, tok := range strings.FieldsFunc(strings.ToLower(s.DateStyle), func(r rune) bool { return r == ',' || r == ' ' }) {
		switch tok {
		case "iso":
			o.dateStyle = styleISO
		case "sql":
			o.dateStyle = styleSQL
		case "postgres":
			o.dateStyle = stylePostgres
		case "german":
			o.dateStyle = styleGerman
			if !haveOrder {
				o.dateDMY = true
			}
		case "ymd", "mdy", "us", "noneuropean", "non-european":
			o.dateDMY, haveOrder = false, true
		case "dmy", "euro", "european":
			o.dateDMY, haveOrder = true, true
		case "default":
		default:
			return o, errSetting("DateStyle", s.DateStyle)
		}
	}
	switch strings.ToLower(s.IntervalStyle) {
	case "", "postgres":
		o.intervalStyle = intervalPostgres
	case "postgres_verbose":
		o.intervalStyle = intervalPostgresVerbose
	case "sql_standard":
		o.intervalStyle = intervalSQLStandard
	case "iso_8601":
		o.intervalStyle = intervalISO8601
	default:
		return o, errSetting("IntervalStyle", s.IntervalStyle)
	}
	switch strings.ToLower(s.ByteaOutput) {
	case "", "hex":
	case "escape":
		o.byteaEscape = true
	default:
		return o, errSetting("bytea_output", s.ByteaOutput)
	}
	return o, nil
}
