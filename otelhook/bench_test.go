package otelhook_test

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/otelhook"
)

// The benchmarks migrate one User record 1.0.0 → 3.0.0 (two steps: a
// function and an auto-migration, then validation). Compare, in one run:
//
//	Migrate/no-hooks                   the baseline
//	Migrate/unsampled-parent/*         ParentBased(NeverSample), ctx with an unsampled parent
//	Migrate/unsampled-root/*           ParentBased(NeverSample), no parent span
//	Migrate/sampled/*                  AlwaysSample, BatchSpanProcessor, exporter that drops
//	BareSpans                          the SDK's cost of the same 3 spans, without transmute
//
// "noop-meter" uses metric/noop; "sdk-meter" an SDK MeterProvider with a
// ManualReader.

// discard is a SpanExporter that drops every span.
type discard struct{}

func (discard) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discard) Shutdown(context.Context) error                             { return nil }

var benchInput = core.Data{"name": "Ada Lovelace"}

func neverSampled(tb testing.TB) *sdktrace.TracerProvider {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.NeverSample())))
	tb.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp
}

func alwaysSampled(tb testing.TB) *sdktrace.TracerProvider {
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSampler(sdktrace.AlwaysSample()),
		sdktrace.WithBatcher(discard{}),
	)
	tb.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp
}

func sdkMeter(tb testing.TB) metric.MeterProvider {
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	tb.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	return mp
}

// unsampledParent is the ctx of a request whose trace is not sampled.
func unsampledParent() context.Context {
	return trace.ContextWithRemoteSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{0x4b, 1}, SpanID: trace.SpanID{0x4b, 2}, Remote: true,
	}))
}

func benchMigrate(b *testing.B, m *core.Manager, ctx context.Context) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Migrate(ctx, benchInput, "User", "1.0.0", "3.0.0"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMigrate(b *testing.B) {
	meters := []struct {
		name string
		mp   func(testing.TB) metric.MeterProvider
	}{
		{"noop-meter", func(testing.TB) metric.MeterProvider { return metricnoop.NewMeterProvider() }},
		{"sdk-meter", sdkMeter},
	}
	b.Run("no-hooks", func(b *testing.B) {
		benchMigrate(b, newManager(b, nil), context.Background())
	})
	for _, mt := range meters {
		b.Run("unsampled-parent/"+mt.name, func(b *testing.B) {
			m := newManager(b, nil)
			m.AddHook(otelhook.New(otelhook.WithTracerProvider(neverSampled(b)), otelhook.WithMeterProvider(mt.mp(b))))
			benchMigrate(b, m, unsampledParent())
		})
	}
	for _, mt := range meters {
		b.Run("unsampled-root/"+mt.name, func(b *testing.B) {
			m := newManager(b, nil)
			m.AddHook(otelhook.New(otelhook.WithTracerProvider(neverSampled(b)), otelhook.WithMeterProvider(mt.mp(b))))
			benchMigrate(b, m, context.Background())
		})
	}
	for _, mt := range meters {
		b.Run("sampled/"+mt.name, func(b *testing.B) {
			m := newManager(b, nil)
			m.AddHook(otelhook.New(otelhook.WithTracerProvider(alwaysSampled(b)), otelhook.WithMeterProvider(mt.mp(b))))
			benchMigrate(b, m, context.Background())
		})
	}
}

// BenchmarkBareSpans is the SDK's own cost of what the sampled benchmark
// traces: one span with 5 attributes and two child spans with 5 attributes
// each, started and ended on the same provider (attributes precomputed, as
// the hook does).
func BenchmarkBareSpans(b *testing.B) {
	spans := bareSpans(alwaysSampled(b))
	b.ReportAllocs()
	for b.Loop() {
		spans()
	}
}

// bareSpans returns a func that starts and ends the spans of one traced
// migration, without transmute.
func bareSpans(tp trace.TracerProvider) func() {
	tr := tp.Tracer("bare")
	parent := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(
		attribute.String("migration.model", "User"), attribute.String("migration.version.from", "1.0.0"),
		attribute.String("migration.version.to", "3.0.0"), attribute.Int("migration.steps", 2),
		attribute.String("migration.direction", "up"),
	)}
	step := func(i int, from, to string, auto bool) []trace.SpanStartOption {
		return []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(
			attribute.String("migration.model", "User"), attribute.Int("migration.step.index", i),
			attribute.String("migration.version.from", from), attribute.String("migration.version.to", to),
			attribute.Bool("migration.step.auto", auto),
		)}
	}
	steps := [][]trace.SpanStartOption{step(0, "1.0.0", "2.0.0", false), step(1, "2.0.0", "3.0.0", true)}
	ctx := context.Background()
	return func() {
		pctx, span := tr.Start(ctx, "migrate User", parent...)
		for _, opts := range steps {
			_, s := tr.Start(pctx, "migrate.step User", opts...)
			s.End()
		}
		span.End()
	}
}

// BenchmarkRatio runs a migration with otelhook and its baseline in
// alternating blocks of the same benchmark, so that a noisy machine slows
// both alike, and reports x-base, the ratio of their times (1.00: no
// cost). The baseline is Migrate with no hooks; for the sampled cases it
// is Migrate with no hooks plus BareSpans on a provider of the same
// configuration (AlwaysSample, BatchSpanProcessor, an exporter that drops).
func BenchmarkRatio(b *testing.B) {
	meters := []struct {
		name string
		mp   func(testing.TB) metric.MeterProvider
	}{
		{"noop-meter", func(testing.TB) metric.MeterProvider { return metricnoop.NewMeterProvider() }},
		{"sdk-meter", sdkMeter},
	}
	for _, c := range []struct {
		name    string
		tp      func(testing.TB) *sdktrace.TracerProvider
		ctx     context.Context
		sampled bool
	}{
		{"unsampled-parent", neverSampled, unsampledParent(), false},
		{"unsampled-root", neverSampled, context.Background(), false},
		{"sampled", alwaysSampled, context.Background(), true},
	} {
		for _, mt := range meters {
			b.Run(c.name+"/"+mt.name, func(b *testing.B) {
				none, with := newManager(b, nil), newManager(b, nil)
				with.AddHook(otelhook.New(otelhook.WithTracerProvider(c.tp(b)), otelhook.WithMeterProvider(mt.mp(b))))
				spans := func() {}
				if c.sampled {
					spans = bareSpans(c.tp(b))
				}
				migrate := func(m *core.Manager, ctx context.Context) {
					if _, err := m.Migrate(ctx, benchInput, "User", "1.0.0", "3.0.0"); err != nil {
						b.Fatal(err)
					}
				}
				const block = 200
				var tBase, tWith time.Duration
				b.ResetTimer()
				for done := 0; done < b.N; done += block {
					n := min(block, b.N-done)
					start := time.Now()
					for range n {
						migrate(none, context.Background())
						spans()
					}
					tBase += time.Since(start)
					start = time.Now()
					for range n {
						migrate(with, c.ctx)
					}
					tWith += time.Since(start)
				}
				b.ReportMetric(float64(tWith)/float64(tBase), "x-base")
				b.ReportMetric(float64(tBase.Nanoseconds())/float64(b.N), "base-ns/op")
				b.ReportMetric(float64(tWith.Nanoseconds())/float64(b.N), "hook-ns/op")
			})
		}
	}
}
