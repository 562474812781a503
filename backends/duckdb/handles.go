//go:build duckdb_arrow

package duckdb

import (
	"sync/atomic"

	bindings "github.com/duckdb/duckdb-go-bindings"
)

// Engine handles are created and destroyed through these functions so that
// tests can check nothing leaks: each kind has a count of live handles.
var live struct {
	prepared, pending, results, chunks, options, values atomic.Int64
}

// liveHandles reports the engine handles this package holds, by kind.
func liveHandles() map[string]int64 {
	return map[string]int64{
		"prepared": live.prepared.Load(),
		"pending":  live.pending.Load(),
		"results":  live.results.Load(),
		"chunks":   live.chunks.Load(),
		"options":  live.options.Load(),
		"values":   live.values.Load(),
	}
}

func trackPrepared(ps bindings.PreparedStatement) {
	if ps.Ptr != nil {
		live.prepared.Add(1)
	}
}

func destroyPrepared(ps *bindings.PreparedStatement) {
	if ps.Ptr != nil {
		live.prepared.Add(-1)
		bindings.DestroyPrepare(ps)
	}
}

func pendingStreaming(ps bindings.PreparedStatement, pr *bindings.PendingResult) bindings.State {
	st := bindings.PendingPreparedStreaming(ps, pr)
	if pr.Ptr != nil {
		live.pending.Add(1)
	}
	return st
}

func destroyPending(pr *bindings.PendingResult) {
	if pr.Ptr != nil {
		live.pending.Add(-1)
		bindings.DestroyPending(pr)
	}
}

// executePending runs a pending result to its result. The result must be
// destroyed with destroyResult whatever the state returned.
func executePending(pr bindings.PendingResult, res *bindings.Result) bindings.State {
	st := bindings.ExecutePending(pr, res)
	live.results.Add(1)
	return st
}

func destroyResult(res *bindings.Result) {
	live.results.Add(-1)
	bindings.DestroyResult(res)
}

func fetchChunk(res bindings.Result) bindings.DataChunk {
	ch := bindings.FetchChunk(res)
	if ch.Ptr != nil {
		live.chunks.Add(1)
	}
	return ch
}

func destroyChunk(ch *bindings.DataChunk) {
	if ch.Ptr != nil {
		live.chunks.Add(-1)
		bindings.DestroyDataChunk(ch)
	}
}

func resultArrowOptions(res *bindings.Result) bindings.ArrowOptions {
	o := bindings.ResultGetArrowOptions(res)
	if o.Ptr != nil {
		live.options.Add(1)
	}
	return o
}

func connArrowOptions(conn bindings.Connection) bindings.ArrowOptions {
	var o bindings.ArrowOptions
	bindings.ConnectionGetArrowOptions(conn, &o)
	if o.Ptr != nil {
		live.options.Add(1)
	}
	return o
}

func destroyOptions(o *bindings.ArrowOptions) {
	if o.Ptr != nil {
		live.options.Add(-1)
		bindings.DestroyArrowOptions(o)
	}
}

func trackValue(v bindings.Value) bindings.Value {
	if v.Ptr != nil {
		live.values.Add(1)
	}
	return v
}

func destroyValue(v *bindings.Value) {
	if v.Ptr != nil {
		live.values.Add(-1)
		bindings.DestroyValue(v)
	}
}
