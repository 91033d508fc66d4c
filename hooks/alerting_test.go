package hooks_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/hooks"
	"github.com/transmute-go/transmute/transmutetest"
)

// alertLog collects the alerts an Alerting hook delivers.
type alertLog struct {
	mu     sync.Mutex
	alerts []hooks.Alert
}

func (l *alertLog) notify(_ context.Context, a hooks.Alert) {
	l.mu.Lock()
	l.alerts = append(l.alerts, a)
	l.mu.Unlock()
}

func (l *alertLog) all() []hooks.Alert {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.alerts)
}

// alertRig is an Alerting hook on a manager, with a fake clock.
type alertRig struct {
	t     *testing.T
	m     *core.Manager
	clock *transmutetest.Clock
	start time.Time
	log   *alertLog
	hook  *hooks.Alerting
}

func newAlertRig(t *testing.T, rule hooks.Rule, opts ...hooks.AlertingOption) *alertRig {
	r := &alertRig{t: t, m: newTestManager(t, failOnError(t)), clock: transmutetest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)), log: &alertLog{}}
	r.start = r.clock.Now()
	r.hook = hooks.NewAlerting(rule, r.log.notify, append([]hooks.AlertingOption{hooks.WithAlertClock(r.clock.Now)}, opts...)...)
	t.Cleanup(func() { _ = r.hook.Close() })
	r.m.AddHook(r.hook)
	return r
}

// fail runs a failing migration of model at start+at.
func (r *alertRig) fail(model string, at time.Duration) {
	r.t.Helper()
	r.clock.Set(r.start.Add(at))
	if _, err := r.m.Migrate(context.Background(), core.Data{"name": 0}, model, "1.0.0", "2.0.0"); err == nil {
		r.t.Fatal("a failing migration succeeded")
	}
}

func (r *alertRig) succeed(at time.Duration) {
	r.t.Helper()
	r.clock.Set(r.start.Add(at))
	if err := migrateUser(r.t, r.m, context.Background(), "Ada"); err != nil {
		r.t.Fatal(err)
	}
}

// closeAndGet delivers what is queued and returns every alert.
func (r *alertRig) closeAndGet() []hooks.Alert {
	r.t.Helper()
	if err := r.hook.Close(); err != nil {
		r.t.Fatal(err)
	}
	return r.log.all()
}

// times returns when each alert was raised and when its first failure
// happened, as offsets from the start.
func (r *alertRig) times(alerts []hooks.Alert) (at, first []time.Duration) {
	for _, a := range alerts {
		at = append(at, a.Last.At.Sub(r.start))
		first = append(first, a.First.Sub(r.start))
	}
	return at, first
}

func TestAlertingThresholdAndWindow(t *testing.T) {
	r := newAlertRig(t, hooks.Threshold(3, time.Minute))
	for _, at := range []time.Duration{0, 10 * time.Second, 20 * time.Second} {
		r.fail("User", at) // the third one alerts
	}
	r.fail("User", 90*time.Second)  // the first three have left the window
	r.fail("User", 100*time.Second) // two within the window
	r.fail("User", 149*time.Second) // 90s, 100s, 149s: alerts
	r.fail("User", 150*time.Second) // 90s is exactly one window old: out; 100s, 149s, 150s: alerts
	alerts := r.closeAndGet()
	at, first := r.times(alerts)
	s := time.Second
	if want := []time.Duration{20 * s, 149 * s, 150 * s}; !slices.Equal(at, want) {
		t.Errorf("alerts at %v, want %v", at, want)
	}
	if want := []time.Duration{0, 90 * s, 100 * s}; !slices.Equal(first, want) {
		t.Errorf("first failures at %v, want %v", first, want)
	}
	for _, a := range alerts {
		if a.Failures != 3 || a.Window != time.Minute || a.Model != "" || a.Suppressed != 0 {
			t.Errorf("alert = %+v", a)
		}
		if a.Last.Model != "User" || a.Last.From.String() != "1.0.0" || a.Last.To.String() != "2.0.0" ||
			a.Last.ErrorType != "migration_function" || !errors.Is(a.Last.Err, errNotString) {
			t.Errorf("last failure = %+v", a.Last)
		}
	}
}

