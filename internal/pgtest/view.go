package pgtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
)

// Messages left out of until and receive output unless a block keeps them:
// they depend on the server's settings and version, not on the protocol
// exchange under test.
var defaultHiddenTypes = []string{"BackendKeyData", "NoticeResponse", "ParameterStatus"}

// Fields printed for errors and notices unless a block keeps more: the
// SQLSTATE and severity are the contract, message texts and source locations
// are not.
var errorFields = []string{"Severity", "Code", "Position"}

// Fields left out unless a block keeps them: which table a result column
// came from is known only to engines with PostgreSQL's catalog.
var defaultHiddenFields = map[string][]string{
	"RowDescription": {"TableOID", "TableAttributeNumber"},
}

// view decides which received messages, and which of their fields, a block
// prints. Its zero value is not usable; build one with newView.
type view struct {
	hiddenTypes  map[string]bool
	hiddenFields map[string]map[string]bool
}

// newView applies a directive's arguments to the defaults. Arguments are
// ignore=ITEM[,ITEM...] and keep=ITEM[,ITEM...], where ITEM is a message type
// (DataRow) or a field of one (ErrorResponse.Message). ignore hides an item,
// keep shows one hidden by default. The message types a block waits for are
// always shown.
func newView(args []string, waited []string) (*view, error) {
	v := &view{hiddenTypes: make(map[string]bool), hiddenFields: make(map[string]map[string]bool)}
	for _, t := range defaultHiddenTypes {
		v.hiddenTypes[t] = true
	}
	for _, t := range []string{"ErrorResponse", "NoticeResponse"} {
		v.hideAllFieldsBut(t, errorFields)
	}
	for t, fields := range defaultHiddenFields {
		for _, f := range fields {
			v.hideField(t, f, true)
		}
	}
	for _, arg := range args {
		key, list, ok := strings.Cut(arg, "=")
		if !ok || (key != "ignore" && key != "keep") || list == "" {
			return nil, fmt.Errorf("bad argument %q: want ignore=ITEM[,ITEM] or keep=ITEM[,ITEM]", arg)
		}
		for _, item := range strings.Split(list, ",") {
			if err := v.set(item, key == "ignore"); err != nil {
				return nil, err
			}
		}
	}
	for _, t := range waited {
		delete(v.hiddenTypes, t)
	}
	return v, nil
}

// hideAllFieldsBut hides every field of message type t not listed in keep.
func (v *view) hideAllFieldsBut(t string, keep []string) {
	for f := range backendFields()[t] {
		v.hideField(t, f, true)
	}
	for _, f := range keep {
		v.hideField(t, f, false)
	}
}

func (v *view) hideField(t, f string, hide bool) {
	if v.hiddenFields[t] == nil {
		v.hiddenFields[t] = make(map[string]bool)
	}
	v.hiddenFields[t][f] = hide
}

// set hides or shows one ITEM of an ignore or keep argument.
func (v *view) set(item string, hide bool) error {
	t, f, isField := strings.Cut(item, ".")
	fields, ok := backendFields()[t]
	if !ok {
		return fmt.Errorf("unknown backend message type %q in %q", t, item)
	}
	if !isField {
		v.hiddenTypes[t] = hide
		return nil
	}
	if !fields[f] {
		return fmt.Errorf("%s has no field %q (it has %s)", t, f, strings.Join(sortedNames(fields), ", "))
	}
	v.hideField(t, f, hide)
	return nil
}

// render prints msg as one line of JSON, or reports that the view hides it.
// Errors and notices also leave out empty fields, which are fields the server
// did not send.
func (v *view) render(msg pgproto3.BackendMessage) (line string, shown bool, err error) {
	t := typeName(msg)
	if v.hiddenTypes[t] {
		return "", false, nil
	}
	data, err := marshalBackend(msg)
	if err != nil {
		return "", false, err
	}
	pairs, err := decodeObject(data)
	if err != nil {
		return "", false, err
	}
	hidden := v.hiddenFields[t]
	omitEmpty := t == "ErrorResponse" || t == "NoticeResponse"
	out := []pair{{key: "Type", value: mustMarshal(t)}}
	for _, p := range pairs {
		if p.key == "Type" || hidden[p.key] || (omitEmpty && isZero(p.value)) {
			continue
		}
		if firstByte(p.value) == '[' && len(hidden) > 0 {
			if p.value, err = filterElements(p.value, hidden); err != nil {
				return "", false, err
			}
		}
		out = append(out, p)
	}
	var buf bytes.Buffer
	encodeObject(&buf, out)
	return buf.String(), true, nil
}

// filterElements removes hidden keys from the objects in a JSON array, such
// as the field descriptions of a RowDescription.
func filterElements(data json.RawMessage, hidden map[string]bool) (json.RawMessage, error) {
	var elems []json.RawMessage
	if err := json.Unmarshal(data, &elems); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i, e := range elems {
		if i > 0 {
			buf.WriteByte(',')
		}
		if firstByte(e) != '{' {
			buf.Write(e)
			continue
		}
		pairs, err := decodeObject(e)
		if err != nil {
			return nil, err
		}
		kept := pairs[:0]
		for _, p := range pairs {
			if !hidden[p.key] {
				kept = append(kept, p)
			}
		}
		encodeObject(&buf, kept)
	}
	buf.WriteByte(']')
	return buf.Bytes(), nil
}

func mustMarshal(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
