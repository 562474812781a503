package types

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"math/big"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/quiverdb/quiver/pgerror"
)

// errShortBinary marks binary input of the wrong length; DecodeParams
// reports it as PostgreSQL does, naming the parameter.
var errShortBinary = errors.New("incorrect binary data format")

// errInsufficientBinary marks binary input shorter than its type's width,
// which PostgreSQL reports as a malformed message.
var errInsufficientBinary = errors.New("insufficient data left in message")

// intWidth is the byte width of the PostgreSQL integer type an Arrow
// integer type is described as (OIDFor): int2, int4 or int8, or oid.
func intWidth(id arrow.Type) int {
	switch id {
	case arrow.INT8, arrow.INT16, arrow.UINT8:
		return 2
	case arrow.INT32, arrow.UINT16, arrow.UINT32:
		return 4
	}
	return 8
}

func be16(v []byte) int16 { return int16(binary.BigEndian.Uint16(v)) }
func be32(v []byte) int32 { return int32(binary.BigEndian.Uint32(v)) }
func be64(v []byte) int64 { return int64(binary.BigEndian.Uint64(v)) }

// binary appends the value of binary-format v to b, reading it as the
// receive function of b's PostgreSQL type does.
func (d *paramDecoder) binary(b array.Builder, v []byte) error {
	t := b.Type()
	if ext, ok := t.(arrow.ExtensionType); ok {
		switch ext.ExtensionName() {
		case extUUID:
			if len(v) != 16 {
				return errShortBinary
			}
			return appendUUIDValue(b, [16]byte(v))
		case extJSON:
			if len(v) > 0 && v[0] == 1 { // jsonb version 1
				v = v[1:]
			}
			if !json.Valid(v) {
				return errSyntax("json", string(v))
			}
		}
		return d.binary(b.(*array.ExtensionBuilder).StorageBuilder(), v)
	}
	switch t.ID() {
	case arrow.BOOL:
		if len(v) != 1 {
			return errShortBinary
		}
		b.(*array.BooleanBuilder).Append(v[0] != 0)
		return nil
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32:
		// The receive function of the parameter's PostgreSQL type reads
		// exactly its width: fewer bytes are a protocol error (08P01),
		// more are bad binary data (22P03), as in int4recv.
		if w := intWidth(t.ID()); len(v) < w {
			return errInsufficientBinary
		} else if len(v) > w && !(t.ID() == arrow.UINT32 && len(v) == 8) { // uint32 is int8, or oid
			return errShortBinary
		}
		var n int64
		switch len(v) {
		case 2:
			n = int64(be16(v))
		case 4:
			n = int64(be32(v))
			if t.ID() == arrow.UINT32 { // oid, xid, cid are unsigned
				n = int64(uint32(n))
			}
		case 8:
			n = be64(v)
		default:
			return errShortBinary
		}
		return appendInt(b, n)
	case arrow.UINT64:
		nv, err := numericFromBinary(v)
		if err != nil {
			return err
		}
		return appendUint64(b, nv, "")
	case arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64:
		switch len(v) {
		case 4:
			appendFloatValue(b, float64(math.Float32frombits(uint32(be32(v)))))
		case 8:
			appendFloatValue(b, math.Float64frombits(uint64(be64(v))))
		default:
			return errShortBinary
		}
		return nil
	case arrow.DECIMAL32, arrow.DECIMAL64, arrow.DECIMAL128, arrow.DECIMAL256:
		nv, err := numericFromBinary(v)
		if err != nil {
			return err
		}
		return appendDecimal(b, nv)
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		if err := checkText(v); err != nil {
			return err
		}
		appendString(b, string(v))
		return nil
	case arrow.BINARY, arrow.LARGE_BINARY, arrow.BINARY_VIEW, arrow.FIXED_SIZE_BINARY:
		return appendBytes(b, v)
	case arrow.DATE32, arrow.DATE64:
		if len(v) != 4 {
			return errShortBinary
		}
		switch days := be32(v); days {
		case pgDateNoEnd, pgDateNoBegin:
			return appendDateValue(b, 0, days)
		default:
			jd := int64(days) + pgEpochJD
			if jd < 0 || jd >= dateEndJD {
				return errDateRange()
			}
			return appendDateValue(b, int(jd), 0)
		}
	case arrow.TIME32, arrow.TIME64:
		if len(v) != 8 {
			return errShortBinary
		}
		us := be64(v)
		if us < 0 || us > usPerDay {
			return errTimeRange()
		}
		appendTimeValue(b, us)
		return nil
	case arrow.TIMESTAMP:
		if len(v) != 8 {
			return errShortBinary
		}
		ts := be64(v)
		if ts != pgTimestampNoBegin && ts != pgTimestampNoEnd && (ts < minTimestamp || ts >= endTimestamp) {
			return errTimestampRange()
		}
		return appendTimestampValue(b, ts)
	case arrow.INTERVAL_MONTHS, arrow.INTERVAL_DAY_TIME, arrow.INTERVAL_MONTH_DAY_NANO, arrow.DURATION:
		if len(v) != 16 {
			return errShortBinary
		}
		us, days, months := be64(v), be32(v[8:]), be32(v[12:])
		return appendIntervalValue(b, months, days, us, string(appendInterval(nil, months, days, us)))
	case arrow.LIST, arrow.LARGE_LIST, arrow.FIXED_SIZE_LIST, arrow.LIST_VIEW, arrow.LARGE_LIST_VIEW:
		return d.arrayBinary(b, v)
	}
	return errUnsupportedParam(t)
}

