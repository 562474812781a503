package types

import (
	"bytes"

	"github.com/apache/arrow-go/v18/arrow/float16"
)

// appendUUID appends 16 bytes in uuid_out's form.
func appendUUID(dst []byte, v []byte) []byte {
	for k, c := range v {
		if k == 4 || k == 6 || k == 8 || k == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hexDigits[c>>4], hexDigits[c&15])
	}
	return dst
}

// parseUUID reads a uuid as uuid_in does: 32 hex digits, optionally in
// braces, with an optional hyphen after any group of four digits.
func parseUUID(s []byte) (u [16]byte, ok bool) {
	braces := len(s) > 0 && s[0] == '{'
	if braces {
		s = s[1:]
	}
	for i := 0; i < 16; i++ {
		if len(s) < 2 {
			return u, false
		}
		hi, ok1 := unhex(s[0])
		lo, ok2 := unhex(s[1])
		if !ok1 || !ok2 {
			return u, false
		}
		u[i] = hi<<4 | lo
		s = s[2:]
		if len(s) > 0 && s[0] == '-' && i%2 == 1 && i < 15 {
			s = s[1:]
		}
	}
	if braces {
		if len(s) == 0 || s[0] != '}' {
			return u, false
		}
		s = s[1:]
	}
	return u, len(s) == 0
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func bytesIndexNul(v []byte) bool { return bytes.IndexByte(v, 0) >= 0 }

func float16FromBits(b uint16) float32 { return float16.FromBits(b).Float32() }
