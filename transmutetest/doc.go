// Package transmutetest helps test migrations and hooks: a [Recorder] hook
// that records every call it gets and checks their pairing (several share a
// [Journal] to keep the order across hooks; [NewValidator] makes one that
// validates), table-driven migration cases run with [Run], and a [Clock] to
// move time by hand in the hooks that take one.
//
// It depends on the standard library and core only, so a test of any
// module can use it.
package transmutetest
