package adbcbackend

import (
	"context"
	"errors"
	"time"

	"github.com/apache/arrow-adbc/go/adbc"

	"github.com/quiverdb/quiver/pgerror"
)

// StatusCodes maps every ADBC status to the SQLSTATE an error with that
// status becomes when the error carries no SQLSTATE of its own. A test
// checks that every adbc.Status has an entry.
var StatusCodes = map[adbc.Status]string{
	adbc.StatusOK:              pgerror.SuccessfulCompletion,
	adbc.StatusUnknown:         pgerror.InternalError,
	adbc.StatusNotImplemented:  pgerror.FeatureNotSupported,
	adbc.StatusNotFound:        pgerror.UndefinedObject,
	adbc.StatusAlreadyExists:   pgerror.DuplicateObject,
	adbc.StatusInvalidArgument: pgerror.SyntaxErrorOrAccessRuleViolation,
	adbc.StatusInvalidState:    pgerror.ObjectNotInPrerequisiteState,
	adbc.StatusInvalidData:     pgerror.DataException,
	adbc.StatusIntegrity:       pgerror.IntegrityConstraintViolation,
	adbc.StatusInternal:        pgerror.InternalError,
	adbc.StatusIO:              pgerror.IOError,
	adbc.StatusCancelled:       pgerror.QueryCanceled,
	adbc.StatusTimeout:         pgerror.QueryCanceled,
	adbc.StatusUnauthenticated: pgerror.InvalidAuthorizationSpec,
	adbc.StatusUnauthorized:    pgerror.InsufficientPrivilege,
}

// ErrTransactionsNotSupported is the notice a Session queues when BEGIN
// runs on an engine without transactions: BEGIN succeeds and the
// statements that follow are committed one by one. See Session.Notices.
var ErrTransactionsNotSupported = &pgerror.Error{
	Severity: "NOTICE",
	Code:     pgerror.FeatureNotSupported,
	Message:  "transactions are not supported by this backend",
	Detail:   "Each statement is committed when it completes.",
}

// errRollbackIgnored is the warning for ROLLBACK after such a BEGIN.
var errRollbackIgnored = func() *pgerror.Error {
	e := pgerror.Wrap(ErrTransactionsNotSupported, pgerror.FeatureNotSupported)
	e.Severity = "WARNING"
	e.Message = "ROLLBACK has no effect: transactions are not supported by this backend"
	e.Detail = "The statements since BEGIN were committed as they completed."
	return e
}()

// mapError gives err a SQLSTATE. Cancellation of ctx wins over whatever
// the engine said about it; then a pgerror already in the chain; then the
// backend's own mapping; then the ADBC error's SQLSTATE or status.
func (b *Backend) mapError(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	settle(ctx)
	if ctx.Err() != nil {
		return canceled(ctx)
	}
	var pe *pgerror.Error
	if errors.As(err, &pe) {
		return err
	}
	if b.cfg.MapError != nil {
		if e := b.cfg.MapError(err); e != nil {
			return e
		}
	}
	return fromADBC(err)
}

// fromADBC maps an adbc.Error by its SQLSTATE, or else its status.
func fromADBC(err error) *pgerror.Error {
	var ae adbc.Error
	if !errors.As(err, &ae) {
		return pgerror.Wrap(err, pgerror.InternalError)
	}
	code := StatusCodes[ae.Code]
	if ae.SqlState[0] != 0 {
		code = string(ae.SqlState[:])
	}
	if code == "" || code == pgerror.SuccessfulCompletion {
		code = pgerror.InternalError
	}
	e := pgerror.Wrap(err, code)
	e.Message = ae.Msg
	return e
}

// settle waits, at most a little past it, for a deadline that is about to
// pass. A server enforcing the deadline gRPC sent it can fail a call a
// moment before the client's own timer fires; the error is then the
// deadline's, and should say so.
func settle(ctx context.Context) {
	dl, ok := ctx.Deadline()
	if !ok || ctx.Err() != nil {
		return
	}
	wait := time.Until(dl)
	if wait > settleWindow {
		return
	}
	t := time.NewTimer(max(wait, 0) + settleWindow/10)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

const settleWindow = 100 * time.Millisecond

// canceled is the error for a statement whose context ended. It wraps
// ctx.Err(), so errors.Is(err, context.Canceled) holds.
func canceled(ctx context.Context) error {
	e := pgerror.Wrap(ctx.Err(), pgerror.QueryCanceled)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		e.Message = "canceling statement due to statement timeout"
	} else {
		e.Message = "canceling statement due to user request"
	}
	return e
}

// isStatus reports whether err is an adbc.Error with status st.
func isStatus(err error, st adbc.Status) bool {
	var ae adbc.Error
	return errors.As(err, &ae) && ae.Code == st
}
