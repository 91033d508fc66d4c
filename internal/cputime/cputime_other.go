//go:build !unix

package cputime

import (
	"testing"
	"time"
)

// Process returns 0 where getrusage is not available.
func Process() time.Duration { return 0 }

// Timer reports nothing where getrusage is not available.
func Timer(*testing.B) (stop func()) { return func() {} }

// Interleave runs base and f in alternating blocks and reports f's wall
// time over base's as x-<name> (no CPU time here).
func Interleave(b *testing.B, name string, base, f func()) {
	b.Helper()
	const block = 256
	var wBase, wF time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += block {
		n := min(block, b.N-done)
		start := time.Now()
		for range n {
			base()
		}
		mid := time.Now()
		for range n {
			f()
		}
		wBase, wF = wBase+mid.Sub(start), wF+time.Since(mid)
	}
	b.StopTimer()
	b.ReportMetric(float64(wF)/float64(b.N), "ns/op")
	b.ReportMetric(float64(wF)/float64(wBase), "x-"+name)
}
