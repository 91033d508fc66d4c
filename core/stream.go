package core

import (
	"context"
	"errors"
	"iter"
	"sync"
	"time"
)

// MigrateStream migrates a sequence of any length, yielding the results in
// input order. Memory stays bounded: at most twice the number of
// [WithWorkers] items are pulled from items and not yet yielded (with one
// worker, one item at a time, in the consumer's goroutine). A failed item
// yields (nil, *[ItemError]); without [WithContinueOnError] the stream ends
// after the first one. The stream ends cleanly when the consumer stops
// ranging (in-flight items are cancelled and the workers have exited when
// the range loop ends) or when ctx ends (its error is yielded once, last,
// not as the items' errors). Invalid versions are yielded as the only
// error. A panic of items reaches the consumer's goroutine, after the
// results of the items pulled before it.
//
// Each item is handed to a worker and back, and the window of 2×workers
// items keeps the workers close behind the consumer: with cheap migrations
// (a few microseconds), more workers gain little or lose, so keep the
// default of one; they pay off for slow migrations (functions that do
// I/O). [Manager.MigrateBatch], which has the whole input, has no such
// cost.
func (m *Manager) MigrateStream(ctx context.Context, items iter.Seq[Data], model, from, to string, opts ...BatchOption) iter.Seq2[Data, error] {
	return func(yield func(Data, error) bool) {
		cfg := newBatchConfig(opts)
		fv, tv, err := m.batchVersions(model, from, to, cfg)
		if err != nil {
			yield(nil, err)
			return
		}
		if ctx == nil {
			ctx = context.Background()
		}
		b := Batch{Model: model, From: fv, To: tv, Size: -1, Start: m.clock.now()}
		b.mixed(cfg.fromRecord)
		var bi batchInvocation
		bctx := m.hookSet(ctx).BeforeBatch(ctx, b, &bi)
		s := &streamRun{m: m, caller: ctx, model: model, from: fv, to: tv, cfg: cfg, b: &b, yield: yield}
		if cfg.progress != nil {
			s.prog = &progressor{fn: cfg.progress, start: b.Start, total: -1}
		}
		defer func() {
			b.Elapsed = time.Since(b.Start)
			bi.AfterBatch(b, s.firstErr)
		}()
		var cancel context.CancelCauseFunc
		s.ctx, cancel = context.WithCancelCause(bctx)
		defer cancel(nil)
		if cfg.workers <= 1 {
			s.sequential(items)
			return
		}
		s.parallel(items, cancel)
	}
}

// streamRun is the state of one MigrateStream: the consumer, the counts
// and the first error, for the batch observers.
type streamRun struct {
	m        *Manager
	caller   context.Context // the caller's ctx: when it ends, so does the stream
	ctx      context.Context // the items' ctx, under the batch observers'
	model    string
	from, to Version
	cfg      batchConfig
	b        *Batch
	prog     *progressor
	yield    func(Data, error) bool
	firstErr error
}

func (s *streamRun) migrate(d Data) (Data, error) {
	return s.m.runItem(s.ctx, d, s.model, s.from, s.to, s.cfg)
}

// ctxEnded yields the error of the caller's ctx, which has ended.
func (s *streamRun) ctxEnded() {
	err := ctxError(s.caller)
	if s.firstErr == nil {
		s.firstErr = err
	}
	s.yield(nil, err)
}

// emit hands one result to the consumer; it reports whether to go on.
func (s *streamRun) emit(idx int, out Data, err error) bool {
	if err != nil && s.caller.Err() != nil && errors.Is(err, s.caller.Err()) {
		s.ctxEnded() // the item failed because ctx ended: so does the stream
		return false
	}
	if s.prog != nil {
		s.prog.report(err != nil)
	}
	if err != nil {
		s.b.Failed++
		err = &ItemError{Index: idx, Err: err}
		if s.firstErr == nil {
			s.firstErr = err
		}
		return s.yield(nil, err) && s.cfg.continueOn
	}
	s.b.Succeeded++
	return s.yield(out, nil)
}

// sequential migrates one item at a time in the consumer's goroutine.
func (s *streamRun) sequential(items iter.Seq[Data]) {
	idx := 0
	for d := range items {
		if s.caller.Err() != nil {
			s.ctxEnded()
			return
		}
		out, err := s.migrate(d)
		if !s.emit(idx, out, err) {
			return
		}
		idx++
	}
}

// parallel hands the items to the workers through a window of 2×workers
// slots and yields the results in input order. Nothing else is buffered,
// whatever the length of the input.
func (s *streamRun) parallel(items iter.Seq[Data], cancel context.CancelCauseFunc) {
	w := newWindow(2*s.cfg.workers, s.cfg.workers, s.migrate)
	in := newPuller(items)
	defer func() {
		cancel(errStopped)
		w.close()
		in.stop()
	}()
	for idx := 0; ; {
		for !in.done && !w.full() {
			if s.caller.Err() != nil {
				in.done = true
				break
			}
			d, ok := in.pull()
			if !ok {
				break
			}
			w.push(idx, d)
			idx++
		}
		if w.empty() {
			if in.panicked != nil {
				panic(in.panicked)
			}
			if s.caller.Err() != nil {
				s.ctxEnded()
			}
			return
		}
		slot := w.pop()
		if !s.emit(slot.idx, slot.out, slot.err) {
			return
		}
	}
}

// puller pulls the items of a sequence one at a time; a panic of the
// sequence is caught and kept, to be raised again once the items pulled
// before it are yielded.
type puller struct {
	next     func() (Data, bool)
	stop     func()
	done     bool
	panicked any
}

func newPuller(items iter.Seq[Data]) *puller {
	p := &puller{}
	p.next, p.stop = iter.Pull(items)
	return p
}

func (p *puller) pull() (d Data, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			p.panicked, d, ok = r, nil, false
		}
		if !ok {
			p.done = true
		}
	}()
	return p.next()
}

// window is a ring of slots that the consumer fills in input order and
// hands to a pool of workers, then empties oldest first.
type window struct {
	slots          []streamSlot
	head, inFlight int
	jobs           chan *streamSlot
	wg             sync.WaitGroup
}

// streamSlot is one item of a stream in the hands of a worker.
type streamSlot struct {
	idx  int
	in   Data
	out  Data
	err  error
	done chan struct{} // receives once the worker is done with the item
}

func newWindow(size, workers int, migrate func(Data) (Data, error)) *window {
	w := &window{slots: make([]streamSlot, size), jobs: make(chan *streamSlot, size)}
	for i := range w.slots {
		w.slots[i].done = make(chan struct{}, 1)
	}
	for range workers {
		w.wg.Go(func() {
			for s := range w.jobs {
				s.out, s.err = migrate(s.in)
				s.in = nil
				s.done <- struct{}{}
			}
		})
	}
	return w
}

func (w *window) full() bool  { return w.inFlight == len(w.slots) }
func (w *window) empty() bool { return w.inFlight == 0 }

// push hands item idx to the workers; the window must not be full.
func (w *window) push(idx int, d Data) {
	s := &w.slots[(w.head+w.inFlight)%len(w.slots)]
	s.idx, s.in = idx, d
	w.inFlight++
	w.jobs <- s
}

// pop waits for the oldest item and takes it out of the window; the
// window must not be empty.
func (w *window) pop() streamSlot {
	s := &w.slots[w.head]
	<-s.done
	w.head, w.inFlight = (w.head+1)%len(w.slots), w.inFlight-1
	out := *s
	s.out, s.err = nil, nil
	return out
}

// close stops the workers once they are done with what they hold.
func (w *window) close() {
	close(w.jobs)
	w.wg.Wait()
}
