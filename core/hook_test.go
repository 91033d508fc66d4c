package core_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/transmute-go/transmute/core"
)

func TestHookOrderAndPairing(t *testing.T) {
	m := userManager(t)
	rec := &recorder{}
	a, b, c := newTrace("a", rec), newTrace("b", rec), newTrace("c", rec)
	m.AddHook(a, b)
	m.AddHook(c)
	equal(t, len(m.Hooks()), 3)

	_, err := m.Migrate(context.Background(), core.Data{"name": "A B"}, "User", "1.0.0", "2.0.0")
	mustOK(t, err)
	_, err = m.Migrate(context.Background(), core.Data{"name": 1.0}, "User", "1.0.0", "2.0.0")
	if err == nil {
		t.Fatal("want an error")
	}
	equal(t, rec.get(), []string{
		"a.before User 1.0.0>2.0.0", "b.before User 1.0.0>2.0.0", "c.before User 1.0.0>2.0.0",
		"c.after User 1.0.0>2.0.0", "b.after User 1.0.0>2.0.0", "a.after User 1.0.0>2.0.0",
		"a.before User 1.0.0>2.0.0", "b.before User 1.0.0>2.0.0", "c.before User 1.0.0>2.0.0",
		"c.error User 1.0.0>2.0.0 migration_function", "b.error User 1.0.0>2.0.0 migration_function", "a.error User 1.0.0>2.0.0 migration_function",
	})
	for _, h := range []*traceHook{a, b, c} {
		h.check(t)
		equal(t, h.started(), 2)
	}
}

// ctxHook returns from BeforeMigrate a ctx of its own choosing.
type ctxHook struct {
	core.NopHook
	ret func(ctx context.Context) context.Context
}

func (h ctxHook) BeforeMigrate(ctx context.Context, _ core.Event) context.Context { return h.ret(ctx) }

func TestHookNilContextMeansUnchanged(t *testing.T) {
	m := userManager(t)
	rec := &recorder{}
	a := newTrace("a", rec)
	m.AddHook(a, ctxHook{ret: func(context.Context) context.Context { return nil }}, newTrace("b", rec))
	saw := false
	mustOK(t, m.RegisterMigration("User", "2.0.0", "5.0.0", func(ctx context.Context, d core.Data) (core.Data, error) {
		saw = ctx.Value(tokenKey{"a"}) != nil && ctx.Value(tokenKey{"b"}) != nil
		return d, nil
	}))
	_, err := m.MigrateData(context.Background(), core.Data{"name": "A B"}, "User", "1.0.0", "5.0.0")
	mustOK(t, err)
	if !saw {
		t.Fatal("a nil ctx from a hook dropped the ctx of the hooks before it")
	}
	a.check(t)
}

func TestMigrationRunsUnderHooksContext(t *testing.T) {
	m := core.NewManager()
	rec := &recorder{}
	a, s := newTrace("a", rec), stepHook{newTrace("s", rec)}
	m.AddHook(a, s)
	var seen []string
	fn := func(ctx context.Context, d core.Data) (core.Data, error) {
		_, okA := ctx.Value(tokenKey{"a"}).(int64)
		_, okS := ctx.Value(tokenKey{"s"}).(int64)
		st, _ := ctx.Value(stepKey{}).(stepVal)
		seen = append(seen, fmt.Sprintf("a=%v s=%v step=%d", okA, okS, st.index))
		return d, nil
	}
	mustOK(t, m.RegisterMigration("M", "1.0.0", "2.0.0", fn))
	mustOK(t, m.RegisterMigration("M", "2.0.0", "3.0.0", fn))
	_, err := m.MigrateData(context.Background(), core.Data{}, "M", "1.0.0", "3.0.0")
	mustOK(t, err)
	equal(t, seen, []string{"a=true s=true step=0", "a=true s=true step=1"})
}

