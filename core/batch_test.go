package core_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/transmute-go/transmute/core"
)

// numbered returns n records {"i": i}.
func numbered(n int) []core.Data {
	items := make([]core.Data, n)
	for i := range items {
		items[i] = core.Data{"i": float64(i)}
	}
	return items
}

// batchManager has a model N whose 1.0.0 → 2.0.0 function calls work for
// each record (by index) and then doubles "i" into "twice".
func batchManager(t testing.TB, work func(ctx context.Context, i int) error) *core.Manager {
	t.Helper()
	m := core.NewManager()
	mustOK(t, m.RegisterMigration("N", "1.0.0", "2.0.0", func(ctx context.Context, d core.Data) (core.Data, error) {
		i := int(d["i"].(float64))
		if work != nil {
			if err := work(ctx, i); err != nil {
				return nil, err
			}
		}
		d["twice"] = float64(2 * i)
		return d, nil
	}))
	return m
}

// shuffleWork makes the items finish out of order.
func shuffleWork(_ context.Context, i int) error {
	for range (i * 7) % 13 {
		runtime.Gosched()
	}
	return nil
}

func checkNumbered(t testing.TB, out []core.Data, n int) {
	t.Helper()
	if len(out) != n {
		t.Fatalf("%d results, want %d", len(out), n)
	}
	for i, d := range out {
		if d["i"] != float64(i) || d["twice"] != float64(2*i) {
			t.Fatalf("result %d is %v", i, d)
		}
	}
}

func TestMigrateBatchOrder(t *testing.T) {
	m := batchManager(t, shuffleWork)
	for _, w := range []int{0, 1, 2, 3, 4, 8} {
		t.Run(fmt.Sprint("workers=", w), func(t *testing.T) {
			items := numbered(200)
			orig := make([]core.Data, len(items))
			for i, d := range items {
				orig[i] = clone(t, d)
			}
			out, err := m.MigrateBatch(context.Background(), items, "N", "1.0.0", "2.0.0", core.WithWorkers(w), core.WithoutValidation())
			mustOK(t, err)
			checkNumbered(t, out, 200)
			equal(t, items, orig)
		})
	}
	out, err := m.MigrateBatch(context.Background(), nil, "N", "1.0.0", "2.0.0", core.WithWorkers(4))
	if err != nil || len(out) != 0 {
		t.Fatalf("empty batch: %v, %v", out, err)
	}
	if _, err := m.MigrateBatch(context.Background(), nil, "N", "1.0", "2.0.0"); !errors.Is(err, core.ErrInvalidVersion) {
		t.Fatalf("bad version: %v", err)
	}
}

func TestMigrateBatchFailFast(t *testing.T) {
	errOne := errors.New("item 1 failed")
	for _, tc := range []struct {
		name    string
		oneErr  func(ctx context.Context) error // item 1's error, once item 3 has failed
		wantIdx int
		wantErr error
	}{
		// Item 3 fails first in time, item 1 later with an error of its
		// own: item 1 is first in input order.
		{"earlier item fails later", func(context.Context) error { return errOne }, 1, errOne},
		// Item 1 only reacts to the cancellation: it is not a failure.
		{"earlier item cancelled", func(ctx context.Context) error { return ctx.Err() }, 3, errTest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls [8]atomic.Int32
			oneStarted := make(chan struct{}) // item 3 fails once item 1 runs, never before
			m := batchManager(t, func(ctx context.Context, i int) error {
				calls[i].Add(1)
				switch i {
				case 3:
					<-oneStarted
					return errTest
				case 1:
					close(oneStarted)
					<-ctx.Done() // cancelled because item 3 failed
					return tc.oneErr(ctx)
				default:
					<-ctx.Done()
					return ctx.Err()
				}
			})
			out, err := m.MigrateBatch(context.Background(), numbered(8), "N", "1.0.0", "2.0.0", core.WithWorkers(4), core.WithoutValidation())
			var ie *core.ItemError
			if !errors.As(err, &ie) || ie.Index != tc.wantIdx || !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want item %d failing with %v", err, tc.wantIdx, tc.wantErr)
			}
			if out != nil {
				t.Fatalf("fail-fast returned results %v", out)
			}
			for i := 4; i < 8; i++ {
				if n := calls[i].Load(); n != 0 {
					t.Fatalf("item %d ran after the batch stopped", i)
				}
			}
		})
	}
}

