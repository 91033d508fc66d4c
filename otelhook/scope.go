package otelhook

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// scope is the state of one migration or batch, carried in the ctx that
// BeforeMigrate or BeforeBatch returns: that ctx is the scope itself, so
// AfterMigrate, OnError and AfterBatch find it with a type assertion, and
// the step methods (and nested migrations) find the nearest one with
// ctx.Value.
type scope struct {
	context.Context
	h    *Hook
	kind scopeKind
	// noSpans: migrations under this scope start no spans (a batch with
	// WithoutItemSpans(), and its items).
	noSpans bool
	// counted: BeforeMigrate added 1 to migration.active.
	counted bool
	// span is the recording span this scope ends, nil when none.
	span trace.Span
	info *migInfo

	// The current step (a migration's steps run one after the other).
	stepSpan  trace.Span
	stepInfo  *stepInfo
	stepTimer stepTimer
}

// stepTimer times the steps of one migration as offsets from its Start:
// monotonic clock reads only, cheaper than time.Now, and one per step
// after the first, whose start is the previous step's end.
type stepTimer struct {
	base     time.Time     // the migration's Start (or time.Now for a hook called by hand)
	from     time.Duration // the current step's start, after base
	end      time.Duration // the previous step's end, after base
	on, done bool          // a step is being timed; a step has ended
}

func (t *stepTimer) start(migrationStart time.Time, now func() time.Time) {
	switch {
	case t.done:
		t.from = t.end
	case now != nil: // a clock of WithClock: Start is of another clock
		t.base, t.from = now(), 0
	case !migrationStart.IsZero():
		t.base, t.from = migrationStart, time.Since(migrationStart)
	default:
		t.base, t.from = time.Now(), 0
	}
	t.on = true
}

// stop returns the step's duration, and false when start was not called.
func (t *stepTimer) stop(now func() time.Time) (time.Duration, bool) {
	if !t.on {
		return 0, false
	}
	t.on, t.done = false, true
	t.end = since(t.base, now)
	return t.end - t.from, true
}

// since is time.Since(t), or now().Sub(t) with a clock of [WithClock].
func since(t time.Time, now func() time.Time) time.Duration {
	if now != nil {
		return now().Sub(t)
	}
	return time.Since(t)
}

type scopeKind uint8

const (
	migrationScope scopeKind = iota + 1
	batchScope
)

// scopeKey finds a hook's scopes; each hook has its own, so that two
// otelhook hooks on one manager never see each other's state.
type scopeKey struct{ h *Hook }

// Value returns s for its hook's key, and asks the parent ctx otherwise.
func (s *scope) Value(key any) any {
	if k, ok := key.(scopeKey); ok && k.h == s.h {
		return s
	}
	return s.Context.Value(key)
}

// scopeOf returns the nearest scope of h in ctx, or nil.
func (h *Hook) scopeOf(ctx context.Context) *scope {
	s, _ := ctx.Value(scopeKey{h}).(*scope)
	return s
}

// own returns ctx as a scope of h of the given kind, when it is one.
func (h *Hook) own(ctx context.Context, kind scopeKind) *scope {
	if s, ok := ctx.(*scope); ok && s.h == h && s.kind == kind {
		return s
	}
	return nil
}
