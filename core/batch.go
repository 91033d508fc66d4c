package core

import (
	"context"
	"errors"
	"iter"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// errStopped is the cancellation cause of the items still running when a
// fail-fast batch stops.
var errStopped = errors.New("batch stopped after an earlier item failed")

// errStoppedItem marks, in a fail-fast batch, an item that was cancelled
// because another one failed.
var errStoppedItem = errors.New("item cancelled")

// stoppedByBatch reports whether err is an item's reaction to the batch
// stopping it: the batch was stopped, and the item failed with the
// cancellation (checked before a step, or returned by a ctx-aware
// migration function as ctx.Err()) while the caller's ctx is still live
// (if it is not, the cancellation is the caller's: a failure).
func stoppedByBatch(stopped bool, parent context.Context, err error) bool {
	return stopped && (errors.Is(err, errStopped) || parent.Err() == nil && errors.Is(err, context.Canceled))
}

// progressor serialises progress reports.
type progressor struct {
	mu     sync.Mutex
	fn     func(Progress)
	start  time.Time
	total  int
	done   int
	failed int
}

func (p *progressor) report(failed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if failed {
		p.failed++
	}
	p.fn(Progress{Done: p.done, Failed: p.failed, Total: p.total, Elapsed: time.Since(p.start)})
}

// batchChunk is how many consecutive items a worker claims at once: enough
// that workers rarely touch the same cache lines (of the results, and of
// the claim counter), few enough that they finish together.
func batchChunk(items, workers int) int {
	return min(max(items/(workers*16), 1), 64)
}

// MigrateBatch migrates every item like [Manager.Migrate] (or
// [Manager.MigrateData] with [WithoutValidation]) and returns the results in
// input order. By default it fails fast: the first failure in input order
// is returned (as an *[ItemError]) with nil results, and the rest is
// cancelled (an item that fails only because it was cancelled is not a
// failure). With [WithContinueOnError] it returns every result (nil for a
// failed item) and a *[BatchError]. Hooks that implement [BatchObserver]
// see the whole batch, and each item's migration runs under the ctx their
// BeforeBatch returned; [Batch.Succeeded] and [Batch.Failed] do not count
// cancelled items. A panic in an [WithProgress] function is raised again in
// the caller's goroutine, once every worker has stopped.
func (m *Manager) MigrateBatch(ctx context.Context, items []Data, model, from, to string, opts ...BatchOption) ([]Data, error) {
	fv, tv, err := parsePair(from, to)
	if err != nil {
		return nil, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	cfg := newBatchConfig(opts)
	b := Batch{Model: model, From: fv, To: tv, Size: len(items), Start: time.Now()}
	var bi batchInvocation
	bctx := m.hookSet(ctx).BeforeBatch(ctx, b, &bi)
	defer func() {
		if r := recover(); r != nil { // from an WithProgress function
			bi.AfterBatch(b, &PanicError{Value: r, Stack: debug.Stack()})
			panic(r)
		}
	}()
	var prog *progressor
	if cfg.progress != nil {
		prog = &progressor{fn: cfg.progress, start: b.Start, total: len(items)}
	}

	results := make([]Data, len(items))
	errs := make([]error, len(items))
	runCtx, cancel := context.WithCancelCause(bctx)
	defer cancel(nil)
	var stopped atomic.Bool // fail-fast: an item failed, the rest is cancelled
	validate := !cfg.noValidate
	// one migrates item i and reports whether it succeeded, failed or was
	// cancelled.
	one := func(i int) (ok, failed bool) {
		out, err := m.run(runCtx, items[i], model, fv, tv, validate)
		if err != nil && !cfg.continueOn && stoppedByBatch(stopped.Load(), bctx, err) {
			errs[i] = errStoppedItem // cancelled by us: not a failure of its own
			return false, false
		}
		results[i], errs[i] = out, err
		if err != nil && !cfg.continueOn && !stopped.Swap(true) {
			cancel(errStopped)
		}
		if prog != nil {
			prog.report(err != nil)
		}
		return err == nil, err != nil
	}

	workers := min(cfg.workers, len(items))
	if workers <= 1 {
		for i := range items {
			ok, failed := one(i)
			if ok {
				b.Succeeded++
			}
			if failed {
				b.Failed++
				if !cfg.continueOn {
					break
				}
			}
		}
	} else {
		chunk := batchChunk(len(items), workers)
		var next atomic.Int64
		var succeeded, failed atomic.Int64
		var panicked atomic.Pointer[workerPanic]
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				nOK, nFailed := 0, 0
				defer func() {
					succeeded.Add(int64(nOK))
					failed.Add(int64(nFailed))
					if r := recover(); r != nil {
						panicked.CompareAndSwap(nil, &workerPanic{value: r})
						if stopped.CompareAndSwap(false, true) {
							cancel(errStopped)
						}
					}
				}()
				for {
					lo := int(next.Add(int64(chunk))) - chunk
					if lo >= len(items) {
						return
					}
					for i := lo; i < min(lo+chunk, len(items)); i++ {
						if !cfg.continueOn && stopped.Load() || panicked.Load() != nil {
							return
						}
						ok, bad := one(i)
						if ok {
							nOK++
						}
						if bad {
							nFailed++
						}
					}
				}
			})
		}
		wg.Wait()
		if p := panicked.Load(); p != nil {
			panic(p.value)
		}
		b.Succeeded, b.Failed = int(succeeded.Load()), int(failed.Load())
	}

	var out error
	if cfg.continueOn {
		var be BatchError
		for i, e := range errs {
			if e != nil {
				be.Items = append(be.Items, &ItemError{Index: i, Err: e})
			}
		}
		if len(be.Items) > 0 {
			out = &be
		}
	} else if b.Failed > 0 {
		for i, e := range errs {
			if e != nil && e != errStoppedItem {
				out = &ItemError{Index: i, Err: e}
				break
			}
		}
		results = nil
	}
	bi.AfterBatch(b, out)
	return results, out
}

