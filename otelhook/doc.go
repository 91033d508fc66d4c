// Package otelhook traces and measures migrations with OpenTelemetry.
//
// One hook, added to a [core.Manager] (or to a single request with
// [core.WithHooks]), gives:
//
//   - a span "migrate {model}" per migration, with a child
//     "migrate.step {model}" per step of its path; the migration function
//     runs under the step span, so the spans that it starts (a database
//     call, an HTTP request) nest under it, and a nested model's migration
//     nests under its parent's step;
//   - a span "migrate.batch {model}" around [core.Manager.MigrateBatch] and
//     [core.Manager.MigrateStream], parent of the items' migrations;
//   - the metrics migration.duration and migration.step.duration
//     (histograms, in seconds; the first is [core.Event.Elapsed], which
//     the engine measures for all hooks) and migration.active (an up-down
//     counter).
//
// Spans are of kind Internal, with every attribute known at the start
// passed to the tracer at the start, so samplers see them. A failure sets
// the status Error with the error's message and the attribute error.type
// (from [core.ErrorType]); success leaves the status unset. No exception
// event is recorded unless [WithRecordError] asks for it. Data values never
// reach a span unless [WithRecordValues] asks for them.
//
// Everything comes from the ctx given to the migration: the parent span,
// the baggage ([WithBaggageAttributes]) and the request-scoped hooks of
// [core.WithHooks]. A migration whose parent span is not sampled (and not
// recording) is not traced at all, as the SDK's default ParentBased
// sampler would decide, so that the unsampled path costs no allocation;
// its metrics are recorded all the same.
//
// The tracer and meter come from the providers given with
// [WithTracerProvider] and [WithMeterProvider], by default the global
// ones of go.opentelemetry.io/otel, under the instrumentation scope
// [ScopeName] and [Version]. An instrument that cannot be created is
// reported to the OpenTelemetry error handler ([otel.Handle]) and replaced
// by a no-op one; a panic in a callback option (filter, span name
// formatter, redaction) is reported the same way and the migration goes on.
package otelhook
