package composite_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/transmute-go/transmute/composite"
	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/transmutetest"
)

var bg = context.Background()

func user(name string) core.Data { return core.Data{"name": name} }

func failing(name string) core.Data { return core.Data{"name": name, "fail": true} }

func eq(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %s\n want %s", what, strings.Join(got, " "), strings.Join(want, " "))
	}
}

// The required test: a hook that panics inside a composite does not stop
// the other members from seeing the migration, and the migration succeeds.
func TestPanickingMemberOthersStillSeeTheMigration(t *testing.T) {
	var j journal
	var compSink, mgrSink errorSink
	a, b := newStepTracer("A", &j), newStepTracer("B", &j)
	bad := &panicker{where: "BeforeMigrate BeforeStep AfterStep ValidateMigration AfterMigrate OnError"}
	c := composite.New([]core.Hook{a, bad, b}, composite.WithErrorHandler(compSink.handle))
	m := newManager(t, &mgrSink, nil)
	m.AddHook(c)

	in := user("Ada")
	out, err := m.Migrate(bg, in, "User", "1.0.0", "3.0.0")
	if err != nil {
		t.Fatalf("the migration failed because of a panicking hook: %v", err)
	}
	if out["full_name"] != "Ada" || out["version"] != 3 {
		t.Errorf("wrong result %v", out)
	}
	if len(in) != 1 || in["name"] != "Ada" {
		t.Errorf("input modified: %v", in)
	}
	eq(t, "members' calls", j.get(), []string{
		"A:before", "B:before",
		"A:step0", "B:step0", "B:/step0", "A:/step0",
		"A:step1", "B:step1", "B:/step1", "A:/step1",
		"B:after", "A:after",
	})
	a.check(t)
	b.check(t)

	var methods []string
	for _, e := range compSink.get() {
		var hp *core.HookPanicError
		if !errors.As(e, &hp) {
			t.Fatalf("handler got %T %v, want a *core.HookPanicError", e, e)
		}
		if hp.Hook != bad {
			t.Errorf("panic reported for %v, want the panicking member", hp.Hook)
		}
		if !strings.Contains(fmt.Sprint(hp.Value), hp.Method) || len(hp.Stack) == 0 {
			t.Errorf("panic report %q lacks the value or the stack", hp.Error())
		}
		methods = append(methods, hp.Method)
	}
	eq(t, "panics reported", methods, []string{
		"BeforeMigrate", "BeforeStep", "AfterStep", "BeforeStep", "AfterStep", "ValidateMigration", "AfterMigrate",
	})
	if errs := mgrSink.get(); len(errs) != 0 {
		t.Errorf("the manager's handler got %v; the composite should have isolated the panics", errs)
	}

	// A failing migration: the panicking OnError does not keep the others
	// from theirs, and the caller gets the migration's own error.
	_, err = m.Migrate(bg, failing("Bob"), "User", "1.0.0", "3.0.0")
	if !errors.Is(err, errStep) {
		t.Fatalf("err = %v, want the step's error", err)
	}
	if a.count(transmutetest.OnError) != 1 || b.count(transmutetest.OnError) != 1 {
		t.Errorf("OnError: A %d, B %d, want 1 each", a.count(transmutetest.OnError), b.count(transmutetest.OnError))
	}
	a.check(t)
	b.check(t)
	if got := compSink.get(); got[len(got)-1].(*core.HookPanicError).Method != "OnError" {
		t.Errorf("last panic reported in %s, want OnError", got[len(got)-1].(*core.HookPanicError).Method)
	}
}

