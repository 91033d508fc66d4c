//go:build unix

// Package cputime measures the CPU time of the process, for the ratio
// benchmarks of every module: other processes on a loaded machine disturb
// it far less than wall time. It is internal because it serves this
// project's benchmarks, not its users.
package cputime

import (
	"syscall"
	"testing"
	"time"
)

// Process returns the CPU time the process has used, user and system, GC
// workers included; 0 where it cannot be read.
func Process() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Timer starts measuring the process CPU time of a benchmark; the function
// it returns, called after the loop, reports it per operation as
// "cpu-ns/op".
func Timer(b *testing.B) (stop func()) {
	start := Process()
	return func() {
		if used := Process() - start; used > 0 && b.N > 0 {
			b.ReportMetric(float64(used)/float64(b.N), "cpu-ns/op")
		}
	}
}

// Interleave runs base and f in alternating blocks of 256 calls, b.N
// calls each, and reports f's time over base's as the metrics x-<name>
// (wall time) and x-<name>-cpu (process CPU time), with f's time per call
// as ns/op: a ratio of two cases measured side by side, which a noisy
// machine disturbs far less than two benchmarks run one after the other.
func Interleave(b *testing.B, name string, base, f func()) {
	b.Helper()
	run := func(g func(), n int) (wall, cpu time.Duration) {
		c, start := Process(), time.Now()
		for range n {
			g()
		}
		return time.Since(start), Process() - c
	}
	const block = 256
	var wBase, cBase, wF, cF time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += block {
		n := min(block, b.N-done)
		w, c := run(base, n)
		wBase, cBase = wBase+w, cBase+c
		w, c = run(f, n)
		wF, cF = wF+w, cF+c
	}
	b.StopTimer()
	b.ReportMetric(float64(wF)/float64(b.N), "ns/op")
	b.ReportMetric(float64(wF)/float64(wBase), "x-"+name)
	if cBase > 0 {
		b.ReportMetric(float64(cF)/float64(cBase), "x-"+name+"-cpu")
	}
}
