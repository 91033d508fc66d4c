package hooks

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/transmute-go/transmute/core"
)

// Rule is when [Alerting] raises an alert: Failures failed migrations
// within Window. Make one with [Threshold]; [NewAlerting] reads a Rule
// with Failures < 1 as 1 and a negative Window as none.
type Rule struct {
	Failures int
	Window   time.Duration
}

// Threshold returns the rule "n failures within window". A failure counts
// while less than window has passed since it happened; a window of 0 or
// less never forgets a failure. n < 1 means 1.
func Threshold(n int, window time.Duration) Rule {
	return Rule{Failures: max(n, 1), Window: max(window, 0)}
}

// Alert is what [Alerting] hands to its notify function.
type Alert struct {
	// Model is the model whose failures reached the threshold, with
	// [WithAlertPerModel]; it is "" when every model counts together.
	Model string
	// Failures failed migrations happened within Window (the rule's
	// numbers), the first of them at First, the last at Last.At.
	Failures int
	Window   time.Duration
	First    time.Time
	// Last is the failure that reached the threshold.
	Last Failure
	// Suppressed counts the failures at or above the threshold that did
	// not alert since the previous alert of the same Model, because of
	// the [WithAlertCooldown].
	Suppressed int
}

// Failure is one failed migration, as an [Alert] reports it.
type Failure struct {
	Model     string
	From, To  core.Version
	ErrorType string // core.ErrorType(Err)
	Err       error
	At        time.Time // by the hook's clock
}

// String describes the alert in one line, with the last error's
// value-free text ([core.ErrorMessage]): Err itself is the whole error.
func (a Alert) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d migration failures", a.Failures)
	if a.Window > 0 {
		fmt.Fprintf(&b, " within %s", a.Window)
	}
	if a.Model != "" {
		fmt.Fprintf(&b, " of model %q", a.Model)
	}
	if a.Suppressed > 0 {
		fmt.Fprintf(&b, " (%d more held back since the previous alert)", a.Suppressed)
	}
	fmt.Fprintf(&b, "; last: %s %s → %s: %s", a.Last.Model, a.Last.From, a.Last.To, a.Last.ErrorType)
	if a.Last.Err != nil {
		b.WriteString(": ")
		b.WriteString(core.ErrorMessage(a.Last.Err, nil))
	}
	return b.String()
}

// Alerting is the alerting hook: it counts failed migrations in a sliding
// window and raises an [Alert] when they reach a threshold. Successful
// migrations cost it nothing.
//
// Alerts are delivered off the migration path: OnError puts them in a
// bounded queue (see [WithAlertQueueSize]) that one goroutine, started with the
// first alert, hands to the notify function in order. A full queue drops
// the alert, counted by [Alerting.Dropped]; a migration never waits for
// a notification. [Alerting.Close] delivers what is queued and stops the
// goroutine.
//
// Memory is bounded: the hook keeps the times of the last Failures
// failures of each model (or of all of them), and forgets a model once
// its failures have left the window.
type Alerting struct {
	core.NopHook

	rule     Rule
	notify   func(context.Context, Alert)
	perModel bool
	cooldown time.Duration
	now      func() time.Time
	onPanic  func(error)

	mu      sync.Mutex
	keys    map[string]*alertState
	pruneAt int
	queue   chan queuedAlert
	started bool
	closed  bool
	done    chan struct{}
	dropped atomic.Int64
}

var _ core.Hook = (*Alerting)(nil)

type queuedAlert struct {
	ctx context.Context
	a   Alert
}

// alertState is the sliding window of one key: the times of its last
// (up to rule.Failures) failures, oldest first from head.
type alertState struct {
	times      []time.Time
	head       int
	count      int
	lastAlert  time.Time
	alerted    bool
	suppressed int
}

// NewAlerting returns a hook that calls notify when failed migrations
// reach rule. notify runs on the hook's own goroutine, one alert at a
// time, with the ctx of the migration that raised the alert, without its
// cancellation (its values, such as a trace, are kept); it should bound
// its own work with a timeout. Call [Alerting.Close] when the hook is no
// longer used. A nil notify panics.
func NewAlerting(rule Rule, notify func(ctx context.Context, a Alert), opts ...AlertingOption) *Alerting {
	if notify == nil {
		panic("hooks.NewAlerting: nil notify function")
	}
	cfg := alertingConfig{queue: 64, now: time.Now, onPanic: func(err error) {
		slog.Error("transmute: alert notification panicked", "error", err)
	}}
	for _, o := range opts {
		if o != nil {
			o.applyAlerting(&cfg)
		}
	}
	rule = Threshold(rule.Failures, rule.Window)
	return &Alerting{
		rule:     rule,
		notify:   notify,
		perModel: cfg.perModel,
		cooldown: cfg.cooldown,
		now:      cfg.now,
		onPanic:  cfg.onPanic,
		keys:     map[string]*alertState{},
		pruneAt:  64,
		queue:    make(chan queuedAlert, cfg.queue),
		done:     make(chan struct{}),
	}
}

