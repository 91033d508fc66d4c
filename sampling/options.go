package sampling

import (
	"math"
	"time"

	"github.com/transmute-go/transmute/core"
)

// Option configures a sampling [Hook]. Options are created by the With
// functions of this package; a nil Option is ignored.
type Option interface{ apply(*config) }

type config struct {
	ratio      float64
	rate       float64
	key        func(core.Record) string
	rand       func() uint64
	clock      func() time.Time
	keepErrors bool
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithRatio forwards a fraction p of the migrations, between 0 (none) and 1
// (all, the default); p is clamped to that range and NaN means 0. Each
// migration is decided at random, unless [WithKey] is given.
func WithRatio(p float64) Option {
	return optionFunc(func(c *config) {
		if math.IsNaN(p) {
			p = 0
		}
		c.ratio = min(max(p, 0), 1)
	})
}

// WithPerSecond forwards at most n migrations per second, on average, with a
// token bucket that holds max(n, 1) tokens (one second's worth) and starts
// full: over any interval of t seconds at most n×t + max(n, 1) migrations
// are forwarded. A migration that the other options reject takes no token.
// n ≤ 0 (or NaN) forwards none; n = +Inf means no limit.
//
// The bucket is lock-free (one compare-and-swap of an int64 per decision).
func WithPerSecond(n float64) Option {
	return optionFunc(func(c *config) {
		if math.IsNaN(n) {
			n = 0
		}
		c.rate = n
	})
}

// WithKey makes the [WithRatio] decision a function of key(record) instead of
// chance: the same key always gets the same decision, across migrations,
// processes and runs, and a ratio p keeps about a fraction p of the keys.
// Precisely, a migration is sampled when the hash of its key is below
// p×2⁶⁴, so a key sampled at a ratio is also sampled at any larger ratio.
// The hash is the 64-bit FNV-1a of the key's bytes passed through the
// 64-bit finalizer of MurmurHash3 (fmix64), which spreads keys that differ
// only in their last characters (user-1, user-2...) evenly: FNV-1a alone
// leaves its high bits biased for such keys. A nil key is ignored.
func WithKey(key func(core.Record) string) Option {
	return optionFunc(func(c *config) {
		if key != nil {
			c.key = key
		}
	})
}

// WithKeepErrors forwards every failed migration, sampled or not. For one that
// was not sampled, inner's BeforeMigrate is called at the time of the
// failure, right before its OnError, with a ctx for which [ForcedByError]
// reports true.
func WithKeepErrors() Option {
	return optionFunc(func(c *config) { c.keepErrors = true })
}

// WithRand sets the source of randomness of [WithRatio]: a function returning
// uniformly distributed uint64 values, safe for concurrent use. The default
// is math/rand/v2's Uint64. Use it for reproducible tests. A nil function is
// ignored.
func WithRand(uint64s func() uint64) Option {
	return optionFunc(func(c *config) {
		if uint64s != nil {
			c.rand = uint64s
		}
	})
}

// WithClock sets the clock of [WithPerSecond], for tests; the default is
// time.Now. It must be safe for concurrent use. A nil clock is ignored.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(c *config) {
		if now != nil {
			c.clock = now
		}
	})
}