func TestHooksOncePerMigration(t *testing.T) {
	m := core.NewManager()
	mustOK(t, core.Register[pAny](m, "M", "1.0.0"))
	mustOK(t, core.Register[pAny](m, "M", "2.0.0"))
	mustOK(t, core.Register[pAny](m, "M", "3.0.0", core.WithBackwardCompatible()))
	mustOK(t, core.Register[pAny](m, "M", "4.0.0"))
	mustOK(t, m.RegisterMigration("M", "1.0.0", "2.0.0", tagFn("1>2")))
	mustOK(t, m.RegisterMigration("M", "3.0.0", "4.0.0", tagFn("3>4")))
	rec := &recorder{}
	a, s := newTrace("a", rec), stepHook{newTrace("s", rec)}
	m.AddHook(a, s)
	_, err := m.Migrate(context.Background(), core.Data{}, "M", "1.0.0", "4.0.0")
	mustOK(t, err)
	equal(t, rec.get(), []string{
		"a.before M 1.0.0>4.0.0", "s.before M 1.0.0>4.0.0",
		"s.beforeStep M #0 1.0.0>2.0.0 auto=false", "s.afterStep M #0 err=false",
		"s.beforeStep M #1 2.0.0>3.0.0 auto=true", "s.afterStep M #1 err=false",
		"s.beforeStep M #2 3.0.0>4.0.0 auto=false", "s.afterStep M #2 err=false",
		"s.after M 1.0.0>4.0.0", "a.after M 1.0.0>4.0.0",
	})
	a.check(t)
	s.check(t)
}

// eventHook keeps the events it sees.
type eventHook struct {
	core.NopHook
	mu     sync.Mutex
	events []core.Event
	data   []core.Data
}

func (h *eventHook) BeforeMigrate(ctx context.Context, e core.Event) context.Context {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, e)
	return ctx
}

func (h *eventHook) AfterMigrate(_ context.Context, e core.Event, migrated core.Record) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, e)
	h.data = append(h.data, migrated.Clone())
}

