package flightsrv

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	pb "github.com/apache/arrow-go/v18/arrow/flight/gen/flight"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/quiverdb/quiver/pgerror"
)

// CancelFlightInfo cancels the statement behind a FlightInfo: a DoGet in
// progress fails with 57014 (Canceled) promptly, as the backend interrupts
// the statement; a ticket not yet redeemed fails the same way when it is.
// A statement that already finished is NOT_CANCELLABLE.
func (h *sqlServer) CancelFlightInfo(ctx context.Context, req *flight.CancelFlightInfoRequest) (flight.CancelFlightInfoResult, error) {
	info := req.GetInfo()
	if info == nil {
		return flight.CancelFlightInfoResult{Status: flight.CancelStatusUnspecified},
			toStatus(pgerror.New(pgerror.InvalidParameterValue, "CancelFlightInfo needs a FlightInfo"))
	}
	status := flight.CancelStatusNotCancellable
	for _, ep := range info.GetEndpoint() {
		ss, id, ok := h.cancellable(ctx, ep.GetTicket().GetTicket())
		if ok && ss.cancel(id) {
			status = flight.CancelStatusCancelled
		}
	}
	return flight.CancelFlightInfoResult{Status: status}, nil
}

// cancellable returns the session and statement number a ticket names, if
// it names a statement.
func (h *sqlServer) cancellable(ctx context.Context, tkt []byte) (*session, uint64, bool) {
	var anycmd anypb.Any
	if proto.Unmarshal(tkt, &anycmd) != nil {
		return nil, 0, false
	}
	msg, err := anycmd.UnmarshalNew()
	if err != nil {
		return nil, 0, false
	}
	var hd handle
	switch m := msg.(type) {
	case *pb.TicketStatementQuery:
		if hd, err = ticketHandle(m.GetStatementHandle()); err != nil {
			return nil, 0, false
		}
	case *pb.CommandPreparedStatementQuery:
		if hd, _, err = parseHandle(m.GetPreparedStatementHandle(), kindPrepared); err != nil {
			return nil, 0, false
		}
	default:
		return nil, 0, false
	}
	ss, err := callFrom(ctx).sessionByID(hd.sess)
	if err != nil {
		return nil, 0, false
	}
	return ss, hd.obj, true
}

// PollFlightInfoStatement answers at once with the final FlightInfo: the
// query is prepared, and runs when its ticket is redeemed.
func (h *sqlServer) PollFlightInfoStatement(ctx context.Context, cmd flightsql.StatementQuery, desc *flight.FlightDescriptor) (*flight.PollInfo, error) {
	info, err := h.GetFlightInfoStatement(ctx, cmd, desc)
	return pollDone(info, err)
}

// PollFlightInfoPreparedStatement answers at once with the final
// FlightInfo.
func (h *sqlServer) PollFlightInfoPreparedStatement(ctx context.Context, cmd flightsql.PreparedStatementQuery, desc *flight.FlightDescriptor) (*flight.PollInfo, error) {
	info, err := h.GetFlightInfoPreparedStatement(ctx, cmd, desc)
	return pollDone(info, err)
}

// PollFlightInfo answers other descriptors: none can be polled.
func (h *sqlServer) PollFlightInfo(context.Context, *flight.FlightDescriptor) (*flight.PollInfo, error) {
	return nil, toStatus(pgerror.New(pgerror.FeatureNotSupported, "PollFlightInfo supports statements and prepared statements only"))
}

func pollDone(info *flight.FlightInfo, err error) (*flight.PollInfo, error) {
	if err != nil {
		return nil, err
	}
	return &flight.PollInfo{Info: info, Progress: proto.Float64(1)}, nil
}