func TestOrderingInsideManager(t *testing.T) {
	var j journal
	x, a, b, y := newStepTracer("X", &j), newStepTracer("A", &j), newStepTracer("B", &j), newStepTracer("Y", &j)
	m := newManager(t, nil, nil)
	m.AddHook(x, composite.Of(a, b), y)

	if _, err := m.Migrate(bg, user("Ada"), "User", "1.0.0", "3.0.0"); err != nil {
		t.Fatal(err)
	}
	step := func(i string, fail string) []string {
		return []string{"X:step" + i, "A:step" + i, "B:step" + i, "Y:step" + i,
			"Y:/step" + i + fail, "B:/step" + i + fail, "A:/step" + i + fail, "X:/step" + i + fail}
	}
	want := []string{"X:before", "A:before", "B:before", "Y:before"}
	want = append(want, step("0", "")...)
	want = append(want, step("1", "")...)
	want = append(want, "Y:after", "B:after", "A:after", "X:after")
	eq(t, "success", j.get(), want)

	j.Reset()
	if _, err := m.Migrate(bg, failing("Bob"), "User", "1.0.0", "3.0.0"); !errors.Is(err, errStep) {
		t.Fatalf("err = %v", err)
	}
	want = []string{"X:before", "A:before", "B:before", "Y:before"}
	want = append(want, step("0", "")...)
	want = append(want, step("1", "!")...)
	want = append(want, "Y:error", "B:error", "A:error", "X:error")
	eq(t, "step failure", j.get(), want)

	j.Reset()
	if _, err := m.Migrate(bg, user("Cy"), "User", "1.0.0", "9.0.0"); !errors.Is(err, core.ErrModelNotFound) {
		t.Fatalf("err = %v", err)
	}
	eq(t, "no path", j.get(), []string{"X:before", "A:before", "B:before", "Y:before", "Y:error", "B:error", "A:error", "X:error"})
	for _, h := range []*stepTracer{x, a, b, y} {
		h.check(t)
	}
}

// probe records which tracers' tokens the ctx of each of its calls
// carries, and sets stepKey in BeforeStep so that the step's function
// reports running under it.
type probe struct {
	name  string
	peers []string
	j     *notes
}

func (p *probe) visible(ctx context.Context, kind string) string {
	var seen []string
	for _, n := range p.peers {
		if ctx.Value(tokenKey{n, kind}) != nil {
			seen = append(seen, n)
		}
	}
	return "[" + strings.Join(seen, ",") + "]"
}

func (p *probe) BeforeMigrate(ctx context.Context, e core.Event) context.Context {
	p.j.add("before sees %s", p.visible(ctx, "mig"))
	return context.WithValue(ctx, tokenKey{p.name, "mig"}, int64(1))
}

func (p *probe) AfterMigrate(ctx context.Context, e core.Event, _ core.Record) {
	p.j.add("after sees %s", p.visible(ctx, "mig"))
}

func (p *probe) OnError(ctx context.Context, e core.Event, err error) {
	p.j.add("error sees %s", p.visible(ctx, "mig"))
}

func (p *probe) BeforeStep(ctx context.Context, e core.Event, s core.Step) context.Context {
	p.j.add("step%d sees %s", s.Index, p.visible(ctx, "mig"))
	return context.WithValue(ctx, stepKey{}, fmt.Sprintf("%s.step%d", p.name, s.Index))
}

func (p *probe) AfterStep(ctx context.Context, e core.Event, s core.Step, err error) {
	p.j.add("/step%d under %v", s.Index, ctx.Value(stepKey{}))
}

func TestEachMemberGetsTheCtxItsOwnBeforeReturned(t *testing.T) {
	var j journal
	var pj notes
	x, a, b, y := newTracer("X", &j), newTracer("A", &j), newTracer("B", &j), newTracer("Y", &j)
	p := &probe{name: "P", peers: []string{"X", "A", "P", "B", "Y"}, j: &pj}
	m := newManager(t, nil, &pj)
	m.AddHook(x, composite.Of(a, p, b), y)

	if _, err := m.Migrate(bg, user("Ada"), "User", "1.0.0", "3.0.0"); err != nil {
		t.Fatal(err)
	}
	// Before sees the hooks before it; After sees its own ctx: the hooks
	// before it and itself, not the ones after it; the steps run under
	// the whole chain and the step functions under the member's step ctx.
	eq(t, "what the member sees", pj.get(), []string{
		"before sees [X,A]",
		"step0 sees [X,A,P,B,Y]", "fn0 under P.step0", "/step0 under P.step0",
		"step1 sees [X,A,P,B,Y]", "fn1 under P.step1", "/step1 under P.step1",
		"after sees [X,A,P]",
	})
	for _, h := range []*tracer{x, a, b, y} {
		h.check(t)
	}
}

