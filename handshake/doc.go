// Package handshake runs the start of a PostgreSQL v3 connection: the
// SSLRequest and GSSENCRequest negotiation, the CancelRequest, the
// StartupMessage with its protocol-version negotiation, and authentication.
// It stops after AuthenticationOk; the session layer then sends
// ParameterStatus (see ParameterStatuses), BackendKeyData and ReadyForQuery.
//
// The flow and its messages follow PostgreSQL 15's postmaster
// (ProcessStartupPacket) closely, down to SQLSTATEs and message texts, and the
// tests replay the same packets against a live PostgreSQL to prove it:
//
//   - https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-START-UP
//   - https://www.postgresql.org/docs/current/protocol-message-formats.html
//   - https://www.postgresql.org/docs/current/protocol-overview.html#PROTOCOL-FORMAT-CODES
//
// TLS (Config.TLS) is started after an SSLRequest answered 'S', or directly
// when the connection opens with a TLS ClientHello offering ALPN
// "postgresql" (PostgreSQL 17's sslnegotiation=direct). Config.RequireTLS
// refuses plaintext sessions as a pg_hba.conf of hostssl lines does.
//
// Authentication methods: Trust, Password, MD5 and SCRAM (with
// SCRAM-SHA-256-PLUS channel binding over TLS) against a Users file whose
// secrets are SCRAM verifiers or MD5 hashes as pg_authid stores them, Cert
// (client certificate common name = user), and PassThrough (the backend
// checks the password). A wrong password and an unknown user get the same
// FATAL 28P01; Config.Limiter slows down repeated failures per IP address.
//
// Startup packets are framed here, with exact-length reads straight from the
// connection, rather than through pgproto3.Backend: a buffered reader could
// swallow the bytes that follow the packet (a TLS ClientHello after an
// SSLRequest), and pgproto3 rejects protocol versions
// other than 3.0 and 3.2 without saying which, where PostgreSQL answers each
// case differently. Message bodies are decoded and all messages encoded with
// pgproto3.
//
// Behaviour that differs from PostgreSQL on purpose: quiver has no role
// catalog, so any user name is accepted by the Trust, Cert and PassThrough
// methods; it speaks UTF8
// only, the ISO DateStyle output format only and IntervalStyle postgres only,
// so a client asking for anything else is refused at startup with FATAL 22023
// instead of being given output it did not ask for; TimeZone takes IANA zone
// names (matched case-insensitively, reported in their canonical spelling as
// PostgreSQL does) but not POSIX specifications or numeric offsets; startup
// parameters that PostgreSQL does not report are passed through to the session
// without validation; replication connections are refused.
package handshake
