package dispatch

import (
	"context"
	"sync"
)

// frame holds the ctx each hook's Before returned. Up to 8 hooks need no
// allocation (and no pointer into the frame itself, so a frame on the
// caller's stack stays there); more borrow a slice from a pool, given back
// by release.
type frame struct {
	buf    [8]context.Context
	more   []context.Context
	pooled *[]context.Context
}

// ctxPool holds the slices of frames with more than 8 hooks.
var ctxPool = sync.Pool{New: func() any { return new([]context.Context) }}

// init readies the frame for n contexts. A frame is released before it
// is used again, so more is nil here.
func (f *frame) init(n int) {
	if n > len(f.buf) {
		p := ctxPool.Get().(*[]context.Context)
		if k := n - len(f.buf); cap(*p) < k {
			*p = make([]context.Context, k)
		}
		f.more, f.pooled = (*p)[:n-len(f.buf)], p
	}
}

func (f *frame) set(i int, ctx context.Context) {
	if i < len(f.buf) {
		f.buf[i] = ctx
	} else {
		f.more[i-len(f.buf)] = ctx
	}
}

func (f *frame) get(i int) context.Context {
	if i < len(f.buf) {
		return f.buf[i]
	}
	return f.more[i-len(f.buf)]
}

// release drops the frame's references to the contexts, and gives its
// slice back to the pool.
func (f *frame) release(n int) {
	for i := range min(n, len(f.buf)) {
		f.buf[i] = nil // one by one: cheaper than clear for a few
	}
	if f.pooled != nil {
		clear(f.more)
		*f.pooled = f.more[:0]
		ctxPool.Put(f.pooled)
		f.more, f.pooled = nil, nil
	}
}
