package dispatch

import "context"

// Invocation is the state of one migration's dispatch: the ctx that each
// hook's BeforeMigrate returned. It is started by [Set.BeforeMigrate] and
// must be finished with exactly one call of AfterMigrate or OnError (a
// second end is a no-op). An Invocation is used by one goroutine; the zero
// value is ready for BeforeMigrate.
type Invocation[H Hook[E, R], E, R, S, B any] struct {
	set *Set[H, E, R, S, B]
	ran int
	f   frame
}

// BeforeMigrate calls every hook's BeforeMigrate in order with a copy of
// *e, chaining the ctx, records the ctx each returned in inv, and returns
// the last ctx. The event is passed by pointer down to the call of each
// hook, where it is copied once.
func (s *Set[H, E, R, S, B]) BeforeMigrate(ctx context.Context, e *E, inv *Invocation[H, E, R, S, B]) context.Context {
	inv.set = s
	inv.ran = 0
	n := s.Len()
	if n == 0 {
		return ctx
	}
	inv.f.init(n)
	for inv.ran < n {
		ctx = s.beforeFrom(ctx, e, inv)
	}
	return ctx
}

// beforeFrom calls BeforeMigrate of the hooks from inv.ran on, until one
// panics (it is reported, and keeps the ctx it was given). One deferred
// recover covers the whole loop, not one per hook.
func (s *Set[H, E, R, S, B]) beforeFrom(ctx context.Context, e *E, inv *Invocation[H, E, R, S, B]) (out context.Context) {
	out = ctx
	defer func() {
		if r := recover(); r != nil {
			i := inv.ran
			inv.f.set(i, out)
			inv.ran = i + 1
			s.report(s.entries[i].orig, "BeforeMigrate", r)
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
// returns the first error with the validator that returned it, as it
// returned it. A panicking validator is reported and does not fail the
// migration.
func (inv *Invocation[H, E, R, S, B]) Validate(e *E, migrated R) (H, error) {
	s := inv.set
	var none H
	if s == nil {
		return none, nil
	}
	for _, i := range s.validators {
		if i >= inv.ran {
			break
		}
		if err := s.callValidate(i, inv.f.get(i), e, migrated); err != nil {
			return s.entries[i].orig, err
		}
	}
	return none, nil
}

func (s *Set[H, E, R, S, B]) callValidate(i int, ctx context.Context, e *E, migrated R) (err error) {
	ent := &s.entries[i]
	defer func() {
		if r := recover(); r != nil {
			err = nil
			s.report(ent.orig, "ValidateMigration", r)
		}
	}()
	return ent.v.ValidateMigration(ctx, *e, migrated)
}

// AfterMigrate calls AfterMigrate of every hook whose Before ran, in
// reverse order, each with its own ctx.
func (inv *Invocation[H, E, R, S, B]) AfterMigrate(e *E, migrated R) {
	n := inv.ran
	for inv.ran > 0 {
		inv.afterFrom(e, migrated)
	}
	inv.f.release(n)
}

// afterFrom calls AfterMigrate of the hooks before inv.ran, last first,
// until one panics (it is reported).
func (inv *Invocation[H, E, R, S, B]) afterFrom(e *E, migrated R) {
	s := inv.set
	defer func() {
		if r := recover(); r != nil {
			s.report(s.entries[inv.ran].orig, "AfterMigrate", r)
		}
	}()
	for inv.ran > 0 {
		inv.ran--
		s.entries[inv.ran].h.AfterMigrate(inv.f.get(inv.ran), *e, migrated)
	}
}

// OnError calls OnError of every hook whose Before ran, in reverse order,
// each with its own ctx.
func (inv *Invocation[H, E, R, S, B]) OnError(e *E, err error) {
	n := inv.ran
	for inv.ran > 0 {
		inv.errorFrom(e, err)
	}
	inv.f.release(n)
}

// errorFrom calls OnError of the hooks before inv.ran, last first, until
// one panics (it is reported).
func (inv *Invocation[H, E, R, S, B]) errorFrom(e *E, err error) {
	s := inv.set
	defer func() {
		if r := recover(); r != nil {
			s.report(s.entries[inv.ran].orig, "OnError", r)
		}
	}()
	for inv.ran > 0 {
		inv.ran--
		s.entries[inv.ran].h.OnError(inv.f.get(inv.ran), *e, err)
	}
}
