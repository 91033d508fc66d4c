package dispatch_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/transmute-go/transmute/internal/dispatch"
)

// The tests instantiate the dispatch with small types of their own: the
// event is a string, the record an int, the step an int, the batch a
// string.
type hook = dispatch.Hook[string, int]

type set = dispatch.Set[hook, string, int, int, string]

func newSet(hooks []hook, o dispatch.Options[hook]) *set {
	return dispatch.New[hook, string, int, int, string](hooks, o)
}

type (
	inv  = dispatch.Invocation[hook, string, int, int, string]
	sinv = dispatch.StepInvocation[hook, string, int, int, string]
	binv = dispatch.BatchInvocation[hook, string, int, int, string]
)

type log struct{ calls []string }

func (l *log) add(format string, args ...any) {
	l.calls = append(l.calls, fmt.Sprintf(format, args...))
}

type ownKey struct{}

// rec records its calls and checks that each end gets the ctx its own
// Before returned (every rec sets the same key to its name).
type rec struct {
	name string
	l    *log
	bad  []string
}

func (h *rec) own(ctx context.Context, what string) {
	if got := ctx.Value(ownKey{}); got != h.name {
		h.bad = append(h.bad, fmt.Sprintf("%s got the ctx of %v", what, got))
	}
}

func (h *rec) BeforeMigrate(ctx context.Context, e string) context.Context {
	h.l.add("%s.before %s", h.name, e)
	return context.WithValue(ctx, ownKey{}, h.name)
}

func (h *rec) AfterMigrate(ctx context.Context, e string, r int) {
	h.own(ctx, "AfterMigrate")
	h.l.add("%s.after %s %d", h.name, e, r)
}

func (h *rec) OnError(ctx context.Context, e string, err error) {
	h.own(ctx, "OnError")
	h.l.add("%s.error %s %v", h.name, e, err)
}

type full struct {
	*rec
	verr error
}

func (h full) ValidateMigration(ctx context.Context, e string, r int) error {
	h.own(ctx, "ValidateMigration")
	h.l.add("%s.validate", h.name)
	return h.verr
}

func (h full) BeforeStep(ctx context.Context, e string, s int) context.Context {
	h.l.add("%s.beforeStep %d", h.name, s)
	return context.WithValue(ctx, ownKey{}, h.name)
}

func (h full) AfterStep(ctx context.Context, e string, s int, err error) {
	h.own(ctx, "AfterStep")
	h.l.add("%s.afterStep %d", h.name, s)
}

func (h full) BeforeBatch(ctx context.Context, b string) context.Context {
	h.l.add("%s.beforeBatch %s", h.name, b)
	return context.WithValue(ctx, ownKey{}, h.name)
}

func (h full) AfterBatch(ctx context.Context, b string, err error) {
	h.own(ctx, "AfterBatch")
	h.l.add("%s.afterBatch %s", h.name, b)
}

// panicky panics in every method.
type panicky struct{}

func (panicky) BeforeMigrate(context.Context, string) context.Context { panic("before") }
func (panicky) AfterMigrate(context.Context, string, int)             { panic("after") }
func (panicky) OnError(context.Context, string, error)                { panic("error") }
func (panicky) ValidateMigration(context.Context, string, int) error  { panic("validate") }

type panicReport struct {
	value any
}

func collect(reports *[]panicReport) dispatch.Options[hook] {
	return dispatch.Options[hook]{
		PanicError: func(h hook, method string, v any, stack []byte) error {
			if len(stack) == 0 {
				panic("no stack")
			}
			return fmt.Errorf("%T panicked in %s: %v", h, method, v)
		},
		OnPanic: func(err error) { *reports = append(*reports, panicReport{value: err}) },
	}
}

func TestOrderPairingAndOptionalInterfaces(t *testing.T) {
	l := &log{}
	a := &rec{name: "a", l: l}
	f := full{rec: &rec{name: "f", l: l}, verr: errors.New("no")}
	var reports []panicReport
	s := newSet([]hook{a, nil, panicky{}, f}, collect(&reports))
	if s.Len() != 3 || !s.HasValidators() || !s.HasStepObservers() || !s.HasBatchObservers() {
		t.Fatalf("Len %d, optional interfaces %v %v %v", s.Len(), s.HasValidators(), s.HasStepObservers(), s.HasBatchObservers())
	}
	var bi binv
	bctx := s.BeforeBatch(context.Background(), "B", &bi)
	var in inv
	ctx := s.BeforeMigrate(bctx, ptr("E"), &in)
	if ctx.Value(ownKey{}) != "f" {
		t.Fatalf("BeforeMigrate returned the ctx of %v, want the last hook's", ctx.Value(ownKey{}))
	}
	var si sinv
	in.BeforeStep(ctx, ptr("E"), ptr(0), &si)
	si.AfterStep(ptr("E"), ptr(0), nil)
	h, err := in.Validate(ptr("E"), 7)
	if err != f.verr || h != hook(f) {
		t.Fatalf("Validate = %v, %v; want the validator's own error and the validator", h, err)
	}
	in.AfterMigrate(ptr("E"), 7)
	in.AfterMigrate(ptr("E"), 7) // a second end is a no-op
	in.OnError(ptr("E"), err)
	bi.AfterBatch("B", nil)

	want := []string{
		"f.beforeBatch B",
		"a.before E", "f.before E",
		"f.beforeStep 0", "f.afterStep 0",
		"f.validate",
		"f.after E 7", "a.after E 7",
		"f.afterBatch B",
	}
	if !slices.Equal(l.calls, want) {
		t.Fatalf("calls\n got %q\nwant %q", l.calls, want)
	}
	for _, r := range []*rec{a, f.rec} {
		if len(r.bad) > 0 {
			t.Errorf("%s: %v", r.name, r.bad)
		}
	}
	// panicky panicked in BeforeMigrate, ValidateMigration and AfterMigrate.
	if len(reports) != 3 {
		t.Fatalf("reports = %v, want 3", reports)
	}
}

