package composite_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/transmute-go/transmute/core"
)

// journal is a concurrency-safe list of what hooks observed. It stays
// private: several tracers write to one journal, so a test sees the order
// across hooks, which transmutetest.Recorder (one hook's calls) does not
// show; tests of one member's calls use the Recorder.
type journal struct {
	mu     sync.Mutex
	events []string
}

func (j *journal) add(format string, args ...any) {
	if j == nil {
		return
	}
	j.mu.Lock()
	j.events = append(j.events, fmt.Sprintf(format, args...))
	j.mu.Unlock()
}

func (j *journal) get() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]string(nil), j.events...)
}

func (j *journal) String() string { return strings.Join(j.get(), " ") }

// tokenKey is the ctx key under which a tracer keeps a per-call token.
type tokenKey struct{ name, kind string }

// tokens hands out fresh tokens and checks that each comes back exactly
// once.
type tokens struct {
	next atomic.Int64
	mu   sync.Mutex
	out  map[int64]bool
	bad  []string
}

func (tk *tokens) issue() int64 {
	n := tk.next.Add(1)
	tk.mu.Lock()
	if tk.out == nil {
		tk.out = map[int64]bool{}
	}
	tk.out[n] = true
	tk.mu.Unlock()
	return n
}

// redeem checks that ctx carries (under key) a token that is outstanding.
func (tk *tokens) redeem(ctx context.Context, key tokenKey, where string) {
	n, ok := ctx.Value(key).(int64)
	tk.mu.Lock()
	defer tk.mu.Unlock()
	switch {
	case !ok:
		tk.bad = append(tk.bad, where+": no token in ctx")
	case !tk.out[n]:
		tk.bad = append(tk.bad, fmt.Sprintf("%s: token %d not outstanding (already redeemed or never issued)", where, n))
	default:
		delete(tk.out, n)
	}
}

func (tk *tokens) check(t *testing.T, name string) {
	t.Helper()
	tk.mu.Lock()
	defer tk.mu.Unlock()
	for _, b := range tk.bad {
		t.Errorf("%s: %s", name, b)
	}
	if len(tk.out) != 0 {
		t.Errorf("%s: %d Before calls never ended", name, len(tk.out))
	}
}

// tracer is a hook that records its calls in a journal and checks the ctx
// pairing: each BeforeMigrate puts a fresh token in ctx, and each
// AfterMigrate or OnError must get a ctx with a token its own Before
// handed out, exactly once.
type tracer struct {
	name string
	j    *journal
	mig  tokens

	befores, afters, errs atomic.Int64
}

func newTracer(name string, j *journal) *tracer { return &tracer{name: name, j: j} }

func (h *tracer) BeforeMigrate(ctx context.Context, e core.Event) context.Context {
	h.befores.Add(1)
	h.j.add("%s:before", h.name)
	return context.WithValue(ctx, tokenKey{h.name, "mig"}, h.mig.issue())
}

func (h *tracer) AfterMigrate(ctx context.Context, e core.Event, _ core.Record) {
	h.afters.Add(1)
	h.j.add("%s:after", h.name)
	h.mig.redeem(ctx, tokenKey{h.name, "mig"}, h.name+".AfterMigrate")
}

func (h *tracer) OnError(ctx context.Context, e core.Event, err error) {
	h.errs.Add(1)
	h.j.add("%s:error", h.name)
	h.mig.redeem(ctx, tokenKey{h.name, "mig"}, h.name+".OnError")
}

// check fails t unless every Before was ended exactly once with its own ctx.
func (h *tracer) check(t *testing.T) {
	t.Helper()
	h.mig.check(t, h.name)
	if b, a, e := h.befores.Load(), h.afters.Load(), h.errs.Load(); b != a+e {
		t.Errorf("%s: %d BeforeMigrate, %d AfterMigrate + %d OnError", h.name, b, a, e)
	}
}

// stepTracer is a tracer that also observes steps, with the same pairing
// check for BeforeStep/AfterStep.
type stepTracer struct {
	*tracer
	step tokens
}

func newStepTracer(name string, j *journal) *stepTracer {
	return &stepTracer{tracer: newTracer(name, j)}
}

func (h *stepTracer) BeforeStep(ctx context.Context, e core.Event, s core.Step) context.Context {
	h.j.add("%s:step%d", h.name, s.Index)
	return context.WithValue(ctx, tokenKey{h.name, "step"}, h.step.issue())
}

func (h *stepTracer) AfterStep(ctx context.Context, e core.Event, s core.Step, err error) {
	if err != nil {
		h.j.add("%s:/step%d!", h.name, s.Index)
	} else {
		h.j.add("%s:/step%d", h.name, s.Index)
	}
	h.step.redeem(ctx, tokenKey{h.name, "step"}, h.name+".AfterStep")
	// The step ctx derives from the migration's: this hook's own
	// migration token is still visible.
	if _, ok := ctx.Value(tokenKey{h.name, "mig"}).(int64); !ok {
		h.step.mu.Lock()
		h.step.bad = append(h.step.bad, "AfterStep ctx lost the migration's ctx")
		h.step.mu.Unlock()
	}
}

func (h *stepTracer) check(t *testing.T) {
	t.Helper()
	h.tracer.check(t)
	h.step.check(t, h.name+" (steps)")
}

