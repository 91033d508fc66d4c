// Package metricshook counts and times migrations in process, with no
// dependency outside the standard library: totals, errors and success
// rates per model, and per-transition timings with percentiles.
//
// Add a [Hook] to a [core.Manager] and read it at any time:
//
//	metrics := metricshook.New()
//	m.AddHook(metrics)
//	// ... migrations ...
//	fmt.Println(metrics.Total(), metrics.Errors(), metrics.SuccessRate())
//	metrics.WriteTable(os.Stdout)
//
// # What is counted
//
// A migration counts once, when it starts (BeforeMigrate), under its model
// and its transition (model, from version, to version). It counts as an
// error when it fails, whatever the cause: no path, a failing or panicking
// migration function, the validation of the result, or a [core.Validator]
// hook. A successful migration is timed: for each transition the hook keeps
// the count, sum, minimum and maximum of the durations and a log-bucketed
// histogram from which the 50th, 95th and 99th percentiles are read.
// Nested migrations (a nested model migrated inside its parent) count and
// are timed on their own.
//
// # Timing
//
// A migration's duration is [core.Event.Elapsed], which the engine
// measures once for all its hooks, from [core.Event.Start] to the end of
// the migration (after the validation of the result). Because both are
// part of each migration's own Event, concurrent and nested migrations
// never share them. When a caller invokes the hook by hand with a zero
// Elapsed, AfterMigrate measures the time since Start; with a zero Start,
// BeforeMigrate puts the time in the ctx it returns and AfterMigrate reads
// it from there.
//
// # Accuracy
//
// Percentiles come from a histogram with 16 linear sub-buckets per power of
// two of nanoseconds (as HDR histograms do): a reported percentile is within
// [RelativeError] (1/32, about 3.1%) of the true sample at that rank, and
// always between Min and Max. Durations of 2^40 ns (about 18 minutes) or
// more share the top bucket; Max stays exact. Count, Min, Max and the sum
// behind Mean are exact.
//
// # Cost
//
// Recording takes no lock, reads no clock and allocates nothing once a
// transition has been seen: transitions are found in an immutable map
// published through an atomic pointer (copied only when a new transition
// appears), with the last one found tried first (one cache for the hook,
// or one per processor once processors are seen migrating different
// transitions at the same time). A transition counts in
// one set of counters until two processors are seen updating it at the
// same time; from then on its counters are sharded by processor (through a
// sync.Pool of shard indexes), so parallel migrations do not fight over
// cache lines.
// Reading (Total, Snapshot, ...) sums the shards; a read taken while
// migrations run sees each counter at some moment during the read.
//
// # Reset
//
// [Hook.Reset] starts a new counting period. A migration belongs to the
// period in which it started: one still running across a Reset is counted
// neither as started nor as finished in the new period, so Errors never
// exceeds Total.
package metricshook
