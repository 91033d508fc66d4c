package metricshook

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestBuckets(t *testing.T) {
	if RelativeError != 0.5/subCount {
		t.Fatalf("RelativeError = %v, but half a sub-bucket is %v", RelativeError, 0.5/subCount)
	}
	if got := bucketOf(math.MaxInt64); got != numBuckets-1 {
		t.Errorf("bucketOf(MaxInt64) = %d, want the top bucket %d", got, numBuckets-1)
	}
	if got := bucketOf(-5); got != 0 {
		t.Errorf("bucketOf(-5) = %d, want 0", got)
	}
	// Buckets grow with the value, and each value is within RelativeError
	// of its bucket's middle (exactly equal below 32ns).
	prev := 0
	check := func(v int64) {
		b := bucketOf(v)
		if b < prev || b >= numBuckets {
			t.Fatalf("bucketOf(%d) = %d after %d", v, b, prev)
		}
		prev = b
		mid := bucketMid(b)
		if v < 2*subCount && mid != v {
			t.Fatalf("bucketMid(bucketOf(%d)) = %d, want exact", v, mid)
		}
		if math.Abs(float64(mid-v)) > RelativeError*float64(v) {
			t.Fatalf("bucketMid(bucketOf(%d)) = %d, more than %.4f off", v, mid, RelativeError)
		}
	}
	for v := int64(0); v < 1<<16; v++ {
		check(v)
	}
	for v := int64(1 << 16); v < maxTracked; v += v/97 + 1 {
		check(v)
	}
	check(maxTracked)
}

// exactPercentile is the nearest-rank percentile of sorted samples.
func exactPercentile(sorted []int64, p float64) int64 {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func TestPercentileWithinRelativeError(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	dists := map[string]func(i int) int64{
		"uniform 1ns-100µs": func(int) int64 { return 1 + r.Int64N(100_000) },
		"log-uniform 1µs-10s": func(int) int64 {
			return int64(math.Exp(math.Log(1e3) + r.Float64()*(math.Log(1e10)-math.Log(1e3))))
		},
		"exponential mean 2ms": func(int) int64 { return int64(r.ExpFloat64() * 2e6) },
		"bimodal 50µs and 40ms": func(i int) int64 {
			if i%10 == 0 {
				return 40_000_000 + r.Int64N(1_000_000)
			}
			return 50_000 + r.Int64N(5_000)
		},
		"constant 1.5ms": func(int) int64 { return 1_500_000 },
		"small, exact":   func(int) int64 { return r.Int64N(32) },
	}
	for name, gen := range dists {
		t.Run(name, func(t *testing.T) {
			sh := &shard{}
			sh.min.Store(math.MaxInt64)
			samples := make([]int64, 20_000)
			for i := range samples {
				samples[i] = gen(i)
				sh.observe(samples[i])
			}
			slices.Sort(samples)
			tr := newTransition(key{}, 0, 1)
			tr.shards[0].Store(sh)
			st := tr.stats()
			if st.Count != int64(len(samples)) || int64(st.Min) != samples[0] || int64(st.Max) != samples[len(samples)-1] {
				t.Fatalf("Count %d Min %d Max %d, want %d %d %d", st.Count, st.Min, st.Max, len(samples), samples[0], samples[len(samples)-1])
			}
			var sum int64
			for _, v := range samples {
				sum += v
			}
			if st.Total != time.Duration(sum) || st.Mean != time.Duration(sum/int64(len(samples))) {
				t.Errorf("Total %d Mean %d, want %d %d", st.Total, st.Mean, sum, sum/int64(len(samples)))
			}
			h := histogram{min: samples[0], max: samples[len(samples)-1]}
			for b := range sh.hist {
				h.counts[b] = sh.hist[b].Load()
				h.n += h.counts[b]
			}
			for _, p := range []float64{0.1, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 100} {
				want := exactPercentile(samples, p)
				got := int64(h.percentile(p))
				if math.Abs(float64(got-want)) > RelativeError*float64(want) {
					t.Errorf("p%v = %d, want %d within %.2f%%", p, got, want, 100*RelativeError)
				}
			}
			for p, got := range map[float64]time.Duration{50: st.P50, 95: st.P95, 99: st.P99} {
				if want := h.percentile(p); got != want {
					t.Errorf("stats P%v = %v, histogram says %v", p, got, want)
				}
			}
		})
	}
	var empty histogram
	if got := empty.percentile(50); got != 0 {
		t.Errorf("empty: p50 = %v", got)
	}
}
