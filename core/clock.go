package core

import (
	"sync/atomic"
	"time"
)

// clockRefresh bounds how long the clock's wall-clock base is used before
// it is read again.
const clockRefresh = 100 * time.Millisecond

// clock reads the start of migrations for [Event.Start]. time.Now reads
// two clocks (wall and monotonic); clock reads only the monotonic one and
// adds it to a base read with time.Now at most clockRefresh ago. The
// monotonic reading of a start is therefore exact (durations measured
// from it are), and its wall-clock reading misses at most the last
// clockRefresh of adjustments to the system clock. The zero clock is
// ready to use.
type clock struct {
	base atomic.Pointer[time.Time]
}

// now returns the current time.
func (c *clock) now() time.Time {
	if b := c.base.Load(); b != nil {
		if d := time.Since(*b); fresh(d) {
			return b.Add(d)
		}
	}
	t := time.Now()
	c.base.Store(&t)
	return t
}

// fresh reports whether a base read d ago may still be used: not in the
// future (the monotonic clock never goes back, but a base may be stored
// by hand) and less than clockRefresh old.
func fresh(d time.Duration) bool { return d >= 0 && d < clockRefresh }
