// Package pgerror carries PostgreSQL errors through quiver: a SQLSTATE, a
// severity, and the optional fields of an ErrorResponse.
//
// Every layer returns ordinary Go errors. The protocol layer calls Flatten once,
// just before it writes an ErrorResponse, so the most specific SQLSTATE found
// anywhere in the wrap chain wins and anything unknown becomes XX000.
//
// See https://www.postgresql.org/docs/current/protocol-error-fields.html and
// https://www.postgresql.org/docs/current/errcodes-appendix.html.
package pgerror

import (
	"context"
	"errors"
	"fmt"
)

// Error is a PostgreSQL error with its SQLSTATE. Its fields follow the
// ErrorResponse fields of the same names.
type Error struct {
	Severity string // ERROR, FATAL, PANIC; NOTICE etc. for notices. Empty means ERROR.
	Code     string // five-character SQLSTATE
	Message  string
	Detail   string
	Hint     string
	Position int32 // 1-based character offset into the query, 0 when unknown
	Where    string
	// SchemaName, TableName, ColumnName and ConstraintName name the
	// object of an integrity violation, as PostgreSQL's error fields s, t,
	// c and n do.
	SchemaName, TableName, ColumnName, ConstraintName string

	cause error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Code == "" {
		return e.Message
	}
	return e.Message + " (SQLSTATE " + e.Code + ")"
}

// Unwrap returns the error this one was made from, if any.
func (e *Error) Unwrap() error { return e.cause }

// New returns an ERROR with the given SQLSTATE.
func New(code, format string, args ...any) *Error {
	return &Error{Severity: "ERROR", Code: code, Message: fmt.Sprintf(format, args...)}
}

// Fatal returns a FATAL error: the connection is closed after it is sent.
func Fatal(code, format string, args ...any) *Error {
	return &Error{Severity: "FATAL", Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap gives err a SQLSTATE, keeping err's message and its chain.
func Wrap(err error, code string) *Error {
	if err == nil {
		return nil
	}
	return &Error{Severity: "ERROR", Code: code, Message: err.Error(), cause: err}
}

// WithPosition returns a copy of e with Position set.
func (e *Error) WithPosition(pos int32) *Error {
	c := *e
	c.Position = pos
	return &c
}

// WithDetail returns a copy of e with Detail set.
func (e *Error) WithDetail(detail string) *Error {
	c := *e
	c.Detail = detail
	return &c
}

// WithHint returns a copy of e with Hint set.
func (e *Error) WithHint(hint string) *Error {
	c := *e
	c.Hint = hint
	return &c
}

// IsFatal reports whether the error ends the session.
func (e *Error) IsFatal() bool { return e.Severity == "FATAL" || e.Severity == "PANIC" }

// Flatten turns any error into an *Error. The outermost *Error in the chain
// gives the message fields; context cancellation becomes 57014
// (query_canceled); anything else becomes XX000 (internal_error).
func Flatten(err error) *Error {
	if err == nil {
		return nil
	}
	var pe *Error
	if errors.As(err, &pe) {
		c := *pe
		if c.Severity == "" {
			c.Severity = "ERROR"
		}
		if c.Code == "" {
			c.Code = InternalError
		}
		return &c
	}
	if errors.Is(err, context.Canceled) {
		return &Error{Severity: "ERROR", Code: QueryCanceled, Message: "canceling statement due to user request", cause: err}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Severity: "ERROR", Code: QueryCanceled, Message: "canceling statement due to statement timeout", cause: err}
	}
	return &Error{Severity: "ERROR", Code: InternalError, Message: err.Error(), cause: err}
}

// Code returns the SQLSTATE Flatten would give err.
func Code(err error) string {
	if err == nil {
		return ""
	}
	return Flatten(err).Code
}

// WithContext returns err with line added at the end of its context (the
// Where field, PostgreSQL's CONTEXT, one line per level) when err carries
// an *Error, the outermost of which is copied; any other err is returned
// as it is.
func WithContext(err error, line string) error {
	var pe *Error
	if !errors.As(err, &pe) {
		return err
	}
	c := *pe
	if c.Where != "" {
		c.Where += "\n" + line
	} else {
		c.Where = line
	}
	return &c
}
