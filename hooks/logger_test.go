package hooks_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/hooks"
)

func TestLoggerRecords(t *testing.T) {
	c := newCapture(slog.LevelDebug)
	m := newTestManager(t, failOnError(t))
	m.AddHook(hooks.NewLogger(slog.New(c)))
	ctx := context.Background()

	if err := migrateUser(t, m, ctx, "Ada Lovelace"); err != nil {
		t.Fatal(err)
	}
	failErr := migrateUser(t, m, ctx, 42)
	if failErr == nil {
		t.Fatal("migration of a bad record succeeded")
	}
	recs := c.records()
	if len(recs) != 4 {
		t.Fatalf("got %d records, want 4: %+v", len(recs), recs)
	}
	want := []struct {
		level slog.Level
		msg   string
		keys  []string
	}{
		{slog.LevelDebug, "migration started", []string{"model", "from_version", "to_version", "steps"}},
		{slog.LevelInfo, "migration completed", []string{"model", "from_version", "to_version", "steps", "duration"}},
		{slog.LevelDebug, "migration started", []string{"model", "from_version", "to_version", "steps"}},
		{slog.LevelError, "migration failed", []string{"model", "from_version", "to_version", "steps", "duration", "error_type", "error_message"}},
	}
	for i, w := range want {
		r := recs[i]
		if r.level != w.level || r.msg != w.msg || !slices.Equal(r.keys, w.keys) {
			t.Errorf("record %d = %v %q %v, want %v %q %v", i, r.level, r.msg, r.keys, w.level, w.msg, w.keys)
		}
		if r.str("model") != "User" || r.str("from_version") != "1.0.0" || r.str("to_version") != "2.0.0" || r.attrs["steps"].Int64() != 1 {
			t.Errorf("record %d attributes = %v", i, r.attrs)
		}
		if d, ok := r.attrs["duration"]; ok && (d.Kind() != slog.KindDuration || d.Duration() <= 0) {
			t.Errorf("record %d duration = %v, want a positive duration", i, d)
		}
	}
	fail := recs[3]
	if got := fail.str("error_type"); got != "migration_function" {
		t.Errorf("error_type = %q, want migration_function", got)
	}
	if got := fail.str("error_message"); got != core.ErrorMessage(failErr, nil) {
		t.Errorf("error_message = %q, want %q", got, core.ErrorMessage(failErr, nil))
	}
}

// A failure with no path (an unknown version) has steps=0 and still a
// duration.
func TestLoggerFailureWithoutPath(t *testing.T) {
	c := newCapture(slog.LevelInfo)
	m := newTestManager(t, failOnError(t))
	m.AddHook(hooks.NewLogger(slog.New(c)))
	_, err := m.Migrate(context.Background(), core.Data{"name": "x"}, "User", "1.0.0", "9.0.0")
	if !errors.Is(err, core.ErrModelNotFound) {
		t.Fatalf("err = %v, want ErrModelNotFound", err)
	}
	recs := c.records()
	if len(recs) != 1 {
		t.Fatalf("got %d records, want 1", len(recs))
	}
	r := recs[0]
	if r.level != slog.LevelError || r.attrs["steps"].Int64() != 0 || r.str("error_type") != "model_not_found" || r.str("to_version") != "9.0.0" {
		t.Errorf("record = %v %v", r.level, r.attrs)
	}
	if _, ok := r.attrs["duration"]; !ok {
		t.Error("no duration")
	}
}

// Each migration's duration comes from its own Event.Start: an outer
// migration that encloses nested ones lasts at least as long as each of
// them, and the hook keeps no state between calls.
func TestLoggerNestedDurations(t *testing.T) {
	c := newCapture(slog.LevelInfo)
	m := newTestManager(t, failOnError(t))
	m.AddHook(hooks.NewLogger(slog.New(c)))
	slow := hooks.Funcs{Before: func(ctx context.Context, e core.Event) context.Context {
		if e.Model == "Item" {
			time.Sleep(2 * time.Millisecond) // makes the nested migrations measurably long
		}
		return ctx
	}}
	m.AddHook(slow)
	order := core.Data{"id": 1.0, "items": []any{map[string]any{"name": "a"}, map[string]any{"name": "b"}}}
	if _, err := m.Migrate(context.Background(), order, "Order", "1.0.0", "2.0.0"); err != nil {
		t.Fatal(err)
	}
	recs := c.records()
	var models []string
	for _, r := range recs {
		models = append(models, r.str("model"))
	}
	if !slices.Equal(models, []string{"Item", "Item", "Order"}) {
		t.Fatalf("completion records for %v, want [Item Item Order]", models)
	}
	items := recs[0].attrs["duration"].Duration() + recs[1].attrs["duration"].Duration()
	if outer := recs[2].attrs["duration"].Duration(); outer < items {
		t.Errorf("Order took %v, less than its two Items (%v)", outer, items)
	}
	for _, r := range recs[:2] {
		if d := r.attrs["duration"].Duration(); d < 2*time.Millisecond {
			t.Errorf("Item took %v, want at least the 2ms its hook slept", d)
		}
	}
}

