package core

import "github.com/transmute-go/transmute/internal/dispatch"

// The manager's hooks run through the project's one dispatch, instantiated
// with the hook contract of this package.
type (
	hookSet         = dispatch.Set[Hook, Event, Record, Step, Batch]
	invocation      = dispatch.Invocation[Hook, Event, Record, Step, Batch]
	stepInvocation  = dispatch.StepInvocation[Hook, Event, Record, Step, Batch]
	batchInvocation = dispatch.BatchInvocation[Hook, Event, Record, Step, Batch]
)

// newHookSet returns a set of hooks whose panics reach the manager's error
// handler as a *HookPanicError.
func (m *Manager) newHookSet(hooks []Hook) *hookSet {
	return dispatch.New[Hook, Event, Record, Step, Batch](hooks, dispatch.Options[Hook]{
		PanicError: newHookPanicError,
		OnPanic:    m.cfg.onError,
	})
}

func newHookPanicError(h Hook, method string, v any, stack []byte) error {
	return &HookPanicError{Hook: h, Method: method, Value: v, Stack: stack}
}

// rejected is the error of a migration that a Validator hook rejected.
func rejected(e Event, h Hook, err error) *ValidationError {
	return &ValidationError{Model: e.Model, Version: e.To, Reason: "rejected by " + typeName(h), Err: err}
}