func TestMigrateBatchSequentialFailFast(t *testing.T) {
	var ran atomic.Int32
	m := batchManager(t, func(_ context.Context, i int) error {
		ran.Add(1)
		if i == 2 {
			return errTest
		}
		return nil
	})
	_, err := m.MigrateBatch(context.Background(), numbered(10), "N", "1.0.0", "2.0.0", core.WithoutValidation())
	var ie *core.ItemError
	if !errors.As(err, &ie) || ie.Index != 2 || !errors.Is(err, errTest) || core.ErrorType(err) != "migration_function" {
		t.Fatalf("err = %v", err)
	}
	equal(t, ran.Load(), int32(3))
}

func TestMigrateBatchContinueOnError(t *testing.T) {
	for _, w := range []int{1, 3} {
		t.Run(fmt.Sprint("workers=", w), func(t *testing.T) {
			m := batchManager(t, func(_ context.Context, i int) error {
				if i%4 == 1 {
					return fmt.Errorf("item %d: %w", i, errTest)
				}
				return nil
			})
			items := numbered(12)
			items[6] = nil
			out, err := m.MigrateBatch(context.Background(), items, "N", "1.0.0", "2.0.0", core.WithWorkers(w), core.WithContinueOnError(), core.WithoutValidation())
			var be *core.BatchError
			if !errors.As(err, &be) {
				t.Fatalf("err = %v, want a *BatchError", err)
			}
			equal(t, be.Indexes(), []int{1, 5, 6, 9})
			if !errors.Is(err, errTest) || !errors.Is(err, core.ErrInvalidData) || core.ErrorType(err) != "batch" {
				t.Fatalf("err = %v does not match its items' errors", err)
			}
			if be.Error() != "batch: 4 items failed; first: "+be.Items[0].Error() {
				t.Fatalf("message %q", be)
			}
			if len(out) != 12 {
				t.Fatalf("%d results", len(out))
			}
			for i, d := range out {
				failed := i == 1 || i == 5 || i == 6 || i == 9
				if failed != (d == nil) {
					t.Fatalf("result %d = %v", i, d)
				}
				if !failed && d["twice"] != float64(2*i) {
					t.Fatalf("result %d = %v", i, d)
				}
			}
		})
	}
}

func TestMigrateBatchProgress(t *testing.T) {
	m := batchManager(t, func(ctx context.Context, i int) error {
		if err := shuffleWork(ctx, i); err != nil {
			return err
		}
		if i%10 == 0 {
			return errTest
		}
		return nil
	})
	for _, w := range []int{1, 4} {
		var inside atomic.Bool
		var got []core.Progress
		fn := func(p core.Progress) {
			if inside.Swap(true) {
				t.Error("WithProgress called concurrently")
			}
			runtime.Gosched()
			got = append(got, p)
			inside.Store(false)
		}
		_, err := m.MigrateBatch(context.Background(), numbered(100), "N", "1.0.0", "2.0.0",
			core.WithWorkers(w), core.WithContinueOnError(), core.WithProgress(fn), core.WithProgress(nil), nil, core.WithoutValidation())
		if err == nil {
			t.Fatal("want an error")
		}
		if len(got) != 100 {
			t.Fatalf("%d progress reports", len(got))
		}
		for i, p := range got {
			if p.Done != i+1 || p.Total != 100 || (i > 0 && p.Elapsed < got[i-1].Elapsed) || (i > 0 && p.Failed < got[i-1].Failed) {
				t.Fatalf("report %d: %+v", i, p)
			}
		}
		equal(t, got[99].Failed, 10)
	}
}

