package core

import (
	"context"
	"errors"
	"iter"
	"sync"
	"sync/atomic"
	"time"
)

// BatchOption configures [Manager.MigrateBatch] and [Manager.MigrateStream].
// Options are created by [Workers], [ContinueOnError], [OnProgress] and
// [SkipValidation]; a nil BatchOption is ignored.
type BatchOption interface{ applyBatch(*batchConfig) }

type batchConfig struct {
	workers    int
	continueOn bool
	progress   func(Progress)
	noValidate bool
}

type batchOptionFunc func(*batchConfig)

func (f batchOptionFunc) applyBatch(c *batchConfig) { f(c) }

// Workers sets how many items are migrated at once (default 1; n < 1 means
// 1). Results keep the input order whatever n is.
func Workers(n int) BatchOption {
	return batchOptionFunc(func(c *batchConfig) { c.workers = max(n, 1) })
}

// ContinueOnError migrates every item even when some fail. MigrateBatch
// then returns every result (nil for a failed item) with a *[BatchError]
// naming each failed index; MigrateStream yields an *[ItemError] for each
// failed item and goes on. Without it, the first failure in input order
// ends the batch and the rest is cancelled.
func ContinueOnError() BatchOption {
	return batchOptionFunc(func(c *batchConfig) { c.continueOn = true })
}

// OnProgress calls fn after each item finishes. Calls are serialised and
// Done grows by one each time, whatever the number of workers. A nil fn is
// ignored.
func OnProgress(fn func(Progress)) BatchOption {
	return batchOptionFunc(func(c *batchConfig) {
		if fn != nil {
			c.progress = fn
		}
	})
}

// SkipValidation migrates the items as [Manager.MigrateData] does, with no
// validation of the results.
func SkipValidation() BatchOption {
	return batchOptionFunc(func(c *batchConfig) { c.noValidate = true })
}

// Progress is reported by [OnProgress].
type Progress struct {
	Done    int           // items finished so far, failed ones included
	Failed  int           // items failed so far
	Total   int           // items in the batch, or -1 for a stream
	Elapsed time.Duration // since the batch started
}

func newBatchConfig(opts []BatchOption) batchConfig {
	c := batchConfig{workers: 1}
	for _, o := range opts {
		if o != nil {
			o.applyBatch(&c)
		}
	}
	return c
}

// errStopped is the cancellation cause of the items still running when a
// fail-fast batch stops.
var errStopped = errors.New("batch stopped after an earlier item failed")

// errStoppedItem marks, in a fail-fast batch, an item that was cancelled
// because another one failed.
var errStoppedItem = errors.New("item cancelled")

// stoppedByBatch reports whether err is an item's reaction to the batch
// stopping it: the batch was stopped, and the item failed with the
// cancellation (checked before a step, or returned by a ctx-aware
// migration function as ctx.Err()).
func stoppedByBatch(runCtx context.Context, err error) bool {
	return context.Cause(runCtx) == errStopped && (errors.Is(err, errStopped) || errors.Is(err, context.Canceled))
}

// progressor serialises progress reports.
type progressor struct {
	mu      sync.Mutex
	fn      func(Progress)
	start   time.Time
	total   int
	done    int
	failed  int
	success atomic.Int64
	fails   atomic.Int64
}

func (p *progressor) finish(err error) {
	if err != nil {
		p.fails.Add(1)
	} else {
		p.success.Add(1)
	}
	if p.fn == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if err != nil {
		p.failed++
	}
	p.fn(Progress{Done: p.done, Failed: p.failed, Total: p.total, Elapsed: time.Since(p.start)})
}