func TestPairingUnderConcurrency(t *testing.T) {
	x, a, b := newTracer("X", nil), newStepTracer("A", nil), newStepTracer("B", nil)
	rec := transmutetest.NewRecorder() // a member seen through two composites
	inner := composite.Of(b, rec)
	m := newManager(t, nil, nil)
	m.AddHook(x, composite.Of(a, inner))

	const workers, each = 8, 400
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				d := user(fmt.Sprint(w, i))
				if i%3 == 0 {
					d["fail"] = true
				}
				_, err := m.Migrate(bg, d, "User", "1.0.0", "3.0.0")
				if (err != nil) != (i%3 == 0) {
					t.Errorf("migration %d/%d: err = %v", w, i, err)
				}
			}
		})
	}
	wg.Wait()
	x.check(t)
	a.check(t)
	b.check(t)
	total := int64(workers * each)
	for _, h := range []*tracer{x, a.tracer, b.tracer} {
		if h.count(transmutetest.BeforeMigrate) != total {
			t.Errorf("%s saw %d migrations, want %d", h.name, h.count(transmutetest.BeforeMigrate), total)
		}
	}
	if fails := b.count(transmutetest.OnError); fails != int64(workers*((each+2)/3)) {
		t.Errorf("B saw %d failures", fails)
	}
	if err := rec.CheckPairing(); err != nil {
		t.Error(err)
	}
	if n := len(rec.Calls()); n != int(total)*6 { // Before, 2 × (BeforeStep, AfterStep), end
		t.Errorf("the recorder saw %d calls, want %d", n, total*6)
	}
}

func TestValidatorIsForwarded(t *testing.T) {
	errBad := errors.New("record rejected")
	var j journal
	a, b := newTracer("A", &j), newTracer("B", &j)
	v := &validator{tracer: newTracer("V", &j), err: errBad}
	m := newManager(t, nil, nil)
	m.AddHook(composite.Of(a, v, b))

	_, err := m.Migrate(bg, user("Ada"), "User", "1.0.0", "3.0.0")
	if !errors.Is(err, core.ErrValidation) || !errors.Is(err, errBad) {
		t.Fatalf("err = %v, want a validation error wrapping the member's", err)
	}
	if got := core.ErrorType(err); got != "validation" {
		t.Errorf("ErrorType = %q", got)
	}
	eq(t, "calls", j.get(), []string{"A:before", "V:before", "B:before", "V:validate", "B:error", "V:error", "A:error"})
	if n := v.count(transmutetest.ValidateMigration); n != 1 {
		t.Errorf("the validator ran %d times, want 1", n)
	}
	v.check(t) // a validation that did not get its own migration's ctx is a fault

	// An accepting validator lets the migration succeed.
	v.err = nil
	if _, err := m.Migrate(bg, user("Bob"), "User", "1.0.0", "3.0.0"); err != nil {
		t.Fatalf("err = %v", err)
	}
	if v.count(transmutetest.AfterMigrate) != 1 || v.count(transmutetest.ValidateMigration) != 2 {
		t.Errorf("after an accepted validation: %d AfterMigrate, %d validations", v.count(transmutetest.AfterMigrate), v.count(transmutetest.ValidateMigration))
	}
	a.check(t)
	b.check(t)
	v.check(t)
}

func TestStepObserverIsForwarded(t *testing.T) {
	var j journal
	var fj notes
	s := newStepTracer("S", &j)
	p := &probe{name: "P", j: &notes{}}
	m := newManager(t, nil, &fj)
	m.AddHook(composite.Of(newTracer("plain", &j), s, p))

	if _, err := m.Migrate(bg, failing("Ada"), "User", "1.0.0", "3.0.0"); !errors.Is(err, errStep) {
		t.Fatalf("err = %v", err)
	}
	eq(t, "steps", j.get(), []string{"plain:before", "S:before", "S:step0", "S:/step0", "S:step1", "S:/step1!", "S:error", "plain:error"})
	eq(t, "step functions", fj.get(), []string{"fn0 under P.step0", "fn1 under P.step1"})
	s.check(t)
}

