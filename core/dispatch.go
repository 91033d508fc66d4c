package core

import (
	"context"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
)

// HookSet is an immutable, ordered group of hooks with their optional
// interfaces ([Validator], [StepObserver], [BatchObserver]) resolved once.
// It is the one dispatch of the project: the [Manager] runs its hooks
// through a HookSet, and so does a composite hook, so both give the same
// guarantees:
//
//   - BeforeMigrate, BeforeStep and BeforeBatch run in order, each getting
//     the ctx the previous one returned;
//   - AfterMigrate, OnError, AfterStep and AfterBatch run in reverse order
//     (onion), each with the ctx that its own Before returned;
//   - every hook whose Before ran gets exactly one After or OnError;
//   - a panicking hook is recovered and reported to the panic handler, and
//     the others still run (unless [StrictHooks] re-panics, for tests).
//
// A nil *HookSet is an empty set.
type HookSet struct {
	entries    []hookEntry
	validators []int
	steppers   []int
	batchers   []int
	onPanic    func(error)
	strict     bool
}

type hookEntry struct {
	h Hook
	v Validator
	s StepObserver
	b BatchObserver
}

// HookSetOption configures a [HookSet]. Options are created by
// [OnHookPanic] and [StrictHooks]; a nil option is ignored.
type HookSetOption interface{ applyHookSet(*HookSet) }

type hookSetOptionFunc func(*HookSet)

func (f hookSetOptionFunc) applyHookSet(s *HookSet) { f(s) }

// OnHookPanic sets the function that receives a *[HookPanicError] when a
// hook panics. The default logs it with log/slog at Error level.
func OnHookPanic(handler func(error)) HookSetOption {
	return hookSetOptionFunc(func(s *HookSet) { s.onPanic = handler })
}

// StrictHooks makes a panicking hook panic again after it is reported, so
// that tests see it.
func StrictHooks() HookSetOption {
	return hookSetOptionFunc(func(s *HookSet) { s.strict = true })
}

// NewHookSet returns a set of the given hooks, in order; nil hooks are
// skipped.
func NewHookSet(hooks []Hook, opts ...HookSetOption) *HookSet {
	s := &HookSet{}
	for _, o := range opts {
		if o != nil {
			o.applyHookSet(s)
		}
	}
	s.entries = make([]hookEntry, 0, len(hooks))
	for _, h := range hooks {
		s.add(h)
	}
	return s
}

func (s *HookSet) add(h Hook) {
	if h == nil {
		return
	}
	e := hookEntry{h: h}
	i := len(s.entries)
	if v, ok := h.(Validator); ok {
		e.v = v
		s.validators = append(s.validators, i)
	}
	if so, ok := h.(StepObserver); ok {
		e.s = so
		s.steppers = append(s.steppers, i)
	}
	if b, ok := h.(BatchObserver); ok {
		e.b = b
		s.batchers = append(s.batchers, i)
	}
	s.entries = append(s.entries, e)
}

// options returns the options of s, for building a derived set.
func (s *HookSet) derive(hooks []Hook) *HookSet {
	n := &HookSet{onPanic: s.onPanic, strict: s.strict, entries: make([]hookEntry, 0, len(hooks))}
	for _, h := range hooks {
		n.add(h)
	}
	return n
}

// Len returns the number of hooks.
func (s *HookSet) Len() int {
	if s == nil {
		return 0
	}
	return len(s.entries)
}

// Hooks returns the hooks in order, in a new slice.
func (s *HookSet) Hooks() []Hook {
	if s == nil {
		return nil
	}
	out := make([]Hook, len(s.entries))
	for i, e := range s.entries {
		out[i] = e.h
	}
	return out
}

// HasStepObservers reports whether any hook implements [StepObserver].
func (s *HookSet) HasStepObservers() bool { return s != nil && len(s.steppers) > 0 }

// HasBatchObservers reports whether any hook implements [BatchObserver].
func (s *HookSet) HasBatchObservers() bool { return s != nil && len(s.batchers) > 0 }

