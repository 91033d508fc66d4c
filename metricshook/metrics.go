package metricshook

import (
	"context"
	"maps"
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
	// locals are per-processor: a sync.Pool hands each P (mostly) the same
	// one, so its shard of each transition stays in that P's cache.
	locals []local
	pool   sync.Pool // of *local
	next   atomic.Uint32
}

// local is one shard index with a one-entry cache of the transition last
// seen through it, which spares the map lookup of a run of migrations of
// the same transition.
type local struct {
	i    int
	last atomic.Pointer[transition]
	_    [48]byte // one cache line each
}

var _ core.Hook = (*Hook)(nil)

// key identifies a transition. Versions are compared as values, so no
// string is built on the hot path.
type key struct {
	model    string
	from, to core.Version
}

// state is one counting period: an immutable map of transitions, replaced
// as a whole when a transition is added (copy on write) or by Reset.
type state struct {
	// since is the start of the period, as an offset from Hook.epoch. A
	// migration that started earlier is not counted in this period.
	since  atomic.Int64
	period uint64 // bumped by Reset
	trans  map[key]*transition
}

type transition struct {
	key    key
	period uint64
	shards []atomicShard // allocated on first use by a processor
}

type atomicShard = atomic.Pointer[shard]

// shard holds one processor's share of a transition's counters.
type shard struct {
	started, errors atomic.Int64
	sum             atomic.Int64 // of the successful durations, ns
	min, max        atomic.Int64
	hist            [numBuckets]atomic.Uint64
	_               [64]byte // keep the next shard's counters off our last line
}

const (
	maxShards = 64
	resetting = math.MaxInt64 // the start of a period being published
)

// New returns a hook with nothing counted.
func New() *Hook {
	n := 1
	for n < min(max(runtime.GOMAXPROCS(0), runtime.NumCPU()), maxShards) {
		n *= 2
	}
	h := &Hook{epoch: time.Now(), locals: make([]local, n)}
	for i := range h.locals {
		h.locals[i].i = i
	}
	h.pool.New = func() any { return &h.locals[int(h.next.Add(1)-1)%len(h.locals)] }
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
	l := h.local()
	if t := h.lookup(l, e, start); t != nil {
		t.shard(l.i).started.Add(1)
	}
	h.release(l)
	return ctx
}

// AfterMigrate records the migration's duration under its transition.
func (h *Hook) AfterMigrate(ctx context.Context, e core.Event, _ core.Record) {
	start, ok := startOf(ctx, e)
	if !ok {
		return // BeforeMigrate never saw this migration: nothing to time
	}
	d := time.Since(start)
	l := h.local()
	if t := h.lookup(l, e, start); t != nil {
		t.shard(l.i).observe(int64(d))
	}
	h.release(l)
}

// OnError counts the migration as failed. Every failure counts, a
// validation failure included.
func (h *Hook) OnError(ctx context.Context, e core.Event, _ error) {
	start, ok := startOf(ctx, e)
	if !ok {
		start = time.Now() // unknown: count the error in the current period
	}
	l := h.local()
	if t := h.lookup(l, e, start); t != nil {
		t.shard(l.i).errors.Add(1)
	}
	h.release(l)
}

// startOf returns when the migration started: e.Start, or the time that
// BeforeMigrate put in ctx.
func startOf(ctx context.Context, e core.Event) (time.Time, bool) {
	if !e.Start.IsZero() {
		return e.Start, true
	}
	if ctx == nil {
		return time.Time{}, false
	}
	t, ok := ctx.Value(startKey{}).(time.Time)
	return t, ok
}

func (h *Hook) offset(t time.Time) int64 { return int64(t.Sub(h.epoch)) }

// inPeriod reports whether a migration that started at start belongs to the
// period st. During the few instructions of a Reset between publishing a
// period and setting its start, it waits for the start, so that a
// migration's BeforeMigrate and its AfterMigrate or OnError always agree.
func (h *Hook) inPeriod(st *state, start time.Time) bool {
	since := st.since.Load()
	for since == resetting {
		runtime.Gosched()
		since = st.since.Load()
	}
	return since == math.MinInt64 || h.offset(start) >= since
}

