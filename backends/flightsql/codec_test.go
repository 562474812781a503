package flightsql

import (
	"bytes"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// flightDataSeeds are FlightData messages as servers send them, and some
// that only protobuf's own decoder reads right, with a body of bodySize
// bytes.
func flightDataSeeds(t testing.TB, bodySize int) [][]byte {
	marshal := func(fd *flight.FlightData) []byte {
		b, err := proto.Marshal(fd)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	body := bytes.Repeat([]byte{1, 2, 3, 4, 5}, bodySize/5)
	desc := &flight.FlightDescriptor{Type: flight.DescriptorCMD, Cmd: []byte("select 1")}
	full := marshal(&flight.FlightData{FlightDescriptor: desc, DataHeader: []byte("header"), AppMetadata: []byte("meta"), DataBody: body})
	var unknown []byte
	unknown = protowire.AppendTag(unknown, 7, protowire.VarintType)
	unknown = protowire.AppendVarint(unknown, 42)
	var twice []byte
	twice = protowire.AppendTag(twice, fieldDataHeader, protowire.BytesType)
	twice = protowire.AppendBytes(twice, []byte("first"))
	twice = protowire.AppendTag(twice, fieldDataHeader, protowire.BytesType)
	twice = protowire.AppendBytes(twice, []byte("second"))
	var wrongType []byte
	wrongType = protowire.AppendTag(wrongType, fieldDataBody, protowire.VarintType)
	wrongType = protowire.AppendVarint(wrongType, 1)
	return [][]byte{
		nil,
		marshal(&flight.FlightData{DataHeader: []byte("header")}),
		marshal(&flight.FlightData{DataHeader: []byte("header"), DataBody: body}),
		full,
		append(bytes.Clone(full), unknown...), // an unknown field
		append(bytes.Clone(full), marshal(&flight.FlightData{FlightDescriptor: desc})...), // two descriptors, merged
		twice,
		wrongType,
		full[:len(full)-1], // truncated
		{0xff},             // a bad tag
	}
}

// checkFlightData decodes msg, split into parts of size split, with the
// codec and with protobuf, and compares the messages.
func checkFlightData(t *testing.T, msg []byte, split int) {
	var data mem.BufferSlice
	for rest := msg; len(rest) > 0; {
		n := min(split, len(rest))
		data = append(data, mem.SliceBuffer(rest[:n]))
		rest = rest[n:]
	}
	var got, want flight.FlightData
	gotErr := flightDataCodec{}.Unmarshal(data, &got)
	wantErr := proto.Unmarshal(msg, &want)
	if (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("codec error %v, protobuf error %v", gotErr, wantErr)
	}
	if wantErr == nil && !proto.Equal(&got, &want) {
		t.Fatalf("codec read %v, protobuf %v", &got, &want)
	}
}

func TestFlightDataCodec(t *testing.T) {
	for i, msg := range flightDataSeeds(t, 50_000) {
		for _, split := range []int{1 << 30, 16 << 10, 7} {
			checkFlightData(t, msg, split)
		}
		if i == 3 {
			// The body is a slice of one buffer read from the frames, not a
			// copy of it.
			var fd flight.FlightData
			if err := (flightDataCodec{}).Unmarshal(mem.BufferSlice{mem.SliceBuffer(msg[:100]), mem.SliceBuffer(msg[100:])}, &fd); err != nil {
				t.Fatal(err)
			}
			if &fd.DataBody[:cap(fd.DataBody)][cap(fd.DataBody)-1] != &fd.DataHeader[:cap(fd.DataHeader)][cap(fd.DataHeader)-1] {
				t.Error("the header and the body are not slices of the same buffer")
			}
			if &fd.DataBody[0] == &msg[len(msg)-len(fd.DataBody)] {
				t.Error("the body aliases gRPC's frame buffer, which gRPC reuses")
			}
		}
	}
}

// The codec leaves other messages to gRPC's protobuf codec.
func TestFlightDataCodecOtherMessages(t *testing.T) {
	in := &flight.FlightInfo{TotalRecords: 12, Endpoint: []*flight.FlightEndpoint{{Ticket: &flight.Ticket{Ticket: []byte("t")}}}}
	data, err := flightDataCodec{}.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out flight.FlightInfo
	if err := (flightDataCodec{}).Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(in, &out) {
		t.Fatalf("got %v, want %v", &out, in)
	}
}

func FuzzFlightDataCodec(f *testing.F) {
	for _, msg := range flightDataSeeds(f, 50) {
		f.Add(msg, 16)
	}
	f.Fuzz(func(t *testing.T, msg []byte, split int) {
		checkFlightData(t, msg, max(1, split))
	})
}
