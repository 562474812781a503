package flightsrv

import (
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/flight"
	pb "github.com/apache/arrow-go/v18/arrow/flight/gen/flight"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// Streaming query results without copying them
//
// arrow-go's Flight SQL router streams a DoGet through flight.Writer,
// which copies each batch's IPC body into a buffer of its own, after
// which gRPC's proto codec copies that into a zeroed buffer of the
// message's size. For the results of statements (the big ones) DoGet is
// answered here instead: each FlightData message is a dataMessage that
// refers to the batch's buffers, and the server's codec (flightCodec)
// hands those buffers to gRPC as they are, holding the batch until gRPC
// has written them to the connection. Other tickets (the catalog calls)
// go to the router.

// zeroCopyMin is the smallest piece of a message body passed to gRPC
// without a copy; smaller pieces (padding, small columns) are copied
// into the message's header buffer.
const zeroCopyMin = 16 << 10

// DoGet streams the rows of a statement or prepared statement ticket, and
// passes any other ticket to arrow-go's router.
func (f *flightService) DoGet(t *flight.Ticket, stream flight.FlightService_DoGetServer) error {
	var anyCmd anypb.Any
	if proto.Unmarshal(t.GetTicket(), &anyCmd) != nil {
		return f.FlightServer.DoGet(t, stream)
	}
	cmd, err := anyCmd.UnmarshalNew()
	if err != nil {
		return f.FlightServer.DoGet(t, stream)
	}
	var (
		schema *arrow.Schema
		chunks <-chan flight.StreamChunk
	)
	switch cmd := cmd.(type) {
	case *pb.TicketStatementQuery:
		schema, chunks, err = f.srv.sql.DoGetStatement(stream.Context(), cmd)
	case *pb.CommandPreparedStatementQuery:
		schema, chunks, err = f.srv.sql.DoGetPreparedStatement(stream.Context(), cmd)
	default:
		return f.FlightServer.DoGet(t, stream)
	}
	if err != nil {
		return err
	}
	return writeChunks(stream, schema, chunks)
}

// writeChunks writes a schema and its chunks to a DoGet stream, as
// arrow-go's router does, but through dataWriter. The chunks are
// released, and the channel drained, whatever happens.
func writeChunks(stream flight.FlightService_DoGetServer, schema *arrow.Schema, chunks <-chan flight.StreamChunk) error {
	defer func() {
		for c := range chunks {
			if c.Data != nil {
				c.Data.Release()
			}
		}
	}()
	dw := &dataWriter{stream: stream}
	// The IPC writer allocates only when it must rewrite a sliced column
	// (offsets, bitmaps). Those buffers are freed when Write returns, but a
	// message may still refer to them: from Go's allocator they live on as
	// long as anything refers to them.
	w := ipc.NewWriterWithPayloadWriter(dw, ipc.WithSchema(schema), ipc.WithAllocator(memory.NewGoAllocator()))
	defer w.Close()
	ctx := stream.Context()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case c, ok := <-chunks:
			if !ok {
				return nil
			}
			if c.Err != nil {
				if c.Data != nil {
					c.Data.Release()
				}
				return c.Err
			}
			if c.Desc != nil {
				dw.desc = c.Desc
			}
			dw.chunk = c
			err := w.Write(c.Data)
			dw.chunk = flight.StreamChunk{}
			c.Data.Release()
			if err != nil {
				return err
			}
		}
	}
}

// dataWriter is the ipc.PayloadWriter of a DoGet stream: it sends each
// IPC message as a dataMessage.
type dataWriter struct {
	stream flight.FlightService_DoGetServer
	desc   *flight.FlightDescriptor // for the next message
	chunk  flight.StreamChunk       // the one being written
}

// Start implements ipc.PayloadWriter.
func (w *dataWriter) Start() error { return nil }

// Close implements ipc.PayloadWriter.
func (w *dataWriter) Close() error { return nil }