// local returns this processor's local (usually the same one each time on
// a given P); release gives it back.
func (h *Hook) local() *local {
	if len(h.locals) == 1 {
		return &h.locals[0]
	}
	return h.pool.Get().(*local)
}

func (h *Hook) release(l *local) {
	if len(h.locals) > 1 {
		h.pool.Put(l)
	}
}

// lookup returns the transition of e in the current period, adding it on
// first sight, or nil when the migration started before the period did.
func (h *Hook) lookup(l *local, e core.Event, start time.Time) *transition {
	st := h.state.Load()
	if !h.inPeriod(st, start) {
		return nil
	}
	if t := l.last.Load(); t != nil && t.period == st.period && t.is(e) {
		return t
	}
	k := key{e.Model, e.From, e.To}
	t := st.trans[k]
	if t == nil {
		if t = h.add(k, start); t == nil {
			return nil
		}
	}
	l.last.Store(t)
	return t
}

// add is the slow path of lookup: copy the map with the new transition.
func (h *Hook) add(k key, start time.Time) *transition {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.state.Load()
	if !h.inPeriod(st, start) {
		return nil
	}
	if t := st.trans[k]; t != nil {
		return t
	}
	t := &transition{key: k, period: st.period, shards: make([]atomicShard, len(h.locals))}
	n := &state{period: st.period, trans: make(map[key]*transition, len(st.trans)+1)}
	maps.Copy(n.trans, st.trans)
	n.trans[k] = t
	n.since.Store(st.since.Load())
	h.state.Store(n)
	return t
}

// Reset forgets everything counted so far and starts a new period. A
// migration running across the Reset is not counted in the new period.
func (h *Hook) Reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := &state{period: h.state.Load().period + 1, trans: map[key]*transition{}}
	// Publish first, then read the clock for the start of the period: a
	// migration that BeforeMigrate counted in the old period had started
	// before the publication, hence before the new period, so its end is not
	// counted in the new period either. Readers that see the new period
	// before its start is set wait for it (see inPeriod).
	st.since.Store(resetting)
	h.state.Store(st)
	st.since.Store(h.offset(time.Now()))
}

// is reports whether e is a migration of t.
func (t *transition) is(e core.Event) bool {
	return t.key.from == e.From && t.key.to == e.To && t.key.model == e.Model
}

func (t *transition) shard(i int) *shard {
	p := &t.shards[i]
	if s := p.Load(); s != nil {
		return s
	}
	s := &shard{}
	s.min.Store(math.MaxInt64)
	if p.CompareAndSwap(nil, s) {
		return s
	}
	return p.Load()
}

func (s *shard) observe(ns int64) {
	ns = max(ns, 0)
	s.hist[bucketOf(ns)].Add(1)
	s.sum.Add(ns)
	for m := s.min.Load(); ns < m && !s.min.CompareAndSwap(m, ns); m = s.min.Load() {
	}
	for m := s.max.Load(); ns > m && !s.max.CompareAndSwap(m, ns); m = s.max.Load() {
	}
}

// counts returns the transition's started and failed migrations. Errors
// are read before starts, so that errors ≤ started holds in what is read
// even while migrations run.
func (t *transition) counts() (started, errors int64) {
	for i := range t.shards {
		if s := t.shards[i].Load(); s != nil {
			errors += s.errors.Load()
		}
	}
	for i := range t.shards {
		if s := t.shards[i].Load(); s != nil {
			started += s.started.Load()
		}
	}
	return started, errors
}

