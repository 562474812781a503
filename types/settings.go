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
	// DateStyle is the DateStyle GUC, for example "ISO, MDY". Only the ISO
	// output style is implemented; NewRowEncoder rejects the others with
	// 0A000 when a result has a date or time column.
	DateStyle string
	// IntervalStyle is the IntervalStyle GUC. Only "postgres" is
	// implemented; the others are rejected like DateStyle's.
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

// outputSettings is Settings resolved once per RowEncoder.
type outputSettings struct {
	loc         *time.Location
	dateISO     bool // DateStyle output is ISO
	intervalPG  bool // IntervalStyle is postgres
	efd         int
	byteaEscape bool
	zone        zoneCache
}

func resolveSettings(s *Settings) (outputSettings, error) {
	if s == nil {
		s = DefaultSettings()
	}
	o := outputSettings{loc: s.TimeZone, efd: s.ExtraFloatDigits}
	if o.loc == nil {
		o.loc = time.UTC
	}
	style := strings.ToLower(strings.TrimSpace(s.DateStyle))
	if i := strings.IndexByte(style, ','); i >= 0 {
		first, second := strings.TrimSpace(style[:i]), strings.TrimSpace(style[i+1:])
		// Either part may name the output style; the other is the field order.
		if isDateOrder(first) {
			first = second
		}
		style = first
	}
	o.dateISO = style == "" || style == "iso" || isDateOrder(style)
	o.intervalPG = s.IntervalStyle == "" || strings.EqualFold(s.IntervalStyle, "postgres")
	switch strings.ToLower(s.ByteaOutput) {
	case "", "hex":
	case "escape":
		o.byteaEscape = true
	default:
		return o, pgerror.New(pgerror.InvalidParameterValue, "invalid value for parameter \"bytea_output\": %q", s.ByteaOutput)
	}
	return o, nil
}

func isDateOrder(s string) bool {
	switch s {
	case "mdy", "dmy", "ymd", "us", "euro", "european", "noneuropean", "non-european":
		return true
	}
	return false
}
