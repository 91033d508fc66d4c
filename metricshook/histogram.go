package metricshook

import (
	"math"
	"math/bits"
	"time"
)

// The histogram is log-linear, as in HDR histograms: values below
// 2^(subBits+1) ns have a bucket each; above, each power of two is split
// into 2^subBits buckets of equal width, so a bucket is never wider than
// 1/2^subBits of its lower bound.
const (
	subBits    = 4
	subCount   = 1 << subBits // buckets per power of two
	rangeBits  = 40           // values of 2^40 ns (~18m20s) or more share the top bucket
	numBuckets = (rangeBits-subBits)*subCount + subCount
	maxTracked = 1<<rangeBits - 1
)

// RelativeError bounds the error of a reported percentile: it is within
// RelativeError × v of v, the true sample at the percentile's rank. It is
// half the width of a sub-bucket, relative to the bucket's lower bound.
const RelativeError = 1.0 / 32

// bucketOf returns the bucket of a duration in nanoseconds.
func bucketOf(ns int64) int {
	if ns < 2*subCount {
		if ns < 0 {
			return 0
		}
		return int(ns)
	}
	v := uint64(min(ns, maxTracked))
	e := bits.Len64(v) - (subBits + 1) // ≥ 1
	return e*subCount + int(v>>e)
}

// bucketMid returns the middle of bucket b, in nanoseconds.
func bucketMid(b int) int64 {
	if b < 2*subCount {
		return int64(b)
	}
	e := b/subCount - 1
	m := int64(b - e*subCount) // in [subCount, 2*subCount)
	return m<<e + (int64(1)<<e)/2
}

// histogram is a merged (non-atomic) copy of a transition's buckets.
type histogram struct {
	counts   [numBuckets]uint64
	n        uint64
	min, max int64
}

// percentile returns the nearest-rank p-th percentile (0 < p ≤ 100): the
// middle of the bucket holding the ceil(p/100 × n)-th smallest sample,
// clamped to [min, max]. It returns 0 for an empty histogram.
func (h *histogram) percentile(p float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(p / 100 * float64(h.n)))
	rank = min(max(rank, 1), h.n)
	var cum uint64
	for b, c := range h.counts {
		cum += c
		if cum >= rank {
			return time.Duration(min(max(bucketMid(b), h.min), h.max))
		}
	}
	return time.Duration(h.max)
}
