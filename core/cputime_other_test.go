//go:build !unix

package core_test

import "testing"

// cpuTimer reports nothing where getrusage is not available.
func cpuTimer(*testing.B) (stop func()) { return func() {} }