// A failure exactly one window old no longer counts.
func TestAlertingWindowBoundary(t *testing.T) {
	r := newAlertRig(t, hooks.Threshold(3, time.Minute))
	r.fail("User", 0)
	r.fail("User", 30*time.Second)
	r.fail("User", 60*time.Second) // the first one has just left the window
	r.fail("User", 89*time.Second) // 30s, 60s, 89s: alerts
	at, _ := r.times(r.closeAndGet())
	if !slices.Equal(at, []time.Duration{89 * time.Second}) {
		t.Errorf("alerts at %v, want one at 1m29s", at)
	}
}

// Successful migrations neither count nor reset the window.
func TestAlertingIgnoresSuccess(t *testing.T) {
	r := newAlertRig(t, hooks.Threshold(2, time.Minute))
	r.fail("User", 0)
	for i := range 50 {
		r.succeed(time.Duration(i) * time.Millisecond)
	}
	r.fail("User", time.Second)
	if alerts := r.closeAndGet(); len(alerts) != 1 {
		t.Fatalf("got %d alerts, want 1", len(alerts))
	}
}

func TestAlertingCooldown(t *testing.T) {
	s := time.Second
	r := newAlertRig(t, hooks.Threshold(2, time.Minute), hooks.WithAlertCooldown(5*time.Minute))
	r.fail("User", 0)
	r.fail("User", 1*s) // alerts
	r.fail("User", 2*s) // held back
	r.fail("User", 3*s) // held back
	r.fail("User", 4*s) // held back
	r.fail("User", 299*s)
	r.fail("User", 300*s) // threshold reached, still in the cooldown: held back
	r.fail("User", 301*s) // the cooldown is over: alerts
	alerts := r.closeAndGet()
	at, _ := r.times(alerts)
	if want := []time.Duration{1 * s, 301 * s}; !slices.Equal(at, want) {
		t.Fatalf("alerts at %v, want %v", at, want)
	}
	if alerts[0].Suppressed != 0 || alerts[1].Suppressed != 4 {
		t.Errorf("suppressed = %d, %d; want 0, 4", alerts[0].Suppressed, alerts[1].Suppressed)
	}
}

func TestAlertingPerModel(t *testing.T) {
	s := time.Second
	sequence := func(r *alertRig) {
		r.fail("User", 0)
		r.fail("Account", 1*s)
		r.fail("User", 2*s)
		r.fail("Account", 3*s)
		r.fail("User", 4*s)
	}
	type got struct {
		model string
		at    time.Duration
	}
	for _, tc := range []struct {
		name string
		opts []hooks.AlertingOption
		want []got
	}{
		{"together", nil, []got{{"", 1 * s}, {"", 2 * s}, {"", 3 * s}, {"", 4 * s}}},
		{"per model", []hooks.AlertingOption{hooks.WithAlertPerModel()}, []got{{"User", 2 * s}, {"Account", 3 * s}, {"User", 4 * s}}},
		// Each model has its own cooldown.
		{"per model with cooldown", []hooks.AlertingOption{hooks.WithAlertPerModel(), hooks.WithAlertCooldown(time.Hour)}, []got{{"User", 2 * s}, {"Account", 3 * s}}},
		{"together with cooldown", []hooks.AlertingOption{hooks.WithAlertCooldown(time.Hour)}, []got{{"", 1 * s}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newAlertRig(t, hooks.Threshold(2, time.Minute), tc.opts...)
			sequence(r)
			var gots []got
			for _, a := range r.closeAndGet() {
				gots = append(gots, got{a.Model, a.Last.At.Sub(r.start)})
				if a.Model != "" && a.Last.Model != a.Model {
					t.Errorf("alert for %q reports a failure of %q", a.Model, a.Last.Model)
				}
			}
			if !slices.Equal(gots, tc.want) {
				t.Errorf("alerts %v, want %v", gots, tc.want)
			}
		})
	}
}

