package flightsrv

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/quiverdb/quiver/pgerror"
)

// ErrorDomain is the domain of the google.rpc.ErrorInfo detail that carries
// an error's SQLSTATE.
const ErrorDomain = "quiver"

// classCodes maps every SQLSTATE class of PostgreSQL's errcodes.txt to the
// gRPC code a Flight SQL client should see. codeOverrides refines single
// codes. The completeness test checks both against PostgreSQL's list.
//
// The choices follow how Flight SQL clients read codes: ADBC maps NotFound,
// AlreadyExists, InvalidArgument, Unauthenticated, PermissionDenied,
// Unimplemented and Canceled to statuses of the same name, and JDBC drivers
// surface the message with its SQLSTATE.
var classCodes = map[string]codes.Code{
	"00": codes.Unknown,  // successful completion: never an error
	"01": codes.Unknown,  // warning
	"02": codes.NotFound, // no data
	"03": codes.Unknown,  // SQL statement not yet complete
	"08": codes.Unavailable,
	"09": codes.Internal, // triggered action exception
	"0A": codes.Unimplemented,
	"0B": codes.FailedPrecondition, // invalid transaction initiation
	"0F": codes.InvalidArgument,    // locator exception
	"0L": codes.PermissionDenied,   // invalid grantor
	"0P": codes.PermissionDenied,   // invalid role specification
	"0Z": codes.Internal,           // diagnostics exception
	"20": codes.InvalidArgument,    // case not found
	"21": codes.InvalidArgument,    // cardinality violation
	"22": codes.InvalidArgument,    // data exception
	"23": codes.FailedPrecondition, // integrity constraint violation
	"24": codes.FailedPrecondition, // invalid cursor state
	"25": codes.FailedPrecondition, // invalid transaction state
	"26": codes.NotFound,           // invalid SQL statement name
	"27": codes.FailedPrecondition, // triggered data change violation
	"28": codes.Unauthenticated,
	"2B": codes.FailedPrecondition, // dependent privilege descriptors still exist
	"2D": codes.FailedPrecondition, // invalid transaction termination
	"2F": codes.Internal,           // SQL routine exception
	"34": codes.NotFound,           // invalid cursor name
	"38": codes.Internal,           // external routine exception
	"39": codes.Internal,           // external routine invocation exception
	"3B": codes.FailedPrecondition, // savepoint exception
	"3D": codes.NotFound,           // invalid catalog name
	"3F": codes.NotFound,           // invalid schema name
	"40": codes.Aborted,            // transaction rollback
	"42": codes.InvalidArgument,    // syntax error or access rule violation
	"44": codes.FailedPrecondition, // WITH CHECK OPTION violation
	"53": codes.ResourceExhausted,
	"54": codes.ResourceExhausted, // program limit exceeded
	"55": codes.FailedPrecondition,
	"57": codes.Unavailable,        // operator intervention
	"58": codes.Internal,           // system error
	"72": codes.FailedPrecondition, // snapshot too old (PostgreSQL 16 and older)
	"F0": codes.Internal,           // configuration file error
	"HV": codes.Internal,           // foreign data wrapper error
	"P0": codes.Unknown,            // PL/pgSQL error, RAISE EXCEPTION
	"XX": codes.Internal,
}

// codeOverrides maps single SQLSTATEs whose code differs from their class's.
var codeOverrides = map[string]codes.Code{
	"08P01": codes.InvalidArgument, // protocol_violation: wrong parameter count etc.

	"23505": codes.AlreadyExists, // unique_violation

	"3B001": codes.NotFound, // invalid_savepoint_specification

	"42501": codes.PermissionDenied, // insufficient_privilege
	"42P01": codes.NotFound,         // undefined_table
	"42703": codes.NotFound,         // undefined_column
	"42883": codes.NotFound,         // undefined_function
	"42704": codes.NotFound,         // undefined_object
	"42P02": codes.NotFound,         // undefined_parameter
	"42701": codes.AlreadyExists,    // duplicate_column
	"42P03": codes.AlreadyExists,    // duplicate_cursor
	"42P04": codes.AlreadyExists,    // duplicate_database
	"42723": codes.AlreadyExists,    // duplicate_function
	"42P05": codes.AlreadyExists,    // duplicate_prepared_statement
	"42P06": codes.AlreadyExists,    // duplicate_schema
	"42P07": codes.AlreadyExists,    // duplicate_table
	"42712": codes.AlreadyExists,    // duplicate_alias
	"42710": codes.AlreadyExists,    // duplicate_object

	"55P03": codes.Unavailable, // lock_not_available

	"57014": codes.Canceled,           // query_canceled
	"57P04": codes.FailedPrecondition, // database_dropped
}

// grpcCode returns the gRPC code for a SQLSTATE.
func grpcCode(sqlstate string) codes.Code {
	if c, ok := codeOverrides[sqlstate]; ok {
		return c
	}
	if len(sqlstate) == 5 {
		if c, ok := classCodes[sqlstate[:2]]; ok {
			return c
		}
	}
	return codes.Unknown
}

// toStatus turns an error into a gRPC status error carrying its SQLSTATE.
// Errors that already are gRPC statuses pass through unchanged.
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	pe := pgerror.Flatten(err)
	code := grpcCode(pe.Code)
	if pe.Code == pgerror.QueryCanceled && errors.Is(err, context.DeadlineExceeded) {
		code = codes.DeadlineExceeded
	}
	return sqlStatus(code, pe)
}

// sqlStatus builds a status with code for pe: the message is pe's, with
// its detail and hint on further lines as libpq prints them, and the
// details hold an ErrorInfo with the SQLSTATE and the other fields. The
// context (Where) is in the ErrorInfo only: clients that cut the DETAIL and
// HINT lines off the message (quiver's Flight SQL backend) keep the rest.
func sqlStatus(code codes.Code, pe *pgerror.Error) error {
	var msg strings.Builder
	msg.WriteString(pe.Error())
	if pe.Detail != "" {
		msg.WriteString("\nDETAIL: ")
		msg.WriteString(pe.Detail)
	}
	if pe.Hint != "" {
		msg.WriteString("\nHINT: ")
		msg.WriteString(pe.Hint)
	}

	md := map[string]string{"sqlstate": pe.Code, "severity": pe.Severity}
	if pe.Detail != "" {
		md["detail"] = pe.Detail
	}
	if pe.Hint != "" {
		md["hint"] = pe.Hint
	}
	if pe.Where != "" {
		md["where"] = pe.Where
	}
	if pe.Position > 0 {
		md["position"] = strconv.Itoa(int(pe.Position))
	}
	st := status.New(code, msg.String())
	withInfo, err := st.WithDetails(&errdetails.ErrorInfo{
		Reason:   "SQLSTATE_" + pe.Code,
		Domain:   ErrorDomain,
		Metadata: md,
	})
	if err != nil {
		return st.Err()
	}
	return withInfo.Err()
}

// SQLState returns the SQLSTATE carried by a status error made by this
// package (or any error with the same ErrorInfo detail), or "" if none.
func SQLState(err error) string {
	st, ok := status.FromError(err)
	if !ok {
		return ""
	}
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetDomain() == ErrorDomain {
			return info.GetMetadata()["sqlstate"]
		}
	}
	return ""
}
