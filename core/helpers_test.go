package core_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/transmutetest"
)

// recorder is the journal the tests' hooks share, read as the lines the
// tests compare: several traceHooks write to one recorder, so a test sees
// the order across hooks.
type recorder struct{ transmutetest.Journal }

func (r *recorder) get() []string { return r.Lines(line) }

func (r *recorder) reset() { r.Reset() }

// line is an entry as the tests write what they expect.
func line(e transmutetest.Entry) string {
	ev := e.Event
	switch e.Method {
	case transmutetest.BeforeMigrate:
		return fmt.Sprintf("%s.before %s %s>%s", e.Hook, ev.Model, ev.From, ev.To)
	case transmutetest.AfterMigrate:
		return fmt.Sprintf("%s.after %s %s>%s", e.Hook, ev.Model, ev.From, ev.To)
	case transmutetest.OnError:
		return fmt.Sprintf("%s.error %s %s>%s %s", e.Hook, ev.Model, ev.From, ev.To, core.ErrorType(e.Err))
	case transmutetest.ValidateMigration:
		return fmt.Sprintf("%s.validate %s", e.Hook, ev.Model)
	case transmutetest.BeforeStep:
		s := e.Step
		return fmt.Sprintf("%s.beforeStep %s #%d %s>%s auto=%v", e.Hook, ev.Model, s.Index, s.From, s.To, s.Auto)
	case transmutetest.AfterStep:
		return fmt.Sprintf("%s.afterStep %s #%d err=%v", e.Hook, ev.Model, e.Step.Index, e.Err != nil)
	case transmutetest.BeforeBatch:
		return fmt.Sprintf("%s.beforeBatch %s size=%d", e.Hook, e.Batch.Model, e.Batch.Size)
	default: // AfterBatch
		b := e.Batch
		return fmt.Sprintf("%s.afterBatch %s size=%d ok=%d failed=%d err=%v", e.Hook, b.Model, b.Size, b.Succeeded, b.Failed, e.Err != nil)
	}
}

// traceHook is a migration hook only (no steps, no batches, no
// validation) backed by the test kit's recorder, which records every call
// in the shared journal and checks the ctx pairing: each end gets the very
// ctx its own Before returned, exactly once.
type traceHook struct {
	name string
	rec  *transmutetest.ValidatingRecorder
}

func newTrace(name string, rec *recorder) *traceHook {
	return &traceHook{name: name, rec: transmutetest.NewValidator(nil,
		transmutetest.WithName(name), transmutetest.WithJournal(&rec.Journal))}
}

// tokenKey, stepKey and batchKey mark the ctx a hook's Before returned, so
// that a test sees which hooks' ctx a migration function runs under.
type (
	tokenKey struct{ name string }
	stepKey  struct{}
	batchKey struct{}
	stepVal  struct {
		name  string
		index int
	}
)

func (h *traceHook) BeforeMigrate(ctx context.Context, e core.Event) context.Context {
	return context.WithValue(h.rec.BeforeMigrate(ctx, e), tokenKey{h.name}, int64(1))
}

func (h *traceHook) AfterMigrate(ctx context.Context, e core.Event, migrated core.Record) {
	h.rec.AfterMigrate(ctx, e, migrated)
}

func (h *traceHook) OnError(ctx context.Context, e core.Event, err error) {
	h.rec.OnError(ctx, e, err)
}

// check fails t unless every Before got exactly one end with the ctx it
// returned.
func (h *traceHook) check(t testing.TB) {
	t.Helper()
	if err := h.rec.CheckPairing(); err != nil {
		t.Error(err)
	}
}

// started returns how many migrations the hook saw begin.
func (h *traceHook) started() int {
	n := 0
	for _, m := range h.rec.Methods() {
		if m == transmutetest.BeforeMigrate {
			n++
		}
	}
	return n
}

// stepHook is a traceHook that also observes steps.
type stepHook struct {
	*traceHook
}

func (h stepHook) BeforeStep(ctx context.Context, e core.Event, s core.Step) context.Context {
	return context.WithValue(h.rec.BeforeStep(ctx, e, s), stepKey{}, stepVal{h.name, s.Index})
}

func (h stepHook) AfterStep(ctx context.Context, e core.Event, s core.Step, err error) {
	h.rec.AfterStep(ctx, e, s, err)
}

// validatorHook is a traceHook that also validates, returning err.
type validatorHook struct {
	*traceHook
	err error
}

func (h validatorHook) ValidateMigration(ctx context.Context, e core.Event, migrated core.Record) error {
	_ = h.rec.ValidateMigration(ctx, e, migrated)
	return h.err
}

// batchHook is a traceHook that also observes batches, and sends each
// batch that ends to batches (if not nil).
type batchHook struct {
	*traceHook
	batches chan core.Batch
}

func (h batchHook) BeforeBatch(ctx context.Context, b core.Batch) context.Context {
	return context.WithValue(h.rec.BeforeBatch(ctx, b), batchKey{}, h.name)
}

func (h batchHook) AfterBatch(ctx context.Context, b core.Batch, err error) {
	h.rec.AfterBatch(ctx, b, err)
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
