//go:build !unix

package cputime

import (
	"testing"
	"time"
)

// Process returns 0 where getrusage is not available.
func Process() time.Duration { return 0 }

// Timer reports nothing where getrusage is not available.
func Timer(*testing.B) (stop func()) { return func() {} }