func TestMigrateBatchObserver(t *testing.T) {
	var inBatch atomic.Int32
	m := batchManager(t, func(ctx context.Context, i int) error {
		if ctx.Value(batchKey{}) == "b" {
			inBatch.Add(1)
		}
		if i == 2 {
			return errTest
		}
		return nil
	})
	rec := &recorder{}
	b := batchHook{traceHook: newTrace("b", rec), batches: make(chan core.Batch, 4)}
	m.AddHook(b)

	_, err := m.MigrateBatch(context.Background(), numbered(5), "N", "1.0.0", "2.0.0", core.WithWorkers(2), core.WithContinueOnError(), core.WithoutValidation())
	if err == nil {
		t.Fatal("want an error")
	}
	got := <-b.batches
	if got.Model != "N" || got.From.String() != "1.0.0" || got.To.String() != "2.0.0" || got.Size != 5 || got.Succeeded != 4 || got.Failed != 1 || got.Start.IsZero() {
		t.Fatalf("AfterBatch got %+v", got)
	}
	equal(t, inBatch.Load(), int32(5))
	ev := rec.get()
	equal(t, ev[0], "b.beforeBatch N size=5")
	equal(t, ev[len(ev)-1], "b.afterBatch N size=5 ok=4 failed=1 err=true")
	equal(t, b.started(), 5) // each item is a migration of its own
	b.check(t)

	rec.reset()
	_, err = m.MigrateBatch(context.Background(), []core.Data{}, "N", "1.0.0", "2.0.0")
	mustOK(t, err)
	equal(t, rec.get(), []string{"b.beforeBatch N size=0", "b.afterBatch N size=0 ok=0 failed=0 err=false"})
	<-b.batches
}

func TestMigrateBatchCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	m := batchManager(t, func(_ context.Context, i int) error {
		if i == 3 {
			cancel()
		}
		return nil
	})
	_, err := m.MigrateBatch(ctx, numbered(10), "N", "1.0.0", "2.0.0", core.WithoutValidation())
	var ie *core.ItemError
	if !errors.As(err, &ie) || ie.Index != 4 || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want item 4 cancelled", err)
	}
}

// counted is an endless sequence of numbered records that counts how many
// were pulled.
func counted(pulled *atomic.Int64) iter.Seq[core.Data] {
	return func(yield func(core.Data) bool) {
		for i := 0; ; i++ {
			pulled.Add(1)
			if !yield(core.Data{"i": float64(i)}) {
				return
			}
		}
	}
}

func TestMigrateStream(t *testing.T) {
	m := batchManager(t, shuffleWork)
	for _, w := range []int{1, 2, 4, 8} {
		t.Run(fmt.Sprint("workers=", w), func(t *testing.T) {
			base := runtime.NumGoroutine()
			var pulled atomic.Int64
			n := 0
			for d, err := range m.MigrateStream(context.Background(), counted(&pulled), "N", "1.0.0", "2.0.0", core.WithWorkers(w), core.WithoutValidation()) {
				mustOK(t, err)
				if d["i"] != float64(n) || d["twice"] != float64(2*n) {
					t.Fatalf("result %d is %v", n, d)
				}
				n++
				if ahead := pulled.Load() - int64(n); ahead > int64(2*w) {
					t.Fatalf("%d items pulled ahead of the consumer with %d workers", ahead, w)
				}
				if n == 300 {
					break
				}
			}
			if ahead := pulled.Load() - 300; ahead > int64(2*w) {
				t.Fatalf("%d items pulled beyond the last one yielded, with %d workers", ahead, w)
			}
			settleGoroutines(t, base)
		})
	}
}

func TestMigrateStreamFinite(t *testing.T) {
	m := batchManager(t, shuffleWork)
	for _, w := range []int{1, 3} {
		var out []core.Data
		for d, err := range m.MigrateStream(context.Background(), func(yield func(core.Data) bool) {
			for _, d := range numbered(50) {
				if !yield(d) {
					return
				}
			}
		}, "N", "1.0.0", "2.0.0", core.WithWorkers(w), core.WithoutValidation()) {
			mustOK(t, err)
			out = append(out, d)
		}
		checkNumbered(t, out, 50)
	}
}

