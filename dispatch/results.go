package dispatch

import (
	"context"
	"slices"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/stmt"
	"github.com/quiverdb/quiver/types"
)

// portalCursor is a position in a streaming result: the reader, the batch
// being sent and the next row in it. A portal suspended by a row limit keeps
// its cursor, so the next Execute resumes mid-batch.
type portalCursor struct {
	rr   array.RecordReader
	enc  *types.RowEncoder
	rec  arrow.RecordBatch // retained current batch, or nil
	row  int
	done bool
}

// release frees the batch and the reader.
func (p *portalCursor) release() {
	if p.rec != nil {
		p.rec.Release()
		p.rec = nil
	}
	if p.rr != nil {
		p.rr.Release()
		p.rr = nil
	}
	p.done = true
}

// streamRows encodes rows from the cursor into DataRow messages, flushing
// the write buffer as it passes the threshold, so memory stays bounded
// however large the result. limit 0 means all rows. It reports how many rows
// were sent and whether the limit stopped it before the end.
func (s *Session) streamRows(ctx context.Context, p *portalCursor, limit int64) (n int64, suspended bool, err error) {
	for {
		if p.rec != nil {
			nrows := int(p.rec.NumRows())
			for p.row < nrows {
				if limit > 0 && n >= limit {
					return n, true, nil
				}
				to := nrows
				if limit > 0 {
					to = min(nrows, p.row+int(limit-n))
				}
				var next int
				s.w.buf, next, err = p.enc.AppendRows(s.w.buf, p.row, to, flushThreshold)
				n += int64(next - p.row)
				p.row = next
				if err != nil {
					return n, false, err
				}
				if len(s.w.buf) >= flushThreshold {
					if err := s.w.flush(); err != nil {
						return n, false, err
					}
					if ctx.Err() != nil {
						return n, false, ctx.Err()
					}
				}
			}
			p.rec.Release()
			p.rec = nil
		}
		if p.done {
			return n, false, nil
		}
		if !p.rr.Next() {
			p.done = true
			if err := p.rr.Err(); err != nil {
				return n, false, err
			}
			if limit > 0 && n >= limit {
				// PostgreSQL reports PortalSuspended when the limit is reached
				// exactly, even if no rows remain; the next Execute completes.
				return n, true, nil
			}
			return n, false, nil
		}
		rec := p.rr.RecordBatch()
		if err := p.enc.Reset(rec); err != nil {
			return n, false, err
		}
		rec.Retain()
		p.rec, p.row = rec, 0
	}
}

// rowsAffectedFrom reads a row count that an engine returned as a result
// set (one row, one integer column), and releases nothing.
func rowsAffectedFrom(rr array.RecordReader) int64 {
	if len(rr.Schema().Fields()) != 1 || !rr.Next() {
		return -1
	}
	rec := rr.RecordBatch()
	if rec.NumRows() != 1 {
		return -1
	}
	switch c := rec.Column(0).(type) {
	case *array.Int64:
		return c.Value(0)
	case *array.Int32:
		return int64(c.Value(0))
	case *array.Uint64:
		return int64(c.Value(0))
	}
	return -1
}