// The hook keeps only the last n failure times, in a ring that grows as
// needed; failures that leave the window in the middle of the ring must
// not be lost when it grows.
func TestAlertingRingGrowth(t *testing.T) {
	const ms = time.Millisecond
	r := newAlertRig(t, hooks.Threshold(10, 10*time.Second))
	for _, at := range []time.Duration{0, 1000 * ms, 2000 * ms, 3000 * ms} {
		r.fail("User", at)
	}
	// At 11s the failures at 0s and 1s leave the window; 2s and 3s stay.
	for i := range 8 {
		r.fail("User", 11000*ms+time.Duration(i)*100*ms)
	}
	alerts := r.closeAndGet()
	at, first := r.times(alerts)
	// The 10th failure within the window is the 8th of the last run
	// (2s, 3s and 11.0s … 11.7s).
	if !slices.Equal(at, []time.Duration{11700 * ms}) || !slices.Equal(first, []time.Duration{2000 * ms}) {
		t.Errorf("alerts at %v (first failures at %v), want one at 11.7s from 2s", at, first)
	}
}

// With no window, failures are never forgotten.
func TestAlertingNoWindow(t *testing.T) {
	r := newAlertRig(t, hooks.Threshold(2, 0))
	r.fail("User", 0)
	r.fail("User", 1000*time.Hour)
	if alerts := r.closeAndGet(); len(alerts) != 1 || alerts[0].Window != 0 {
		t.Fatalf("alerts = %+v, want one with no window", alerts)
	}
}

// A notify that blocks forever never holds up a migration: alerts beyond
// the queue are dropped and counted, and none is lost uncounted.
func TestAlertingNotifyNeverBlocks(t *testing.T) {
	const goroutines, per = 8, 25
	release := make(chan struct{})
	var mu sync.Mutex
	delivered := 0
	notify := func(context.Context, hooks.Alert) {
		<-release
		mu.Lock()
		delivered++
		mu.Unlock()
	}
	h := hooks.NewAlerting(hooks.Threshold(1, time.Hour), notify, hooks.WithAlertQueueSize(2))
	m := newTestManager(t, failOnError(t))
	m.AddHook(h)

	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var wg sync.WaitGroup
		for range goroutines {
			wg.Go(func() {
				for range per {
					_ = migrateUser(t, m, context.Background(), 0)
				}
			})
		}
		wg.Wait()
	}()
	select {
	case <-finished:
	case <-time.After(30 * time.Second): // a deadlock guard, not a timing
		t.Fatal("migrations did not finish while notify was blocked")
	}
	total := goroutines * per
	// One alert is in notify (or still queued), at most two more queued.
	if d := h.Dropped(); d < int64(total-3) {
		t.Errorf("dropped %d alerts, want at least %d", d, total-3)
	}
	close(release)
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if got := int64(delivered) + h.Dropped(); got != int64(total) {
		t.Errorf("delivered %d + dropped %d = %d, want every one of the %d alerts", delivered, h.Dropped(), got, total)
	}
}

// Close delivers every queued alert before it returns; later alerts are
// dropped and counted, and a second Close is harmless.
func TestAlertingClose(t *testing.T) {
	gate := make(chan struct{})
	log := &alertLog{}
	notify := func(ctx context.Context, a hooks.Alert) {
		<-gate
		log.notify(ctx, a)
	}
	h := hooks.NewAlerting(hooks.Threshold(1, time.Hour), notify, hooks.WithAlertQueueSize(10))
	m := newTestManager(t, failOnError(t))
	m.AddHook(h)
	for range 5 {
		_ = migrateUser(t, m, context.Background(), 0)
	}
	closed := make(chan error)
	go func() { closed <- h.Close() }()
	close(gate)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if n := len(log.all()); n != 5 {
		t.Fatalf("Close returned with %d of 5 alerts delivered", n)
	}
	if h.Dropped() != 0 {
		t.Errorf("dropped %d before Close", h.Dropped())
	}
	_ = migrateUser(t, m, context.Background(), 0)
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if n, d := len(log.all()), h.Dropped(); n != 5 || d != 1 {
		t.Errorf("after Close: %d delivered, %d dropped; want 5 and 1", n, d)
	}
}

// Close of a hook that never alerted returns at once.
func TestAlertingCloseUnused(t *testing.T) {
	h := hooks.NewAlerting(hooks.Threshold(1, time.Hour), func(context.Context, hooks.Alert) { t.Error("notified") })
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
}