// HasValidators reports whether any hook implements [Validator].
func (s *HookSet) HasValidators() bool { return s != nil && len(s.validators) > 0 }

// With returns a new set with hooks appended; s is unchanged.
func (s *HookSet) With(hooks ...Hook) *HookSet {
	if s == nil {
		return NewHookSet(hooks)
	}
	return s.derive(append(s.Hooks(), hooks...))
}

// Without returns a new set without the first occurrence of h, and
// whether h was found; s is unchanged. Hooks are compared with ==, so a
// hook that is not comparable (a func or map type) cannot be removed.
func (s *HookSet) Without(h Hook) (*HookSet, bool) {
	hooks := s.Hooks()
	for i, x := range hooks {
		if sameHook(x, h) {
			return s.derive(slices.Delete(hooks, i, i+1)), true
		}
	}
	return s, false
}

func sameHook(a, b Hook) (same bool) {
	defer func() {
		if recover() != nil {
			same = false
		}
	}()
	return a == b
}

func (s *HookSet) report(h Hook, method string, v any) {
	err := &HookPanicError{Hook: h, Method: method, Value: v, Stack: debug.Stack()}
	if s.onPanic == nil || !callHandler(s.onPanic, err) {
		slog.Error("transmute: hook panicked", "hook", slogType{h}, "method", method, "panic", v)
	}
	if s.strict {
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

type slogType struct{ h Hook }

// LogValue implements slog.LogValuer.
func (t slogType) LogValue() slog.Value { return slog.StringValue(typeName(t.h)) }

// ctxFrame holds the ctx each hook's Before returned. Up to 8 hooks need
// no allocation (and no pointer into the frame itself, so a frame on the
// caller's stack stays there); more borrow a slice from a pool, given back
// by release.
type ctxFrame struct {
	buf    [8]context.Context
	more   []context.Context
	pooled *[]context.Context
}

// ctxPool holds the slices of frames with more than 8 hooks.
var ctxPool = sync.Pool{New: func() any { return new([]context.Context) }}

func (f *ctxFrame) init(n int) {
	f.more = nil
	if n > len(f.buf) {
		p := ctxPool.Get().(*[]context.Context)
		if k := n - len(f.buf); cap(*p) < k {
			*p = make([]context.Context, k)
		}
		f.more, f.pooled = (*p)[:n-len(f.buf)], p
	}
}

func (f *ctxFrame) set(i int, ctx context.Context) {
	if i < len(f.buf) {
		f.buf[i] = ctx
	} else {
		f.more[i-len(f.buf)] = ctx
	}
}

func (f *ctxFrame) get(i int) context.Context {
	if i < len(f.buf) {
		return f.buf[i]
	}
	return f.more[i-len(f.buf)]
}

// release drops the frame's references to the contexts, and gives its
// slice back to the pool.
func (f *ctxFrame) release(n int) {
	clear(f.buf[:min(n, len(f.buf))])
	if f.pooled != nil {
		clear(f.more)
		*f.pooled = f.more[:0]
		ctxPool.Put(f.pooled)
		f.more, f.pooled = nil, nil
	}
}

// Invocation is the state of one migration's dispatch: the ctx that each
// hook's BeforeMigrate returned. It is created by [HookSet.BeforeMigrate]
// and must be finished with exactly one call of AfterMigrate or OnError.
// An Invocation is used by one goroutine; the zero value is not useful.
type Invocation struct {
	set *HookSet
	ran int
	f   ctxFrame
}

// BeforeMigrate calls every hook's BeforeMigrate in order, chaining the
// ctx, records the ctx each returned in inv, and returns the last ctx.
func (s *HookSet) BeforeMigrate(ctx context.Context, e Event, inv *Invocation) context.Context {
	inv.set = s
	inv.ran = 0
	n := s.Len()
	if n == 0 {
		return ctx
	}
	inv.f.init(n)
	for inv.ran < n {
		ctx = s.beforeFrom(ctx, &e, inv)
	}
	return ctx
}

// beforeFrom calls BeforeMigrate of the hooks from inv.ran on, until one
// panics (it is reported, and keeps the ctx it was given). One deferred
// recover covers the whole loop, not one per hook.
func (s *HookSet) beforeFrom(ctx context.Context, e *Event, inv *Invocation) (out context.Context) {
	out = ctx
	defer func() {
		if r := recover(); r != nil {
			i := inv.ran
			inv.f.set(i, out)
			inv.ran = i + 1
			s.report(s.entries[i].h, "BeforeMigrate", r)
		}
	}()
	for i := inv.ran; i < len(s.entries); i++ {
		if c := s.entries[i].h.BeforeMigrate(out, *e); c != nil {
			out = c
		}
		inv.f.set(i, out)
		inv.ran = i + 1
	}
	return out
}

// Validate runs the validators in order with each one's own ctx and
// returns the first error, wrapped so that it matches [ErrValidation]. A
// panicking validator is reported and does not fail the migration.
func (inv *Invocation) Validate(e Event, migrated Record) error {
	s := inv.set
	if s == nil {
		return nil
	}
	for _, i := range s.validators {
		if i >= inv.ran {
			break
		}
		if err := s.callValidate(i, inv.f.get(i), e, migrated); err != nil {
			return &ValidationError{Model: e.Model, Version: e.To, Reason: "rejected by " + typeName(s.entries[i].h), Err: err}
		}
	}
	return nil
}

func (s *HookSet) callValidate(i int, ctx context.Context, e Event, migrated Record) (err error) {
	ent := s.entries[i]
	defer func() {
		if r := recover(); r != nil {
			err = nil
			s.report(ent.h, "ValidateMigration", r)
		}
	}()
	return ent.v.ValidateMigration(ctx, e, migrated)
}

// AfterMigrate calls AfterMigrate of every hook whose Before ran, in
// reverse order, each with its own ctx.
func (inv *Invocation) AfterMigrate(e Event, migrated Record) {
	n := inv.ran
	for inv.ran > 0 {
		inv.afterFrom(&e, migrated)
	}
	inv.f.release(n)
}

// afterFrom calls AfterMigrate of the hooks before inv.ran, last first,
// until one panics (it is reported).
func (inv *Invocation) afterFrom(e *Event, migrated Record) {
	s := inv.set
	defer func() {
		if r := recover(); r != nil {
			s.report(s.entries[inv.ran].h, "AfterMigrate", r)
		}
	}()
	for inv.ran > 0 {
		inv.ran--
		s.entries[inv.ran].h.AfterMigrate(inv.f.get(inv.ran), *e, migrated)
	}
}

// OnError calls OnError of every hook whose Before ran, in reverse order,
// each with its own ctx.
func (inv *Invocation) OnError(e Event, err error) {
	n := inv.ran
	for inv.ran > 0 {
		inv.errorFrom(&e, err)
	}
	inv.f.release(n)
}

// errorFrom calls OnError of the hooks before inv.ran, last first, until
// one panics (it is reported).
func (inv *Invocation) errorFrom(e *Event, err error) {
	s := inv.set
	defer func() {
		if r := recover(); r != nil {
			s.report(s.entries[inv.ran].h, "OnError", r)
		}
	}()
	for inv.ran > 0 {
		inv.ran--
		s.entries[inv.ran].h.OnError(inv.f.get(inv.ran), *e, err)
	}
}

// StepInvocation is the state of one step's dispatch to the step
// observers, finished by exactly one AfterStep.
type StepInvocation struct {
	set *HookSet
	ran int
	f   ctxFrame
}

// BeforeStep calls BeforeStep of every [StepObserver] in order, chaining
// ctx (normally the ctx that BeforeMigrate returned), and returns the ctx
// the step's function should run under.
func (inv *Invocation) BeforeStep(ctx context.Context, e Event, st Step, si *StepInvocation) context.Context {
	s := inv.set
	si.set = s
	si.ran = 0
	if !s.HasStepObservers() {
		return ctx
	}
	n := len(s.steppers)
	si.f.init(n)
	for si.ran < n {
		ctx = si.beforeFrom(ctx, &e, &st)
	}
	return ctx
}

// beforeFrom calls BeforeStep of the observers from si.ran on, until one
// panics (it is reported, and keeps the ctx it was given).
func (si *StepInvocation) beforeFrom(ctx context.Context, e *Event, st *Step) (out context.Context) {
	s := si.set
	out = ctx
	defer func() {
		if r := recover(); r != nil {
			j := si.ran
			si.f.set(j, out)
			si.ran = j + 1
			s.report(s.entries[s.steppers[j]].h, "BeforeStep", r)
		}
	}()
	for j := si.ran; j < len(s.steppers); j++ {
		if c := s.entries[s.steppers[j]].s.BeforeStep(out, *e, *st); c != nil {
			out = c
		}
		si.f.set(j, out)
		si.ran = j + 1
	}
	return out
}

// AfterStep calls AfterStep of every observer whose BeforeStep ran, in
// reverse order, each with its own ctx.
func (si *StepInvocation) AfterStep(e Event, st Step, err error) {
	n := si.ran
	for si.ran > 0 {
		si.afterFrom(&e, &st, err)
	}
	si.f.release(n)
}

// afterFrom calls AfterStep of the observers before si.ran, last first,
// until one panics (it is reported).
func (si *StepInvocation) afterFrom(e *Event, st *Step, err error) {
	s := si.set
	defer func() {
		if r := recover(); r != nil {
			s.report(s.entries[s.steppers[si.ran]].h, "AfterStep", r)
		}
	}()
	for si.ran > 0 {
		si.ran--
		s.entries[s.steppers[si.ran]].s.AfterStep(si.f.get(si.ran), *e, *st, err)
	}
}

// BatchInvocation is the state of one batch's dispatch to the batch
// observers, finished by exactly one AfterBatch.
type BatchInvocation struct {
	set *HookSet
	ran int
	f   ctxFrame
}

// BeforeBatch calls BeforeBatch of every [BatchObserver] in order,
// chaining ctx, and returns the ctx the batch's items should run under.
func (s *HookSet) BeforeBatch(ctx context.Context, b Batch, bi *BatchInvocation) context.Context {
	bi.set = s
	bi.ran = 0
	if !s.HasBatchObservers() {
		return ctx
	}
	bi.f.init(len(s.batchers))
	for j, i := range s.batchers {
		ctx = s.callBeforeBatch(i, ctx, b)
		bi.f.set(j, ctx)
		bi.ran = j + 1
	}
	return ctx
}

func (s *HookSet) callBeforeBatch(i int, ctx context.Context, b Batch) (out context.Context) {
	ent := s.entries[i]
	out = ctx
	defer func() {
		if r := recover(); r != nil {
			out = ctx
			s.report(ent.h, "BeforeBatch", r)
		}
	}()
	if c := ent.b.BeforeBatch(ctx, b); c != nil {
		out = c
	}
	return out
}

// AfterBatch calls AfterBatch of every observer whose BeforeBatch ran, in
// reverse order, each with its own ctx.
func (bi *BatchInvocation) AfterBatch(b Batch, err error) {
	s := bi.set
	for j := bi.ran - 1; j >= 0; j-- {
		s.callAfterBatch(s.batchers[j], bi.f.get(j), b, err)
	}
	bi.f.release(bi.ran)
	bi.ran = 0
}

func (s *HookSet) callAfterBatch(i int, ctx context.Context, b Batch, err error) {
	ent := s.entries[i]
	defer func() {
		if r := recover(); r != nil {
			s.report(ent.h, "AfterBatch", r)
		}
	}()
	ent.b.AfterBatch(ctx, b, err)
}