// pgNames renames the result fields the way PostgreSQL names them (see
// stmt.ColumnNames), describes a string column cast to varchar as varchar
// (stmt.ColumnCasts), and a decimal column computed by an expression as
// numeric without a typmod (stmt.ColumnsComputed); the rows are unchanged, only
// RowDescription differs.
func pgNames(schema *arrow.Schema, st *stmt.Statement) *arrow.Schema {
	if st == nil || schema == nil {
		return schema
	}
	head, tail, star, ok := st.ColumnNames()
	if !ok {
		return schema
	}
	n := schema.NumFields()
	if (!star && len(head) != n) || (star && len(head)+len(tail) > n) {
		return schema
	}
	fields := append([]arrow.Field(nil), schema.Fields()...)
	changed := false
	rename := func(i int, name string) {
		if fields[i].Name != name {
			fields[i].Name = name
			changed = true
		}
	}
	for i, name := range head {
		rename(i, name)
	}
	for i, name := range tail {
		rename(n-len(tail)+i, name)
	}
	chead, ctail, _, _ := st.ColumnCasts()
	for i, c := range chead {
		changed = presentCast(&fields[i], c) || changed
	}
	for i, c := range ctail {
		changed = presentCast(&fields[n-len(ctail)+i], c) || changed
	}
	nhead, ntail, _ := st.ColumnsComputed()
	for i, plain := range nhead {
		changed = plain && presentNumeric(&fields[i]) || changed
	}
	for i, plain := range ntail {
		changed = plain && presentNumeric(&fields[n-len(ntail)+i]) || changed
	}
	if !changed {
		return schema
	}
	md := schema.Metadata()
	return arrow.NewSchema(fields, &md)
}

// presentCast marks a string field cast to varchar to be described as
// varchar, with its length, where the field says nothing else.
func presentCast(f *arrow.Field, c stmt.Cast) bool {
	switch c.Type {
	case "varchar":
		return presentString(f, "1043", c.Typmod)
	case "bpchar":
		return presentString(f, "1042", c.Typmod)
	case "jsonb":
		return presentJSONB(f)
	}
	return false
}

// presentJSONB describes a json field, or a list of json, as jsonb
// (jsonb[]): the engine's one JSON type stands for both.
func presentJSONB(f *arrow.Field) bool {
	i := f.Metadata.FindKey(backends.MetaPGType)
	if i < 0 {
		t, list := f.Type, ""
		if l, ok := t.(arrow.ListLikeType); ok {
			t, list = l.Elem(), "[]"
		}
		if x, ok := t.(arrow.ExtensionType); !ok || x.ExtensionName() != "arrow.json" {
			return false
		}
		keys := append(slices.Clone(f.Metadata.Keys()), backends.MetaPGType)
		vals := append(slices.Clone(f.Metadata.Values()), map[string]string{"": "114", "[]": "199"}[list])
		f.Metadata = arrow.NewMetadata(keys, vals)
		i = len(keys) - 1
	}
	oid := map[string]string{"114": "3802", "199": "3807"}[f.Metadata.Values()[i]]
	if oid == "" {
		return false
	}
	keys, vals := slices.Clone(f.Metadata.Keys()), slices.Clone(f.Metadata.Values())
	vals[i] = oid
	f.Metadata = arrow.NewMetadata(keys, vals)
	return true
}

// presentString describes a string field as the PostgreSQL string type
// oid (varchar, bpchar) with typmod, where the field says nothing else. A
// bpchar with a length is padded to it (package types).
func presentString(f *arrow.Field, oid string, typmod int32) bool {
	if f.Metadata.FindKey(backends.MetaPGType) >= 0 {
		return false
	}
	switch f.Type.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
	default:
		return false
	}
	keys := append(f.Metadata.Keys(), backends.MetaPGType, backends.MetaPGTypmod)
	vals := append(f.Metadata.Values(), oid, strconv.Itoa(int(typmod)))
	f.Metadata = arrow.NewMetadata(keys, vals)
	return true
}

// presentNumeric describes a decimal field as numeric with typmod -1, and
// a list of decimals as numeric[], where the field says nothing else.
func presentNumeric(f *arrow.Field) bool {
	if f.Metadata.FindKey(backends.MetaPGType) >= 0 {
		return false
	}
	oid := "1700"
	t := f.Type
	if l, ok := t.(*arrow.ListType); ok {
		oid, t = "1231", l.Elem()
	}
	if _, ok := t.(arrow.DecimalType); !ok {
		return false
	}
	keys := append(f.Metadata.Keys(), backends.MetaPGType, backends.MetaPGTypmod)
	vals := append(f.Metadata.Values(), oid, "-1")
	f.Metadata = arrow.NewMetadata(keys, vals)
	return true
}
