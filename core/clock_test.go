package core

import (
	"testing"
	"time"
)

// The clock's readings never go back, stay close to time.Now, and its
// wall-clock base is read again once it is clockRefresh old.
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
	var fresh clock
	t0 := time.Now()
	fresh.now()
	base := fresh.base.Load()
	fresh.now()
	if time.Since(t0) < clockRefresh && fresh.base.Load() != base {
		t.Error("base read again within clockRefresh")
	}
	time.Sleep(clockRefresh + 10*time.Millisecond)
	fresh.now()
	if fresh.base.Load() == base {
		t.Error("base not read again after clockRefresh")
	}
}
