package flightsql

import (
	"bytes"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// flightDataCodec is the gRPC codec of the backend's connections. It is
// gRPC's protobuf codec, except that a FlightData message (a record batch
// of a DoGet stream) is read with one copy and no clearing. gRPC's own
// codec gathers a message of several HTTP/2 frames into a pooled buffer,
// which the pool first clears whole (1 MiB for any message between 32 KiB
// and 1 MiB), and protobuf then copies the body out of it again. Here the
// frames are gathered into a buffer that is not cleared and belongs to the
// message, and the header, metadata and body are slices of it, as
// Flight.proto invites ("it is expected that some implementations will
// fetch this field off the wire with specialized code to avoid extra
// memory copies"). The Arrow record batch read from the message keeps the
// buffer alive; the garbage collector frees it after the batch. Nothing
// aliases gRPC's frame buffers, which gRPC reuses once Unmarshal returns.
//
// Its Name is empty so that the calls' content type stays
// "application/grpc", as with gRPC's default codec.
type flightDataCodec struct{}

var protoCodec = encoding.GetCodecV2(grpcproto.Name)

// Name implements encoding.CodecV2.
func (flightDataCodec) Name() string { return "" }

// Marshal implements encoding.CodecV2 with gRPC's protobuf codec.
func (flightDataCodec) Marshal(v any) (mem.BufferSlice, error) { return protoCodec.Marshal(v) }

// Unmarshal implements encoding.CodecV2.
func (flightDataCodec) Unmarshal(data mem.BufferSlice, v any) error {
	fd, ok := v.(*flight.FlightData)
	if !ok {
		return protoCodec.Unmarshal(data, v)
	}
	parts := make([][]byte, len(data))
	for i, b := range data {
		parts[i] = b.ReadOnlyData()
	}
	// bytes.Join allocates without clearing, and copies once.
	return unmarshalFlightData(bytes.Join(parts, nil), fd)
}

// Field numbers of FlightData in Flight.proto.
const (
	fieldFlightDescriptor = 1
	fieldDataHeader       = 2
	fieldAppMetadata      = 3
	fieldDataBody         = 1000
)

// unmarshalFlightData decodes buf into fd, whose byte fields become slices
// of buf. A message with fields FlightData does not have, with a wire type
// they do not have, or with two descriptors (which protobuf merges) is left
// to protobuf, which copies. A byte field given twice keeps the last, as
// in protobuf.
func unmarshalFlightData(buf []byte, fd *flight.FlightData) error {
	fd.Reset()
	var desc []byte
	for b := buf; len(b) > 0; {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 || typ != protowire.BytesType {
			return proto.Unmarshal(buf, fd)
		}
		b = b[n:]
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return proto.Unmarshal(buf, fd)
		}
		b = b[n:]
		switch num {
		case fieldFlightDescriptor:
			if desc != nil {
				return proto.Unmarshal(buf, fd)
			}
			desc = v
		case fieldDataHeader:
			fd.DataHeader = v
		case fieldAppMetadata:
			fd.AppMetadata = v
		case fieldDataBody:
			fd.DataBody = v
		default:
			return proto.Unmarshal(buf, fd)
		}
	}
	if desc != nil {
		fd.FlightDescriptor = &flight.FlightDescriptor{}
		if err := proto.Unmarshal(desc, fd.FlightDescriptor); err != nil {
			return err
		}
	}
	return nil
}
