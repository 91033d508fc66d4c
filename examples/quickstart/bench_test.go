package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/transmute-go/transmute/audit"
	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/examples/internal/consoletree"
	"github.com/transmute-go/transmute/hooks"
	"github.com/transmute-go/transmute/metricshook"
	"github.com/transmute-go/transmute/otelhook"
)

// BenchmarkMigrate is the cost of one record of the demo (User 1.0.0 →
// 3.0.0, two steps and a nested Address migration): with no hook (the
// baseline), with each of the demo's hooks alone, and with all of them as
// the demo runs them (spans kept by the console exporter, the audit trail
// in a file, the log at Info).
func BenchmarkMigrate(b *testing.B) {
	record := generate(1, 1, 0)[0]
	for _, bc := range []struct {
		name  string
		hooks func(b *testing.B, m *core.Manager, tp *sdktrace.TracerProvider)
	}{
		{"baseline=no hooks", func(*testing.B, *core.Manager, *sdktrace.TracerProvider) {}},
		{"otelhook", func(_ *testing.B, m *core.Manager, tp *sdktrace.TracerProvider) {
			m.AddHook(otelhook.New(otelhook.WithTracerProvider(tp)))
		}},
		{"metricshook", func(_ *testing.B, m *core.Manager, _ *sdktrace.TracerProvider) { m.AddHook(metricshook.New()) }},
		{"audit", func(b *testing.B, m *core.Manager, _ *sdktrace.TracerProvider) { m.AddHook(openBenchTrail(b)) }},
		{"logger", func(_ *testing.B, m *core.Manager, _ *sdktrace.TracerProvider) {
			m.AddHook(hooks.NewLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
		}},
		{"demo (all four)", func(b *testing.B, m *core.Manager, tp *sdktrace.TracerProvider) {
			addHooks(m, tp, metricshook.New(), openBenchTrail(b), slog.New(slog.NewTextHandler(io.Discard, nil)))
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			exp := consoletree.New()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
			defer func() { _ = tp.Shutdown(context.Background()) }()
			m, err := newManager(noop.NewTracerProvider().Tracer(""), nil)
			if err != nil {
				b.Fatal(err)
			}
			bc.hooks(b, m, tp)
			ctx := context.Background()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := m.Migrate(ctx, record, "User", "1.0.0", "3.0.0"); err != nil {
					b.Fatal(err)
				}
				if i++; i%1024 == 0 {
					exp.Reset() // bound the memory
				}
			}
		})
	}
}

func openBenchTrail(b *testing.B) *audit.Trail {
	t, err := audit.Open(filepath.Join(b.TempDir(), "audit.jsonl"), audit.WithTraceIDs(spanIDs))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = t.Close() })
	return t
}