// OnError counts the failure and, when the threshold is reached outside
// a cooldown, queues an alert.
func (h *Alerting) OnError(ctx context.Context, e core.Event, err error) {
	key := ""
	if h.perModel {
		key = e.Model
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.now()
	st := h.keys[key]
	if st == nil {
		h.prune(now)
		st = &alertState{}
		h.keys[key] = st
	}
	st.expire(now, h.rule.Window)
	st.push(now, h.rule.Failures)
	if st.count < h.rule.Failures {
		return
	}
	if h.cooldown > 0 && st.alerted && now.Sub(st.lastAlert) < h.cooldown {
		st.suppressed++
		return
	}
	a := Alert{
		Model:      key,
		Failures:   st.count,
		Window:     h.rule.Window,
		First:      st.times[st.head],
		Suppressed: st.suppressed,
		Last: Failure{
			Model: e.Model, From: e.From, To: e.To,
			ErrorType: core.ErrorType(err), Err: err, At: now,
		},
	}
	st.alerted, st.lastAlert, st.suppressed = true, now, 0
	h.enqueue(queuedAlert{ctx: context.WithoutCancel(ctx), a: a})
}

// expire forgets the failures that left the window.
func (st *alertState) expire(now time.Time, window time.Duration) {
	if window <= 0 {
		return
	}
	for st.count > 0 && now.Sub(st.times[st.head]) >= window {
		st.head = (st.head + 1) % len(st.times)
		st.count--
	}
}

// push records a failure, keeping the last n. The ring grows up to n as
// failures come, so a large threshold costs memory only when reached.
func (st *alertState) push(now time.Time, n int) {
	if st.count == len(st.times) {
		if len(st.times) == n { // full: the oldest gives way
			st.times[st.head] = now
			st.head = (st.head + 1) % n
			return
		}
		grown := make([]time.Time, min(max(2*len(st.times), 4), n))
		k := copy(grown, st.times[st.head:])
		copy(grown[k:], st.times[:st.head])
		st.times, st.head = grown, 0
	}
	st.times[(st.head+st.count)%len(st.times)] = now
	st.count++
}

// idle reports whether the state holds nothing that matters any more.
func (st *alertState) idle(now time.Time, window, cooldown time.Duration) bool {
	if window <= 0 {
		return false
	}
	st.expire(now, window)
	return st.count == 0 && (!st.alerted || now.Sub(st.lastAlert) >= cooldown)
}

// prune forgets idle keys once there are many, so that a stream of
// unknown model names cannot grow the map without bound. h.mu is held.
func (h *Alerting) prune(now time.Time) {
	if len(h.keys) < h.pruneAt {
		return
	}
	for k, st := range h.keys {
		if st.idle(now, h.rule.Window, h.cooldown) {
			delete(h.keys, k)
		}
	}
	h.pruneAt = max(64, 2*len(h.keys))
}

// enqueue hands q to the delivery goroutine without waiting. h.mu is
// held, so Close cannot close the queue under it.
func (h *Alerting) enqueue(q queuedAlert) {
	if h.closed {
		h.dropped.Add(1)
		return
	}
	if !h.started {
		h.started = true
		go h.deliverAll()
	}
	select {
	case h.queue <- q:
	default:
		h.dropped.Add(1)
	}
}

func (h *Alerting) deliverAll() {
	defer close(h.done)
	for q := range h.queue {
		h.deliver(q)
	}
}

func (h *Alerting) deliver(q queuedAlert) {
	defer func() {
		if r := recover(); r != nil {
			h.report(&core.PanicError{Value: r, Stack: debug.Stack()})
		}
	}()
	h.notify(q.ctx, q.a)
}

func (h *Alerting) report(err error) {
	defer func() { _ = recover() }() // a panicking handler must not stop delivery
	h.onPanic(err)
}

// Dropped returns the number of alerts that were not delivered: raised
// while the queue was full, or after Close.
func (h *Alerting) Dropped() int64 { return h.dropped.Load() }

// Close delivers the alerts already queued, stops the delivery goroutine
// and returns once it has stopped (so it waits for the notify function; do
// not call it from there). Failures after Close are still counted, and
// their alerts dropped. Close is safe to call more than once; it returns
// nil.
func (h *Alerting) Close() error {
	h.mu.Lock()
	if !h.closed {
		h.closed = true
		close(h.queue)
	}
	started := h.started
	h.mu.Unlock()
	if started {
		<-h.done
	}
	return nil
}
