package audit_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/transmute-go/transmute/audit"
	"github.com/transmute-go/transmute/core"
)

type userV1 struct {
	Name string `json:"name"`
}

type userV2 struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

type itemV1 struct {
	SKU string `json:"sku"`
}

type itemV2 struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty" default:"1"`
}

type orderV1 struct {
	Items []itemV1 `json:"items"`
}

type orderV2 struct {
	Items []itemV2 `json:"items"`
	Note  string   `json:"note" default:"\"\""`
}

var errBadName = errors.New("name is not a string")

// newManager returns a manager with User 1.0.0 → 2.0.0 (split the name;
// a name that is not a string is an error) and Order 1.0.0 → 2.0.0 with
// nested Items, both auto-migrated.
func newManager(tb testing.TB, opts ...core.Option) *core.Manager {
	tb.Helper()
	m := core.NewManager(opts...)
	check(tb, core.Register[userV1](m, "User", "1.0.0"))
	check(tb, core.Register[userV2](m, "User", "2.0.0"))
	check(tb, m.RegisterMigration("User", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		name, ok := d["name"].(string)
		if !ok {
			return nil, errBadName
		}
		first, last, _ := strings.Cut(name, " ")
		delete(d, "name")
		d["first_name"], d["last_name"] = first, last
		return d, nil
	}))
	check(tb, core.Register[itemV1](m, "Item", "1.0.0"))
	check(tb, core.Register[itemV2](m, "Item", "2.0.0", core.WithBackwardCompatible()))
	check(tb, core.Register[orderV1](m, "Order", "1.0.0"))
	check(tb, core.Register[orderV2](m, "Order", "2.0.0", core.WithBackwardCompatible()))
	return m
}

func check(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// errs collects what an error handler receives.
type errs struct {
	mu   sync.Mutex
	list []error
}

func (e *errs) handle(err error) {
	e.mu.Lock()
	e.list = append(e.list, err)
	e.mu.Unlock()
}

func (e *errs) get() []error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]error(nil), e.list...)
}

// readFile reads a trail file, checking that it ends with a newline and
// has no blank line, and returns its raw lines and entries.
func readFile(tb testing.TB, path string) ([]string, []audit.Entry) {
	tb.Helper()
	b, err := os.ReadFile(path)
	check(tb, err)
	return splitTrail(tb, b)
}

func splitTrail(tb testing.TB, b []byte) ([]string, []audit.Entry) {
	tb.Helper()
	if len(b) == 0 {
		return nil, nil
	}
	if b[len(b)-1] != '\n' {
		tb.Fatalf("trail does not end with a newline: ...%q", b[max(0, len(b)-80):])
	}
	lines := strings.Split(string(b[:len(b)-1]), "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			tb.Fatalf("line %d is blank", i+1)
		}
	}
	entries, err := audit.Read(bytes.NewReader(b))
	check(tb, err)
	if len(entries) != len(lines) {
		tb.Fatalf("%d entries for %d lines", len(entries), len(lines))
	}
	return lines, entries
}

// gateWriter blocks every Write until the gate is opened, telling entered
// each time a Write starts.
type gateWriter struct {
	entered chan struct{}
	gate    chan struct{}
	mu      sync.Mutex
	buf     bytes.Buffer
}

func newGateWriter() *gateWriter {
	return &gateWriter{entered: make(chan struct{}, 1<<20), gate: make(chan struct{})}
}

func (g *gateWriter) Write(p []byte) (int, error) {
	g.entered <- struct{}{}
	<-g.gate
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.buf.Write(p)
}

func (g *gateWriter) bytes() []byte {
	g.mu.Lock()
	defer g.mu.Unlock()
	return bytes.Clone(g.buf.Bytes())
}

// failWriter fails the writes whose number (from 1) is in fail, and
// writes the others to buf.
type failWriter struct {
	mu   sync.Mutex
	n    int
	fail func(n int) bool
	err  error
	buf  bytes.Buffer
}

func (f *failWriter) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	if f.fail(f.n) {
		return 0, f.err
	}
	return f.buf.Write(p)
}

func (f *failWriter) bytes() []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return bytes.Clone(f.buf.Bytes())
}

// funcHook is a hook from functions, for observing from the test.
type funcHook struct {
	core.NopHook
	before func(ctx context.Context, e core.Event) context.Context
	after  func(ctx context.Context, e core.Event, r core.Record)
}

func (h funcHook) BeforeMigrate(ctx context.Context, e core.Event) context.Context {
	if h.before != nil {
		return h.before(ctx, e)
	}
	return ctx
}

func (h funcHook) AfterMigrate(ctx context.Context, e core.Event, r core.Record) {
	if h.after != nil {
		h.after(ctx, e, r)
	}
}

// rejectHook is a validator that rejects every migration.
type rejectHook struct{ core.NopHook }

var errRejected = errors.New("rejected")

func (rejectHook) ValidateMigration(context.Context, core.Event, core.Record) error {
	return errRejected
}

func user(i int) core.Data {
	return core.Data{"id": i, "name": fmt.Sprintf("Ada Lovelace%d", i)}
}
