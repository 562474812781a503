package handshake

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"

	"github.com/jackc/pgx/v5/pgproto3"
)

// CancelKey is the key of a session, sent to the client in BackendKeyData and
// sent back in a CancelRequest on a new connection to cancel the session's
// running statement. See
// https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-CANCELING-REQUESTS.
type CancelKey struct {
	ProcessID uint32
	Secret    uint32
}

// NewCancelKey returns a key for process pid with a secret from crypto/rand.
func NewCancelKey(pid uint32) CancelKey {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("handshake: crypto/rand failed: " + err.Error()) // never happens on supported platforms
	}
	return CancelKey{ProcessID: pid, Secret: binary.BigEndian.Uint32(b[:])}
}

// Matches reports whether k and other are the same key, comparing the
// secrets in constant time.
func (k CancelKey) Matches(other CancelKey) bool {
	var a, b [4]byte
	binary.BigEndian.PutUint32(a[:], k.Secret)
	binary.BigEndian.PutUint32(b[:], other.Secret)
	return k.ProcessID == other.ProcessID && subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// BackendKeyData returns the message that gives the key to the client.
func (k CancelKey) BackendKeyData() *pgproto3.BackendKeyData {
	return &pgproto3.BackendKeyData{
		ProcessID: k.ProcessID,
		SecretKey: binary.BigEndian.AppendUint32(nil, k.Secret),
	}
}

// parseCancel decodes a CancelRequest body. A request whose secret is not the
// four bytes protocol 3.0 defines is refused, so it is dropped unanswered.
func parseCancel(body []byte) (CancelKey, bool) {
	var m pgproto3.CancelRequest
	if len(body) != 12 || m.Decode(body) != nil || len(m.SecretKey) != 4 {
		return CancelKey{}, false
	}
	return CancelKey{ProcessID: m.ProcessID, Secret: binary.BigEndian.Uint32(m.SecretKey)}, true
}
