// Package transmutetest helps test migrations and hooks: a [Recorder] hook
// that records every call it gets, table-driven migration cases run with
// [Run], and a [Clock] to move time by hand in the hooks that take one.
//
// It depends on the standard library and core only, so a test of any
// module can use it.
package transmutetest
