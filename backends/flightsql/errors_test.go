package flightsql

import (
	"strings"
	"testing"

	"github.com/apache/arrow-adbc/go/adbc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/quiverdb/quiver/backends/flightsql/adbcbackend"
	"github.com/quiverdb/quiver/pgerror"
)

func TestErrorTablesComplete(t *testing.T) {
	for c := codes.Code(0); !strings.HasPrefix(c.String(), "Code("); c++ {
		if code, ok := GRPCCodes[c]; !ok || len(code) != 5 {
			t.Errorf("gRPC code %s has no SQLSTATE", c)
		}
	}
	for s := adbc.Status(0); !strings.HasPrefix(s.String(), "Status("); s++ {
		if code, ok := adbcbackend.StatusCodes[s]; !ok || len(code) != 5 {
			t.Errorf("ADBC status %s has no SQLSTATE", s)
		}
	}
	if len(GRPCCodes) != 17 || len(adbcbackend.StatusCodes) != 15 {
		t.Errorf("tables have %d and %d entries; a new code needs a decision", len(GRPCCodes), len(adbcbackend.StatusCodes))
	}
}

func TestMapError(t *testing.T) {
	for _, c := range []struct {
		err           error
		code, msg, dt string
	}{
		{adbc.Error{Code: adbc.StatusUnknown, VendorCode: int32(codes.InvalidArgument), Msg: "[FlightSQL] bad query (InvalidArgument; ExecuteQuery)"},
			pgerror.SyntaxErrorOrAccessRuleViolation, "bad query", "gRPC status InvalidArgument in ExecuteQuery"},
		{adbc.Error{Code: adbc.StatusIO, VendorCode: int32(codes.Unavailable), Msg: "[FlightSQL] gone (Unavailable; DoGet: endpoint 0: []; possible causes: x)"},
			pgerror.ConnectionFailure, "gone", "gRPC status Unavailable in DoGet: endpoint 0: []; possible causes: x"},
		{status.Error(codes.PermissionDenied, "no"), pgerror.InsufficientPrivilege, "no", "gRPC status PermissionDenied"},
		{adbc.Error{Code: adbc.StatusIntegrity, VendorCode: int32(codes.Unknown), SqlState: [5]byte{'2', '3', '5', '0', '5'}}, "", "", ""},
		{adbc.Error{Code: adbc.StatusNotImplemented, Msg: "made by the driver"}, "", "", ""},
	} {
		e := mapError(c.err)
		if c.code == "" {
			if e != nil {
				t.Errorf("%v: mapped to %v, want it left to adbcbackend", c.err, e)
			}
			continue
		}
		if e == nil || e.Code != c.code || e.Message != c.msg || e.Detail != c.dt {
			t.Errorf("%v: got %+v, want %s %q %q", c.err, e, c.code, c.msg, c.dt)
		}
	}
	if !isBroken(status.Error(codes.Unavailable, "x")) || !isBroken(adbc.Error{Code: adbc.StatusIO, VendorCode: int32(codes.Unavailable)}) || isBroken(adbc.Error{Code: adbc.StatusIO}) {
		t.Error("isBroken")
	}
}
