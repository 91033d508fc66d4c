package core

import (
	"context"
	"errors"
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
// cancelled items. A panic in a [WithProgress] function is raised again in
// the caller's goroutine, once every worker has stopped.
func (m *Manager) MigrateBatch(ctx context.Context, items []Data, model, from, to string, opts ...BatchOption) ([]Data, error) {
	return migrateBatch(ctx, m, items, model, from, to, opts, func(ctx context.Context, d Data, fv, tv Version, cfg batchConfig) (Data, error) {
		return m.runItem(ctx, d, model, fv, tv, cfg)
	})
}

// MigrateBatchJSON is [Manager.MigrateBatch] for records given as JSON:
// each item is migrated as [Manager.MigrateJSON] does (from "" with
// [WithVersionFromRecord] reads each item's version), with the batch's
// options, hooks and errors; the results are JSON objects, in input
// order. A item that is not one JSON object is a failed item whose error
// matches [ErrDecode].
func (m *Manager) MigrateBatchJSON(ctx context.Context, items [][]byte, model, from, to string, opts ...BatchOption) ([][]byte, error) {
	return migrateBatch(ctx, m, items, model, from, to, opts, func(ctx context.Context, b []byte, fv, tv Version, cfg batchConfig) ([]byte, error) {
		return m.migrateJSON(ctx, b, model, fv, tv, cfg.fromRecord, !cfg.noValidate, cfg.codec, nil)
	})
}

// itemFunc migrates one item of a batch.
type itemFunc[T any] func(ctx context.Context, item T, from, to Version, cfg batchConfig) (T, error)

// migrateBatch is MigrateBatch for items of any form.
func migrateBatch[T any](ctx context.Context, m *Manager, items []T, model, from, to string, opts []BatchOption, migrate itemFunc[T]) ([]T, error) {
	cfg := newBatchConfig(opts)
	fv, tv, err := m.batchVersions(model, from, to, cfg)
	if err != nil {
		return nil, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	b := Batch{Model: model, From: fv, To: tv, Size: len(items), Start: m.clock.now()}
	b.mixed(cfg.fromRecord)
	var bi batchInvocation
	bctx := m.hookSet(ctx).BeforeBatch(ctx, b, &bi)
	defer func() {
		if r := recover(); r != nil { // from a WithProgress function
			b.Elapsed = time.Since(b.Start)
			bi.AfterBatch(b, &PanicError{Value: r, Stack: debug.Stack()})
			panic(r)
		}
	}()
	r := newBatchRun(bctx, items, fv, tv, cfg, b.Start, migrate)
	defer r.cancel(nil)
	if workers := min(cfg.workers, len(items)); workers <= 1 {
		b.Succeeded, b.Failed = r.sequential()
	} else {
		b.Succeeded, b.Failed = r.parallel(workers)
	}
	results, out := r.outcome(b.Failed)
	b.Elapsed = time.Since(b.Start)
	bi.AfterBatch(b, out)
	return results, out
}

// batchRun is the state of one batch: the results and errors by index,
// and the fail-fast stop.
type batchRun[T any] struct {
	items    []T
	migrate  itemFunc[T]
	from, to Version
	cfg      batchConfig
	parent   context.Context // the ctx the batch observers returned
	ctx      context.Context // parent, cancelled when a fail-fast batch stops
	cancel   context.CancelCauseFunc
	stopped  atomic.Bool
	prog     *progressor
	results  []T
	errs     []error
}

func newBatchRun[T any](parent context.Context, items []T, from, to Version, cfg batchConfig, start time.Time, migrate itemFunc[T]) *batchRun[T] {
	r := &batchRun[T]{items: items, migrate: migrate, from: from, to: to, cfg: cfg, parent: parent,
		results: make([]T, len(items)), errs: make([]error, len(items))}
	r.ctx, r.cancel = context.WithCancelCause(parent)
	if cfg.progress != nil {
		r.prog = &progressor{fn: cfg.progress, start: start, total: len(items)}
	}
	return r
}

// one migrates item i and reports whether it succeeded, failed or (neither)
// was cancelled because the batch stopped.
func (r *batchRun[T]) one(i int) (ok, failed bool) {
	out, err := r.migrate(r.ctx, r.items[i], r.from, r.to, r.cfg)
	if err != nil && !r.cfg.continueOn && stoppedByBatch(r.stopped.Load(), r.parent, err) {
		r.errs[i] = errStoppedItem // cancelled by us: not a failure of its own
		return false, false
	}
	r.results[i], r.errs[i] = out, err
	if err != nil && !r.cfg.continueOn && !r.stopped.Swap(true) {
		r.cancel(errStopped)
	}
	if r.prog != nil {
		r.prog.report(err != nil)
	}
	return err == nil, err != nil
}

// sequential migrates the items in order on the caller's goroutine.
func (r *batchRun[T]) sequential() (succeeded, failed int) {
	for i := range r.items {
		ok, bad := r.one(i)
		if ok {
			succeeded++
		}
		if bad {
			failed++
			if !r.cfg.continueOn {
				break
			}
		}
	}
	return succeeded, failed
}

// parallel migrates the items on workers goroutines, each claiming chunks
// of consecutive items. A panic of a worker (from a progress function) is
// raised again here once every worker has stopped.
func (r *batchRun[T]) parallel(workers int) (succeeded, failed int) {
	chunk := batchChunk(len(r.items), workers)
	var next, nOK, nFailed atomic.Int64
	var panicked atomic.Pointer[workerPanic]
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			ok, bad := 0, 0
			defer func() {
				nOK.Add(int64(ok))
				nFailed.Add(int64(bad))
				if p := recover(); p != nil {
					panicked.CompareAndSwap(nil, &workerPanic{value: p})
					if r.stopped.CompareAndSwap(false, true) {
						r.cancel(errStopped)
					}
				}
			}()
			for {
				lo := int(next.Add(int64(chunk))) - chunk
				if lo >= len(r.items) {
					return
				}
				for i := lo; i < min(lo+chunk, len(r.items)); i++ {
					if !r.cfg.continueOn && r.stopped.Load() || panicked.Load() != nil {
						return
					}
					o, b := r.one(i)
					ok, bad = ok+b2i(o), bad+b2i(b)
				}
			}
		})
	}
	wg.Wait()
	if p := panicked.Load(); p != nil {
		panic(p.value)
	}
	return int(nOK.Load()), int(nFailed.Load())
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// outcome returns what MigrateBatch returns: every result and a
// *BatchError with WithContinueOnError; else the results, or nil and the
// first failure in input order.
func (r *batchRun[T]) outcome(failed int) ([]T, error) {
	if r.cfg.continueOn {
		var be BatchError
		for i, e := range r.errs {
			if e != nil {
				be.Items = append(be.Items, &ItemError{Index: i, Err: e})
			}
		}
		if len(be.Items) > 0 {
			return r.results, &be
		}
		return r.results, nil
	}
	if failed == 0 {
		return r.results, nil
	}
	for i, e := range r.errs {
		if e != nil && e != errStoppedItem {
			return nil, &ItemError{Index: i, Err: e}
		}
	}
	return nil, nil // not reached: a failed item has its error
}

// workerPanic carries a panic out of a batch worker.
type workerPanic struct{ value any }