func TestLoggerOptions(t *testing.T) {
	c := newCapture(slog.LevelDebug)
	m := newTestManager(t, failOnError(t))
	m.AddHook(hooks.NewLogger(slog.New(c), nil,
		hooks.WithLevels(slog.LevelInfo, slog.LevelWarn, slog.LevelError+4),
		hooks.WithMessages("go", "", "boom"),
		nil,
	))
	_ = migrateUser(t, m, context.Background(), "Ada")
	_ = migrateUser(t, m, context.Background(), 1)
	var got []string
	for _, r := range c.records() {
		got = append(got, fmt.Sprintf("%v %s", r.level, r.msg))
	}
	want := []string{"INFO go", "WARN migration completed", "INFO go", "ERROR+4 boom"}
	if !slices.Equal(got, want) {
		t.Errorf("records = %q, want %q", got, want)
	}
}

// A level that the handler does not enable is never handed to it.
func TestLoggerDisabledLevels(t *testing.T) {
	c := newCapture(slog.LevelError)
	m := newTestManager(t, failOnError(t))
	m.AddHook(hooks.NewLogger(slog.New(c)))
	for range 10 {
		_ = migrateUser(t, m, context.Background(), "Ada")
	}
	if recs := c.records(); len(recs) != 0 {
		t.Fatalf("got %d records at Error level for successful migrations", len(recs))
	}
	_ = migrateUser(t, m, context.Background(), 1)
	if recs := c.records(); len(recs) != 1 || recs[0].level != slog.LevelError {
		t.Fatalf("records = %+v, want one Error", recs)
	}
}

// At a disabled level the hook allocates nothing, whatever the ctx
// carries.
func TestLoggerDisabledAllocatesNothing(t *testing.T) {
	h := hooks.NewLogger(slog.New(slog.DiscardHandler))
	ctx := hooks.ContextWithAttrs(context.Background(), slog.String("request_id", "r-1"))
	e := core.Event{Model: "User", From: core.MustParseVersion("1.0.0"), To: core.MustParseVersion("2.0.0"),
		Path: []core.Version{core.MustParseVersion("1.0.0"), core.MustParseVersion("2.0.0")}, Start: time.Now()}
	err := errors.New("boom")
	allocs := testing.AllocsPerRun(100, func() {
		c := h.BeforeMigrate(ctx, e)
		h.AfterMigrate(c, e, core.Record{})
		h.OnError(c, e, err)
	})
	if allocs != 0 {
		t.Errorf("disabled logger: %v allocations per migration, want 0", allocs)
	}
}

func TestLoggerNilUsesDefault(t *testing.T) {
	old := slog.Default()
	t.Cleanup(func() { slog.SetDefault(old) })
	h := hooks.NewLogger(nil)
	m := newTestManager(t, failOnError(t))
	m.AddHook(h)

	c1 := newCapture(slog.LevelInfo)
	slog.SetDefault(slog.New(c1))
	_ = migrateUser(t, m, context.Background(), "Ada")
	c2 := newCapture(slog.LevelInfo)
	slog.SetDefault(slog.New(c2)) // taken at the time of each record
	_ = migrateUser(t, m, context.Background(), "Ada")
	if n1, n2 := len(c1.records()), len(c2.records()); n1 != 1 || n2 != 1 {
		t.Errorf("records: %d to the first default, %d to the second, want 1 and 1", n1, n2)
	}
}

type ctxKey string

// The records carry the ctx attributes after the hook's own, and the
// handler gets the migration's ctx (for a trace id, say).
func TestLoggerContextAttrs(t *testing.T) {
	c := newCapture(slog.LevelDebug)
	m := newTestManager(t, failOnError(t))
	m.AddHook(hooks.NewLogger(slog.New(c)))
	ctx := context.WithValue(context.Background(), ctxKey("trace"), "t-1")
	ctx = hooks.ContextWithAttrs(ctx, slog.String("user_id", "u-1"))
	ctx = hooks.ContextWithAttrs(ctx, slog.String("request_id", "r-1"), slog.Int("attempt", 2))
	_ = migrateUser(t, m, ctx, "Ada")
	_ = migrateUser(t, m, ctx, 3)
	recs := c.records()
	if len(recs) != 4 {
		t.Fatalf("got %d records, want 4", len(recs))
	}
	for i, r := range recs {
		n := len(r.keys)
		if n < 3 || !slices.Equal(r.keys[n-3:], []string{"user_id", "request_id", "attempt"}) {
			t.Errorf("record %d keys = %v, want the ctx attributes last", i, r.keys)
			continue
		}
		if r.str("user_id") != "u-1" || r.str("request_id") != "r-1" || r.attrs["attempt"].Int64() != 2 {
			t.Errorf("record %d attrs = %v", i, r.attrs)
		}
		if r.ctx.Value(ctxKey("trace")) != "t-1" {
			t.Errorf("record %d: the handler did not get the migration's ctx", i)
		}
	}
}

