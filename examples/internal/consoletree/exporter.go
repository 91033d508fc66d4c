// Package consoletree prints traces as indented trees on a terminal, so
// that the examples can show a trace with nothing to install.
//
// An [Exporter] is an OpenTelemetry SDK span exporter that keeps the spans
// it is given. Register it with a synchronous span processor (so that no
// span is dropped from a queue), build a [Tree] from its spans once they
// have ended, and [Write] the part of it worth showing:
//
//	exp := consoletree.New()
//	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
//	// ... traced work ...
//	_ = tp.Shutdown(ctx)
//	tree := consoletree.Build(exp.Spans())
//	_ = consoletree.Write(os.Stdout, tree.Roots[0])
//
// Each span is one line: its name, its duration, ERROR when its status is
// Error, then its attributes; an Error's message follows on a line of its
// own. Children are ordered by start time (then by name and span ID), so
// the output is the same for the same spans. [Width] wraps long lines.
package consoletree

import (
	"context"
	"slices"
	"sync"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Exporter is an [sdktrace.SpanExporter] that keeps every span it is
// given, in memory, until [Exporter.Reset]. It is safe for concurrent use.
type Exporter struct {
	mu      sync.Mutex
	spans   []sdktrace.ReadOnlySpan
	stopped bool
}

var _ sdktrace.SpanExporter = (*Exporter)(nil)

// New returns an empty exporter.
func New() *Exporter { return &Exporter{} }

// ExportSpans keeps spans. After [Exporter.Shutdown] it keeps nothing.
func (e *Exporter) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.stopped {
		e.spans = append(e.spans, spans...)
	}
	return nil
}

// Shutdown stops the exporter from keeping more spans; the spans already
// kept are still available.
func (e *Exporter) Shutdown(context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stopped = true
	return nil
}

// Spans returns the spans kept so far, in the order they were exported,
// in a new slice.
func (e *Exporter) Spans() []sdktrace.ReadOnlySpan {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.spans)
}

// Len returns the number of spans kept so far.
func (e *Exporter) Len() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.spans)
}

// Reset forgets the spans kept so far.
func (e *Exporter) Reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.spans = nil
}
