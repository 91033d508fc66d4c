package sampling

import (
	"context"
	"math"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/transmute-go/transmute/core"
)

// Hook forwards a sampled subset of migrations to the hook it wraps. It
// implements [core.Hook], [core.StepObserver] and [core.BatchObserver] (see
// the package documentation for what each forwards) but not
// [core.Validator]. It is safe for concurrent use.
type Hook struct {
	inner   core.Hook
	steps   core.StepObserver  // inner's, or nil
	batches core.BatchObserver // inner's, or nil

	all        bool   // Ratio ≥ 1: no coin
	threshold  uint64 // sampled when the coin (or the key's hash) is below
	key        func(core.Record) string
	rand       func() uint64
	keepErrors bool
	bucket     *bucket // nil: no rate limit
	clock      func() time.Time
	epoch      time.Time

	_       [64]byte // keep the counters off the configuration's cache line
	seen    atomic.Int64
	_       [56]byte
	sampled atomic.Int64
	forced  atomic.Int64
}

var (
	_ core.Hook          = (*Hook)(nil)
	_ core.StepObserver  = (*Hook)(nil)
	_ core.BatchObserver = (*Hook)(nil)
)

// New returns a hook that forwards to inner the migrations selected by
// opts, and every migration when there is no option. A nil inner gives a
// nil *Hook, which core.Manager.AddHook and composite.New ignore; its
// counters read 0.
func New(inner core.Hook, opts ...Option) *Hook {
	if inner == nil {
		return nil
	}
	cfg := config{ratio: 1, rate: math.Inf(1)}
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	h := &Hook{inner: inner, key: cfg.key, rand: cfg.rand, keepErrors: cfg.keepErrors, clock: cfg.clock}
	h.steps, _ = inner.(core.StepObserver)
	h.batches, _ = inner.(core.BatchObserver)
	switch p := cfg.ratio; {
	case p >= 1:
		h.all = true
	case p > 0: // false for NaN
		h.threshold = uint64(p * 0x1p64)
	}
	if h.rand == nil {
		h.rand = rand.Uint64
	}
	if h.clock != nil {
		h.epoch = h.clock()
	} else {
		h.epoch = time.Now()
	}
	h.bucket = newBucket(cfg.rate)
	return h
}

// Seen returns the number of migrations the hook has seen start.
func (h *Hook) Seen() int64 {
	if h == nil {
		return 0
	}
	return h.seen.Load()
}

// Sampled returns the number of migrations forwarded because they were
// sampled.
func (h *Hook) Sampled() int64 {
	if h == nil {
		return 0
	}
	return h.sampled.Load()
}

// Forced returns the number of migrations forwarded only because they
// failed ([WithKeepErrors]).
func (h *Hook) Forced() int64 {
	if h == nil {
		return 0
	}
	return h.forced.Load()
}

// ForcedByError reports whether ctx is the ctx of a migration that was not
// sampled but is forwarded because it failed ([WithKeepErrors]). It is true in
// the wrapped hook's BeforeMigrate and OnError for such a migration (and
// in any ctx derived from theirs).
func ForcedByError(ctx context.Context) bool {
	v, _ := ctx.Value(forcedKey{}).(bool)
	return v
}

type forcedKey struct{}

// migKey finds a sampler's decision in a ctx; it carries the sampler, so
// that two samplers each find their own.
type migKey struct{ h *Hook }

// migCtx is the ctx a sampler's BeforeMigrate returns when it has to mark
// the migration: for a sampled one, on top of the ctx inner returned; for
// one not sampled whose ctx already carries this sampler's mark (a nested
// migration, or the same sampler registered twice), on top of the input,
// with skip set, so that the mark seen below is not taken for this one's.
type migCtx struct {
	context.Context
	h    *Hook
	skip bool
}

func (c *migCtx) Value(key any) any {
	if k, ok := key.(migKey); ok && k.h == c.h {
		return c
	}
	return c.Context.Value(key)
}

func (c *migCtx) String() string {
	if c.skip {
		return "sampling.skipped"
	}
	return "sampling.sampled"
}

// decide takes the sampling decision of one migration.
func (h *Hook) decide(e core.Event) bool {
	if !h.all {
		var x uint64
		if h.key != nil {
			x = keyHash(h.key(e.Data))
		} else {
			x = h.rand()
		}
		if x >= h.threshold {
			return false
		}
	}
	return h.bucket == nil || h.bucket.take(h.now())
}

// now returns the clock's time since the hook was made, in nanoseconds.
func (h *Hook) now() int64 {
	if h.clock != nil {
		return int64(h.clock().Sub(h.epoch))
	}
	return int64(time.Since(h.epoch))
}

// BeforeMigrate decides whether the migration is sampled; if it is, it
// calls inner's BeforeMigrate and returns a ctx that carries inner's ctx
// and the decision. A migration not sampled costs no allocation.
func (h *Hook) BeforeMigrate(ctx context.Context, e core.Event) context.Context {
	h.seen.Add(1)
	if !h.decide(e) {
		if ctx.Value(migKey{h}) != nil {
			return &migCtx{Context: ctx, h: h, skip: true}
		}
		return ctx
	}
	h.sampled.Add(1)
	c := &migCtx{Context: ctx, h: h}
	if ic := h.inner.BeforeMigrate(ctx, e); ic != nil {
		c.Context = ic
	}
	return c
}