func TestEvent(t *testing.T) {
	m := userManager(t)
	mustOK(t, m.RegisterMigration("User", "3.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) { return d, nil }))
	h := &eventHook{}
	m.AddHook(h)
	before := time.Now()
	_, err := m.Migrate(context.Background(), core.Data{"first": "A", "last": "B", "email": "e"}, "User", "3.0.0", "1.0.0")
	mustOK(t, err)
	if len(h.events) != 2 {
		t.Fatalf("%d events", len(h.events))
	}
	for _, e := range h.events {
		equal(t, e.Model, "User")
		equal(t, e.From.String()+">"+e.To.String(), "3.0.0>1.0.0")
		equal(t, pathString(e.Path), "3.0.0>2.0.0>1.0.0")
		equal(t, e.Steps(), 2)
		equal(t, e.Direction(), "down")
		equal(t, e.Data.Keys(), []string{"email", "first", "last"})
		if e.Start.Before(before) || e.Start.After(time.Now()) {
			t.Fatalf("Start = %v", e.Start)
		}
	}
	// Before and After see the same event, but for the duration, which
	// is only known at the end.
	if h.events[0].Elapsed != 0 || h.events[1].Elapsed <= 0 || h.events[1].Elapsed > time.Since(before) {
		t.Fatalf("Elapsed %v in Before, %v in After", h.events[0].Elapsed, h.events[1].Elapsed)
	}
	h.events[1].Elapsed = 0
	equal(t, h.events[0], h.events[1])
	equal(t, h.data[0], core.Data{"name": "A B", "email": "e"})

	h.events = nil
	_, err = m.Migrate(context.Background(), core.Data{}, "User", "3.0.0", "9.0.0")
	if err == nil {
		t.Fatal("want an error")
	}
	e := h.events[0]
	if e.Path != nil || e.Steps() != 0 || e.Direction() != "up" {
		t.Fatalf("event of a failed path: %+v", e)
	}
}

func TestEveryFailureReachesOnError(t *testing.T) {
	m := userManager(t)
	mustOK(t, core.Register[pAny](m, "User", "5.0.0"))
	mustOK(t, core.Register[pAny](m, "User", "6.0.0"))
	mustOK(t, m.RegisterMigration("User", "2.0.0", "5.0.0", func(context.Context, core.Data) (core.Data, error) { panic("no") }))
	mustOK(t, m.RegisterMigration("User", "2.0.0", "6.0.0", func(context.Context, core.Data) (core.Data, error) { return nil, nil }))
	mustOK(t, m.RegisterMigration("User", "1.0.0", "3.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		return d, nil // no first/last: the model validation fails
	}))
	rec := &recorder{}
	v := validatorHook{newTrace("v", rec), nil}
	rejecting := validatorHook{newTrace("r", rec), errTest}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()

	cases := []struct {
		name     string
		ctx      context.Context
		data     core.Data
		model    string
		from, to string
		hooks    []core.Hook
		typ      string
	}{
		{"unknown model", context.Background(), core.Data{}, "Nope", "1.0.0", "2.0.0", nil, "model_not_found"},
		{"no path", context.Background(), core.Data{}, "User", "3.0.0", "5.0.0", nil, "no_migration_path"},
		{"step error", context.Background(), core.Data{"name": 1.0}, "User", "1.0.0", "2.0.0", nil, "migration_function"},
		{"step panic", context.Background(), core.Data{"name": "A B"}, "User", "1.0.0", "5.0.0", nil, "panic"},
		{"step returns nil", context.Background(), core.Data{"name": "A B"}, "User", "1.0.0", "6.0.0", nil, "invalid_data"},
		{"model validation", context.Background(), core.Data{"name": "A B"}, "User", "1.0.0", "3.0.0", nil, "validation"},
		{"validator", context.Background(), core.Data{"name": "A B"}, "User", "1.0.0", "2.0.0", []core.Hook{rejecting}, "validation"},
		{"cancelled", cancelled, core.Data{"name": "A B"}, "User", "1.0.0", "2.0.0", nil, "canceled"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec.reset()
			a := newTrace("a", rec)
			m.ClearHooks()
			m.AddHook(a, v)
			m.AddHook(tc.hooks...)
			_, err := m.Migrate(tc.ctx, tc.data, tc.model, tc.from, tc.to)
			if got := core.ErrorType(err); got != tc.typ {
				t.Fatalf("ErrorType = %q, want %q (%v)", got, tc.typ, err)
			}
			for _, ev := range rec.get() {
				if strings.Contains(ev, ".after") {
					t.Fatalf("a failed migration reached AfterMigrate: %v", rec.get())
				}
			}
			var errs int
			for _, ev := range rec.get() {
				if strings.Contains(ev, ".error") {
					errs++
					if !strings.HasSuffix(ev, tc.typ) {
						t.Fatalf("OnError got another error: %s", ev)
					}
				}
			}
			if want := len(m.Hooks()); errs != want {
				t.Fatalf("%d OnError calls, want %d: %v", errs, want, rec.get())
			}
			a.check(t)
		})
	}
	v.check(t)
	rejecting.check(t)
}