func TestBatchObserverIsForwarded(t *testing.T) {
	var j journal
	bt := newBatchTracer("T", nil)
	under := &batchSeer{key: tokenKey{"T", "batch"}}
	m := newManager(t, nil, nil)
	m.AddHook(composite.Of(bt, under, newTracer("plain", &j)))

	items := []core.Data{user("a"), user("b"), user("c"), user("d"), user("e")}
	out, err := m.MigrateBatch(bg, items, "User", "1.0.0", "3.0.0", core.WithWorkers(2))
	if err != nil || len(out) != len(items) {
		t.Fatalf("batch: %d results, err %v", len(out), err)
	}
	if got := bt.last.Load(); got == nil || got.Succeeded != 5 || got.Size != 5 {
		t.Fatalf("AfterBatch got %+v", got)
	}
	bt.check(t)
	if under.with.Load() != 5 || under.without.Load() != 0 {
		t.Errorf("items under the batch ctx: %d, not: %d", under.with.Load(), under.without.Load())
	}

	// A stream too.
	seq := slices.Values(items[:3])
	for _, err := range m.MigrateStream(bg, seq, "User", "1.0.0", "3.0.0") {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := bt.last.Load(); got.Size != -1 || got.Succeeded != 3 {
		t.Errorf("AfterBatch of the stream got %+v", got)
	}
	bt.check(t)
}

// batchSeer counts migrations whose ctx carries key.
type batchSeer struct {
	core.NopHook
	key           tokenKey
	with, without atomicCounter
}

type atomicCounter struct {
	mu sync.Mutex
	n  int64
}

func (c *atomicCounter) Add(d int64) { c.mu.Lock(); c.n += d; c.mu.Unlock() }
func (c *atomicCounter) Load() int64 { c.mu.Lock(); defer c.mu.Unlock(); return c.n }

func (s *batchSeer) BeforeMigrate(ctx context.Context, e core.Event) context.Context {
	if ctx.Value(s.key) != nil {
		s.with.Add(1)
	} else {
		s.without.Add(1)
	}
	return ctx
}

func TestInFlightMigrationKeepsItsMembers(t *testing.T) {
	var j journal
	a, b := newStepTracer("A", &j), newStepTracer("B", &j)
	c := composite.Of(a)
	m := newManager(t, nil, nil)
	m.AddHook(c)

	g := newGate()
	done := make(chan error)
	go func() {
		_, err := m.Migrate(context.WithValue(bg, gateKey{}, g), user("Ada"), "User", "1.0.0", "3.0.0")
		done <- err
	}()
	<-g.entered // inside step 1, A's BeforeStep has run
	if !c.Remove(a) {
		t.Fatal("Remove(a) = false")
	}
	c.Add(b)
	close(g.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	eq(t, "in-flight migration", j.get(), []string{"A:before", "A:step0", "A:/step0", "A:step1", "A:/step1", "A:after"})
	a.check(t)

	j.Reset()
	if _, err := m.Migrate(bg, user("Bob"), "User", "1.0.0", "2.0.0"); err != nil {
		t.Fatal(err)
	}
	eq(t, "next migration", j.get(), []string{"B:before", "B:step0", "B:/step0", "B:after"})
	b.check(t)
}

func TestAddRemoveDuringConcurrentMigrations(t *testing.T) {
	c := composite.Of()
	m := newManager(t, nil, nil)
	m.AddHook(c)

	var mu sync.Mutex
	var all []*stepTracer
	stop := make(chan struct{})
	var churn sync.WaitGroup
	churn.Go(func() {
		var live []*stepTracer
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			h := newStepTracer(fmt.Sprint("T", i), nil)
			mu.Lock()
			all = append(all, h)
			mu.Unlock()
			c.Add(h)
			live = append(live, h)
			if len(live) > 3 {
				if !c.Remove(live[0]) {
					t.Errorf("Remove(%s) = false", live[0].name)
				}
				live = live[1:]
			}
		}
	})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 500 {
				d := user("x")
				if (w+i)%4 == 0 {
					d["fail"] = true
				}
				_, _ = m.Migrate(bg, d, "User", "1.0.0", "3.0.0")
			}
		})
	}
	wg.Wait()
	close(stop)
	churn.Wait()

	var befores int64
	for _, h := range all {
		h.check(t)
		befores += h.count(transmutetest.BeforeMigrate)
	}
	if befores == 0 {
		t.Error("no member saw any migration: the churn did not overlap the migrations")
	}
	if c.Len() > 4 {
		t.Errorf("Len = %d, want at most 4", c.Len())
	}
}

func TestNestedComposites(t *testing.T) {
	var j journal
	x, a, b, c, d := newStepTracer("X", &j), newStepTracer("A", &j), newStepTracer("B", &j), newStepTracer("C", &j), newStepTracer("D", &j)
	m := newManager(t, nil, nil)
	m.AddHook(x, composite.Of(a, composite.Of(b, c), d))

	if _, err := m.Migrate(bg, user("Ada"), "User", "1.0.0", "2.0.0"); err != nil {
		t.Fatal(err)
	}
	eq(t, "nested", j.get(), []string{
		"X:before", "A:before", "B:before", "C:before", "D:before",
		"X:step0", "A:step0", "B:step0", "C:step0", "D:step0",
		"D:/step0", "C:/step0", "B:/step0", "A:/step0", "X:/step0",
		"D:after", "C:after", "B:after", "A:after", "X:after",
	})
	for _, h := range []*stepTracer{x, a, b, c, d} {
		h.check(t)
	}
}

