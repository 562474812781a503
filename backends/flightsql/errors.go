package flightsql

import (
	"errors"
	"strings"

	"github.com/apache/arrow-adbc/go/adbc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/quiverdb/quiver/pgerror"
)

// GRPCCodes maps every gRPC status code to the SQLSTATE a Flight SQL error
// with that code becomes. A test checks that every codes.Code has an
// entry. ADBC's own statuses are mapped by adbcbackend.StatusCodes, which
// applies to errors the driver makes itself rather than receives.
var GRPCCodes = map[codes.Code]string{
	codes.OK:                 pgerror.SuccessfulCompletion,
	codes.Canceled:           pgerror.QueryCanceled,
	codes.Unknown:            pgerror.InternalError,
	codes.InvalidArgument:    pgerror.SyntaxErrorOrAccessRuleViolation,
	codes.DeadlineExceeded:   pgerror.QueryCanceled,
	codes.NotFound:           pgerror.UndefinedObject,
	codes.AlreadyExists:      pgerror.DuplicateObject,
	codes.PermissionDenied:   pgerror.InsufficientPrivilege,
	codes.ResourceExhausted:  pgerror.InsufficientResources,
	codes.FailedPrecondition: pgerror.ObjectNotInPrerequisiteState,
	codes.Aborted:            pgerror.TransactionRollback,
	codes.OutOfRange:         pgerror.DataException,
	codes.Unimplemented:      pgerror.FeatureNotSupported,
	codes.Internal:           pgerror.InternalError,
	codes.Unavailable:        pgerror.ConnectionFailure,
	codes.DataLoss:           pgerror.DataCorrupted,
	codes.Unauthenticated:    pgerror.InvalidAuthorizationSpec,
}

// grpcCode returns the gRPC status code behind err: an adbc.Error the
// driver made from a gRPC status carries it as VendorCode; a status error
// read straight from a stream carries it itself.
func grpcCode(err error) (codes.Code, bool) {
	var ae adbc.Error
	if errors.As(err, &ae) {
		if ae.VendorCode > 0 && ae.VendorCode <= int32(codes.Unauthenticated) {
			return codes.Code(ae.VendorCode), true
		}
		return 0, false
	}
	if st, ok := status.FromError(err); ok && st.Code() != codes.OK {
		return st.Code(), true
	}
	return 0, false
}

// mapError gives Flight SQL errors their SQLSTATE by gRPC code and trims
// the driver's decoration from the message: "[FlightSQL] no such table: t
// (Unknown; ExecuteQuery)" becomes the message "no such table: t" with the
// detail "gRPC status Unknown in ExecuteQuery". An adbc.Error with its own
// SQLSTATE keeps it. It returns nil for errors that did not come from a
// gRPC status, to leave them to adbcbackend.
func mapError(err error) *pgerror.Error {
	var ae adbc.Error
	isADBC := errors.As(err, &ae)
	if isADBC && ae.SqlState[0] != 0 {
		return nil
	}
	code, ok := grpcCode(err)
	if !ok {
		return nil
	}
	if info := errorInfo(err); info != nil {
		// The server said exactly which PostgreSQL error it was.
		msg := ""
		if isADBC {
			msg, _ = splitDriverMessage(ae.Msg, code)
		} else if st, ok := status.FromError(err); ok {
			msg = st.Message()
		}
		return fromErrorInfo(err, info, msg)
	}
	state := GRPCCodes[code]
	if state == pgerror.SuccessfulCompletion {
		state = pgerror.InternalError
	}
	e := pgerror.Wrap(err, state)
	if isADBC {
		e.Message, e.Detail = splitDriverMessage(ae.Msg, code)
	} else if st, ok := status.FromError(err); ok {
		e.Message, e.Detail = st.Message(), "gRPC status "+code.String()
	}
	return e
}

// splitDriverMessage undoes the ADBC Flight SQL driver's message format,
// "[FlightSQL] MESSAGE (CODE; CONTEXT)", into a message and a detail.
func splitDriverMessage(msg string, code codes.Code) (message, detail string) {
	msg = strings.TrimPrefix(msg, "[FlightSQL] ")
	marker := " (" + code.String() + "; "
	i := strings.LastIndex(msg, marker)
	if i < 0 || !strings.HasSuffix(msg, ")") {
		return msg, "gRPC status " + code.String()
	}
	return msg[:i], "gRPC status " + code.String() + " in " + msg[i+len(marker):len(msg)-1]
}

// isBroken reports whether err means the connection is gone: gRPC
// Unavailable, the status for a server that cannot be reached or went away.
func isBroken(err error) bool {
	code, ok := grpcCode(err)
	return ok && code == codes.Unavailable
}
