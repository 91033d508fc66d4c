package metricshook_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/metricshook"
)

func TestCountsExactUnderConcurrency(t *testing.T) {
	h := metricshook.New()
	m := userManager(t, h)
	check(t, core.Register[UserV1](m, "Account", "1.0.0"))
	check(t, core.Register[UserV2](m, "Account", "2.0.0"))
	check(t, m.RegisterMigration("Account", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		d["first_name"], d["last_name"] = d["name"], "-"
		delete(d, "name")
		return d, nil
	}))

	const goroutines, perGoroutine = 8, 10_000
	// What each migration does, decided by its number: every 7th fails
	// validation (no name), every 11th fails in the function, every 3rd is
	// an Account, every 13th asks for a model that does not exist.
	kind := func(n int) (model string, rec core.Data, fails bool) {
		switch {
		case n%13 == 0:
			return "Ghost", core.Data{"name": "x"}, true
		case n%3 == 0:
			return "Account", core.Data{"name": "Ada"}, false
		case n%7 == 0:
			return "User", core.Data{"nick": "ada"}, true
		case n%11 == 0:
			return "User", core.Data{"name": "Ada Lovelace", "boom": true}, true
		}
		return "User", core.Data{"name": "Ada Lovelace"}, false
	}
	wantBy, wantErrBy := map[string]int64{}, map[string]int64{}
	var wantErrors int64
	for n := range goroutines * perGoroutine {
		model, _, fails := kind(n)
		if model == "Ghost" { // not registered: counted in the overflow transition
			model = ""
		}
		wantBy[model]++
		if fails {
			wantErrBy[model]++
			wantErrors++
		}
	}

	// A reader runs alongside and checks that what it reads is consistent.
	stop := make(chan struct{})
	readerDone := make(chan error, 1)
	go func() {
		var last int64
		for {
			select {
			case <-stop:
				readerDone <- nil
				return
			default:
			}
			s := h.Snapshot()
			switch {
			case s.Total < last:
				readerDone <- fmt.Errorf("Total went down: %d after %d", s.Total, last)
				return
			case s.Errors > s.Total:
				readerDone <- fmt.Errorf("Errors %d > Total %d", s.Errors, s.Total)
				return
			}
			for _, tr := range s.Transitions {
				if tr.Count+tr.Errors > tr.Started {
					readerDone <- fmt.Errorf("%s: Count %d + Errors %d > Started %d", tr, tr.Count, tr.Errors, tr.Started)
					return
				}
			}
			last = s.Total
		}
	}()

	var wg sync.WaitGroup
	var gotErrors atomic.Int64
	for g := range goroutines {
		wg.Go(func() {
			ctx := context.Background()
			for i := range perGoroutine {
				model, rec, fails := kind(g*perGoroutine + i)
				_, err := m.Migrate(ctx, rec, model, "1.0.0", "2.0.0")
				if (err != nil) != fails {
					t.Errorf("migration %d: err = %v, want failure %v", g*perGoroutine+i, err, fails)
				}
				if err != nil {
					gotErrors.Add(1)
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	if err := <-readerDone; err != nil {
		t.Error(err)
	}

	if got, want := h.Total(), int64(goroutines*perGoroutine); got != want {
		t.Errorf("Total = %d, want %d", got, want)
	}
	if got := h.Errors(); got != wantErrors || got != gotErrors.Load() {
		t.Errorf("Errors = %d, want %d (callers saw %d)", got, wantErrors, gotErrors.Load())
	}
	if got := h.ByModel(); !maps.Equal(got, wantBy) {
		t.Errorf("ByModel = %v, want %v", got, wantBy)
	}
	if got := h.ErrorsByModel(); !maps.Equal(got, wantErrBy) {
		t.Errorf("ErrorsByModel = %v, want %v", got, wantErrBy)
	}
	want := float64(goroutines*perGoroutine-wantErrors) / float64(goroutines*perGoroutine)
	if got := h.SuccessRate(); got != want {
		t.Errorf("SuccessRate = %v, want %v", got, want)
	}
	s := h.Snapshot()
	if len(s.Transitions) != 3 {
		t.Fatalf("Transitions = %v, want Account, Ghost and User", s.Transitions)
	}
	for _, tr := range s.Transitions {
		if tr.Started != wantBy[tr.Model] || tr.Errors != wantErrBy[tr.Model] || tr.Count != tr.Started-tr.Errors {
			t.Errorf("%s: Started %d Errors %d Count %d, want %d %d %d", tr, tr.Started, tr.Errors, tr.Count,
				wantBy[tr.Model], wantErrBy[tr.Model], wantBy[tr.Model]-wantErrBy[tr.Model])
		}
	}
}

func TestFailuresCountAsErrors(t *testing.T) {
	ctx := context.Background()
	rejected := errors.New("rejected")
	tests := []struct {
		name     string
		rec      core.Data
		model    string
		hooks    []core.Hook
		validate bool
		is       error
	}{
		{name: "validation of the result", rec: core.Data{"nick": "ada"}, model: "User", validate: true, is: core.ErrValidation},
		{name: "a Validator hook", rec: core.Data{"name": "Ada Lovelace"}, model: "User", validate: true, is: rejected,
			hooks: []core.Hook{validator(func(core.Record) error { return rejected })}},
		{name: "the migration function", rec: core.Data{"name": "Ada", "boom": 1}, model: "User", validate: true, is: errBoom},
		{name: "no such model", rec: core.Data{"name": "Ada"}, model: "Ghost", validate: true, is: core.ErrModelNotFound},
		{name: "a panic in the migration function", rec: core.Data{"name": "Ada", "panic": 1}, model: "User", validate: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := metricshook.New()
			m := userManager(t, append([]core.Hook{h}, tt.hooks...)...)
			var err error
			if tt.validate {
				_, err = m.Migrate(ctx, tt.rec, tt.model, "1.0.0", "2.0.0")
			} else {
				_, err = m.MigrateData(ctx, tt.rec, tt.model, "1.0.0", "2.0.0")
			}
			if err == nil || (tt.is != nil && !errors.Is(err, tt.is)) || (tt.is == nil && core.ErrorType(err) != "panic") {
				t.Fatalf("err = %v, want one matching %v", err, tt.is)
			}
			if h.Total() != 1 || h.Errors() != 1 || h.SuccessRate() != 0 {
				t.Errorf("Total %d Errors %d SuccessRate %v, want 1 1 0", h.Total(), h.Errors(), h.SuccessRate())
			}
			model, from, to := tt.model, "1.0.0", "2.0.0"
			if errors.Is(tt.is, core.ErrModelNotFound) { // no path: the overflow transition
				model, from, to = "", "0.0.0", "0.0.0"
			}
			if got := h.ErrorsByModel(); !maps.Equal(got, map[string]int64{model: 1}) {
				t.Errorf("ErrorsByModel = %v", got)
			}
			tr, ok := h.Transition(model, from, to)
			if !ok || tr.Errors != 1 || tr.Count != 0 || tr.Max != 0 {
				t.Errorf("Transition = %+v, %v; want 1 error and no timing", tr, ok)
			}
		})
	}

	// The same record as the first case migrates without validation: a
	// success, not an error.
	h := metricshook.New()
	m := userManager(t, h)
	if _, err := m.MigrateData(ctx, core.Data{"nick": "ada"}, "User", "1.0.0", "2.0.0"); err != nil {
		t.Fatal(err)
	}
	if h.Total() != 1 || h.Errors() != 0 || h.SuccessRate() != 1 {
		t.Errorf("Total %d Errors %d SuccessRate %v, want 1 0 1", h.Total(), h.Errors(), h.SuccessRate())
	}
}

// validator is a core.Validator made of a function.
type validator func(core.Record) error

func (validator) BeforeMigrate(ctx context.Context, _ core.Event) context.Context { return ctx }
func (validator) AfterMigrate(context.Context, core.Event, core.Record)           {}
func (validator) OnError(context.Context, core.Event, error)                      {}
func (v validator) ValidateMigration(_ context.Context, _ core.Event, r core.Record) error {
	return v(r)
}

func TestSuccessRate(t *testing.T) {
	h := metricshook.New()
	if got := h.SuccessRate(); got != 0 {
		t.Errorf("empty: SuccessRate = %v, want 0", got)
	}
	if got := h.Snapshot().SuccessRate(); got != 0 {
		t.Errorf("empty: Snapshot().SuccessRate = %v, want 0", got)
	}
	m := userManager(t, h)
	ctx := context.Background()
	for _, rec := range []core.Data{{"name": "Ada Lovelace"}, {"name": "Alan Turing"}, {"bad": "data"}} {
		_, _ = m.Migrate(ctx, rec, "User", "1.0.0", "2.0.0")
	}
	if got, want := h.SuccessRate(), 2.0/3; got != want {
		t.Errorf("SuccessRate = %v, want %v", got, want)
	}
	if got, want := h.Snapshot().SuccessRate(), 2.0/3; got != want {
		t.Errorf("Snapshot().SuccessRate = %v, want %v", got, want)
	}
	// No migration when from == to: nothing counted.
	if _, err := m.Migrate(ctx, core.Data{"name": "Ada"}, "User", "1.0.0", "1.0.0"); err != nil {
		t.Fatal(err)
	}
	if h.Total() != 3 {
		t.Errorf("Total = %d after an identity migration, want 3", h.Total())
	}
}

func TestReset(t *testing.T) {
	h := metricshook.New()
	m := userManager(t, h)
	ctx := context.Background()
	_, _ = m.Migrate(ctx, core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0")
	_, _ = m.Migrate(ctx, core.Data{"bad": "data"}, "User", "1.0.0", "2.0.0")
	if h.Total() != 2 || h.Errors() != 1 {
		t.Fatalf("before Reset: Total %d Errors %d", h.Total(), h.Errors())
	}
	h.Reset()
	s := h.Snapshot()
	if s.Total != 0 || s.Errors != 0 || len(s.ByModel) != 0 || len(s.ErrorsByModel) != 0 || len(s.Transitions) != 0 || s.SuccessRate() != 0 {
		t.Errorf("after Reset: %+v", s)
	}
	if _, ok := h.Transition("User", "1.0.0", "2.0.0"); ok {
		t.Error("after Reset: the transition is still there")
	}
	_, _ = m.Migrate(ctx, core.Data{"name": "Grace Hopper"}, "User", "1.0.0", "2.0.0")
	tr, ok := h.Transition("User", "1.0.0", "2.0.0")
	if h.Total() != 1 || h.Errors() != 0 || !ok || tr.Count != 1 || tr.Started != 1 {
		t.Errorf("after Reset and one migration: Total %d Errors %d %+v", h.Total(), h.Errors(), tr)
	}
}

func TestResetDuringMigration(t *testing.T) {
	for _, fail := range []bool{false, true} {
		t.Run(fmt.Sprintf("fail=%v", fail), func(t *testing.T) {
			h := metricshook.New()
			m := core.NewManager()
			m.AddHook(h)
			entered, release := make(chan struct{}), make(chan struct{})
			check(t, m.RegisterMigration("Job", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
				close(entered)
				<-release
				if fail {
					return nil, errBoom
				}
				return d, nil
			}))
			check(t, m.RegisterMigration("Job", "2.0.0", "3.0.0", func(_ context.Context, d core.Data) (core.Data, error) { return d, nil }))
			done := make(chan error)
			go func() {
				_, err := m.MigrateData(context.Background(), core.Data{}, "Job", "1.0.0", "2.0.0")
				done <- err
			}()
			<-entered
			if h.Total() != 1 {
				t.Fatalf("in flight: Total = %d, want 1", h.Total())
			}
			h.Reset()
			close(release)
			if err := <-done; (err != nil) != fail {
				t.Fatalf("err = %v", err)
			}
			// The migration started before the Reset: it is not part of the new
			// period, neither its start nor its end.
			s := h.Snapshot()
			if s.Total != 0 || s.Errors != 0 || len(s.Transitions) != 0 {
				t.Errorf("after a migration that straddled Reset: %+v", s)
			}
			if _, err := m.MigrateData(context.Background(), core.Data{}, "Job", "2.0.0", "3.0.0"); err != nil {
				t.Fatal(err)
			}
			if tr, ok := h.Transition("Job", "2.0.0", "3.0.0"); h.Total() != 1 || !ok || tr.Count != 1 {
				t.Errorf("a migration after Reset: Total %d, %+v", h.Total(), tr)
			}
		})
	}
}

func TestNestedMigrationsTimed(t *testing.T) {
	const itemSleep = 3 * time.Millisecond
	h := metricshook.New()
	m := orderManager(t, itemSleep, h)
	if _, err := m.Migrate(context.Background(), order("a", "b", "c"), "Order", "1.0.0", "2.0.0"); err != nil {
		t.Fatal(err)
	}
	if got, want := h.ByModel(), map[string]int64{"Order": 1, "Item": 3}; !maps.Equal(got, want) {
		t.Fatalf("ByModel = %v, want %v", got, want)
	}
	outer, _ := h.Transition("Order", "1.0.0", "2.0.0")
	inner, _ := h.Transition("Item", "1.0.0", "2.0.0")
	if outer.Count != 1 || inner.Count != 3 {
		t.Fatalf("Count: Order %d, Item %d; want 1 and 3", outer.Count, inner.Count)
	}
	if inner.Min < itemSleep {
		t.Errorf("Item: Min = %v, less than the %v each one sleeps", inner.Min, itemSleep)
	}
	// The items ran one after the other inside the order: the order took at
	// least as long as all of them together.
	if outer.Min < inner.Total {
		t.Errorf("Order took %v, less than its nested items together (%v)", outer.Min, inner.Total)
	}
}

func TestConcurrentMigrationsTimed(t *testing.T) {
	const slow = 20 * time.Millisecond
	h := metricshook.New()
	m := userManager(t, h)
	check(t, m.RegisterMigration("User", "2.0.0", "3.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		return d, nil
	}))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			ctx := context.Background()
			for i := range 10 {
				var err error
				if (g+i)%2 == 0 {
					_, err = m.Migrate(ctx, core.Data{"name": "Ada Lovelace", "sleep": slow.String()}, "User", "1.0.0", "2.0.0")
				} else {
					_, err = m.MigrateData(ctx, core.Data{"first_name": "Ada"}, "User", "2.0.0", "3.0.0")
				}
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	s, _ := h.Transition("User", "1.0.0", "2.0.0")
	f, _ := h.Transition("User", "2.0.0", "3.0.0")
	if s.Count != 20 || f.Count != 20 {
		t.Fatalf("Count: slow %d, fast %d; want 20 each", s.Count, f.Count)
	}
	if s.Min < slow {
		t.Errorf("slow: Min = %v, less than its %v sleep", s.Min, slow)
	}
	if f.P50 >= s.Min {
		t.Errorf("fast: P50 = %v, not below the slow Min %v", f.P50, s.Min)
	}
}

func TestPercentilesOfAKnownDistribution(t *testing.T) {
	// Durations of 100ms, 200ms, ... 100s, fed in a shuffled order.
	const n, step = 1000, 100 * time.Millisecond
	order := rand.New(rand.NewPCG(1, 2)).Perm(n)
	h := metricshook.New()
	ctx := context.Background()
	for _, i := range order {
		e := event("Report", "1.0.0", "2.0.0", time.Duration(i+1)*step)
		h.AfterMigrate(h.BeforeMigrate(ctx, e), e, core.Record{})
	}
	tr, ok := h.Transition("Report", "1.0.0", "2.0.0")
	if !ok || tr.Count != n || tr.Started != n {
		t.Fatalf("Transition = %+v, %v", tr, ok)
	}
	// Each recorded duration is the intended one plus the moment between
	// creating the event and recording it: allow up to 5ms for that (a
	// loaded machine may pause the test).
	const late = 5 * time.Millisecond
	within := func(name string, got, want time.Duration, rel float64, slack time.Duration) {
		t.Helper()
		if lo, hi := float64(want)*(1-rel), float64(want)*(1+rel)+float64(slack); float64(got) < lo || float64(got) > hi {
			t.Errorf("%s = %v, want %v within %.2f%% (+%v)", name, got, want, 100*rel, slack)
		}
	}
	// Nearest rank: the p-th percentile of 1..n steps is ceil(p×n/100) steps.
	within("P50", tr.P50, 500*step, metricshook.RelativeError, late)
	within("P95", tr.P95, 950*step, metricshook.RelativeError, late)
	within("P99", tr.P99, 990*step, metricshook.RelativeError, late)
	within("Min", tr.Min, step, 0, late)
	within("Max", tr.Max, n*step, 0, late)
	within("Mean", tr.Mean, (n+1)*step/2, 0, late)
	within("Total", tr.Total, n*(n+1)/2*step, 0, n*late)
	if !(tr.Min <= tr.P50 && tr.P50 <= tr.P95 && tr.P95 <= tr.P99 && tr.P99 <= tr.Max) {
		t.Errorf("not in order: Min %v P50 %v P95 %v P99 %v Max %v", tr.Min, tr.P50, tr.P95, tr.P99, tr.Max)
	}
}

func TestSlowest(t *testing.T) {
	h := metricshook.New()
	ctx := context.Background()
	record := func(model string, d time.Duration) {
		e := event(model, "1.0.0", "2.0.0", d)
		h.AfterMigrate(h.BeforeMigrate(ctx, e), e, core.Record{})
	}
	record("A", 10*time.Millisecond)
	record("A", 30*time.Millisecond) // mean 20ms
	record("B", 50*time.Millisecond)
	record("C", 35*time.Millisecond)
	record("D", 1*time.Millisecond)
	e := event("E", "1.0.0", "2.0.0", time.Hour) // failed: no duration
	h.OnError(h.BeforeMigrate(ctx, e), e, errBoom)

	names := func(ts []metricshook.Transition) string {
		var s []string
		for _, t := range ts {
			s = append(s, t.Name())
		}
		return strings.Join(s, " ")
	}
	for _, tt := range []struct {
		n    int
		want string
	}{
		{2, "B:1.0.0→2.0.0 C:1.0.0→2.0.0"},
		{4, "B:1.0.0→2.0.0 C:1.0.0→2.0.0 A:1.0.0→2.0.0 D:1.0.0→2.0.0"},
		{10, "B:1.0.0→2.0.0 C:1.0.0→2.0.0 A:1.0.0→2.0.0 D:1.0.0→2.0.0"},
		{0, ""},
		{-1, ""},
	} {
		if got := names(h.Slowest(tt.n)); got != tt.want {
			t.Errorf("Slowest(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
	// Snapshot.Transitions are in name order, the failed one included.
	if got, want := names(h.Snapshot().Transitions), "A:1.0.0→2.0.0 B:1.0.0→2.0.0 C:1.0.0→2.0.0 D:1.0.0→2.0.0 E:1.0.0→2.0.0"; got != want {
		t.Errorf("Transitions = %q, want %q", got, want)
	}
}

func TestTransitionLookup(t *testing.T) {
	h := metricshook.New()
	m := userManager(t, h)
	_, _ = m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0")
	if tr, ok := h.Transition("User", "1.0.0", "2.0.0"); !ok || tr.Name() != "User:1.0.0→2.0.0" || tr.Count != 1 {
		t.Errorf("Transition = %+v, %v", tr, ok)
	}
	for _, v := range [][3]string{{"User", "2.0.0", "1.0.0"}, {"Nope", "1.0.0", "2.0.0"}, {"User", "v1", "2.0.0"}, {"User", "1.0.0", "2"}} {
		if _, ok := h.Transition(v[0], v[1], v[2]); ok {
			t.Errorf("Transition(%q, %q, %q) found", v[0], v[1], v[2])
		}
	}
}

func TestSnapshotIsACopy(t *testing.T) {
	h := metricshook.New()
	m := userManager(t, h)
	_, _ = m.Migrate(context.Background(), core.Data{"bad": 1}, "User", "1.0.0", "2.0.0")
	s := h.Snapshot()
	s.ByModel["User"] = 100
	s.ErrorsByModel["User"] = 100
	s.Transitions[0].Started = 100
	by := h.ByModel()
	by["User"] = 100
	if h.ByModel()["User"] != 1 || h.ErrorsByModel()["User"] != 1 || h.Snapshot().Transitions[0].Started != 1 {
		t.Error("changing a snapshot changed the hook")
	}
}

func TestCalledByHand(t *testing.T) {
	h := metricshook.New()
	e := core.Event{Model: "User", From: core.MustParseVersion("1.0.0"), To: core.MustParseVersion("2.0.0"), Path: path}

	// A zero Start: the start travels in the ctx.
	ctx := h.BeforeMigrate(context.Background(), e)
	time.Sleep(2 * time.Millisecond)
	h.AfterMigrate(ctx, e, core.Record{})
	tr, _ := h.Transition("User", "1.0.0", "2.0.0")
	if tr.Started != 1 || tr.Count != 1 || tr.Min < 2*time.Millisecond {
		t.Errorf("timed through the ctx: %+v", tr)
	}

	// No start anywhere: AfterMigrate has nothing to time and records
	// nothing; OnError still counts the error. A nil ctx is fine.
	h.AfterMigrate(context.Background(), e, core.Record{})
	h.AfterMigrate(nil, e, core.Record{}) //lint:ignore SA1012 a careless caller
	h.OnError(nil, e, errBoom)            //lint:ignore SA1012 a careless caller
	//lint:ignore SA1012 a careless caller
	if c := h.BeforeMigrate(nil, e); c == nil {
		t.Error("BeforeMigrate(nil, zero Start) returned a nil ctx")
	}
	tr, _ = h.Transition("User", "1.0.0", "2.0.0")
	if tr.Started != 2 || tr.Count != 1 || tr.Errors != 1 {
		t.Errorf("after calls with no start: %+v", tr)
	}
}

// The hook records the duration the engine measured (Elapsed), without
// reading the clock itself.
func TestUsesTheEnginesDuration(t *testing.T) {
	h := metricshook.New()
	e := core.Event{Model: "User", From: core.MustParseVersion("1.0.0"), To: core.MustParseVersion("2.0.0"), Path: path, Start: time.Now()}
	ctx := h.BeforeMigrate(context.Background(), e)
	e.Elapsed = 5 * time.Millisecond
	h.AfterMigrate(ctx, e, core.Record{})
	e.Elapsed = 7 * time.Millisecond
	h.AfterMigrate(h.BeforeMigrate(context.Background(), e), e, core.Record{})
	tr, _ := h.Transition("User", "1.0.0", "2.0.0")
	if tr.Count != 2 || tr.Min != 5*time.Millisecond || tr.Max != 7*time.Millisecond || tr.Total != 12*time.Millisecond {
		t.Errorf("got %+v, want the two Elapsed exactly", tr)
	}
}

func TestNoAllocationPerMigration(t *testing.T) {
	ctx, rec := context.Background(), benchRecord()
	allocs := func(m *core.Manager) float64 {
		return testing.AllocsPerRun(1000, func() {
			if _, err := m.Migrate(ctx, rec, "User", "1.0.0", "2.0.0"); err != nil {
				t.Fatal(err)
			}
		})
	}
	without := allocs(benchManager(t))
	h := metricshook.New()
	with := allocs(benchManager(t, h))
	if with-without != 0 {
		t.Errorf("Migrate allocates %v times with the hook, %v without", with, without)
	}
	if h.Total() < 1000 {
		t.Fatalf("the hook saw %d migrations", h.Total())
	}

	// The hook alone, success and failure.
	e := event("User", "1.0.0", "2.0.0", time.Millisecond)
	if n := testing.AllocsPerRun(1000, func() {
		h.AfterMigrate(h.BeforeMigrate(ctx, e), e, core.Record{})
		h.OnError(h.BeforeMigrate(ctx, e), e, errBoom)
	}); n != 0 {
		t.Errorf("the hook allocates %v times per migration", n)
	}
}

func TestWriteTable(t *testing.T) {
	ms := time.Millisecond
	s := metricshook.Snapshot{
		Total: 12, Errors: 2,
		Transitions: []metricshook.Transition{
			{Model: "Order", From: core.MustParseVersion("1.0.0"), To: core.MustParseVersion("2.0.0"),
				Started: 2, Errors: 2},
			{Model: "User", From: core.MustParseVersion("1.0.0"), To: core.MustParseVersion("2.0.0"),
				Started: 10, Count: 10, Mean: 1234567, Min: 850 * time.Microsecond, Max: 1500 * ms,
				P50: 999, P95: 12 * ms, P99: 123456 * time.Microsecond},
		},
	}
	want := `migrations: 12  errors: 2  success rate: 83.3%

TRANSITION         STARTED  ERRORS    MEAN    MIN    P50   P95    P99   MAX
Order:1.0.0→2.0.0        2       2       -      -      -     -      -     -
User:1.0.0→2.0.0        10       0  1.23ms  850µs  999ns  12ms  123ms  1.5s
`
	if got := s.String(); got != want {
		t.Errorf("String() =\n%s\nwant\n%s", got, want)
	}
	var b strings.Builder
	if err := s.WriteTable(&b); err != nil || b.String() != want {
		t.Errorf("WriteTable wrote\n%s\n(err %v)", b.String(), err)
	}
	if got, want := (metricshook.Snapshot{}).String(), "migrations: 0  errors: 0  success rate: 0.0%\n"; got != want {
		t.Errorf("empty: %q, want %q", got, want)
	}

	// A real hook's table has a row per transition, with its counts.
	h := metricshook.New()
	m := userManager(t, h)
	_, _ = m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0")
	_, _ = m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "Ghost", "1.0.0", "2.0.0")
	b.Reset()
	if err := h.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	if len(lines) != 6 || lines[0] != "migrations: 2  errors: 1  success rate: 50.0%" ||
		!strings.HasPrefix(lines[3], "(other) ") || !strings.HasPrefix(lines[4], "User:1.0.0→2.0.0 ") ||
		strings.Fields(lines[3])[2] != "1" || strings.Fields(lines[4])[1] != "1" || strings.Fields(lines[4])[3] == "-" {
		t.Errorf("table:\n%s", b.String())
	}
	if err := h.WriteTable(failingWriter{}); !errors.Is(err, errBoom) {
		t.Errorf("WriteTable to a failing writer: %v", err)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errBoom }

func TestResetUnderLoad(t *testing.T) {
	h := metricshook.New()
	m := userManager(t, h)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var resets int
	resetDone := make(chan struct{})
	go func() {
		defer close(resetDone)
		for {
			select {
			case <-stop:
				return
			default:
				h.Reset()
				resets++
				time.Sleep(50 * time.Microsecond)
			}
		}
	}()
	for g := range 4 {
		wg.Go(func() {
			ctx := context.Background()
			for i := range 5000 {
				rec := core.Data{"name": "Ada Lovelace"}
				if (g+i)%4 == 0 {
					rec = core.Data{"bad": true}
				}
				_, _ = m.Migrate(ctx, rec, "User", "1.0.0", "2.0.0")
			}
		})
	}
	wg.Wait()
	close(stop)
	<-resetDone
	// Nothing runs any more: in the last period, every migration counted
	// as started has ended, and every end counted had its start counted.
	s := h.Snapshot()
	for _, tr := range s.Transitions {
		if tr.Count+tr.Errors != tr.Started {
			t.Errorf("%s after %d resets: Count %d + Errors %d != Started %d", tr, resets, tr.Count, tr.Errors, tr.Started)
		}
	}
	if s.Errors > s.Total {
		t.Errorf("Errors %d > Total %d", s.Errors, s.Total)
	}
}

// Made-up transitions cannot grow the hook without bound: past
// MaxTransitions they are counted together, and every migration is still
// counted.
func TestTransitionsAreBounded(t *testing.T) {
	h := metricshook.New()
	ctx := context.Background()
	const n = metricshook.MaxTransitions + 500
	for i := range n {
		e := core.Event{Model: fmt.Sprintf("Ghost%d", i), From: core.MustParseVersion("1.0.0"), To: core.MustParseVersion("2.0.0"), Path: path, Start: time.Now()}
		h.OnError(h.BeforeMigrate(ctx, e), e, core.ErrModelNotFound)
	}
	ts := h.Snapshot().Transitions
	if len(ts) > metricshook.MaxTransitions+1 {
		t.Fatalf("%d transitions kept, want at most %d", len(ts), metricshook.MaxTransitions+1)
	}
	var errs int64
	var other bool
	for _, tr := range ts {
		errs += tr.Errors
		other = other || tr.Model == ""
	}
	if errs != n || !other {
		t.Fatalf("%d errors counted (want %d), overflow transition present: %v", errs, n, other)
	}
}

// A migration the engine found no path for (a made-up model) is counted,
// in the overflow transition: it adds no transition of its own.
func TestUnknownTransitionsAreNotKept(t *testing.T) {
	h := metricshook.New()
	m := userManager(t, h)
	for i := range 100 {
		_, _ = m.Migrate(context.Background(), core.Data{}, fmt.Sprintf("Made-up%d", i), "1.0.0", "2.0.0")
	}
	ts := h.Snapshot().Transitions
	if len(ts) != 1 || ts[0].Model != "" || ts[0].Errors != 100 || ts[0].Name() != "(other)" {
		t.Fatalf("transitions %v", ts)
	}
}