// A panicking notify is reported, and the next alerts are delivered.
func TestAlertingNotifyPanic(t *testing.T) {
	var reported []error
	log := &alertLog{}
	calls := 0
	notify := func(ctx context.Context, a hooks.Alert) {
		calls++ // only the delivery goroutine calls notify
		if calls == 1 {
			panic("notifier down")
		}
		log.notify(ctx, a)
	}
	h := hooks.NewAlerting(hooks.Threshold(1, time.Hour), notify,
		hooks.WithAlertErrorHandler(func(err error) { reported = append(reported, err) }), nil)
	m := newTestManager(t, failOnError(t))
	m.AddHook(h)
	for range 3 {
		_ = migrateUser(t, m, context.Background(), 0)
	}
	_ = h.Close()
	if len(log.all()) != 2 {
		t.Errorf("delivered %d alerts after the panic, want 2", len(log.all()))
	}
	var pe *core.PanicError
	if len(reported) != 1 || !errors.As(reported[0], &pe) || pe.Value != "notifier down" {
		t.Errorf("reported %v, want one *core.PanicError", reported)
	}
}

// notify gets the values of the migration's ctx, but not its
// cancellation.
func TestAlertingNotifyContext(t *testing.T) {
	type got struct {
		value any
		err   error
	}
	ch := make(chan got, 1)
	gate := make(chan struct{})
	h := hooks.NewAlerting(hooks.Threshold(1, time.Hour), func(ctx context.Context, _ hooks.Alert) {
		<-gate
		ch <- got{ctx.Value(ctxKey("request")), ctx.Err()}
	})
	m := newTestManager(t, failOnError(t))
	m.AddHook(h)
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey("request"), "r-7"))
	_ = migrateUser(t, m, ctx, 0)
	cancel() // the request is over before the alert goes out
	close(gate)
	_ = h.Close()
	g := <-ch
	if g.value != "r-7" || g.err != nil {
		t.Errorf("notify ctx: value %v, err %v; want r-7 and no error", g.value, g.err)
	}
}

func TestAlertString(t *testing.T) {
	last := hooks.Failure{Model: "User", From: core.MustParseVersion("1.0.0"), To: core.MustParseVersion("2.0.0"),
		ErrorType: "validation", Err: errors.New("bad email")}
	for _, tc := range []struct {
		a    hooks.Alert
		want string
	}{
		{hooks.Alert{Failures: 3, Window: time.Hour, Last: last},
			"3 migration failures within 1h0m0s; last: User 1.0.0 → 2.0.0: validation: (error text withheld)"},
		{hooks.Alert{Model: "User", Failures: 5, Suppressed: 12, Last: last},
			`5 migration failures of model "User" (12 more held back since the previous alert); last: User 1.0.0 → 2.0.0: validation: (error text withheld)`},
	} {
		if got := tc.a.String(); got != tc.want {
			t.Errorf("String() = %q\nwant        %q", got, tc.want)
		}
	}
}

func TestThresholdBounds(t *testing.T) {
	if r := hooks.Threshold(0, -time.Second); r.Failures != 1 || r.Window != 0 {
		t.Errorf("Threshold(0, -1s) = %+v, want {1 0}", r)
	}
	defer func() {
		if recover() == nil {
			t.Error("NewAlerting with a nil notify did not panic")
		}
	}()
	hooks.NewAlerting(hooks.Threshold(1, 0), nil)
}

// Alerts keep their order: with n = 1 each failure alerts once, in the
// order the failures happened.
func TestAlertingOrder(t *testing.T) {
	r := newAlertRig(t, hooks.Threshold(1, time.Minute), hooks.WithAlertQueueSize(100))
	for i := range 20 {
		r.fail("User", time.Duration(i)*time.Second)
	}
	at, _ := r.times(r.closeAndGet())
	if len(at) != 20 || !slices.IsSorted(at) {
		t.Errorf("alerts at %v, want 20 in order", at)
	}
	if fmt.Sprint(at[:3]) != "[0s 1s 2s]" {
		t.Errorf("first alerts at %v", at[:3])
	}
}