func TestValidator(t *testing.T) {
	m := userManager(t)
	rec := &recorder{}
	a := newTrace("a", rec)
	v1 := validatorHook{newTrace("v1", rec), nil}
	v2 := validatorHook{newTrace("v2", rec), errTest}
	v3 := validatorHook{newTrace("v3", rec), nil}
	m.AddHook(a, v1, v2, v3)

	_, err := m.Migrate(context.Background(), core.Data{"name": "A B"}, "User", "1.0.0", "2.0.0")
	if !errors.Is(err, core.ErrValidation) || !errors.Is(err, errTest) {
		t.Fatalf("err = %v, want both ErrValidation and the validator's error", err)
	}
	if !strings.Contains(err.Error(), "test error") {
		t.Fatalf("message %q lacks the validator's error", err)
	}
	equal(t, rec.get(), []string{
		"a.before User 1.0.0>2.0.0", "v1.before User 1.0.0>2.0.0", "v2.before User 1.0.0>2.0.0", "v3.before User 1.0.0>2.0.0",
		"v1.validate User", "v2.validate User", // the first error stops the validators
		"v3.error User 1.0.0>2.0.0 validation", "v2.error User 1.0.0>2.0.0 validation",
		"v1.error User 1.0.0>2.0.0 validation", "a.error User 1.0.0>2.0.0 validation",
	})

	// Success: every validator runs, before any AfterMigrate.
	m.RemoveHook(v2)
	rec.reset()
	_, err = m.Migrate(context.Background(), core.Data{"name": "A B"}, "User", "1.0.0", "2.0.0")
	mustOK(t, err)
	equal(t, rec.get(), []string{
		"a.before User 1.0.0>2.0.0", "v1.before User 1.0.0>2.0.0", "v3.before User 1.0.0>2.0.0",
		"v1.validate User", "v3.validate User",
		"v3.after User 1.0.0>2.0.0", "v1.after User 1.0.0>2.0.0", "a.after User 1.0.0>2.0.0",
	})

	// Model validation comes first: a validator never sees invalid data.
	rec.reset()
	mustOK(t, m.RegisterMigration("User", "1.0.0", "3.0.0", func(_ context.Context, d core.Data) (core.Data, error) { return d, nil }))
	_, err = m.Migrate(context.Background(), core.Data{"name": "A B"}, "User", "1.0.0", "3.0.0")
	if fieldOf(err) != "first" {
		t.Fatalf("err = %v", err)
	}
	for _, ev := range rec.get() {
		if strings.Contains(ev, "validate") {
			t.Fatalf("a validator ran on data that failed the model validation: %v", rec.get())
		}
	}
	// Validators run for MigrateData too (there is no model validation).
	rec.reset()
	_, err = m.MigrateData(context.Background(), core.Data{"name": "A B"}, "User", "1.0.0", "3.0.0")
	mustOK(t, err)
	if !slices.Contains(rec.get(), "v1.validate User") {
		t.Fatalf("no validation in MigrateData: %v", rec.get())
	}
	for _, h := range []*traceHook{a, v1.traceHook, v2.traceHook, v3.traceHook} {
		h.check(t)
	}
}

func TestHookPanicsAreRecovered(t *testing.T) {
	methods := []string{"BeforeMigrate", "AfterMigrate", "OnError", "ValidateMigration", "BeforeStep", "AfterStep", "BeforeBatch", "AfterBatch"}
	for _, method := range methods {
		t.Run(method, func(t *testing.T) {
			errs := &errCollector{}
			m := userManager(t, core.WithErrorHandler(errs.handle))
			rec := &recorder{}
			a, z := stepHook{newTrace("a", rec)}, stepHook{newTrace("z", rec)}
			p := panicHook{where: method}
			m.AddHook(a, p, z)
			ok, err := m.MigrateBatch(context.Background(), []core.Data{{"name": "A B"}}, "User", "1.0.0", "2.0.0")
			mustOK(t, err)
			equal(t, ok, []core.Data{{"first": "A", "last": "B"}})
			_, err = m.Migrate(context.Background(), core.Data{"name": 1.0}, "User", "1.0.0", "2.0.0")
			if core.ErrorType(err) != "migration_function" {
				t.Fatalf("the failed migration's error is %v", err)
			}
			got := errs.get()
			if len(got) == 0 {
				t.Fatal("the panic was not reported")
			}
			for _, e := range got {
				var hp *core.HookPanicError
				if !errors.As(e, &hp) || hp.Method != method || hp.Hook != core.Hook(p) || len(hp.Stack) == 0 {
					t.Fatalf("reported %#v", e)
				}
				if core.ErrorType(e) != "hook_panic" || !strings.Contains(e.Error(), "boom in "+method) {
					t.Fatalf("reported %q (%s)", e, core.ErrorType(e))
				}
			}
			// The other hooks saw everything, in pairs.
			a.check(t)
			z.check(t)
			equal(t, a.started(), 2)
			equal(t, z.started(), 2)
		})
	}
}