func TestMigrateStreamErrors(t *testing.T) {
	m := batchManager(t, func(_ context.Context, i int) error {
		if i%5 == 2 {
			return errTest
		}
		return nil
	})
	rec := &recorder{}
	b := batchHook{traceHook: newTrace("b", rec), batches: make(chan core.Batch, 8)}
	m.AddHook(b)
	take := func(n int) iter.Seq[core.Data] {
		return func(yield func(core.Data) bool) {
			for _, d := range numbered(n) {
				if !yield(d) {
					return
				}
			}
		}
	}
	for _, w := range []int{1, 4} {
		// Fail-fast: the stream ends with the first error.
		var got []string
		for d, err := range m.MigrateStream(context.Background(), take(20), "N", "1.0.0", "2.0.0", core.WithWorkers(w), core.WithoutValidation()) {
			var ie *core.ItemError
			switch {
			case err == nil:
				got = append(got, fmt.Sprint(d["i"]))
			case errors.As(err, &ie) && errors.Is(err, errTest):
				got = append(got, fmt.Sprint("err", ie.Index))
			default:
				t.Fatalf("err = %v", err)
			}
		}
		equal(t, got, []string{"0", "1", "err2"})
		bt := <-b.batches
		if bt.Size != -1 || bt.Failed != 1 || bt.Succeeded < 2 {
			t.Fatalf("AfterBatch got %+v", bt)
		}

		// WithContinueOnError: every item, in order, errors included.
		got = nil
		var progress []core.Progress
		for d, err := range m.MigrateStream(context.Background(), take(10), "N", "1.0.0", "2.0.0",
			core.WithWorkers(w), core.WithContinueOnError(), core.WithoutValidation(), core.WithProgress(func(p core.Progress) { progress = append(progress, p) })) {
			var ie *core.ItemError
			if errors.As(err, &ie) {
				got = append(got, fmt.Sprint("err", ie.Index))
			} else {
				got = append(got, fmt.Sprint(d["i"]))
			}
		}
		equal(t, got, []string{"0", "1", "err2", "3", "4", "5", "6", "err7", "8", "9"})
		equal(t, len(progress), 10)
		for i, p := range progress {
			if p.Done != i+1 || p.Total != -1 {
				t.Fatalf("progress %d: %+v", i, p)
			}
		}
		equal(t, progress[9].Failed, 2)
		bt = <-b.batches
		if bt.Size != -1 || bt.Failed != 2 || bt.Succeeded != 8 {
			t.Fatalf("AfterBatch got %+v", bt)
		}
	}
	b.check(t)

	var errs []error
	for _, err := range m.MigrateStream(context.Background(), take(3), "N", "1", "2.0.0") {
		errs = append(errs, err)
	}
	if len(errs) != 1 || !errors.Is(errs[0], core.ErrInvalidVersion) {
		t.Fatalf("bad version: %v", errs)
	}
}

func TestMigrateStreamContextEnds(t *testing.T) {
	for _, w := range []int{1, 4} {
		t.Run(fmt.Sprint("workers=", w), func(t *testing.T) {
			base := runtime.NumGoroutine()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var started atomic.Int64
			m := batchManager(t, func(ctx context.Context, i int) error {
				started.Add(1)
				if i >= 10 {
					<-ctx.Done() // blocks until the stream's ctx ends
					return ctx.Err()
				}
				return nil
			})
			var pulled atomic.Int64
			n, ended := 0, 0
			for d, err := range m.MigrateStream(ctx, counted(&pulled), "N", "1.0.0", "2.0.0", core.WithWorkers(w), core.WithoutValidation()) {
				if err != nil {
					if !errors.Is(err, context.Canceled) {
						t.Fatalf("err = %v", err)
					}
					var ie *core.ItemError
					if errors.As(err, &ie) {
						t.Fatalf("the end of ctx came as an item's error: %v", err)
					}
					ended++
					continue
				}
				if d["i"] != float64(n) {
					t.Fatalf("result %d is %v", n, d)
				}
				n++
				if n == 10 {
					cancel()
				}
			}
			equal(t, n, 10)
			equal(t, ended, 1)
			if ahead := pulled.Load() - 10; ahead > int64(2*w)+1 {
				t.Fatalf("%d items pulled beyond the last yielded", ahead)
			}
			settleGoroutines(t, base)
		})
	}
}