// workerPanic carries a panic out of a batch worker.
type workerPanic struct{ value any }

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
		fv, tv, err := parsePair(from, to)
		if err != nil {
			yield(nil, err)
			return
		}
		if ctx == nil {
			ctx = context.Background()
		}
		cfg := newBatchConfig(opts)
		b := Batch{Model: model, From: fv, To: tv, Size: -1, Start: time.Now()}
		var bi batchInvocation
		bctx := m.hookSet(ctx).BeforeBatch(ctx, b, &bi)
		var prog *progressor
		if cfg.progress != nil {
			prog = &progressor{fn: cfg.progress, start: b.Start, total: -1}
		}
		var firstErr error
		defer func() { bi.AfterBatch(b, firstErr) }()
		runCtx, cancel := context.WithCancelCause(bctx)
		defer cancel(nil)
		validate := !cfg.noValidate

		// ctxEnded yields the error of ctx, which has ended.
		ctxEnded := func() {
			err := ctxError(ctx)
			if firstErr == nil {
				firstErr = err
			}
			yield(nil, err)
		}
		// emit hands one result to the consumer; it reports whether to go on.
		emit := func(idx int, out Data, err error) bool {
			if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				ctxEnded() // the item failed because ctx ended: so does the stream
				return false
			}
			if prog != nil {
				prog.report(err != nil)
			}
			if err != nil {
				b.Failed++
				err = &ItemError{Index: idx, Err: err}
				if firstErr == nil {
					firstErr = err
				}
				return yield(nil, err) && cfg.continueOn
			}
			b.Succeeded++
			return yield(out, nil)
		}

		if cfg.workers <= 1 {
			idx := 0
			for d := range items {
				if ctx.Err() != nil {
					ctxEnded()
					return
				}
				out, err := m.run(runCtx, d, model, fv, tv, validate)
				if !emit(idx, out, err) {
					return
				}
				idx++
			}
			return
		}

		// A ring of 2×workers slots: the consumer fills them in input
		// order and hands them to the workers, then waits for the oldest.
		// Nothing else is buffered, whatever the length of the input.
		window := 2 * cfg.workers
		slots := make([]streamSlot, window)
		for i := range slots {
			slots[i].done = make(chan struct{}, 1)
		}
		jobs := make(chan *streamSlot, window)
		var wg sync.WaitGroup
		for range cfg.workers {
			wg.Go(func() {
				for s := range jobs {
					s.out, s.err = m.run(runCtx, s.in, model, fv, tv, validate)
					s.in = nil
					s.done <- struct{}{}
				}
			})
		}
		next, stop := iter.Pull(items)
		defer func() {
			cancel(errStopped)
			close(jobs)
			wg.Wait()
			stop()
		}()
		// pull is next, with a panic of the input sequence caught: it is
		// raised again once the items pulled before it are yielded.
		var seqPanic any
		pull := func() (d Data, ok bool) {
			defer func() {
				if r := recover(); r != nil {
					seqPanic, d, ok = r, nil, false
				}
			}()
			return next()
		}
		head, inFlight, idx, inputDone := 0, 0, 0, false
		for {
			for !inputDone && inFlight < window {
				if ctx.Err() != nil {
					inputDone = true
					break
				}
				d, ok := pull()
				if !ok {
					inputDone = true
					break
				}
				s := &slots[(head+inFlight)%window]
				s.idx, s.in = idx, d
				idx++
				inFlight++
				jobs <- s
			}
			if inFlight == 0 {
				if seqPanic != nil {
					panic(seqPanic)
				}
				if ctx.Err() != nil {
					ctxEnded()
				}
				return
			}
			s := &slots[head]
			<-s.done
			head, inFlight = (head+1)%window, inFlight-1
			out, err := s.out, s.err
			s.out, s.err = nil, nil
			if !emit(s.idx, out, err) {
				return
			}
		}
	}
}

// streamSlot is one item of a stream in the hands of a worker.
type streamSlot struct {
	idx  int
	in   Data
	out  Data
	err  error
	done chan struct{} // receives once the worker is done with the item
}