// WritePayload implements ipc.PayloadWriter.
func (w *dataWriter) WritePayload(p ipc.Payload) error {
	meta := p.Meta()
	defer meta.Release()
	m := &dataMessage{desc: w.desc, header: meta.Bytes(), appMetadata: w.chunk.AppMetadata, rec: w.chunk.Data}
	w.desc = nil
	if err := p.SerializeBody(m); err != nil {
		return err
	}
	return w.stream.SendMsg(m)
}

// dataMessage is a FlightData message whose body is the pieces of the
// IPC body as the IPC writer wrote them: the record batch's own buffers
// (or buffers the writer made from them) and padding. It is valid until
// the SendMsg that sends it returns; flightCodec holds rec as long as
// gRPC holds the pieces.
type dataMessage struct {
	desc        *flight.FlightDescriptor
	header      []byte
	appMetadata []byte
	body        [][]byte
	size        int
	rec         arrow.RecordBatch // the batch the body comes from, if any
}

// Write adds a piece to the body: IPC's Payload.SerializeBody writes each
// buffer with one call, and the piece is kept, not copied.
func (m *dataMessage) Write(p []byte) (int, error) {
	m.body = append(m.body, p)
	m.size += len(p)
	return len(p), nil
}

// marshal encodes m as the FlightData message it stands for (fields
// flight_descriptor 1, data_header 2, app_metadata 3, data_body 1000),
// the large pieces of the body as buffers of their own.
func (m *dataMessage) marshal() (mem.BufferSlice, error) {
	var b []byte
	if m.desc != nil {
		d, err := proto.Marshal(m.desc)
		if err != nil {
			return nil, err
		}
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendBytes(b, d)
	}
	if len(m.header) > 0 {
		b = protowire.AppendTag(b, 2, protowire.BytesType)
		b = protowire.AppendBytes(b, m.header)
	}
	if len(m.appMetadata) > 0 {
		b = protowire.AppendTag(b, 3, protowire.BytesType)
		b = protowire.AppendBytes(b, m.appMetadata)
	}
	if m.size == 0 {
		return mem.BufferSlice{mem.SliceBuffer(b)}, nil
	}
	b = protowire.AppendTag(b, 1000, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(m.size))
	var (
		out   mem.BufferSlice
		owner *batchOwner
	)
	for _, p := range m.body {
		if len(p) < zeroCopyMin || m.rec == nil {
			b = append(b, p...)
			continue
		}
		if len(b) > 0 {
			out = append(out, mem.SliceBuffer(b))
			b = nil
		}
		if owner == nil {
			m.rec.Retain()
			owner = &batchOwner{rec: m.rec}
		}
		owner.refs.Add(1)
		piece := p
		out = append(out, mem.NewBuffer(&piece, owner))
	}
	if len(b) > 0 {
		out = append(out, mem.SliceBuffer(b))
	}
	return out, nil
}

// batchOwner is the mem.BufferPool of the pieces of one message that refer
// to a record batch: the batch is released when gRPC has freed them all.
type batchOwner struct {
	rec  arrow.RecordBatch
	refs atomic.Int32
}

// Get implements mem.BufferPool; gRPC does not take buffers from it.
func (o *batchOwner) Get(n int) *[]byte {
	b := make([]byte, n)
	return &b
}

// Put implements mem.BufferPool: gRPC is done with one piece.
func (o *batchOwner) Put(*[]byte) {
	if o.refs.Add(-1) == 0 {
		o.rec.Release()
	}
}

// flightCodec is the server's gRPC codec: gRPC's proto codec, which also
// encodes dataMessages.
type flightCodec struct{ proto encoding.CodecV2 }

func newFlightCodec() flightCodec {
	return flightCodec{proto: encoding.GetCodecV2(grpcproto.Name)}
}

// Marshal implements encoding.CodecV2.
func (c flightCodec) Marshal(v any) (mem.BufferSlice, error) {
	if m, ok := v.(*dataMessage); ok {
		return m.marshal()
	}
	return c.proto.Marshal(v)
}

// Unmarshal implements encoding.CodecV2.
func (c flightCodec) Unmarshal(data mem.BufferSlice, v any) error {
	return c.proto.Unmarshal(data, v)
}

// Name implements encoding.CodecV2: it stands in for the proto codec.
func (c flightCodec) Name() string { return grpcproto.Name }
