package types

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/quiverdb/quiver/pgerror"
)

// ValueDecoder appends values written in PostgreSQL's text or binary form
// to Arrow builders, one at a time: the bulk path of COPY FROM. It reads
// values as DecodeParams does.
type ValueDecoder struct {
	d paramDecoder
}

// NewValueDecoder returns a decoder under session settings s (nil for the
// defaults): timestamptz text without a zone is read in s.TimeZone.
func NewValueDecoder(s *Settings) *ValueDecoder {
	v := &ValueDecoder{d: paramDecoder{loc: time.UTC}}
	if s != nil && s.TimeZone != nil {
		v.d.loc = s.TimeZone
	}
	return v
}

// AppendText appends the value whose text form is s.
func (v *ValueDecoder) AppendText(b array.Builder, s string) error {
	return v.d.text(b, s)
}

// AppendBinary appends the value whose binary (send) form is data.
func (v *ValueDecoder) AppendBinary(b array.Builder, data []byte) error {
	err := v.d.binary(b, data)
	if err == errShortBinary || err == errInsufficientBinary {
		return pgerror.New(pgerror.InvalidBinaryRepresentation, "incorrect binary data format")
	}
	return err
}