func TestSameCompositeRegisteredTwice(t *testing.T) {
	var j journal
	s := newStepTracer("S", &j)
	c := composite.Of(s)
	m := newManager(t, nil, nil)
	m.AddHook(c, c)

	if _, err := m.Migrate(bg, user("Ada"), "User", "1.0.0", "2.0.0"); err != nil {
		t.Fatal(err)
	}
	eq(t, "twice", j.get(), []string{"S:before", "S:before", "S:step0", "S:step0", "S:/step0", "S:/step0", "S:after", "S:after"})
	s.check(t)
}

// Nested models run their own migrations inside a step of the parent's:
// each gets its own composite state, and the parent's step pairing holds.
func TestNestedModelMigrations(t *testing.T) {
	var j journal
	s := newStepTracer("S", &j)
	m := core.NewManager()
	must(t, m.RegisterSchema("Item", "1.0.0", core.Schema{Fields: []core.Field{{Name: "name", Required: true, Kind: core.KindString}}}))
	must(t, m.RegisterSchema("Item", "2.0.0", core.Schema{Fields: []core.Field{{Name: "title", Required: true, Kind: core.KindString}}}))
	must(t, m.RegisterMigration("Item", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		return core.Data{"title": d["name"]}, nil
	}))
	must(t, m.RegisterSchema("Order", "1.0.0", core.Schema{Fields: []core.Field{{Name: "items", Model: "Item", ModelVersion: "1.0.0", List: true}}}))
	must(t, m.RegisterSchema("Order", "2.0.0", core.Schema{Fields: []core.Field{{Name: "items", Model: "Item", ModelVersion: "2.0.0", List: true}}}, core.WithBackwardCompatible()))
	m.AddHook(composite.Of(s))

	out, err := m.Migrate(bg, core.Data{"items": []any{map[string]any{"name": "a"}, map[string]any{"name": "b"}}}, "Order", "1.0.0", "2.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(out) != "map[items:[map[title:a] map[title:b]]]" {
		t.Errorf("out = %v", out)
	}
	eq(t, "nested", j.get(), []string{
		"S:before", "S:step0",
		"S:before", "S:step0", "S:/step0", "S:after",
		"S:before", "S:step0", "S:/step0", "S:after",
		"S:/step0", "S:after",
	})
	s.check(t)
}

func TestStrictRepanics(t *testing.T) {
	var sink errorSink
	bad := &panicker{where: "BeforeMigrate"}
	c := composite.New([]core.Hook{bad}, composite.WithRepanic(), composite.WithErrorHandler(sink.handle))

	func() {
		defer func() {
			r := recover()
			hp, ok := r.(*core.HookPanicError)
			if !ok || hp.Hook != bad || hp.Method != "BeforeMigrate" {
				t.Errorf("recovered %#v, want the member's *core.HookPanicError", r)
			}
		}()
		c.BeforeMigrate(bg, core.Event{Model: "User"})
		t.Error("BeforeMigrate did not panic")
	}()
	if len(sink.get()) != 1 {
		t.Errorf("handler called %d times, want 1 (before the re-panic)", len(sink.get()))
	}

	// Through a manager: the manager isolates the re-raised panic and
	// reports it to its own handler, wrapping the member's report.
	var mgrSink errorSink
	m := newManager(t, &mgrSink, nil)
	m.AddHook(c)
	if _, err := m.Migrate(bg, user("Ada"), "User", "1.0.0", "2.0.0"); err != nil {
		t.Fatal(err)
	}
	errs := mgrSink.get()
	if len(errs) != 1 {
		t.Fatalf("manager handler got %v", errs)
	}
	var outer *core.HookPanicError
	if !errors.As(errs[0], &outer) || outer.Hook != c {
		t.Fatalf("manager reported %v, want a panic of the composite", errs[0])
	}
	var member *core.HookPanicError
	if !errors.As(outer.Unwrap(), &member) || member.Hook != bad {
		t.Errorf("the manager's report does not wrap the member's: %v", errs[0])
	}
}

