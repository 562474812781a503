package flightsql

import (
	"errors"
	"strconv"
	"strings"

	"github.com/apache/arrow-adbc/go/adbc"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/quiverdb/quiver/pgerror"
)

// errorInfo finds a google.rpc.ErrorInfo detail carrying a "sqlstate" in
// its metadata, as quiver's own Flight SQL frontend sends with every error:
// from a gRPC status, or from the details the ADBC driver copied out of one.
func errorInfo(err error) *errdetails.ErrorInfo {
	if st, ok := status.FromError(err); ok {
		for _, d := range st.Details() {
			if info, ok := d.(*errdetails.ErrorInfo); ok && len(info.GetMetadata()["sqlstate"]) == 5 {
				return info
			}
		}
	}
	var ae adbc.Error
	if !errors.As(err, &ae) {
		return nil
	}
	for _, d := range ae.Details {
		if d.Key() != "grpc-status-details-bin" {
			continue
		}
		raw, serr := d.Serialize()
		if serr != nil {
			continue
		}
		var a anypb.Any
		if proto.Unmarshal(raw, &a) != nil {
			continue
		}
		var info errdetails.ErrorInfo
		if a.UnmarshalTo(&info) == nil && len(info.GetMetadata()["sqlstate"]) == 5 {
			return &info
		}
	}
	return nil
}

// fromErrorInfo rebuilds the PostgreSQL error a server described with an
// ErrorInfo: its SQLSTATE, message, detail, hint and position.
func fromErrorInfo(err error, info *errdetails.ErrorInfo, message string) *pgerror.Error {
	md := info.GetMetadata()
	code := md["sqlstate"]
	e := pgerror.Wrap(err, code)
	// The frontend's status message is "message (SQLSTATE xxxxx)" followed
	// by DETAIL and HINT lines; keep the message only.
	message, _, _ = strings.Cut(message, "\nDETAIL: ")
	message, _, _ = strings.Cut(message, "\nHINT: ")
	e.Message = strings.TrimSuffix(message, " (SQLSTATE "+code+")")
	e.Detail, e.Hint, e.Where = md["detail"], md["hint"], md["where"]
	if sev := md["severity"]; sev != "" {
		e.Severity = sev
	}
	if p, perr := strconv.Atoi(md["position"]); perr == nil {
		e.Position = int32(p)
	}
	return e
}
