// Package types converts between Arrow values and PostgreSQL's wire
// representations.
//
// Result rows go out through a RowEncoder: it is built once per result
// schema (resolving one encoder per column, nested types included), bound to
// each RecordBatch with Reset (type-asserting the arrays once per batch), and
// then appends complete DataRow messages for single rows straight into a
// caller-owned buffer. Text output is byte-identical to PostgreSQL 15's
// output functions under the session Settings (TimeZone, DateStyle,
// IntervalStyle, extra_float_digits, bytea_output); binary output matches
// PostgreSQL's send functions.
//
// Parameters come in through DecodeParams, which mirrors PostgreSQL's input
// and receive functions, including their SQLSTATEs and message wording.
//
// The mapping between Arrow and PostgreSQL types is documented in
// docs/types.md. Expected encodings are not written by hand: they are
// generated from a live PostgreSQL by TestGenerateGolden and committed under
// testdata/golden.
//
// See https://www.postgresql.org/docs/current/protocol-message-formats.html
// for the RowDescription and DataRow messages.
package types
