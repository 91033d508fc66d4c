package hooks_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/hooks"
	"github.com/transmute-go/transmute/transmutetest"
)

// pairing is a hook (and step observer) that counts its calls and lets the
// test kit's recorder check that every After, OnError and AfterStep gets
// the very ctx of its own Before, exactly once ([pairing.broken]).
type pairing struct {
	once                                   sync.Once
	v                                      *transmutetest.ValidatingRecorder
	before, after, errs, steps, afterSteps atomic.Int64
	mu                                     sync.Mutex
	models                                 []string
}

// broken returns the recorder's pairing faults, nil if there are none.
func (p *pairing) broken() error { return p.rec().CheckPairing() }

// rec returns the recorder, made at first use so that the zero pairing is
// ready.
func (p *pairing) rec() *transmutetest.ValidatingRecorder {
	p.once.Do(func() { p.v = transmutetest.NewValidator(nil) })
	return p.v
}

func (p *pairing) BeforeMigrate(ctx context.Context, e core.Event) context.Context {
	p.before.Add(1)
	p.mu.Lock()
	p.models = append(p.models, "before "+e.Model)
	p.mu.Unlock()
	return p.rec().BeforeMigrate(ctx, e)
}

func (p *pairing) AfterMigrate(ctx context.Context, e core.Event, migrated core.Record) {
	p.after.Add(1)
	p.rec().AfterMigrate(ctx, e, migrated)
	p.mu.Lock()
	p.models = append(p.models, "after "+e.Model)
	p.mu.Unlock()
}

func (p *pairing) OnError(ctx context.Context, e core.Event, err error) {
	p.errs.Add(1)
	p.rec().OnError(ctx, e, err)
}

func (p *pairing) BeforeStep(ctx context.Context, e core.Event, s core.Step) context.Context {
	p.steps.Add(1)
	return p.rec().BeforeStep(ctx, e, s)
}

func (p *pairing) AfterStep(ctx context.Context, e core.Event, s core.Step, err error) {
	p.afterSteps.Add(1)
	p.rec().AfterStep(ctx, e, s, err)
}

// Under concurrency, inner gets After or OnError exactly for the
// migrations whose Before it got, each with its own ctx, and the steps of
// those migrations only.
func TestWhenPairingConcurrent(t *testing.T) {
	const goroutines, per = 8, 1500
	inner := &pairing{}
	var asked atomic.Int64
	chosen := func(_ context.Context, e core.Event) bool {
		asked.Add(1)
		return e.Data.Value("id").(int)%3 == 0
	}
	w := hooks.Filter(inner, chosen)
	if _, ok := w.(core.StepObserver); !ok {
		t.Fatal("When does not forward the inner StepObserver")
	}
	m := newTestManager(t, failOnError(t))
	m.AddHook(w)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range per {
				id := g*per + i
				var name any = fmt.Sprint("user ", id)
				if id%2 == 1 {
					name = id // fails in its step
				}
				_, _ = m.Migrate(context.Background(), core.Data{"id": id, "name": name}, "User", "1.0.0", "2.0.0")
			}
		})
	}
	wg.Wait()
	total := int64(goroutines * per)
	var wantChosen, wantErrs int64
	for id := range total {
		if id%3 == 0 {
			wantChosen++
			if id%2 == 1 {
				wantErrs++
			}
		}
	}
	if asked.Load() != total {
		t.Errorf("cond asked %d times for %d migrations", asked.Load(), total)
	}
	if inner.before.Load() != wantChosen || inner.after.Load() != wantChosen-wantErrs || inner.errs.Load() != wantErrs {
		t.Errorf("inner: %d before, %d after, %d errors; want %d, %d, %d",
			inner.before.Load(), inner.after.Load(), inner.errs.Load(), wantChosen, wantChosen-wantErrs, wantErrs)
	}
	if inner.steps.Load() != wantChosen || inner.afterSteps.Load() != wantChosen {
		t.Errorf("inner steps: %d before, %d after; want %d", inner.steps.Load(), inner.afterSteps.Load(), wantChosen)
	}
	if err := inner.broken(); err != nil {
		t.Error(err)
	}
}