// TestMigrateStreamBreakWhileBusy breaks out of a stream while its workers
// are blocked in migration functions: they are cancelled, and gone once
// the range loop ends.
func TestMigrateStreamBreakWhileBusy(t *testing.T) {
	base := runtime.NumGoroutine()
	var running sync.WaitGroup
	running.Add(1)
	var once sync.Once
	m := batchManager(t, func(ctx context.Context, i int) error {
		if i == 0 {
			return nil
		}
		once.Do(running.Done)
		<-ctx.Done()
		return ctx.Err()
	})
	var pulled atomic.Int64
	for _, err := range m.MigrateStream(context.Background(), counted(&pulled), "N", "1.0.0", "2.0.0", core.WithWorkers(3), core.WithoutValidation()) {
		mustOK(t, err)
		running.Wait() // another item is in a function
		break
	}
	settleGoroutines(t, base)
}

func TestMigrateBatchProgressPanics(t *testing.T) {
	for _, w := range []int{1, 4} {
		t.Run(fmt.Sprint("workers=", w), func(t *testing.T) {
			base := runtime.NumGoroutine()
			var ran atomic.Int32
			m := batchManager(t, func(context.Context, int) error { ran.Add(1); return nil })
			rec := &recorder{}
			b := batchHook{traceHook: newTrace("b", rec), batches: make(chan core.Batch, 1)}
			m.AddHook(b)
			func() {
				defer func() {
					if r := recover(); r != "progress boom" {
						t.Fatalf("recovered %v, want the WithProgress panic", r)
					}
				}()
				_, _ = m.MigrateBatch(context.Background(), numbered(1000), "N", "1.0.0", "2.0.0", core.WithWorkers(w), core.WithContinueOnError(),
					core.WithProgress(func(p core.Progress) {
						if p.Done == 10 {
							panic("progress boom")
						}
					}))
				t.Fatal("MigrateBatch returned")
			}()
			if n := ran.Load(); n >= 1000 {
				t.Fatalf("the batch went on after the panic: %d items ran", n)
			}
			ev := rec.get()
			if last := ev[len(ev)-1]; !strings.HasPrefix(last, "b.afterBatch N size=1000 ") || !strings.HasSuffix(last, "err=true") {
				t.Fatalf("last event %q, want AfterBatch", last)
			}
			<-b.batches
			settleGoroutines(t, base)
		})
	}
}

// TestMigrateBatchCallerCancelled: when the caller's ctx ends, every item
// fails on its own account, and the first in input order is reported, even
// when a later one failed first in time.
func TestMigrateBatchCallerCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	oneDone := make(chan struct{})
	m := batchManager(t, func(ctx context.Context, i int) error {
		if i == 1 {
			cancel() // the caller's ctx ends
			return ctx.Err()
		}
		<-oneDone // item 0 fails after item 1 has
		return ctx.Err()
	})
	_, err := m.MigrateBatch(ctx, numbered(2), "N", "1.0.0", "2.0.0", core.WithWorkers(2), core.WithoutValidation(),
		core.WithProgress(func(p core.Progress) {
			if p.Done == 1 {
				close(oneDone)
			}
		}))
	var ie *core.ItemError
	if !errors.As(err, &ie) || ie.Index != 0 || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want item 0 cancelled", err)
	}
}

// TestMigrateStreamInputPanics: a panic of the input sequence reaches the
// consumer's goroutine (after the items pulled before it), whatever the
// number of workers.
func TestMigrateStreamInputPanics(t *testing.T) {
	m := batchManager(t, nil)
	for _, w := range []int{1, 3} {
		t.Run(fmt.Sprint("workers=", w), func(t *testing.T) {
			base := runtime.NumGoroutine()
			seq := func(yield func(core.Data) bool) {
				for i := range 5 {
					if !yield(core.Data{"i": float64(i)}) {
						return
					}
				}
				panic("input boom")
			}
			n := 0
			func() {
				defer func() {
					if r := recover(); r != "input boom" {
						t.Fatalf("recovered %v", r)
					}
				}()
				for _, err := range m.MigrateStream(context.Background(), seq, "N", "1.0.0", "2.0.0", core.WithWorkers(w), core.WithoutValidation()) {
					mustOK(t, err)
					n++
				}
				t.Fatal("the stream ended without the panic")
			}()
			equal(t, n, 5)
			settleGoroutines(t, base)
		})
	}
}