func TestPanickingErrorHandler(t *testing.T) {
	m := userManager(t, core.WithErrorHandler(func(error) { panic("the handler panics too") }))
	m.AddHook(panicHook{where: "BeforeMigrate,AfterMigrate"})
	out, err := m.Migrate(context.Background(), core.Data{"name": "A B"}, "User", "1.0.0", "2.0.0")
	mustOK(t, err)
	equal(t, out, core.Data{"first": "A", "last": "B"})
}

// funcHook is a hook that is not comparable.
type funcHook func()

func (funcHook) BeforeMigrate(ctx context.Context, _ core.Event) context.Context { return ctx }
func (funcHook) AfterMigrate(context.Context, core.Event, core.Record)           {}
func (funcHook) OnError(context.Context, core.Event, error)                      {}

func TestAddRemoveClearHooks(t *testing.T) {
	m := userManager(t)
	rec := &recorder{}
	a, b := newTrace("a", rec), newTrace("b", rec)
	m.AddHook(a, nil, b, a)
	equal(t, m.Hooks(), []core.Hook{a, b, a})
	if !m.RemoveHook(a) {
		t.Fatal("RemoveHook(a) = false")
	}
	equal(t, m.Hooks(), []core.Hook{b, a}) // the first occurrence went
	if !m.RemoveHook(a) || m.RemoveHook(a) {
		t.Fatal("RemoveHook reports wrongly")
	}
	fh := funcHook(func() {})
	m.AddHook(fh)
	if m.RemoveHook(fh) {
		t.Fatal("removed a hook that cannot be compared")
	}
	hs := m.Hooks()
	hs[0] = nil // the caller's copy
	if m.Hooks()[0] != core.Hook(b) {
		t.Fatal("Hooks() shares its slice")
	}
	m.ClearHooks()
	if len(m.Hooks()) != 0 {
		t.Fatalf("hooks after ClearHooks: %v", m.Hooks())
	}
	_, err := m.Migrate(context.Background(), core.Data{"name": "A B"}, "User", "1.0.0", "2.0.0")
	mustOK(t, err)
	if len(rec.get()) != 0 {
		t.Fatalf("cleared hooks fired: %v", rec.get())
	}
}