// A nested migration takes its own decision: the decision of the
// enclosing migration does not leak into it, either way.
func TestWhenNested(t *testing.T) {
	order := func() core.Data {
		return core.Data{"id": 7, "items": []any{map[string]any{"name": "a"}, map[string]any{"name": "b"}}}
	}
	for _, tc := range []struct {
		model string
		want  []string
	}{
		{"Order", []string{"before Order", "after Order"}},
		{"Item", []string{"before Item", "after Item", "before Item", "after Item"}},
	} {
		t.Run(tc.model, func(t *testing.T) {
			inner := &pairing{}
			m := newTestManager(t, failOnError(t))
			m.AddHook(hooks.Filter(inner, func(_ context.Context, e core.Event) bool { return e.Model == tc.model }))
			if _, err := m.Migrate(context.Background(), order(), "Order", "1.0.0", "2.0.0"); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(inner.models, tc.want) {
				t.Errorf("inner saw %q, want %q", inner.models, tc.want)
			}
			if err := inner.broken(); err != nil {
				t.Error(err)
			}
		})
	}
}

// Two When hooks around the same inner keep their decisions apart.
func TestWhenTwoConditions(t *testing.T) {
	users, accounts := &pairing{}, &pairing{}
	m := newTestManager(t, failOnError(t))
	m.AddHook(
		hooks.Filter(users, func(_ context.Context, e core.Event) bool { return e.Model == "User" }),
		hooks.Filter(accounts, func(_ context.Context, e core.Event) bool { return e.Model == "Account" }),
	)
	for _, model := range []string{"User", "Account", "User"} {
		if _, err := m.Migrate(context.Background(), core.Data{"name": "A B"}, model, "1.0.0", "2.0.0"); err != nil {
			t.Fatal(err)
		}
	}
	if users.after.Load() != 2 || accounts.after.Load() != 1 || users.before.Load() != 2 || accounts.before.Load() != 1 {
		t.Errorf("users %d/%d, accounts %d/%d", users.before.Load(), users.after.Load(), accounts.before.Load(), accounts.after.Load())
	}
}

// An inner hook whose Before returns a ctx that does not derive from the
// one it was given still gets its After.
func TestWhenInnerDropsContext(t *testing.T) {
	var after int
	inner := hooks.Funcs{
		Before: func(context.Context, core.Event) context.Context { return context.Background() },
		After:  func(context.Context, core.Event, core.Record) { after++ },
	}
	m := newTestManager(t, failOnError(t))
	m.AddHook(hooks.Filter(inner, func(context.Context, core.Event) bool { return true }))
	_ = migrateUser(t, m, context.Background(), "Ada")
	if after != 1 {
		t.Errorf("inner After ran %d times, want 1", after)
	}
}

// validatingPairing is a pairing that rejects every migration; a
// validation that did not get the ctx of its own open migration is a
// pairing fault.
type validatingPairing struct {
	pairing
	calls atomic.Int64
}

func (v *validatingPairing) ValidateMigration(ctx context.Context, e core.Event, migrated core.Record) error {
	v.calls.Add(1)
	_ = v.rec().ValidateMigration(ctx, e, migrated)
	return errors.New("rejected")
}

func TestWhenForwardsOptionalInterfaces(t *testing.T) {
	always := func(context.Context, core.Event) bool { return true }
	for _, tc := range []struct {
		inner           core.Hook
		step, validator bool
	}{
		{hooks.Funcs{}, false, false},
		{&pairing{}, true, false},
		{hooks.Validate(func(context.Context, core.Event, core.Record) error { return nil }), false, true},
		{&validatingPairing{}, true, true},
	} {
		w := hooks.Filter(tc.inner, always)
		_, step := w.(core.StepObserver)
		_, val := w.(core.Validator)
		_, batch := w.(core.BatchObserver)
		if step != tc.step || val != tc.validator || batch {
			t.Errorf("When(%T): step %v, validator %v, batch %v; want %v, %v, false", tc.inner, step, val, batch, tc.step, tc.validator)
		}
	}
}

// The inner validator runs for the chosen migrations only.
func TestWhenValidator(t *testing.T) {
	inner := &validatingPairing{}
	m := newTestManager(t, failOnError(t))
	m.AddHook(hooks.Filter(inner, func(_ context.Context, e core.Event) bool { return e.Model == "User" }))
	if _, err := m.Migrate(context.Background(), core.Data{"name": "A B"}, "Account", "1.0.0", "2.0.0"); err != nil {
		t.Errorf("Account: %v (the validator is not for it)", err)
	}
	_, err := m.Migrate(context.Background(), core.Data{"name": "A B"}, "User", "1.0.0", "2.0.0")
	if !errors.Is(err, core.ErrValidation) {
		t.Errorf("User: %v, want a validation error", err)
	}
	if inner.calls.Load() != 1 || inner.errs.Load() != 1 || inner.broken() != nil {
		t.Errorf("validator calls %d, inner errors %d, pairing: %v", inner.calls.Load(), inner.errs.Load(), inner.broken())
	}
}

