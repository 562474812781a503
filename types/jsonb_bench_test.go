package types

import "testing"

// BenchmarkJSONBNormalize times printing one jsonb value in its normal
// form: written compactly (as DuckDB keeps what clients wrote), already
// normal (as PostgreSQL sends it), against copying the bytes.
func BenchmarkJSONBNormalize(b *testing.B) {
	v := []byte(`{"name":"widget","id":12345,"tags":["a","b","c"],"price":19.99,"attrs":{"color":"red","size":"L"},"active":true}`)
	var w jsonbWriter
	norm := w.appendJSONB(nil, v)
	buf := make([]byte, 0, 1024)
	b.Run("compact", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf = w.appendJSONB(buf[:0], v)
		}
	})
	b.Run("normal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf = w.appendJSONB(buf[:0], norm)
		}
	})
	b.Run("copy", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf = append(buf[:0], v...)
		}
	})
}
