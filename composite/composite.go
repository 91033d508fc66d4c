package composite

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/transmute-go/transmute/composite/internal/dispatch"
	"github.com/transmute-go/transmute/core"
)

// The composite's members run through the project's one dispatch.
type (
	memberSet       = dispatch.Set[core.Hook, core.Event, core.Record, core.Step, core.Batch]
	invocation      = dispatch.Invocation[core.Hook, core.Event, core.Record, core.Step, core.Batch]
	stepInvocation  = dispatch.StepInvocation[core.Hook, core.Event, core.Record, core.Step, core.Batch]
	batchInvocation = dispatch.BatchInvocation[core.Hook, core.Event, core.Record, core.Step, core.Batch]
)

// Hook is a group of hooks that acts as one. It implements [core.Hook],
// [core.Validator], [core.StepObserver] and [core.BatchObserver], and
// forwards each call to the members that implement it. It is safe for
// concurrent use. The zero Hook is an empty group with the default options;
// a Hook must not be copied after first use.
type Hook struct {
	mu   sync.Mutex // serialises Add and Remove
	set  atomic.Pointer[memberSet]
	opts dispatch.Options[core.Hook]
}

var (
	_ core.Hook          = (*Hook)(nil)
	_ core.Validator     = (*Hook)(nil)
	_ core.StepObserver  = (*Hook)(nil)
	_ core.BatchObserver = (*Hook)(nil)
)

// New returns a composite of hooks, in order, configured by opts. Nil
// hooks and nil options are skipped.
func New(hooks []core.Hook, opts ...Option) *Hook {
	var cfg config
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	h := &Hook{opts: dispatch.Options[core.Hook]{
		PanicError: newPanicError,
		OnPanic:    cfg.onPanic,
		Repanic:    cfg.repanic,
	}}
	h.set.Store(dispatch.New[core.Hook, core.Event, core.Record, core.Step, core.Batch](hooks, h.opts))
	return h
}

// Of returns a composite of hooks, in order, with the default options. Nil
// hooks are skipped.
func Of(hooks ...core.Hook) *Hook { return New(hooks) }

func newPanicError(h core.Hook, method string, v any, stack []byte) error {
	return &core.HookPanicError{Hook: h, Method: method, Value: v, Stack: stack}
}

// members returns the current member set (nil for a zero Hook).
func (h *Hook) members() *memberSet { return h.set.Load() }

// Add appends hooks to the members; nil hooks are skipped. Migrations
// already running are not affected: they finish with the members they
// started with.
func (h *Hook) Add(hooks ...core.Hook) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.members()
	if s == nil {
		s = dispatch.New[core.Hook, core.Event, core.Record, core.Step, core.Batch](nil, h.opts)
	}
	h.set.Store(s.With(hooks...))
}

// Remove removes the first occurrence of hook and reports whether it was a
// member. Hooks are compared with ==, so a hook of a type that is not
// comparable cannot be removed. Migrations already running still call the
// removed hook until they finish, so that it sees as many ends as starts.
func (h *Hook) Remove(hook core.Hook) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.members().Without(hook)
	if ok {
		h.set.Store(s)
	}
	return ok
}

// Len returns the number of members.
func (h *Hook) Len() int { return h.members().Len() }

// Hooks returns the members in order, in a new slice.
func (h *Hook) Hooks() []core.Hook { return h.members().Hooks() }

// migKey is the ctx key of a composite's migration state; it carries the
// composite so that composites nested in one another each find their own.
type migKey struct{ h *Hook }

// The dispatch states are pooled: a migration borrows one in
// BeforeMigrate (BeforeStep) and gives it back in AfterMigrate or OnError
// (AfterStep). The ctx that carried it keeps a nil pointer then, so a ctx
// kept after the migration (by a hook that logs later, say) holds nothing
// that another migration reuses.
var (
	invPool  = sync.Pool{New: func() any { return new(invocation) }}
	stepPool = sync.Pool{New: func() any { return new(stepInvocation) }}
)

// migCtx is the state of one migration through a composite: the members
// it started with and the ctx each of them returned. It is itself the ctx
// the composite's BeforeMigrate returns, on top of the ctx the last member
// returned.
type migCtx struct {
	context.Context
	h   *Hook
	set *memberSet
	inv *invocation // nil once the migration has ended
}

func (c *migCtx) Value(key any) any {
	if k, ok := key.(migKey); ok && k.h == c.h {
		return c
	}
	return c.Context.Value(key)
}

func (c *migCtx) String() string { return "composite.migration" }

