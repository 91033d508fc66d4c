//go:build !unix

package sampling_test

import "time"

// processCPU is not measured where getrusage is not available.
func processCPU() time.Duration { return 0 }
