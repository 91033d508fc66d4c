//go:build unix

package core_test

import (
	"syscall"
	"testing"
	"time"
)

// processCPU returns the CPU time the process has used, user and system,
// GC workers included.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuTimer starts measuring the process CPU time of a benchmark; the
// function it returns, called after the loop, reports it per operation as
// "cpu-ns/op", which other processes on a loaded machine disturb far less
// than wall time.
func cpuTimer(b *testing.B) (stop func()) {
	start := processCPU()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}
