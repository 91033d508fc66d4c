package core

import (
	"testing"
	"time"
)

// The clock's readings never go back, stay close to time.Now, and its
// wall-clock base is read again once it is clockRefresh old (and only
// then: fresh).
func TestClock(t *testing.T) {
	var c clock
	prev := c.now()
	for range 1000 {
		before := time.Now()
		got := c.now()
		after := time.Now()
		if got.Sub(prev) < 0 || got.Sub(before) < 0 || after.Sub(got) < 0 {
			t.Fatalf("monotonic reading %v out of order (previous %v, time.Now %v and %v)", got, prev, before, after)
		}
		if d := got.Round(0).Sub(after.Round(0)); d > clockRefresh || d < -clockRefresh {
			t.Fatalf("wall clock %v, time.Now %v", got.Round(0), after.Round(0))
		}
		prev = got
	}
	// A base clockRefresh old is read again; a fresh one is not.
	var c2 clock
	stale := time.Now().Add(-clockRefresh) // keeps the monotonic reading
	c2.base.Store(&stale)
	if got := c2.now(); c2.base.Load() == &stale || got.Sub(stale) < clockRefresh {
		t.Errorf("a base clockRefresh old was used (now %v, base %v)", got, stale)
	}
	for d, want := range map[time.Duration]bool{
		-time.Nanosecond: false, 0: true, clockRefresh - time.Nanosecond: true,
		clockRefresh: false, time.Hour: false,
	} {
		if fresh(d) != want {
			t.Errorf("fresh(%v) = %v, want %v", d, !want, want)
		}
	}
}