func TestRequestScopedHooks(t *testing.T) {
	m := personManager(t)
	rec := &recorder{}
	a, b := newTrace("a", rec), newTrace("b", rec)
	r1, r2 := newTrace("r1", rec), newTrace("r2", rec)
	m.AddHook(a, b)
	ctx := core.ContextWithHooks(context.Background(), r1)
	ctx = core.ContextWithHooks(ctx, r2, nil)
	equal(t, core.HooksFromContext(ctx), []core.Hook{r1, r2})
	equal(t, len(core.HooksFromContext(context.Background())), 0)

	in := person()
	delete(in, "past")
	in["past"] = []any{}
	_, err := m.Migrate(ctx, in, "Person", "1.0.0", "2.0.0")
	mustOK(t, err)
	inner := []string{
		"a.before Address 1.0.0>2.0.0", "b.before Address 1.0.0>2.0.0", "r1.before Address 1.0.0>2.0.0", "r2.before Address 1.0.0>2.0.0",
		"r2.after Address 1.0.0>2.0.0", "r1.after Address 1.0.0>2.0.0", "b.after Address 1.0.0>2.0.0", "a.after Address 1.0.0>2.0.0",
	}
	want := append([]string{"a.before Person 1.0.0>2.0.0", "b.before Person 1.0.0>2.0.0", "r1.before Person 1.0.0>2.0.0", "r2.before Person 1.0.0>2.0.0"}, inner...)
	want = append(want, "r2.after Person 1.0.0>2.0.0", "r1.after Person 1.0.0>2.0.0", "b.after Person 1.0.0>2.0.0", "a.after Person 1.0.0>2.0.0")
	equal(t, rec.get(), want)

	// The request's hooks are the request's: other calls do not see them.
	rec.reset()
	_, err = m.Migrate(context.Background(), core.Data{"street": "s"}, "Address", "1.0.0", "2.0.0")
	mustOK(t, err)
	equal(t, rec.get(), []string{
		"a.before Address 1.0.0>2.0.0", "b.before Address 1.0.0>2.0.0",
		"b.after Address 1.0.0>2.0.0", "a.after Address 1.0.0>2.0.0",
	})

	// A hook added to the manager later runs for an existing request ctx.
	rec.reset()
	c := newTrace("c", rec)
	m.AddHook(c)
	_, err = m.Migrate(ctx, core.Data{"street": "s"}, "Address", "1.0.0", "2.0.0")
	mustOK(t, err)
	equal(t, rec.get(), []string{
		"a.before Address 1.0.0>2.0.0", "b.before Address 1.0.0>2.0.0", "c.before Address 1.0.0>2.0.0",
		"r1.before Address 1.0.0>2.0.0", "r2.before Address 1.0.0>2.0.0",
		"r2.after Address 1.0.0>2.0.0", "r1.after Address 1.0.0>2.0.0",
		"c.after Address 1.0.0>2.0.0", "b.after Address 1.0.0>2.0.0", "a.after Address 1.0.0>2.0.0",
	})
	for _, h := range []*traceHook{a, b, c, r1, r2} {
		h.check(t)
	}
}

func TestHooksAreConcurrent(t *testing.T) {
	m := personManager(t)
	rec := &recorder{}
	a := stepHook{newTrace("a", rec)}
	m.AddHook(a, validatorHook{newTrace("v", rec), nil})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			ctx := core.ContextWithHooks(context.Background(), newTrace(fmt.Sprint("r", i), rec))
			for range 20 {
				if _, err := m.Migrate(ctx, person(), "Person", "1.0.0", "2.0.0"); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	a.check(t)
	equal(t, a.started(), 8*20*4) // a Person and three Addresses each
}

func TestRegistrationRacesWithMigration(t *testing.T) {
	m := userManager(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for ctx.Err() == nil {
				out, err := m.Migrate(context.Background(), core.Data{"name": "A B"}, "User", "1.0.0", "3.0.0")
				if err != nil || out["email"] != "none" {
					t.Errorf("Migrate = %v, %v", out, err)
					return
				}
				_ = m.HasPath("User", "1.0.0", "2.0.0")
				_ = m.Models()
			}
		})
	}
	rec := &recorder{}
	for i := range 100 {
		model := fmt.Sprint("Other", i)
		mustOK(t, core.Register[tUserV1](m, model, "1.0.0"))
		mustOK(t, core.Register[tUserV2](m, model, "2.0.0", core.WithBackwardCompatible()))
		mustOK(t, m.RegisterMigration("User", "3.0.0", fmt.Sprintf("%d.0.0", i+4), tagFn("x")))
		h := newTrace(model, rec)
		m.AddHook(h)
		if i%2 == 0 {
			m.RemoveHook(h)
		}
		if i%25 == 0 {
			m.ClearHooks()
		}
	}
	cancel()
	wg.Wait()
	equal(t, len(m.Models()), 101)
}

