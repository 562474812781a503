// Package fuzz holds the fuzz targets and the malformed-input catalogue that
// drive whole quiver connections (handshake, dispatch, a real embedded
// DuckDB) with arbitrary or broken client bytes. It has no code of its own
// outside its tests, which need the build tag duckdb_arrow:
//
//	go test -tags duckdb_arrow ./fuzz/                        # replays the corpus
//	go test -tags duckdb_arrow ./fuzz/ -run '^$' -fuzz FuzzServeConn -parallel 1
//
// The corpora live where go test reads them, in testdata/fuzz/FuzzXxx/.
package fuzz
