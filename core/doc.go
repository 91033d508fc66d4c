// Package core is the transmute engine: versioned models, migration
// functions, path finding, validation, batches and streams, and the hook
// contract every observer builds on.
//
// A record is a [Data] (a map[string]any as decoded from JSON). A model
// such as "User" has versions, each described by a Go struct ([Register])
// or a run-time [Schema] ([Manager.RegisterSchema]). Migration functions
// ([Manager.RegisterMigration]) turn a record of one version into another;
// the [Manager] finds the shortest path between any two versions, fills in
// compatible steps by itself ([WithBackwardCompatible]), validates the result
// against the target version and tells every [Hook] what happened.
//
// A step may also be written on the Go structs of its two versions
// ([RegisterTyped]); a path may mix both kinds. [Convert] migrates a struct
// to another version's struct, [MigrateAs] a record to a struct, and
// [Manager.MigrateJSON] a JSON object to a JSON object; on a path of typed
// steps they build no record unless a hook reads one.
//
// Hooks are read-only observers: they see the data through a [Record], a
// view with no way to change it, and they carry their per-migration state
// in the [context.Context] they return from [Hook.BeforeMigrate], so that
// concurrent and nested migrations never share it. The only hook that can
// fail a migration is a [Validator] that returns an error.
//
// # Time
//
// When a migration has hooks, the engine reads the clock for all of them:
// [Event.Start] when it starts and [Event.Elapsed] when it ends (after the
// validation of the result). A hook that times migrations reads these
// instead of the clock, so that several timing hooks cost two clock reads,
// not two each. A migration with no hooks reads no clock. Steps are not
// timed by the engine: a [StepObserver] that times them reads the clock
// itself, and only when it needs to (time.Since(e.Start) at each end is
// the cheapest way).
//
// Starts carry a monotonic clock reading, exact for durations. Their
// wall-clock reading is the monotonic time since a base read with time.Now
// at most 100 ms earlier, so it misses at most the last 100 ms of
// adjustments to the system clock; use time.Now where the wall clock must
// be exact (an audit line's timestamp does).
package core
