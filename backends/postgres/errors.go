package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/quiverdb/quiver/pgerror"
)

// mapError gives err a SQLSTATE. A PostgreSQL error becomes a
// *pgerror.Error with the same fields; context cancellation is left for
// pgerror.Flatten (57014); errors that already carry a SQLSTATE pass; the
// rest are connection failures (08006).
func mapError(err error) error {
	return mapErrorShift(err, 0)
}

// mapErrorShift is mapError for statements the backend wrapped in shift
// bytes of its own text: positions are moved back into the client's text.
func mapErrorShift(err error, shift int32) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		sev := pe.SeverityUnlocalized
		if sev == "" {
			sev = pe.Severity
		}
		pos := pe.Position
		if pos > shift {
			pos -= shift
		} else if pos > 0 {
			pos = 0
		}
		return &pgerror.Error{
			Severity: sev,
			Code:     pe.Code,
			Message:  pe.Message,
			Detail:   pe.Detail,
			Hint:     pe.Hint,
			Position: pos,
			Where:    pe.Where,
			// PostgreSQL names the object of an integrity violation.
			SchemaName:     pe.SchemaName,
			TableName:      pe.TableName,
			ConstraintName: pe.ConstraintName,
		}
	}
	var qe *pgerror.Error
	if errors.As(err, &qe) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return pgerror.Wrap(err, pgerror.ConnectionFailure)
}
