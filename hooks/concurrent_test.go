package hooks_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/hooks"
)

// Every hook of the package on one manager, 8 goroutines at once: exact
// totals everywhere.
func TestAllHooksConcurrent(t *testing.T) {
	const goroutines, per = 8, 2000
	total := goroutines * per
	errRejected := errors.New("rejected")

	logs := newCapture(slog.LevelInfo)
	var delivered atomic.Int64
	alerts := hooks.NewAlerting(hooks.Threshold(1, 0), func(context.Context, hooks.Alert) { delivered.Add(1) },
		hooks.WithAlertQueueSize(total))
	inner := &pairing{}
	var afters, errs atomic.Int64
	m := newTestManager(t, failOnError(t))
	m.AddHook(
		hooks.NewLogger(slog.New(logs)),
		alerts,
		hooks.Filter(inner, func(_ context.Context, e core.Event) bool { return e.Data.Value("id").(int)%5 == 0 }),
		hooks.Validate(func(_ context.Context, e core.Event, _ core.Record) error {
			if e.Data.Value("id").(int)%7 == 0 {
				return errRejected
			}
			return nil
		}),
		hooks.Funcs{
			After: func(context.Context, core.Event, core.Record) { afters.Add(1) },
			Error: func(context.Context, core.Event, error) { errs.Add(1) },
		},
	)
	var gotErrs atomic.Int64
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range per {
				id := g*per + i
				var name any = fmt.Sprint("user ", id)
				if id%2 == 1 {
					name = id
				}
				_, err := m.Migrate(context.Background(), core.Data{"id": id, "name": name}, "User", "1.0.0", "2.0.0")
				if err != nil {
					gotErrs.Add(1)
				}
				if wantRejected := id%2 == 0 && id%7 == 0; wantRejected != errors.Is(err, errRejected) {
					t.Errorf("migration %d: %v", id, err)
				}
			}
		})
	}
	wg.Wait()
	if err := alerts.Close(); err != nil {
		t.Fatal(err)
	}

	var failures, chosen, chosenFailures int64
	for id := range total {
		fails := id%2 == 1 || id%7 == 0
		if fails {
			failures++
		}
		if id%5 == 0 {
			chosen++
			if fails {
				chosenFailures++
			}
		}
	}
	if gotErrs.Load() != failures || errs.Load() != failures || afters.Load() != int64(total)-failures {
		t.Errorf("errors: returned %d, hook %d; successes %d; want %d failures of %d", gotErrs.Load(), errs.Load(), afters.Load(), failures, total)
	}
	var completed, failed int64
	for _, r := range logs.records() {
		switch r.msg {
		case "migration completed":
			completed++
		case "migration failed":
			failed++
		}
	}
	if completed != int64(total)-failures || failed != failures {
		t.Errorf("logged %d completed and %d failed, want %d and %d", completed, failed, int64(total)-failures, failures)
	}
	if delivered.Load() != failures || alerts.Dropped() != 0 {
		t.Errorf("alerts: %d delivered, %d dropped; want %d and 0", delivered.Load(), alerts.Dropped(), failures)
	}
	if inner.before.Load() != chosen || inner.after.Load()+inner.errs.Load() != chosen || inner.errs.Load() != chosenFailures || inner.broken() != nil {
		t.Errorf("When inner: %d before, %d after, %d errors, pairing %v; want %d, %d errors",
			inner.before.Load(), inner.after.Load(), inner.errs.Load(), inner.broken(), chosen, chosenFailures)
	}
}
