package allhooks_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/transmute-go/transmute/audit"
	"github.com/transmute-go/transmute/composite"
	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/hooks"
	"github.com/transmute-go/transmute/metricshook"
	"github.com/transmute-go/transmute/sampling"
)

type itemV1 struct {
	ID   float64 `json:"id"`
	Name string  `json:"name"`
}

type itemV2 struct {
	ID    float64 `json:"id"`
	Title string  `json:"title"`
	Tag   string  `json:"tag" default:"\"none\""`
}

var errOdd = errors.New("rejected by the migration function")

func newManager(t *testing.T) *core.Manager {
	t.Helper()
	m := core.NewManager(core.WithErrorHandler(func(err error) { t.Errorf("error handler: %v", err) }))
	for _, err := range []error{
		core.Register[itemV1](m, "Item", "1.0.0"),
		core.Register[itemV2](m, "Item", "2.0.0"),
		m.RegisterMigration("Item", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
			if d["name"] == "fail" {
				return nil, errOdd
			}
			d["title"] = d["name"]
			delete(d, "name")
			return d, nil
		}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// counter is the sampler's inner hook: it counts what it is forwarded and
// checks that every Before gets exactly one After or OnError.
type counter struct {
	before, after, failed atomic.Int64
}

type counted struct{}

func (c *counter) BeforeMigrate(ctx context.Context, _ core.Event) context.Context {
	c.before.Add(1)
	return context.WithValue(ctx, counted{}, c)
}

func (c *counter) AfterMigrate(ctx context.Context, _ core.Event, _ core.Record) {
	if ctx.Value(counted{}) != c {
		panic("AfterMigrate without the ctx of BeforeMigrate")
	}
	c.after.Add(1)
}

func (c *counter) OnError(ctx context.Context, _ core.Event, _ error) {
	if ctx.Value(counted{}) != c {
		panic("OnError without the ctx of BeforeMigrate")
	}
	c.failed.Add(1)
}

// TestEveryHookTogether: 8 goroutines × 10k migrations through a composite
// of metricshook, sampling, audit and alerting. Totals are exact, the
// audit trail has exactly one whole line per migration, every alert is
// delivered or counted as dropped, and the caller's input is untouched.
func TestEveryHookTogether(t *testing.T) {
	const goroutines, each = 8, 10_000
	total := goroutines * each
	failEvery := 7 // every 7th record fails in its migration function
	invalidEvery := 11

	m := newManager(t)
	metrics := metricshook.New()
	inner := &counter{}
	sampler := sampling.New(inner, sampling.WithRatio(0.25), sampling.WithKeepErrors())
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	trail, err := audit.Open(path, audit.WithErrorHandler(func(err error) { t.Errorf("audit: %v", err) }))
	if err != nil {
		t.Fatal(err)
	}
	var notified atomic.Int64
	alerting := hooks.NewAlerting(hooks.Threshold(1, time.Hour), func(context.Context, hooks.Alert) {
		notified.Add(1)
	})
	all := composite.New([]core.Hook{metrics, sampler, trail, alerting},
		composite.WithErrorHandler(func(err error) { t.Errorf("composite: %v", err) }))
	m.AddHook(all)

	var wantFail, wantInvalid atomic.Int64
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			ctx := context.Background()
			for i := range each {
				n := g*each + i
				in := core.Data{"id": float64(n), "name": "item"}
				switch {
				case n%failEvery == 0:
					in["name"] = "fail"
					wantFail.Add(1)
				case n%invalidEvery == 0:
					in["id"] = "not a number" // fails validation at 2.0.0
					wantInvalid.Add(1)
				}
				before, _ := core.Copy(in)
				out, err := m.Migrate(ctx, in, "Item", "1.0.0", "2.0.0")
				if !reflect.DeepEqual(in, before) {
					t.Errorf("input %d modified: %v", n, in)
				}
				switch {
				case n%failEvery == 0:
					if !errors.Is(err, errOdd) {
						t.Errorf("record %d: err %v, want %v", n, err, errOdd)
					}
				case n%invalidEvery == 0:
					if !errors.Is(err, core.ErrValidation) {
						t.Errorf("record %d: err %v, want a validation error", n, err)
					}
				case err != nil || out["title"] != "item" || out["id"] != float64(n):
					t.Errorf("record %d: %v %v", n, out, err)
				}
			}
		})
	}
	wg.Wait()
	if err := trail.Close(); err != nil {
		t.Fatal(err)
	}
	if err := alerting.Close(); err != nil {
		t.Fatal(err)
	}
	failures := wantFail.Load() + wantInvalid.Load()

	// metricshook: exact totals.
	if got := metrics.Total(); got != int64(total) {
		t.Errorf("metrics total %d, want %d", got, total)
	}
	if got := metrics.Errors(); got != failures {
		t.Errorf("metrics errors %d, want %d", got, failures)
	}
	if got := metrics.ByModel()["Item"]; got != int64(total) {
		t.Errorf("metrics by model %d, want %d", got, total)
	}

	// sampling: every migration seen; inner sees pairs, and every error
	// (KeepErrors) whether sampled or not.
	if got := sampler.Seen(); got != int64(total) {
		t.Errorf("sampler seen %d, want %d", got, total)
	}
	if b, a, f := inner.before.Load(), inner.after.Load(), inner.failed.Load(); b != a+f {
		t.Errorf("inner: %d before, %d after + %d errors", b, a, f)
	}
	if got := inner.failed.Load(); got != failures {
		t.Errorf("inner saw %d errors, want all %d (KeepErrors)", got, failures)
	}
	if got, want := float64(sampler.Sampled())/float64(total), 0.25; got < want-0.02 || got > want+0.02 {
		t.Errorf("sampled ratio %.3f, want %.2f±0.02", got, want)
	}

	// audit: exactly one whole, parseable line per migration.
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, err := audit.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != total {
		t.Fatalf("%d audit lines, want %d", len(entries), total)
	}
	var errLines int64
	for _, e := range entries {
		if e.Status == audit.StatusError {
			errLines++
		}
		if e.Model != "Item" || e.From != core.MustParseVersion("1.0.0") || e.To != core.MustParseVersion("2.0.0") {
			t.Fatalf("bad entry %+v", e)
		}
	}
	if errLines != failures {
		t.Errorf("%d error lines, want %d", errLines, failures)
	}
	if trail.Dropped() != 0 {
		t.Errorf("audit dropped %d lines", trail.Dropped())
	}

	// alerting: threshold 1 alerts on every failure; each alert is either
	// delivered or counted as dropped, never lost.
	if got := notified.Load() + alerting.Dropped(); got != failures {
		t.Errorf("alerts delivered %d + dropped %d = %d, want %d", notified.Load(), alerting.Dropped(), got, failures)
	}
}
