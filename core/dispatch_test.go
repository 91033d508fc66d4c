package core_test

import (
	"context"
	"errors"
	"testing"

	"github.com/transmute-go/transmute/core"
)

// TestHookSet drives a HookSet directly, as a composite hook does.
func TestHookSet(t *testing.T) {
	rec := &recorder{}
	a := newTrace("a", rec)
	s := stepHook{newTrace("s", rec)}
	v := validatorHook{newTrace("v", rec), errTest}
	bh := batchHook{traceHook: newTrace("b", rec)}
	errs := &errCollector{}
	set := core.NewHookSet([]core.Hook{a, nil, s, v, panicHook{where: "AfterMigrate"}, bh}, core.OnHookPanic(errs.handle), nil)

	equal(t, set.Len(), 5)
	if !set.HasStepObservers() || !set.HasValidators() || !set.HasBatchObservers() {
		t.Fatal("optional interfaces not found")
	}
	plain := core.NewHookSet([]core.Hook{a})
	if plain.HasStepObservers() || plain.HasValidators() || plain.HasBatchObservers() {
		t.Fatal("optional interfaces found where there are none")
	}

	ctx := context.Background()
	e := core.Event{Model: "M", From: core.MustParseVersion("1.0.0"), To: core.MustParseVersion("2.0.0")}
	var inv core.Invocation
	hctx := set.BeforeMigrate(ctx, e, &inv)
	if p, _ := hctx.Value(pairKey{}).(pair); p.name != "b" {
		t.Fatalf("BeforeMigrate returned the ctx of %q, want the last hook's", p.name)
	}
	var si core.StepInvocation
	sctx := inv.BeforeStep(hctx, e, core.Step{Index: 0, From: e.From, To: e.To}, &si)
	if sctx.Value(stepKey{}) != (stepVal{"s", 0}) {
		t.Fatal("BeforeStep did not return the observer's ctx")
	}
	si.AfterStep(e, core.Step{Index: 0, From: e.From, To: e.To}, nil)
	err := inv.Validate(e, core.NewRecord(core.Data{}))
	if !errors.Is(err, core.ErrValidation) || !errors.Is(err, errTest) {
		t.Fatalf("Validate = %v", err)
	}
	inv.AfterMigrate(e, core.NewRecord(core.Data{}))
	inv.AfterMigrate(e, core.NewRecord(core.Data{})) // a second end is a no-op
	inv.OnError(e, errTest)

	var bi core.BatchInvocation
	bctx := set.BeforeBatch(ctx, core.Batch{Model: "M", Size: 2}, &bi)
	if bctx.Value(batchKey{}) != "b" {
		t.Fatal("BeforeBatch did not return the observer's ctx")
	}
	bi.AfterBatch(core.Batch{Model: "M", Size: 2, Succeeded: 2}, nil)

	equal(t, rec.get(), []string{
		"a.before M 1.0.0>2.0.0", "s.before M 1.0.0>2.0.0", "v.before M 1.0.0>2.0.0", "b.before M 1.0.0>2.0.0",
		"s.beforeStep M #0 1.0.0>2.0.0 auto=false", "s.afterStep M #0 err=false",
		"v.validate M",
		"b.after M 1.0.0>2.0.0", "v.after M 1.0.0>2.0.0", "s.after M 1.0.0>2.0.0", "a.after M 1.0.0>2.0.0",
		"b.beforeBatch M size=2", "b.afterBatch M size=2 ok=2 failed=0 err=false",
	})
	for _, h := range []*traceHook{a, s.traceHook, v.traceHook, bh.traceHook} {
		h.check(t)
	}
	if got := errs.get(); len(got) != 1 {
		t.Fatalf("reported %v, want the one AfterMigrate panic", got)
	}
}

func TestHookSetWithWithout(t *testing.T) {
	rec := &recorder{}
	a, b, c := newTrace("a", rec), newTrace("b", rec), newTrace("c", rec)
	s := core.NewHookSet([]core.Hook{a, b})
	s2 := s.With(c)
	equal(t, s.Hooks(), []core.Hook{a, b})
	equal(t, s2.Hooks(), []core.Hook{a, b, c})
	s3, ok := s2.Without(b)
	if !ok {
		t.Fatal("Without(b) did not find b")
	}
	equal(t, s3.Hooks(), []core.Hook{a, c})
	equal(t, s2.Hooks(), []core.Hook{a, b, c})
	if _, ok := s3.Without(b); ok {
		t.Fatal("Without found a hook that is not there")
	}
	hs := s.Hooks()
	hs[0] = nil
	equal(t, s.Hooks(), []core.Hook{a, b})

	var empty *core.HookSet
	if empty.Len() != 0 || empty.Hooks() != nil || empty.HasValidators() || empty.HasStepObservers() || empty.HasBatchObservers() {
		t.Fatal("a nil *HookSet is not empty")
	}
	equal(t, empty.With(a).Hooks(), []core.Hook{a})
	var inv core.Invocation
	ctx := context.Background()
	if got := empty.BeforeMigrate(ctx, core.Event{}, &inv); got != ctx {
		t.Fatal("an empty set changed the ctx")
	}
	if err := inv.Validate(core.Event{}, core.Record{}); err != nil {
		t.Fatal(err)
	}
	inv.AfterMigrate(core.Event{}, core.Record{})
}
