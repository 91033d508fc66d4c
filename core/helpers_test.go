package core_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/transmute-go/transmute/core"
)

// recorder is a concurrency-safe list of what hooks observed. It stays
// private: several traceHooks write to one recorder, so a test sees the
// order across hooks, which transmutetest.Recorder (one hook's calls) does
// not show. (core's own tests cannot import transmutetest, which imports
// core, from package core; they could from core_test, and do where one
// hook's calls are enough.)
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(format string, args ...any) {
	r.mu.Lock()
	r.events = append(r.events, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

func (r *recorder) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

func (r *recorder) reset() {
	r.mu.Lock()
	r.events = nil
	r.mu.Unlock()
}

// tokenKey is the ctx key under which a traceHook keeps its per-migration
// token.
type tokenKey struct{ name string }

// traceHook records every call and checks the ctx pairing: each
// BeforeMigrate puts a fresh token in ctx, and each AfterMigrate/OnError
// must find a token its own Before handed out, exactly once.
type traceHook struct {
	name string
	rec  *recorder

	next     atomic.Int64
	mu       sync.Mutex
	finishes map[int64]int
	bad      []string
}

func newTrace(name string, rec *recorder) *traceHook {
	return &traceHook{name: name, rec: rec, finishes: map[int64]int{}}
}

func (h *traceHook) BeforeMigrate(ctx context.Context, e core.Event) context.Context {
	tok := h.next.Add(1)
	h.mu.Lock()
	h.finishes[tok] = 0
	h.mu.Unlock()
	h.rec.add("%s.before %s %s>%s", h.name, e.Model, e.From, e.To)
	ctx = context.WithValue(ctx, tokenKey{h.name}, tok)
	// Every hook also sets the same key, so that only the ctx this hook's
	// Before returned has this hook's value under it.
	return context.WithValue(ctx, pairKey{}, pair{h.name, tok})
}

// pairKey is a ctx key every traceHook sets.
type pairKey struct{}

type pair struct {
	name string
	tok  int64
}

func (h *traceHook) finish(ctx context.Context, what string) {
	p, ok := ctx.Value(pairKey{}).(pair)
	tok := p.tok
	h.mu.Lock()
	defer h.mu.Unlock()
	if !ok || p.name != h.name {
		h.bad = append(h.bad, fmt.Sprintf("%s: got the ctx of %q, not its own", what, p.name))
		return
	}
	if _, known := h.finishes[tok]; !known {
		h.bad = append(h.bad, what+": unknown token")
		return
	}
	h.finishes[tok]++
}

func (h *traceHook) AfterMigrate(ctx context.Context, e core.Event, migrated core.Record) {
	h.finish(ctx, "AfterMigrate")
	h.rec.add("%s.after %s %s>%s", h.name, e.Model, e.From, e.To)
}

func (h *traceHook) OnError(ctx context.Context, e core.Event, err error) {
	h.finish(ctx, "OnError")
	h.rec.add("%s.error %s %s>%s %s", h.name, e.Model, e.From, e.To, core.ErrorType(err))
}

// check fails t unless every Before got exactly one After or OnError with
// the ctx it returned.
func (h *traceHook) check(t testing.TB) {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, b := range h.bad {
		t.Errorf("hook %s: %s", h.name, b)
	}
	for tok, n := range h.finishes {
		if n != 1 {
			t.Errorf("hook %s: migration %d finished %d times, want exactly 1", h.name, tok, n)
		}
	}
}

func (h *traceHook) started() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.finishes)
}

// stepHook is a traceHook that also observes steps.
type stepHook struct {
	*traceHook
}

// stepKey is a ctx key every stepHook sets, to its name and the step.
type stepKey struct{}

type stepVal struct {
	name  string
	index int
}

func (h stepHook) BeforeStep(ctx context.Context, e core.Event, s core.Step) context.Context {
	h.rec.add("%s.beforeStep %s #%d %s>%s auto=%v", h.name, e.Model, s.Index, s.From, s.To, s.Auto)
	return context.WithValue(ctx, stepKey{}, stepVal{h.name, s.Index})
}

func (h stepHook) AfterStep(ctx context.Context, e core.Event, s core.Step, err error) {
	if got := ctx.Value(stepKey{}); got != (stepVal{h.name, s.Index}) {
		h.mu.Lock()
		h.bad = append(h.bad, fmt.Sprintf("AfterStep #%d got the ctx of %v", s.Index, got))
		h.mu.Unlock()
	}
	h.rec.add("%s.afterStep %s #%d err=%v", h.name, e.Model, s.Index, err != nil)
}

// validatorHook is a traceHook that also validates.
type validatorHook struct {
	*traceHook
	err error
}

func (h validatorHook) ValidateMigration(ctx context.Context, e core.Event, migrated core.Record) error {
	if p, ok := ctx.Value(pairKey{}).(pair); !ok || p.name != h.name {
		h.mu.Lock()
		h.bad = append(h.bad, fmt.Sprintf("ValidateMigration: got the ctx of %q, not its own", p.name))
		h.mu.Unlock()
	}
	h.rec.add("%s.validate %s", h.name, e.Model)
	return h.err
}

