package metricshook

import (
	"context"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/transmute-go/transmute/core"
)

// Hook counts migrations and times them per transition. Create it with
// [New] and add it to a manager (or a composite); it is safe for concurrent
// use, and its methods may be called while migrations run.
type Hook struct {
	epoch time.Time             // monotonic origin of the period offsets
	state atomic.Pointer[state] // the current counting period
	mu    sync.Mutex            // serialises writers of state: new transitions, Reset
	// stripes are the indexes of the per-processor shards of contended
	// transitions and caches: a sync.Pool hands each P (mostly) the same
	// one, so its shard stays in that P's cache.
	stripes []int
	pool    sync.Pool // of *int
	next    atomic.Uint32
	// lookup's caches of the transition last found: last, shared, until
	// two processors are seen replacing it at once (mixed); then one per
	// stripe.
	mixed  atomic.Bool
	caches []stripeCache
	_      [64]byte // last on a line of its own: it may be written often
	last   atomic.Pointer[transition]
	_      [56]byte
}

// stripeCache is one stripe's cache of the transition last found.
type stripeCache struct {
	last atomic.Pointer[transition]
	_    [56]byte
}

var _ core.Hook = (*Hook)(nil)

// New returns a hook with nothing counted.
func New() *Hook {
	n := 1
	for n < min(max(runtime.GOMAXPROCS(0), runtime.NumCPU()), maxShards) {
		n *= 2
	}
	h := &Hook{epoch: time.Now(), stripes: make([]int, n), caches: make([]stripeCache, n)}
	for i := range h.stripes {
		h.stripes[i] = i
	}
	h.pool.New = func() any { return &h.stripes[int(h.next.Add(1)-1)%len(h.stripes)] }
	st := &state{trans: map[key]*transition{}}
	st.since.Store(math.MinInt64)
	h.state.Store(st)
	return h
}

type startKey struct{}

// BeforeMigrate counts the migration as started. It returns ctx itself,
// unless e.Start is zero (a caller that invokes the hook by hand), in which
// case the start time is put in the returned ctx.
func (h *Hook) BeforeMigrate(ctx context.Context, e core.Event) context.Context {
	start := e.Start
	if start.IsZero() {
		start = time.Now()
		if ctx == nil {
			ctx = context.Background()
		}
		ctx = context.WithValue(ctx, startKey{}, start)
	}
	if t := h.lookup(&e, start); t != nil {
		h.count(t, (*shard).startedCounter)
	}
	return ctx
}

// AfterMigrate records the migration's duration (e.Elapsed, or the time
// since its start when that is zero) under its transition.
func (h *Hook) AfterMigrate(ctx context.Context, e core.Event, _ core.Record) {
	start, ok := startOf(ctx, &e)
	if !ok {
		return // BeforeMigrate never saw this migration: nothing to time
	}
	d := int64(e.Elapsed)
	if d == 0 {
		d = int64(time.Since(start)) // called by hand, not by the engine
	}
	if t := h.lookup(&e, start); t != nil {
		if !t.striped.Load() {
			t.base.observe(d)
			return
		}
		s := h.stripe()
		t.shard(*s).observe(d)
		h.release(s)
	}
}

// OnError counts the migration as failed. Every failure counts, a
// validation failure included.
func (h *Hook) OnError(ctx context.Context, e core.Event, _ error) {
	start, ok := startOf(ctx, &e)
	if !ok {
		start = time.Now() // unknown: count the error in the current period
	}
	if t := h.lookup(&e, start); t != nil {
		h.count(t, (*shard).errorsCounter)
	}
}

// startOf returns when the migration started: e.Start, or the time that
// BeforeMigrate put in ctx.
func startOf(ctx context.Context, e *core.Event) (time.Time, bool) {
	if !e.Start.IsZero() {
		return e.Start, true
	}
	if ctx == nil {
		return time.Time{}, false
	}
	t, ok := ctx.Value(startKey{}).(time.Time)
	return t, ok
}

// count adds one to the counter of t that which picks: in its base shard
// while no other processor has been seen updating it at the same time
// (a compare-and-swap that fails), then in this processor's shard.
func (h *Hook) count(t *transition, which func(*shard) *atomic.Int64) {
	if !t.striped.Load() {
		c := which(&t.base)
		if n := c.Load(); c.CompareAndSwap(n, n+1) {
			return
		}
		t.striped.Store(true)
	}
	s := h.stripe()
	which(t.shard(*s)).Add(1)
	h.release(s)
}

// stripe returns this processor's shard index (usually the same one each
// time on a given P); give it back with release.
func (h *Hook) stripe() *int {
	if len(h.stripes) == 1 {
		return &h.stripes[0]
	}
	return h.pool.Get().(*int)
}

// release gives back an index that stripe returned.
func (h *Hook) release(s *int) {
	if len(h.stripes) > 1 {
		h.pool.Put(s)
	}
}
