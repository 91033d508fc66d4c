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
package core
