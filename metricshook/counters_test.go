package metricshook

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/transmute-go/transmute/core"
)

var counterPath = []core.Version{{Major: 1}, {Major: 2}} // a path the engine found

var counterEvent = core.Event{Model: "M", From: core.MustParseVersion("1.0.0"), To: core.MustParseVersion("2.0.0"), Path: counterPath}

// One goroutine alone never loses a compare-and-swap: its counts stay in
// the base shard, with no shard selection at all.
func TestOneProcessorStaysInBase(t *testing.T) {
	h := New()
	e := counterEvent
	e.Start, e.Elapsed = time.Now(), time.Microsecond
	for range 10_000 {
		h.AfterMigrate(h.BeforeMigrate(context.Background(), e), e, core.Record{})
	}
	tr := h.lookup(&e, e.Start)
	if tr.striped.Load() {
		t.Fatal("striped with no concurrency")
	}
	for i := range tr.shards {
		if tr.shards[i].Load() != nil {
			t.Fatalf("shard %d allocated", i)
		}
	}
	if got := tr.base.started.Load(); got != 10_000 {
		t.Fatalf("base started = %d", got)
	}
}

// Counts made before and after a transition becomes striped add up:
// readers merge the base shard with the per-processor ones.
func TestStripedCountsMerge(t *testing.T) {
	h := New()
	e := counterEvent
	e.Start = time.Now()
	ends := func(n int, d time.Duration, fail bool) {
		for range n {
			ctx := h.BeforeMigrate(context.Background(), e)
			if fail {
				h.OnError(ctx, e, errTest)
				continue
			}
			e.Elapsed = d
			h.AfterMigrate(ctx, e, core.Record{})
		}
	}
	ends(3, 2*time.Millisecond, false)
	ends(1, 0, true)
	h.lookup(&e, e.Start).striped.Store(true) // as after a lost compare-and-swap
	ends(4, time.Millisecond, false)
	ends(2, 0, true)
	ends(1, 9*time.Millisecond, false)
	tr, _ := h.Transition("M", "1.0.0", "2.0.0")
	if tr.Started != 11 || tr.Errors != 3 || tr.Count != 8 {
		t.Errorf("Started %d Errors %d Count %d, want 11 3 8", tr.Started, tr.Errors, tr.Count)
	}
	if tr.Min != time.Millisecond || tr.Max != 9*time.Millisecond || tr.Total != 19*time.Millisecond {
		t.Errorf("Min %v Max %v Total %v, want 1ms 9ms 19ms", tr.Min, tr.Max, tr.Total)
	}
}

// Under contention every count lands once, whenever the transition
// becomes striped.
func TestContendedCountsExact(t *testing.T) {
	h := New()
	e := counterEvent
	e.Start, e.Elapsed = time.Now(), time.Microsecond
	const goroutines, each = 8, 20_000
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for i := range each {
				ctx := h.BeforeMigrate(context.Background(), e)
				if i%10 == 0 {
					h.OnError(ctx, e, errTest)
				} else {
					h.AfterMigrate(ctx, e, core.Record{})
				}
			}
		})
	}
	wg.Wait()
	tr, _ := h.Transition("M", "1.0.0", "2.0.0")
	if tr.Started != goroutines*each || tr.Errors != goroutines*each/10 || tr.Count != goroutines*each*9/10 {
		t.Errorf("Started %d Errors %d Count %d", tr.Started, tr.Errors, tr.Count)
	}
}

type testError struct{}

func (testError) Error() string { return "test" }

var errTest error = testError{}

// Transitions taken in turn by one goroutine keep the shared cache; forced
// into per-stripe caches (as when processors mix transitions), every count
// still lands under its own transition.
func TestMixedTransitions(t *testing.T) {
	h := New()
	events := make([]core.Event, 3)
	for i, model := range []string{"A", "B", "C"} {
		events[i] = core.Event{Model: model, From: core.MustParseVersion("1.0.0"), To: core.MustParseVersion("2.0.0"), Path: counterPath, Start: time.Now(), Elapsed: time.Duration(i+1) * time.Millisecond}
	}
	run := func(n int) {
		for i := range n {
			e := events[i%len(events)]
			h.AfterMigrate(h.BeforeMigrate(context.Background(), e), e, core.Record{})
		}
	}
	run(300)
	if h.mixed.Load() {
		t.Fatal("one goroutine made the cache per stripe")
	}
	h.mixed.Store(true)
	run(300)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { run(3000) })
	}
	wg.Wait()
	for i, e := range events {
		tr, _ := h.Transition(e.Model, "1.0.0", "2.0.0")
		if tr.Started != 4200 || tr.Count != 4200 || tr.Min != e.Elapsed || tr.Max != e.Elapsed {
			t.Errorf("%s: Started %d Count %d Min %v Max %v, want 4200 4200 %v", e.Model, tr.Started, tr.Count, tr.Min, tr.Max, time.Duration(i+1)*time.Millisecond)
		}
	}
}
