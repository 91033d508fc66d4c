package metricshook

import (
	"maps"
	"math"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/transmute-go/transmute/core"
)

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

const resetting = math.MaxInt64 // the start of a period being published

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

// lookup returns the transition of e in the current period, adding it on
// first sight, or nil when the migration started before the period did.
// The transition last found is tried first, which spares the map lookup
// of a run of migrations of the same transition.
func (h *Hook) lookup(e *core.Event, start time.Time) *transition {
	st := h.state.Load()
	if !h.inPeriod(st, start) {
		return nil
	}
	last := h.last.Load()
	if last != nil && last.period == st.period && last.is(e) {
		return last
	}
	if h.mixed.Load() {
		return h.lookupStriped(st, e, start)
	}
	t := h.find(st, e, start)
	if t != nil && !h.last.CompareAndSwap(last, t) {
		// Processors are migrating different transitions at once: a shared
		// cache would bounce between them. Cache per stripe from now on.
		h.mixed.Store(true)
	}
	return t
}

// lookupStriped is lookup with this processor's cache, once transitions
// are mixed across processors.
func (h *Hook) lookupStriped(st *state, e *core.Event, start time.Time) *transition {
	s := h.stripe()
	c := &h.caches[*s]
	h.release(s) // the cache is only a hint: another P may use it now
	if t := c.last.Load(); t != nil && t.period == st.period && t.is(e) {
		return t
	}
	t := h.find(st, e, start)
	if t != nil {
		c.last.Store(t)
	}
	return t
}

// find returns the transition of e from the period's map, adding it on
// first sight.
func (h *Hook) find(st *state, e *core.Event, start time.Time) *transition {
	k := key{e.Model, e.From, e.To}
	if e.Path == nil { // the engine found no path: the model or a version is not registered
		k = overflow
	}
	if t := st.trans[k]; t != nil {
		return t
	}
	return h.add(k, start)
}

// MaxTransitions bounds the transitions a Hook keeps apart in a period.
// The migrations of the transitions after the first MaxTransitions, and
// those the engine found no path for (an [core.Event] with a nil Path: a
// model or version that is not registered, which any caller can make up),
// are counted together in one [Transition] with an empty Model and zero
// versions, so the hook never grows without bound.
const MaxTransitions = 1024

// overflow is the key of that transition.
var overflow = key{}

// add is the slow path of lookup: copy the map with the new transition.
func (h *Hook) add(k key, start time.Time) *transition {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.state.Load()
	if !h.inPeriod(st, start) {
		return nil
	}
	if len(st.trans) >= MaxTransitions {
		k = overflow
	}
	if t := st.trans[k]; t != nil {
		return t
	}
	t := newTransition(k, st.period, len(h.stripes))
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
