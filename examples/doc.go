// Package examples holds runnable programs that show transmute at work:
// quickstart (the demo run by `make demo`), httpserver, prometheus and
// jaeger. Each is a main package in its own folder that runs and ends by
// itself; the integration tests (build tag integration) drive them against
// a real Jaeger.
package examples
