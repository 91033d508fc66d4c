package otelhook

import (
	"sync"
	"sync/atomic"
)

// maxCached bounds each cache: past it (model names taken from user input,
// say), attributes are computed for each call instead of cached.
const maxCached = 1024

// cache is a copy-on-write map: reads are a lock-free map lookup, a write
// (the first time a key is seen) copies the map.
type cache[K comparable, V any] struct {
	m  atomic.Pointer[map[K]V]
	mu sync.Mutex
}

func (c *cache[K, V]) load(k K) (V, bool) {
	if m := c.m.Load(); m != nil {
		v, ok := (*m)[k]
		return v, ok
	}
	var zero V
	return zero, false
}

// store adds v under k unless the cache is full, and returns the value now
// cached under k (v, or the one another goroutine stored first).
func (c *cache[K, V]) store(k K, v V) V {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m.Load()
	n := 0
	if old != nil {
		if cur, ok := (*old)[k]; ok {
			return cur
		}
		n = len(*old)
	}
	if n >= maxCached {
		return v
	}
	m := make(map[K]V, n+1)
	if old != nil {
		for k2, v2 := range *old {
			m[k2] = v2
		}
	}
	m[k] = v
	c.m.Store(&m)
	return v
}
