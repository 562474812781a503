package pgtest

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"sync"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgproto3"
)

// backendSamples returns one value of every backend message a transcript can
// print, keyed by the name used in until and receive blocks and in the "Type"
// of printed messages. Slices are filled so that marshalling shows every
// nested field.
func backendSamples() map[string]pgproto3.BackendMessage {
	msgs := []pgproto3.BackendMessage{
		&pgproto3.BackendKeyData{},
		&pgproto3.BindComplete{},
		&pgproto3.CloseComplete{},
		&pgproto3.CommandComplete{},
		&pgproto3.CopyBothResponse{},
		&pgproto3.CopyData{},
		&pgproto3.CopyDone{},
		&pgproto3.CopyInResponse{},
		&pgproto3.CopyOutResponse{},
		&pgproto3.DataRow{},
		&pgproto3.EmptyQueryResponse{},
		&pgproto3.ErrorResponse{},
		&pgproto3.FunctionCallResponse{},
		&pgproto3.NegotiateProtocolVersion{},
		&pgproto3.NoData{},
		&pgproto3.NoticeResponse{},
		&pgproto3.NotificationResponse{},
		&pgproto3.ParameterDescription{},
		&pgproto3.ParameterStatus{},
		&pgproto3.ParseComplete{},
		&pgproto3.PortalSuspended{},
		&pgproto3.ReadyForQuery{},
		&pgproto3.RowDescription{Fields: []pgproto3.FieldDescription{{}}},
	}
	m := make(map[string]pgproto3.BackendMessage, len(msgs))
	for _, msg := range msgs {
		m[typeName(msg)] = msg
	}
	return m
}

// backendFields maps each backend message name to the names of its printed
// fields, nested ones (such as RowDescription's TableOID) included.
var backendFields = sync.OnceValue(func() map[string]map[string]bool {
	all := make(map[string]map[string]bool)
	for name, msg := range backendSamples() {
		data, err := marshalBackend(msg)
		if err != nil {
			panic(fmt.Sprintf("pgtest: marshalling %s: %v", name, err))
		}
		fields := make(map[string]bool)
		collectKeys(data, fields, 2)
		delete(fields, "Type")
		all[name] = fields
	}
	return all
})

// collectKeys adds the keys of the JSON object data, and of objects inside
// its array values, to keys, down to depth levels of objects.
func collectKeys(data json.RawMessage, keys map[string]bool, depth int) {
	if depth == 0 {
		return
	}
	switch firstByte(data) {
	case '{':
		pairs, err := decodeObject(data)
		if err != nil {
			return
		}
		for _, p := range pairs {
			keys[p.key] = true
			collectKeys(p.value, keys, depth-1)
		}
	case '[':
		var elems []json.RawMessage
		if json.Unmarshal(data, &elems) == nil {
			for _, e := range elems {
				collectKeys(e, keys, depth)
			}
		}
	}
}

// typeName is the protocol name of a message, such as "ReadyForQuery".
func typeName(msg any) string {
	t := reflect.TypeOf(msg)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

// marshalBackend is the JSON form of a backend message. It is pgproto3's,
// except for NoticeResponse, which has none of its own, and DataRow, whose
// pgproto3 form prints non-UTF-8 bytes lossily.
func marshalBackend(msg pgproto3.BackendMessage) ([]byte, error) {
	switch m := msg.(type) {
	case *pgproto3.NoticeResponse:
		return json.Marshal((*pgproto3.ErrorResponse)(m))
	case *pgproto3.DataRow:
		return marshalDataRow(m)
	}
	return json.Marshal(msg)
}

// marshalDataRow prints each value as {"text": ...} when it is valid UTF-8
// without control characters, as {"binary": "<hex>"} otherwise, and NULL as
// null: the same shape pgproto3 parses.
func marshalDataRow(m *pgproto3.DataRow) ([]byte, error) {
	values := make([]map[string]string, len(m.Values))
	for i, v := range m.Values {
		switch {
		case v == nil:
		case printable(v):
			values[i] = map[string]string{"text": string(v)}
		default:
			values[i] = map[string]string{"binary": hex.EncodeToString(v)}
		}
	}
	return json.Marshal(struct {
		Type   string
		Values []map[string]string
	}{"DataRow", values})
}

// printable reports whether b is UTF-8 text without control characters.
func printable(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

// pair is one member of a JSON object, kept in its original order.
type pair struct {
	key   string
	value json.RawMessage
}

// decodeObject splits a JSON object into its members, in order.
func decodeObject(data []byte) ([]pair, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object: %s", data)
	}
	var pairs []pair
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		pairs = append(pairs, pair{key: tok.(string), value: v})
	}
	return pairs, nil
}

// encodeObject writes members as a compact JSON object.
func encodeObject(buf *bytes.Buffer, pairs []pair) {
	buf.WriteByte('{')
	for i, p := range pairs {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(p.key)
		buf.Write(k)
		buf.WriteByte(':')
		_ = json.Compact(buf, p.value)
	}
	buf.WriteByte('}')
}

func firstByte(data []byte) byte {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return 0
	}
	return data[0]
}

// isZero reports whether a JSON value is empty: "", 0, null, {} or [].
func isZero(v json.RawMessage) bool {
	switch string(bytes.TrimSpace(v)) {
	case `""`, "0", "null", "{}", "[]":
		return true
	}
	return false
}

// sortedNames lists a set's members in order, for messages.
func sortedNames(set map[string]bool) []string {
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