// end takes the migration's dispatch state out of c, once.
func (c *migCtx) end() *invocation {
	inv := c.inv
	c.inv = nil
	return inv
}

// stepCtx is the state of one step, returned by BeforeStep.
type stepCtx struct {
	context.Context
	h  *Hook
	si *stepInvocation // nil once the step has ended
}

func (c *stepCtx) String() string { return "composite.step" }

// batchCtx is the state of one batch, returned by BeforeBatch.
type batchCtx struct {
	context.Context
	h  *Hook
	bi batchInvocation
}

func (c *batchCtx) String() string { return "composite.batch" }

// own returns the migration state in ctx when ctx is the one this
// composite's BeforeMigrate returned, as the manager guarantees, and the
// migration has not ended.
func (h *Hook) own(ctx context.Context) *migCtx {
	if c, ok := ctx.(*migCtx); ok && c.h == h && c.inv != nil {
		return c
	}
	return nil
}

// BeforeMigrate calls the members' BeforeMigrate in order and returns a
// ctx that carries the last member's ctx and this migration's state. Pass
// that very ctx to AfterMigrate, OnError and ValidateMigration, as the
// manager does; a call with another ctx is ignored.
func (h *Hook) BeforeMigrate(ctx context.Context, e core.Event) context.Context {
	set := h.members()
	c := &migCtx{h: h, set: set, inv: invPool.Get().(*invocation)}
	c.Context = set.BeforeMigrate(ctx, &e, c.inv)
	return c
}

// AfterMigrate calls the AfterMigrate of every member whose BeforeMigrate
// ran, in reverse order, each with its own ctx.
func (h *Hook) AfterMigrate(ctx context.Context, e core.Event, migrated core.Record) {
	if c := h.own(ctx); c != nil {
		inv := c.end()
		inv.AfterMigrate(&e, migrated)
		invPool.Put(inv)
	}
}

// OnError calls the OnError of every member whose BeforeMigrate ran, in
// reverse order, each with its own ctx.
func (h *Hook) OnError(ctx context.Context, e core.Event, err error) {
	if c := h.own(ctx); c != nil {
		inv := c.end()
		inv.OnError(&e, err)
		invPool.Put(inv)
	}
}

// ValidateMigration runs the members that implement [core.Validator], in
// order, each with its own ctx, and returns the first one's error as that
// member returned it (the manager then wraps it in a
// *[core.ValidationError]). A panicking validator is reported and does not
// fail the migration.
func (h *Hook) ValidateMigration(ctx context.Context, e core.Event, migrated core.Record) error {
	c := h.own(ctx)
	if c == nil {
		return nil
	}
	_, err := c.inv.Validate(&e, migrated)
	return err
}

// BeforeStep calls the BeforeStep of the members that implement
// [core.StepObserver], in order, and returns the ctx the step should run
// under. It finds the migration's state in ctx, which must derive from the
// ctx BeforeMigrate returned (the manager passes the ctx of all the
// migration's hooks).
func (h *Hook) BeforeStep(ctx context.Context, e core.Event, s core.Step) context.Context {
	c, _ := ctx.Value(migKey{h}).(*migCtx)
	if c == nil || c.inv == nil || !c.set.HasStepObservers() {
		return ctx
	}
	sc := &stepCtx{h: h, si: stepPool.Get().(*stepInvocation)}
	sc.Context = c.inv.BeforeStep(ctx, &e, &s, sc.si)
	return sc
}

// AfterStep calls the AfterStep of every member whose BeforeStep ran, in
// reverse order, each with its own ctx.
func (h *Hook) AfterStep(ctx context.Context, e core.Event, s core.Step, err error) {
	if sc, ok := ctx.(*stepCtx); ok && sc.h == h && sc.si != nil {
		si := sc.si
		sc.si = nil
		si.AfterStep(&e, &s, err)
		stepPool.Put(si)
	}
}

// BeforeBatch calls the BeforeBatch of the members that implement
// [core.BatchObserver], in order, and returns the ctx the batch's items
// run under.
func (h *Hook) BeforeBatch(ctx context.Context, b core.Batch) context.Context {
	bc := &batchCtx{h: h}
	bc.Context = h.members().BeforeBatch(ctx, b, &bc.bi)
	return bc
}

// AfterBatch calls the AfterBatch of every member whose BeforeBatch ran,
// in reverse order, each with its own ctx.
func (h *Hook) AfterBatch(ctx context.Context, b core.Batch, err error) {
	if bc, ok := ctx.(*batchCtx); ok && bc.h == h {
		bc.bi.AfterBatch(b, err)
	}
}
