// Package integration holds the examples' integration tests, built with
// the tag integration and run by `make integration` against a real Jaeger
// (scripts/jaeger.sh): the httpserver example's traces read back from
// Jaeger's query API, the example programs sending to it over OTLP gRPC,
// and the faults (no collector, a collector restarted mid-run, a slow
// exporter). They all live in this one package, so that they run one
// after the other: one of them stops and restarts the shared Jaeger.
//
// Under the tag, a missing environment variable (JAEGER_OTLP_GRPC,
// JAEGER_QUERY_URL, TRANSMUTE_ROOT) fails the tests.
package integration