func TestWithAttrsNesting(t *testing.T) {
	bg := context.Background()
	if hooks.ContextWithAttrs(bg) != bg {
		t.Error("WithAttrs with no attributes made a new ctx")
	}
	if got := hooks.AttrsFromContext(bg); got != nil {
		t.Errorf("AttrsFromContext(Background) = %v", got)
	}
	base := hooks.ContextWithAttrs(bg, slog.String("a", "1"))
	// Siblings from the same parent must not see each other's attributes,
	// whatever capacity the parent's slice has.
	c1 := hooks.ContextWithAttrs(base, slog.String("b", "2"))
	c2 := hooks.ContextWithAttrs(base, slog.String("c", "3"))
	c3 := hooks.ContextWithAttrs(c1, slog.String("d", "4"), slog.String("e", "5"))
	keys := func(ctx context.Context) (ks []string) {
		for _, a := range hooks.AttrsFromContext(ctx) {
			ks = append(ks, a.Key)
		}
		return ks
	}
	for _, tc := range []struct {
		ctx  context.Context
		want []string
	}{
		{base, []string{"a"}},
		{c1, []string{"a", "b"}},
		{c2, []string{"a", "c"}},
		{c3, []string{"a", "b", "d", "e"}},
	} {
		if got := keys(tc.ctx); !slices.Equal(got, tc.want) {
			t.Errorf("attrs = %v, want %v", got, tc.want)
		}
	}
	// The same after several levels of nesting, when a slice grown by
	// appending would have room to spare.
	deep := hooks.ContextWithAttrs(hooks.ContextWithAttrs(hooks.ContextWithAttrs(bg, slog.Int("l1", 1)), slog.Int("l2", 2)), slog.Int("l3", 3))
	d1 := hooks.ContextWithAttrs(deep, slog.Int("x", 1))
	d2 := hooks.ContextWithAttrs(deep, slog.Int("y", 2))
	if k1, k2 := keys(d1), keys(d2); !slices.Equal(k1, []string{"l1", "l2", "l3", "x"}) || !slices.Equal(k2, []string{"l1", "l2", "l3", "y"}) {
		t.Errorf("siblings of a deep ctx: %v and %v", k1, k2)
	}
	// The caller's slice is not kept.
	mine := []slog.Attr{slog.String("m", "1")}
	own := hooks.ContextWithAttrs(bg, mine...)
	mine[0] = slog.String("changed", "1")
	if k := keys(own); !slices.Equal(k, []string{"m"}) {
		t.Errorf("changing the caller's slice changed the ctx: %v", k)
	}
	// AttrsFromContext returns a copy.
	got := hooks.AttrsFromContext(c1)
	got[0] = slog.String("x", "y")
	if k := keys(c1); !slices.Equal(k, []string{"a", "b"}) {
		t.Errorf("changing the returned slice changed the ctx: %v", k)
	}
}

// Under concurrency every migration's records carry its own attributes.
func TestLoggerConcurrent(t *testing.T) {
	const goroutines, per = 8, 300
	c := newCapture(slog.LevelDebug)
	m := newTestManager(t, failOnError(t))
	m.AddHook(hooks.NewLogger(slog.New(c)))
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range per {
				id := g*per + i
				ctx := hooks.ContextWithAttrs(context.Background(), slog.Int("id", id))
				var name any = fmt.Sprint("user ", id)
				if id%4 == 0 {
					name = id // fails
				}
				_ = migrateUser(t, m, ctx, name)
			}
		})
	}
	wg.Wait()
	seen := map[int64][]string{}
	for _, r := range c.records() {
		id := r.attrs["id"].Int64()
		seen[id] = append(seen[id], r.msg)
	}
	if len(seen) != goroutines*per {
		t.Fatalf("records for %d migrations, want %d", len(seen), goroutines*per)
	}
	for id, msgs := range seen {
		end := "migration completed"
		if id%4 == 0 {
			end = "migration failed"
		}
		if !slices.Equal(msgs, []string{"migration started", end}) {
			t.Fatalf("migration %d: records %q", id, msgs)
		}
	}
}

// The logged duration is the one the engine measured (Event.Elapsed).
func TestLoggerUsesTheEnginesElapsed(t *testing.T) {
	c := newCapture(slog.LevelInfo)
	l := hooks.NewLogger(slog.New(c))
	e := core.Event{Model: "User", From: core.MustParseVersion("1.0.0"), To: core.MustParseVersion("2.0.0"),
		Start: time.Now().Add(-time.Hour), Elapsed: 5 * time.Millisecond}
	l.AfterMigrate(l.BeforeMigrate(context.Background(), e), e, core.Record{})
	recs := c.records()
	if len(recs) != 1 || recs[0].attrs["duration"].Duration() != 5*time.Millisecond {
		t.Fatalf("records %+v, want one with duration 5ms", recs)
	}
}
