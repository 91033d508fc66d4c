// Package composite groups several transmute hooks into one.
//
// A composite [Hook] is a [core.Hook] whose members are hooks themselves:
//
//	observers := composite.Of(logger, metrics, audit)
//	manager.AddHook(observers)
//
// A composite gives its members the guarantees the manager gives its own
// hooks, because it dispatches through the very same code as the manager:
//
//   - BeforeMigrate (and BeforeStep, BeforeBatch) runs the members in
//     order, each getting the ctx the previous one returned; AfterMigrate,
//     OnError (and AfterStep, AfterBatch) run them in reverse order, each
//     with the ctx its own Before returned. Seen from the manager, a
//     composite of A and B between manager hooks X and Y runs X, A, B, Y
//     and then Y, B, A, X.
//   - Every member whose BeforeMigrate ran gets exactly one AfterMigrate or
//     OnError.
//   - The optional interfaces are forwarded to the members that have them:
//     a member [core.Validator] can fail the migration, a
//     [core.StepObserver] sees each step (and the step's function runs
//     under the ctx it returned), a [core.BatchObserver] sees whole
//     batches and streams.
//   - A panicking member is recovered and reported, as a
//     *[core.HookPanicError] naming the member, to the handler set with
//     [WithErrorHandler] (log/slog by default); the other members and the
//     migration go on. [WithRepanic] re-panics instead, for tests.
//
// The composite keeps no per-migration state in its fields: the state of
// one migration (the ctx each member returned) travels in the ctx the
// composite's BeforeMigrate returns, so concurrent and nested migrations
// never share it. [Hook.Add] and [Hook.Remove] may be called at any time,
// concurrently with migrations: they swap an immutable member list, and a
// migration in flight finishes with the members it started with.
package composite