// batchHook is a traceHook that also observes batches.
type batchHook struct {
	*traceHook
	batches chan core.Batch
}

type batchKey struct{}

func (h batchHook) BeforeBatch(ctx context.Context, b core.Batch) context.Context {
	h.rec.add("%s.beforeBatch %s size=%d", h.name, b.Model, b.Size)
	return context.WithValue(ctx, batchKey{}, h.name)
}

func (h batchHook) AfterBatch(ctx context.Context, b core.Batch, err error) {
	if ctx.Value(batchKey{}) != h.name {
		h.mu.Lock()
		h.bad = append(h.bad, "AfterBatch without its BeforeBatch ctx")
		h.mu.Unlock()
	}
	h.rec.add("%s.afterBatch %s size=%d ok=%d failed=%d err=%v", h.name, b.Model, b.Size, b.Succeeded, b.Failed, err != nil)
	if h.batches != nil {
		h.batches <- b
	}
}

// panicHook panics in the methods listed in where.
type panicHook struct {
	where string // comma-separated method names
}

func (h panicHook) maybe(method string) {
	if strings.Contains(","+h.where+",", ","+method+",") {
		panic("boom in " + method)
	}
}

func (h panicHook) BeforeMigrate(ctx context.Context, _ core.Event) context.Context {
	h.maybe("BeforeMigrate")
	return ctx
}
func (h panicHook) AfterMigrate(context.Context, core.Event, core.Record) { h.maybe("AfterMigrate") }
func (h panicHook) OnError(context.Context, core.Event, error)            { h.maybe("OnError") }
func (h panicHook) ValidateMigration(context.Context, core.Event, core.Record) error {
	h.maybe("ValidateMigration")
	return nil
}
func (h panicHook) BeforeStep(ctx context.Context, _ core.Event, _ core.Step) context.Context {
	h.maybe("BeforeStep")
	return ctx
}
func (h panicHook) AfterStep(context.Context, core.Event, core.Step, error) { h.maybe("AfterStep") }
func (h panicHook) BeforeBatch(ctx context.Context, _ core.Batch) context.Context {
	h.maybe("BeforeBatch")
	return ctx
}
func (h panicHook) AfterBatch(context.Context, core.Batch, error) { h.maybe("AfterBatch") }

// errCollector is an error handler that keeps what it gets.
type errCollector struct {
	mu   sync.Mutex
	errs []error
}

func (c *errCollector) handle(err error) {
	c.mu.Lock()
	c.errs = append(c.errs, err)
	c.mu.Unlock()
}

func (c *errCollector) get() []error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]error(nil), c.errs...)
}

// Test models: User 1.0.0 (name) → 2.0.0 (first/last) → 3.0.0 (email with a
// default, compatible).
type tUserV1 struct {
	Name string `json:"name"`
}

type tUserV2 struct {
	First string `json:"first"`
	Last  string `json:"last"`
}

type tUserV3 struct {
	First string `json:"first"`
	Last  string `json:"last"`
	Email string `json:"email" default:"\"none\""`
}

func splitName(_ context.Context, d core.Data) (core.Data, error) {
	name, ok := d["name"].(string)
	if !ok {
		return nil, fmt.Errorf("name is %T, not a string", d["name"])
	}
	first, last, _ := strings.Cut(name, " ")
	delete(d, "name")
	d["first"], d["last"] = first, last
	return d, nil
}

func joinName(_ context.Context, d core.Data) (core.Data, error) {
	d["name"] = fmt.Sprint(d["first"], " ", d["last"])
	delete(d, "first")
	delete(d, "last")
	return d, nil
}

func userManager(t testing.TB, opts ...core.Option) *core.Manager {
	t.Helper()
	m := core.NewManager(opts...)
	mustOK(t, core.Register[tUserV1](m, "User", "1.0.0"))
	mustOK(t, core.Register[tUserV2](m, "User", "2.0.0"))
	mustOK(t, core.Register[tUserV3](m, "User", "3.0.0", core.WithBackwardCompatible()))
	mustOK(t, m.RegisterMigration("User", "1.0.0", "2.0.0", splitName))
	mustOK(t, m.RegisterMigration("User", "2.0.0", "1.0.0", joinName))
	return m
}

func mustOK(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func equal(t testing.TB, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %#v\nwant %#v", got, want)
	}
}

// settleGoroutines waits until the number of goroutines is back to at most
// n, and fails t if it never is.
func settleGoroutines(t testing.TB, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("goroutines: %d, want at most %d\n%s", runtime.NumGoroutine(), n, buf)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var errTest = errors.New("test error")

// clone is core.Copy for data a test knows is copyable.
func clone(t testing.TB, d core.Data) core.Data {
	t.Helper()
	c, err := core.Copy(d)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
