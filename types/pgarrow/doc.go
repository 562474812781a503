// Package pgarrow converts between PostgreSQL's binary wire format and Arrow:
// PostgreSQL result columns to Arrow fields, DataRow values and binary COPY
// streams to record batches (Decoder, CopyDecoder), and record batches to
// binary COPY streams and Bind parameters (Encoder, CopyReader).
//
// It knows nothing about connections: callers hand it the column
// descriptions from RowDescription, a TypeResolver for types that are not
// built in, and the bytes PostgreSQL sent.
//
// # PostgreSQL to Arrow
//
//	bool                          bool
//	int2, int4, int8              int16, int32, int64
//	oid                           uint32
//	float4, float8                float32, float64
//	numeric(p,s), p <= 38         decimal128(p,s)
//	numeric(p,s), 38 < p <= 76    decimal256(p,s)
//	numeric(p,s), s < 0           decimal(p-s, 0), as above
//	numeric, numeric(p>76)        utf8 holding PostgreSQL's exact text (lossless;
//	                              NaN and ±Infinity included)
//	text, varchar, bpchar, name   utf8
//	enum types                    utf8 (the label)
//	bytea                         binary
//	date                          date32
//	time                          time64[us]
//	timestamp                     timestamp[us]
//	timestamptz                   timestamp[us, UTC]
//	interval                      month_day_nano
//	uuid                          arrow.uuid extension
//	json, jsonb                   arrow.json extension (jsonb without its version byte)
//	T[]                           list<T>, nested attndims deep when known
//	anything else                 utf8, read in PostgreSQL's text format
//
// Every field carries the metadata keys backends.MetaPGType,
// backends.MetaPGTypmod and MetaPGTypeName, so the PostgreSQL-protocol side
// can describe the exact type again.
//
// Choices where PostgreSQL values have no exact Arrow equivalent:
//
//   - ±infinity dates and timestamps map to the extreme values of the Arrow
//     storage type (math.MaxInt32/MinInt32 for date32, math.MaxInt64/MinInt64
//     for timestamps), the same sentinels PostgreSQL itself uses; the encoder
//     maps them back. A finite timestamp that does not fit after moving the
//     epoch to 1970 fails with 22008.
//   - time '24:00:00' is kept as 86400000000 µs, one past Arrow's time64
//     range, so that it round-trips.
//   - NaN in a numeric(p,s) column fails with 22003: decimals have no NaN.
//   - An interval whose microseconds overflow int64 nanoseconds fails with
//     22015.
//   - An array whose number of dimensions differs from the column's depth
//     fails with 2202E (empty arrays fit any depth). Lower bounds other than 1
//     are not kept.
//
// # Arrow to PostgreSQL
//
// ArrowToPG picks the column type CREATE TABLE uses for an Arrow type; see
// its documentation for the table. NewEncoder writes an Arrow array as the
// binary format of a given PostgreSQL type, converting where the conversion
// is exact or range-checked (integers of any width, floats, decimals to
// numeric, strings to text-like types, timestamps of any unit).
package pgarrow