// mine returns the decision BeforeMigrate marked in ctx, the ctx it
// returned (nil when it returned the input: not sampled).
func (h *Hook) mine(ctx context.Context) *migCtx {
	if c, ok := ctx.(*migCtx); ok && c.h == h {
		return c
	}
	return nil
}

// AfterMigrate calls inner's AfterMigrate, with the ctx its BeforeMigrate
// returned, when the migration was sampled.
func (h *Hook) AfterMigrate(ctx context.Context, e core.Event, migrated core.Record) {
	if c := h.mine(ctx); c != nil && !c.skip {
		h.inner.AfterMigrate(c.Context, e, migrated)
	}
}

// OnError calls inner's OnError, with the ctx its BeforeMigrate returned,
// when the migration was sampled; with [WithKeepErrors], it forwards a
// migration that was not sampled too, calling inner's BeforeMigrate first.
func (h *Hook) OnError(ctx context.Context, e core.Event, err error) {
	c := h.mine(ctx)
	if c != nil && !c.skip {
		h.inner.OnError(c.Context, e, err)
		return
	}
	if !h.keepErrors {
		return
	}
	if c != nil {
		ctx = c.Context
	}
	h.forced.Add(1)
	ctx = context.WithValue(ctx, forcedKey{}, true)
	if ic := h.inner.BeforeMigrate(ctx, e); ic != nil {
		ctx = ic
	}
	h.inner.OnError(ctx, e, err)
}

// sampledIn reports whether the migration whose ctx (or step ctx) is ctx
// was sampled by h.
func (h *Hook) sampledIn(ctx context.Context) bool {
	c, _ := ctx.Value(migKey{h}).(*migCtx)
	return c != nil && !c.skip
}

// BeforeStep calls inner's BeforeStep when inner is a [core.StepObserver]
// and the migration was sampled, and returns the ctx it returned. (The
// decision is found in ctx: for a sampler registered twice with the same
// manager, the steps follow the later registration's decision.)
func (h *Hook) BeforeStep(ctx context.Context, e core.Event, s core.Step) context.Context {
	if h.steps == nil || !h.sampledIn(ctx) {
		return ctx
	}
	if sc := h.steps.BeforeStep(ctx, e, s); sc != nil {
		return sc
	}
	return ctx
}

// AfterStep calls inner's AfterStep when its BeforeStep was called.
func (h *Hook) AfterStep(ctx context.Context, e core.Event, s core.Step, err error) {
	if h.steps != nil && h.sampledIn(ctx) {
		h.steps.AfterStep(ctx, e, s, err)
	}
}

// BeforeBatch calls inner's BeforeBatch when inner is a
// [core.BatchObserver]: batches are not sampled (their items are).
func (h *Hook) BeforeBatch(ctx context.Context, b core.Batch) context.Context {
	if h.batches == nil {
		return ctx
	}
	if bc := h.batches.BeforeBatch(ctx, b); bc != nil {
		return bc
	}
	return ctx
}

// AfterBatch calls inner's AfterBatch when inner is a [core.BatchObserver].
func (h *Hook) AfterBatch(ctx context.Context, b core.Batch, err error) {
	if h.batches != nil {
		h.batches.AfterBatch(ctx, b, err)
	}
}

// keyHash is the hash of a [WithKey] key: 64-bit FNV-1a, then MurmurHash3's
// fmix64. It must never change: decisions are stable across processes and
// versions.
func keyHash(s string) uint64 {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	x := uint64(offset)
	for i := 0; i < len(s); i++ {
		x ^= uint64(s[i])
		x *= prime
	}
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// bucket is a lock-free token bucket, kept as the generic cell rate
// algorithm: tat is the theoretical arrival time of the next token, in
// nanoseconds since the hook was made; a request at now is granted when
// tat is at most tolerance ahead of now, and pushes tat one interval on.
type bucket struct {
	tat       atomic.Int64
	interval  int64 // nanoseconds per token
	tolerance int64 // (capacity-1) × interval
	none      bool  // rate 0: grant nothing
}

// newBucket returns the bucket of a rate, or nil for no limit.
func newBucket(rate float64) *bucket {
	switch {
	case rate <= 0:
		return &bucket{none: true}
	case rate >= 1e9: // more than one per nanosecond: no limit
		return nil
	}
	// Rounded up, so that the rate is never exceeded; capped, so that a
	// tiny rate cannot overflow the arithmetic (2⁶⁰ ns is 36 years).
	interval := min(math.Ceil(1e9/rate), 1<<60)
	return &bucket{interval: int64(interval), tolerance: int64((max(rate, 1) - 1) * interval)}
}

func (b *bucket) take(now int64) bool {
	if b.none {
		return false
	}
	for {
		tat := b.tat.Load()
		t := max(tat, now)
		if t-now > b.tolerance {
			return false
		}
		if b.tat.CompareAndSwap(tat, t+b.interval) {
			return true
		}
	}
}
