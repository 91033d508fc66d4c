package dispatch

import "context"

// BatchInvocation is the state of one batch's dispatch to the batch
// observers, finished by exactly one AfterBatch.
type BatchInvocation[H Hook[E, R], E, R, S, B any] struct {
	set *Set[H, E, R, S, B]
	ran int
	f   frame
}

// BeforeBatch calls BeforeBatch of every [BatchObserver] in order,
// chaining ctx, and returns the ctx the batch's items should run under.
func (s *Set[H, E, R, S, B]) BeforeBatch(ctx context.Context, b B, bi *BatchInvocation[H, E, R, S, B]) context.Context {
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

func (s *Set[H, E, R, S, B]) callBeforeBatch(i int, ctx context.Context, b B) (out context.Context) {
	ent := &s.entries[i]
	out = ctx
	defer func() {
		if r := recover(); r != nil {
			out = ctx
			s.report(ent.orig, "BeforeBatch", r)
		}
	}()
	if c := ent.b.BeforeBatch(ctx, b); c != nil {
		out = c
	}
	return out
}

// AfterBatch calls AfterBatch of every observer whose BeforeBatch ran, in
// reverse order, each with its own ctx.
func (bi *BatchInvocation[H, E, R, S, B]) AfterBatch(b B, err error) {
	s := bi.set
	for j := bi.ran - 1; j >= 0; j-- {
		s.callAfterBatch(s.batchers[j], bi.f.get(j), b, err)
	}
	bi.f.release(bi.ran)
	bi.ran = 0
}

func (s *Set[H, E, R, S, B]) callAfterBatch(i int, ctx context.Context, b B, err error) {
	ent := &s.entries[i]
	defer func() {
		if r := recover(); r != nil {
			s.report(ent.orig, "AfterBatch", r)
		}
	}()
	ent.b.AfterBatch(ctx, b, err)
}