func TestManyHooks(t *testing.T) {
	m := userManager(t)
	rec := &recorder{}
	var hooks []*traceHook
	var want, after []string
	for i := range 20 {
		h := newTrace(fmt.Sprint("h", i), rec)
		hooks = append(hooks, h)
		m.AddHook(stepHook{h})
		want = append(want, fmt.Sprintf("h%d.before User 1.0.0>2.0.0", i))
		after = append([]string{fmt.Sprintf("h%d.after User 1.0.0>2.0.0", i)}, after...)
	}
	for range 3 { // the pooled frames are reused
		rec.reset()
		_, err := m.Migrate(context.Background(), core.Data{"name": "A B"}, "User", "1.0.0", "2.0.0")
		mustOK(t, err)
		var got []string
		for _, ev := range rec.get() {
			if !strings.Contains(ev, "Step") {
				got = append(got, ev)
			}
		}
		equal(t, got, append(append([]string(nil), want...), after...))
	}
	for _, h := range hooks {
		h.check(t)
	}
}

// TestHooksAddNoAllocation counts allocations, not time: a migration
// with many no-op hooks allocates what one with none does.
func TestHooksAddNoAllocation(t *testing.T) {
	allocs := func(hooks int) float64 {
		m := userManager(t)
		for range hooks {
			m.AddHook(&nopHook{})
		}
		ctx := context.Background()
		return testing.AllocsPerRun(200, func() {
			if _, err := m.Migrate(ctx, core.Data{"name": "A B"}, "User", "1.0.0", "2.0.0"); err != nil {
				t.Fatal(err)
			}
		})
	}
	base := allocs(0)
	for _, n := range []int{1, 2, 4, 8, 16} {
		if got := allocs(n); got != base {
			t.Errorf("%d no-op hooks: %v allocations per migration, want %v as with none", n, got, base)
		}
	}
}

// logRecorder is a slog.Handler that keeps the messages it gets.
type logRecorder struct {
	mu   sync.Mutex
	msgs []string
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	msg := r.Message
	r.Attrs(func(a slog.Attr) bool {
		msg += " " + a.Key + "=" + a.Value.String()
		return true
	})
	l.msgs = append(l.msgs, msg)
	return nil
}
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logRecorder) WithGroup(string) slog.Handler      { return l }

func TestDefaultErrorHandlerLogs(t *testing.T) {
	logs := &logRecorder{}
	old := slog.Default()
	slog.SetDefault(slog.New(logs))
	defer slog.SetDefault(old)

	m := userManager(t) // no WithErrorHandler: the default
	m.AddHook(panicHook{where: "AfterMigrate"})
	_, err := m.Migrate(context.Background(), core.Data{"name": "A B"}, "User", "1.0.0", "2.0.0")
	mustOK(t, err)
	logs.mu.Lock()
	defer logs.mu.Unlock()
	if len(logs.msgs) != 1 || !strings.Contains(logs.msgs[0], "boom in AfterMigrate") || !strings.Contains(logs.msgs[0], "error_type=hook_panic") {
		t.Fatalf("logged %q", logs.msgs)
	}
}

// The default error handler logs one fixed message, with the error as an
// attribute, so that log lines group; the zero Manager's is the same.
func TestDefaultErrorHandlerLogsAFixedMessage(t *testing.T) {
	for name, m := range map[string]*core.Manager{"NewManager": core.NewManager(), "zero Manager": {}} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			prev := slog.Default()
			slog.SetDefault(slog.New(slog.NewJSONHandler(&buf, nil)))
			defer slog.SetDefault(prev)
			mustOK(t, core.Register[tUserV1](m, "User", "1.0.0"))
			mustOK(t, core.Register[tUserV2](m, "User", "2.0.0"))
			mustOK(t, m.RegisterMigration("User", "1.0.0", "2.0.0", splitName))
			m.AddHook(panicHook{where: "BeforeMigrate"})
			if _, err := m.Migrate(context.Background(), core.Data{"name": "A B"}, "User", "1.0.0", "2.0.0"); err != nil {
				t.Fatal(err)
			}
			var rec map[string]any
			if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
				t.Fatalf("%v: %q", err, buf.String())
			}
			if rec["msg"] != "transmute: hook panicked" || !strings.Contains(fmt.Sprint(rec["error"]), "BeforeMigrate") || rec["error_type"] != "hook_panic" {
				t.Fatalf("logged %v", rec)
			}
		})
	}
}
