// Package sampling forwards a sampled subset of migrations to a hook.
//
// A sampling [Hook] wraps another [core.Hook] (a logger, a tracer, an
// audit trail...) and lets only some migrations through to it:
//
//	debug := sampling.New(verboseLogger, sampling.WithRatio(0.1), sampling.WithKeepErrors())
//	manager.AddHook(debug)
//
// The decision is taken once, in BeforeMigrate, and carried in the ctx
// that BeforeMigrate returns (never in a field of the hook), so the
// wrapped hook gets AfterMigrate or OnError exactly for the migrations
// whose BeforeMigrate it got, whatever runs at the same time, nested
// migrations included.
//
// # Deciding
//
// [WithRatio] keeps a fraction of the migrations, at random. [WithKey] makes that
// decision a function of a key taken from the record instead (a tenant, a
// user id): the same key always gets the same decision, in every process
// and every run. [WithPerSecond] caps the rate of forwarded migrations with a
// token bucket. The options combine: with WithRatio(0.5) and WithPerSecond(10), a
// migration is forwarded when the coin says so and a token is left.
// Without options every migration is forwarded.
//
// # Errors
//
// With [WithKeepErrors], a migration that was not sampled is still forwarded if
// it fails, so that no error goes unseen. The wrapped hook then gets, at
// the time of the failure, its BeforeMigrate immediately followed by
// OnError (so that it still sees one end for each start), and both calls'
// ctx report [ForcedByError] true: such a hook did not see the migration
// start (a duration measured from its own BeforeMigrate is near zero;
// Event.Start is the real start) nor its steps.
//
// # What is forwarded
//
// The wrapped hook's [core.StepObserver] methods are forwarded for the
// sampled migrations. Its [core.BatchObserver] methods are forwarded for
// every batch and stream: a batch is sampled item by item (each item's
// migration is decided on its own), not as a whole. Its [core.Validator]
// method is never called: a validator behind a sampler would accept the
// records it did not see, making validation random. Register a validator
// with the manager directly.
package sampling
