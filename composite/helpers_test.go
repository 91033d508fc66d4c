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
	"github.com/transmute-go/transmute/transmutetest"
)

// journal is the test kit's journal the tests' tracers share, read as the
// lines the tests compare ("A:before", "A:step0", "A:/step1!", …), so a
// test sees the order of the calls across hooks.
type journal struct{ transmutetest.Journal }

func (j *journal) get() []string { return j.Lines(line) }

func (j *journal) String() string { return strings.Join(j.get(), " ") }

func line(e transmutetest.Entry) string {
	switch e.Method {
	case transmutetest.BeforeMigrate:
		return e.Hook + ":before"
	case transmutetest.AfterMigrate:
		return e.Hook + ":after"
	case transmutetest.OnError:
		return e.Hook + ":error"
	case transmutetest.ValidateMigration:
		return e.Hook + ":validate"
	case transmutetest.BeforeStep:
		return fmt.Sprintf("%s:step%d", e.Hook, e.Step.Index)
	case transmutetest.AfterStep:
		if e.Err != nil {
			return fmt.Sprintf("%s:/step%d!", e.Hook, e.Step.Index)
		}
		return fmt.Sprintf("%s:/step%d", e.Hook, e.Step.Index)
	case transmutetest.BeforeBatch:
		return e.Hook + ":batch"
	default: // AfterBatch
		return e.Hook + ":/batch"
	}
}

// notes is a concurrency-safe list of free-form lines, for what migration
// functions and probes observe.
type notes struct {
	mu    sync.Mutex
	lines []string
}

func (n *notes) add(format string, args ...any) {
	if n == nil {
		return
	}
	n.mu.Lock()
	n.lines = append(n.lines, fmt.Sprintf(format, args...))
	n.mu.Unlock()
}

func (n *notes) get() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.lines...)
}

// tokenKey marks the ctx a tracer's Before returned, so that a probe sees
// which members' ctx reach another member.
type tokenKey struct{ name, kind string }

// tracer is a migration hook (no steps, no batches) backed by the test
// kit's recorder: it records every call, in the journal too if one is
// given, and checks the ctx pairing (each end gets the very ctx its own
// Before returned, exactly once).
type tracer struct {
	name string
	rec  *transmutetest.ValidatingRecorder
	next atomic.Int64 // the mark of each Before's ctx
}

func newTracer(name string, j *journal) *tracer {
	opts := []transmutetest.RecorderOption{transmutetest.WithName(name)}
	if j != nil {
		opts = append(opts, transmutetest.WithJournal(&j.Journal))
	}
	return &tracer{name: name, rec: transmutetest.NewValidator(nil, opts...)}
}

func (h *tracer) BeforeMigrate(ctx context.Context, e core.Event) context.Context {
	return context.WithValue(h.rec.BeforeMigrate(ctx, e), tokenKey{h.name, "mig"}, h.next.Add(1))
}

func (h *tracer) AfterMigrate(ctx context.Context, e core.Event, migrated core.Record) {
	h.rec.AfterMigrate(ctx, e, migrated)
}

func (h *tracer) OnError(ctx context.Context, e core.Event, err error) {
	h.rec.OnError(ctx, e, err)
}

// count returns how many calls of method the tracer got.
func (h *tracer) count(method string) int64 {
	var n int64
	for _, m := range h.rec.Methods() {
		if m == method {
			n++
		}
	}
	return n
}

// check fails t unless every Before was ended exactly once with its own ctx.
func (h *tracer) check(t *testing.T) {
	t.Helper()
	if err := h.rec.CheckPairing(); err != nil {
		t.Error(err)
	}
	b, a, e := h.count(transmutetest.BeforeMigrate), h.count(transmutetest.AfterMigrate), h.count(transmutetest.OnError)
	if b != a+e {
		t.Errorf("%s: %d BeforeMigrate, %d AfterMigrate + %d OnError", h.name, b, a, e)
	}
}

// stepTracer is a tracer that also observes steps, with the same pairing
// check for BeforeStep/AfterStep.
type stepTracer struct {
	*tracer
}

func newStepTracer(name string, j *journal) *stepTracer {
	return &stepTracer{tracer: newTracer(name, j)}
}

func (h *stepTracer) BeforeStep(ctx context.Context, e core.Event, s core.Step) context.Context {
	return h.rec.BeforeStep(ctx, e, s)
}

func (h *stepTracer) AfterStep(ctx context.Context, e core.Event, s core.Step, err error) {
	h.rec.AfterStep(ctx, e, s, err)
}

// batchTracer is a tracer that also observes batches, and keeps the last
// batch that ended.
type batchTracer struct {
	*tracer
	last atomic.Pointer[core.Batch]
}

func newBatchTracer(name string, j *journal) *batchTracer {
	return &batchTracer{tracer: newTracer(name, j)}
}

func (h *batchTracer) BeforeBatch(ctx context.Context, b core.Batch) context.Context {
	return context.WithValue(h.rec.BeforeBatch(ctx, b), tokenKey{h.name, "batch"}, h.next.Add(1))
}

func (h *batchTracer) AfterBatch(ctx context.Context, b core.Batch, err error) {
	h.last.Store(&b)
	h.rec.AfterBatch(ctx, b, err)
}

// validator is a tracer that is also a core.Validator returning err; its
// check also fails on a validation that did not get its own migration's
// ctx.
type validator struct {
	*tracer
	err error
}

func (h *validator) ValidateMigration(ctx context.Context, e core.Event, migrated core.Record) error {
	_ = h.rec.ValidateMigration(ctx, e, migrated)
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
func newManager(t testing.TB, sink *errorSink, seen *notes) *core.Manager {
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
