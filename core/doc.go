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
// Hooks are read-only observers: they see the data through a [Record], a
// view with no way to change it, and they carry their per-migration state
// in the [context.Context] they return from [Hook.BeforeMigrate], so that
// concurrent and nested migrations never share it. The only hook that can
// fail a migration is a [Validator] that returns an error.
//
// # Changed in this release
//
// The options are named WithX/WithoutX (docs/conventions.md):
// [WithWorkers], [WithContinueOnError], [WithProgress],
// [WithoutValidation], [WithBackwardCompatible], [WithoutInputCopy]; the old
// names remain, deprecated. [Copy] returns an error where DeepCopy panicked
// on cyclic data (DeepCopy remains, deprecated, and returns nil instead).
// [NotFoundError] is the new name of ModelError, and its Version is a
// [Version]. [Version.AppendText] has the signature of
// encoding.TextAppender. The hook dispatch (HookSet and its invocations)
// is no longer exported.
package core
