// Package hooks holds the ready-made hooks of transmute that need nothing
// but the standard library: hooks from plain functions ([Funcs]), a
// structured logger ([NewLogger], with request attributes from the ctx
// through [WithAttrs]), failure alerting over a sliding window
// ([NewAlerting]), a validator ([Validate]) and a conditional wrapper
// ([Filter]).
//
// Every hook here is a read-only observer of the [core.Hook] contract: it
// is safe for concurrent use, keeps no per-migration state in its own
// fields (what it needs travels in the ctx, or comes from the
// [core.Event]), and never blocks or fails a migration, except a hook
// made by [Validate], whose error fails it on purpose.
//
// # From the recipes of the hooks guide
//
// The Python hooks guide that transmute's users know shows its hooks as
// recipes. Their Go counterparts are:
//
//   - LoggingHook, LifecycleHook, InspectionHook, the ordering of several
//     hooks, add and remove: [Funcs] (see its examples);
//   - StructuredLoggingHook: [NewLogger];
//   - ContextualHook: [WithAttrs] with [NewLogger], per request, without
//     touching the shared manager (or core.WithHooks for whole hooks);
//   - ValidationHook: [Validate];
//   - AlertingHook: [NewAlerting], with a sliding window, a cooldown and
//     delivery off the migration path;
//   - ConditionalHook: [Filter];
//   - MetricsHook and PerformanceHook: module metricshook;
//   - AuditHook: module audit;
//   - SamplingHook: module sampling;
//   - CompositeHook: module composite;
//   - PrometheusHook and DatadogHook: module otelhook, whose OpenTelemetry
//     metrics a Prometheus or an OTLP exporter (which Datadog takes) sends
//     on;
//   - testing a hook: run it through a real core.Manager and capture what
//     it produces, as the examples and tests of this package do.
//
// Batch progress is already reported by core.WithProgress, so this package
// has no progress hook.
package hooks