func TestOptionsAreNilSafe(t *testing.T) {
	var sink errorSink
	bad := &panicker{where: "AfterMigrate"}
	c := composite.New([]core.Hook{nil, bad}, nil, composite.WithErrorHandler(sink.handle), composite.WithErrorHandler(nil))
	if c.Len() != 1 {
		t.Errorf("Len = %d, want 1 (nil hooks skipped)", c.Len())
	}
	m := newManager(t, nil, nil)
	m.AddHook(c)
	if _, err := m.Migrate(bg, user("Ada"), "User", "1.0.0", "2.0.0"); err != nil {
		t.Fatal(err)
	}
	if len(sink.get()) != 1 {
		t.Errorf("a nil handler replaced the one set before it: sink got %v", sink.get())
	}
}

func TestZeroHook(t *testing.T) {
	var j journal
	var c composite.Hook
	m := newManager(t, nil, nil)
	m.AddHook(&c)
	if _, err := m.Migrate(bg, user("Ada"), "User", "1.0.0", "2.0.0"); err != nil {
		t.Fatal(err)
	}
	a := newStepTracer("A", &j)
	c.Add(a)
	if _, err := m.Migrate(bg, user("Ada"), "User", "1.0.0", "2.0.0"); err != nil {
		t.Fatal(err)
	}
	eq(t, "zero Hook after Add", j.get(), []string{"A:before", "A:step0", "A:/step0", "A:after"})
	a.check(t)
}

// listHook is a hook of a type that is not comparable.
type listHook []int

func (listHook) BeforeMigrate(ctx context.Context, _ core.Event) context.Context { return ctx }
func (listHook) AfterMigrate(context.Context, core.Event, core.Record)           {}
func (listHook) OnError(context.Context, core.Event, error)                      {}

func TestAddRemoveLenHooks(t *testing.T) {
	a, b := newTracer("A", nil), newTracer("B", nil)
	c := composite.Of(a, nil, b)
	if c.Len() != 2 || !slices.Equal(c.Hooks(), []core.Hook{a, b}) {
		t.Fatalf("Len %d Hooks %v", c.Len(), c.Hooks())
	}
	c.Add(a, nil) // a second time: it fires twice, as in a manager
	if c.Len() != 3 {
		t.Errorf("Len = %d after Add", c.Len())
	}
	if !c.Remove(a) || !slices.Equal(c.Hooks(), []core.Hook{b, a}) {
		t.Errorf("Remove removes the first occurrence: %v", c.Hooks())
	}
	if !c.Remove(a) || c.Remove(a) {
		t.Error("Remove of a hook no longer there must report false")
	}
	l := listHook{1}
	c.Add(l)
	if c.Remove(listHook{1}) {
		t.Error("a hook that is not comparable was removed")
	}
	if c.Len() != 2 {
		t.Errorf("Len = %d", c.Len())
	}
	hooks := c.Hooks()
	hooks[0] = nil
	if c.Hooks()[0] != b {
		t.Error("Hooks returned the composite's own slice")
	}
}

// A ctx kept after the migration (by a hook that logs later, say) still
// answers with that migration's values, even once the composite has
// dispatched other migrations; ending the migration a second time with it
// calls nobody.
func TestCtxKeptAfterTheMigration(t *testing.T) {
	var j journal
	a := newStepTracer("A", &j)
	c := composite.Of(a)
	e := core.Event{Model: "User"}

	ctx1 := c.BeforeMigrate(bg, e)
	tok1 := ctx1.Value(tokenKey{"A", "mig"})
	c.AfterMigrate(ctx1, e, core.Record{})
	for range 10 {
		ctx := c.BeforeMigrate(bg, e)
		c.OnError(ctx, e, errStep)
	}
	if got := ctx1.Value(tokenKey{"A", "mig"}); got != tok1 || tok1 == nil {
		t.Errorf("the kept ctx answers %v, want its own migration's %v", got, tok1)
	}
	c.AfterMigrate(ctx1, e, core.Record{})
	c.OnError(ctx1, e, errStep)
	if err := c.ValidateMigration(ctx1, e, core.Record{}); err != nil {
		t.Errorf("ValidateMigration after the end: %v", err)
	}
	if got := c.BeforeStep(ctx1, e, core.Step{}); got != ctx1 {
		t.Error("BeforeStep after the end dispatched a step")
	}
	if a.count(transmutetest.AfterMigrate) != 1 || a.count(transmutetest.OnError) != 10 {
		t.Errorf("A saw %d AfterMigrate and %d OnError, want 1 and 10", a.count(transmutetest.AfterMigrate), a.count(transmutetest.OnError))
	}
	a.check(t)
}
