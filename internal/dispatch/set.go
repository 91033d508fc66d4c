package dispatch

import (
	"log/slog"
	"reflect"
	"runtime/debug"
	"slices"
)

// Set is an immutable, ordered group of hooks of type H with their
// optional interfaces resolved once. H is the owner's hook interface (it
// must implement [Hook] over E and R); S and B are the step and batch
// types. A nil *Set is an empty set.
type Set[H Hook[E, R], E, R, S, B any] struct {
	entries    []entry[H, E, R, S, B]
	validators []int
	steppers   []int
	batchers   []int
	opts       *Options[H]
}

type entry[H Hook[E, R], E, R, S, B any] struct {
	orig H
	h    Hook[E, R]
	v    Validator[E, R]
	s    StepObserver[E, S]
	b    BatchObserver[B]
}

// Options says how a [Set] reports a panicking hook.
type Options[H any] struct {
	// PanicError builds the error a panic is reported as. Nil reports
	// nothing to OnPanic (the panic is logged).
	PanicError func(h H, method string, value any, stack []byte) error
	// OnPanic receives the error PanicError built. Nil, or a handler that
	// panics itself, logs it with log/slog at Error level.
	OnPanic func(error)
	// Repanic panics again with the reported error, so that a test sees
	// it. The rest of that dispatch is then undone.
	Repanic bool
}

// New returns a set of hooks, in order; nil hooks are skipped. opts is
// shared by the sets derived from this one with With and Without.
func New[H Hook[E, R], E, R, S, B any](hooks []H, opts Options[H]) *Set[H, E, R, S, B] {
	return build[H, E, R, S, B](hooks, &opts)
}

func build[H Hook[E, R], E, R, S, B any](hooks []H, opts *Options[H]) *Set[H, E, R, S, B] {
	s := &Set[H, E, R, S, B]{opts: opts, entries: make([]entry[H, E, R, S, B], 0, len(hooks))}
	for _, h := range hooks {
		s.add(h)
	}
	return s
}

func (s *Set[H, E, R, S, B]) add(h H) {
	if isNil(h) {
		return
	}
	e := entry[H, E, R, S, B]{orig: h, h: Hook[E, R](h)}
	i := len(s.entries)
	if v, ok := any(h).(Validator[E, R]); ok {
		e.v = v
		s.validators = append(s.validators, i)
	}
	if so, ok := any(h).(StepObserver[E, S]); ok {
		e.s = so
		s.steppers = append(s.steppers, i)
	}
	if b, ok := any(h).(BatchObserver[B]); ok {
		e.b = b
		s.batchers = append(s.batchers, i)
	}
	s.entries = append(s.entries, e)
}

// Len returns the number of hooks.
func (s *Set[H, E, R, S, B]) Len() int {
	if s == nil {
		return 0
	}
	return len(s.entries)
}

// Hooks returns the hooks in order, in a new slice.
func (s *Set[H, E, R, S, B]) Hooks() []H {
	if s == nil {
		return nil
	}
	out := make([]H, len(s.entries))
	for i, e := range s.entries {
		out[i] = e.orig
	}
	return out
}

// HasStepObservers reports whether any hook implements [StepObserver].
func (s *Set[H, E, R, S, B]) HasStepObservers() bool { return s != nil && len(s.steppers) > 0 }

// HasBatchObservers reports whether any hook implements [BatchObserver].
func (s *Set[H, E, R, S, B]) HasBatchObservers() bool { return s != nil && len(s.batchers) > 0 }

// HasValidators reports whether any hook implements [Validator].
func (s *Set[H, E, R, S, B]) HasValidators() bool { return s != nil && len(s.validators) > 0 }

// With returns a new set with hooks appended and the same options; s is
// unchanged. With on a nil set uses the zero Options.
func (s *Set[H, E, R, S, B]) With(hooks ...H) *Set[H, E, R, S, B] {
	if s == nil {
		return New[H, E, R, S, B](hooks, Options[H]{})
	}
	return build[H, E, R, S, B](append(s.Hooks(), hooks...), s.opts)
}

// Without returns a new set without the first occurrence of h, and
// whether h was found; s is unchanged. Hooks are compared with ==, so a
// hook that is not comparable (a func or map type) cannot be removed.
func (s *Set[H, E, R, S, B]) Without(h H) (*Set[H, E, R, S, B], bool) {
	hooks := s.Hooks()
	for i, x := range hooks {
		if same(x, h) {
			return build[H, E, R, S, B](slices.Delete(hooks, i, i+1), s.opts), true
		}
	}
	return s, false
}

// isNil reports whether h is nil or a nil pointer, map, slice, func or
// channel in an interface: a constructor that returns a nil *Hook (such as
// sampling.New(nil)) gives a hook the set ignores, not one that panics
// when called.
func isNil(h any) bool {
	if h == nil {
		return true
	}
	switch v := reflect.ValueOf(h); v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
		return v.IsNil()
	}
	return false
}

func same[H any](a, b H) (eq bool) {
	defer func() {
		if recover() != nil {
			eq = false
		}
	}()
	return any(a) == any(b)
}

// report hands a hook's panic to the options' handler (or log/slog).
func (s *Set[H, E, R, S, B]) report(h H, method string, v any) {
	o := s.opts
	var err error
	if o.PanicError != nil {
		err = o.PanicError(h, method, v, debug.Stack())
	}
	if err == nil || o.OnPanic == nil || !callHandler(o.OnPanic, err) {
		slog.Error("transmute: hook panicked", "hook", TypeName(h), "method", method, "panic", v)
	}
	if o.Repanic {
		if err == nil {
			panic(v)
		}
		panic(err)
	}
}

// callHandler calls an error handler and reports whether it returned; a
// handler that panics does not take the migration down with it.
func callHandler(handler func(error), err error) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			slog.Error("transmute: error handler panicked", "panic", r)
		}
	}()
	handler(err)
	return true
}

// TypeName returns the Go type of v, "<nil>" for nil.
func TypeName(v any) string {
	if v == nil {
		return "<nil>"
	}
	return reflect.TypeOf(v).String()
}
