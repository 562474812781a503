package adbcbackend

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// errReleased cancels the partition readers of a result released early.
var errReleased = errors.New("result released")

// item is one record batch, or the error that ended a partition.
type item struct {
	rec arrow.RecordBatch
	err error
}

// fetcher reads the partitions of one result, at most window of them at
// once, each on its own goroutine. In ordered mode every partition has its
// own channel of queue batches and the caller drains them in order, so a
// partition that finishes early waits, holding at most queue batches, for
// the ones before it; a new partition starts each time one is drained. In
// unordered mode window workers claim partitions in turn and share one
// channel, and batches are passed on as they arrive.
//
// The first error, or the end of the statement's context, cancels every
// reader. Close cancels them too, releases what they buffered, and waits
// for their goroutines.
type fetcher struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	read   func(ctx context.Context, partition []byte) (array.RecordReader, error)
	parts  [][]byte
	queue  int
	wg     sync.WaitGroup

	schemaOnce  sync.Once
	schemaReady chan struct{}
	schema      *arrow.Schema // the first partition's to open; set before schemaReady closes

	ordered bool
	slots   []chan item // ordered: slots[i] is partition i's channel once started
	head    int         // ordered: the partition being drained
	started int         // ordered: partitions started so far

	out   chan item    // unordered: shared by the workers
	claim atomic.Int64 // unordered: next partition to claim

	closed bool
}

// newFetcher starts reading parts and waits until the first of them has
// told its schema. ctx is the statement's context.
func newFetcher(ctx context.Context, read func(context.Context, []byte) (array.RecordReader, error), parts [][]byte, window, queue int, ordered bool) (*fetcher, error) {
	f := &fetcher{read: read, parts: parts, queue: queue, ordered: ordered, schemaReady: make(chan struct{})}
	f.ctx, f.cancel = context.WithCancelCause(ctx)
	window = min(window, len(parts))
	if ordered {
		f.slots = make([]chan item, len(parts))
		for f.started < window {
			f.startOrdered()
		}
	} else {
		f.out = make(chan item, queue*window)
		var workers sync.WaitGroup
		for range window {
			workers.Add(1)
			f.wg.Add(1)
			go func() {
				defer f.wg.Done()
				defer workers.Done()
				for {
					i := int(f.claim.Add(1)) - 1
					if i >= len(f.parts) || !f.pump(i, f.out) {
						return
					}
				}
			}()
		}
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			workers.Wait()
			close(f.out)
		}()
	}
	select {
	case <-f.schemaReady:
		return f, nil
	case <-f.ctx.Done():
		err := context.Cause(f.ctx)
		f.close()
		return nil, err
	}
}

func (f *fetcher) startOrdered() {
	i := f.started
	f.started++
	ch := make(chan item, f.queue)
	f.slots[i] = ch
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		defer close(ch)
		f.pump(i, ch)
	}()
}

// pump reads partition i into ch. It reports false when the reader should
// stop: an error, or the context ended.
func (f *fetcher) pump(i int, ch chan<- item) bool {
	rdr, err := f.read(f.ctx, f.parts[i])
	if err != nil {
		f.fail(err)
		return false
	}
	defer rdr.Release()
	f.schemaOnce.Do(func() {
		f.schema = rdr.Schema()
		close(f.schemaReady)
	})
	if !sameColumns(f.schema, rdr.Schema()) {
		f.fail(fmt.Errorf("partition %d has schema %s, partition results disagree with %s", i, rdr.Schema(), f.schema))
		return false
	}
	for rdr.Next() {
		rec := rdr.RecordBatch()
		rec.Retain()
		select {
		case ch <- item{rec: rec}:
		case <-f.ctx.Done():
			rec.Release()
			return false
		}
	}
	if err := rdr.Err(); err != nil {
		f.fail(err)
		return false
	}
	return f.ctx.Err() == nil
}

// fail records the first error and stops every reader.
func (f *fetcher) fail(err error) { f.cancel(err) }

// next returns the next batch, an error, or an empty item at the end.
func (f *fetcher) next() item {
	if f.ordered {
		for f.head < len(f.parts) {
			it, ok := <-f.slots[f.head]
			if ok {
				return it
			}
			if f.ctx.Err() != nil {
				return item{err: context.Cause(f.ctx)}
			}
			f.slots[f.head] = nil
			f.head++
			if f.started < len(f.parts) {
				f.startOrdered()
			}
		}
		return item{}
	}
	it, ok := <-f.out
	if !ok && f.ctx.Err() != nil {
		return item{err: context.Cause(f.ctx)}
	}
	return it
}

// close stops the readers, releases what they buffered and waits for them.
func (f *fetcher) close() {
	if f.closed {
		return
	}
	f.closed = true
	f.cancel(errReleased)
	drain := func(ch chan item) {
		for it := range ch {
			if it.rec != nil {
				it.rec.Release()
			}
		}
	}
	if f.ordered {
		for i := f.head; i < f.started; i++ {
			if f.slots[i] != nil {
				drain(f.slots[i])
			}
		}
	} else {
		drain(f.out)
	}
	f.wg.Wait()
}

// sameColumns compares two schemas ignoring metadata.
func sameColumns(a, b *arrow.Schema) bool {
	if a.NumFields() != b.NumFields() {
		return false
	}
	for i := range a.NumFields() {
		fa, fb := a.Field(i), b.Field(i)
		if fa.Name != fb.Name || fa.Nullable != fb.Nullable || !arrow.TypeEqual(fa.Type, fb.Type) {
			return false
		}
	}
	return true
}
