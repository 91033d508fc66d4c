package dispatch

import "context"

// StepInvocation is the state of one step's dispatch to the step
// observers, finished by exactly one AfterStep.
type StepInvocation[H Hook[E, R], E, R, S, B any] struct {
	set *Set[H, E, R, S, B]
	ran int
	f   frame
}

// BeforeStep calls BeforeStep of every [StepObserver] in order, chaining
// ctx (normally the ctx that BeforeMigrate returned), and returns the ctx
// the step's function should run under.
func (inv *Invocation[H, E, R, S, B]) BeforeStep(ctx context.Context, e *E, st *S, si *StepInvocation[H, E, R, S, B]) context.Context {
	s := inv.set
	si.set = s
	si.ran = 0
	if !s.HasStepObservers() {
		return ctx
	}
	n := len(s.steppers)
	si.f.init(n)
	for si.ran < n {
		ctx = si.beforeFrom(ctx, e, st)
	}
	return ctx
}

// beforeFrom calls BeforeStep of the observers from si.ran on, until one
// panics (it is reported, and keeps the ctx it was given).
func (si *StepInvocation[H, E, R, S, B]) beforeFrom(ctx context.Context, e *E, st *S) (out context.Context) {
	s := si.set
	out = ctx
	defer func() {
		if r := recover(); r != nil {
			j := si.ran
			si.f.set(j, out)
			si.ran = j + 1
			s.report(s.entries[s.steppers[j]].orig, "BeforeStep", r)
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
func (si *StepInvocation[H, E, R, S, B]) AfterStep(e *E, st *S, err error) {
	n := si.ran
	for si.ran > 0 {
		si.afterFrom(e, st, err)
	}
	si.f.release(n)
}

// afterFrom calls AfterStep of the observers before si.ran, last first,
// until one panics (it is reported).
func (si *StepInvocation[H, E, R, S, B]) afterFrom(e *E, st *S, err error) {
	s := si.set
	defer func() {
		if r := recover(); r != nil {
			s.report(s.entries[s.steppers[si.ran]].orig, "AfterStep", r)
		}
	}()
	for si.ran > 0 {
		si.ran--
		s.entries[s.steppers[si.ran]].s.AfterStep(si.f.get(si.ran), *e, *st, err)
	}
}
