package flightsrv

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"

	"github.com/quiverdb/quiver/pgerror"
)

// sessionID names a session inside handles. It is random, and distinct from
// the session's key (token or cookie), which a handle never reveals.
type sessionID [16]byte

func (id sessionID) String() string { return hex.EncodeToString(id[:6]) }

func newSessionID() sessionID {
	var id sessionID
	_, _ = rand.Read(id[:])
	return id
}

// newKey returns a fresh bearer token or cookie value.
func newKey() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Handle kinds. A handle is
//
//	version(1) kind(1) session(16) object(8) [extra...]
//
// where object numbers a statement, transaction or savepoint within the
// session. Statement tickets add the transaction's object number and the
// SQL; savepoint ids add the transaction's object number.
const (
	handleVersion = 1

	kindTicket    byte = 'Q'
	kindPrepared  byte = 'P'
	kindTxn       byte = 'T'
	kindSavepoint byte = 'S'
	kindPart      byte = 'R' // a part of a query read in parts (scan.go)

	handleLen = 2 + len(sessionID{}) + 8
)

// handle is a decoded handle.
type handle struct {
	kind byte
	sess sessionID
	obj  uint64
}

func (h handle) appendTo(b []byte) []byte {
	b = append(b, handleVersion, h.kind)
	b = append(b, h.sess[:]...)
	return binary.BigEndian.AppendUint64(b, h.obj)
}

func (h handle) bytes() []byte { return h.appendTo(make([]byte, 0, handleLen)) }

// parseHandle decodes a handle of the given kind and returns what follows it.
func parseHandle(b []byte, kind byte) (handle, []byte, error) {
	if len(b) < handleLen || b[0] != handleVersion || b[1] != kind {
		return handle{}, nil, pgerror.New(pgerror.InvalidParameterValue, "invalid %s handle", kindName(kind))
	}
	h := handle{kind: kind}
	copy(h.sess[:], b[2:])
	h.obj = binary.BigEndian.Uint64(b[2+len(h.sess):])
	return h, b[handleLen:], nil
}

func kindName(kind byte) string {
	switch kind {
	case kindTicket:
		return "statement"
	case kindPrepared:
		return "prepared statement"
	case kindTxn:
		return "transaction"
	case kindSavepoint:
		return "savepoint"
	case kindPart:
		return "statement"
	}
	return "unknown"
}

// ticket is a decoded statement ticket: the prepared query it names, the
// transaction it runs in (0 for none) and its SQL, to prepare it again if
// the statement is gone.
type ticket struct {
	handle
	txn uint64
	sql string
}

func (t ticket) bytes() []byte {
	b := make([]byte, 0, handleLen+8+len(t.sql))
	b = t.handle.appendTo(b)
	b = binary.BigEndian.AppendUint64(b, t.txn)
	return append(b, t.sql...)
}

func parseTicket(b []byte) (ticket, error) {
	h, rest, err := parseHandle(b, kindTicket)
	if err != nil || len(rest) < 8 {
		return ticket{}, pgerror.New(pgerror.InvalidParameterValue, "invalid statement ticket")
	}
	return ticket{handle: h, txn: binary.BigEndian.Uint64(rest), sql: string(rest[8:])}, nil
}

// ticketHandle returns the handle of a statement ticket or a part's.
func ticketHandle(b []byte) (handle, error) {
	if len(b) > 1 && b[1] == kindPart {
		t, err := parsePartTicket(b)
		return t.handle, err
	}
	t, err := parseTicket(b)
	return t.handle, err
}

// savepointID is a savepoint handle: the savepoint's object number and its
// transaction's.
type savepointID struct {
	handle
	txn uint64
}

func (s savepointID) bytes() []byte {
	return binary.BigEndian.AppendUint64(s.handle.appendTo(make([]byte, 0, handleLen+8)), s.txn)
}

func parseSavepoint(b []byte) (savepointID, error) {
	h, rest, err := parseHandle(b, kindSavepoint)
	if err != nil || len(rest) != 8 {
		return savepointID{}, pgerror.New(pgerror.InvalidParameterValue, "invalid savepoint id")
	}
	return savepointID{handle: h, txn: binary.BigEndian.Uint64(rest)}, nil
}