// stats reads a transition's counters and percentiles. Finished
// migrations are read before starts, so that Count + Errors ≤ Started.
func (t *transition) stats() Transition {
	out := Transition{Model: t.key.model, From: t.key.from, To: t.key.to}
	hist := histogram{min: math.MaxInt64}
	var sum int64
	for i := range t.shards {
		s := t.shards[i].Load()
		if s == nil {
			continue
		}
		out.Errors += s.errors.Load()
		sum += s.sum.Load()
		hist.min = min(hist.min, s.min.Load())
		hist.max = max(hist.max, s.max.Load())
		for b := range s.hist {
			c := s.hist[b].Load()
			hist.counts[b] += c
			hist.n += c
		}
	}
	for i := range t.shards {
		if s := t.shards[i].Load(); s != nil {
			out.Started += s.started.Load()
		}
	}
	if hist.n == 0 {
		return out
	}
	out.Count = int64(hist.n)
	out.Total = time.Duration(sum)
	out.Mean = time.Duration(sum / out.Count)
	out.Min, out.Max = time.Duration(hist.min), time.Duration(hist.max)
	out.P50 = hist.percentile(50)
	out.P95 = hist.percentile(95)
	out.P99 = hist.percentile(99)
	return out
}

// Total returns the number of migrations started (in this period).
func (h *Hook) Total() int64 {
	var n int64
	for _, t := range h.state.Load().trans {
		s, _ := t.counts()
		n += s
	}
	return n
}

// Errors returns the number of migrations that failed.
func (h *Hook) Errors() int64 {
	var n int64
	for _, t := range h.state.Load().trans {
		_, e := t.counts()
		n += e
	}
	return n
}

// SuccessRate returns (Total - Errors) / Total, or 0 when nothing ran. A
// migration still running counts as a success until it fails.
func (h *Hook) SuccessRate() float64 {
	var total, errs int64
	for _, t := range h.state.Load().trans {
		s, e := t.counts()
		total += s
		errs += e
	}
	return successRate(total, errs)
}

func successRate(total, errs int64) float64 {
	if total <= 0 {
		return 0
	}
	return min(max(float64(total-errs)/float64(total), 0), 1)
}

// ByModel returns the number of migrations started per model, in a new
// map. Models with none are absent.
func (h *Hook) ByModel() map[string]int64 {
	out := map[string]int64{}
	for k, t := range h.state.Load().trans {
		if s, _ := t.counts(); s > 0 {
			out[k.model] += s
		}
	}
	return out
}

// ErrorsByModel returns the number of failed migrations per model, in a
// new map. Models with none are absent.
func (h *Hook) ErrorsByModel() map[string]int64 {
	out := map[string]int64{}
	for k, t := range h.state.Load().trans {
		if _, e := t.counts(); e > 0 {
			out[k.model] += e
		}
	}
	return out
}

// Transition returns the statistics of one transition, and whether the
// hook has seen it in this period. Versions are MAJOR.MINOR.PATCH strings;
// one that does not parse has not been seen.
func (h *Hook) Transition(model, from, to string) (Transition, bool) {
	fv, err := core.ParseVersion(from)
	if err != nil {
		return Transition{}, false
	}
	tv, err := core.ParseVersion(to)
	if err != nil {
		return Transition{}, false
	}
	t := h.state.Load().trans[key{model, fv, tv}]
	if t == nil {
		return Transition{}, false
	}
	return t.stats(), true
}

// Slowest returns at most n transitions, slowest mean first. Transitions
// with no successful migration have no duration and are left out.
func (h *Hook) Slowest(n int) []Transition { return h.Snapshot().Slowest(n) }

// Snapshot returns a copy of everything counted, which the caller owns.
func (h *Hook) Snapshot() Snapshot {
	st := h.state.Load()
	s := Snapshot{
		ByModel:       map[string]int64{},
		ErrorsByModel: map[string]int64{},
		Transitions:   make([]Transition, 0, len(st.trans)),
	}
	for _, t := range st.trans {
		ts := t.stats()
		s.Transitions = append(s.Transitions, ts)
		s.Total += ts.Started
		s.Errors += ts.Errors
		if ts.Started > 0 {
			s.ByModel[ts.Model] += ts.Started
		}
		if ts.Errors > 0 {
			s.ErrorsByModel[ts.Model] += ts.Errors
		}
	}
	sortTransitions(s.Transitions)
	return s
}
