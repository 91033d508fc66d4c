package hooks

import (
	"context"

	"github.com/transmute-go/transmute/core"
)

// Filter returns a hook that forwards a migration to inner only when cond
// says so (inner first, as every wrapping hook of this project takes it): only in development, only for one model, only for records with
// some field. cond is called once per migration, in BeforeMigrate, and its
// decision travels in the ctx, so inner's AfterMigrate or OnError is
// called exactly when its BeforeMigrate was, however many migrations run
// at once or are nested in one another (a nested model's migration takes
// its own decision).
//
// The returned hook implements [core.StepObserver] and [core.Validator]
// when inner does, and forwards them for the chosen migrations only; a
// validator that is not chosen does not run. [core.BatchObserver] is not
// forwarded: a batch has no single migration to decide on.
//
// A panic in cond or inner reaches the manager (or composite) that runs
// the hook, which recovers and reports it; if inner's BeforeMigrate
// panics, inner gets no AfterMigrate or OnError for that migration. A nil
// inner gives a nil hook, which core.Manager.AddHook ignores; a nil cond
// panics.
func Filter(inner core.Hook, cond func(ctx context.Context, e core.Event) bool) core.Hook {
	if inner == nil {
		return nil
	}
	if cond == nil {
		panic("hooks.Filter: nil condition")
	}
	w := &when{cond: cond, inner: inner}
	w.step, _ = inner.(core.StepObserver)
	w.val, _ = inner.(core.Validator)
	switch {
	case w.step != nil && w.val != nil:
		return &whenStepValidator{w}
	case w.step != nil:
		return &whenStep{w}
	case w.val != nil:
		return &whenValidator{w}
	}
	return w
}

type when struct {
	cond  func(context.Context, core.Event) bool
	inner core.Hook
	step  core.StepObserver
	val   core.Validator
}

// whenKey holds the decision of one When hook in a ctx: true when the
// migration was chosen, false to hide the decision of an enclosing
// migration from a nested one that was not.
type whenKey struct{ w *when }

func (w *when) chosen(ctx context.Context) bool {
	v, _ := ctx.Value(whenKey{w}).(bool)
	return v
}

// mark makes sure that ctx, returned by inner, still says "chosen".
func (w *when) mark(ctx, marked context.Context) context.Context {
	if ctx == nil {
		return marked
	}
	if ctx != marked && !w.chosen(ctx) {
		return context.WithValue(ctx, whenKey{w}, true)
	}
	return ctx
}

// BeforeMigrate asks cond and, when it says yes, calls inner's
// BeforeMigrate.
func (w *when) BeforeMigrate(ctx context.Context, e core.Event) context.Context {
	if !w.cond(ctx, e) {
		if w.chosen(ctx) { // an enclosing migration was chosen, this one is not
			return context.WithValue(ctx, whenKey{w}, false)
		}
		return ctx
	}
	marked := context.WithValue(ctx, whenKey{w}, true)
	return w.mark(w.inner.BeforeMigrate(marked, e), marked)
}

// AfterMigrate calls inner's AfterMigrate if the migration was chosen.
func (w *when) AfterMigrate(ctx context.Context, e core.Event, migrated core.Record) {
	if w.chosen(ctx) {
		w.inner.AfterMigrate(ctx, e, migrated)
	}
}

// OnError calls inner's OnError if the migration was chosen.
func (w *when) OnError(ctx context.Context, e core.Event, err error) {
	if w.chosen(ctx) {
		w.inner.OnError(ctx, e, err)
	}
}

func (w *when) beforeStep(ctx context.Context, e core.Event, s core.Step) context.Context {
	if !w.chosen(ctx) {
		return ctx
	}
	return w.mark(w.step.BeforeStep(ctx, e, s), ctx)
}

func (w *when) afterStep(ctx context.Context, e core.Event, s core.Step, err error) {
	if w.chosen(ctx) {
		w.step.AfterStep(ctx, e, s, err)
	}
}

func (w *when) validate(ctx context.Context, e core.Event, migrated core.Record) error {
	if w.chosen(ctx) {
		return w.val.ValidateMigration(ctx, e, migrated)
	}
	return nil
}

type whenStep struct{ *when }

func (w whenStep) BeforeStep(ctx context.Context, e core.Event, s core.Step) context.Context {
	return w.beforeStep(ctx, e, s)
}

func (w whenStep) AfterStep(ctx context.Context, e core.Event, s core.Step, err error) {
	w.afterStep(ctx, e, s, err)
}

type whenValidator struct{ *when }

func (w whenValidator) ValidateMigration(ctx context.Context, e core.Event, migrated core.Record) error {
	return w.validate(ctx, e, migrated)
}

type whenStepValidator struct{ *when }

func (w whenStepValidator) BeforeStep(ctx context.Context, e core.Event, s core.Step) context.Context {
	return w.beforeStep(ctx, e, s)
}

func (w whenStepValidator) AfterStep(ctx context.Context, e core.Event, s core.Step, err error) {
	w.afterStep(ctx, e, s, err)
}

func (w whenStepValidator) ValidateMigration(ctx context.Context, e core.Event, migrated core.Record) error {
	return w.validate(ctx, e, migrated)
}
