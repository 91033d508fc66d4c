package core

import (
	"context"
	"slices"
	"sync/atomic"

	"github.com/transmute-go/transmute/internal/dispatch"
)

// The manager's hooks run through the project's one dispatch, instantiated
// with the hook contract of this package.
type (
	hookSet         = dispatch.Set[Hook, Event, Record, Step, Batch]
	invocation      = dispatch.Invocation[Hook, Event, Record, Step, Batch]
	stepInvocation  = dispatch.StepInvocation[Hook, Event, Record, Step, Batch]
	batchInvocation = dispatch.BatchInvocation[Hook, Event, Record, Step, Batch]
)

// newHookSet returns a set of hooks whose panics reach the manager's error
// handler (the default one when none is set, as in a zero Manager) as a
// *HookPanicError.
func (m *Manager) newHookSet(hooks []Hook) *hookSet {
	onError := m.cfg.onError
	if onError == nil {
		onError = logError
	}
	return dispatch.New[Hook, Event, Record, Step, Batch](hooks, dispatch.Options[Hook]{
		PanicError: newHookPanicError,
		OnPanic:    onError,
	})
}

func newHookPanicError(h Hook, method string, v any, stack []byte) error {
	return &HookPanicError{Hook: h, Method: method, Value: v, Stack: stack}
}

// rejected is the error of a migration that a Validator hook rejected.
func rejected(e Event, h Hook, err error) *ValidationError {
	return &ValidationError{Model: e.Model, Version: e.To, Reason: "rejected by " + typeName(h), Err: err}
}

// AddHook appends hooks to the manager's hooks. Their optional interfaces
// ([Validator], [StepObserver], [BatchObserver]) are found once, here.
// Nil hooks are ignored.
func (m *Manager) AddHook(hooks ...Hook) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.hooks.Store(m.currentHooks().With(hooks...))
}

// RemoveHook removes the first occurrence of h and reports whether it was
// there. Migrations already running finish with the hooks they started
// with.
func (m *Manager) RemoveHook(h Hook) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.currentHooks().Without(h)
	m.hooks.Store(s)
	return ok
}

// ClearHooks removes every hook.
func (m *Manager) ClearHooks() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.hooks.Store(m.newHookSet(nil))
}

// currentHooks returns the manager's hook set, made with the manager's
// options for a zero Manager.
func (m *Manager) currentHooks() *hookSet {
	if s := m.hooks.Load(); s != nil {
		return s
	}
	return m.newHookSet(nil)
}

// Hooks returns the manager's hooks, in order.
func (m *Manager) Hooks() []Hook { return m.hooks.Load().Hooks() }

type requestHooksKey struct{}

// requestHooks are the hooks of a ctx, with the manager set they were last
// combined with cached.
type requestHooks struct {
	hooks    []Hook
	combined atomic.Pointer[combinedHooks]
}

type combinedHooks struct {
	base, set *hookSet
}

// ContextWithHooks returns a ctx that carries request-scoped hooks: every
// migration run with it (or a ctx derived from it) calls them after the
// manager's own BeforeMigrate hooks and before its AfterMigrate hooks
// (they run inside the manager's). Nested calls add to the hooks already
// in ctx. This is how per-request observers are added without touching
// the shared manager.
func ContextWithHooks(ctx context.Context, hooks ...Hook) context.Context {
	var all []Hook
	if rh, ok := ctx.Value(requestHooksKey{}).(*requestHooks); ok {
		all = slices.Clone(rh.hooks)
	}
	for _, h := range hooks {
		if h != nil {
			all = append(all, h)
		}
	}
	return context.WithValue(ctx, requestHooksKey{}, &requestHooks{hooks: all})
}

// HooksFromContext returns the request-scoped hooks ctx carries.
func HooksFromContext(ctx context.Context) []Hook {
	if rh, ok := ctx.Value(requestHooksKey{}).(*requestHooks); ok {
		return slices.Clone(rh.hooks)
	}
	return nil
}

// hookSet returns the hooks of a migration run with ctx: the manager's,
// then the request's.
func (m *Manager) hookSet(ctx context.Context) *hookSet {
	base := m.hooks.Load()
	rh, ok := ctx.Value(requestHooksKey{}).(*requestHooks)
	if !ok || len(rh.hooks) == 0 {
		return base
	}
	if c := rh.combined.Load(); c != nil && c.base == base {
		return c.set
	}
	set := m.currentHooks().With(rh.hooks...)
	rh.combined.Store(&combinedHooks{base: base, set: set})
	return set
}