// MigrateBatch migrates every item like [Manager.Migrate] (or
// [Manager.MigrateData] with [SkipValidation]) and returns the results in
// input order. By default it fails fast: the first failure in input order
// is returned (as an *[ItemError]) with nil results, and the items not yet
// finished are cancelled. With [ContinueOnError] it returns every result
// and a *[BatchError]. Hooks that implement [BatchObserver] see the whole
// batch; each item's migration runs under the ctx of BeforeBatch.
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
	var bi BatchInvocation
	bctx := m.hookSet(ctx).BeforeBatch(ctx, b, &bi)
	prog := &progressor{fn: cfg.progress, start: b.Start, total: len(items)}

	results := make([]Data, len(items))
	errs := make([]error, len(items))
	runCtx, cancel := context.WithCancelCause(bctx)
	defer cancel(nil)
	one := func(i int) {
		out, err := m.run(runCtx, items[i], model, fv, tv, !cfg.noValidate)
		if err != nil && !cfg.continueOn && stoppedByBatch(runCtx, err) {
			errs[i] = errStoppedItem // cancelled by us: not a failure of its own
			return
		}
		results[i], errs[i] = out, err
		prog.finish(err)
		if err != nil && !cfg.continueOn {
			cancel(errStopped)
		}
	}
	workers := min(cfg.workers, len(items))
	if workers <= 1 {
		for i := range items {
			one(i)
			if errs[i] != nil && !cfg.continueOn {
				break
			}
		}
	} else {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for {
					i := int(next.Add(1) - 1)
					if i >= len(items) {
						return
					}
					if !cfg.continueOn && context.Cause(runCtx) == errStopped {
						return
					}
					one(i)
				}
			})
		}
		wg.Wait()
	}

	b.Succeeded, b.Failed = int(prog.success.Load()), int(prog.fails.Load())
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
	} else {
		for i, e := range errs {
			if e != nil && e != errStoppedItem {
				out = &ItemError{Index: i, Err: e}
				break
			}
		}
		if out != nil {
			results = nil
		}
	}
	bi.AfterBatch(b, out)
	return results, out
}

// MigrateStream migrates a sequence of any length, yielding the results in
// input order. Memory stays bounded (at most twice the number of
// [Workers] items are in flight). A failed item yields (nil, *[ItemError]);
// without [ContinueOnError] the stream ends after the first one. The
// stream ends cleanly when the consumer stops ranging (in-flight items are
// cancelled and the workers have exited when the range loop ends) or when
// ctx ends (its error is yielded last). Invalid versions are yielded as
// the only error.
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
		var bi BatchInvocation
		bctx := m.hookSet(ctx).BeforeBatch(ctx, b, &bi)
		prog := &progressor{fn: cfg.progress, start: b.Start, total: -1}
		var firstErr error
		defer func() {
			b.Succeeded, b.Failed = int(prog.success.Load()), int(prog.fails.Load())
			bi.AfterBatch(b, firstErr)
		}()
		runCtx, cancel := context.WithCancelCause(bctx)
		defer cancel(nil)

		ctxEnded := func() {
			if ctx.Err() != nil {
				err := ctxError(ctx)
				if firstErr == nil {
					firstErr = err
				}
				yield(nil, err)
			}
		}

		// emit hands one result to the consumer; it reports whether to go on.
		emit := func(idx int, out Data, err error) bool {
			if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				ctxEnded() // the item failed because ctx ended: so does the stream
				return false
			}
			prog.finish(err)
			if err != nil {
				err = &ItemError{Index: idx, Err: err}
				if firstErr == nil {
					firstErr = err
				}
				return yield(nil, err) && cfg.continueOn
			}
			return yield(out, nil)
		}
		if cfg.workers <= 1 {
			idx := 0
			for d := range items {
				if ctx.Err() != nil {
					ctxEnded()
					return
				}
				out, err := m.run(runCtx, d, model, fv, tv, !cfg.noValidate)
				if !emit(idx, out, err) {
					return
				}
				idx++
			}
			return
		}

		type slot struct {
			idx  int
			in   Data
			out  Data
			err  error
			done chan struct{}
		}
		jobs := make(chan *slot, 2*cfg.workers)
		var wg sync.WaitGroup
		for range cfg.workers {
			wg.Go(func() {
				for s := range jobs {
					s.out, s.err = m.run(runCtx, s.in, model, fv, tv, !cfg.noValidate)
					s.in = nil
					close(s.done)
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
		var pending []*slot
		idx, inputDone := 0, false
		for {
			for !inputDone && len(pending) < 2*cfg.workers {
				if ctx.Err() != nil {
					inputDone = true
					break
				}
				d, ok := next()
				if !ok {
					inputDone = true
					break
				}
				s := &slot{idx: idx, in: d, done: make(chan struct{})}
				idx++
				pending = append(pending, s)
				jobs <- s
			}
			if len(pending) == 0 {
				ctxEnded()
				return
			}
			s := pending[0]
			pending[0] = nil
			pending = pending[1:]
			<-s.done
			if !emit(s.idx, s.out, s.err) {
				return
			}
		}
	}
}