// numericFromBinary reads numeric_recv's format. Digits beyond the
// display scale are truncated, as numeric_recv does.
func numericFromBinary(v []byte) (numericValue, error) {
	if len(v) < 8 {
		return numericValue{}, errShortBinary
	}
	ndigits, weight, sign, dscale := int(be16(v)), int(be16(v[2:])), uint16(be16(v[4:])), int(be16(v[6:]))
	if ndigits < 0 || len(v) != 8+2*ndigits {
		return numericValue{}, errShortBinary
	}
	switch sign {
	case numericNaN, numericPInf, numericNInf:
		return numericValue{special: sign}, nil
	case numericPos, numericNeg:
	default:
		return numericValue{}, pgerror.New(pgerror.InvalidBinaryRepresentation, "invalid sign in external \"numeric\" value")
	}
	if dscale < 0 || dscale > 0x3FFF {
		return numericValue{}, pgerror.New(pgerror.InvalidBinaryRepresentation, "invalid scale in external \"numeric\" value")
	}
	u := new(big.Int)
	base := big.NewInt(10000)
	for i := 0; i < ndigits; i++ {
		dg := be16(v[8+2*i:])
		if dg < 0 || dg > 9999 {
			return numericValue{}, pgerror.New(pgerror.InvalidBinaryRepresentation, "invalid digit in external \"numeric\" value")
		}
		u.Mul(u, base).Add(u, big.NewInt(int64(dg)))
	}
	// u * 10000^(weight-ndigits+1)
	scale := -4 * (weight - ndigits + 1)
	if scale < 0 {
		u.Mul(u, pow10(int64(-scale)))
		scale = 0
	}
	// The value has dscale digits after the point, as numeric_recv gives
	// it: digits past it are cut, and missing ones are zeros ('2.00').
	if scale > dscale {
		u.Quo(u, pow10(int64(scale-dscale)))
	} else if scale < dscale {
		u.Mul(u, pow10(int64(dscale-scale)))
	}
	scale = dscale
	if sign == numericNeg {
		u.Neg(u)
	}
	return numericValue{unscaled: u, scale: int32(scale)}, nil
}

// arrayBinary reads array_recv's format into the list builder b. The
// element type OID in the header is not checked against b's element type.
func (d *paramDecoder) arrayBinary(b array.Builder, v []byte) error {
	if len(v) < 12 {
		return errShortBinary
	}
	ndim, flags := int(be32(v)), be32(v[4:])
	if ndim < 0 {
		return pgerror.New(pgerror.InvalidBinaryRepresentation, "invalid number of dimensions: %d", ndim)
	}
	if ndim > maxDims {
		return pgerror.New(pgerror.ProgramLimitExceeded, "number of array dimensions (%d) exceeds the maximum allowed (%d)", ndim, maxDims)
	}
	if flags != 0 && flags != 1 {
		return pgerror.New(pgerror.InvalidBinaryRepresentation, "invalid array flags")
	}
	v = v[12:]
	if len(v) < 8*ndim {
		return errShortBinary
	}
	dims := make([]int, ndim)
	nitems := 1
	for i := range dims {
		dims[i] = int(be32(v[8*i:]))
		if dims[i] < 0 || (dims[i] > 0 && nitems > math.MaxInt32/dims[i]) {
			return pgerror.New(pgerror.ProgramLimitExceeded, "array size exceeds the maximum allowed")
		}
		nitems *= dims[i]
	}
	v = v[8*ndim:]
	if nitems == 0 {
		dims = nil
	}
	err := fillList(b, dims, func(vb array.Builder, _ int) error {
		if len(v) < 4 {
			return errShortBinary
		}
		l := int(be32(v))
		v = v[4:]
		if l == -1 {
			vb.AppendNull()
			return nil
		}
		if l < 0 || l > len(v) {
			return errShortBinary
		}
		elem := v[:l]
		v = v[l:]
		return d.binary(vb, elem)
	})
	if err == nil && len(v) != 0 {
		return errShortBinary
	}
	return err
}