// batchTracer is a tracer that also observes batches.
type batchTracer struct {
	*tracer
	batch tokens
	last  atomic.Pointer[core.Batch]
}

func newBatchTracer(name string, j *journal) *batchTracer {
	return &batchTracer{tracer: newTracer(name, j)}
}

func (h *batchTracer) BeforeBatch(ctx context.Context, b core.Batch) context.Context {
	h.j.add("%s:batch", h.name)
	return context.WithValue(ctx, tokenKey{h.name, "batch"}, h.batch.issue())
}

func (h *batchTracer) AfterBatch(ctx context.Context, b core.Batch, err error) {
	h.j.add("%s:/batch", h.name)
	h.last.Store(&b)
	h.batch.redeem(ctx, tokenKey{h.name, "batch"}, h.name+".AfterBatch")
}

// validator is a tracer that is also a core.Validator returning err.
type validator struct {
	*tracer
	err   error
	calls atomic.Int64
	ownCx atomic.Int64 // calls that got this hook's own migration ctx
}

func (h *validator) ValidateMigration(ctx context.Context, e core.Event, migrated core.Record) error {
	h.calls.Add(1)
	h.j.add("%s:validate", h.name)
	if _, ok := ctx.Value(tokenKey{h.name, "mig"}).(int64); ok {
		h.ownCx.Add(1)
	}
	return h.err
}

// panicker panics in the methods named in where.
type panicker struct {
	where string
}

func (p *panicker) maybe(method string) {
	if strings.Contains(p.where, method) {
		panic("boom in " + method)
	}
}

func (p *panicker) BeforeMigrate(ctx context.Context, e core.Event) context.Context {
	p.maybe("BeforeMigrate")
	return ctx
}
func (p *panicker) AfterMigrate(context.Context, core.Event, core.Record) { p.maybe("AfterMigrate") }
func (p *panicker) OnError(context.Context, core.Event, error)            { p.maybe("OnError") }
func (p *panicker) ValidateMigration(context.Context, core.Event, core.Record) error {
	p.maybe("ValidateMigration")
	return nil
}
func (p *panicker) BeforeStep(ctx context.Context, _ core.Event, _ core.Step) context.Context {
	p.maybe("BeforeStep")
	return ctx
}
func (p *panicker) AfterStep(context.Context, core.Event, core.Step, error) { p.maybe("AfterStep") }

// errorSink collects what an error handler receives.
type errorSink struct {
	mu   sync.Mutex
	errs []error
}

func (s *errorSink) handle(err error) {
	s.mu.Lock()
	s.errs = append(s.errs, err)
	s.mu.Unlock()
}

func (s *errorSink) get() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]error(nil), s.errs...)
}

// stepKey is the ctx key a stepValue hook sets in BeforeStep, read by the
// migration functions of newManager.
type stepKey struct{}

var errStep = errors.New("step refused")

// gate holds a migration inside its second step: the function signals
// entered and waits for release.
type gate struct {
	entered chan struct{}
	release chan struct{}
}

type gateKey struct{}

func newGate() *gate { return &gate{entered: make(chan struct{}), release: make(chan struct{})} }

// newManager returns a manager with a User model 1.0.0 → 2.0.0 → 3.0.0
// (two steps with functions) whose manager error handler is sink.
// Migrating a record with "fail": true fails the second step. Each
// migration function records, in seen (if not nil), the stepKey value of
// the ctx it runs under; a ctx that carries a *gate holds the second step
// until the gate is released.
func newManager(t testing.TB, sink *errorSink, seen *journal) *core.Manager {
	t.Helper()
	var opts []core.Option
	if sink != nil {
		opts = append(opts, core.WithErrorHandler(sink.handle))
	}
	m := core.NewManager(opts...)
	must(t, m.RegisterSchema("User", "1.0.0", core.Schema{Fields: []core.Field{{Name: "name", Required: true, Kind: core.KindString}}}))
	must(t, m.RegisterSchema("User", "2.0.0", core.Schema{Fields: []core.Field{{Name: "full_name", Required: true, Kind: core.KindString}}}))
	must(t, m.RegisterSchema("User", "3.0.0", core.Schema{Fields: []core.Field{
		{Name: "full_name", Required: true, Kind: core.KindString},
		{Name: "version", Required: true, Kind: core.KindInteger},
	}}))
	must(t, m.RegisterMigration("User", "1.0.0", "2.0.0", func(ctx context.Context, d core.Data) (core.Data, error) {
		if v := ctx.Value(stepKey{}); v != nil {
			seen.add("fn0 under %v", v)
		}
		d["full_name"] = d["name"]
		delete(d, "name")
		return d, nil
	}))
	must(t, m.RegisterMigration("User", "2.0.0", "3.0.0", func(ctx context.Context, d core.Data) (core.Data, error) {
		if v := ctx.Value(stepKey{}); v != nil {
			seen.add("fn1 under %v", v)
		}
		if g, ok := ctx.Value(gateKey{}).(*gate); ok {
			g.entered <- struct{}{}
			<-g.release
		}
		if d["fail"] == true {
			return nil, errStep
		}
		d["version"] = 3
		return d, nil
	}))
	return m
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
