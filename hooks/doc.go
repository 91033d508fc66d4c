// Package hooks holds the ready-made hooks of transmute that need nothing
// but the standard library: hooks from plain functions ([Funcs]), a
// structured logger ([NewLogger], with request attributes from the ctx
// through [ContextWithAttrs]), failure alerting over a sliding window
// ([NewAlerting]), a validator ([Validate]) and a conditional wrapper
// ([Filter]).
//
// Every hook here is a read-only observer of the [core.Hook] contract: it
// is safe for concurrent use, keeps no per-migration state in its own
// fields (what it needs travels in the ctx, or comes from the
// [core.Event]), and never blocks or fails a migration, except a hook
// made by [Validate], whose error fails it on purpose.
//
// Hooks that need more than the standard library live in modules of their
// own: metricshook (counts and percentiles), audit (a JSON Lines trail),
// sampling, composite, and otelhook (OpenTelemetry spans and metrics, which
// a Prometheus or an OTLP exporter sends on). docs/hooks.md maps the
// recipes of other libraries' hook guides to these hooks. To test a hook,
// run it through a real core.Manager with the recording hook of package
// transmutetest.
//
// Batch progress is already reported by core.WithProgress, so this package
// has no progress hook.
package hooks
