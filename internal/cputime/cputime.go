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
