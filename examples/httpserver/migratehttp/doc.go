// Package migratehttp serves transmute migrations over HTTP, traced with
// OpenTelemetry: it is the library half of the httpserver example.
//
// [NewHandler] returns a handler, wrapped in otelhttp, that answers
//
//	POST /migrate?model=User&from=1.0.0&to=3.0.0
//
// with the posted JSON record migrated. Each request's migration runs under
// the request's ctx, so
//
//   - its spans (from an otelhook hook on the manager) are children of the
//     otelhttp server span of the request;
//   - the request id (the X-Request-ID header, or a generated one) and the
//     user id (the X-User-ID header) travel as slog attributes
//     ([hooks.ContextWithAttrs], for a [hooks.Logger]) and as baggage members
//     [RequestIDKey] and [UserIDKey] (for
//     otelhook.WithBaggageAttributes(migratehttp.RequestIDKey,
//     migratehttp.UserIDKey)); they are also set on the request's span;
//   - a request-scoped hook ([core.WithHooks]) counts the migrations and
//     steps that the request caused (nested models included) and reports
//     them in the X-Migrations and X-Migration-Steps response headers.
//
// Failures are answered with a JSON body {"error", "error_type",
// "request_id"} and the status that [StatusCode] gives.
package migratehttp
