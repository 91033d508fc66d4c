//go:build !unix

package metricshook_test

import "time"

// processCPU is not measured here: no cpu-ns/op is reported.
func processCPU() time.Duration { return 0 }
