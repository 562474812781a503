package pgtest

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
)

// raw is a frontend pseudo-message whose bytes go to the server unchanged. In
// a send block it is written {"Type":"Raw","Data":"<hex>"}, with the whole
// message (type byte and length included) in Data, so that transcripts can
// send what no well-behaved client would.
type raw []byte

// Frontend identifies raw as a message a client sends.
func (*raw) Frontend() {}

// Decode keeps src as the raw bytes.
func (r *raw) Decode(src []byte) error {
	*r = append((*r)[:0], src...)
	return nil
}

// Encode appends the raw bytes to dst as they are.
func (r *raw) Encode(dst []byte) ([]byte, error) { return append(dst, *r...), nil }

// newFrontendMessage returns an empty message for a send block's "Type".
func newFrontendMessage(typ string) (pgproto3.FrontendMessage, bool) {
	switch typ {
	case "Bind":
		return &pgproto3.Bind{}, true
	case "Close":
		return &pgproto3.Close{}, true
	case "CopyData":
		return &pgproto3.CopyData{}, true
	case "CopyDone":
		return &pgproto3.CopyDone{}, true
	case "CopyFail":
		return &pgproto3.CopyFail{}, true
	case "Describe":
		return &pgproto3.Describe{}, true
	case "Execute":
		return &pgproto3.Execute{}, true
	case "Flush":
		return &pgproto3.Flush{}, true
	case "FunctionCall":
		return &pgproto3.FunctionCall{}, true
	case "Parse":
		return &pgproto3.Parse{}, true
	case "Query":
		return &pgproto3.Query{}, true
	case "Sync":
		return &pgproto3.Sync{}, true
	case "Terminate":
		return &pgproto3.Terminate{}, true
	}
	return nil, false
}

// parseFrontend decodes one line of a send block: a JSON object whose "Type"
// names the message and whose other keys are the fields pgproto3 marshals
// for it. Unknown keys are an error, so a misspelt field is not ignored
// silently.
func parseFrontend(line string) (pgproto3.FrontendMessage, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(line), &fields); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	var typ string
	if err := json.Unmarshal(fields["Type"], &typ); err != nil || typ == "" {
		return nil, errors.New(`missing "Type"`)
	}
	delete(fields, "Type")
	if typ == "Raw" {
		return parseRaw(fields)
	}
	msg, ok := newFrontendMessage(typ)
	if !ok {
		return nil, fmt.Errorf("unknown frontend message type %q", typ)
	}
	if err := checkFields(msg, fields); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(line), msg); err != nil {
		return nil, fmt.Errorf("%s: %w", typ, err)
	}
	return msg, nil
}

// checkFields rejects keys that msg's JSON form does not have. Messages with
// their own UnmarshalJSON would otherwise drop unknown keys without a word.
func checkFields(msg pgproto3.FrontendMessage, fields map[string]json.RawMessage) error {
	known, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	keys, err := objectKeys(known)
	if err != nil {
		return err
	}
	for k := range fields {
		if !keys[k] {
			return fmt.Errorf("%T has no field %q", msg, k)
		}
	}
	return nil
}

// objectKeys returns the top-level keys of a JSON object.
func objectKeys(data []byte) (map[string]bool, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	keys := make(map[string]bool, len(m))
	for k := range m {
		keys[k] = true
	}
	return keys, nil
}

// parseRaw decodes the fields of a Raw pseudo-message.
func parseRaw(fields map[string]json.RawMessage) (pgproto3.FrontendMessage, error) {
	var data string
	for k, v := range fields {
		if k != "Data" {
			return nil, fmt.Errorf("Raw has no field %q", k)
		}
		if err := json.Unmarshal(v, &data); err != nil {
			return nil, fmt.Errorf("Raw.Data: %w", err)
		}
	}
	b, err := hex.DecodeString(strings.ReplaceAll(data, " ", ""))
	if err != nil {
		return nil, fmt.Errorf("Raw.Data: %w", err)
	}
	if len(b) == 0 {
		return nil, errors.New("Raw.Data is empty")
	}
	r := raw(b)
	return &r, nil
}