func TestManyHooksUseThePooledFrame(t *testing.T) {
	l := &log{}
	var hooks []hook
	for i := range 12 {
		hooks = append(hooks, &rec{name: fmt.Sprint(i), l: l})
	}
	s := newSet(hooks, dispatch.Options[hook]{})
	for range 3 { // the pooled slice is reused
		l.calls = nil
		var in inv
		s.BeforeMigrate(context.Background(), ptr("E"), &in)
		in.OnError(ptr("E"), errors.New("x"))
		if len(l.calls) != 24 || l.calls[12] != "11.error E x" || l.calls[23] != "0.error E x" {
			t.Fatalf("calls %q", l.calls)
		}
	}
	for _, h := range hooks {
		if r := h.(*rec); len(r.bad) > 0 {
			t.Errorf("%s: %v", r.name, r.bad)
		}
	}
}

func TestRepanic(t *testing.T) {
	var reports []panicReport
	o := collect(&reports)
	o.Repanic = true
	s := newSet([]hook{panicky{}}, o)
	defer func() {
		err, _ := recover().(error)
		if err == nil || len(reports) != 1 {
			t.Fatalf("recovered %v after %d reports, want the reported error", err, len(reports))
		}
	}()
	var in inv
	s.BeforeMigrate(context.Background(), ptr("E"), &in)
	t.Fatal("no panic")
}

func TestPanickingHandlerIsContained(t *testing.T) {
	s := newSet([]hook{panicky{}}, dispatch.Options[hook]{
		PanicError: func(hook, string, any, []byte) error { return errors.New("p") },
		OnPanic:    func(error) { panic("the handler panics too") },
	})
	var in inv
	s.BeforeMigrate(context.Background(), ptr("E"), &in)
	in.AfterMigrate(ptr("E"), 1)
}

// funcHook is not comparable.
type funcHook func()

func (funcHook) BeforeMigrate(ctx context.Context, _ string) context.Context { return ctx }
func (funcHook) AfterMigrate(context.Context, string, int)                   {}
func (funcHook) OnError(context.Context, string, error)                      {}

func TestWithWithoutAndNil(t *testing.T) {
	l := &log{}
	a, b, c := &rec{name: "a", l: l}, &rec{name: "b", l: l}, &rec{name: "c", l: l}
	s := newSet([]hook{a, b}, dispatch.Options[hook]{})
	var nilRec *rec      // a constructor's nil *Hook, in the interface
	var nilFunc funcHook // a nil func hook
	s2 := s.With(c, nil, nilRec, nilFunc)
	if !slices.Equal(s.Hooks(), []hook{a, b}) || !slices.Equal(s2.Hooks(), []hook{a, b, c}) {
		t.Fatalf("With changed the set, did not append or kept a nil hook: %v", s2.Hooks())
	}
	s3, ok := s2.Without(b)
	if !ok || !slices.Equal(s3.Hooks(), []hook{a, c}) || !slices.Equal(s2.Hooks(), []hook{a, b, c}) {
		t.Fatal("Without")
	}
	if _, ok := s3.Without(b); ok {
		t.Fatal("Without found a hook that is not there")
	}
	fh := funcHook(func() {})
	if _, ok := s.With(fh).Without(fh); ok {
		t.Fatal("removed a hook that cannot be compared")
	}
	hs := s.Hooks()
	hs[0] = nil
	if s.Hooks()[0] != hook(a) {
		t.Fatal("Hooks shares its slice")
	}

	var empty *set
	if empty.Len() != 0 || empty.Hooks() != nil || empty.HasValidators() || empty.HasStepObservers() || empty.HasBatchObservers() {
		t.Fatal("a nil *Set is not empty")
	}
	if got := empty.With(a).Hooks(); !slices.Equal(got, []hook{a}) {
		t.Fatalf("nil.With = %v", got)
	}
	ctx := context.Background()
	var in inv
	if empty.BeforeMigrate(ctx, ptr("E"), &in) != ctx {
		t.Fatal("an empty set changed the ctx")
	}
	if _, err := in.Validate(ptr("E"), 0); err != nil {
		t.Fatal(err)
	}
	in.AfterMigrate(ptr("E"), 0)
	var bi binv
	if empty.BeforeBatch(ctx, "B", &bi) != ctx {
		t.Fatal("an empty set changed the batch ctx")
	}
	bi.AfterBatch("B", nil)
}

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }
