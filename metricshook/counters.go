package metricshook

import (
	"iter"
	"math"
	"sync/atomic"
	"time"

	"github.com/transmute-go/transmute/core"
)

// maxShards bounds the per-processor shards of a transition.
const maxShards = 64

// transition holds the counters of one transition. They start in a single
// shard, base: one processor migrating alone pays for no shard selection.
// The first time two processors are seen counting at once (a
// compare-and-swap of base lost), the transition becomes striped: from
// then on each processor counts in a shard of its own, so parallel
// migrations do not fight over cache lines. Readers sum every shard. This
// is the scheme of Java's LongAdder.
type transition struct {
	key     key
	period  uint64
	base    shard
	striped atomic.Bool
	shards  []atomicShard // allocated on first use by a processor
}

type atomicShard = atomic.Pointer[shard]

// shard holds a share of a transition's counters.
type shard struct {
	started, errors atomic.Int64
	sum             atomic.Int64 // of the successful durations, ns
	min, max        atomic.Int64
	hist            [numBuckets]atomic.Uint64
	_               [64]byte // keep the next shard's counters off our last line
}

func newTransition(k key, period uint64, stripes int) *transition {
	t := &transition{key: k, period: period, shards: make([]atomicShard, stripes)}
	t.base.min.Store(math.MaxInt64)
	return t
}

// is reports whether e is a migration of t.
func (t *transition) is(e *core.Event) bool {
	return t.key.from == e.From && t.key.to == e.To && t.key.model == e.Model
}

// shard returns the shard of stripe i, allocating it on first use.
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

// all returns the transition's shards in use, base first.
func (t *transition) all() iter.Seq[*shard] {
	return func(yield func(*shard) bool) {
		if !yield(&t.base) {
			return
		}
		for i := range t.shards {
			if s := t.shards[i].Load(); s != nil && !yield(s) {
				return
			}
		}
	}
}

// startedCounter and errorsCounter pick a counter of s, for Hook.count.
func (s *shard) startedCounter() *atomic.Int64 { return &s.started }
func (s *shard) errorsCounter() *atomic.Int64  { return &s.errors }

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
	for s := range t.all() {
		errors += s.errors.Load()
	}
	for s := range t.all() {
		started += s.started.Load()
	}
	return started, errors
}

// stats reads a transition's counters and percentiles. Finished
// migrations are read before starts, so that Count + Errors ≤ Started.
func (t *transition) stats() Transition {
	out := Transition{Model: t.key.model, From: t.key.from, To: t.key.to}
	hist := histogram{min: math.MaxInt64}
	var sum int64
	for s := range t.all() {
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
	for s := range t.all() {
		out.Started += s.started.Load()
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