// A panicking condition is the manager's to report; the migration goes
// on and inner sees nothing of it.
func TestWhenConditionPanics(t *testing.T) {
	var reported []error
	m := newTestManager(t, core.WithErrorHandler(func(err error) { reported = append(reported, err) }))
	inner := &pairing{}
	m.AddHook(hooks.Filter(inner, func(context.Context, core.Event) bool { panic("cond") }))
	if err := migrateUser(t, m, context.Background(), "Ada"); err != nil {
		t.Fatal(err)
	}
	var hp *core.HookPanicError
	if len(reported) != 1 || !errors.As(reported[0], &hp) || hp.Method != "BeforeMigrate" {
		t.Errorf("reported %v", reported)
	}
	if inner.before.Load()+inner.after.Load()+inner.errs.Load() != 0 {
		t.Error("inner was called")
	}
}

func TestWhenNilArguments(t *testing.T) {
	if h := hooks.Filter(nil, func(context.Context, core.Event) bool { return true }); h != nil {
		t.Errorf("When(cond, nil) = %v, want nil", h)
	}
	defer func() {
		if recover() == nil {
			t.Error("Filter(inner, nil) did not panic")
		}
	}()
	hooks.Filter(hooks.Funcs{}, nil)
}

// Hooks never modify the caller's data, and a When hook can be removed.
func TestHooksLeaveInputAlone(t *testing.T) {
	m := newTestManager(t, failOnError(t))
	w := hooks.Filter(&pairing{}, func(context.Context, core.Event) bool { return true })
	alerts := hooks.NewAlerting(hooks.Threshold(1, 0), func(context.Context, hooks.Alert) {})
	defer alerts.Close()
	m.AddHook(hooks.NewLogger(slog.New(newCapture(slog.LevelDebug))), w, alerts,
		hooks.Validate(func(context.Context, core.Event, core.Record) error { return nil }))
	in := core.Data{"id": 1, "items": []any{map[string]any{"name": "a"}}}
	want, _ := core.Copy(in)
	if _, err := m.Migrate(context.Background(), in, "Order", "1.0.0", "2.0.0"); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, want) {
		t.Errorf("input changed: %v, was %v", in, want)
	}
	if !m.RemoveHook(w) {
		t.Error("RemoveHook did not find the When hook")
	}
}

// When around a plain validator: it runs, and fails the migration, for
// the chosen model only.
func TestWhenValidate(t *testing.T) {
	errNo := errors.New("no")
	calls := 0
	v := hooks.Validate(func(context.Context, core.Event, core.Record) error { calls++; return errNo })
	m := newTestManager(t, failOnError(t))
	m.AddHook(hooks.Filter(v, func(_ context.Context, e core.Event) bool { return e.Model == "Account" }))
	if err := migrateUser(t, m, context.Background(), "Ada"); err != nil {
		t.Errorf("User: %v", err)
	}
	_, err := m.Migrate(context.Background(), core.Data{"name": "A B"}, "Account", "1.0.0", "2.0.0")
	if !errors.Is(err, errNo) || !errors.Is(err, core.ErrValidation) {
		t.Errorf("Account: %v, want the validator's error", err)
	}
	if calls != 1 {
		t.Errorf("validator ran %d times, want 1", calls)
	}
}

// nilCtxHook returns nil from BeforeMigrate, which means "ctx".
type nilCtxHook struct {
	core.NopHook
	after *int
}

func (nilCtxHook) BeforeMigrate(context.Context, core.Event) context.Context { return nil }

func (h nilCtxHook) AfterMigrate(context.Context, core.Event, core.Record) { *h.after++ }

func TestWhenInnerReturnsNilContext(t *testing.T) {
	var after int
	m := newTestManager(t, failOnError(t))
	m.AddHook(hooks.Filter(nilCtxHook{after: &after}, func(context.Context, core.Event) bool { return true }))
	_ = migrateUser(t, m, context.Background(), "Ada")
	if after != 1 {
		t.Errorf("inner After ran %d times, want 1", after)
	}
}
