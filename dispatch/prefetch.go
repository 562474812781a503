package dispatch

import (
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// prefetchReader reads the next batch from the backend on its own goroutine
// while the session encodes the current one, so the engine's work and the
// encoding overlap. It is used only while one result is sent to its end,
// when nothing else calls the backend session, which keeps the backends
// contract (calls on a session are serialized). At most one batch waits.
// Batches are read in the session's goroutine until one has at least
// prefetchMinRows rows: a small result (most statements) costs no
// goroutine hand-offs.
type prefetchReader struct {
	rr    array.RecordReader
	async bool // the goroutine runs
	done  bool // read to the end without the goroutine
	ch    chan arrow.RecordBatch
	stop  chan struct{}
	wg    sync.WaitGroup
	cur   arrow.RecordBatch
	err   error // set before ch is closed
	once  sync.Once
	// cancel stops the statement, for a Release while the goroutine is
	// still waiting on the engine (a client that hung up).
	cancel func()
}

// prefetchMinRows is the batch size from which the rest of a result is read
// ahead.
const prefetchMinRows = 1024

func newPrefetch(rr array.RecordReader, cancel func()) *prefetchReader {
	return &prefetchReader{rr: rr, cancel: cancel}
}

// start reads the rest of the result on a goroutine.
func (p *prefetchReader) start() {
	p.async = true
	p.ch = make(chan arrow.RecordBatch, 1)
	p.stop = make(chan struct{})
	p.wg.Add(1)
	go p.run()
}

func (p *prefetchReader) run() {
	defer p.wg.Done()
	defer close(p.ch)
	for p.rr.Next() {
		rec := p.rr.RecordBatch()
		rec.Retain()
		select {
		case p.ch <- rec:
		case <-p.stop:
			rec.Release()
			return
		}
	}
	p.err = p.rr.Err()
}

func (p *prefetchReader) Schema() *arrow.Schema { return p.rr.Schema() }

func (p *prefetchReader) Next() bool {
	if p.cur != nil {
		p.cur.Release()
		p.cur = nil
	}
	if !p.async {
		if p.done || !p.rr.Next() {
			p.done = true
			p.err = p.rr.Err()
			return false
		}
		p.cur = p.rr.RecordBatch()
		p.cur.Retain()
		if p.cur.NumRows() >= prefetchMinRows {
			p.start()
		}
		return true
	}
	rec, ok := <-p.ch
	if !ok {
		return false
	}
	p.cur = rec
	return true
}

func (p *prefetchReader) RecordBatch() arrow.RecordBatch { return p.cur }
func (p *prefetchReader) Record() arrow.RecordBatch      { return p.cur }

// Err is valid once Next has returned false.
func (p *prefetchReader) Err() error { return p.err }

func (p *prefetchReader) Retain() {}

// Release stops the goroutine, frees the batches it holds and releases the
// backend's reader, which stops the engine's work.
func (p *prefetchReader) Release() {
	p.once.Do(func() {
		if !p.async {
			if p.cur != nil {
				p.cur.Release()
				p.cur = nil
			}
			p.rr.Release()
			return
		}
		close(p.stop)
		for drained := false; !drained; {
			select {
			case rec, ok := <-p.ch:
				if !ok {
					drained = true // the goroutine has finished
				} else {
					rec.Release()
				}
			default:
				// The goroutine is still inside the engine (the result was
				// abandoned): stop the statement, then collect what it sends.
				if p.cancel != nil {
					p.cancel()
				}
				for rec := range p.ch {
					rec.Release()
				}
				drained = true
			}
		}
		p.wg.Wait()
		if p.cur != nil {
			p.cur.Release()
			p.cur = nil
		}
		p.rr.Release()
	})
}
