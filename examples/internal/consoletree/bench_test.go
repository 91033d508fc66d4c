package consoletree_test

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/transmute-go/transmute/examples/internal/consoletree"
)

// resettable is an exporter that can forget its spans.
type resettable interface {
	sdktrace.SpanExporter
	Reset()
}

// BenchmarkExport is the cost of a span, started and ended, kept by an
// exporter behind the synchronous span processor: the SDK's in-memory
// exporter (the baseline) and this package's.
func BenchmarkExport(b *testing.B) {
	for _, bc := range []struct {
		name string
		exp  resettable
	}{
		{"baseline=tracetest.InMemoryExporter", tracetest.NewInMemoryExporter()},
		{"consoletree.Exporter", consoletree.New()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(bc.exp))
			defer func() { _ = tp.Shutdown(context.Background()) }()
			tr := tp.Tracer("bench")
			ctx := context.Background()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				_, s := tr.Start(ctx, "op")
				s.End()
				if i++; i%4096 == 0 {
					bc.exp.Reset() // bound the memory
				}
			}
		})
	}
}
